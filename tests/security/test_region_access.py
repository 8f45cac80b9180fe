"""District and city staff from outside (regions.md): they read everything below their region in
every app (admin list and detail, staff pages, API), nothing of another district (404, or the
admin's "not found" redirect), change nothing (admin add/change/delete/actions, API writes,
portal writes, phone reveal all refused) and see personal data masked.

The attack world (tests/builders.py) puts Lishui under 佛山市 > 南海区; here its other town 外镇
moves under 佛山市 > 顺德区, so 南海区's staff read Lishui and not 外镇, 顺德区's staff the
reverse, and 佛山市's staff both."""

import pytest
from django.db import transaction
from django.test import Client, override_settings

from communities.factories import CityStaffFactory, DistrictStaffFactory
from communities.models import Estate, Region, Town
from deliberation.models import Council, Proposal
from party_grid.factories import GroupFactory, PartyMemberFactory

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


@pytest.fixture(scope="module")
def region_world(django_db_setup, django_db_blocker, world_media):
    """The attack world with 外镇 in another district and three region staff accounts."""
    from tests.builders import attack_world

    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=world_media):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = attack_world()
            o = world.objects
            home_town = o["home_community"].town
            nanhai = home_town.district
            foshan = nanhai.city
            shunde = Region.objects.create(name="顺德区", kind=Region.Kind.DISTRICT, city=foshan)
            other_town = Town.objects.get(name="外镇")
            other_town.district = shunde
            other_town.save()
            world.users["district"] = DistrictStaffFactory(username="d-nanhai", region=nanhai)
            world.users["other_district"] = DistrictStaffFactory(username="d-shunde", region=shunde)
            world.users["city"] = CityStaffFactory(username="c-foshan", region=foshan)
            o["other_town"] = other_town
            o["other_estate"] = Estate.objects.get(name="外镇小区")
            o["member_own"] = PartyMemberFactory(
                organization=GroupFactory(
                    parent__parent__community=o["home_community"], name="区测党小组"
                ),
                name="区测党员",
                phone=PHONE,
            )
            o["member_other"] = PartyMemberFactory(
                organization=GroupFactory(
                    parent__parent__community=o["other_estate"].community, name="外测党小组"
                ),
                name="外测党员",
            )
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _admin_url(obj, view="change"):
    meta = obj._meta
    return f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/{view}/"


def _pairs(world):
    """(own object below 南海区, object of 外镇 below 顺德区), per app."""
    o = world.objects
    own_case, other_case = o["case_own"], o["case_other_town"]
    return {
        "town": (o["home_community"].town, o["other_town"]),
        "community": (o["home_community"], o["other_estate"].community),
        "estate": (o["home_estate"], o["other_estate"]),
        "building": (o["home_estate"].buildings.first(), o["other_estate"].buildings.first()),
        "party member": (o["member_own"], o["member_other"]),
        "party organization": (o["member_own"].organization, o["member_other"].organization),
        "assessment unit": (o["unit_own"], o["unit_other_town"]),
        "quarterly report": (o["report_own"], o["report_other_town"]),
        "council": (o["council_own"], o["council_other_town"]),
        "proposal": (o["proposal_own"], o["proposal_other_town"]),
        "case": (own_case, other_case),
        "case category": (own_case.category, other_case.category),
        "owners' vote": (o["assembly_vote_own"], None),
    }


def _admin_reads(client, obj) -> bool:
    response = client.get(_admin_url(obj))
    return response.status_code == 200


def test_district_staff_read_every_apps_admin_records_of_their_district_only(region_world):
    client = _client(region_world.users["district"])
    wrong = []
    for name, (own, other) in _pairs(region_world).items():
        changelist = client.get(f"/admin/{own._meta.app_label}/{own._meta.model_name}/")
        if changelist.status_code != 200:
            wrong.append(f"{name}: changelist {changelist.status_code}")
        page = client.get(_admin_url(own))
        if page.status_code != 200:
            wrong.append(f"{name}: own detail {page.status_code}")
        elif 'name="_save"' in page.content.decode():
            wrong.append(f"{name}: own detail offers saving")
        if other is not None:
            response = client.get(_admin_url(other))
            # The admin answers an object outside the user's queryset with a redirect to its
            # index ("doesn't exist") or a 404, never the object.
            refused = response.status_code == 404 or (
                response.status_code == 302 and response["Location"] == "/admin/"
            )
            if not refused:
                wrong.append(f"{name}: other district's detail {response.status_code}")
    assert not wrong, wrong


