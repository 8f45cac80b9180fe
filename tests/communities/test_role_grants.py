"""Roles are granted, not one field: a user may hold several grants, each with its scope; the
account's own role fields stay its primary grant."""

import pytest

from communities import roles, scoping
from communities.factories import (
    CommunityFactory,
    PropertyManagerFactory,
    ResidentFactory,
    TownFactory,
    TownshipStaffFactory,
)
from communities.models import RoleGrant, User

pytestmark = pytest.mark.django_db


def test_an_account_role_is_its_primary_grant_and_follows_changes():
    town = TownFactory()
    user = TownshipStaffFactory(town=town)
    grant = RoleGrant.objects.get(user=user)
    assert (grant.role, grant.town_id, grant.is_primary) == ("township_staff", town.pk, True)
    community = CommunityFactory(town=town)
    user.role, user.community = User.Role.COMMUNITY_STAFF, community
    user.save()
    grant = RoleGrant.objects.get(user=user)
    assert (grant.role, grant.community_id) == ("community_staff", community.pk)


def test_a_resident_who_is_also_community_staff_holds_both_roles():
    community = CommunityFactory()
    user = ResidentFactory()
    RoleGrant.objects.create(
        user=user, role=User.Role.COMMUNITY_STAFF, community=community, created_by=None
    )
    user = User.objects.get(pk=user.pk)
    assert roles.holds(user, User.Role.RESIDENT)
    assert roles.holds(user, User.Role.COMMUNITY_STAFF, community_id=community.pk)
    assert roles.is_staff(user) and user.is_community_staff and user.is_resident
    assert list(scoping.visible_communities(user)) == [community]


def test_removing_the_further_grant_takes_the_role_away():
    community = CommunityFactory()
    user = ResidentFactory()
    grant = RoleGrant.objects.create(user=user, role=User.Role.COMMUNITY_STAFF, community=community)
    grant.delete()
    user = User.objects.get(pk=user.pk)
    assert not roles.holds(user, User.Role.COMMUNITY_STAFF)
    assert not user.has_extra_grants


def test_reading_a_single_role_costs_no_query(django_assert_num_queries):
    user = User.objects.get(pk=TownshipStaffFactory().pk)
    with django_assert_num_queries(0):
        assert roles.is_staff(user)


def test_a_manager_reads_the_company_in_the_towns_of_its_grants():
    town, other = TownFactory(), TownFactory()
    manager = PropertyManagerFactory(town=town)
    RoleGrant.objects.create(
        user=manager, role=User.Role.PROPERTY_MANAGER, company=manager.company, town=other
    )
    manager = User.objects.get(pk=manager.pk)
    assert roles.company_town_pairs(manager) == {
        (manager.company_id, town.pk),
        (manager.company_id, other.pk),
    }
    # A manager account made by a superuser without a town covers every town served.
    free = PropertyManagerFactory()
    assert roles.company_town_pairs(free) == {(free.company_id, None)}


def test_holders_finds_users_by_any_of_their_grants():
    community = CommunityFactory()
    staff = TownshipStaffFactory(town=community.town)
    resident = ResidentFactory()
    RoleGrant.objects.create(user=resident, role=User.Role.COMMUNITY_STAFF, community=community)
    found = roles.holders(
        User.Role.TOWNSHIP_STAFF, User.Role.COMMUNITY_STAFF, town_id=community.town_id
    )
    assert set(found) == {staff, resident}
    assert set(roles.holders(User.Role.COMMUNITY_STAFF, community_id=community.pk)) == {resident}
