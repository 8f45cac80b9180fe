"""Celery tasks: they take ids, load what they need and are safe to run twice."""

from celery import shared_task


@shared_task(name="deliberation.notify_transition")
def notify_transition_task(transition_id: int) -> int:
    """Inbox + e-mail to the proposer, supporters and followers (one row per user and event)."""
    from .notifications import notify_transition

    return notify_transition(transition_id)


@shared_task(name="deliberation.flag_overdue")
def flag_overdue_task() -> dict:
    """Daily: flag overdue escalations and follow-ups to staff (each flagged once)."""
    from .services import flag_overdue

    return flag_overdue()


from .assemblies import tasks as _assembly_tasks  # noqa: E402, F401  registers the tasks
