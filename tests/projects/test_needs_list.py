"""The town's needs list is public and read-only, lists who claimed what with which pledge,
and carries no personal data; claims keep to the need's town."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.factories import CommunityFactory, EstateFactory, TownshipStaffFactory
from deliberation.projects import services
from deliberation.projects.factories import department, need, partner
from deliberation.projects.models import Claim, Need, NeedTransition, PartnerUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate():
    return EstateFactory(name="阳光小区")


@pytest.fixture
def staff(estate):
    return TownshipStaffFactory(town=estate.community.town, username="town-keeper-zhang")


def test_claim_by_department_moves_an_open_need_to_claimed_and_records_it(estate, staff):
    item = need(estate, by=staff)

    services.claim_create(
        need=item,
        department=department(estate.community.town),
        pledge_kind=Claim.PledgeKind.MONEY,
        amount=Decimal("20000.00"),
        by=staff,
    )

    item.refresh_from_db()
    assert item.status == Need.Status.CLAIMED
    move = NeedTransition.objects.filter(need=item).order_by("pk").last()
    assert (move.from_status, move.to_status, move.by) == ("open", "claimed", staff)


def test_claim_needs_exactly_one_claimant_of_the_needs_town_and_a_described_pledge(estate):
    item = need(estate)
    town = estate.community.town
    other_town_partner = partner(CommunityFactory().town, name="外镇企业")
    cases = [
        ({"pledge_kind": "labour", "pledge": "人工"}, "department"),
        (
            {
                "department": department(town),
                "partner": partner(town),
                "pledge_kind": "labour",
                "pledge": "x",
            },
            "department",
        ),
        ({"partner": other_town_partner, "pledge_kind": "labour", "pledge": "x"}, "partner"),
        ({"partner": partner(town), "pledge_kind": "money"}, "amount"),
        ({"partner": partner(town), "pledge_kind": "materials"}, "pledge"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as error:
            services.claim_create(need=item, **kwargs)
        assert field in error.value.message_dict
    assert not Claim.objects.exists()
    assert Need.objects.get(pk=item.pk).status == Need.Status.OPEN


def test_registered_unit_names_its_community_in_the_town(estate):
    unit = PartnerUnit(town=estate.community.town, name="区税务局", kind="registered_unit")
    with pytest.raises(ValidationError) as error:
        unit.full_clean()
    assert "community" in error.value.message_dict


def test_public_page_and_api_list_the_towns_needs_without_personal_data(client, estate, staff):
    item = need(estate, title="增设电动车充电棚", category="parking", by=staff)
    services.claim_create(
        need=item,
        partner=partner(estate.community.town, name="柳江供电所"),
        pledge_kind="materials",
        pledge="充电桩10个",
        by=staff,
    )
    need(EstateFactory(name="外镇小区"), title="外镇的需求")

    page = client.get(f"/deliberation/projects/needs/{estate.community.town_id}/")
    api = client.get("/api/v1/needs/", {"town": estate.community.town.name})

    assert page.status_code == 200 and api.status_code == 200
    text = page.content.decode()
    assert "增设电动车充电棚" in text and "柳江供电所" in text and "外镇的需求" not in text
    rows = api.json()["results"]
    assert [r["title"] for r in rows] == ["增设电动车充电棚"]
    assert rows[0]["claims"][0]["claimant"] == "柳江供电所"
    assert "town-keeper-zhang" not in text and "town-keeper-zhang" not in api.content.decode()
    assert "created_by" not in rows[0] and "claimed_by" not in rows[0]["claims"][0]


def test_public_api_is_read_only_and_asks_for_a_town(client, estate):
    assert client.get("/api/v1/needs/").status_code == 400
    assert client.get("/api/v1/needs/", {"town": "无此镇"}).status_code == 400
    assert client.post("/api/v1/needs/", {"town": "x"}).status_code in (403, 405)
    assert client.get("/deliberation/projects/needs/999999/").status_code == 404


def test_needs_list_runs_a_constant_number_of_queries(client, estate):
    town_id = estate.community.town_id

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/needs/", {"town": town_id}).status_code == 200
            assert client.get(f"/deliberation/projects/needs/{town_id}/").status_code == 200
        return len(queries)

    need(estate)
    small = count()
    for i in range(5):
        item = need(EstateFactory(community=estate.community), title=f"需求{i}")
        services.claim_create(
            need=item,
            partner=partner(estate.community.town),
            pledge_kind="labour",
            pledge="义务劳动",
        )
    assert count() == small


def test_completing_a_project_meets_its_needs_and_cancelling_returns_them(estate, staff):
    town = estate.community.town
    first, second = need(estate, "甲"), need(estate, "乙")
    done = services.project_create(town=town, kind="works", title="完工", needs=[first])
    dropped = services.project_create(town=town, kind="works", title="取消", needs=[second])
    day = timezone.localdate()
    services.plan_project(done, day.year, staff)
    services.project_start(project=done, started_on=day, by=staff)
    services.progress_add(project=done, date=day, note="开工", by=staff)
    services.project_complete(
        project=done,
        completed_on=day,
        outputs={"street_lights": 4},
        by=staff,
        acceptance_rating=Decimal("96.50"),
    )
    services.project_cancel(project=dropped, by=staff, reason="资金未落实")

    assert Need.objects.get(pk=first.pk).status == Need.Status.MET
    assert Need.objects.get(pk=second.pk).status == Need.Status.OPEN
    assert list(done.transitions.order_by("pk").values_list("to_status", flat=True)) == [
        "proposed",
        "planned",
        "in_progress",
        "completed",
    ]
    assert dropped.transitions.order_by("pk").last().reason == "资金未落实"


def test_needs_of_another_town_cannot_join_a_project(estate):
    foreign = need(EstateFactory(name="外镇小区"))
    with pytest.raises(ValidationError) as error:
        services.project_create(
            town=estate.community.town, kind="works", title="跨镇", needs=[foreign]
        )
    assert "needs" in error.value.message_dict
