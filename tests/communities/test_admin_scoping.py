"""Community staff see and change only their own community's records in the admin."""

import pytest
from django.urls import reverse

from communities.factories import (
    BuildingFactory,
    EstateFactory,
    HouseholdFactory,
    PropertyCompanyFactory,
)
from communities.models import Estate, ServiceContract

pytestmark = pytest.mark.django_db


@pytest.fixture
def estates(two_communities):
    own, other = two_communities
    return (
        EstateFactory(community=own, name="糖果雅苑"),
        EstateFactory(community=other, name="中恒海晖"),
    )


@pytest.fixture
def staff_client(client, community_staff):
    client.force_login(community_staff)
    return client


def test_changelist_lists_only_own_community_estates(staff_client, estates):
    response = staff_client.get(reverse("admin:communities_estate_changelist"))
    assert response.status_code == 200
    names = [estate.name for estate in response.context["cl"].result_list]
    assert names == ["糖果雅苑"]
    assert "中恒海晖" not in response.content.decode()


def test_community_filter_offers_only_own_community(staff_client, estates):
    response = staff_client.get(reverse("admin:communities_estate_changelist"))
    body = response.content.decode()
    assert "海南洲社区" in body and "金溪社区" not in body


def test_change_view_of_other_community_estate_redirects_as_missing(staff_client, estates):
    other = estates[1]
    url = reverse("admin:communities_estate_change", args=[other.pk])
    response = staff_client.get(url, follow=True)
    # Django's admin answers an object outside get_queryset like a deleted one: a redirect to
    # the admin index with a "doesn't exist" warning.
    assert response.redirect_chain[0] == (reverse("admin:index"), 302)
    message = [str(m) for m in response.context["messages"]][0]
    assert str(other.pk) in message
    assert "中恒海晖" not in response.content.decode()


