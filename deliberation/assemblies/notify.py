"""What owners' assemblies notify, through the shared notifications (governance.notifications)."""

from celery import shared_task

from governance.notifications import notify


def notify_users(users, *, key: str, text: str, link: str = "") -> int:
    return notify(users, kind="deliberation.assembly", key=key, text=text, link=link)


def estate_residents(estate_id: int):
    """Users currently verified to a household of the estate (owners and tenants)."""
    from communities.models import ResidentVerification, User

    ids = (
        ResidentVerification.objects.current()
        .filter(household__building__estate_id=estate_id)
        .values("user_id")
    )
    return User.objects.filter(pk__in=ids, is_active=True).order_by("pk")


def notify_estate(estate_id: int, *, key: str, text: str, link: str = "") -> int:
    return notify_users(estate_residents(estate_id), key=key, text=text, link=link)


def announce(*, vote_id: int, event: str) -> int:
    """Tell the estate's residents a vote was announced, opened or closed (idempotent)."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from .models import AssemblyVote

    vote = AssemblyVote.objects.select_related("result").get(pk=vote_id)
    if event == "announced":
        text = _("Owners' assembly: 「%(title)s」 is announced; voting opens %(at)s.") % {
            "title": vote.title,
            "at": timezone.localtime(vote.opens_at).strftime("%Y-%m-%d %H:%M"),
        }
    elif event == "opened":
        text = _("Owners' assembly: voting on 「%(title)s」 is open.") % {"title": vote.title}
    else:
        passed = vote.result.passed
        text = (
            _("Owners' assembly: 「%(title)s」 passed.")
            if passed
            else _("Owners' assembly: 「%(title)s」 did not pass.")
        ) % {"title": vote.title}
    return notify_estate(
        vote.estate_id,
        key=f"assembly:{vote.pk}:{event}",
        text=text,
        link=f"/deliberation/assemblies/{vote.pk}/",
    )


@shared_task(name="deliberation.assemblies.announce_vote")
def announce_vote(vote_id: int, event: str) -> int:
    return announce(vote_id=vote_id, event=event)
