"""What deliberation tells users, and whom; how it is delivered is governance.notifications' job.

Event kinds (users may turn channels off per kind in their notification preferences):
    deliberation.transition          a proposal moved (to its proposer, supporters and followers)
    deliberation.escalation_overdue  an escalation is past its due date (to the answering staff)
    deliberation.followup_overdue    a follow-up action is past its due date (to the estate's staff)
    deliberation.proposal_activity   someone supported or commented on a proposal (to its proposer)
"""

from celery import shared_task
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.notifications import notify

from .models import Escalation, FollowUpAction, Proposal, ProposalTransition

TRANSITION = "deliberation.transition"
ESCALATION_OVERDUE = "deliberation.escalation_overdue"
FOLLOWUP_OVERDUE = "deliberation.followup_overdue"
PROPOSAL_ACTIVITY = "deliberation.proposal_activity"

# What residents and staff may turn on or off per channel (governance.notifications.preferences).
KINDS = {
    TRANSITION: gettext_lazy("A proposal you raised, supported or follow moved"),
    PROPOSAL_ACTIVITY: gettext_lazy("Someone supported or commented on your proposal"),
    ESCALATION_OVERDUE: gettext_lazy("An escalation is overdue"),
    FOLLOWUP_OVERDUE: gettext_lazy("A follow-up action is overdue"),
}


def transition_recipients(transition: ProposalTransition):
    """The proposer, the supporters and the followers of the proposal, except who moved it."""
    from communities.models import User

    proposal = transition.proposal
    ids = set(proposal.supports.values_list("user_id", flat=True))
    ids |= set(proposal.follows.values_list("user_id", flat=True))
    if proposal.proposer_id:
        ids.add(proposal.proposer_id)
    ids.discard(transition.by_id)
    return User.objects.filter(pk__in=ids, is_active=True).order_by("pk")


def transition_text(transition: ProposalTransition) -> str:
    text = _("「%(title)s」 is now %(state)s.") % {
        "title": transition.proposal.title,
        "state": Proposal.State(transition.to_state).label,
    }
    if transition.reason:
        text += " " + transition.reason
    return text


def notify_transition(transition_id: int) -> int:
    transition = ProposalTransition.objects.select_related("proposal").get(pk=transition_id)
    text = transition_text(transition)
    return notify(
        transition_recipients(transition),
        kind=TRANSITION,
        key=f"transition:{transition.pk}",
        text=text,
        body=text,
        link=f"/deliberation/proposals/{transition.proposal_id}/",
    )


@shared_task(name="deliberation.notify_transition")
def notify_transition_task(transition_id: int) -> int:
    """Tell the proposer, supporters and followers (one notification per user and event)."""
    return notify_transition(transition_id)


def notify_escalation_overdue(escalation: Escalation, users) -> int:
    proposal = escalation.proposal
    return notify(
        users,
        kind=ESCALATION_OVERDUE,
        key=f"escalation-overdue:{escalation.pk}",
        text=_("Overdue escalation (%(level)s, due %(due)s): %(estate)s · %(title)s")
        % {
            "level": escalation.get_level_display(),
            "due": escalation.due_date,
            "estate": proposal.estate.name,
            "title": proposal.title,
        },
        link=f"/deliberation/manage/proposals/{proposal.pk}/",
    )


def notify_followup_overdue(action: FollowUpAction, users) -> int:
    proposal = action.proposal
    return notify(
        users,
        kind=FOLLOWUP_OVERDUE,
        key=f"followup-overdue:{action.pk}",
        text=_("Overdue follow-up (due %(due)s, %(party)s): %(estate)s · %(action)s")
        % {
            "due": action.due_date,
            "party": action.responsible_party,
            "estate": proposal.estate.name,
            "action": action.description,
        },
        link=f"/deliberation/manage/proposals/{proposal.pk}/",
    )


def notify_proposer(proposal: Proposal, *, actor, event: str, key: str) -> int:
    """Tell the proposer that someone supported (`event="support"`) or commented
    (`event="comment"`) on their proposal; `key` names the support or comment (e.g.
    f"comment:{comment.pk}") so it is told once. Nobody is told of their own act."""
    from communities.models import User

    if not proposal.proposer_id or proposal.proposer_id == getattr(actor, "pk", None):
        return 0
    if event == "comment":
        text = _("Someone commented on your proposal 「%(title)s」.")
    else:
        text = _("A household supported your proposal 「%(title)s」.")
    return notify(
        User.objects.filter(pk=proposal.proposer_id, is_active=True),
        kind=PROPOSAL_ACTIVITY,
        key=f"proposal-activity:{key}"[:80],
        text=text % {"title": proposal.title},
        link=f"/deliberation/proposals/{proposal.pk}/",
    )
