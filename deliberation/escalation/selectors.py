"""Reads for the escalation of proposals (deliberation.md "Escalation"): an escalated proposal is
a case (deliberation/cases), so these read the case side of a proposal."""

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .. import rules
from ..cases.models import Assignment, Case
from ..models import Proposal


def escalation_case(proposal: Proposal):
    """The case an escalated proposal became, with its open assignment as `current`; or None."""
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


def overdue_escalations(user) -> QuerySet:
    """Open assignments past their reply deadline on cases that came from proposals, in the
    community and town staff's scope (the dashboard's overdue list)."""
    return rules.scope_to_deliberation_staff(
        Assignment.objects.filter(
            ended_at__isnull=True,
            reply_due__lt=timezone.now(),
            case__proposal__isnull=False,
        ),
        user,
        community_path="case__estate__community",
    ).select_related("case__proposal__estate", "case__estate")
