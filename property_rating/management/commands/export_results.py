"""property_rating.md "Bulk data": export_results --town NAME --year Y --output FILE."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from property_rating.bulk import town_by_name, write_export
from property_rating.periods import year_argument


class Command(BaseCommand):
    help = (
        "Write one row per unit with the columns estate, company, annual_score, rank, stars, "
        "list, payout (CSV, or XLSX when FILE ends in .xlsx)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--town", required=True)
        parser.add_argument("--year", required=True, type=year_argument, help="2000..2100")
        parser.add_argument("--output", required=True)

    def handle(self, *args, **options):
        try:
            town = town_by_name(options["town"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        try:
            count = write_export(town=town, year=options["year"], path=options["output"])
        except OSError as error:
            # A missing directory or a read-only path is the user's input: one line, exit 1.
            raise CommandError(
                f"{options['output']}: {error.strerror or error.__class__.__name__}"
            ) from error
        self.stdout.write(self.style.SUCCESS(f"Wrote {count} rows to {options['output']}."))
