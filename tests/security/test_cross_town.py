"""Another town's staff, and community staff of another community, reach into this town only
through what the rules grant (issue 10, item 5): a company's record is changed by staff of a
town it serves; a manager account made by one town reads that town only; every admin foreign
key, raw-id label and autocomplete stays inside the user's scope."""

import datetime

import pytest
from django.test import Client

from communities import roles
from communities.factories import (
    HouseholdFactory,
    ResidentFactory,
    ResidentVerificationFactory,
    ServiceContractFactory,
    TownshipStaffFactory,
)
from communities.models import Community, Estate, PropertyCompany, RoleGrant, User
from party_grid.models import PartyMember, PartyOrganization

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def other_town(world):
    return world.objects["unit_other_town"].town


@pytest.fixture
def other_staff(other_town):
    return TownshipStaffFactory(username="outsider", town=other_town)


def _only_here_company(world):
    """The demo manager's company, which serves Lishui only."""
    company = world.objects["company_own"]
    assert set(company.contracts.values_list("estate__community__town", flat=True)) == {
        world.objects["home_community"].town_id
    }
    return company


def test_another_towns_staff_cannot_change_a_company_serving_only_this_town(world, other_staff):
    company = _only_here_company(world)
    url = f"/admin/communities/propertycompany/{company.pk}/change/"
    client = _client(other_staff)
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()  # shown read-only at most
    response = client.post(url, {"name": "被改的物业", "credit_code": "", "address": ""})
    assert response.status_code == 403
    company.refresh_from_db()
    assert company.name != "被改的物业"


def test_this_towns_staff_change_a_company_serving_this_town(world):
    company = _only_here_company(world)
    url = f"/admin/communities/propertycompany/{company.pk}/change/"
    response = _client(world.users["staff"]).post(
        url, {"name": company.name, "credit_code": "", "address": "新地址"}
    )
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.address == "新地址"


def _manager_form(company, username):
    return {
        "username": username,
        "usable_password": "true",
        "password1": "Long-enough-pass-42",
        "password2": "Long-enough-pass-42",
        "role": User.Role.PROPERTY_MANAGER,
        "town": "",
        "community": "",
        "company": company.pk,
        "assessor_kind": "",
        "display_name": "",
        "phone": "",
        "is_staff": "",
    }


def test_another_towns_staff_cannot_make_a_manager_account_for_a_company_of_this_town(
    world, other_staff
):
    company = _only_here_company(world)
    response = _client(other_staff).post(
        "/admin/communities/user/add/", _manager_form(company, "intruder")
    )
    assert response.status_code == 200
    assert "company" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="intruder").exists()


def test_company_autocomplete_of_the_account_form_offers_no_company_of_another_town(
    world, other_staff
):
    company = _only_here_company(world)
    response = _client(other_staff).get(
        "/admin/autocomplete/",
        {
            "app_label": "communities",
            "model_name": "user",
            "field_name": "company",
            "term": company.name[:2],
        },
    )
    assert response.status_code == 200
    assert str(company.pk) not in {r["id"] for r in response.json()["results"]}


def test_a_manager_account_made_by_another_town_is_granted_that_town_only(
    world, other_staff, other_town
):
    # The company serves both towns; the account made by the other town's staff reads the
    # other town's data only: its grant names that town and who made it.
    company = _only_here_company(world)
    ServiceContractFactory(
        estate=Estate.objects.filter(community__town=other_town).first(),
        company=company,
        valid_from=datetime.date(2024, 1, 1),
    )
    response = _client(other_staff).post(
        "/admin/communities/user/add/", _manager_form(company, "their-manager")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    manager = User.objects.get(username="their-manager")
    assert roles.company_town_pairs(manager) == {(company.pk, other_town.pk)}
    grant = RoleGrant.objects.get(user=manager)
    assert grant.created_by == other_staff
    here = world.objects["home_community"].town
    assert not roles.holds(manager, roles.Role.PROPERTY_MANAGER, town_id=here.pk)


def _resident_of_another_community(world):
    other = Community.objects.filter(town=world.objects["home_community"].town).exclude(
        pk=world.objects["home_community"].pk
    )[0]
    resident = ResidentFactory(username="elsewhere-resident", display_name="居民 外社区甲")
    household = Estate.objects.filter(community=other)[0].buildings.first().households.first()
    ResidentVerificationFactory(user=resident, household=household)
    return resident


def test_raw_id_lookup_names_nobody_of_another_community(world):
    resident = _resident_of_another_community(world)
    page = _client(world.users["community"]).get(
        f"/admin/deliberation/council/add/?secretary={resident.pk}"
    )
    assert page.status_code == 200
    assert "外社区甲" not in page.content.decode()


def test_raw_id_lookup_names_a_resident_of_the_own_community(world):
    resident = world.users["resident"]
    resident.display_name = "居民 本社区乙"
    resident.save()
    page = _client(world.users["community"]).get(
        f"/admin/deliberation/council/add/?secretary={resident.pk}"
    )
    assert "本社区乙" in page.content.decode()


def test_raw_id_lookup_shows_no_room_of_another_town(world):
    estate2 = Estate.objects.get(name="外镇小区")
    household = HouseholdFactory(building__estate=estate2, room="9901")
    page = _client(world.users["community"]).get(
        f"/admin/party_grid/visit/add/?household={household.pk}"
    )
    assert page.status_code == 200
    assert "9901" not in page.content.decode().replace(f'value="{household.pk}"', "")
    assert str(household) not in page.content.decode()


def test_party_member_cannot_be_linked_to_another_towns_user(world):
    organization = PartyOrganization.objects.filter(
        community=world.objects["home_community"]
    ).first()
    outsider = ResidentFactory(username="far-away")
    ResidentVerificationFactory(
        user=outsider,
        household=HouseholdFactory(building__estate=Estate.objects.get(name="外镇小区")),
    )
    data = {
        "organization": organization.pk,
        "name": "新党员",
        "new_phone": "",
        "employer": "",
        "user": outsider.pk,
        "joined_on": "2024-01-01",
        "left_on": "",
    }
    client = _client(world.users["community"])
    response = client.post("/admin/party_grid/partymember/add/", data)
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not PartyMember.objects.filter(name="新党员").exists()
    own = ResidentFactory(username="near-by")
    ResidentVerificationFactory(
        user=own, household=world.objects["home_estate"].buildings.first().households.last()
    )
    response = client.post("/admin/party_grid/partymember/add/", {**data, "user": own.pk})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert PartyMember.objects.get(name="新党员").user == own


def test_company_choices_of_an_account_are_the_companies_serving_the_town(world, other_staff):
    company = _only_here_company(world)
    form = _client(other_staff).get("/admin/communities/user/add/").context["adminform"].form
    offered = form.fields["company"].queryset
    assert company not in offered
    serving_other = PropertyCompany.objects.get(name="外镇物业")
    assert serving_other in offered


def test_party_statistics_with_a_non_ascii_digit_town_is_a_400(world):
    response = Client().get("/api/v1/party-statistics/", {"town": "²"})
    assert response.status_code == 400
    assert "town" in response.json()
