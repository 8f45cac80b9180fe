"""Reads for sessions and votes (deliberation.md "Sessions"): what a resident, a representative
and the public may see of sessions, agendas and resolutions."""

from django.db.models import Count, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from .. import rules
from ..models import AgendaItem, Representative, Resolution, Session, Vote


def sessions_for_resident(user) -> QuerySet:
    estate_id = rules.resident_estate_id(user)
    if estate_id is None:
        return Session.objects.none()
    return (
        Session.objects.filter(council__estate_id=estate_id)
        .annotate(item_count=Count("agenda", distinct=True))
        .select_related("council__estate")
        .order_by("-date", "-pk")
    )


def session_for(user, pk: int) -> Session:
    session = Session.objects.select_related("council__estate__community").filter(pk=pk).first()
    if session is None:
        raise Http404
    if rules.can_manage(user, session.council):
        return session
    if rules.resident_estate_id(user) == session.council.estate_id:
        return session
    raise Http404


def agenda_of(session: Session, *, representative: Representative | None = None) -> QuerySet:
    items = (
        AgendaItem.objects.filter(session=session)
        .select_related("proposal", "resolution")
        .order_by("pk")
    )
    if representative is not None:
        items = items.annotate(
            my_vote=Vote.objects.filter(
                agenda_item=OuterRef("pk"), representative=representative
            ).values("choice")[:1]
        )
    return items


def open_agenda_for_representative(user) -> list[AgendaItem]:
    """Items the user may still vote on in open sessions of their councils."""
    today = timezone.localdate()
    reps = Representative.objects.active_on(today).filter(user=user)
    return list(
        AgendaItem.objects.filter(
            session__council__in=reps.values("council"),
            session__status=Session.Status.OPEN,
            kind=AgendaItem.Kind.VOTE,
        )
        .exclude(votes__representative__in=reps)
        .select_related("session", "proposal")
        .order_by("session__date", "pk")
    )


def published_resolutions() -> QuerySet:
    return (
        Resolution.objects.filter(proposal__council__publishes_resolutions=True)
        .select_related("proposal__estate__community", "agenda_item__session")
        .order_by("-created_at")
    )
