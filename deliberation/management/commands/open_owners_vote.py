"""owners.md "Scripts": open_owners_vote --town NAME --estate NAME --kind KIND --title TEXT."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from communities.owners_import import estate_by_names
from communities.spreadsheets import usage_error
from deliberation.assemblies import services
from deliberation.assemblies.models import Kind


class Command(BaseCommand):
    help = (
        "Open a whole-estate owners' vote at once (a paper vote announced outside the system) "
        "and print its id alone on the last line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--town", required=True)
        parser.add_argument("--estate", required=True)
        parser.add_argument("--kind", required=True, choices=Kind.values)
        parser.add_argument("--title", required=True)

    def handle(self, *args, **options):
        estate = estate_by_names(options["town"], options["estate"])
        if estate is None:
            raise usage_error(f"no estate {options['estate']!r} in town {options['town']!r}")
        title = options["title"].strip()
        if not title or len(title) > 200:
            raise usage_error("--title must be 1 to 200 characters")
        try:
            vote = services.vote_open_now(estate=estate, kind=options["kind"], title=title)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"Opened {vote.get_kind_display()} vote on {estate.name}: "
            f"{vote.register.count()} register entries."
        )
        self.stdout.write(str(vote.pk))