def test_posting_a_change_to_other_community_estate_changes_nothing(staff_client, estates):
    other = estates[1]
    url = reverse("admin:communities_estate_change", args=[other.pk])
    response = staff_client.post(
        url,
        {
            "name": "被改名",
            "community": other.community_id,
            "status": "delivered",
            "delivery_date": "2015-01-01",
            "planned_households": 1,
            "residents": 1,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    other.refresh_from_db()
    assert other.name == "中恒海晖"


def test_history_and_delete_views_of_other_community_estate_are_refused(staff_client, estates):
    other = estates[1]
    history = staff_client.get(reverse("admin:communities_estate_history", args=[other.pk]))
    assert history.status_code in (302, 404)
    delete = staff_client.post(
        reverse("admin:communities_estate_delete", args=[other.pk]), {"post": "yes"}
    )
    assert delete.status_code in (302, 403)
    assert Estate.objects.filter(pk=other.pk).exists()


def test_own_estate_can_be_changed(staff_client, estates):
    own = estates[0]
    url = reverse("admin:communities_estate_change", args=[own.pk])
    data = {
        "community": own.community_id,
        "name": "糖果雅苑",
        "status": "delivered",
        "delivery_date": "2015-01-01",
        "planned_households": 600,
        "residents": 1800,
        "supervising_unit": "",
        "address": "",
        "contracts-TOTAL_FORMS": 0,
        "contracts-INITIAL_FORMS": 0,
        "owners_committees-TOTAL_FORMS": 0,
        "owners_committees-INITIAL_FORMS": 0,
        "buildings-TOTAL_FORMS": 0,
        "buildings-INITIAL_FORMS": 0,
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    own.refresh_from_db()
    assert own.residents == 1800


def test_adding_an_estate_in_another_community_is_refused(staff_client, two_communities):
    other = two_communities[1]
    data = {
        "community": other.pk,
        "name": "越界小区",
        "status": "planned",
        "planned_households": 1,
        "residents": 0,
        "contracts-TOTAL_FORMS": 0,
        "contracts-INITIAL_FORMS": 0,
        "owners_committees-TOTAL_FORMS": 0,
        "owners_committees-INITIAL_FORMS": 0,
        "buildings-TOTAL_FORMS": 0,
        "buildings-INITIAL_FORMS": 0,
    }
    response = staff_client.post(reverse("admin:communities_estate_add"), data)
    assert response.status_code == 200
    assert "community" in response.context["adminform"].form.errors
    assert not Estate.objects.filter(name="越界小区").exists()


def test_foreign_key_choices_exclude_other_communities(staff_client, estates, community_staff):
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = community_staff
    estate_form = admin.site._registry[Estate].get_form(request)()
    assert list(estate_form.fields["community"].queryset) == [community_staff.community]
    contract_form = admin.site._registry[ServiceContract].get_form(request)()
    assert list(contract_form.fields["estate"].queryset) == [estates[0]]


def test_autocomplete_offers_only_own_community_estates(staff_client, estates):
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "communities",
            "model_name": "servicecontract",
            "field_name": "estate",
            "term": "",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["糖果雅苑"]


def test_contract_for_other_community_estate_is_refused(staff_client, estates):
    company = PropertyCompanyFactory()
    response = staff_client.post(
        reverse("admin:communities_servicecontract_add"),
        {"estate": estates[1].pk, "company": company.pk, "valid_from": "2024-01-01"},
    )
    assert response.status_code == 200
    assert "estate" in response.context["adminform"].form.errors
    assert not ServiceContract.objects.exists()


def test_households_list_is_scoped_and_filterable_by_community(staff_client, estates):
    own_building = BuildingFactory(estate=estates[0])
    HouseholdFactory(building=own_building, room="101")
    HouseholdFactory(building=BuildingFactory(estate=estates[1]), room="102")
    url = reverse("admin:communities_household_changelist")
    response = staff_client.get(url)
    assert [h.room for h in response.context["cl"].result_list] == ["101"]
    filtered = staff_client.get(
        url, {"building__estate__community__id__exact": estates[0].community_id}
    )
    assert filtered.context["cl"].result_count == 1


def test_township_staff_see_every_community_of_their_town_only(client, township_staff, estates):
    EstateFactory(name="别镇小区")  # another town
    client.force_login(township_staff)
    response = client.get(reverse("admin:communities_estate_changelist"))
    names = sorted(e.name for e in response.context["cl"].result_list)
    assert names == sorted(["糖果雅苑", "中恒海晖"])


def test_community_staff_cannot_manage_users_or_companies(staff_client):
    assert staff_client.get(reverse("admin:communities_user_changelist")).status_code == 403
    assert staff_client.get(reverse("admin:communities_propertycompany_add")).status_code == 403


def test_resident_cannot_enter_the_admin(client, db):
    from communities.factories import ResidentFactory

    client.force_login(ResidentFactory())
    response = client.get(reverse("admin:communities_estate_changelist"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_admin_index_links_to_the_staff_overview(staff_client):
    response = staff_client.get(reverse("admin:index"))
    assert reverse("staff-overview") in response.content.decode()


def test_two_overlapping_contracts_added_together_in_the_estate_form_are_refused(
    staff_client, estates
):
    own = estates[0]
    company = PropertyCompanyFactory()
    data = {
        "community": own.community_id,
        "name": own.name,
        "status": "delivered",
        "delivery_date": "2015-01-01",
        "planned_households": 1,
        "residents": 1,
        "supervising_unit": "",
        "address": "",
        "contracts-TOTAL_FORMS": 2,
        "contracts-INITIAL_FORMS": 0,
        "contracts-0-company": company.pk,
        "contracts-0-valid_from": "2020-01-01",
        "contracts-0-valid_to": "2022-12-31",
        "contracts-1-company": company.pk,
        "contracts-1-valid_from": "2022-01-01",
        "contracts-1-valid_to": "",
        "owners_committees-TOTAL_FORMS": 0,
        "owners_committees-INITIAL_FORMS": 0,
        "buildings-TOTAL_FORMS": 0,
        "buildings-INITIAL_FORMS": 0,
    }
    response = staff_client.post(reverse("admin:communities_estate_change", args=[own.pk]), data)
    assert response.status_code == 200
    assert not ServiceContract.objects.exists()
    data["contracts-1-valid_from"] = "2023-01-01"
    response = staff_client.post(reverse("admin:communities_estate_change", args=[own.pk]), data)
    assert response.status_code == 302
    assert ServiceContract.objects.filter(estate=own).count() == 2


def test_contract_added_in_the_admin_is_checked_for_overlap(client, township_staff, estates):
    from communities.factories import ServiceContractFactory

    ServiceContractFactory(estate=estates[0])  # open-ended from 2020
    client.force_login(township_staff)
    response = client.post(
        reverse("admin:communities_servicecontract_add"),
        {
            "estate": estates[0].pk,
            "company": PropertyCompanyFactory().pk,
            "valid_from": "2024-01-01",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert ServiceContract.objects.count() == 1
