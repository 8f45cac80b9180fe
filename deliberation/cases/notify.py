"""What cases notify, through the shared notifications (governance.notifications): every move
tells the reporter, the followers and the new handler's staff, once per user and event."""

from celery import shared_task
from django.db.models import Q

from communities import roles
from communities.roles import Role
from governance.tasks import enqueue_on_commit


@shared_task(name="deliberation.cases.notify_event")
def notify_case_event_task(event_id: int) -> int:
    # Idempotent: notify_users keeps one notification per user and event key. Defined here
    # (re-exported by cases.tasks) so that services -> notify imports no task module that
    # imports services back.
    return send(event_id)


@shared_task(name="deliberation.cases.notify_events")
def notify_case_events_task(event_ids: list[int]) -> int:
    """The notifications of a batch of events (the hourly escalation pass): one outbox message
    for the batch. Idempotent per user and event, like notify_case_event_task."""
    return sum(send(event_id) for event_id in event_ids)


@shared_task(name="deliberation.cases.notify_co_departments")
def notify_co_departments_task(decision_id: int) -> int:
    # Idempotent: one notification per user and decision key.
    return send_to_co_departments(decision_id)


def notify_co_departments(decision) -> None:
    """Enqueue telling a joint-meeting decision's co-departments, after the transaction commits."""
    enqueue_on_commit(notify_co_departments_task, decision.pk)


def send_to_co_departments(decision_id: int) -> int:
    """The staff of each co-department of a joint-meeting decision learn the case, the lead
    department and the deadline they work to (cases.md: joint meetings). The lead department is
    told by the assignment's own event."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    from communities.models import User
    from governance.notifications import notify

    from .models import MeetingDecision

    decision = (
        MeetingDecision.objects.select_related("case", "lead_department")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None or decision.closes:
        return 0
    users = (
        User.objects.filter(departments__in=decision.co_departments.all(), is_active=True)
        .exclude(departments=decision.lead_department_id)
        .distinct()
        .order_by("pk")
    )
    text = _(
        "Case %(number)s 「%(title)s」: the joint meeting named your department to assist "
        "%(lead)s, due %(due)s."
    ) % {
        "number": decision.case.number,
        "title": decision.case.title,
        "lead": decision.lead_department.name,
        "due": date_format(decision.due_date, "Y-m-d"),
    }
    return notify(
        users,
        kind="deliberation.case_co_department",
        key=f"case-decision-co:{decision.pk}",
        text=text,
        body=decision.text,
        link=f"/cases/{decision.case_id}/",
    )


def notify_case_event(event) -> None:
    """Enqueue the notifications of one CaseEvent after the surrounding transaction commits."""
    enqueue_on_commit(notify_case_event_task, event.pk)


def recipients(event):
    from communities.models import User

    from .models import CaseEvent

    case = event.case
    ids = set(case.followers.values_list("user_id", flat=True))
    if case.reporter_id:
        ids.add(case.reporter_id)
    assignment = event.assignment
    if assignment is not None and event.kind != CaseEvent.Kind.OVERDUE_FLAGGED:
        if assignment.company_id:
            # The company's managers whose grant covers this town (granted by its staff, or
            # by a superuser for every town the company serves).
            ids |= set(
                User.objects.filter(
                    Q(grants__town_id=case.town_id) | Q(grants__town_id__isnull=True),
                    grants__role=Role.PROPERTY_MANAGER,
                    grants__company_id=assignment.company_id,
                ).values_list("pk", flat=True)
            )
        elif assignment.community_id:
            ids |= set(
                roles.holders(
                    Role.COMMUNITY_STAFF, community_id=assignment.community_id
                ).values_list("pk", flat=True)
            )
        elif assignment.department_id:
            ids |= set(assignment.department.staff.values_list("pk", flat=True))
    if event.kind == CaseEvent.Kind.OVERDUE_FLAGGED:
        ids |= set(
            roles.holders(Role.TOWNSHIP_STAFF, town_id=case.town_id).values_list("pk", flat=True)
        )
    ids.discard(event.by_id)
    return User.objects.filter(pk__in=ids, is_active=True).order_by("pk")


def send(event_id: int) -> int:
    from django.utils.translation import gettext as _

    from governance.notifications import notify

    from .models import CaseEvent

    event = (
        CaseEvent.objects.select_related("case", "assignment__department")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return 0
    text = _("Case %(number)s 「%(title)s」: %(kind)s.") % {
        "number": event.case.number,
        "title": event.case.title,
        "kind": event.get_kind_display(),
    }
    if event.reason:
        text += " " + event.reason
    return notify(
        recipients(event),
        kind="deliberation.case_event",
        key=f"case-event:{event.pk}",
        text=text,
        link=f"/cases/{event.case_id}/",
    )
