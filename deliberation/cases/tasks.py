"""Celery tasks of cases: they take ids and are safe to run twice."""

from celery import shared_task

from .notify import (  # noqa: F401  (registered through this module)
    notify_case_event_task,
    notify_case_events_task,
    notify_co_departments_task,
)


@shared_task(name="deliberation.cases.hourly")
def cases_hourly_task() -> dict:
    """Escalate overdue cases, flag overdue joint-meeting assignments, close unrated cases."""
    from .services import close_unrated, escalate_overdue, flag_overdue_meeting_assignments

    return {
        "escalated": escalate_overdue(),
        "flagged": flag_overdue_meeting_assignments(),
        "closed_unrated": close_unrated(),
    }
