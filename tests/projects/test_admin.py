"""Admin of needs, claims, partner units and projects: scoped to the staff member's town or
community; district staff change nothing; statuses move only through the services."""

import pytest

from communities.factories import (
    CommunityStaffFactory,
    DistrictStaffFactory,
    EstateFactory,
    RegionFactory,
    TownFactory,
    TownshipStaffFactory,
)
from deliberation.projects import services
from deliberation.projects.factories import need, partner
from deliberation.projects.models import Need, NeedTransition, Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate():
    district = RegionFactory(name="管理区", city=None)
    return EstateFactory(community__town=TownFactory(name="管理镇", district=district))


def test_township_staff_add_a_need_through_the_service_and_it_is_recorded(client, estate):
    staff = TownshipStaffFactory(town=estate.community.town)
    client.force_login(staff)

    response = client.post(
        "/admin/deliberation/need/add/",
        {
            "estate": estate.pk,
            "source": "staff",
            "category": "lighting",
            "title": "路灯不亮",
            "description": "",
            "claims-TOTAL_FORMS": 0,
            "claims-INITIAL_FORMS": 0,
            "transitions-TOTAL_FORMS": 0,
            "transitions-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302, response.content[:2000]
    created = Need.objects.get(title="路灯不亮")
    assert NeedTransition.objects.get(need=created).by == staff


def test_staff_see_only_their_scope_in_the_admin(client, estate):
    mine = need(estate, "本社区需求")
    other = need(EstateFactory(), "别处需求")
    client.force_login(CommunityStaffFactory(community=estate.community))

    listing = client.get("/admin/deliberation/need/").content.decode()

    assert "本社区需求" in listing and "别处需求" not in listing
    assert client.get(f"/admin/deliberation/need/{mine.pk}/change/").status_code == 200
    assert client.get(f"/admin/deliberation/need/{other.pk}/change/").status_code == 302
    assert client.get("/admin/deliberation/project/add/").status_code == 403


def test_district_staff_change_nothing_in_the_projects_admin(client, estate):
    partner(estate.community.town)
    client.force_login(DistrictStaffFactory(region=estate.community.town.district))

    for model in ("need", "claim", "partnerunit", "project"):
        assert client.get(f"/admin/deliberation/{model}/add/").status_code == 403
    assert not Project.objects.exists()


def test_plan_action_names_the_gates_reasons_and_changes_nothing(client, estate, settings):
    settings.LANGUAGE_CODE = "en"
    project = services.project_create(
        town=estate.community.town, kind=Project.Kind.RENOVATION, estate=estate, title="改造"
    )
    client.force_login(TownshipStaffFactory(town=estate.community.town))

    response = client.post(
        "/admin/deliberation/project/",
        {"action": "plan_next_year", "_selected_action": [project.pk]},
        follow=True,
    )

    text = response.content.decode()
    assert "self-governance comes before renovation" in text
    assert "No owners&#x27; vote on rebuild is linked" in text
    assert Project.objects.get(pk=project.pk).status == Project.Status.PROPOSED
