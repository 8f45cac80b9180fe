"""owners.md "Scripts": close_owners_vote --vote ID --json."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from communities.spreadsheets import usage_error
from deliberation.assemblies import services
from deliberation.assemblies.models import AssemblyVote

# The spec's keys first, in its order (PostgreSQL's jsonb does not keep the stored order).
KEYS = (
    "total_area",
    "total_owners",
    "participating_area",
    "participating_owners",
    "agree_area",
    "agree_owners",
    "participation_met",
    "passed",
    "failed",
)


def ordered(data):
    """The spec's keys first, then the others sorted, at every level, so that a stored result
    prints the same as when it was computed."""
    if not isinstance(data, dict):
        return data
    first = [k for k in KEYS if k in data]
    rest = sorted(k for k in data if k not in KEYS)
    return {k: ordered(data[k]) for k in first + rest}


class Command(BaseCommand):
    help = "Close an owners' vote and print its result; closing a closed vote prints the same."

    def add_arguments(self, parser):
        parser.add_argument("--vote", required=True, type=int)
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **options):
        vote = AssemblyVote.objects.filter(pk=options["vote"]).first()
        if vote is None:
            raise usage_error(f"no vote {options['vote']}")
        try:
            result = services.vote_close(vote=vote, by=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        data = ordered(result.data)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self.stdout.write(
            f"{vote.title}: {'passed' if data['passed'] else 'not passed'}; "
            f"participating {data['participating_owners']}/{data['total_owners']} owners, "
            f"{data['participating_area']}/{data['total_area']} m²; agreeing "
            f"{data['agree_owners']} owners, {data['agree_area']} m²"
            + (f"; failed: {', '.join(data['failed'])}" if data["failed"] else "")
        )
