"""The first handlers stored on each case (what the figures group by) equal what the assignment
records say, and the hourly escalation pass moves a batch of cases in a constant number of
queries."""

import pytest
import time_machine
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.test.utils import CaptureQueriesContext

from communities.departments import Department
from communities.factories import EstateFactory, PropertyCompanyFactory, ServiceContractFactory
from deliberation.cases import services
from deliberation.cases.figures import case_figures
from deliberation.cases.models import Assignment, Case, CaseEvent, Level
from governance.models import AuditEvent, OutboxMessage

from .conftest import category, sh

pytestmark = pytest.mark.django_db


def receive(estate, code, *, at=None, **kwargs):
    return services.case_receive(
        estate=estate,
        category=category(estate.community.town, code),
        title=kwargs.pop("title", "电梯停运"),
        source=kwargs.pop("source", Case.Source.PORTAL),
        received_at=at,
        **kwargs,
    )


def computed_from_records():
    """{case id: (first assignment, company of the first estate-level assignment with one,
    department of the first town-level assignment with one)} from the assignment rows."""

    def first(field, **filters):
        return Subquery(
            Assignment.objects.filter(case=OuterRef("pk"), **filters)
            .order_by("assigned_at", "pk")
            .values(field)[:1]
        )

    rows = Case.objects.annotate(
        a=first("pk"),
        c=first("company_id", level=Level.ESTATE, company__isnull=False),
        d=first("department_id", level=Level.TOWN, department__isnull=False),
    ).values_list("pk", "a", "c", "d")
    return {pk: (a, c, d) for pk, a, c, d in rows}


def stored():
    rows = Case.objects.values_list(
        "pk", "first_assignment_id", "first_company_id", "first_department_id"
    )
    return {pk: (a, c, d) for pk, a, c, d in rows}


def test_stored_first_handlers_equal_what_the_assignments_say(
    estate, company, manager, community_staff, town_staff
):
    town = estate.community.town
    lead = Department.objects.get(town=town, name="住建办")
    with time_machine.travel(sh(2026, 6, 1, 10), tick=False):
        replied = receive(estate, "C01")  # estate level: the company
        services.case_reply(case=replied, by=manager, text="已修复")
        misrouted = receive(estate, "C02")
        services.case_return(case=misrouted, by=manager, reason="非本单位")
        services.case_reassign(case=misrouted, by=community_staff, level=Level.TOWN,
                               department=lead)  # fmt: skip
        by_hand = receive(estate, "C01")
        services.case_escalate(case=by_hand, by=manager, reason="需社区协调")
        old_ticket = receive(estate, "C01", at=sh(2026, 5, 1, 10), source=Case.Source.HOTLINE,
                             ticket="T-1")  # fmt: skip
        community_first = receive(estate, "C04")  # community first, then town
    with time_machine.travel(sh(2026, 7, 20, 10), tick=False):
        assert services.escalate_overdue() > 0
    meeting = services.meeting_record(town=town, date=sh(2026, 7, 20).date(), chair="李镇长",
                                      by=town_staff)  # fmt: skip
    on_agenda = services.meeting_agenda(town_id=town.pk).first()
    services.meeting_decide(meeting=meeting, case=on_agenda, by=town_staff, text="住建办牵头",
                            lead_department=lead, due_date=sh(2099, 1, 1).date())  # fmt: skip

    assert stored() == computed_from_records()
    old_ticket.refresh_from_db()
    assert (old_ticket.first_company, old_ticket.first_department) == (
        company,
        old_ticket.category.department,
    )
    community_first.refresh_from_db()
    assert community_first.first_company is None  # never at estate level
    misrouted.refresh_from_db()
    assert (misrouted.first_company, misrouted.first_department) == (company, lead)
    for case in (replied, by_hand):
        case.refresh_from_db()
        assert case.first_assignment == case.assignments.order_by("assigned_at", "pk").first()


