"""The admin: scoped by community (404 outside), phone numbers masked, the tree, constant queries."""

import pytest
from django.urls import reverse

from communities.factories import CommunityStaffFactory, TownshipStaffFactory
from party_grid.factories import (
    GridWorkerFactory,
    GroupFactory,
    HouseholdAssignmentFactory,
    PartyMemberFactory,
    VisitFactory,
)


@pytest.fixture
def staff_a(crafted_town):
    return CommunityStaffFactory(community=crafted_town.a)


def test_community_staff_cannot_see_another_communitys_members(client, crafted_town, staff_a):
    client.force_login(staff_a)
    foreign = crafted_town.m5  # a member in community B
    response = client.get(reverse("admin:party_grid_partymember_change", args=[foreign.pk]))
    assert response.status_code == 404
    listing = client.get(reverse("admin:party_grid_partymember_changelist")).content.decode()
    assert foreign.name not in listing
    assert crafted_town.m1.name in listing


@pytest.mark.parametrize(
    "url_name",
    [
        "partyorganization",
        "partymember",
        "householdassignment",
        "visit",
        "gridworker",
        "servicestation",
        "volunteerteam",
        "grid",
    ],
)
def test_other_communitys_records_are_404_for_every_model(client, crafted_town, staff_a, url_name):
    from party_grid import models

    model = {
        m._meta.model_name: m
        for m in models.__dict__.values()
        if isinstance(m, type) and hasattr(m, "_meta")
    }[url_name]
    t = crafted_town
    foreign = {
        "partyorganization": lambda: t.b5,
        "partymember": lambda: t.m5,
        "householdassignment": lambda: t.m5.assignments.get(),
        "visit": lambda: t.m5.visits.get(),
        "gridworker": lambda: GridWorkerFactory(grid__community=t.b),
        "servicestation": lambda: model.objects.get(estate=t.e5),
        "volunteerteam": lambda: model.objects.get(community=t.b),
        "grid": lambda: model.objects.filter(community=t.b).first(),
    }[url_name]()
    client.force_login(staff_a)
    url = reverse(f"admin:party_grid_{url_name}_change", args=[foreign.pk])
    assert client.get(url).status_code == 404


def test_member_phone_numbers_are_masked_in_the_admin_list(client, crafted_town):
    client.force_login(TownshipStaffFactory(town=crafted_town.town))
    html = client.get(reverse("admin:party_grid_partymember_changelist")).content.decode()
    assert "138****1234" in html
    assert "13812341234" not in html


def test_grid_worker_phone_numbers_are_masked_in_the_admin_list(client, crafted_town):
    GridWorkerFactory(grid=crafted_town.grid, phone="13698765432")
    client.force_login(TownshipStaffFactory(town=crafted_town.town))
    html = client.get(reverse("admin:party_grid_gridworker_changelist")).content.decode()
    assert "136****5432" in html and "13698765432" not in html


def test_no_portal_page_shows_a_members_phone(client, crafted_town):
    client.force_login(crafted_town.m1.user or _link(crafted_town.m1))
    for url in ("/party/visits/new/", "/party/visits/", "/"):
        assert "13812341234" not in client.get(url).content.decode()
    client.force_login(TownshipStaffFactory(town=crafted_town.town))
    html = client.get("/party/dashboard/").content.decode()
    assert "13812341234" not in html and crafted_town.m1.name not in html


def _link(member):
    from communities.factories import ResidentFactory

    member.user = ResidentFactory()
    member.save()
    return member.user


def test_the_tree_page_shows_the_organisations_nested(client, crafted_town, staff_a):
    client.force_login(staff_a)
    html = client.get(reverse("admin:party_grid_tree")).content.decode()
    t = crafted_town
    committee, branch, group = (
        html.index(t.b1.parent.name),
        html.index(t.b1.name),
        html.index(t.g1.name),
    )
    assert committee < branch < group
    assert html.count("<ul") >= 3  # committee > branch > group are nested lists
    assert t.b5.name not in html  # community B's branch
    changelist = client.get(reverse("admin:party_grid_partyorganization_changelist"))
    assert reverse("admin:party_grid_tree") in changelist.content.decode()


def _grow_members(group, n):
    for _ in range(n):
        member = PartyMemberFactory(organization=group)
        VisitFactory(member=member, household=HouseholdAssignmentFactory(member=member).household)


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:party_grid_partymember_changelist",
        "admin:party_grid_visit_changelist",
        "admin:party_grid_householdassignment_changelist",
        "admin:party_grid_tree",
    ],
)
def test_admin_lists_run_a_constant_number_of_queries(
    client, crafted_town, django_assert_max_num_queries, url_name
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(TownshipStaffFactory(town=crafted_town.town))
    url = reverse(url_name)
    client.get(url)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow_members(GroupFactory(parent=crafted_town.b1), 15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_member_change_form_never_puts_the_full_phone_in_the_page(client, crafted_town):
    t = crafted_town
    client.force_login(TownshipStaffFactory(town=t.town))
    url = reverse("admin:party_grid_partymember_change", args=[t.m1.pk])
    html = client.get(url).content.decode()
    assert "13812341234" not in html and "138****1234" in html
    data = {
        "organization": t.g1.pk,
        "name": t.m1.name,
        "new_phone": "",
        "joined_on": "2020-01-01",
        "left_on": "",
        "employer": "",
        "is_building_head": "on",
    }
    assert client.post(url, data).status_code == 302
    t.m1.refresh_from_db()
    assert t.m1.phone == "13812341234"  # kept when left empty
    client.post(url, {**data, "new_phone": "13700001111"})
    t.m1.refresh_from_db()
    assert t.m1.phone == "13700001111"


def test_staff_reveal_a_members_phone_through_the_audited_button(client, crafted_town, staff_a):
    from governance.models import AuditEvent

    client.force_login(staff_a)
    url = reverse("security:reveal-phone", args=["party_grid.partymember", crafted_town.m1.pk])
    response = client.post(url)
    assert "13812341234" in response.content.decode()
    assert AuditEvent.objects.filter(action="phone_revealed").exists()
    foreign = reverse("security:reveal-phone", args=["party_grid.partymember", crafted_town.m5.pk])
    assert client.post(foreign).status_code == 404


def test_grid_worker_change_form_shows_the_phone_masked(client, crafted_town):
    worker = GridWorkerFactory(grid=crafted_town.grid, phone="13698765432")
    client.force_login(TownshipStaffFactory(town=crafted_town.town))
    html = client.get(reverse("admin:party_grid_gridworker_change", args=[worker.pk])).content
    assert b"13698765432" not in html and b"136****5432" in html
