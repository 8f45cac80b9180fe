"""cases.md: import_cases FILE --town NAME (thin: the work is in deliberation/cases/bulk.py)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from communities.regions import town_from_argument
from deliberation.cases.bulk import ImportFailed, import_cases


class Command(BaseCommand):
    help = (
        "Import hotline tickets (CSV in UTF-8 or GB18030, or XLSX) with the columns ticket, "
        "received_at, estate, building, room, category, title, description, caller_name, "
        "caller_phone, urgent. Tickets already imported are skipped; a file with any bad row "
        "changes nothing and every bad row is listed with its line number."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--town", required=True, help="Town name, district/town, or id.")

    def handle(self, *args, **options):
        path = options["file"]
        if not path.lower().endswith((".csv", ".xlsx")):
            raise CommandError(f"{path}: use a .csv or .xlsx file", returncode=2)
        try:
            town = town_from_argument(options["town"])
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        try:
            result = import_cases(path=path, town=town)
        except FileNotFoundError as error:
            raise CommandError(f"{path}: file not found") from error
        except ImportFailed as failure:
            for line, reason in failure.errors:
                self.stderr.write(f"line {line}: {reason}")
            raise CommandError(
                f"{len(failure.errors)} bad row(s); nothing was imported."
            ) from failure
        self.stdout.write(
            f"imported {result.imported}, skipped {result.skipped} (already imported)"
        )
