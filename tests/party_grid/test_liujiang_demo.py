"""The Liujiang demo (regions.md "Demo"): 柳州市 > 柳江区 shows the district's reported figures."""

import datetime

import pytest

from communities import demo_liujiang as registry_demo
from communities.factories import TownshipStaffFactory
from communities.models import Region, Town, User
from party_grid import demo_liujiang as party_demo
from party_grid.models import BuildingHead, PartyOrganization
from party_grid.selectors import area_statistics


def _load(users):
    registry_demo.load(users=users)
    party_demo.load()


@pytest.fixture
def liujiang(db):
    staff = TownshipStaffFactory(username="staff")
    staff.set_password("demo-password-1")
    staff.save()
    users = {"staff": staff}
    _load(users)
    return Region.objects.get(name="柳江区")


def _figures(district, on):
    return area_statistics(town_ids=district.towns().values_list("pk", flat=True), on=on)


def test_liujiang_shows_the_reported_figures_at_the_end_of_2022(liujiang):
    s = _figures(liujiang, datetime.date(2022, 12, 31))
    assert s.single_built_branches == 48
    assert s.joint_built_branches == 33
    assert s.service_stations == 60
    assert s.grid_workers == 215
    assert s.building_heads == 1522
    assert s.volunteers_by_kind["lane_stewards"] == 466
    assert s.owners_committees == 83
    assert s.self_management_committees == 44
    assert s.three_without_estates == 0


def test_liujiang_still_had_three_without_estates_at_the_start_of_2021(liujiang):
    assert _figures(liujiang, datetime.date(2021, 1, 1)).three_without_estates > 0


def test_liujiang_is_a_district_of_liuzhou_with_eight_towns(liujiang):
    assert liujiang.city.name == "柳州市"
    towns = Town.objects.filter(district=liujiang)
    assert towns.count() == 8
    assert set(towns.filter(is_demo=False).values_list("name", flat=True)) == {"拉堡镇"}


def test_district_and_city_accounts_sign_in_with_the_demo_password(liujiang):
    district = User.objects.get(username="district")
    city = User.objects.get(username="city")
    assert (district.role, district.region) == (User.Role.DISTRICT_STAFF, liujiang)
    assert (city.role, city.region) == (User.Role.CITY_STAFF, liujiang.city)
    assert district.check_password("demo-password-1") and city.check_password("demo-password-1")


def test_loading_liujiang_twice_changes_nothing(liujiang):
    counts = (PartyOrganization.objects.count(), BuildingHead.objects.count(), Town.objects.count())
    _load({"staff": User.objects.get(username="staff")})
    assert (
        PartyOrganization.objects.count(),
        BuildingHead.objects.count(),
        Town.objects.count(),
    ) == counts
