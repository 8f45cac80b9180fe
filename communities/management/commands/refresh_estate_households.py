"""Recount today's registered households per estate (EstateHouseholds); idempotent."""

from django.core.management.base import BaseCommand

from communities.services import refresh_estate_households


class Command(BaseCommand):
    help = "Recount today's registered households of every estate from the records."

    def handle(self, *args, **options):
        self.stdout.write(f"{refresh_estate_households()} estate household rows refreshed.")
