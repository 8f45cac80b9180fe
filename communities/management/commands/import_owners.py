"""owners.md "Scripts": import_owners FILE --town NAME --estate NAME."""

from django.core.management.base import BaseCommand, CommandError

from communities.owners_import import COLUMNS, RegisterInvalid, estate_by_names, register_import
from communities.spreadsheets import BadFile, read_rows, usage_error


class Command(BaseCommand):
    help = (
        "Replace an estate's register of units, floor areas and owners from a CSV (UTF-8 or "
        "GB18030) or XLSX file with the columns building, room, area, owner, delivered. A file "
        "with any bad row changes nothing; every bad row is reported with its line."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--town", required=True)
        parser.add_argument("--estate", required=True)

    def handle(self, *args, **options):
        estate = estate_by_names(options["town"], options["estate"])
        if estate is None:
            raise usage_error(f"no estate {options['estate']!r} in town {options['town']!r}")
        try:
            rows = read_rows(options["file"], required=COLUMNS)
        except FileNotFoundError as error:
            raise usage_error(f"{options['file']}: file not found") from error
        except BadFile as error:
            raise CommandError(f"{options['file']}: {error}; nothing was imported") from error
        try:
            result = register_import(estate=estate, rows=rows)
        except RegisterInvalid as failure:
            for line, reason in failure.errors:
                self.stderr.write(f"line {line}: {reason}")
            raise CommandError(
                f"{len(failure.errors)} bad row(s); nothing was imported."
            ) from failure
        self.stdout.write(
            f"Imported {result.units} units of {result.owners} owners into {estate.name}"
            f" ({result.cleared} units left without an owner)."
        )
