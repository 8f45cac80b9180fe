"""Reads of owners' assemblies, each limited to what the asking user may see."""

from django.db.models import Q
from django.http import Http404

from communities import roles
from communities.models import Owner, ResidentVerification
from communities.scoping import reader_town_ids

from .models import AssemblyVote, Ballot


def resident_estate_ids(user) -> set[int]:
    """Estates where `user` is currently verified to a household (as owner or tenant)."""
    if not user.is_authenticated:
        return set()
    return set(
        ResidentVerification.objects.current()
        .filter(user=user)
        .values_list("household__building__estate_id", flat=True)
    )


def voter_owners(user, vote: AssemblyVote) -> list[Owner]:
    """The owner keys `user` votes with in `vote`: those of the households of the vote's estate
    the user is verified to as owner, when the key is in the vote's register."""
    if not user.is_authenticated:
        return []
    owned = (
        ResidentVerification.objects.current()
        .filter(
            user=user,
            relation=ResidentVerification.Relation.OWNER,
            household__building__estate_id=vote.estate_id,
            household__owner__isnull=False,
        )
        .values("household__owner_id")
    )
    return list(
        Owner.objects.filter(pk__in=owned)
        .filter(pk__in=vote.register.values("owner_id"))
        .order_by("pk")
    )


def staff_votes(user):
    """Votes of the estates `user` sees as staff (community staff: their community; township
    staff: their town; district and city staff, reading: the towns below their region).
    Assessors score companies and have no part in owners' assemblies."""
    qs = AssemblyVote.objects.select_related("estate__community")
    if getattr(user, "is_superuser", False):
        return qs
    q = Q(pk__in=[])
    if towns := reader_town_ids(user, roles.Role.TOWNSHIP_STAFF):
        q |= Q(estate__community__town_id__in=towns)
    if communities := roles.community_ids(user, roles.Role.COMMUNITY_STAFF):
        q |= Q(estate__community_id__in=communities)
    return qs.filter(q)


def resident_votes(user):
    """Votes of the estates the resident lives in, newest first."""
    return AssemblyVote.objects.for_estates(resident_estate_ids(user)).select_related(
        "estate", "result"
    )


def vote_for(user, pk: int) -> AssemblyVote:
    """A vote the user may see (a resident of its estate or staff in scope), else 404."""
    vote = (
        resident_votes(user).filter(pk=pk).first()
        or staff_votes(user).select_related("result").filter(pk=pk).first()
    )
    if vote is None:
        raise Http404
    return vote


def own_ballot(vote: AssemblyVote, owners) -> Ballot | None:
    return (
        Ballot.objects.filter(vote=vote, owner__in=owners)
        .prefetch_related("lines__candidate")
        .first()
    )


def staff_committees(user, on):
    """Committees in office on `on` in the estates `user` sees as staff, term ends first."""
    from communities.models import OwnersCommittee, active_on_q

    qs = OwnersCommittee.objects.filter(active_on_q(on, "established_on", "dissolved_on"))
    if not getattr(user, "is_superuser", False):
        q = Q(pk__in=[])
        if towns := reader_town_ids(user, roles.Role.TOWNSHIP_STAFF):
            q |= Q(estate__community__town_id__in=towns)
        if communities := roles.community_ids(user, roles.Role.COMMUNITY_STAFF):
            q |= Q(estate__community_id__in=communities)
        qs = qs.filter(q)
    return (
        qs.select_related("estate__community")
        .prefetch_related("members")
        .order_by("term_ends_on", "estate__name")
    )
