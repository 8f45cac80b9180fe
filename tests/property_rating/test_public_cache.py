"""The public ratings page and the ratings API answer anonymous readers from a cache that is exact
after every publish and reopen (property_rating/public_cache.py), and degrade to the database
when the cache is down."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from communities.factories import ResidentFactory
from property_rating.models import AnnualResult
from property_rating.publication import results_publish, results_reopen

from .helpers import compute, give_inputs

pytestmark = pytest.mark.django_db

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def published(scheme, make_unit, staff):
    units = [give_inputs(make_unit(f"小区{i}"), quarters=(95 - i * 10,) * 4) for i in range(5)]
    compute(scheme.town)
    results_publish(scheme=scheme, by=staff)
    return units


def _lists(page: str) -> tuple[str, str]:
    red = page.split('data-testid="red-list"')[1].split("</table>")[0]
    black = page.split('data-testid="black-list"')[1].split("</table>")[0]
    return red, black


def _api_scores(client) -> dict:
    body = client.get("/api/v1/ratings/", {"page_size": 100}).json()
    return {row["estate"]["name"]: row["annual_score"] for row in body["results"]}


def test_page_and_api_are_exact_after_publish_reopen_and_republish(
    published, scheme, staff, settings
):
    settings.LANGUAGE_CODE = "en"
    reader = Client()
    red, black = _lists(reader.get("/rating/public/").content.decode())
    assert "小区0" in red and "小区0" not in black
    assert _api_scores(reader)["小区0"] == "95.00"
    # Read twice so both answers are cached before the year changes.
    assert reader.get("/rating/public/").content.decode().count("小区0") >= 1
    assert _api_scores(reader)["小区0"] == "95.00"

    results_reopen(scheme=scheme, by=staff, reason="更正小区0的季度分")
    page = reader.get("/rating/public/").content.decode()
    assert 'data-testid="no-results"' in page and "小区0" not in page
    assert _api_scores(reader) == {}

    give_inputs(published[0], quarters=(20,) * 4)  # corrected: now last, on the black list
    compute(scheme.town)
    results_publish(scheme=scheme, by=staff)
    red, black = _lists(reader.get("/rating/public/").content.decode())
    assert "小区0" in black and "小区0" not in red
    assert "小区1" in red
    assert _api_scores(reader)["小区0"] == "20.00"


def test_a_cached_page_runs_no_query_and_gives_each_reader_a_working_csrf_token(published):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_one = first.get("/rating/public/").content.decode()
    with CaptureQueriesContext(connection) as ctx:
        response = second.get("/rating/public/")
    assert len(ctx.captured_queries) == 0
    page_two = response.content.decode()
    token_one, token_two = CSRF_INPUT.findall(page_one)[0], CSRF_INPUT.findall(page_two)[0]
    assert CSRF_INPUT.sub("", page_one) == CSRF_INPUT.sub("", page_two)
    assert "csrf-token-of-this-reader" not in page_two
    assert "Cookie" in response["Vary"]
    # Each reader's language switch posts with their own token (a placeholder is refused).
    for client, token in ((first, token_one), (second, token_two)):
        switched = client.post(
            "/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token}
        )
        assert switched.status_code == 302
    refused = second.post(
        "/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": "x" * 64}
    )
    assert refused.status_code == 403


def test_each_language_gets_its_own_cached_page(published, settings):
    reader = Client()
    chinese = reader.get("/rating/public/").content.decode()
    reader.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = reader.get("/rating/public/").content.decode()
    assert "红榜" in chinese and "Red list" not in chinese
    assert "Red list" in english


def test_signed_in_readers_get_their_own_page_not_the_cached_one(published):
    Client().get("/rating/public/")  # cached for anonymous readers
    resident = ResidentFactory()
    client = Client()
    client.force_login(resident)
    page = client.get("/rating/public/").content.decode()
    assert 'data-testid="who"' in page and "小区0" in page


@pytest.mark.parametrize("path", ["/api/v1/ratings/?year=2026", "/api/v1/companies/{}/ratings/"])
def test_cached_api_answer_carries_every_header_of_the_computed_one(published, path):
    """The cached answer is sent before most of the middleware stack (property_rating.
    middleware): it must still be the computed answer, headers and all, and run no query."""
    path = path.format(published[0].company_id)
    reader = Client()
    computed = reader.get(path)
    with CaptureQueriesContext(connection) as ctx:
        cached = reader.get(path)
    assert len(ctx.captured_queries) == 0
    assert cached.status_code == computed.status_code == 200
    assert cached.content == computed.content
    assert dict(cached.headers) == dict(computed.headers)
    not_modified = reader.get(path, HTTP_IF_NONE_MATCH=cached["ETag"])
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified["ETag"] == cached["ETag"]


def test_a_cached_answer_is_not_sent_for_another_format_or_a_cookie(published):
    reader = Client()
    reader.get("/api/v1/ratings/")  # cached now
    browsable = reader.get("/api/v1/ratings/", HTTP_ACCEPT="text/html")
    assert browsable["Content-Type"].startswith("text/html")
    reader.cookies["sessionid"] = "not-a-session"
    with CaptureQueriesContext(connection) as ctx:
        assert reader.get("/api/v1/ratings/").status_code == 200
    assert len(ctx.captured_queries) > 0  # the full path: the session is looked up


def test_a_token_client_is_not_served_the_anonymous_answer(published, scheme, staff):
    anonymous = Client()
    assert anonymous.get("/api/v1/ratings/").json()["count"] == 5
    results_reopen(scheme=scheme, by=staff, reason="更正")
    anonymous.get("/api/v1/ratings/")  # the reopened year's anonymous answer: cached, empty
    token = Token.objects.create(user=staff)
    staff_view = Client().get("/api/v1/ratings/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert staff_view.json()["count"] == 5  # staff see their town's unpublished year
    assert staff_view["Cache-Control"] == "private, no-cache"


def test_page_and_api_answer_from_the_database_when_the_cache_is_down(published, settings):
    from django.core.cache import cache

    settings.CACHES = {
        # Nothing listens on port 1: every cache call fails and the cache degrades.
        "default": {
            "BACKEND": "governance.cache.DegradingRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    reader = Client()
    for _ in range(2):
        page = reader.get("/rating/public/")
        assert page.status_code == 200 and "小区0" in page.content.decode()
        assert _api_scores(reader)["小区0"] == "95.00"
    assert cache.get("ratings:public-version") is None
    assert AnnualResult.objects.filter(unit__town=published[0].town).count() == 5


def test_the_redis_cache_keeps_one_client_and_still_reads_and_writes(settings):
    """governance.cache reuses its redis.Redis instead of making one per call (issue 16)."""
    import os

    from django.core.cache import caches

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs Redis (REDIS_URL)")
    settings.CACHES = {
        "default": {"BACKEND": "governance.cache.DegradingRedisCache", "LOCATION": url}
    }
    cache = caches.create_connection("default")
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    cache.set("issue16:reuse", {"a": 1}, 5)
    assert cache.get_many(["issue16:reuse", "issue16:missing"]) == {"issue16:reuse": {"a": 1}}
    cache.delete("issue16:reuse")
    assert cache.get("issue16:reuse") is None
