"""Who may see which part of the town: one place, used by the admin, the API and the portal.

Implemented on the user's role grants (communities.roles), so a user holding several grants sees
the union of their scopes. `community_path` names the lookup from a model to its Community
("community", "estate__community", "building__estate__community", ...). Town-level models pass
`town_path`.
"""

import contextlib
from contextvars import ContextVar

from django.db.models import Q, QuerySet
from django.http import Http404

from . import roles
from .models import Community, PropertyCompany, User

Role = roles.Role
# Staff roles that see a whole town; community staff see their community (and read the
# town-level records of its town).
TOWN_WIDE_ROLES = (Role.TOWNSHIP_STAFF, Role.ASSESSOR)

# regions.md: district and city staff read everything below their region and change nothing
# there. While a write is handled (communities.middleware: every non-safe request, and the
# admin's change and delete checks), the region grants widen no scope.
_WRITING: ContextVar[bool] = ContextVar("communities_scoping_writing", default=False)


@contextlib.contextmanager
def writing():
    """Scopes computed inside leave out the towns read through region grants."""
    token = _WRITING.set(True)
    try:
        yield
    finally:
        _WRITING.reset(token)


def is_writing() -> bool:
    return _WRITING.get()


def region_read_town_ids(user) -> set[int]:
    """Towns `user` reads through district or city grants (none while writing): the one helper
    every read scope of every app adds to its town-scoped grants."""
    if _WRITING.get():
        return set()
    return roles.region_town_ids(user)


def reader_town_ids(user, *town_roles) -> set[int]:
    """Towns in which `user` holds one of `town_roles` (any if none named), plus the towns below
    its region grants (while reading)."""
    return roles.town_ids(user, *town_roles) | region_read_town_ids(user)


def reads_region(user, region) -> bool:
    """Whether `user` reads the whole of `region` (a district or city) through a grant on it or
    on its city (never while writing)."""
    if _WRITING.get():
        return False
    grants = roles.region_ids(user)
    return region.pk in grants or region.city_id in grants


def readable_area(user, area, *town_roles):
    """`area` (communities.regions.Area) if `user` reads it: a town where they hold one of
    `town_roles` (any if none named) or below their region grants, a district or city they hold
    a grant on or on its city. Otherwise 404, so another area's page looks like a missing one."""
    if user.is_superuser:
        return area
    if area.town is not None:
        if area.town.pk in reader_town_ids(user, *town_roles):
            return area
    elif reads_region(user, area.region):
        return area
    raise Http404


def _staff_scope(user) -> tuple[set[int], set[int], set[int]]:
    """(towns seen whole, communities seen, towns whose town-level records are read)."""
    whole_towns = roles.town_ids(user, *TOWN_WIDE_ROLES) | region_read_town_ids(user)
    communities = roles.community_ids(user, Role.COMMUNITY_STAFF)
    read_towns = whole_towns | roles.town_ids(user, Role.COMMUNITY_STAFF)
    return whole_towns, communities, read_towns


def visible_communities(user) -> QuerySet:
    """Communities whose records `user` may see as staff."""
    if not getattr(user, "is_authenticated", False):
        return Community.objects.none()
    if user.is_superuser:
        return Community.objects.all()
    whole_towns, communities, _read = _staff_scope(user)
    if not whole_towns and not communities:
        return Community.objects.none()
    return Community.objects.filter(Q(town_id__in=whole_towns) | Q(pk__in=communities))


def scope_to_staff(
    qs: QuerySet, user, *, community_path: str | None = None, town_path: str | None = None
) -> QuerySet:
    """Limit `qs` to what `user` may see as staff (superuser: all; community staff: their
    community; township staff and assessors: their town; district and city staff, while
    reading, every town below their region; everyone else: nothing)."""
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_superuser:
        return qs
    whole_towns, communities, read_towns = _staff_scope(user)
    if not whole_towns and not communities:
        return qs.none()
    if community_path is None:
        # Town-level records (companies, schemes): community staff read those of their town.
        return qs.filter(**{f"{town_path}__in": read_towns}) if town_path else qs
    town_lookup = "town" if community_path == "pk" else f"{community_path}__town"
    return qs.filter(
        Q(**{f"{town_lookup}__in": whole_towns}) | Q(**{f"{community_path}__in": communities})
    )


def visible_users(user) -> QuerySet:
    """Accounts `user` may see and pick as staff (a council's secretary, a party member's
    account): those working in or holding a grant in the user's communities or towns, and
    residents verified to one of their households. Never superusers."""
    if not getattr(user, "is_authenticated", False):
        return User.objects.none()
    if user.is_superuser:
        return User.objects.all()
    with writing():  # accounts are picked to change a record: region grants pick nobody
        whole_towns, communities, _read = _staff_scope(user)
        if not whole_towns and not communities:
            return User.objects.none()
        comms = visible_communities(user)
    return _users_in(whole_towns, comms)


def _users_in(whole_towns, comms) -> QuerySet:
    in_scope = (
        Q(community__in=comms)
        | Q(grants__community__in=comms)
        | Q(verifications__household__building__estate__community__in=comms)
    )
    if whole_towns:
        in_scope |= Q(town__in=whole_towns) | Q(grants__town__in=whole_towns)
    return User.objects.filter(pk__in=User.objects.filter(in_scope).values("pk")).exclude(
        is_superuser=True
    )


def companies_serving(town_ids) -> QuerySet:
    """Companies with a service contract (past or present) in one of `town_ids`."""
    return PropertyCompany.objects.filter(
        pk__in=PropertyCompany.objects.filter(
            contracts__estate__community__town__in=town_ids
        ).values("pk")
    )


def visible_companies(user) -> QuerySet:
    """Companies `user` may pick as staff (for a manager's account, a unit): those serving one
    of the user's towns, and companies with no contract yet (just registered)."""
    if not getattr(user, "is_authenticated", False):
        return PropertyCompany.objects.none()
    if user.is_superuser:
        return PropertyCompany.objects.all()
    _whole, _comms, read_towns = _staff_scope(user)
    if not read_towns:
        return PropertyCompany.objects.none()
    return PropertyCompany.objects.filter(
        Q(pk__in=companies_serving(read_towns).values("pk")) | Q(contracts__isnull=True)
    ).distinct()


def may_change_company(user, company) -> bool:
    """A company's record is changed only by township staff of a town it serves (or has
    served), or by a superuser; a company with no contract yet by any township staff."""
    if user.is_superuser:
        return True
    towns = roles.town_ids(user, Role.TOWNSHIP_STAFF)
    if not towns:
        return False
    if not company.contracts.exists():
        return True
    return companies_serving(towns).filter(pk=company.pk).exists()


def is_staff_role(user) -> bool:
    return getattr(user, "is_authenticated", False) and roles.is_staff(user)


def is_region_reader(user) -> bool:
    """District or city staff (an active account holding a region grant)."""
    return getattr(user, "is_authenticated", False) and roles.is_region_staff(user)


def is_staff_reader(user) -> bool:
    """Every staff role, and district and city staff: who reads staff pages in some scope."""
    return is_staff_role(user) or is_region_reader(user)


def is_region_only(user) -> bool:
    """A region staff member holding no town-level staff role: reads, never changes."""
    return is_region_reader(user) and not (
        getattr(user, "is_superuser", False) or roles.holds(user, *roles.STAFF_ROLES)
    )


def is_township_staff_of(user, town_id) -> bool:
    """Superusers, and township staff of the town `town_id`."""
    return getattr(user, "is_authenticated", False) and (
        user.is_superuser or roles.holds(user, Role.TOWNSHIP_STAFF, town_id=town_id)
    )
