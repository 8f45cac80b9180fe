"""GET /api/v1/ratings/ and /api/v1/companies/{id}/ratings/."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from communities.factories import PropertyCompanyFactory, TownshipStaffFactory
from property_rating.factories import SchemeFactory
from property_rating.publication import results_publish

from .helpers import compute, give_inputs

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(scheme, make_unit, staff):
    """2021: 12 units computed and published; 2022: computed, not published."""
    company = PropertyCompanyFactory(name="时代物业")
    units = [
        give_inputs(
            make_unit(f"小区{i}", company=company if i < 2 else None), quarters=(95 - i * 4,) * 4
        )
        for i in range(12)
    ]
    compute(scheme.town)
    results_publish(scheme=scheme, by=staff)
    scheme_2022 = SchemeFactory(town=scheme.town, year=2022)
    from property_rating.models import AssessmentUnit

    for unit in units[:3]:
        unit_2022 = AssessmentUnit.objects.create(
            town=unit.town, estate=unit.estate, company=unit.company, year=2022
        )
        give_inputs(unit_2022, quarters=(50,) * 4)
    compute(scheme.town, year=2022)
    return {"units": units, "company": company, "scheme_2022": scheme_2022}


def test_anonymous_clients_see_no_unpublished_year(published):
    client = APIClient()
    body = client.get("/api/v1/ratings/", {"page_size": 100}).json()
    assert body["count"] == 12
    assert {row["year"] for row in body["results"]} == {2021}
    assert client.get("/api/v1/ratings/", {"year": 2022}).json()["count"] == 0
    history = client.get(f"/api/v1/companies/{published['company'].pk}/ratings/").json()
    assert {row["year"] for row in history["results"]} == {2021}


def test_staff_see_their_towns_unpublished_year(published, staff):
    client = APIClient()
    client.force_authenticate(staff)
    assert client.get("/api/v1/ratings/", {"year": 2022}).json()["count"] == 3
    other_town_staff = TownshipStaffFactory(username="elsewhere")
    client.force_authenticate(other_town_staff)
    assert client.get("/api/v1/ratings/", {"year": 2022}).json()["count"] == 0


def test_rating_fields_and_filters(published):
    client = APIClient()
    row = client.get("/api/v1/ratings/", {"year": 2021}).json()["results"][0]
    assert set(row) == {
        "id",
        "estate",
        "company",
        "year",
        "annual_score",
        "rank",
        "stars",
        "list",
        "published_at",
    }
    assert set(row["estate"]) == {"id", "name", "community"}
    assert set(row["company"]) == {"id", "name", "credit_code"}
    assert row["rank"] == 1 and row["list"] == "red" and row["stars"] == 5
    assert row["published_at"]
    red = client.get("/api/v1/ratings/", {"list": "red", "page_size": 100}).json()
    assert red["count"] == 4  # 95, 91, 87, 83 are >= 80
    assert client.get("/api/v1/ratings/", {"stars": 5}).json()["count"] == 4
    black = client.get("/api/v1/ratings/", {"list": "black"}).json()
    assert black["count"] == 3  # 59, 55, 51
    company = published["company"]
    assert client.get("/api/v1/ratings/", {"company": company.pk}).json()["count"] == 2
    assert client.get("/api/v1/ratings/", {"search": company.credit_code}).json()["count"] == 2
    assert client.get("/api/v1/ratings/", {"search": "小区1"}).json()["count"] == 3  # 1, 10, 11
    community = row["estate"]["community"]["id"]
    assert client.get("/api/v1/ratings/", {"community": community}).json()["count"] == 12


def test_api_answers_304_to_a_matching_etag(published):
    client = APIClient()
    first = client.get("/api/v1/ratings/", {"year": 2021})
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    again = client.get("/api/v1/ratings/", {"year": 2021}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert not again.content
    since = client.get(
        "/api/v1/ratings/", {"year": 2021}, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    assert since.status_code == 304
    other = client.get(
        "/api/v1/ratings/",
        {"year": 2021, "page": 2, "page_size": 5},
        HTTP_IF_NONE_MATCH=first["ETag"],
    )
    assert other.status_code == 200


def test_etag_changes_when_results_are_reopened(published, scheme, staff):
    from property_rating.publication import results_reopen

    client = APIClient()
    first = client.get("/api/v1/ratings/")
    results_reopen(scheme=scheme, by=staff, reason="更正")
    after = client.get("/api/v1/ratings/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after.json()["count"] == 0


def test_query_count_is_the_same_at_page_size_10_and_100(published):
    client = APIClient()
    counts = []
    for size in (10, 100):
        cache.clear()  # measure the answer being computed, not served from the cache
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/ratings/", {"page_size": size})
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert len(client.get("/api/v1/ratings/", {"page_size": 10}).json()["results"]) == 10


def test_company_history_of_unknown_company_is_404(published):
    assert APIClient().get("/api/v1/companies/999999/ratings/").status_code == 404


def test_anonymous_clients_are_throttled(published, settings):
    from django.core.cache import cache

    cache.clear()
    settings.RATINGS_ANON_RATE = "3/minute"
    client = APIClient()
    statuses = [client.get("/api/v1/ratings/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    cache.clear()


def test_ratings_endpoints_are_in_the_openapi_schema(db):
    body = APIClient().get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/ratings/" in body["paths"]
    assert "/api/v1/companies/{id}/ratings/" in body["paths"]
    params = {p["name"] for p in body["paths"]["/api/v1/ratings/"]["get"]["parameters"]}
    assert {"year", "town", "community", "stars", "list", "company", "search"} <= params


def test_anonymous_reads_come_from_the_cache_until_publication_changes(published, scheme, staff):
    from property_rating.publication import results_reopen

    client = APIClient()
    first = client.get("/api/v1/ratings/").json()
    with CaptureQueriesContext(connection) as ctx:
        again = client.get("/api/v1/ratings/").json()
    assert again == first
    assert len(ctx.captured_queries) == 0

    results_reopen(scheme=scheme, by=staff, reason="更正")
    assert client.get("/api/v1/ratings/").json()["count"] == 0
    results_publish(scheme=scheme, by=staff)
    assert client.get("/api/v1/ratings/").json()["count"] == 12


def test_browsers_still_get_the_browsable_api_from_the_cached_answer(published):
    client = APIClient()
    client.get("/api/v1/ratings/")  # cached as JSON bytes
    page = client.get("/api/v1/ratings/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert "小区0" in page.content.decode()
