"""Public registry API: public fields only, filters, pagination, constant queries, throttling."""

import datetime
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from communities.factories import (
    CommunityFactory,
    EstateFactory,
    OwnersCommitteeMemberFactory,
    PropertyCompanyFactory,
    ServiceContractFactory,
    TownFactory,
    verified_resident,
)
from communities.models import Estate

pytestmark = pytest.mark.django_db

PERSONAL_KEYS = {
    "phone",
    "user",
    "users",
    "username",
    "resident_name",
    "members",
    "staff",
    "managers",
    "display_name",
    "email",
    "households",
    "room",
}


@pytest.fixture
def api():
    cache.clear()
    return APIClient()


@pytest.fixture
def registry():
    town = TownFactory(name="里水镇")
    a = CommunityFactory(town=town, name="海南洲社区")
    b = CommunityFactory(town=town, name="金溪社区")
    other_town = CommunityFactory(name="别镇社区")
    estates = {
        "糖果雅苑": EstateFactory(community=a, name="糖果雅苑", is_old_estate=True),
        "在建一号": EstateFactory(
            community=a, name="在建一号", status=Estate.Status.UNDER_CONSTRUCTION
        ),
        "中恒海晖": EstateFactory(community=b, name="中恒海晖"),
        "别镇小区": EstateFactory(community=other_town, name="别镇小区"),
    }
    company = PropertyCompanyFactory(
        name="广州市时代物业管理有限公司佛山分公司", credit_code="91350100M000100Y43"
    )
    ServiceContractFactory(estate=estates["糖果雅苑"], company=company)
    PropertyCompanyFactory(name="碧桂园物业", credit_code="91110000600037341L")
    return {"town": town, "a": a, "b": b, "estates": estates, "company": company}


def all_keys(data):
    keys = set()
    if isinstance(data, dict):
        for key, value in data.items():
            keys.add(key)
            keys |= all_keys(value)
    elif isinstance(data, list):
        for item in data:
            keys |= all_keys(item)
    return keys


@pytest.mark.parametrize("path", ["towns", "communities", "estates", "companies"])
def test_public_lists_carry_no_personal_data(api, registry, path):
    household_resident = verified_resident(phone="13812341234", display_name="张三")
    OwnersCommitteeMemberFactory(
        committee__estate=registry["estates"]["糖果雅苑"], name="李四", phone="13900001111"
    )
    assert household_resident.verified_household
    response = api.get(f"/api/v1/{path}/")
    assert response.status_code == 200
    assert response.json()["results"]
    assert not (all_keys(response.json()) & PERSONAL_KEYS)
    body = response.content.decode()
    for secret in ("13812341234", "13900001111", "张三", "李四"):
        assert secret not in body


def test_estate_detail_has_its_public_fields(api, registry):
    estate = registry["estates"]["糖果雅苑"]
    data = api.get(f"/api/v1/estates/{estate.pk}/").json()
    assert data == {
        "id": estate.pk,
        "name": "糖果雅苑",
        "town": registry["town"].pk,
        "community": registry["a"].pk,
        "community_name": "海南洲社区",
        "status": "delivered",
        "status_display": data["status_display"],
        "delivery_date": "2015-01-01",
        "planned_households": 500,
        "residents": 1500,
        "supervising_unit": "",
        "is_old_estate": True,
        "is_three_without": False,
        "address": "",
    }


def names(response):
    return sorted(row["name"] for row in response.json()["results"])


def test_estates_filter_by_town_community_status_and_old_flag(api, registry):
    town, a = registry["town"], registry["a"]
    assert names(api.get("/api/v1/estates/", {"town": town.pk})) == sorted(
        ["糖果雅苑", "在建一号", "中恒海晖"]
    )
    assert names(api.get("/api/v1/estates/", {"community": a.pk})) == sorted(
        ["糖果雅苑", "在建一号"]
    )
    assert names(api.get("/api/v1/estates/", {"status": "under_construction"})) == ["在建一号"]
    assert names(api.get("/api/v1/estates/", {"is_old_estate": "true"})) == ["糖果雅苑"]
    assert api.get("/api/v1/estates/", {"status": "bogus"}).status_code == 400


def test_communities_filter_by_town(api, registry):
    response = api.get("/api/v1/communities/", {"town": registry["town"].pk})
    assert names(response) == sorted(["海南洲社区", "金溪社区"])


def test_companies_search_by_name_or_credit_code(api, registry):
    assert names(api.get("/api/v1/companies/", {"search": "碧桂园"})) == ["碧桂园物业"]
    assert names(api.get("/api/v1/companies/", {"search": "91350100M000100Y43"})) == [
        "广州市时代物业管理有限公司佛山分公司"
    ]
    assert names(api.get("/api/v1/companies/", {"credit_code": "91110000600037341L"})) == [
        "碧桂园物业"
    ]


def test_company_estate_count_counts_contracts_in_force(api, registry):
    ServiceContractFactory(
        estate=registry["estates"]["中恒海晖"],
        company=registry["company"],
        valid_from=datetime.date(2010, 1, 1),
        valid_to=datetime.date(2011, 1, 1),
    )
    data = api.get(f"/api/v1/companies/{registry['company'].pk}/").json()
    assert data["estate_count"] == 1


def test_estates_are_paginated(api, registry):
    community = registry["a"]
    for n in range(25):
        EstateFactory(community=community, name=f"分页小区{n:02d}")
    first = api.get("/api/v1/estates/").json()
    assert first["count"] == 29
    assert len(first["results"]) == 20 and first["next"]
    small = api.get("/api/v1/estates/", {"page_size": 5, "page": 2}).json()
    assert len(small["results"]) == 5 and small["previous"]
    capped = api.get("/api/v1/estates/", {"page_size": 1000}).json()
    assert len(capped["results"]) == 29  # at most 100 per page


def count_queries(api, url):
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(url, {"page_size": 100}).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("path", ["towns", "communities", "estates", "companies"])
def test_lists_run_a_constant_number_of_queries(api, path):
    def grow(n):
        for _ in range(n):
            estate = EstateFactory()
            ServiceContractFactory(estate=estate)

    grow(2)
    small = count_queries(api, f"/api/v1/{path}/")
    grow(15)
    large = count_queries(api, f"/api/v1/{path}/")
    assert small == large
    assert large <= 2  # the count and the page


def test_anonymous_clients_are_throttled(api, registry, monkeypatch):
    # DRF reads the rates when the throttle classes are defined: patch the class attribute.
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "1000/minute"}
    )
    cache.clear()
    codes = [api.get("/api/v1/towns/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "Retry-After" in api.get("/api/v1/estates/").headers


def test_schema_documents_the_registry_endpoints(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    for path in (
        "/api/v1/towns/",
        "/api/v1/communities/",
        "/api/v1/estates/{id}/",
        "/api/v1/companies/",
    ):
        assert path in schema["paths"]
    params = {p["name"] for p in schema["paths"]["/api/v1/estates/"]["get"]["parameters"]}
    assert {"town", "community", "status", "is_old_estate", "page", "page_size"} <= params


def test_api_is_read_only(api, registry, township_staff):
    api.force_authenticate(township_staff)
    assert api.post("/api/v1/estates/", {"name": "x"}).status_code == 405
    estate = registry["estates"]["糖果雅苑"]
    assert api.delete(f"/api/v1/estates/{estate.pk}/").status_code == 405
