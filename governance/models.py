from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """A task to send to the broker, written in the same transaction as the change that needs
    it, so a submission is never saved without its follow-up work (even with Redis down)."""

    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list)
    kwargs = models.JSONField(_("keyword arguments"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            # The relay's scan for unsent messages.
            models.Index(
                fields=["created_at"],
                condition=models.Q(sent_at__isnull=True),
                name="outbox_unsent_idx",
            ),
        ]

    def __str__(self):
        return f"{self.task_name} #{self.pk}"


class AuditEvent(models.Model):
    """One security-relevant event: who did what to which object, when and from where.

    Append-only: the admin is read-only for everyone and, on PostgreSQL, a trigger rejects UPDATE
    and DELETE except the retention prune (governance.security.audit.prune). `details` never holds
    personal data (no names, phone numbers, addresses, passwords or session ids).
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("login")
        LOGIN_FAILED = "login_failed", _("login failed")
        LOGOUT = "logout", _("logout")
        SESSION_EXPIRED = "session_expired", _("session expired")
        ACCESS_DENIED = "access_denied", _("access denied")
        OTP_VERIFIED = "otp_verified", _("two-factor verified")
        OTP_DEVICE_ADDED = "otp_device_added", _("two-factor device added")
        PHONE_REVEALED = "phone_revealed", _("phone number revealed")
        PERSONAL_DATA_ANONYMISED = "personal_data_anonymised", _("personal data anonymised")
        SCORE_CHANGED = "score_changed", _("score changed")
        PAYOUT_CHANGED = "payout_changed", _("payout changed")
        PUBLICATION_CHANGED = "publication_changed", _("publication changed")
        PROPOSAL_STATE_CHANGED = "proposal_state_changed", _("proposal state changed")
        OTHER = "other", _("other")

    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # No database constraint and no cascade: deleting a user must never touch the trail
        # (the trigger would refuse the UPDATE/DELETE anyway); actor_username keeps who it was.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        # Audit events are created by code only; no role is given add/change/delete.
        default_permissions = ("view",)
        indexes = [
            # The admin's date hierarchy and the retention prune.
            models.Index(fields=["at"], name="audit_at_idx"),
            # "Everything that happened to this report / proposal".
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            # "Everything this user did".
            models.Index(fields=["actor", "at"], name="audit_actor_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username or '-'} {self.action}"


class IdempotencyKey(models.Model):
    """A client's `Idempotency-Key` on a creating request, with the answer it got: the same key
    and body answer that answer again for IDEMPOTENCY_KEY_HOURS (governance/idempotency.py).
    In PostgreSQL, not Redis, so it holds when Redis is down."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    endpoint = models.CharField(max_length=300)  # "POST /api/v1/proposals/"
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # sha256 of the request body, canonical form
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    location = models.CharField(max_length=500, blank=True)  # a portal form's redirect
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "endpoint", "key"], name="idempotency_key_unique_per_endpoint"
            )
        ]

    def __str__(self):
        return f"{self.endpoint} {self.key}"


def _import_job_path(job, filename) -> str:
    from governance.uploads import generated_upload_path

    return generated_upload_path("import-jobs", filename)


class ImportJob(models.Model):
    """A spreadsheet import run in the background (a file above IMPORT_JOB_THRESHOLD rows): the
    uploaded file (stored privately, under MEDIA_ROOT, never served), who started it, what it
    imports, its progress and its result. Still all-or-nothing: one bad row and nothing is
    saved, with every error listed by the line of the file."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to start")
        RUNNING = "running", _("importing")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed, nothing saved")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    model_label = models.CharField(_("imported model"), max_length=100)
    resource_index = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(_("file"), upload_to=_import_job_path)
    original_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=4)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.model_label} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


# Shared notification models live in their own package; imported here so the app registers them.
from .notifications.models import (  # noqa: E402, F401
    Delivery,
    Notification,
    NotificationPreference,
)

# One-time codes to phones (governance/sms).
from .sms.models import OneTimeCode  # noqa: E402, F401
