"""What deliberation tells users, and whom; how it is delivered is governance.notifications' job.

Event kinds (users may turn channels off per kind in their notification preferences):
    deliberation.transition          a proposal moved (to its proposer, supporters and followers)
    deliberation.followup_overdue    a follow-up action is past its due date (to the estate's staff)
    deliberation.supported / .commented   a household supported, a neighbour commented (to the proposer)
"""

from celery import shared_task
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.notifications import notify

from .models import FollowUpAction, Proposal, ProposalTransition

TRANSITION = "deliberation.transition"
FOLLOWUP_OVERDUE = "deliberation.followup_overdue"

# What residents and staff may turn on or off per channel (governance.notifications.preferences).
KINDS = {
    TRANSITION: gettext_lazy("A proposal you raised, supported or follow moved"),
    "deliberation.supported": gettext_lazy("A household supported your proposal"),
    "deliberation.commented": gettext_lazy("A neighbour commented on your proposal"),
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


# --- The proposer hears of supports and comments (issue 15) ---------------------------------------

SUPPORTED = "deliberation.supported"
COMMENTED = "deliberation.commented"


def _tell_proposer(proposal: Proposal, *, actor_id: int, kind: str, key: str, text: str) -> int:
    from communities.models import User

    if not proposal.proposer_id or proposal.proposer_id == actor_id:
        return 0
    return notify(
        User.objects.filter(pk=proposal.proposer_id, is_active=True),
        kind=kind,
        key=key,
        text=text,
        body=text,
        link=f"/deliberation/proposals/{proposal.pk}/",
    )


@shared_task(name="deliberation.notify_supported")
def notify_supported_task(support_id: int) -> int:
    """The proposer: a household supported the proposal (once per support)."""
    from .models import Support

    support = Support.objects.select_related("proposal").get(pk=support_id)
    text = _("A household supported your proposal 「%(title)s」 (%(n)d in all).") % {
        "title": support.proposal.title,
        "n": support.proposal.supports.count(),
    }
    return _tell_proposer(
        support.proposal,
        actor_id=support.user_id,
        kind=SUPPORTED,
        key=f"support:{support.pk}",
        text=text,
    )


@shared_task(name="deliberation.notify_commented")
def notify_commented_task(comment_id: int) -> int:
    """The proposer: a neighbour commented on the proposal (once per comment)."""
    from .models import Comment

    comment = Comment.objects.select_related("proposal").get(pk=comment_id)
    text = _("A neighbour commented on your proposal 「%(title)s」.") % {
        "title": comment.proposal.title
    }
    return _tell_proposer(
        comment.proposal,
        actor_id=comment.author_id,
        kind=COMMENTED,
        key=f"comment:{comment.pk}",
        text=text,
    )
