"""cases.md: export_cases --town NAME --output FILE [--from DATE --to DATE]."""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from communities.regions import town_from_argument
from deliberation.cases.bulk import write_export


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date YYYY-MM-DD", returncode=2) from error


class Command(BaseCommand):
    help = (
        "Export the town's cases received in a period (inclusive) to CSV (UTF-8 with BOM) or "
        "XLSX, by the output file's extension."
    )

    def add_arguments(self, parser):
        parser.add_argument("--town", required=True, help="Town name, district/town, or id.")
        parser.add_argument("--output", required=True)
        parser.add_argument("--from", dest="start")
        parser.add_argument("--to", dest="end")

    def handle(self, *args, **options):
        path = options["output"]
        if not path.lower().endswith((".csv", ".xlsx")):
            raise CommandError(f"{path}: use a .csv or .xlsx file", returncode=2)
        start = _date(options["start"]) if options["start"] else None
        end = _date(options["end"]) if options["end"] else None
        if start and end and end < start:
            raise CommandError("--to is before --from", returncode=2)
        try:
            town = town_from_argument(options["town"])
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        try:
            count = write_export(town=town, path=path, start=start, end=end)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from error
        self.stdout.write(f"exported {count} cases to {path}")
