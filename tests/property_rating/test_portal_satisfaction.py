"""Residents rate their property service 1-5 once per household and year."""

import pytest
from django.urls import reverse

from communities.factories import BuildingFactory, HouseholdFactory, verified_resident
from property_rating.models import SatisfactionRating

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(unit):
    return HouseholdFactory(building=BuildingFactory(estate=unit.estate, name="1栋"), room="101")


def test_resident_rates_once_per_household_and_year(client, unit, household):
    first = verified_resident(household=household, username="wife")
    second = verified_resident(household=household, username="husband")
    url = reverse("property_rating:satisfaction")
    client.force_login(first)
    page = client.get(url).content.decode()
    assert unit.company.name in page
    response = client.post(url, {"rating": "4", "comment": "保安很负责"})
    assert response.status_code == 302
    rating = SatisfactionRating.objects.get()
    assert (rating.unit, rating.household, rating.year, rating.rating) == (unit, household, 2021, 4)
    assert rating.rated_by == first

    client.force_login(second)
    page = client.get(url).content.decode()
    assert 'data-testid="already-rated"' in page
    assert 'data-testid="satisfaction-form"' not in page
    response = client.post(url, {"rating": "1"})
    assert response.status_code == 400
    assert 'data-testid="errors"' in response.content.decode()
    assert SatisfactionRating.objects.count() == 1
    assert SatisfactionRating.objects.get().rating == 4


def test_another_household_of_the_estate_rates_too(client, unit, household):
    neighbour = HouseholdFactory(building=household.building, room="102")
    for username, home, value in (("a", household, "5"), ("b", neighbour, "2")):
        client.force_login(verified_resident(household=home, username=username))
        client.post(reverse("property_rating:satisfaction"), {"rating": value})
    assert sorted(SatisfactionRating.objects.values_list("rating", flat=True)) == [2, 5]


@pytest.mark.parametrize("value", ["0", "6", "abc", ""])
def test_rating_outside_one_to_five_is_refused(client, unit, household, value):
    client.force_login(verified_resident(household=household, username="r"))
    response = client.post(reverse("property_rating:satisfaction"), {"rating": value})
    assert response.status_code == 400
    assert not SatisfactionRating.objects.exists()


def test_unverified_resident_cannot_rate(client, unit):
    from communities.factories import ResidentFactory

    client.force_login(ResidentFactory(username="new"))
    url = reverse("property_rating:satisfaction")
    assert client.get(url).status_code == 200
    client.post(url, {"rating": "5"})
    assert not SatisfactionRating.objects.exists()


def test_managers_cannot_rate(client, unit, manager_for):
    client.force_login(manager_for(unit))
    assert client.post(reverse("property_rating:satisfaction"), {"rating": "5"}).status_code == 403


def test_resident_home_panel_links_to_the_rating_until_rated(client, unit, household):
    resident = verified_resident(household=household, username="r")
    client.force_login(resident)
    assert reverse("property_rating:satisfaction") in client.get(reverse("home")).content.decode()
    client.post(reverse("property_rating:satisfaction"), {"rating": "5"})
    body = client.get(reverse("home")).content.decode()
    assert reverse("property_rating:satisfaction") not in body
    assert 'data-testid="rating-panel"' in body
