"""Party members' phone numbers, as the project-wide PIPL machinery sees them (registered in
PartyGridConfig.ready into governance.registry)."""

import datetime

from django.db.models import QuerySet

from communities.scoping import scope_to_staff
from governance import registry

from .models import PartyMember


def members_with_phones(user) -> QuerySet:
    return scope_to_staff(PartyMember.objects.all(), user, community_path="organization__community")


def anonymise_departed_members(cutoff: datetime.date, cutoff_start) -> int:
    """Party members who left past retention: phone (history rows too)."""
    ids = list(
        PartyMember.objects.filter(left_on__lte=cutoff)
        .exclude(phone="")
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    PartyMember.history.filter(id__in=ids).update(phone="")
    return PartyMember.objects.filter(pk__in=ids).update(phone="")


def register() -> None:
    registry.register_phone_model("party_grid.partymember", members_with_phones)
    registry.register_anonymiser("party_members", anonymise_departed_members)
