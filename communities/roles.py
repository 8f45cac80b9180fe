"""Role grants: which roles a user holds, and where. The one place that reads a user's roles.

Every app's `rules.py` asks these functions (never `user.role` directly), so that a user may hold
several roles, each with its own scope (domain.md: "roles are granted, not one field").
"""

from dataclasses import dataclass

from django.db.models import Q

from .models import RoleGrant, Town, User

Role = User.Role

STAFF_ROLES = (Role.TOWNSHIP_STAFF, Role.COMMUNITY_STAFF, Role.ASSESSOR)
# regions.md: district and city staff read everything below their region and change nothing there.
REGION_ROLES = (Role.DISTRICT_STAFF, Role.CITY_STAFF)


@dataclass(frozen=True)
class Grant:
    """One role held by a user, with its scope (ids; None where the role has no such scope)."""

    role: str
    town_id: int | None = None
    community_id: int | None = None
    company_id: int | None = None
    region_id: int | None = None


def grants_of(user) -> tuple[Grant, ...]:
    """The grants `user` holds (empty for anonymous and inactive users); cached on the instance."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    cached = getattr(user, "_role_grants", None)
    if cached is None:
        cached = _load_grants(user)
        user._role_grants = cached
    return cached


def _load_grants(user) -> tuple[Grant, ...]:
    # The primary grant mirrors the user's own fields (kept in sync by User.save), so a user
    # with one role costs no query; further grants are read only when the user has some.
    grants = []
    if user.role:
        grants.append(Grant(**RoleGrant.scope_of(user)))
    if getattr(user, "has_extra_grants", False):
        grants.extend(
            Grant(
                role=row["role"],
                town_id=row["town_id"],
                community_id=row["community_id"],
                company_id=row["company_id"],
                region_id=row["region_id"],
            )
            for row in RoleGrant.objects.filter(user_id=user.pk, is_primary=False)
            .order_by("pk")
            .values("role", "town_id", "community_id", "company_id", "region_id")
        )
    return tuple(dict.fromkeys(grants))


def forget(user) -> None:
    """Drop the grants cached on `user` (after its grants changed)."""
    user.__dict__.pop("_role_grants", None)
    user.__dict__.pop("_region_town_ids", None)


def holds(user, *roles, town_id=None, community_id=None, company_id=None) -> bool:
    """Whether `user` holds one of `roles`, in the given scope where one is given.

    A community-staff grant matches `town_id` of its community's town; a scope argument left as
    None is not checked."""
    for grant in grants_of(user):
        if roles and grant.role not in roles:
            continue
        if town_id is not None and grant.town_id != town_id:
            continue
        if community_id is not None and grant.community_id != community_id:
            continue
        if company_id is not None and grant.company_id != company_id:
            continue
        return True
    return False


def town_ids(user, *roles) -> set[int]:
    """Towns in which `user` holds one of `roles` (any role if none is named)."""
    return {
        g.town_id
        for g in grants_of(user)
        if g.town_id is not None and (not roles or g.role in roles)
    }


def community_ids(user, *roles) -> set[int]:
    return {
        g.community_id
        for g in grants_of(user)
        if g.community_id is not None and (not roles or g.role in roles)
    }


def company_ids(user, *roles) -> set[int]:
    return {
        g.company_id
        for g in grants_of(user)
        if g.company_id is not None and (not roles or g.role in roles)
    }


def region_ids(user, *roles) -> set[int]:
    """Districts and cities in which `user` holds one of the region roles (or of `roles`)."""
    roles = roles or REGION_ROLES
    return {g.region_id for g in grants_of(user) if g.region_id is not None and g.role in roles}


def region_town_ids(user) -> set[int]:
    """Towns below the districts and cities of `user`'s region grants: what district and city
    staff read (one query, only for users holding a region grant)."""
    regions = region_ids(user)
    if not regions:
        return set()
    cache = user.__dict__.setdefault("_region_town_ids", {})
    key = frozenset(regions)
    if key not in cache:
        cache[key] = set(
            Town.objects.filter(
                Q(district_id__in=regions) | Q(district__city_id__in=regions)
            ).values_list("pk", flat=True)
        )
    return cache[key]


def is_region_staff(user) -> bool:
    return holds(user, *REGION_ROLES)


def is_staff(user) -> bool:
    """Superusers and every staff role (township, community, assessor)."""
    return bool(getattr(user, "is_superuser", False)) or holds(user, *STAFF_ROLES)


def company_town_pairs(user) -> set[tuple[int, int | None]]:
    """(company id, town id) of each property-manager grant of `user`: the manager reads a
    company's data of that town only, since that town's staff granted the account. A town of
    None (a grant made by a superuser) covers every town the company serves."""
    return {
        (g.company_id, g.town_id)
        for g in grants_of(user)
        if g.role == Role.PROPERTY_MANAGER and g.company_id is not None
    }


def manager_scope_q(user, *, company_path: str = "company", town_path: str = "town") -> Q:
    """Q limiting rows to the (company, town) pairs of `user`'s manager grants; matches nothing
    without one. E.g. AssessmentUnit: manager_scope_q(user); QuarterlyReport:
    manager_scope_q(user, company_path="unit__company", town_path="unit__town")."""
    q = Q(pk__in=[])
    for company_id, town_id in sorted(company_town_pairs(user), key=repr):
        pair = Q(**{company_path: company_id})
        if town_id is not None:
            pair &= Q(**{town_path: town_id})
        q |= pair
    return q


def holders(*roles, town_id=None, community_id=None, company_id=None, region_id=None):
    """Active users holding one of `roles` (any grant, primary or further) in the given scope:
    for queries such as "the township staff of this town" (whom to notify, whom to list).
    A community-staff grant matches `town_id` of its community's town."""
    grants = RoleGrant.objects.all()
    if roles:
        grants = grants.filter(role__in=roles)
    if town_id is not None:
        grants = grants.filter(town_id=town_id)
    if community_id is not None:
        grants = grants.filter(community_id=community_id)
    if company_id is not None:
        grants = grants.filter(company_id=company_id)
    if region_id is not None:
        grants = grants.filter(region_id=region_id)
    return User.objects.filter(is_active=True, pk__in=grants.values("user_id"))


def staff_of_community(community):
    """Township staff of the community's town and the community's own staff (any grant): whom
    to tell of an event in the community."""
    return (
        holders(Role.TOWNSHIP_STAFF, town_id=community.town_id)
        | holders(Role.COMMUNITY_STAFF, community_id=community.pk)
    ).order_by("pk")
