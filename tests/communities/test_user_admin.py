"""Township staff manage the accounts of their own town; nobody but a superuser grants
superuser rights; phones are masked in the list and never put in a change page."""

import pytest
from django.urls import reverse

from communities.factories import CommunityStaffFactory, TownshipStaffFactory, UserFactory
from communities.models import User

pytestmark = pytest.mark.django_db

# The management form of the change page's "further roles" inline, with no rows.
NO_FURTHER_GRANTS = {"grants-TOTAL_FORMS": "0", "grants-INITIAL_FORMS": "0"}


def test_user_list_masks_phone_numbers(client, township_staff, two_communities):
    CommunityStaffFactory(community=two_communities[0], phone="13812341234")
    client.force_login(township_staff)
    body = client.get(reverse("admin:communities_user_changelist")).content.decode()
    assert "138****1234" in body
    assert "13812341234" not in body


def test_township_staff_see_only_users_of_their_town(client, township_staff, two_communities):
    CommunityStaffFactory(community=two_communities[0], username="ours")
    TownshipStaffFactory(username="elsewhere")  # another town
    UserFactory(username="root", is_superuser=True, is_staff=True, town=township_staff.town)
    client.force_login(township_staff)
    response = client.get(reverse("admin:communities_user_changelist"))
    usernames = {u.username for u in response.context["cl"].result_list}
    assert usernames == {"township", "ours"}


def test_township_staff_cannot_grant_superuser_rights(client, township_staff, two_communities):
    target = CommunityStaffFactory(community=two_communities[0], username="target")
    client.force_login(township_staff)
    url = reverse("admin:communities_user_change", args=[target.pk])
    form = client.get(url).context["adminform"].form
    assert "is_superuser" not in form.fields and "user_permissions" not in form.fields
    response = client.post(
        url,
        {
            "username": "target",
            "role": "community_staff",
            "community": two_communities[0].pk,
            "town": township_staff.town_id,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "display_name": "",
            "phone": "",
            "assessor_kind": "",
            **NO_FURTHER_GRANTS,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    target.refresh_from_db()
    assert not target.is_superuser


def test_township_staff_create_community_staff_in_their_town(
    client, township_staff, two_communities
):
    client.force_login(township_staff)
    response = client.post(
        reverse("admin:communities_user_add"),
        {
            "username": "newstaff",
            "usable_password": "true",
            "password1": "A-long-pass-2024",
            "password2": "A-long-pass-2024",
            "role": "community_staff",
            "community": two_communities[1].pk,
            "is_staff": "on",
            "display_name": "",
            "phone": "",
            "assessor_kind": "",
            **NO_FURTHER_GRANTS,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="newstaff")
    assert user.town == township_staff.town and user.community == two_communities[1]


def test_town_less_residents_and_managers_tied_to_the_town_are_listed(
    client, township_staff, two_communities
):
    from communities.factories import (
        EstateFactory,
        HouseholdFactory,
        PropertyManagerFactory,
        ServiceContractFactory,
        verified_resident,
    )

    estate = EstateFactory(community=two_communities[0])
    verified_resident(household=HouseholdFactory(building__estate=estate), username="ourresident")
    manager = PropertyManagerFactory(username="ourmanager")
    ServiceContractFactory(estate=estate, company=manager.company)
    verified_resident(username="elsewhere_resident")  # household in another town
    PropertyManagerFactory(username="elsewhere_manager")
    client.force_login(township_staff)
    response = client.get(reverse("admin:communities_user_changelist"))
    usernames = {u.username for u in response.context["cl"].result_list}
    assert usernames == {"township", "ourresident", "ourmanager"}


def test_user_change_page_never_shows_the_stored_phone(client, township_staff, two_communities):
    target = CommunityStaffFactory(community=two_communities[0], phone="13812341234")
    client.force_login(township_staff)
    body = client.get(reverse("admin:communities_user_change", args=[target.pk])).content.decode()
    assert "13812341234" not in body
    assert "138****1234" in body


def test_typing_a_new_phone_replaces_it_and_leaving_it_empty_keeps_it(
    client, township_staff, two_communities
):
    target = CommunityStaffFactory(
        community=two_communities[0], username="target", phone="13812341234"
    )
    client.force_login(township_staff)
    url = reverse("admin:communities_user_change", args=[target.pk])
    data = {
        "username": "target",
        "role": "community_staff",
        "community": two_communities[0].pk,
        "town": township_staff.town_id,
        "is_active": "on",
        "is_staff": "on",
        "display_name": "",
        "assessor_kind": "",
        "new_phone": "",
        **NO_FURTHER_GRANTS,
    }
    assert client.post(url, data).status_code == 302
    target.refresh_from_db()
    assert target.phone == "13812341234"

    assert client.post(url, {**data, "new_phone": "13900001111"}).status_code == 302
    target.refresh_from_db()
    assert target.phone == "13900001111"


def test_township_staff_grant_a_further_role_in_their_town_on_the_user_page(
    client, township_staff, two_communities
):
    from communities import roles
    from communities.factories import TownshipStaffFactory as OtherTownStaff
    from communities.models import RoleGrant

    target = UserFactory(username="resident-and-worker", role=User.Role.RESIDENT)
    target.town = township_staff.town
    target.save()
    client.force_login(township_staff)
    url = reverse("admin:communities_user_change", args=[target.pk])
    data = {
        "username": "resident-and-worker",
        "role": "resident",
        "community": "",
        "town": township_staff.town_id,
        "is_active": "on",
        "display_name": "",
        "assessor_kind": "",
        "new_phone": "",
        "grants-TOTAL_FORMS": "1",
        "grants-INITIAL_FORMS": "0",
        "grants-0-role": "community_staff",
        "grants-0-town": township_staff.town_id,
        "grants-0-community": two_communities[1].pk,
        "grants-0-company": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    target = User.objects.get(pk=target.pk)
    assert roles.holds(target, User.Role.RESIDENT)
    assert roles.community_ids(target, User.Role.COMMUNITY_STAFF) == {two_communities[1].pk}
    grant = RoleGrant.objects.get(user=target, is_primary=False)
    assert grant.created_by == township_staff

    # A community of another town is not a choice.
    elsewhere = OtherTownStaff(username="far")
    from communities.factories import CommunityFactory

    foreign = CommunityFactory(town=elsewhere.town)
    response = client.post(
        url,
        {
            **data,
            "grants-TOTAL_FORMS": "2",
            "grants-INITIAL_FORMS": "1",
            "grants-0-id": grant.pk,
            "grants-0-user": target.pk,
            "grants-1-role": "community_staff",
            "grants-1-town": "",
            "grants-1-community": foreign.pk,
            "grants-1-company": "",
        },
    )
    assert response.status_code == 200
    assert not RoleGrant.objects.filter(user=target, community=foreign).exists()
