"""property_rating.md "Bulk data": compute_scores --town NAME --year Y [--quarter N] (synchronous)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from property_rating.bulk import town_by_name
from property_rating.periods import year_argument
from property_rating.scoring import run_quarter, run_year


class Command(BaseCommand):
    help = (
        "Compute a quarter's Q and accruals (--quarter N), or every quarter of the year that has "
        "inputs and then the annual results, synchronously."
    )

    def add_arguments(self, parser):
        parser.add_argument("--town", required=True)
        parser.add_argument("--year", required=True, type=year_argument, help="2000..2100")
        parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4])

    def handle(self, *args, **options):
        try:
            town = town_by_name(options["town"])
            if options["quarter"]:
                outcome = run_quarter(
                    town_id=town.pk,
                    year=options["year"],
                    quarter=options["quarter"],
                    trigger="command",
                )
            else:
                outcome = run_year(town_id=town.pk, year=options["year"], trigger="command")
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        summary = ", ".join(f"{k}={v}" for k, v in outcome.items() if k not in ("kind",))
        self.stdout.write(self.style.SUCCESS(f"Computed: {summary}"))
