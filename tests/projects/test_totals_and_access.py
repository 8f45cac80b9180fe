"""Output and budget totals per town, district and city from the records, who may read them
(township staff their town, community staff their community's estates, district and city staff
their region, others 404), and a constant number of queries at two sizes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.factories import (
    CityStaffFactory,
    CommunityFactory,
    CommunityStaffFactory,
    DistrictStaffFactory,
    EstateFactory,
    RegionFactory,
    ResidentFactory,
    TownFactory,
    TownshipStaffFactory,
)
from communities.models import Region
from deliberation.projects import services
from deliberation.projects.factories import completed_project
from deliberation.projects.models import Project

pytestmark = pytest.mark.django_db

PAGE = "/deliberation/projects/totals/"
API = "/api/v1/project-totals/"
D2022 = datetime.date(2022, 9, 30)
D2021 = datetime.date(2021, 6, 30)


@pytest.fixture
def world():
    city = RegionFactory(name="甲市", kind=Region.Kind.CITY, city=None)
    d1 = RegionFactory(name="一区", city=city)
    d2 = RegionFactory(name="二区", city=city)
    other_city = RegionFactory(name="乙市", kind=Region.Kind.CITY, city=None)
    d3 = RegionFactory(name="三区", city=other_city)
    t1 = TownFactory(name="一镇", district=d1)
    t2 = TownFactory(name="二镇", district=d1)
    t3 = TownFactory(name="三镇", district=d2)
    t4 = TownFactory(name="四镇", district=d3)
    c1 = CommunityFactory(town=t1, name="一社区")
    c1b = CommunityFactory(town=t1, name="一乙社区")
    e1 = EstateFactory(community=c1)
    e1b = EstateFactory(community=c1b)
    completed_project(t1, {"street_lights": 10, "cameras": 5}, D2022, estate=e1)
    completed_project(t1, {"walls": 2}, D2022, estate=e1b)
    completed_project(t2, {"street_lights": 3}, D2021)
    completed_project(t3, {"cameras": 7}, D2022)
    completed_project(t1, {"street_lights": 100}, datetime.date(2019, 5, 1))
    completed_project(t4, {"cameras": 1000}, D2022)
    services.project_create(town=t1, kind=Project.Kind.WORKS, title="未完工")
    return {
        "city": city,
        "other_city": other_city,
        "d1": d1,
        "d2": d2,
        "t1": t1,
        "t2": t2,
        "t3": t3,
        "t4": t4,
        "c1": c1,
    }


def get_json(client, user, **params):
    client.force_login(user)
    return client.get(API, {"from_year": 2021, "to_year": 2022, **params})


def test_district_totals_are_the_sum_of_its_towns_over_the_years(client, world):
    user = DistrictStaffFactory(region=world["d1"])

    data = get_json(client, user, district="一区").json()

    assert data["outputs"]["street_lights"] == 13
    assert data["outputs"]["cameras"] == 5
    assert data["outputs"]["walls"] == 2
    assert data["outputs"]["car_spaces"] == 0
    assert data["outputs_by_year"]["2021"]["street_lights"] == 3
    assert data["outputs_by_year"]["2022"]["street_lights"] == 10
    assert data["budget"] == {
        "projects": 3,
        "residents": "300.00",
        "government": "600.00",
        "partners": "150.00",
        "total": "1050.00",
    }


def test_city_totals_cover_every_district_of_the_city_only(client, world):
    user = CityStaffFactory(region=world["city"])

    data = get_json(client, user, city="甲市").json()

    assert data["outputs"]["cameras"] == 12  # not the 1000 of the other city
    assert data["outputs"]["street_lights"] == 13  # not the 100 of 2019
    assert get_json(client, user, district="二区").json()["outputs"]["cameras"] == 7


def test_township_staff_read_their_town_and_nothing_else(client, world):
    user = TownshipStaffFactory(town=world["t1"])

    assert get_json(client, user, town=world["t1"].pk).json()["outputs"]["street_lights"] == 10
    assert get_json(client, user).json()["area"] == "一镇"  # their town by default
    assert get_json(client, user, town=world["t2"].pk).status_code == 404
    assert get_json(client, user, district="一区").status_code == 404
    client.force_login(user)
    assert client.get(PAGE, {"town": world["t2"].pk}).status_code == 404


def test_community_staff_read_their_communitys_estates_only(client, world):
    user = CommunityStaffFactory(community=world["c1"])

    data = get_json(client, user, town=world["t1"].pk).json()

    assert data["outputs"]["street_lights"] == 10
    assert data["outputs"]["walls"] == 0  # the other community's project
    assert get_json(client, user, town=world["t2"].pk).status_code == 404


def test_district_staff_read_below_their_district_and_nothing_of_another(client, world):
    user = DistrictStaffFactory(region=world["d1"])

    assert get_json(client, user, town=world["t2"].pk).status_code == 200
    assert get_json(client, user, district="二区").status_code == 404
    assert get_json(client, user, town=world["t3"].pk).status_code == 404
    assert get_json(client, user, city="甲市").status_code == 404


def test_city_staff_of_another_city_get_404(client, world):
    user = CityStaffFactory(region=world["other_city"], username="other-city")
    assert get_json(client, user, city="甲市").status_code == 404
    assert get_json(client, user, town=world["t1"].pk).status_code == 404


def test_residents_and_anonymous_get_404(client, world):
    assert get_json(client, ResidentFactory(), town=world["t1"].pk).status_code == 404
    client.logout()
    assert client.get(API, {"town": world["t1"].pk}).status_code == 404
    assert client.get(PAGE, {"town": world["t1"].pk}).status_code == 404


def test_bad_parameters_give_field_errors(client, world, settings):
    settings.LANGUAGE_CODE = "en"
    user = CityStaffFactory(region=world["city"])
    response = get_json(client, user, city="甲市", from_year="abc")
    assert response.status_code == 400 and "from_year" in response.json()
    response = get_json(client, user, city="甲市", from_year=2023, to_year=2021)
    assert response.status_code == 400 and "to_year" in response.json()
    response = get_json(client, user, district="无此区")
    assert response.status_code == 400 and "district" in response.json()
    response = get_json(client, user, district="一区", city="甲市")
    assert response.status_code == 400
    client.force_login(user)
    page = client.get(PAGE, {"city": "甲市", "to_year": "x"})
    assert page.status_code == 400 and b"to_year" in page.content


def test_page_shows_the_totals_of_the_region(client, world):
    client.force_login(CityStaffFactory(region=world["city"]))

    response = client.get(PAGE, {"city": world["city"].pk, "from_year": 2021, "to_year": 2022})

    assert response.status_code == 200
    assert response.context["data"]["outputs"]["cameras"] == 12
    assert response.context["data"]["budget"]["projects"] == 4
    assert b'data-testid="output-totals"' in response.content


def _grow(world, n: int) -> None:
    for i in range(n):
        town = TownFactory(name=f"加镇{i}", district=world["d1"])
        estate = EstateFactory(community=CommunityFactory(town=town))
        completed_project(
            town, {"cameras": 1, "car_spaces": 2}, D2022, estate=estate, title=f"加{i}"
        )


def test_page_and_api_run_a_constant_number_of_queries_at_two_sizes(client, world):
    client.force_login(CityStaffFactory(region=world["city"]))

    def counts():
        found = []
        for url in (API, PAGE):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, {"city": "甲市", "from_year": 2021, "to_year": 2022})
            assert response.status_code == 200
            found.append(len(queries))
        return found

    small = counts()
    _grow(world, 6)
    large = counts()

    assert small == large
    assert client.get(API, {"city": "甲市", "year": 2022}).json()["outputs"]["car_spaces"] == 12


def test_bad_parameters_from_someone_who_reads_no_totals_are_still_404(client, world):
    client.force_login(ResidentFactory())
    assert client.get(API, {"from_year": "abc"}).status_code == 404
    assert client.get(PAGE, {"district": "无此区"}).status_code == 404
