"""Who may do what in deliberation: one place, used by services, views, the API and the admin."""

import datetime

from django.utils import timezone

from communities.models import User
from communities.scoping import is_township_staff_of

from .models import Council, Representative


def is_council_staff(user, council: Council) -> bool:
    """Community staff of the estate's community, township staff of its town, or a superuser."""
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    community = council.estate.community
    if user.role == User.Role.COMMUNITY_STAFF:
        return user.community_id == community.pk
    if user.role == User.Role.TOWNSHIP_STAFF:
        return user.town_id == community.town_id
    return False


def is_town_staff(user, council: Council) -> bool:
    if not user:
        return False
    return is_township_staff_of(user, council.estate.community.town_id)


def can_manage(user, council: Council) -> bool:
    """Accept/reject, schedule, run sessions, enter paper votes, add follow-ups: staff of the
    estate's community or town, or the council's secretary."""
    if not user or not user.is_authenticated:
        return False
    return is_council_staff(user, council) or (
        council.secretary_id is not None and council.secretary_id == user.pk
    )


def resident_estate_id(user) -> int | None:
    if not user or not user.is_authenticated or not user.is_resident:
        return None
    household = user.verified_household
    return household.building.estate_id if household else None


def representative_for(user, council: Council, on: datetime.date | None = None):
    """The user's active Representative row on `council`, or None."""
    if not user or not user.is_authenticated:
        return None
    on = on or timezone.localdate()
    return Representative.objects.active_on(on).filter(council=council, user=user).first()
