"""Who may do what in property_rating: one named rule per action (the `rules` library).

Every admin action and `has_*_permission`, every view, API method and service of this app asks
`user.has_perm("property_rating.<action>", obj)`. Role grants are read through `communities.roles`
only. `obj` is the object acted on (a scheme, unit, report, payout, discrepancy, veto or town) and
scopes the grant to its town or company; without an object a rule answers "may this user take the
action somewhere" (used to offer an action or a page).

Superusers pass every rule (Django asks no backend for an active superuser).
"""

import rules
from django.core.exceptions import PermissionDenied

from communities import roles
from communities.models import Town, User

Role = roles.Role


def require(user, action: str, obj=None) -> None:
    """Raise PermissionDenied unless the rule `property_rating.<action>` lets `user` act on `obj`
    (the services' check, so the portal, admin, API and commands share it)."""
    if user is None or not user.has_perm(f"property_rating.{action}", obj):
        raise PermissionDenied


def town_id_of(obj) -> int | None:
    """The town an object of this app belongs to (None for no object)."""
    if obj is None:
        return None
    if isinstance(obj, Town):
        return obj.pk
    for path in ("town_id", "unit", "report", "payout", "item"):
        value = getattr(obj, path, None)
        if value is None:
            continue
        return value if path == "town_id" else town_id_of(value)
    return None


def company_id_of(obj) -> int | None:
    if obj is None:
        return None
    if hasattr(obj, "company_id"):
        return obj.company_id
    for path in ("unit", "report", "item"):
        value = getattr(obj, path, None)
        if value is not None:
            return company_id_of(value)
    return None


def _holds_in_town(user, obj, *held) -> bool:
    town_id = town_id_of(obj)
    if obj is not None and town_id is None:
        return False
    # A town grant is needed: a grant without a town acts nowhere.
    return any(
        grant.role in held and grant.town_id is not None and town_id in (None, grant.town_id)
        for grant in roles.grants_of(user)
    )


@rules.predicate
def is_township_staff(user, obj=None) -> bool:
    """Township staff of the object's town (of some town without an object)."""
    return _holds_in_town(user, obj, Role.TOWNSHIP_STAFF)


@rules.predicate
def is_reviewer(user, obj=None) -> bool:
    """Assessors and township staff of the object's town review reports."""
    return _holds_in_town(user, obj, Role.TOWNSHIP_STAFF, Role.ASSESSOR)


@rules.predicate
def is_expert(user, obj=None) -> bool:
    """Expert-panel members (assessors of that kind) of the object's town."""
    return (
        _holds_in_town(user, obj, Role.ASSESSOR)
        and user.assessor_kind == User.AssessorKind.EXPERT_PANEL
    )


@rules.predicate
def is_rating_staff(user, obj=None) -> bool:
    """Every staff role, and district and city staff (regions.md), read this app's records
    (scoped by the querysets)."""
    return roles.holds(user, *roles.STAFF_ROLES, *roles.REGION_ROLES)


@rules.predicate
def is_company_manager(user, obj=None) -> bool:
    """A property manager of the object's company, granted by the object's town (of some
    company without an object)."""
    pairs = roles.company_town_pairs(user)
    if not pairs or obj is None:
        return bool(pairs)
    company_id = company_id_of(obj)
    if company_id is None:
        return False
    town_id = town_id_of(obj)
    return any(
        company == company_id and (town is None or town_id is None or town == town_id)
        for company, town in pairs
    )


@rules.predicate
def is_resident(user, obj=None) -> bool:
    return roles.holds(user, Role.RESIDENT)


@rules.predicate
def is_verified_resident(user, obj=None) -> bool:
    return roles.holds(user, Role.RESIDENT) and user.verified_household is not None


# Reading the admin's and staff pages' records (querysets narrow them to the user's scope).
rules.add_perm("property_rating.view_records", is_rating_staff)
rules.add_perm("property_rating.export_results", is_rating_staff)

# Schemes (property_rating.md: editable by township staff until the year is published).
rules.add_perm("property_rating.manage_scheme", is_township_staff)
rules.add_perm("property_rating.copy_scheme", is_township_staff)
rules.add_perm("property_rating.sync_units", is_township_staff)
rules.add_perm("property_rating.import_assessment", is_township_staff)
rules.add_perm("property_rating.manage_units", is_township_staff)

# Reports.
rules.add_perm("property_rating.file_report", is_company_manager)
rules.add_perm("property_rating.open_report", is_company_manager | is_reviewer)
rules.add_perm("property_rating.review_report", is_reviewer)
rules.add_perm("property_rating.return_report", is_reviewer)
rules.add_perm("property_rating.score_inspection", is_expert)
rules.add_perm("property_rating.record_veto", is_township_staff)
rules.add_perm("property_rating.revoke_veto", is_township_staff)
rules.add_perm("property_rating.open_satisfaction", is_resident)
rules.add_perm("property_rating.rate_satisfaction", is_verified_resident)

# Scoring.
rules.add_perm("property_rating.compute_scores", is_township_staff)
rules.add_perm("property_rating.view_computation", is_rating_staff)

# Publication.
rules.add_perm("property_rating.publish_results", is_township_staff)
rules.add_perm("property_rating.reopen_results", is_township_staff)

# Payouts.
rules.add_perm("property_rating.adjust_payout", is_township_staff)
rules.add_perm("property_rating.approve_payout", is_township_staff)
rules.add_perm("property_rating.mark_payout_paid", is_township_staff)
rules.add_perm("property_rating.resolve_discrepancy", is_township_staff)

# Records (schemes, units, reports, inputs, computations, results, payouts) are kept: no role
# deletes them in the admin (a superuser, who passes every has_perm, still may).
rules.add_perm("property_rating.delete_records", rules.always_deny)
