"""The Liujiang demo (regions.md "Demo"): the projects completed in 2021-2022 give exactly the
reported output totals for 柳江区 and for 柳州市, funded by residents, government and partner
units, their needs claimed by departments and partner units; loading twice changes nothing."""

import pytest

from communities.factories import CommunityFactory, DistrictStaffFactory, EstateFactory
from communities.models import Estate, Region, Town, User
from communities.regions import area_from_params
from deliberation.projects import demo, selectors
from deliberation.projects.models import Claim, Need, Project

pytestmark = pytest.mark.django_db

REPORTED = {
    "fitness": 3,
    "back_lanes": 22,
    "streets_cleaned": 240,
    "recreation": 7,
    "walls": 8,
    "street_lights": 218,
    "cameras": 421,
    "car_spaces": 1027,
    "ebike_spaces": 1150,
    "other": 0,
}


def totals_for(**params):
    area = area_from_params(params)
    scope = selectors.project_scope(_superuser(), area)
    return selectors.totals(scope, first_year=2021, last_year=2022)


def _superuser():
    return User.objects.get_or_create(username="root", defaults={"is_superuser": True})[0]


def test_liujiang_and_liuzhou_output_totals_for_2021_2022_are_the_reported_figures():
    demo.load()

    assert totals_for(district="柳江区")["outputs"] == REPORTED
    assert totals_for(city="柳州市")["outputs"] == REPORTED
    assert totals_for(town="柳江区/拉堡镇")["outputs"] == REPORTED


def test_demo_works_are_funded_by_all_three_sources_and_needs_claimed_by_both_kinds():
    demo.load()

    budget = totals_for(district="柳江区")["budget"]
    assert budget["projects"] == 8
    assert budget["residents"] > 0 and budget["government"] > 0 and budget["partners"] > 0
    claims = Claim.objects.filter(need__estate__community__town__name="拉堡镇")
    assert claims.filter(department__isnull=False).exists()
    assert claims.filter(partner__isnull=False).exists()
    assert set(Need.objects.values_list("status", flat=True)) == {"met"}


def test_loading_the_demo_twice_changes_nothing():
    demo.load()
    counts = (Project.objects.count(), Need.objects.count(), Claim.objects.count())
    demo.load()

    assert (Project.objects.count(), Need.objects.count(), Claim.objects.count()) == counts
    assert Region.objects.filter(name="柳江区").count() == 1
    assert Town.objects.filter(name="拉堡镇").count() == 1
    assert totals_for(district="柳江区")["outputs"] == REPORTED


def test_demo_uses_labao_estates_made_elsewhere_instead_of_its_own():
    liuzhou = Region.objects.create(name="柳州市", kind=Region.Kind.CITY)
    liujiang = Region.objects.create(name="柳江区", kind=Region.Kind.DISTRICT, city=liuzhou)
    labao = Town.objects.create(name="拉堡镇", district=liujiang)
    estate = EstateFactory(community=CommunityFactory(town=labao, name="城中社区"), name="既有小区")

    demo.load()

    assert not Estate.objects.filter(community__name=demo.DEMO_COMMUNITY).exists()
    assert Project.objects.filter(estate=estate).exists()


def test_district_staff_read_the_demo_totals_through_the_api(client):
    demo.load()
    client.force_login(DistrictStaffFactory(region=Region.objects.get(name="柳江区")))

    data = client.get(
        "/api/v1/project-totals/", {"district": "柳江区", "from_year": 2021, "to_year": 2022}
    ).json()

    assert data["outputs"] == REPORTED


def test_the_demo_renovation_passed_the_gate_and_leaves_the_reported_totals_alone():
    demo.load()

    renovation = Project.objects.get(kind=Project.Kind.RENOVATION, is_demo=True)
    assert renovation.town.name == "拉堡镇" and renovation.plan_year == 2023
    assert renovation.status == Project.Status.COMPLETED
    assert renovation.completed_on.year == 2023
    vote = renovation.rebuild_vote
    assert vote.kind == "rebuild" and vote.estate_id == renovation.estate_id
    assert vote.result.passed
    assert renovation.estate.owners_committees.exists()
    assert renovation.transitions.filter(to_status=Project.Status.PLANNED).exists()
    assert totals_for(district="柳江区")["outputs"] == REPORTED
    assert totals_for(district="柳江区")["budget"]["projects"] == 8