def test_figures_per_company_and_department_group_by_the_first_handlers(estate, company, manager):
    other_company = PropertyCompanyFactory()
    other_estate = EstateFactory(community=estate.community)
    ServiceContractFactory(estate=other_estate, company=other_company,
                           valid_from=sh(2020, 1, 1).date())  # fmt: skip
    with time_machine.travel(sh(2026, 6, 1, 10), tick=False):
        mine = [receive(estate, "C01") for _ in range(2)]
        theirs = receive(other_estate, "C01")
        services.case_accept(case=mine[0], by=manager)
    with time_machine.travel(sh(2026, 7, 20, 10), tick=False):
        services.escalate_overdue()  # a later handler does not change whose case it was
        figures = case_figures(scope="company", period="quarter", start=sh(2026, 4, 1).date(),
                               end=sh(2026, 6, 30).date(), town_id=estate.community.town_id)  # fmt: skip
    quarter = sh(2026, 4, 1).date()
    assert figures[(company.pk, quarter)]["received"] == len(mine)
    assert figures[(company.pk, quarter)]["accepted_on_time"] == 1
    assert figures[(other_company.pk, quarter)]["received"] == 1
    assert theirs.pk not in {c.pk for c in mine}
    by_department = case_figures(scope="department", period="month", start=sh(2026, 6, 1).date(),
                                 end=sh(2026, 6, 30).date(), town_id=estate.community.town_id)  # fmt: skip
    department = category(estate.community.town, "C01").department
    assert by_department[(department.pk, sh(2026, 6, 1).date())]["received"] == 3


def _overdue_cases(community, n):
    """n estates of `community`, each with a company and an estate-level case unanswered past
    its reply deadline (received 1 June 2026, due 4 June)."""
    with time_machine.travel(sh(2026, 6, 1, 10), tick=False):
        for _ in range(n):
            estate = EstateFactory(community=community)
            ServiceContractFactory(estate=estate, company=PropertyCompanyFactory(),
                                   valid_from=sh(2020, 1, 1).date())  # fmt: skip
            receive(estate, "C01")


def _escalation_pass():
    with (
        time_machine.travel(sh(2026, 6, 6, 10), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        moved = services.escalate_overdue()
    return moved, len(queries)


def test_escalation_pass_runs_the_same_queries_for_two_or_seven_cases(estate):
    # Given two overdue cases, then seven more (the first two, moved, are not overdue again).
    _overdue_cases(estate.community, 2)
    moved_two, queries_two = _escalation_pass()
    elsewhere = EstateFactory().community  # another town too: settings per town
    services.responsibility_list_ensure(town=elsewhere.town)
    _overdue_cases(elsewhere, 7)
    moved_seven, queries_seven = _escalation_pass()
    assert (moved_two, moved_seven) == (2, 7)
    # List, lock, re-read, settings, calendar, end, create, save the cases, events, audit,
    # outbox; then the list again, empty: not one query more per case.
    assert queries_two == queries_seven
    assert Case.objects.filter(level=Level.COMMUNITY).count() == 9
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.AUTO_ESCALATED).count() == 9
    assert AuditEvent.objects.filter(summary="case auto_escalated").count() == 9
    # One outbox message per batch carries every event's notifications.
    assert OutboxMessage.objects.filter(task_name="deliberation.cases.notify_events").count() == 2


def test_batched_notifications_tell_the_new_handlers_once(
    estate, django_capture_on_commit_callbacks
):
    from communities.factories import CommunityStaffFactory
    from governance.notifications.models import Notification

    staff = CommunityStaffFactory(community=estate.community)
    _overdue_cases(estate.community, 3)
    with django_capture_on_commit_callbacks(execute=True):
        assert _escalation_pass()[0] == 3
    assert Notification.objects.filter(user=staff, kind="deliberation.case_event").count() == 3
    from deliberation.cases.notify import notify_case_events_task

    events = list(
        CaseEvent.objects.filter(kind=CaseEvent.Kind.AUTO_ESCALATED).values_list("pk", flat=True)
    )
    assert notify_case_events_task(events) == 0  # a retried message tells nobody twice
