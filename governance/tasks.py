"""Enqueuing through a transactional outbox.

`enqueue_on_commit` writes an OutboxMessage inside the caller's transaction and, once it commits,
tries to hand it to the broker right away. If the broker is unreachable the message stays unsent
and `relay_outbox` (every minute, from beat) sends it when the broker is back. Tasks must be
idempotent: a message can be delivered twice if the process dies between sending and marking.
"""

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)
RELAY_BATCH = 500


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send `task(*args, **kwargs)` once the surrounding transaction commits; never lost."""
    message = OutboxMessage.objects.create(task_name=task.name, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: _send(message.pk))


def _send(message_id: int) -> bool:
    """Claim one unsent message and hand it to Celery; True when it was sent."""
    from governance.celery import app

    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, sent_at__isnull=True)
            .first()
        )
        if message is None:
            return False  # sent already, or another relay holds it
        message.attempts += 1
        try:
            with transaction.atomic():  # an eager task's failure must not break this transaction
                result = app.tasks[message.task_name].apply_async(
                    args=message.args, kwargs=message.kwargs, retry=False
                )
        except Exception as error:  # broker down, or (eager mode) the task failed
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            message.save(update_fields=["attempts", "last_error"])
            logger.warning("outbox message %s not sent: %s", message.pk, message.last_error)
            return False
        message.sent_at = timezone.now()
        message.task_id = result.id or ""
        message.last_error = ""
        message.save(update_fields=["attempts", "sent_at", "task_id", "last_error"])
        return True


def relay_pending(limit: int = RELAY_BATCH) -> int:
    """Send unsent messages, oldest first; returns how many were sent."""
    ids = list(
        OutboxMessage.objects.filter(sent_at__isnull=True)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(_send(pk) for pk in ids)


@shared_task(name="governance.relay_outbox")
def relay_outbox() -> int:
    # Safe to repeat: each message is claimed with SKIP LOCKED and sent once it is marked.
    return relay_pending()


@shared_task(name="governance.prune_audit_events")
def prune_audit_events() -> int:
    # Safe to repeat: deletes only events past AUDIT_RETENTION_DAYS (at least 180 days).
    from governance.security.audit import prune

    return prune()


@shared_task(name="governance.anonymise_departed_residents")
def anonymise_departed_residents() -> dict:
    # Safe to repeat: records already anonymised are not selected again.
    from governance.security.personal_data import anonymise_departed

    return anonymise_departed()


@shared_task(name="governance.prune_idempotency_keys")
def prune_idempotency_keys() -> int:
    # Safe to repeat: deletes only keys older than IDEMPOTENCY_KEY_HOURS.
    from governance.idempotency import prune

    return prune()


@shared_task(name="governance.fail_stuck_import_jobs")
def fail_stuck_import_jobs() -> int:
    # Safe to repeat: only jobs still running past IMPORT_JOB_STUCK_AFTER_MINUTES are failed.
    from governance.spreadsheets.jobs import fail_stuck_jobs

    return fail_stuck_jobs()


@shared_task(name="governance.run_import_job")
def run_import_job(job_id: int) -> str:
    # Safe to repeat: only a waiting job is claimed (pending -> running), so it imports once.
    from governance.spreadsheets.jobs import run_import_job as run

    return run(job_id)


# Celery finds tasks in <app>.tasks; the notification package's tasks are registered through here.
from .notifications.tasks import retry_failed_notifications_task  # noqa: E402, F401
