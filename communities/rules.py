"""Who may do what in the registry (towns, communities, estates, companies, accounts), and the
queryset scopes beside the rules that use them.

Named permissions (`user.has_perm("communities.<action>", obj)`) are predicates over the user's
role grants (communities.roles), never over `user.role`. The scopes registered here limit every
foreign-key choice, raw-id label and autocomplete of the admin (communities.admin_mixins) to what
the user may see.
"""

from dataclasses import dataclass

import rules

from . import roles, scoping
from .accounts import AccountAudit, AccountStatement
from .departments import Department
from .models import (
    Building,
    Community,
    Estate,
    Household,
    OwnersCommittee,
    OwnersCommitteeMember,
    PropertyCompany,
    Region,
    ResidentVerification,
    RoleGrant,
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
def is_region_staff(user) -> bool:
    """District and city staff (regions.md): read everything below their region, change
    nothing there."""
    return scoping.is_region_reader(user)


@rules.predicate
def may_change_company(user, company) -> bool:
    return company is None or scoping.may_change_company(user, company)


@rules.predicate
def sees_verification(user, verification) -> bool:
    if verification is None:
        return True
    community_id = verification.household.building.estate.community_id
    return scoping.visible_communities(user).filter(pk=community_id).exists()


@rules.predicate
def is_admin_staff(user) -> bool:
    """An active account with the staff flag: the only accounts the admin site lets in."""
    return bool(getattr(user, "is_active", False) and getattr(user, "is_staff", False))


@rules.predicate
def in_own_scope(user, obj) -> bool:
    """`obj` lies inside what `user` may see (the same scope that limits the admin's lists and
    choices); no object: the question is about the model as a whole."""
    if obj is None:
        return True
    from .admin_mixins import scope_choices

    return scope_choices(type(obj)._default_manager.filter(pk=obj.pk), user).exists()


@rules.predicate
def in_own_write_scope(user, obj) -> bool:
    """`obj` lies inside what `user` may change: the same scope without the towns read through
    district or city grants."""
    with scoping.writing():
        return in_own_scope.test(user, obj)


registry_staff = is_superuser | is_township_staff | is_community_staff
deciding_staff = is_superuser | is_township_staff | is_community_staff

# Role sets of the admin (a superuser passes every has_perm before any rule is asked).
nobody = rules.always_deny
township = is_township_staff
keepers = is_township_staff | is_community_staff
town_staff_view = is_township_staff | is_community_staff | is_assessor
# regions.md: district and city staff read every record below their region.
staff_view = town_staff_view | is_region_staff


@dataclass(frozen=True)
class ModelRule:
    """Who may see, add, change and delete one model in the admin."""

    view: rules.Predicate
    change: rules.Predicate
    delete: rules.Predicate
    add: rules.Predicate


# Model -> its admin rule; communities.admin_mixins asks `<app>.<action>_<model>` for these.
MODEL_RULES: dict[type, ModelRule] = {}


def add_model_perms(
    model, *, view=staff_view, change=keepers, delete=nobody, add=None, shared=False
) -> None:
    """Register `<app>.view_/add_/change_/delete_<model>` for the admin: view is granted to
    whoever may view or change; objects are asked about inside the user's scope only, except that
    a `shared` model's records are seen by every role that may view (its change rule decides)."""
    rule = ModelRule(view=view, change=change, delete=delete, add=change if add is None else add)
    MODEL_RULES[model] = rule
    label = f"{model._meta.app_label}.%s_{model._meta.model_name}"
    seen = is_admin_staff & (rule.view | rule.change)
    rules.add_perm(label % "view", seen if shared else seen & in_own_scope)
    rules.add_perm(label % "add", is_admin_staff & rule.add)
    rules.add_perm(label % "change", is_admin_staff & rule.change & in_own_write_scope)
    rules.add_perm(label % "delete", is_admin_staff & rule.delete & in_own_write_scope)


# The region tree and its towns are kept by the deployment's superuser.
add_model_perms(Region, view=nobody, change=nobody)
add_model_perms(Town, change=nobody)
add_model_perms(Community, change=township)
add_model_perms(Estate)
add_model_perms(Building)
add_model_perms(Household)
# Companies serve several towns: every staff role sees them, staff of a town the company
# serves change its record.
add_model_perms(PropertyCompany, change=township & may_change_company, shared=True)
add_model_perms(ServiceContract)
add_model_perms(OwnersCommittee)
add_model_perms(OwnersCommitteeMember, delete=keepers)
# Residents ask in the portal; their certificates are read by the staff who decide, not by
# district or city staff.
add_model_perms(ResidentVerification, view=town_staff_view, add=nobody)
add_model_perms(User, view=township, change=township)
add_model_perms(RoleGrant, view=township, change=township, delete=township)
add_model_perms(Department, change=township)
add_model_perms(AccountStatement, change=nobody)  # filed through the portal, never edited
add_model_perms(AccountAudit)

rules.add_perm("communities.view_registry", is_superuser | is_staff_role | is_region_staff)
rules.add_perm("communities.change_registry", registry_staff)
rules.add_perm("communities.view_staff_overview", is_superuser | is_staff_role | is_region_staff)
rules.add_perm("communities.manage_accounts", is_superuser | is_township_staff)
rules.add_perm("communities.request_verification", is_resident)
rules.add_perm("communities.decide_verification", deciding_staff & sees_verification)

# Project-wide permissions the governance package asks for (it names no domain app).
rules.add_perm("security.staff", is_staff_role | is_region_staff)
# Department staff act on residents' cases, district and city staff read a region's records:
# they verify a second factor as staff do.
rules.add_perm(
    "security.second_factor",
    is_staff_role
    | is_region_staff
    | rules.predicate(lambda user: roles.holds(user, Role.DEPARTMENT_STAFF)),
)
rules.add_perm("security.reveal_phone", is_superuser | is_township_staff | is_community_staff)


# --- Queryset scopes ------------------------------------------------------------------------


def visible_towns(qs, user):
    if getattr(user, "is_superuser", False):
        return qs
    return qs.filter(pk__in=scoping.reader_town_ids(user, *roles.STAFF_ROLES))


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
