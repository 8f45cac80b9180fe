"""Towns of a region side by side, and the region's problem estates (regions.md "Rankings")."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.factories import (
    BuildingFactory,
    CommunityFactory,
    DistrictStaffFactory,
    EstateFactory,
    HouseholdFactory,
    RegionFactory,
    TownFactory,
    TownshipStaffFactory,
)
from deliberation.cases.models import CaseCategory
from deliberation.cases.services import case_receive, responsibility_list_ensure
from governance import figures as figure_registry
from party_grid.factories import BranchFactory, CommitteeFactory

URL = "/party/ranking/"
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
IN_Q2 = datetime.datetime(2026, 5, 10, 10, 0, tzinfo=TZ)
pytestmark = pytest.mark.django_db


def _town(district, name, *, estates, covered, cases_in_first=0):
    """`estates` estates of 10 households; the first `covered` with a single-built branch."""
    town = TownFactory(name=name, district=district)
    responsibility_list_ensure(town=town)
    community = CommunityFactory(town=town)
    committee = CommitteeFactory(community=community)
    made = []
    for i in range(estates):
        estate = EstateFactory(community=community, name=f"{name}小区{i:02d}")
        HouseholdFactory.create_batch(10, building=BuildingFactory(estate=estate, name="1栋"))
        if i < covered:
            BranchFactory(parent=committee, estates=[estate])
        made.append(estate)
    category = CaseCategory.objects.get(town=town, code="C02")
    for n in range(cases_in_first):
        case_receive(
            estate=made[0], category=category, title=f"问题{n}", source="staff", received_at=IN_Q2
        )
    return town, made


@pytest.fixture
def district():
    """甲区: 东镇 (10 estates, 2 covered, 1 case in its first) and 西镇 (10 estates, 8 covered,
    3 cases in its first): 20 estates, so the region's top 5 % is one estate."""
    district = RegionFactory(name="甲区", city=None)
    _town(district, "东镇", estates=10, covered=2, cases_in_first=1)
    _town(district, "西镇", estates=10, covered=8, cases_in_first=3)
    return district


def test_towns_are_ranked_by_coverage_with_a_chart_per_figure(client, district):
    client.force_login(DistrictStaffFactory(region=district))
    response = client.get(URL, {"date": "2026-06-30"})
    assert response.status_code == 200
    assert [row["town"].name for row in response.context["table"]] == ["西镇", "东镇"]
    assert response.context["table"][0]["cells"][0] == "80.00%"
    assert response.content.decode().count('data-testid="chart"') == 7


def test_problem_estates_are_the_top_five_percent_of_the_whole_region(client, district):
    client.force_login(DistrictStaffFactory(region=district))
    response = client.get(URL, {"date": "2026-06-30"})
    problems = response.context["problems"]
    # Each town alone would list its own first estate; across the region only 西镇's is.
    assert [row["name"] for row in problems] == ["西镇小区00"]
    assert problems[0]["cases"] == 3


def test_ranking_runs_the_same_queries_for_a_larger_district(client, district):
    client.force_login(DistrictStaffFactory(region=district))
    client.get(URL, {"date": "2026-06-30"})
    with CaptureQueriesContext(connection) as small:
        client.get(URL, {"date": "2026-06-30"})
    _town(district, "北镇", estates=4, covered=1, cases_in_first=2)
    with CaptureQueriesContext(connection) as large:
        response = client.get(URL, {"date": "2026-06-30"})
    assert len(response.context["table"]) == 3
    assert len(large.captured_queries) == len(small.captured_queries)


def test_others_cannot_open_the_districts_ranking(client, district):
    client.force_login(DistrictStaffFactory(region=RegionFactory(name="乙区", city=None)))
    assert client.get(URL, {"district": "甲区"}).status_code == 404
    client.force_login(TownshipStaffFactory(town=district.towns().first()))
    assert client.get(URL, {"district": "甲区"}).status_code == 404
    assert client.get(URL).status_code == 404  # a town has no ranking of towns


def test_the_ranking_shows_every_apps_figures_per_town_and_the_regions_own(client, district):
    client.force_login(DistrictStaffFactory(region=district))
    response = client.get(URL, {"date": "2026-06-30"})
    keys = [f.key for f in figure_registry.figures()]
    assert {"rating_average_score", "cases_on_time_reply_rate", "project_output_items"} <= set(keys)
    assert len(response.context["figure_headers"]) == len(keys)
    column = keys.index("cases_per_thousand_households")
    rows = {row["town"].name: row["cells"][column] for row in response.context["figure_rows"]}
    # 1 case over 100 households, 3 over 100; the region: 4 over 200.
    assert rows == {"东镇": "10.00", "西镇": "30.00"}
    assert response.context["region_cells"][column] == "20.00"


def test_a_town_without_estates_shows_a_dash_not_a_percentage(client, district):
    TownFactory(name="新设镇", district=district)  # no estate delivered yet: no rate to compute
    client.force_login(DistrictStaffFactory(region=district))
    response = client.get(URL, {"date": "2026-06-30"})
    row = next(r for r in response.context["table"] if r["town"].name == "新设镇")
    assert row["cells"][:2] == ["—", "—"]
    assert "—%" not in response.content.decode()
