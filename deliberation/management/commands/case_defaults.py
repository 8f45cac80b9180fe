"""Create a town's default responsibility list (departments, categories C01..C99, duty lists)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from communities.regions import town_from_argument
from deliberation.cases.services import responsibility_list_ensure


class Command(BaseCommand):
    help = "Create the default departments, case categories and duty lists a town lacks."

    def add_arguments(self, parser):
        parser.add_argument("--town", required=True, help="Town name, district/town, or id.")

    def handle(self, *args, **options):
        try:
            town = town_from_argument(options["town"])
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        created = responsibility_list_ensure(town=town)
        self.stdout.write(f"{created} categories created for {town.name}")
