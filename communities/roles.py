"""Role grants: which roles a user holds, and where. The one place that reads a user's roles.

Every app's `rules.py` asks these functions (never `user.role` directly), so that a user may hold
several roles, each with its own scope (domain.md: "roles are granted, not one field").
"""

from dataclasses import dataclass

from .models import User

Role = User.Role

STAFF_ROLES = (Role.TOWNSHIP_STAFF, Role.COMMUNITY_STAFF, Role.ASSESSOR)


@dataclass(frozen=True)
class Grant:
    """One role held by a user, with its scope (ids; None where the role has no such scope)."""

    role: str
    town_id: int | None = None
    community_id: int | None = None
    company_id: int | None = None


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
    if not user.role:
        return ()
    return (
        Grant(
            role=user.role,
            town_id=user.town_id,
            community_id=user.community_id if user.role == Role.COMMUNITY_STAFF else None,
            company_id=user.company_id if user.role == Role.PROPERTY_MANAGER else None,
        ),
    )


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


def is_staff(user) -> bool:
    """Superusers and every staff role (township, community, assessor)."""
    return bool(getattr(user, "is_superuser", False)) or holds(user, *STAFF_ROLES)
