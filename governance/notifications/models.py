"""The inbox, delivery records and per-user preferences (app label: governance)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One event told to one user; it is the user's inbox entry. `key` makes sending idempotent:
    one notification per user and event, so a retried task neither duplicates it nor mails twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    kind = models.CharField(
        _("event kind"),
        max_length=60,
        blank=True,
        help_text=_("What happened, e.g. deliberation.transition; preferences are per kind."),
    )
    key = models.CharField(_("event key"), max_length=80)
    text = models.CharField(_("text"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], name="governance_notification_once_per_event"
            )
        ]

    def __str__(self):
        return self.text


class Delivery(models.Model):
    """One channel's delivery of a notification (the inbox needs none: the row is the inbox)."""

    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("notification"),
    )
    channel = models.CharField(_("channel"), max_length=20)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            )
        ]
        indexes = [
            # The retry task's scan for failed deliveries.
            models.Index(
                fields=["channel"],
                condition=models.Q(delivered_at__isnull=True),
                name="delivery_pending_idx",
            ),
        ]

    def __str__(self):
        return f"{self.channel}: {self.notification_id}"


class NotificationPreference(models.Model):
    """A user's choice to receive (or not) a channel, for one event kind or (blank) for all."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    channel = models.CharField(_("channel"), max_length=20)
    kind = models.CharField(_("event kind"), max_length=60, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "channel", "kind"], name="notification_preference_once"
            )
        ]

    def __str__(self):
        return f"{self.user_id} {self.channel} {self.kind or '*'}: {self.enabled}"
