"""Tasks of the party grid: take ids or nothing, idempotent."""

from celery import shared_task


@shared_task(name="party_grid.refresh_estate_figures")
def refresh_estate_figures(estate_ids: list[int] | None = None) -> int:
    """Rebuild today's per-estate figures (all estates, or the given ones) from the records."""
    from .services import refresh_estate_figures as refresh

    return refresh(estate_ids=estate_ids)
