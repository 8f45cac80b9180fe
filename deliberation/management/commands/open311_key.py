"""cases.md Open311: `open311_key NAME --town TOWN` issues a client key and prints it alone on
its last line (shown once; only its hash is stored; revoked in the admin)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from communities.regions import town_from_argument
from deliberation.cases.open311 import key_issue


class Command(BaseCommand):
    help = "Issue an Open311 client key (api_key) for a town; prints the key on the last line."

    def add_arguments(self, parser):
        parser.add_argument("name", help="A name for the client, unique in the deployment.")
        parser.add_argument("--town", required=True, help="Town name, district/town, or id.")

    def handle(self, *args, **options):
        try:
            town = town_from_argument(options["town"])
            key = key_issue(name=options["name"], town=town)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"Open311 key {options['name']!r} for {town.name} (shown once):")
        self.stdout.write(key)
