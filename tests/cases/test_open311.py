"""Open311 GeoReport v2: a real client (georeport) against a running server, keys, and no
personal data in any answer."""

import io

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError
from georeport import GeoReport

from communities.factories import BuildingFactory, EstateFactory, HouseholdFactory
from deliberation.cases import services
from deliberation.cases.models import Case, Open311Key

from .conftest import category

PERSONAL = ("张三", "13800000001", "san@example.com", "22.6", "113.1", "1201")


def issue_key(name, town) -> str:
    out = io.StringIO()
    call_command("open311_key", name, "--town", str(town.pk), stdout=out)
    return out.getvalue().strip().splitlines()[-1]


@pytest.fixture
def world(transactional_db):
    estate = EstateFactory(name="糖果雅苑")
    services.responsibility_list_ensure(town=estate.community.town)
    building = BuildingFactory(estate=estate, name="3栋")
    HouseholdFactory(building=building, room="1201")
    return estate


def test_open311_client_round_trip_and_reads_without_a_key_carry_no_description(live_server, world):
    town = world.community.town
    key = issue_key("市民通App", town)
    root = f"{live_server.url}/open311/v2"

    client = GeoReport(root, jurisdiction=str(town.pk), api_key=key)
    codes = [s["service_code"] for s in client.get_service_list()]
    assert codes[:2] == ["C01", "C02"] and "C99" in codes

    response = requests.post(
        f"{root}/requests.json",
        data={
            "jurisdiction_id": town.pk,
            "api_key": key,
            "service_code": "C03",
            "address_string": "糖果雅苑 3栋 1201",
            "description": "3栋电梯停运\n已两天",
            "first_name": "三",
            "last_name": "张",
            "phone": "13800000001",
            "email": "san@example.com",
            "lat": "22.6",
            "long": "113.1",
        },  # fmt: skip
        timeout=10,
    )
    assert response.status_code == 201, response.text
    request_id = response.json()[0]["service_request_id"]
    case = Case.objects.get(pk=request_id)
    assert (case.source, case.title, case.household.room) == (
        Case.Source.API,
        "3栋电梯停运",
        "1201",
    )
    assert (case.caller_name, case.caller_phone) == ("张 三", "13800000001")

    anonymous = GeoReport(root, jurisdiction=str(town.pk))
    public = anonymous.get_service_request(request_id)
    assert public["status"] == "open"
    assert public["agency_responsible"] == world.community.name  # no company: community level
    assert public["address"] == "糖果雅苑 3栋"
    assert public["expected_datetime"].endswith("23:59:59+08:00")
    assert (
        "description" not in public and "media_url" not in public and "status_notes" not in public
    )
    listed = anonymous.get_service_requests(status="open")
    assert [r["service_request_id"] for r in listed] == [request_id]
    assert "description" not in listed[0]

    with_key = requests.get(
        f"{root}/requests/{request_id}.json",
        params={"jurisdiction_id": town.pk, "api_key": key},
        timeout=10,
    ).json()[0]
    assert with_key["description"] == "3栋电梯停运\n已两天"
    for answer in (public, listed[0], with_key):
        text = str(answer)
        for value in PERSONAL:
            assert value not in text, value


def test_open311_errors_use_the_standard_format(live_server, world):
    town = world.community.town
    key = issue_key("client", town)
    other = EstateFactory()
    services.responsibility_list_ensure(town=other.community.town)
    other_key = issue_key("other town client", other.community.town)
    root = f"{live_server.url}/open311/v2"

    def post(**data):
        base = {"jurisdiction_id": town.pk, "service_code": "C01", "address_id": world.pk,
                "description": "漏水"}  # fmt: skip
        return requests.post(f"{root}/requests.json", data={**base, **data}, timeout=10)

    cases = [
        (post(), 403),
        (post(api_key="wrong"), 403),
        (post(api_key=other_key), 403),
        (post(api_key=key, service_code="C77"), 400),
        (post(api_key=key, description=""), 400),
        (post(api_key=key, address_id="", address_string="不存在"), 400),
        (post(api_key=key, address_id=other.pk), 400),
        (post(api_key=key, lat="north"), 400),
        (post(api_key=key, jurisdiction_id="x"), 400),
        (
            requests.get(f"{root}/services.xml", params={"jurisdiction_id": town.pk}, timeout=10),
            400,
        ),
        (
            requests.get(f"{root}/services.json", params={"jurisdiction_id": 999999}, timeout=10),
            404,
        ),
        (
            requests.get(
                f"{root}/requests/999999.json", params={"jurisdiction_id": town.pk}, timeout=10
            ),
            404,
        ),
        (
            requests.get(
                f"{root}/requests.json",
                params={"jurisdiction_id": town.pk, "start_date": "yesterday"},
                timeout=10,
            ),
            400,
        ),
    ]
    for response, status in cases:
        assert response.status_code == status, (response.request.url, response.text)
        body = response.json()
        assert body[0]["code"] == status and body[0]["description"]
    assert not Case.objects.exists()

    # A revoked key files nothing.
    Open311Key.objects.filter(name="client").update(revoked_at="2026-01-01T00:00:00Z")
    assert post(api_key=key).status_code == 403


@pytest.mark.django_db
def test_key_command_prints_the_key_last_and_refuses_a_used_name(estate):
    town = estate.community.town
    key = issue_key("app", town)
    assert len(key) >= 40 and " " not in key
    assert not Open311Key.objects.filter(key_hash=key).exists()  # only the hash is stored
    with pytest.raises(CommandError, match="already used"):
        call_command("open311_key", "app", "--town", town.name, stdout=io.StringIO())


@pytest.mark.django_db
def test_request_list_runs_a_constant_number_of_queries(
    client, estate, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    town = estate.community.town
    url = f"/open311/v2/requests.json?jurisdiction_id={town.pk}"

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    services.case_receive(estate=estate, category=category(town, "C01"), title="a", source="staff")
    small = count()
    for code in ("C02", "C03", "C04", "C05", "C06"):
        services.case_receive(
            estate=estate, category=category(town, code), title="b", source="staff"
        )
    assert count() == small
