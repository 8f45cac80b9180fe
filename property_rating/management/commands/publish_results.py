"""property_rating.md "Bulk data": publish_results --town NAME --year Y."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from property_rating.bulk import town_by_name
from property_rating.models import Scheme
from property_rating.periods import year_argument
from property_rating.publication import results_publish


class Command(BaseCommand):
    help = "Publish a town's results for a year (then the year is frozen)."

    def add_arguments(self, parser):
        parser.add_argument("--town", required=True)
        parser.add_argument("--year", required=True, type=year_argument, help="2000..2100")

    def handle(self, *args, **options):
        try:
            town = town_by_name(options["town"])
            scheme = Scheme.objects.filter(town=town, year=options["year"]).first()
            if scheme is None:
                raise ValidationError(f"{town} has no scheme for {options['year']}.")
            scheme = results_publish(scheme=scheme, by=None, system=True)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(f"Published {scheme} at {scheme.published_at:%Y-%m-%d %H:%M}.")
        )
