"""Delivery channels, registered by name in settings.NOTIFICATION_CHANNELS (dotted class paths).

A channel delivers one notification to its user or raises; it never decides who is told (the app
does) nor whether the user wants it (preferences do). Add an SMS backend by writing a class with
`name`, `can_reach(user)` and `send(notification)` and listing it in the setting."""

from functools import cache

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

DEFAULT_CHANNELS = (
    "governance.notifications.channels.InboxChannel",
    "governance.notifications.channels.EmailChannel",
)
SUBJECT_TEXT_LENGTH = 60


def safe_subject(text: str, *, limit: int = SUBJECT_TEXT_LENGTH) -> str:
    """One line for a mail header: every line break (\\r, \\n, \\u2028 ...) and run of whitespace
    becomes one space, so a user's text can never inject a header (or raise BadHeaderError)."""
    line = " ".join(str(text).split())
    return line[:limit]


class Channel:
    name = ""
    records_delivery = True  # False for the inbox: the notification row is the delivery

    def can_reach(self, user) -> bool:
        return True

    def send(self, notification) -> None:
        raise NotImplementedError


class InboxChannel(Channel):
    """The portal inbox: the Notification row itself, created before any channel runs."""

    name = "inbox"
    records_delivery = False

    def send(self, notification) -> None:
        return None


class EmailChannel(Channel):
    name = "email"

    def can_reach(self, user) -> bool:
        return bool(user.email)

    def send(self, notification) -> None:
        subject = safe_subject(
            _("Estate governance: %(text)s") % {"text": safe_subject(notification.text)},
            limit=120,
        )
        body = notification.body or notification.text
        if notification.link:
            body = f"{body}\n\n{notification.link}"
        send_mail(
            subject=subject,
            message=body,
            from_email=None,
            recipient_list=[notification.user.email],
        )


@cache
def _load(paths: tuple[str, ...]) -> tuple[Channel, ...]:
    return tuple(import_string(path)() for path in paths)


def configured_channels() -> tuple[Channel, ...]:
    paths = tuple(getattr(settings, "NOTIFICATION_CHANNELS", DEFAULT_CHANNELS))
    return _load(paths)
