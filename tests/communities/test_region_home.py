"""District and city staff land on a home of their own: their region's figures, bulletins and
read-only records, each link already asking about their region."""

import pytest

from communities.factories import CityStaffFactory, DistrictStaffFactory, RegionFactory
from communities.models import Region

pytestmark = pytest.mark.django_db


def test_district_staff_home_links_their_districts_figures(client):
    city = RegionFactory(name="柳州市", kind=Region.Kind.CITY, city=None)
    district = RegionFactory(name="柳江区", city=city)
    client.force_login(DistrictStaffFactory(region=district))
    page = client.get("/").content.decode()
    assert "柳江区" in page
    for link in (
        f"/party/dashboard/?district={district.pk}",
        f"/party/ranking/?district={district.pk}",
        f"/cases/figures/?district={district.pk}",
        f"/regions/bulletins/new/{district.pk}/",
    ):
        assert link in page, link
        if "/new/" not in link:
            assert client.get(link).status_code == 200, link


def test_city_staff_home_asks_about_the_city(client):
    city = RegionFactory(name="柳州市", kind=Region.Kind.CITY, city=None)
    client.force_login(CityStaffFactory(region=city))
    page = client.get("/").content.decode()
    assert f"/party/dashboard/?city={city.pk}" in page
    assert client.get(f"/party/dashboard/?city={city.pk}").status_code == 200
