"""Inbox notifications and e-mails. One Notification per user and event key, so sending is
idempotent: a retried task finds the row and neither duplicates it nor mails twice."""

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Notification, ProposalTransition


def notify_users(users, *, key: str, text: str, link: str = "") -> int:
    """Create the inbox rows that do not exist yet and e-mail those users; returns how many new."""
    created = 0
    for user in users:
        try:
            with transaction.atomic():
                note, is_new = Notification.objects.get_or_create(
                    user=user, key=key, defaults={"text": text[:300], "link": link}
                )
        except IntegrityError:
            continue  # a concurrent run created it
        if not is_new:
            continue
        created += 1
        if user.email:
            send_mail(
                subject=_("Estate governance: %(text)s") % {"text": text[:60]},
                message=f"{text}\n\n{link}",
                from_email=None,
                recipient_list=[user.email],
            )
            Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
    return created


def transition_recipients(transition: ProposalTransition):
    """The proposer, the supporters and the followers of the proposal, except who moved it."""
    proposal = transition.proposal
    from communities.models import User

    ids = set(proposal.supports.values_list("user_id", flat=True))
    ids |= set(proposal.follows.values_list("user_id", flat=True))
    if proposal.proposer_id:
        ids.add(proposal.proposer_id)
    ids.discard(transition.by_id)
    return User.objects.filter(pk__in=ids, is_active=True).order_by("pk")


def transition_text(transition: ProposalTransition) -> str:
    from .models import Proposal

    text = _("「%(title)s」 is now %(state)s.") % {
        "title": transition.proposal.title,
        "state": Proposal.State(transition.to_state).label,
    }
    if transition.reason:
        text += " " + transition.reason
    return text


def notify_transition(transition_id: int) -> int:
    transition = ProposalTransition.objects.select_related("proposal").get(pk=transition_id)
    return notify_users(
        transition_recipients(transition),
        key=f"transition:{transition.pk}",
        text=transition_text(transition),
        link=f"/deliberation/proposals/{transition.proposal_id}/",
    )
