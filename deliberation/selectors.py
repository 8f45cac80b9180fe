"""Reads for deliberation: every queryset limited to what the caller may see, in one place."""

import datetime
import statistics

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from communities.models import Community
from communities.scoping import visible_communities
from governance import notifications

from . import rules
from .models import (
    AgendaItem,
    Attachment,
    Follow,
    Proposal,
    Representative,
    Resolution,
    Session,
    Support,
    Vote,
)

S = Proposal.State
# A resident sees the proposals of their estate except other residents' drafts.
HIDDEN_FROM_NEIGHBOURS = (S.DRAFT,)


def _proposal_base() -> QuerySet:
    return (
        Proposal.objects.select_related("estate__community", "council", "household__building")
        .with_support_count()
        .order_by("-created_at", "-pk")
    )


def proposals_for_resident(user) -> QuerySet:
    estate_id = rules.resident_estate_id(user)
    if estate_id is None:
        return Proposal.objects.none()
    return (
        _proposal_base()
        .filter(estate_id=estate_id)
        .filter(~Q(state__in=HIDDEN_FROM_NEIGHBOURS) | Q(proposer=user))
        .annotate(
            supported_by_me=Exists(
                Support.objects.filter(
                    proposal=OuterRef("pk"), household_id=user.verified_household.pk
                )
            ),
            followed_by_me=Exists(Follow.objects.filter(proposal=OuterRef("pk"), user=user)),
        )
    )


# Who may see what is decided in rules.py; these names stay for the views and templates.
is_deliberation_staff = rules.is_deliberation_staff
councils_for_staff = rules.councils_for_staff


def proposals_for_staff(user) -> QuerySet:
    councils = councils_for_staff(user)
    return _proposal_base().filter(council__in=councils.values("pk"))


def is_insider(user, proposal: Proposal) -> bool:
    """Residents of the proposal's estate (not other people's drafts), staff in scope and the
    secretary: the people who see everything about it, attachments included."""
    if not user.is_authenticated:
        return False
    if rules.can_manage(user, proposal.council):
        return True
    return rules.resident_estate_id(user) == proposal.estate_id and (
        proposal.state not in HIDDEN_FROM_NEIGHBOURS or proposal.proposer_id == user.pk
    )


def proposal_for(user, pk: int) -> Proposal:
    """The proposal if `user` may see it, else 404: insiders (is_insider); anyone when its
    council publishes its resolution."""
    proposal = _proposal_base().filter(pk=pk).first()
    if proposal is None:
        raise Http404
    if is_insider(user, proposal):
        return proposal
    if (
        proposal.council.publishes_resolutions
        and Resolution.objects.filter(proposal=proposal).exists()
    ):
        return proposal
    raise Http404


def attachment_for(user, pk: int) -> Attachment:
    """An attachment for insiders only: photos may show residents and their homes, so a
    published resolution does not publish them (PIPL: the minimum)."""
    attachment = Attachment.objects.select_related("proposal__council").filter(pk=pk).first()
    if attachment is None or not is_insider(user, attachment.proposal):
        raise Http404
    return attachment


def _escalation_case(proposal: Proposal):
    from .cases.models import Assignment, Case

    case = (
        Case.objects.filter(proposal=proposal)
        .select_related("category")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(ended_at__isnull=True).select_related(
                    "company", "community", "department"
                ),
                to_attr="open_assignments",
            )
        )
        .first()
    )
    if case is not None:
        case.current = case.open_assignments[0] if case.open_assignments else None
    return case


def proposal_detail_parts(proposal: Proposal) -> dict:
    return {
        "transitions": proposal.transitions.select_related("by").order_by("at", "pk"),
        "attachments": proposal.attachments.all(),
        "agenda_items": proposal.agenda_items.select_related("session").order_by("round_number"),
        "follow_ups": proposal.follow_ups.all(),
        "escalation_case": _escalation_case(proposal),
        "resolution": Resolution.objects.filter(proposal=proposal).first(),
        "rating": getattr(proposal, "rating", None) if hasattr(proposal, "rating") else None,
    }


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


def unread_count(user) -> int:
    return notifications.unread_count(user)


def dashboard(user, *, today: datetime.date | None = None) -> dict:
    """Figures for the staff dashboard, limited to the user's communities."""
    today = today or timezone.localdate()
    proposals = rules.scope_to_deliberation_staff(
        Proposal.objects.all(), user, community_path="estate__community"
    )
    by_state = dict(
        proposals.values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    days = [
        (decided - submitted).total_seconds() / 86400
        for submitted, decided in proposals.filter(
            submitted_at__isnull=False, decided_at__isnull=False
        ).values_list("submitted_at", "decided_at")
    ]
    # Escalated proposals are cases: the overdue ones are open assignments past their reply
    # deadline on a case that came from a proposal.
    from .cases.models import Assignment

    overdue = rules.scope_to_deliberation_staff(
        Assignment.objects.filter(
            ended_at__isnull=True,
            reply_due__lt=timezone.now(),
            case__proposal__isnull=False,
        ),
        user,
        community_path="case__estate__community",
    ).select_related("case__proposal__estate", "case__estate")
    communities = (
        visible_communities(user)
        .annotate(
            n_proposals=Count("estates__proposals", distinct=True),
            n_open=Count(
                "estates__proposals",
                distinct=True,
                filter=Q(
                    estates__proposals__state__in=[
                        S.SUBMITTED,
                        S.ACCEPTED,
                        S.SCHEDULED,
                        S.DECIDED,
                        S.IMPLEMENTING,
                        S.ESCALATED,
                    ]
                ),
            ),
            n_escalations=Count(
                "estates__proposals__case",
                distinct=True,
                filter=Q(estates__proposals__case__source="proposal"),
            ),
            n_councils=Count("estates__council", distinct=True),
        )
        .order_by("name")
    )
    return {
        "by_state": [(S(state).label, by_state.get(state, 0)) for state in S.values],
        "median_days": round(statistics.median(days), 1) if days else None,
        "decided_count": len(days),
        "overdue": list(overdue.order_by("reply_due")[:50]),
        "overdue_count": overdue.count(),
        "communities": list(communities),
    }


def staff_councils_with_counts(user) -> QuerySet:
    return councils_for_staff(user).annotate(
        n_representatives=Count("representatives", distinct=True),
        n_proposals=Count("proposals", distinct=True),
    )


def communities_of(user) -> QuerySet:
    return (
        visible_communities(user)
        if rules.is_deliberation_reader(user)
        else Community.objects.none()
    )
