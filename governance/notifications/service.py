"""notify() and delivery: see the package docstring."""

import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from .channels import configured_channels, safe_subject
from .models import Delivery, Notification, NotificationPreference

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5

__all__ = ["inbox_for", "notify", "retry_failed_deliveries", "safe_subject", "unread_count"]


def notify(
    recipients: Iterable, *, kind: str, key: str, text: str, body: str = "", link: str = ""
) -> int:
    """Tell each of `recipients` (users) of one event; returns how many were told for the first
    time. Idempotent per (user, key). Each recipient is handled on its own: a failure for one
    (a database error, a channel raising) is logged and recorded, and the others are still told."""
    created = 0
    for user in recipients:
        try:
            with transaction.atomic():
                note, is_new = Notification.objects.get_or_create(
                    user=user,
                    key=key[:80],
                    defaults={
                        "kind": kind[:60],
                        "text": safe_subject(text, limit=300),
                        "body": body,
                        "link": link[:200],
                    },
                )
        except IntegrityError:
            continue  # a concurrent run created it
        except Exception:
            logger.exception("notification %s for user %s not recorded", key, user.pk)
            continue
        if not is_new:
            continue
        created += 1
        note.user = user
        _deliver(note)
    return created


def _allowed(user, channel: str, kind: str) -> bool:
    """The most specific preference wins (this kind, then all kinds); default on."""
    prefs = dict(
        NotificationPreference.objects.filter(
            user=user, channel=channel, kind__in=[kind, ""]
        ).values_list("kind", "enabled")
    )
    if kind in prefs:
        return prefs[kind]
    return prefs.get("", True)


def _deliver(note: Notification) -> None:
    for channel in configured_channels():
        if not channel.records_delivery:
            channel.send(note)
            continue
        try:
            if not channel.can_reach(note.user) or not _allowed(note.user, channel.name, note.kind):
                continue
            delivery, _created = Delivery.objects.get_or_create(
                notification=note, channel=channel.name
            )
        except Exception:
            logger.exception(
                "delivery of notification %s by %s not recorded", note.pk, channel.name
            )
            continue
        _attempt(channel, delivery, note)


def _attempt(channel, delivery: Delivery, note: Notification) -> bool:
    try:
        channel.send(note)
    except Exception as error:
        logger.warning(
            "notification %s by %s to user %s failed: %r",
            note.pk,
            channel.name,
            note.user_id,
            error,
        )
        Delivery.objects.filter(pk=delivery.pk).update(
            attempts=F("attempts") + 1, last_error=repr(error)[:1000]
        )
        return False
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=F("attempts") + 1, delivered_at=timezone.now(), last_error=""
    )
    return True


def retry_failed_deliveries(*, max_attempts: int = MAX_ATTEMPTS, batch: int = 200) -> int:
    """Send again what a channel failed to deliver (fewer than `max_attempts` tries); each row is
    claimed under a lock so two runs never send it twice. Returns how many were delivered."""
    channels = {c.name: c for c in configured_channels() if c.records_delivery}
    delivered = 0
    pending = Delivery.objects.filter(
        delivered_at__isnull=True, attempts__lt=max_attempts, channel__in=list(channels)
    ).values_list("pk", flat=True)[:batch]
    for pk in list(pending):
        with transaction.atomic():
            delivery = (
                Delivery.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, delivered_at__isnull=True)
                .select_related("notification__user")
                .first()
            )
            if delivery is None:
                continue
            delivered += _attempt(channels[delivery.channel], delivery, delivery.notification)
    return delivered


def inbox_for(user) -> QuerySet:
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
