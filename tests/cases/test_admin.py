"""Cases admin: scoped lists, the staff warning for a year without holiday data, calendar
corrections that recompute open deadlines, masked caller phones."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from communities.factories import CommunityStaffFactory, EstateFactory
from deliberation.cases import services
from deliberation.cases.models import CalendarDay, Case

from .conftest import category, sh

pytestmark = pytest.mark.django_db


def receive(estate, code, title, **kwargs):
    return services.case_receive(
        estate=estate, category=category(estate.community.town, code), title=title,
        source=Case.Source.HOTLINE, **kwargs,
    )  # fmt: skip


def test_community_staff_list_only_their_communitys_cases_with_masked_phones(client, estate):
    receive(estate, "C01", "本社区的诉求", ticket="A1", caller_phone="13812345678")
    other = EstateFactory()
    services.responsibility_list_ensure(town=other.community.town)
    receive(other, "C01", "外社区的诉求", ticket="B1")
    staff = CommunityStaffFactory(community=estate.community, is_staff=True)
    client.force_login(staff)
    page = client.get(reverse("admin:deliberation_case_changelist")).content.decode()
    assert "本社区的诉求" in page and "外社区的诉求" not in page
    assert "138****5678" in page and "13812345678" not in page


def test_staff_are_warned_of_a_year_without_holiday_data(client, town_staff):
    town_staff.is_staff = True
    town_staff.save()
    client.force_login(town_staff)
    with time_machine.travel(sh(2026, 12, 1, 10)):
        page = client.get(reverse("admin:deliberation_calendarday_changelist"), follow=True)
    assert "2027" in page.content.decode()


def test_adding_a_calendar_day_in_the_admin_recomputes_open_deadlines(client, estate, town_staff):
    town_staff.is_staff = True
    town_staff.save()
    with time_machine.travel(sh(2026, 6, 1, 10), tick=False):
        case = receive(estate, "C01", "诉求", ticket="A2")
        client.force_login(town_staff)
        response = client.post(
            reverse("admin:deliberation_calendarday_add"),
            {"date": "2026-06-03", "is_workday": "", "note": "补充"},
        )
    assert response.status_code == 302
    assert CalendarDay.objects.filter(date=datetime.date(2026, 6, 3), is_workday=False).exists()
    assignment = case.assignments.get()
    assert assignment.reply_due == sh(2026, 6, 9, 23, 59, 59)  # 2, 4, 5, 8, 9 June (community)
