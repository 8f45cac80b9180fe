"""Tasks of owners' assemblies: they take ids and are idempotent (notifications are keyed)."""

from celery import shared_task

from .notify import announce_vote  # noqa: F401  (registered through this module)


@shared_task(name="deliberation.assemblies.open_due_votes")
def open_due_votes() -> int:
    from .services import votes_open_due

    return votes_open_due()


@shared_task(name="deliberation.assemblies.remind_reelections")
def remind_reelections() -> int:
    from .committees import remind_reelections as remind

    return remind()
