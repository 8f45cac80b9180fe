"""property_rating.md "Bulk data": import_assessment FILE --town NAME --year Y [--create-missing]."""

from django.core.management.base import BaseCommand, CommandError

from property_rating.bulk import ImportFailed, import_assessment
from property_rating.periods import year_argument


class Command(BaseCommand):
    help = (
        "Replace a year's imported assessment inputs from a CSV or XLSX file with the columns "
        "community, estate, company, q1, q2, q3, q4, satisfaction, inspection, veto_reason. "
        "A file with any bad row changes nothing; every bad row is reported with its line."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--town", required=True, help="Town name, e.g. 里水镇")
        parser.add_argument("--year", required=True, type=year_argument, help="2000..2100")
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="Create communities, estates and companies the town does not know yet.",
        )

    def handle(self, *args, **options):
        try:
            result = import_assessment(
                source=options["file"],
                town_name=options["town"],
                year=options["year"],
                create_missing=options["create_missing"],
            )
        except FileNotFoundError as error:
            raise CommandError(f"{options['file']}: file not found") from error
        except ImportFailed as failure:
            for line, reason in failure.errors:
                where = f"line {line}: " if line else ""
                self.stderr.write(f"{where}{reason}")
            raise CommandError(
                f"{len(failure.errors)} bad row(s); nothing was imported."
            ) from failure
        created = ", ".join(f"{n} {kind}" for kind, n in result.created.items() if n)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.rows} units for {options['town']} {options['year']}"
                f" ({result.vetoes} vetoes{'; created ' + created if created else ''})."
            )
        )
