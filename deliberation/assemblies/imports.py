"""import_ballots: paper ballots from a spreadsheet, all or nothing (owners.md "Scripts").

A committee election's paper ballot carries a choice per candidate: its file has one column per
candidate, headed by the candidate's name (or their owner key where two candidates share a name),
with agree, disagree or abstain in each; the `choice` column is then optional and only says
`spoiled` for a spoiled paper (its candidate cells are ignored)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File

from communities.models import Owner
from governance.uploads import validate_upload

from . import services
from .models import AssemblyVote

CHOICES = ("agree", "disagree", "abstain", "spoiled")
LINE_CHOICES = ("agree", "disagree", "abstain")


def candidate_headers(vote: AssemblyVote) -> dict[str, int]:
    """Column names (lower case) a candidate's column may have -> candidate id: the name when
    no other candidate has it, and always the owner key."""
    candidates = list(vote.candidates.select_related("owner"))
    names: dict[str, list[int]] = {}
    for candidate in candidates:
        names.setdefault(candidate.name.strip().lower(), []).append(candidate.pk)
    headers = {name: ids[0] for name, ids in names.items() if len(ids) == 1}
    for candidate in candidates:
        headers.setdefault(candidate.owner.key.lower(), candidate.pk)
    return headers


def _candidate_columns(vote: AssemblyVote, rows) -> tuple[dict[int, str], list[str]]:
    """The column of each candidate (from the header, which every row's keys carry), and the
    problems of the header: a candidate without a column, or with two."""
    headers = candidate_headers(vote)
    present = set(rows[0][1]) if rows else set()
    columns: dict[int, list[str]] = {}
    for header, candidate_id in headers.items():
        if header in present:
            columns.setdefault(candidate_id, []).append(header)
    problems = []
    for candidate in vote.candidates.all():
        found = columns.get(candidate.pk, [])
        if not found:
            problems.append(f"no column for candidate {candidate.name!r}")
        elif len(found) > 1:
            problems.append(
                f"candidate {candidate.name!r} has two columns: {', '.join(sorted(found))}"
            )
    return {c: found[0] for c, found in columns.items()}, problems


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
    errors, seen, entries, entry_lines, opened = [], {}, [], [], []
    columns: dict[int, str] = {}
    if vote.is_election and rows:  # (a file of its header alone enters nothing)
        columns, header_problems = _candidate_columns(vote, rows)
        if header_problems:
            raise BallotsInvalid([(1, "; ".join(header_problems))])
    try:
        for line, row in rows:
            key, choice, scan = row["owner"], row.get("choice", "").lower(), row.get("scan", "")
            problems, lines = [], None
            if vote.is_election:
                choice, lines = _election_row(row, columns, problems)
            if key not in register:
                problems.append(f"owner {key!r} is not in this vote's register")
            elif key in has_ballot:
                problems.append(f"owner {key!r} already has a ballot")
            elif key in seen:
                problems.append(f"owner {key!r} is already on line {seen[key]}")
            seen.setdefault(key, line)
            if not vote.is_election and choice not in CHOICES:
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
                entry = {"owner": register[key], "choice": choice, "scan": upload}
                if lines is not None:
                    entry["lines"] = lines
                entries.append(entry)
                entry_lines.append(line)
        if errors:
            raise BallotsInvalid(errors)
        try:
            services.paper_ballots_enter(vote=vote, rows=entries, by=by)
        except ValidationError as error:  # the vote closed meanwhile, or a portal ballot came in
            raise BallotsInvalid(
                [_line_of(message, entry_lines) for message in error.messages]
            ) from error
    finally:
        for upload in opened:
            upload.close()
    return len(entries)


def _line_of(message: str, entry_lines: list[int]) -> tuple[int, str]:
    """The service names a bad row by its index ("3: ..."); the file names it by its line."""
    index, sep, rest = message.partition(": ")
    if sep and index.isdigit() and int(index) < len(entry_lines):
        return entry_lines[int(index)], rest
    return 0, message


def _election_row(row, columns: dict[int, str], problems: list[str]):
    """(choice, lines) of an election ballot row, adding its problems: `choice` is blank or
    `spoiled`; unless spoiled, every candidate's cell is agree, disagree or abstain."""
    marker = row.get("choice", "").strip().lower()
    if marker == "spoiled":
        return "spoiled", None
    if marker:
        problems.append(
            f"choice {row['choice']!r}: in an election only 'spoiled' (or blank) goes there; "
            "the choices go in the candidates' columns"
        )
    lines = {}
    for candidate_id, column in columns.items():
        value = row.get(column, "").strip().lower()
        if value not in LINE_CHOICES:
            problems.append(
                f"{column}: {row.get(column, '')!r} must be one of {', '.join(LINE_CHOICES)}"
                if value
                else f"{column}: no choice (write abstain, or mark the ballot spoiled)"
            )
        else:
            lines[candidate_id] = value
    # The ballot's own choice is not used in an election: participation comes from the lines.
    return "abstain", lines
