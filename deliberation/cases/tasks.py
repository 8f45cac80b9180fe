"""Celery tasks of cases: they take ids and are safe to run twice."""

from celery import shared_task

from governance.tasks import enqueue_on_commit


@shared_task(name="deliberation.cases.notify_event")
def notify_case_event_task(event_id: int) -> int:
    # Idempotent: notify_users keeps one notification per user and event key.
    from .notify import send

    return send(event_id)


@shared_task(name="deliberation.cases.hourly")
def cases_hourly_task() -> dict:
    """Escalate overdue cases, flag overdue joint-meeting assignments, close unrated cases."""
    from .services import close_unrated, escalate_overdue, flag_overdue_meeting_assignments

    return {
        "escalated": escalate_overdue(),
        "flagged": flag_overdue_meeting_assignments(),
        "closed_unrated": close_unrated(),
    }


def notify_case_event(event) -> None:
    """Enqueue the notifications of one CaseEvent after the surrounding transaction commits."""
    enqueue_on_commit(notify_case_event_task, event.pk)