def test_a_districts_changelist_lists_its_towns_records_and_not_another_districts(region_world):
    o = region_world.objects
    page = _client(region_world.users["district"]).get("/admin/communities/estate/?q=小区")
    text = page.content.decode()
    assert o["other_estate"].name not in text
    page = _client(region_world.users["other_district"]).get("/admin/communities/estate/")
    text = page.content.decode()
    assert o["other_estate"].name in text and o["home_estate"].name not in text


def test_city_staff_read_the_towns_of_all_their_districts(region_world):
    client = _client(region_world.users["city"])
    for name, (own, other) in _pairs(region_world).items():
        assert _admin_reads(client, own), name
        if other is not None:
            assert _admin_reads(client, other), name


def test_the_admin_index_shows_region_staff_the_models_they_read(region_world):
    page = _client(region_world.users["district"]).get("/admin/")
    assert page.status_code == 200
    text = page.content.decode()
    for path in (
        "/admin/communities/estate/",
        "/admin/party_grid/partymember/",
        "/admin/property_rating/quarterlyreport/",
        "/admin/deliberation/proposal/",
        "/admin/deliberation/case/",
        "/admin/deliberation/assemblyvote/",
        "/admin/deliberation/regioncasecategory/",
    ):
        assert f'href="{path}"' in text, path
    # Accounts, grants and API keys are no region's business.
    for path in (
        "/admin/communities/user/",
        "/admin/communities/rolegrant/",
        "/admin/deliberation/open311key/",
    ):
        assert f'href="{path}"' not in text, path
    assert 'href="/admin/communities/estate/add/"' not in text


def test_region_staff_change_add_and_delete_nothing_in_the_admin(region_world):
    client = _client(region_world.users["city"])
    estate = region_world.objects["home_estate"]
    name = estate.name
    assert client.post(_admin_url(estate), {"name": "被改的小区"}).status_code == 403
    assert client.post(_admin_url(estate, "delete"), {"post": "yes"}).status_code == 403
    assert client.post("/admin/communities/estate/add/", {"name": "新小区"}).status_code == 403
    proposal = region_world.objects["proposal_own"]
    assert client.post(_admin_url(proposal), {"title": "改"}).status_code == 403
    case = region_world.objects["case_own"]
    assert client.post(_admin_url(case), {"title": "改"}).status_code == 403
    estate.refresh_from_db()
    assert estate.name == name
    assert Estate.objects.filter(name="新小区").count() == 0


def test_region_staff_are_offered_no_admin_action_and_a_forged_one_changes_nothing(region_world):
    client = _client(region_world.users["district"])
    proposal = region_world.objects["proposal_own"]
    page = client.get("/admin/deliberation/proposal/")
    assert 'name="action"' not in page.content.decode()
    state = proposal.state
    client.post(
        "/admin/deliberation/proposal/",
        {"action": "accept_selected", "_selected_action": [proposal.pk]},
    )
    client.post(
        "/admin/communities/estate/",
        {"action": "delete_selected", "_selected_action": [proposal.estate_id], "post": "yes"},
    )
    proposal.refresh_from_db()
    assert proposal.state == state
    assert Estate.objects.filter(pk=proposal.estate_id).exists()


def test_personal_data_is_masked_for_region_staff_and_no_phone_is_revealed(region_world):
    member = region_world.objects["member_own"]
    client = _client(region_world.users["district"])
    for url in ("/admin/party_grid/partymember/", _admin_url(member)):
        text = client.get(url).content.decode()
        assert PHONE not in text, url
    assert "138****5678" in client.get("/admin/party_grid/partymember/").content.decode()
    reveal = client.post(f"/security/reveal-phone/party_grid.partymember/{member.pk}/")
    assert reveal.status_code == 403
    assert PHONE not in reveal.content.decode()


