"""Celery tasks of deliberation (Celery discovers <app>.tasks): they take ids, load what they need
and are safe to run twice. Defined beside what they run; nothing here imports a service at
call time, so there is no services <-> tasks cycle."""

from celery import shared_task

from .notifications import notify_transition_task

__all__ = ["flag_overdue_task", "notify_transition_task"]


@shared_task(name="deliberation.flag_overdue")
def flag_overdue_task() -> dict:
    """Daily: flag overdue escalations and follow-ups to staff (each flagged once)."""
    from .services import flag_overdue

    return flag_overdue()
