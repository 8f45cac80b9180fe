"""The audit trail: `record(...)` appends an AuditEvent; `prune()` removes events past retention.

Call `record` from services right after the change it describes, inside the same transaction, so
an event exists exactly when the change does. Never put personal data into `summary` or `details`
(no names, phone numbers, addresses, passwords, tokens or session ids): use ids.
"""

import datetime
import ipaddress
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from governance.models import AuditEvent

from .client_ip import client_ip

logger = logging.getLogger(__name__)

Action = AuditEvent.Action
MIN_RETENTION_DAYS = 180  # issue 6: the trail is kept at least 180 days
PRUNE_BATCH = 5000


def _object_ref(obj) -> tuple[str, str]:
    if obj is None:
        return "", ""
    meta = obj._meta
    return f"{meta.app_label}.{meta.model_name}", str(obj.pk)


def _valid_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def record(
    action: str,
    *,
    actor=None,
    request=None,
    obj=None,
    object_type: str = "",
    object_id: str | int = "",
    summary: str = "",
    details: dict | None = None,
    username: str = "",
    at: datetime.datetime | None = None,
) -> AuditEvent:
    """Append one audit event. `actor` defaults to the request's authenticated user; `obj`
    (a model instance) fills object_type/object_id. Returns the saved event."""
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    if obj is not None:
        object_type, object_id = _object_ref(obj)
    if actor is not None and getattr(actor, "is_authenticated", False):
        username = username or actor.get_username()
    else:
        actor = None
    return AuditEvent.objects.create(
        at=at or timezone.now(),
        actor=actor,
        actor_username=(username or "")[:150],
        action=action,
        object_type=object_type[:100],
        object_id=str(object_id)[:64],
        summary=(summary or "")[:300],
        ip=_valid_ip(client_ip(request)) if request is not None else None,
        details=details or {},
    )


def retention_days() -> int:
    """AUDIT_RETENTION_DAYS, refusing anything under the 180-day minimum."""
    days = int(getattr(settings, "AUDIT_RETENTION_DAYS", 365))
    if days < MIN_RETENTION_DAYS:
        raise ImproperlyConfigured(
            f"AUDIT_RETENTION_DAYS must be at least {MIN_RETENTION_DAYS} (it is {days})."
        )
    return days


def prune(*, now: datetime.datetime | None = None) -> int:
    """Delete events older than the retention period, in batches; returns how many."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=retention_days())
    deleted = 0
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # The append-only trigger lets a DELETE through only with this flag on, for this
                # transaction only, and only for rows older than 180 days whatever the flag says.
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('governance.audit_prune', 'on', true)")
            ids = list(
                AuditEvent.objects.filter(at__lt=cutoff)
                .order_by("at")
                .values_list("pk", flat=True)[:PRUNE_BATCH]
            )
            if not ids:
                break
            count, _ = AuditEvent.objects.filter(pk__in=ids).delete()
            deleted += count
    if deleted:
        logger.info("pruned %d audit events older than %s", deleted, cutoff.isoformat())
    return deleted
