"""Overdue cases reach the inbox of the staff now responsible for them, and nobody else's: an
estate reply that misses its deadline escalates to the community (its staff are told), and a
joint-meeting assignment past its deadline is flagged to the town's township staff."""

import pytest
import time_machine
from django.urls import reverse

from communities.departments import Department
from communities.factories import (
    CommunityFactory,
    CommunityStaffFactory,
    PropertyManagerFactory,
    TownshipStaffFactory,
)
from deliberation.cases import services
from deliberation.cases.models import Case
from governance.notifications.models import Notification

from .conftest import category, department_staff, sh

pytestmark = pytest.mark.django_db


def receive(estate, code="C01", at=None):
    return services.case_receive(
        estate=estate,
        category=category(estate.community.town, code),
        title="电梯停运",
        source=Case.Source.PORTAL,
        received_at=at,
    )


@pytest.fixture
def bystanders(estate):
    """Staff who are not responsible: another community of the town, another company, another
    town's township staff, a department of the town."""
    town = estate.community.town
    lead = Department.objects.filter(town=town).first()
    return [
        CommunityStaffFactory(community=CommunityFactory(town=town)),
        PropertyManagerFactory(),
        TownshipStaffFactory(),
        department_staff(lead),
    ]


def inbox_users(case):
    return set(
        Notification.objects.filter(link=f"/cases/{case.pk}/", text__contains="电梯停运")
        .values_list("user__username", flat=True)
        .distinct()
    )


def test_overdue_estate_reply_notifies_the_community_staff_only(
    client,
    estate,
    company,
    manager,
    community_staff,
    town_staff,
    bystanders,
    django_capture_on_commit_callbacks,
):
    with time_machine.travel(sh(2026, 6, 1, 10), tick=False):
        case = receive(estate)
    Notification.objects.all().delete()  # leave aside the intake's own notices
    with (
        time_machine.travel(sh(2026, 6, 6, 15), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.escalate_overdue() == 1
    assert inbox_users(case) == {community_staff.username}
    client.force_login(community_staff)
    page = client.get(reverse("deliberation:inbox"))
    assert page.status_code == 200 and "电梯停运" in page.content.decode()
    for user in [*bystanders, manager, town_staff]:
        client.force_login(user)
        assert "电梯停运" not in client.get(reverse("deliberation:inbox")).content.decode(), user


def test_overdue_joint_meeting_assignment_is_flagged_to_township_staff_only(
    estate, town_staff, community_staff, bystanders, django_capture_on_commit_callbacks
):
    town = estate.community.town
    with time_machine.travel(sh(2026, 6, 1, 10), tick=False):
        case = receive(estate, "C05")
        services.case_escalate(case=case, by=None, reason="部门无法独立解决")
    lead = Department.objects.get(town=town, name="住建办")
    with time_machine.travel(sh(2026, 6, 10, 15), tick=False):
        meeting = services.meeting_record(
            town=town, date=sh(2026, 6, 10, 9).date(), chair="李镇长", by=town_staff,
            departments=[lead],
        )  # fmt: skip
        services.meeting_decide(
            meeting=meeting, case=case, by=town_staff, text="住建办牵头",
            lead_department=lead, co_departments=[], due_date=sh(2026, 6, 30, 9).date(),
        )  # fmt: skip
    Notification.objects.all().delete()
    with (
        time_machine.travel(sh(2026, 7, 2, 10), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.flag_overdue_meeting_assignments() == 1
    assert inbox_users(case) == {town_staff.username}
