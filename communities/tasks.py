"""Tasks of the communities app: take ids or nothing, idempotent."""

from celery import shared_task


@shared_task(name="communities.flag_missing_statements")
def flag_missing_statements() -> int:
    from .accounts_services import flag_missing_statements as flag

    return flag()


@shared_task(name="communities.refresh_estate_households")
def refresh_estate_households(estate_ids: list[int] | None = None) -> int:
    """Recount today's registered households per estate (all estates, or the given ones)."""
    from .services import refresh_estate_households as refresh

    return refresh(estate_ids=estate_ids)
