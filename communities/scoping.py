"""Who may see which part of the town: one place, used by the admin, the API and the portal.

`community_path` names the lookup from a model to its Community ("community",
"estate__community", "building__estate__community", ...). Town-level models pass `town_path`.
"""

from django.db.models import QuerySet

from .models import Community, User


def visible_communities(user) -> QuerySet:
    """Communities whose records `user` may see as staff."""
    if not user.is_authenticated:
        return Community.objects.none()
    if user.is_superuser:
        return Community.objects.all()
    if user.role == User.Role.COMMUNITY_STAFF:
        return Community.objects.filter(pk=user.community_id)
    if user.role in (User.Role.TOWNSHIP_STAFF, User.Role.ASSESSOR):
        return Community.objects.filter(town_id=user.town_id)
    return Community.objects.none()


def scope_to_staff(
    qs: QuerySet, user, *, community_path: str | None = None, town_path: str | None = None
) -> QuerySet:
    """Limit `qs` to what `user` may see as staff (superuser: all; community staff: their
    community; township staff and assessors: their town; everyone else: nothing)."""
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role == User.Role.COMMUNITY_STAFF:
        if community_path is None:
            # Town-level records (companies, schemes): community staff read those of their town.
            return qs.filter(**{town_path: user.town_id}) if town_path else qs
        return qs.filter(**{community_path: user.community_id})
    if user.role in (User.Role.TOWNSHIP_STAFF, User.Role.ASSESSOR):
        if community_path is not None:
            return qs.filter(**{f"{community_path}__town": user.town_id})
        return qs.filter(**{town_path: user.town_id}) if town_path else qs
    return qs.none()


def is_staff_role(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser
        or user.role in (User.Role.TOWNSHIP_STAFF, User.Role.COMMUNITY_STAFF, User.Role.ASSESSOR)
    )


def is_township_staff_of(user, town_id) -> bool:
    """Superusers, and township staff of the town `town_id`."""
    return user.is_authenticated and (
        user.is_superuser or (user.role == User.Role.TOWNSHIP_STAFF and user.town_id == town_id)
    )
