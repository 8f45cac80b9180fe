"""Who may do what in the registry (towns, communities, estates, companies, accounts), and the
queryset scopes beside the rules that use them.

Named permissions (`user.has_perm("communities.<action>", obj)`) are predicates over the user's
role grants (communities.roles), never over `user.role`. The scopes registered here limit every
foreign-key choice, raw-id label and autocomplete of the admin (communities.admin_mixins) to what
the user may see.
"""

import rules

from . import roles, scoping
from .models import (
    Building,
    Community,
    Estate,
    Household,
    OwnersCommittee,
    PropertyCompany,
    ResidentVerification,
    ServiceContract,
    Town,
    User,
)

Role = roles.Role

# --- Predicates -----------------------------------------------------------------------------


@rules.predicate
def is_superuser(user) -> bool:
    return bool(getattr(user, "is_superuser", False))


@rules.predicate
def is_township_staff(user) -> bool:
    return roles.holds(user, Role.TOWNSHIP_STAFF)


@rules.predicate
def is_community_staff(user) -> bool:
    return roles.holds(user, Role.COMMUNITY_STAFF)


@rules.predicate
def is_assessor(user) -> bool:
    return roles.holds(user, Role.ASSESSOR)


@rules.predicate
def is_property_manager(user) -> bool:
    return roles.holds(user, Role.PROPERTY_MANAGER)


@rules.predicate
def is_resident(user) -> bool:
    return roles.holds(user, Role.RESIDENT)


@rules.predicate
def is_staff_role(user) -> bool:
    return scoping.is_staff_role(user)


@rules.predicate
def may_change_company(user, company) -> bool:
    return company is None or scoping.may_change_company(user, company)


@rules.predicate
def sees_verification(user, verification) -> bool:
    if verification is None:
        return True
    community_id = verification.household.building.estate.community_id
    return scoping.visible_communities(user).filter(pk=community_id).exists()


registry_staff = is_superuser | is_township_staff | is_community_staff
deciding_staff = is_superuser | is_township_staff | is_community_staff

rules.add_perm("communities.view_registry", is_superuser | is_staff_role)
rules.add_perm("communities.change_registry", registry_staff)
rules.add_perm("communities.view_staff_overview", is_superuser | is_staff_role)
rules.add_perm("communities.manage_accounts", is_superuser | is_township_staff)
rules.add_perm(
    "communities.change_propertycompany", is_superuser | (is_township_staff & may_change_company)
)
rules.add_perm("communities.request_verification", is_resident)
rules.add_perm("communities.decide_verification", deciding_staff & sees_verification)

# Project-wide permissions the governance package asks for (it names no domain app).
rules.add_perm("security.staff", is_staff_role)
rules.add_perm("security.reveal_phone", is_superuser | is_township_staff | is_community_staff)


# --- Queryset scopes ------------------------------------------------------------------------


def visible_towns(qs, user):
    if getattr(user, "is_superuser", False):
        return qs
    return qs.filter(pk__in=roles.town_ids(user, *roles.STAFF_ROLES))


def _by_community(path):
    def scope(qs, user):
        return scoping.scope_to_staff(qs, user, community_path=path)

    return scope


def visible_users(qs, user):
    return qs.filter(pk__in=scoping.visible_users(user).values("pk"))


def visible_companies(qs, user):
    return qs.filter(pk__in=scoping.visible_companies(user).values("pk"))


# Related model -> scope of its choices in admin forms (see admin_mixins.scope_choices).
CHOICE_SCOPES = {
    Town: visible_towns,
    Community: _by_community("pk"),
    Estate: _by_community("community"),
    Building: _by_community("estate__community"),
    Household: _by_community("building__estate__community"),
    ServiceContract: _by_community("estate__community"),
    OwnersCommittee: _by_community("estate__community"),
    ResidentVerification: _by_community("household__building__estate__community"),
    PropertyCompany: visible_companies,
    User: visible_users,
}
