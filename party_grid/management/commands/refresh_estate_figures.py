"""Rebuild today's per-estate party figures (EstateFigures) from the records; idempotent."""

from django.core.management.base import BaseCommand

from party_grid.services import refresh_estate_figures


class Command(BaseCommand):
    help = "Rebuild today's per-estate party figures from the records (all estates)."

    def handle(self, *args, **options):
        self.stdout.write(f"{refresh_estate_figures()} estate figure rows refreshed.")
