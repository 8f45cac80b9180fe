"""property_rating.md "Bulk data": export_results --town NAME --year Y --output FILE."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from property_rating.bulk import town_by_name, write_export


class Command(BaseCommand):
    help = (
        "Write one row per unit with the columns estate, company, annual_score, rank, stars, "
        "list, payout (CSV, or XLSX when FILE ends in .xlsx)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--town", required=True)
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--output", required=True)

    def handle(self, *args, **options):
        try:
            town = town_by_name(options["town"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        count = write_export(town=town, year=options["year"], path=options["output"])
        self.stdout.write(self.style.SUCCESS(f"Wrote {count} rows to {options['output']}."))
