"""owners.md "Scripts": import_ballots FILE --vote ID (columns owner, choice[, scan])."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from communities.spreadsheets import BadFile, read_rows, usage_error
from deliberation.assemblies.imports import BallotsInvalid, ballots_import, candidate_headers
from deliberation.assemblies.models import AssemblyVote


class Command(BaseCommand):
    help = (
        "Enter paper ballots from a CSV (UTF-8 or GB18030) or XLSX file with the columns owner, "
        "choice (agree, disagree, abstain, spoiled) and optionally scan (a file path, relative "
        "to the file's folder). A committee election's file has instead one column per "
        "candidate (headed by their name or owner key) with agree, disagree or abstain, and "
        "choice only to mark a spoiled paper. A file with any bad row changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--vote", required=True, type=int)

    def handle(self, *args, **options):
        vote = AssemblyVote.objects.filter(pk=options["vote"]).first()
        if vote is None:
            raise usage_error(f"no vote {options['vote']}")
        if not vote.is_open:
            raise CommandError(f"vote {vote.pk} is {vote.get_state_display()}, not open")
        try:
            if vote.is_election:
                rows = read_rows(
                    options["file"],
                    required=("owner",),
                    optional=("choice", "scan", *candidate_headers(vote)),
                )
            else:
                rows = read_rows(options["file"], required=("owner", "choice"), optional=("scan",))
        except FileNotFoundError as error:
            raise usage_error(f"{options['file']}: file not found") from error
        except BadFile as error:
            raise CommandError(f"{options['file']}: {error}; nothing was imported") from error
        try:
            count = ballots_import(
                vote=vote, rows=rows, base_dir=Path(options["file"]).resolve().parent
            )
        except BallotsInvalid as failure:
            for line, reason in failure.errors:
                self.stderr.write(f"line {line}: {reason}" if line else reason)
            raise CommandError(
                f"{len(failure.errors)} bad row(s); nothing was imported."
            ) from failure
        self.stdout.write(f"Entered {count} paper ballots into vote {vote.pk}.")
