"""The case figures page for a district or city (regions.md "Figures across a region": the same
pages with district= or city=): region staff read their own region only, township staff their
own town; counted over all the region's cases."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.factories import (
    CityStaffFactory,
    CommunityFactory,
    DistrictStaffFactory,
    EstateFactory,
    RegionFactory,
    TownFactory,
    TownshipStaffFactory,
)
from communities.models import Region
from deliberation.cases.models import CaseCategory
from deliberation.cases.services import case_receive, responsibility_list_ensure

URL = "/cases/figures/"
pytestmark = pytest.mark.django_db


def _town(district, name, cases):
    town = TownFactory(name=name, district=district)
    responsibility_list_ensure(town=town)
    estate = EstateFactory(community=CommunityFactory(town=town), name=f"{name}小区")
    category = CaseCategory.objects.get(town=town, code="C01")
    for n in range(cases):
        case_receive(estate=estate, category=category, title=f"问题{n}", source="staff")
    return town


@pytest.fixture
def world():
    """测试市 > 甲区 (北镇 2 cases, 南镇 3 cases); 乙区 of another city (西镇 4 cases)."""
    city = RegionFactory(name="测试市", kind=Region.Kind.CITY, city=None)
    district = RegionFactory(name="甲区", city=city)
    other_city = RegionFactory(name="别市", kind=Region.Kind.CITY, city=None)
    other = RegionFactory(name="乙区", city=other_city)
    return {
        "city": city,
        "district": district,
        "other": other,
        "north": _town(district, "北镇", 2),
        "south": _town(district, "南镇", 3),
        "west": _town(other, "西镇", 4),
    }


def _received(response) -> dict:
    totals: dict = {}
    for row in response.context["rows"]:
        totals[row["name"]] = totals.get(row["name"], 0) + row["received"]
    return totals


def test_district_staff_read_their_districts_figures_town_by_town(client, world):
    client.force_login(DistrictStaffFactory(region=world["district"]))
    response = client.get(URL, {"district": "甲区", "scope": "town"})
    assert response.status_code == 200
    assert _received(response) == {"北镇": 2, "南镇": 3}
    # Without district= the page shows their own district.
    assert _received(client.get(URL, {"scope": "town"})) == {"北镇": 2, "南镇": 3}
    estates = client.get(URL, {"district": world["district"].pk, "scope": "estate"})
    assert _received(estates) == {"北镇小区": 2, "南镇小区": 3}


def test_city_staff_read_the_city_and_its_districts(client, world):
    client.force_login(CityStaffFactory(region=world["city"]))
    assert _received(client.get(URL, {"city": "测试市", "scope": "town"})) == {"北镇": 2, "南镇": 3}
    assert client.get(URL, {"district": "甲区"}).status_code == 200
    assert client.get(URL, {"district": "乙区"}).status_code == 404


def test_region_staff_cannot_read_another_region_or_its_towns(client, world):
    client.force_login(DistrictStaffFactory(region=world["district"]))
    assert client.get(URL, {"district": "乙区"}).status_code == 404
    assert client.get(URL, {"city": "别市"}).status_code == 404
    assert client.get(URL, {"town": world["west"].pk}).status_code == 404
    assert client.get(URL, {"town": world["north"].pk, "scope": "town"}).status_code == 200


def test_township_staff_read_their_town_and_no_region(client, world):
    client.force_login(TownshipStaffFactory(town=world["north"]))
    response = client.get(URL, {"town": world["north"].pk, "scope": "town"})
    assert _received(response) == {"北镇": 2}
    assert client.get(URL, {"town": world["south"].pk}).status_code == 404
    assert client.get(URL, {"district": "甲区"}).status_code == 404
    assert client.get(URL, {"city": "测试市"}).status_code == 404


def test_an_unknown_region_is_a_bad_request_naming_the_parameter(client, world):
    client.force_login(DistrictStaffFactory(region=world["district"]))
    response = client.get(URL, {"district": "不存在区"})
    assert response.status_code == 400
    assert "district" in response.content.decode()
    assert client.get(URL, {"district": "甲区", "city": "测试市"}).status_code == 400


def test_the_region_page_runs_the_same_queries_for_a_larger_district(client, world):
    client.force_login(DistrictStaffFactory(region=world["district"]))
    client.get(URL, {"district": "甲区", "scope": "estate"})
    with CaptureQueriesContext(connection) as small:
        client.get(URL, {"district": "甲区", "scope": "estate"})
    for name in ("东镇", "中镇"):
        _town(world["district"], name, 3)
    with CaptureQueriesContext(connection) as large:
        response = client.get(URL, {"district": "甲区", "scope": "estate"})
    assert len(_received(response)) == 4
    assert len(large.captured_queries) == len(small.captured_queries)
