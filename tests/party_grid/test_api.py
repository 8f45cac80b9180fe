"""GET /api/v1/party-statistics/: the figures, the parameters, the schema; equal to the dashboard."""

import re

import pytest
from django.urls import reverse

from communities.factories import CommunityFactory, CommunityStaffFactory, TownshipStaffFactory

URL = "/api/v1/party-statistics/"
FIELDS = {
    "volunteers_by_kind",
    "owners_committees",
    "self_management_committees",
    "three_without_estates",
    "delivered_estates",
    "single_built_branches",
    "joint_built_branches",
    "single_built_rate",
    "coverage",
    "complete_three_level_grids",
    "households_in_contact",
    "service_stations",
    "volunteer_teams_by_kind",
    "grid_workers",
    "building_heads",
}


def test_api_returns_exactly_the_aggregate_fields_with_rates_as_4_place_strings(
    client, crafted_town
):
    response = client.get(URL, {"town": crafted_town.town.pk, "date": "2021-12-31"})
    assert response.status_code == 200
    data = response.json()
    assert set(data) == FIELDS
    assert data["single_built_rate"] == "0.5000"
    assert data["coverage"] == "0.7500"
    assert data["delivered_estates"] == 4
    assert data["households_in_contact"] == 3
    assert data["volunteer_teams_by_kind"] == {
        "party_mass": 2,
        "building": 1,
        "representative": 0,
        "lane_stewards": 1,
    }
    assert "13812341234" not in response.content.decode()


def test_api_accepts_the_town_name_and_a_community(client, crafted_town):
    t = crafted_town
    data = client.get(URL, {"town": "试点镇", "date": "2021-12-31", "community": t.a.pk}).json()
    assert data["single_built_rate"] == "0.3333"
    assert data["coverage"] == "0.6667"
    assert data["delivered_estates"] == 3


def test_api_on_a_date_before_any_branch_counts_none(client, crafted_town):
    data = client.get(URL, {"town": crafted_town.town.pk, "date": "2019-01-01"}).json()
    assert data["single_built_branches"] == 0
    assert data["coverage"] == "0.0000"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date": "2021-12-31"}, "town"),
        ({"town": "没有这个镇", "date": "2021-12-31"}, "town"),
        ({"town": "试点镇", "date": "2021-13-45"}, "date"),
        ({"town": "试点镇", "date": "yesterday"}, "date"),
        ({"town": "试点镇", "community": "abc"}, "community"),
        ({"town": "试点镇", "community": "99999999999999999999"}, "community"),
        ({"town": "99999999999999999999"}, "town"),
    ],
)
def test_bad_parameters_are_a_400_with_field_messages(client, crafted_town, params, field):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_a_community_of_another_town_is_a_400(client, crafted_town):
    other = CommunityFactory()
    response = client.get(URL, {"town": crafted_town.town.pk, "community": other.pk})
    assert response.status_code == 400
    assert "community" in response.json()


def test_the_endpoint_is_in_the_openapi_schema(client, db):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/party-statistics/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"town", "date", "community"} <= names
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(component["properties"]) == FIELDS


def _dashboard_figures(html: str) -> dict:
    """data-stat values from the dashboard's totals."""
    figures = {}
    for name, value in re.findall(r'data-stat="([\w.]+)"(?: data-value="([^"]*)")?', html):
        figures[name] = value
    for name, number in re.findall(r'data-stat="([\w.]+)"[^>]*>(\d+)<', html):
        figures.setdefault(name, number)
        if not figures[name]:
            figures[name] = number
    return figures


def _api_as_figures(data: dict) -> dict:
    flat = {}
    for key, value in data.items():
        if isinstance(value, dict):
            for kind, n in value.items():
                flat[f"{key}.{kind}"] = str(n)
        else:
            flat[key] = str(value)
    return flat


def test_api_figures_equal_the_township_dashboards(client, crafted_town):
    client.force_login(TownshipStaffFactory(town=crafted_town.town))
    page = client.get(reverse("party_grid:dashboard"), {"date": "2021-12-31"})
    assert page.status_code == 200
    api = client.get(URL, {"town": crafted_town.town.pk, "date": "2021-12-31"}).json()
    shown = _dashboard_figures(page.content.decode())
    shown.pop("households_visited")
    assert shown == _api_as_figures(api)


def test_api_figures_equal_the_community_staffs_dashboard(client, crafted_town):
    t = crafted_town
    client.force_login(CommunityStaffFactory(community=t.a))
    page = client.get(reverse("party_grid:dashboard"), {"date": "2021-06-30"})
    api = client.get(URL, {"town": t.town.pk, "date": "2021-06-30", "community": t.a.pk}).json()
    shown = _dashboard_figures(page.content.decode())
    shown.pop("households_visited")
    assert shown == _api_as_figures(api)
    assert t.b.name not in page.content.decode()  # another community's row is not shown


def test_api_runs_a_constant_number_of_queries(client, crafted_town):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from party_grid.factories import BranchFactory, GroupFactory, PartyMemberFactory

    params = {"town": crafted_town.town.pk, "date": "2021-12-31"}
    client.get(URL, params)
    with CaptureQueriesContext(connection) as small:
        client.get(URL, params)
    for _ in range(8):
        PartyMemberFactory(
            organization=GroupFactory(parent=BranchFactory(parent=crafted_town.b1.parent)),
            is_building_head=True,
        )
    with CaptureQueriesContext(connection) as large:
        data = client.get(URL, params).json()
    assert len(large.captured_queries) == len(small.captured_queries)
    assert data["building_heads"] == 2 + 8