def test_staff_pages_show_a_district_its_towns_and_hide_another_districts(region_world):
    o = region_world.objects
    client = _client(region_world.users["district"])
    home, other = o["home_community"].town, o["other_town"]
    own_case, other_case = o["case_own"], o["case_other_town"]
    assert client.get(f"/cases/{own_case.pk}/").status_code == 200
    assert client.get(f"/cases/{other_case.pk}/").status_code == 404
    assert client.get("/cases/").status_code == 200
    assert client.get(f"/party/dashboard/?town={home.pk}").status_code == 200
    assert client.get(f"/party/dashboard/?town={other.pk}").status_code == 404
    rating = client.get(f"/rating/staff/?town={other.pk}")
    assert rating.status_code == 200 and rating.context["town"] == home
    dashboard = client.get("/deliberation/dashboard/")
    assert dashboard.status_code == 200
    names = {c.name for c in dashboard.context["communities"]}
    assert o["home_community"].name in names and "外镇社区" not in names
    votes = client.get("/deliberation/assemblies/")
    assert votes.status_code == 200
    assert o["assembly_vote_own"] in list(votes.context["votes"])
    assert client.get("/admin/overview/").status_code == 200
    statements = client.get("/accounts/open-accounts/")
    assert o["statement_own"] in list(statements.context["statements"])


def test_the_other_district_reads_its_own_pages_and_none_of_lishui(region_world):
    o = region_world.objects
    client = _client(region_world.users["other_district"])
    assert client.get(f"/cases/{o['case_other_town'].pk}/").status_code == 200
    assert client.get(f"/cases/{o['case_own'].pk}/").status_code == 404
    vote = o["assembly_vote_own"]
    assert client.get(f"/deliberation/assemblies/{vote.pk}/").status_code == 404


def test_region_staff_read_the_api_of_their_towns_and_write_nothing(region_world):
    o = region_world.objects
    client = _client(region_world.users["district"])
    listed = client.get("/api/v1/proposals/?page_size=200")
    assert listed.status_code == 200
    ids = {row["id"] for row in listed.json()["results"]}
    assert o["proposal_own"].pk in ids and o["proposal_other_town"].pk not in ids
    assert client.get(f"/api/v1/proposals/{o['proposal_own'].pk}/").status_code == 200
    assert client.get(f"/api/v1/proposals/{o['proposal_other_town'].pk}/").status_code == 404
    assert client.get("/api/v1/sessions/").status_code == 200
    support = client.post(f"/api/v1/proposals/{o['proposal_own'].pk}/support/")
    assert support.status_code in (403, 404)
    created = client.post(
        "/api/v1/proposals/",
        {"title": "区里提的", "description": "d", "category": "other"},
        content_type="application/json",
    )
    assert created.status_code in (400, 403)
    assert not Proposal.objects.filter(title="区里提的").exists()
    assert client.get("/api/v1/ratings/").status_code == 200


def test_region_staff_take_no_portal_action(region_world):
    o = region_world.objects
    client = _client(region_world.users["city"])
    council = o["council_own"]
    sessions = council.sessions.count()
    response = client.post(
        f"/deliberation/manage/councils/{council.pk}/sessions/new/",
        {"date": "2030-01-01", "place": "x"},
    )
    assert response.status_code in (403, 404)
    assert Council.objects.get(pk=council.pk).sessions.count() == sessions
    case = o["case_own"]
    state = case.state
    response = client.post(f"/cases/{case.pk}/action/", {"action": "dispatch"})
    assert response.status_code in (403, 404)
    case.refresh_from_db()
    assert case.state == state
    vote = o["assembly_vote_own"]
    response = client.post(f"/deliberation/assemblies/{vote.pk}/close/")
    assert response.status_code in (403, 404)
    vote.refresh_from_db()
    assert vote.state == "open"


def test_a_region_grant_gives_a_township_officer_no_write_in_other_towns(region_world):
    """Township staff of 外镇 who also hold 南海区's district grant read Lishui and still change
    only 外镇's records."""
    from communities.models import RoleGrant, User

    o = region_world.objects
    officer = User.objects.create(
        username="both", role=User.Role.TOWNSHIP_STAFF, town=o["other_town"], is_staff=True
    )
    RoleGrant.objects.create(
        user=officer, role=User.Role.DISTRICT_STAFF, region=o["home_community"].town.district
    )
    officer.refresh_from_db()
    client = _client(officer)
    estate = o["home_estate"]
    assert client.get(_admin_url(estate)).status_code == 200
    assert not officer.has_perm("communities.change_estate", estate)
    assert officer.has_perm("communities.change_estate", o["other_estate"])
    response = client.post(_admin_url(estate), {"name": "被改的小区"})
    assert response.status_code in (302, 403)
    estate.refresh_from_db()
    assert estate.name != "被改的小区"
