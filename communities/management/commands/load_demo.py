"""Load Lishui town's demo data: the registry, accounts for every role, then each app's part.

Running it twice changes nothing."""

import importlib
import importlib.util

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from communities import demo
from communities.models import User

APP_DEMOS = ["party_grid", "property_rating", "deliberation", "deliberation.assemblies"]


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
        password = options["password"]
        fresh = not User.objects.filter(
            username__in=[u for u, *_ in demo.DEMO_ACCOUNTS.values()]
        ).exists()
        if not password and fresh:
            password = demo.new_password()
        town, users = demo.load_base(password)
        self.stdout.write(f"Registry: {town.name}, {town.communities.count()} communities.")
        for app in APP_DEMOS:
            if importlib.util.find_spec(f"{app}.demo") is None:
                continue
            module = importlib.import_module(f"{app}.demo")
            with transaction.atomic():
                module.load(town=town, users=users, stdout=self.stdout)
        call_command("sync_schedule", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo loaded. Accounts:"))
        for _key, user in users.items():
            self.stdout.write(f"  {user.username:<15} {user.get_role_display()}")
        if password:
            self.stdout.write(f"  password: {password}")
        else:
            self.stdout.write("  (existing accounts keep their passwords)")
