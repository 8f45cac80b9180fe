"""Party statistics of a district or a city (regions.md "Figures across a region"): counts are
the sums of their towns', distinct people and rates are taken over the region's records."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.factories import (
    BuildingFactory,
    CityStaffFactory,
    CommunityFactory,
    DistrictStaffFactory,
    EstateFactory,
    OwnersCommitteeFactory,
    RegionFactory,
    TownFactory,
    TownshipStaffFactory,
)
from communities.models import OwnersCommittee, Region
from party_grid.factories import (
    BranchFactory,
    BuildingHeadFactory,
    CommitteeFactory,
    GroupFactory,
    PartyMemberFactory,
    ServiceStationFactory,
    VolunteerFactory,
    VolunteerTeamFactory,
)
from party_grid.models import VolunteerTeam
from party_grid.selectors import area_breakdown, area_statistics

D = datetime.date
ON = D(2022, 12, 31)
API = "/api/v1/party-statistics/"
DASHBOARD = "/party/dashboard/"
LANE = VolunteerTeam.Kind.LANE_STEWARDS


def _town(district, name, *, estates, single):
    """A town with `estates` delivered estates (each with an owners' committee), the first
    `single` of them with their own single-built branch and a service station."""
    town = TownFactory(name=name, district=district)
    community = CommunityFactory(town=town)
    committee = CommitteeFactory(community=community)
    made = [EstateFactory(community=community) for _ in range(estates)]
    for estate in made:
        OwnersCommitteeFactory(estate=estate)
    for estate in made[:single]:
        BranchFactory(parent=committee, estates=[estate])
        ServiceStationFactory(estate=estate)
    return SimpleNamespace(town=town, community=community, committee=committee, estates=made)


@pytest.fixture
def region(db):
    """柳州市 > 甲区 (t1: 1 estate, single-built; t2: 3 estates, none) and 乙区 (t3: 2 estates,
    both single-built, one three-without). A lane steward (a party member) serves in t1 and t2;
    a non-party volunteer with the same name and phone in t1 and t3; t1's flagged building head
    also has a building-head record; t2 has two non-party building heads."""
    city = RegionFactory(name="测试柳州市", kind=Region.Kind.CITY, city=None)
    d1 = RegionFactory(name="甲区", city=city)
    d2 = RegionFactory(name="乙区", city=city)
    t1 = _town(d1, "一镇", estates=1, single=1)
    t2 = _town(d1, "二镇", estates=3, single=0)
    t3 = _town(d2, "三镇", estates=2, single=2)
    OwnersCommittee.objects.filter(estate=t3.estates[1]).update(
        kind=OwnersCommittee.Kind.SELF_MANAGEMENT, established_on=D(2023, 1, 1)
    )

    member = PartyMemberFactory(
        organization=GroupFactory(parent=BranchFactory(parent=t1.committee, estates=[])),
        is_building_head=True,
    )
    BuildingHeadFactory(building=BuildingFactory(estate=t1.estates[0]), member=member)
    BuildingHeadFactory(building=BuildingFactory(estate=t2.estates[0]))
    BuildingHeadFactory(building=BuildingFactory(estate=t2.estates[1]))
    for t in (t1, t2):
        team = VolunteerTeamFactory(community=t.community, kind=LANE)
        VolunteerFactory(team=team, party_member=member, name="王芳", phone="")
    for t in (t1, t3):
        team = VolunteerTeamFactory(community=t.community, kind=LANE, name=f"{t.town}巷管")
        VolunteerFactory(team=team, name="李明", phone="13900000001")
    return SimpleNamespace(city=city, d1=d1, d2=d2, t1=t1, t2=t2, t3=t3, member=member)


def _ids(*towns):
    return [t.town.pk for t in towns]


def test_district_counts_are_the_sums_of_its_towns(region):
    r = region
    per_town, district = area_breakdown(town_ids=_ids(r.t1, r.t2), on=ON)
    for name in ("delivered_estates", "single_built_branches", "service_stations"):
        assert getattr(district, name) == sum(getattr(s, name) for s in per_town.values())
    assert district.delivered_estates == 4
    assert district.single_built_branches == 2  # t1's estate branch and the member's branch
    assert district.service_stations == 1
    assert district.owners_committees == 4


def test_district_rate_is_computed_over_the_district_not_averaged(region):
    r = region
    per_town, district = area_breakdown(town_ids=_ids(r.t1, r.t2), on=ON)
    assert per_town[r.t1.town.pk].single_built_rate == 1
    assert per_town[r.t2.town.pk].single_built_rate == 0
    assert str(district.single_built_rate) == "0.2500"  # 1 of 4 estates, not (1 + 0) / 2


def test_a_volunteer_in_two_towns_counts_once_for_the_district(region):
    r = region
    per_town, district = area_breakdown(town_ids=_ids(r.t1, r.t2), on=ON)
    assert per_town[r.t1.town.pk].volunteers_by_kind[LANE] == 2
    assert per_town[r.t2.town.pk].volunteers_by_kind[LANE] == 1
    assert district.volunteers_by_kind[LANE] == 2  # 王芳 (the member) and 李明
    city = area_statistics(town_ids=_ids(r.t1, r.t2, r.t3), on=ON)
    assert city.volunteers_by_kind[LANE] == 2  # 李明 of t3 is the same person as in t1
    assert city.volunteer_teams_by_kind[LANE] == 4


def test_building_heads_count_records_and_flagged_members_once_each(region):
    r = region
    district = area_statistics(town_ids=_ids(r.t1, r.t2), on=ON)
    assert district.building_heads == 3  # the member (flag and record) and two non-party heads
    assert area_statistics(town_ids=_ids(r.t1, r.t2), on=D(2019, 1, 1)).building_heads == 0


def test_committees_and_three_without_on_the_day(region):
    r = region
    city = area_statistics(town_ids=_ids(r.t1, r.t2, r.t3), on=ON)
    assert city.owners_committees == 5
    assert city.self_management_committees == 0
    assert city.three_without_estates == 1  # t3's second estate: its committee starts in 2023
    later = area_statistics(town_ids=_ids(r.t3), on=D(2023, 6, 1))
    assert (later.self_management_committees, later.three_without_estates) == (1, 0)


def test_api_takes_a_district_or_a_city_by_name_or_id(client, region):
    r = region
    by_name = client.get(API, {"district": "甲区", "date": "2022-12-31"}).json()
    by_id = client.get(API, {"district": r.d1.pk, "date": "2022-12-31"}).json()
    assert by_name == by_id
    assert by_name["delivered_estates"] == 4
    assert by_name["single_built_rate"] == "0.2500"
    assert by_name["volunteers_by_kind"]["lane_stewards"] == 2
    city = client.get(API, {"city": "测试柳州市", "date": "2022-12-31"}).json()
    assert city["delivered_estates"] == 6
    assert city["three_without_estates"] == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"district": "没有这个区"}, "district"),
        ({"city": "甲区"}, "city"),  # a district is not a city
        ({"district": "测试柳州市"}, "district"),
        ({"city": "99999999999999999999"}, "city"),
        ({"district": "²"}, "district"),
        ({"town": "一镇", "district": "甲区"}, "district"),
        ({"district": "甲区", "community": 1}, "community"),
    ],
)
def test_bad_region_parameters_are_a_400_with_the_field(client, region, params, field):
    response = client.get(API, params)
    assert response.status_code == 400
    assert field in response.json()


def _grow_district(city, n):
    district = RegionFactory(name=f"新区{n}", city=city)
    for i in range(n):
        t = _town(district, f"新区{n}镇{i}", estates=2, single=1)
        VolunteerFactory(team=VolunteerTeamFactory(community=t.community, kind=LANE))
        BuildingHeadFactory(building=BuildingFactory(estate=t.estates[0]))


def test_city_api_runs_the_same_queries_at_two_city_sizes(client, region):
    params = {"city": "测试柳州市", "date": "2022-12-31"}
    client.get(API, params)
    with CaptureQueriesContext(connection) as small:
        assert client.get(API, params).status_code == 200
    _grow_district(region.city, 6)
    with CaptureQueriesContext(connection) as large:
        data = client.get(API, params).json()
    assert data["delivered_estates"] == 6 + 12
    assert len(large.captured_queries) == len(small.captured_queries)


def test_district_dashboard_runs_the_same_queries_at_two_sizes(client, region):
    client.force_login(CityStaffFactory(region=region.city))
    params = {"city": region.city.pk, "date": "2022-12-31"}
    client.get(DASHBOARD, params)
    with CaptureQueriesContext(connection) as small:
        assert client.get(DASHBOARD, params).status_code == 200
    _grow_district(region.city, 5)
    with CaptureQueriesContext(connection) as large:
        response = client.get(DASHBOARD, params)
    assert len(response.context["rows"]) == 3 + 5
    assert len(large.captured_queries) == len(small.captured_queries)


def test_district_staff_see_their_district_town_by_town(client, region):
    client.force_login(DistrictStaffFactory(region=region.d1))
    response = client.get(DASHBOARD, {"date": "2022-12-31"})
    assert response.status_code == 200
    assert {row["name"] for row in response.context["rows"]} == {"一镇", "二镇"}
    assert response.context["totals"].delivered_estates == 4
    town_page = client.get(DASHBOARD, {"town": region.t2.town.pk, "date": "2022-12-31"})
    assert town_page.status_code == 200
    assert [row["name"] for row in town_page.context["rows"]] == [region.t2.community.name]


@pytest.mark.parametrize(
    "params",
    [
        {"district": "乙区"},
        {"city": "测试柳州市"},
        {"town": "三镇"},
    ],
)
def test_district_staff_cannot_read_another_district_or_their_city(client, region, params):
    client.force_login(DistrictStaffFactory(region=region.d1))
    assert client.get(DASHBOARD, params).status_code == 404


def test_city_staff_read_every_district_of_their_city_only(client, region):
    client.force_login(CityStaffFactory(region=region.city))
    assert client.get(DASHBOARD, {"district": "乙区"}).status_code == 200
    other = RegionFactory(name="别的区", city=None)
    TownFactory(name="别的镇", district=other)
    assert client.get(DASHBOARD, {"district": "别的区"}).status_code == 404


def test_township_staff_cannot_read_their_district(client, region):
    client.force_login(TownshipStaffFactory(town=region.t1.town))
    assert client.get(DASHBOARD, {"district": "甲区"}).status_code == 404
    assert client.get(DASHBOARD, {"town": "二镇"}).status_code == 404
    assert client.get(DASHBOARD, {"town": "一镇"}).status_code == 200


def test_a_bad_district_on_the_dashboard_is_a_400_naming_the_field(client, region):
    client.force_login(DistrictStaffFactory(region=region.d1))
    response = client.get(DASHBOARD, {"district": "没有这个区"})
    assert response.status_code == 400
    assert "district" in response.content.decode()
