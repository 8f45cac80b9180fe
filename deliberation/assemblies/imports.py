"""import_ballots: paper ballots from a spreadsheet, all or nothing (owners.md "Scripts")."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File

from communities.models import Owner
from governance.uploads import validate_upload

from . import services
from .models import AssemblyVote

CHOICES = ("agree", "disagree", "abstain", "spoiled")


class BallotsInvalid(Exception):
    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(f"{len(errors)} bad row(s)")
        self.errors = errors


def ballots_import(*, vote: AssemblyVote, rows, base_dir: Path, by=None) -> int:
    """Check every row (owner in the register, no ballot yet, not twice; a known choice; a
    readable scan), then enter them all or none."""
    register = {
        owner.key: owner for owner in Owner.objects.filter(pk__in=vote.register.values("owner_id"))
    }
    has_ballot = set(vote.ballots.values_list("owner__key", flat=True))
    errors, seen, entries, opened = [], {}, [], []
    try:
        for line, row in rows:
            key, choice, scan = row["owner"], row["choice"].lower(), row.get("scan", "")
            problems = []
            if key not in register:
                problems.append(f"owner {key!r} is not in this vote's register")
            elif key in has_ballot:
                problems.append(f"owner {key!r} already has a ballot")
            elif key in seen:
                problems.append(f"owner {key!r} is already on line {seen[key]}")
            seen.setdefault(key, line)
            if choice not in CHOICES:
                problems.append(f"choice {row['choice']!r} must be one of {', '.join(CHOICES)}")
            upload = None
            if scan:
                path = Path(scan) if Path(scan).is_absolute() else base_dir / scan
                if not path.is_file():
                    problems.append(f"scan {scan!r} not found")
                else:
                    upload = File(path.open("rb"), name=path.name)
                    opened.append(upload)
                    try:
                        validate_upload(upload)
                    except ValidationError as error:
                        problems.append("scan: " + " ".join(error.messages))
            if problems:
                errors.append((line, "; ".join(problems)))
            else:
                entries.append({"owner": register[key], "choice": choice, "scan": upload})
        if errors:
            raise BallotsInvalid(errors)
        try:
            services.paper_ballots_enter(vote=vote, rows=entries, by=by)
        except ValidationError as error:  # the vote closed meanwhile, or a portal ballot came in
            raise BallotsInvalid([(0, message) for message in error.messages]) from error
    finally:
        for upload in opened:
            upload.close()
    return len(entries)
