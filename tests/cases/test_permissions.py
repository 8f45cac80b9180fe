"""Who may act on a case: each role on its own and on others' cases (deliberation/cases/rules.py)."""

import pytest
from django.test import override_settings

from communities.departments import Department
from communities.factories import (
    CommunityStaffFactory,
    EstateFactory,
    PropertyManagerFactory,
    ResidentFactory,
    TownshipStaffFactory,
)
from deliberation.cases import services
from deliberation.cases.models import Case
from governance.notifications.models import Notification

from .conftest import category, department_staff


def receive(estate, code, reporter=None):
    return services.case_receive(
        estate=estate, category=category(estate.community.town, code), title="问题",
        source=Case.Source.PORTAL, reporter=reporter,
    )  # fmt: skip


@pytest.mark.django_db
def test_each_role_sees_and_acts_on_its_own_cases_only(
    estate, company, manager, community_staff, town_staff, resident
):
    case = receive(estate, "C01", reporter=resident)
    other_estate = EstateFactory()
    services.responsibility_list_ensure(town=other_estate.community.town)
    other_manager = PropertyManagerFactory()
    other_community = CommunityStaffFactory(community=other_estate.community)
    other_town = TownshipStaffFactory(town=other_estate.community.town)
    stranger = ResidentFactory()
    housing = Department.objects.get(town=estate.community.town, name="住建办")
    dept_user = department_staff(housing)

    assert manager.has_perm("deliberation.view_case", case)
    assert manager.has_perm("deliberation.accept_case", case)
    assert manager.has_perm("deliberation.reply_case", case)
    assert not manager.has_perm("deliberation.dispatch_case", case)
    assert community_staff.has_perm("deliberation.dispatch_case", case)
    assert not community_staff.has_perm("deliberation.reply_case", case)
    assert town_staff.has_perm("deliberation.view_case", case)
    assert resident.has_perm("deliberation.view_case", case)
    assert not resident.has_perm("deliberation.accept_case", case)
    for outsider in (other_manager, other_community, other_town, stranger, dept_user):
        assert not outsider.has_perm("deliberation.view_case", case), outsider
        assert not outsider.has_perm("deliberation.accept_case", case), outsider

    # Escalated up to the town: the department now sees it and acts; the manager still sees it.
    services.case_escalate(case=case, by=manager, reason="需要社区")
    services.case_escalate(case=case, by=community_staff, reason="需要部门")
    case = Case.objects.get(pk=case.pk)
    assert dept_user.has_perm("deliberation.view_case", case)
    assert dept_user.has_perm("deliberation.reply_case", case)
    assert not manager.has_perm("deliberation.reply_case", case)
    assert not community_staff.has_perm("deliberation.dispatch_case", case)
    assert town_staff.has_perm("deliberation.dispatch_case", case)
    other_department = Department.objects.get(town=estate.community.town, name="司法所")
    assert not department_staff(other_department).has_perm("deliberation.view_case", case)


@pytest.mark.django_db
@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
def test_every_move_notifies_the_reporter_and_the_new_handler(
    estate, company, manager, resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = receive(estate, "C01", reporter=resident)
    assert Notification.objects.filter(user=manager, key__startswith="case-event:").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_reply(case=case, by=manager, text="已处理")
    texts = list(Notification.objects.filter(user=resident).values_list("text", flat=True))
    assert any("replied" in text or "已答复" in text for text in texts), texts
