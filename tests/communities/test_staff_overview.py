"""The staff overview page: numbers per community on a crafted town, and every number links to
the admin list that shows exactly those records."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.factories import (
    BuildingFactory,
    CommunityFactory,
    EstateFactory,
    HouseholdFactory,
    ServiceContractFactory,
)
from communities.models import Estate

pytestmark = pytest.mark.django_db


@pytest.fixture
def crafted_town(town, two_communities):
    a, b = two_communities
    served = EstateFactory(community=a, name="有物业", residents=1000, planned_households=400)
    ServiceContractFactory(estate=served)
    EstateFactory(
        community=a, name="三无一", residents=300, planned_households=100, is_old_estate=True
    )
    EstateFactory(
        community=a,
        name="在建",
        status=Estate.Status.UNDER_CONSTRUCTION,
        delivery_date=None,
        residents=0,
        planned_households=2000,
    )
    EstateFactory(
        community=b,
        name="规划",
        status=Estate.Status.PLANNED,
        delivery_date=None,
        residents=0,
        planned_households=500,
    )
    EstateFactory(
        community=b,
        name="有监管",
        residents=200,
        planned_households=80,
        supervising_unit="镇城建办",
        is_old_estate=True,
    )
    for room in ("101", "102", "103"):
        HouseholdFactory(building=BuildingFactory(estate=served), room=room)
    HouseholdFactory(room="201")  # another town
    return a, b


def test_overview_numbers_per_community(client, township_staff, crafted_town):
    a, b = crafted_town
    client.force_login(township_staff)
    response = client.get(reverse("staff-overview"))
    assert response.status_code == 200
    rows = {row["community"].name: row for row in response.context["rows"]}
    assert set(rows) == {"海南洲社区", "金溪社区"}
    assert {
        k: rows["海南洲社区"][k]
        for k in (
            "delivered",
            "under_construction",
            "planned",
            "residents",
            "planned_households",
            "households",
            "three_without",
            "old",
        )
    } == {
        "delivered": 2,
        "under_construction": 1,
        "planned": 0,
        "residents": 1300,
        "planned_households": 2500,
        "households": 3,
        "three_without": 1,
        "old": 1,
    }
    assert {
        k: rows["金溪社区"][k]
        for k in ("delivered", "planned", "three_without", "old", "households")
    } == {"delivered": 1, "planned": 1, "three_without": 0, "old": 1, "households": 0}
    totals = response.context["totals"]
    assert totals["delivered"] == 3 and totals["three_without"] == 1 and totals["old"] == 2


def test_every_overview_number_links_to_a_list_with_that_many_rows(
    client, township_staff, crafted_town
):
    client.force_login(township_staff)
    body = client.get(reverse("staff-overview")).content.decode()
    links = re.findall(
        r'<a href="(/admin/communities/(?:estate|household)/[^"]*)">([\d,]+)</a>', body
    )
    assert len(links) == 3 * 8  # two communities and the totals, 8 numbers each
    checked = 0
    for href, number in links:
        href = href.replace("&amp;", "&")
        response = client.get(href)
        assert response.status_code == 200, href
        # An unknown filter parameter makes the admin redirect with ?e=1: none may.
        assert "e=1" not in response.get("Location", ""), href
        if any(
            key in href
            for key in ("status__exact", "three_without", "is_old_estate", "/household/")
        ):
            assert response.context["cl"].result_count == int(number.replace(",", "")), href
            checked += 1
    assert checked == 3 * 6  # all but the residents and planned-households sums


def test_three_without_filter_alone_lists_the_three_without_estates(
    client, township_staff, crafted_town
):
    client.force_login(township_staff)
    url = reverse("admin:communities_estate_changelist")
    response = client.get(url, {"three_without": "yes"})
    assert [e.name for e in response.context["cl"].result_list] == ["三无一"]
    town = township_staff.town
    assert Estate.objects.for_town(town).three_without(timezone.localdate()).count() == 1


def test_community_staff_overview_shows_only_their_community(client, community_staff, crafted_town):
    client.force_login(community_staff)
    response = client.get(reverse("staff-overview"))
    assert [row["community"].name for row in response.context["rows"]] == ["海南洲社区"]
    assert "金溪社区" not in response.content.decode()


def test_overview_runs_a_constant_number_of_queries(
    client, township_staff, crafted_town, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(township_staff)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("staff-overview"))
    for n in range(4):
        community = CommunityFactory(town=township_staff.town)
        for m in range(3):
            HouseholdFactory(
                building=BuildingFactory(estate=EstateFactory(community=community)), room=f"{n}{m}"
            )
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("staff-overview"))
    assert len(small) == len(large)


def test_residents_and_property_managers_cannot_open_the_overview(client, db):
    from communities.factories import PropertyManagerFactory, ResidentFactory

    for user in (ResidentFactory(), PropertyManagerFactory()):
        client.force_login(user)
        assert client.get(reverse("staff-overview")).status_code == 403
