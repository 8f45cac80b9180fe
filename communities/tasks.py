"""Tasks of the communities app: take ids or nothing, idempotent."""

from celery import shared_task


@shared_task(name="communities.flag_missing_statements")
def flag_missing_statements() -> int:
    from .accounts_services import flag_missing_statements as flag

    return flag()
