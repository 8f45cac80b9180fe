"""Reads for councils and proposals (deliberation.md "Councils", "Proposals"): every queryset
limited to what the caller may see; who may see what is decided in deliberation/rules.py."""

import datetime
import statistics

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from communities.scoping import visible_communities

from .. import rules
from ..escalation.selectors import escalation_case, overdue_escalations
from ..models import Attachment, Follow, Proposal, Resolution, Support

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


def proposals_for_staff(user) -> QuerySet:
    councils = rules.councils_for_staff(user)
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


def proposal_detail_parts(proposal: Proposal) -> dict:
    return {
        "transitions": proposal.transitions.select_related("by").order_by("at", "pk"),
        "attachments": proposal.attachments.all(),
        "agenda_items": proposal.agenda_items.select_related("session").order_by("round_number"),
        "follow_ups": proposal.follow_ups.all(),
        "escalation_case": escalation_case(proposal),
        "resolution": Resolution.objects.filter(proposal=proposal).first(),
        "rating": getattr(proposal, "rating", None) if hasattr(proposal, "rating") else None,
    }


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
    overdue = overdue_escalations(user)
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
    return rules.councils_for_staff(user).annotate(
        n_representatives=Count("representatives", distinct=True),
        n_proposals=Count("proposals", distinct=True),
    )
