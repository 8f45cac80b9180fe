from celery import shared_task

from .services import flag_overdue


@shared_task(name="deliberation.flag_overdue")
def flag_overdue_task() -> dict:
    """Daily: flag overdue escalations and follow-ups to staff (each flagged once)."""
    return flag_overdue()
