"""Per-user choices: which event kinds by which channel, and the optional daily digest (issue 15.3).

Kinds are collected from the apps: a module `<app>.notices` or `<app>.notifications` with a
`KINDS` dict (kind -> label) declares what that app tells users. The digest is opted into with a
preference on the pseudo-channel "digest" (kind blank); it is sent by `send_daily_digests`, once
per user and day (its own notification row, keyed by the day, is the record).
"""

import datetime
from importlib import import_module

from django.apps import apps
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .channels import configured_channels, safe_subject
from .models import Notification, NotificationPreference

DIGEST = "digest"
DIGEST_KIND = "governance.digest"


def known_kinds() -> dict[str, str]:
    kinds = {}
    for config in apps.get_app_configs():
        for module_name in ("notices", "notifications"):
            try:
                module = import_module(f"{config.name}.{module_name}")
            except ImportError:
                continue
            kinds.update(getattr(module, "KINDS", {}) or {})
    return dict(sorted(kinds.items()))


def choosable_channels() -> list[str]:
    """Channels a user may turn off (the inbox always records)."""
    return [c.name for c in configured_channels() if c.records_delivery]


def preference_table(user) -> dict:
    prefs = {
        (channel, kind): enabled
        for channel, kind, enabled in NotificationPreference.objects.filter(user=user).values_list(
            "channel", "kind", "enabled"
        )
    }
    channels = choosable_channels()
    rows = []
    for kind, label in known_kinds().items():
        rows.append(
            {
                "kind": kind,
                "label": label,
                "cells": [
                    {
                        "name": f"{channel}:{kind}",
                        "on": prefs.get((channel, kind), prefs.get((channel, ""), True)),
                    }
                    for channel in channels
                ],
            }
        )
    return {"channels": channels, "rows": rows, "digest": prefs.get((DIGEST, ""), False)}


def preferences_save(*, user, checked: set[str], digest: bool) -> None:
    """Store an explicit choice for every known kind and channel (unchecked = off)."""
    kinds = list(known_kinds())
    with transaction.atomic():
        for channel in choosable_channels():
            for kind in kinds:
                NotificationPreference.objects.update_or_create(
                    user=user,
                    channel=channel,
                    kind=kind,
                    defaults={"enabled": f"{channel}:{kind}" in checked},
                )
        NotificationPreference.objects.update_or_create(
            user=user, channel=DIGEST, kind="", defaults={"enabled": digest}
        )


def send_daily_digests(*, day: datetime.date | None = None) -> int:
    """E-mail each opted-in user with an address the notifications of `day` (Beijing time;
    default yesterday) in one message; once per user and day. Returns how many were sent."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    day = day or (timezone.localdate() - datetime.timedelta(days=1))
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    end = start + datetime.timedelta(days=1)
    users = User.objects.filter(
        is_active=True,
        notification_preferences__channel=DIGEST,
        notification_preferences__kind="",
        notification_preferences__enabled=True,
    ).exclude(email="")
    sent = 0
    for user in users:
        notes = list(
            Notification.objects.filter(user=user, created_at__gte=start, created_at__lt=end)
            .exclude(kind=DIGEST_KIND)
            .order_by("created_at", "pk")
        )
        if not notes:
            continue
        text = _("Daily digest %(day)s: %(n)d notifications") % {"day": day, "n": len(notes)}
        try:
            with transaction.atomic():
                _note, created = Notification.objects.get_or_create(
                    user=user,
                    key=f"digest:{day.isoformat()}",
                    defaults={"kind": DIGEST_KIND, "text": text, "read_at": timezone.now()},
                )
        except IntegrityError:
            continue
        if not created:
            continue
        lines = [
            f"{timezone.localtime(n.created_at):%H:%M} {n.text}" + (f"  {n.link}" if n.link else "")
            for n in notes
        ]
        send_mail(
            subject=safe_subject(_("Estate governance: %(text)s") % {"text": text}, limit=120),
            message="\n".join(lines),
            from_email=None,
            recipient_list=[user.email],
        )
        sent += 1
    return sent
