"""Load the demo town: the base (registry and accounts for every role), then each app's part,
in the order the apps registered them (governance.registry.register_demo).

Running it twice changes nothing."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from governance import registry


class Command(BaseCommand):
    help = "Load the demo town 里水镇 with accounts for every role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="Password for every demo account. Without it, new accounts get a random one "
            "that is printed; existing accounts keep theirs.",
        )

    def handle(self, *args, **options):
        # Texts the demo stores (transition reasons, notifications) are written in Chinese.
        with translation.override(settings.LANGUAGE_CODE):
            self._load(options)

    def _load(self, options):
        base = registry.demo_base()
        if base is None:
            raise CommandError("No app registered the demo's base (registry and accounts).")
        state, summary = base(password=options["password"], stdout=self.stdout)
        for loader in registry.demo_loaders():
            with transaction.atomic():
                loader.load(**state, stdout=self.stdout)
        call_command("sync_schedule", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo loaded. Accounts:"))
        for line in summary:
            self.stdout.write(line)
