"""Notifications: shared infrastructure every app uses to tell users of events.

An app says WHAT it notifies (an event kind, the recipients, a one-line text, an optional body and a
link) by calling `notify`; how it is delivered is decided here: the inbox row is always recorded
(one per user and event key, which makes sending idempotent) and each configured channel
(settings.NOTIFICATION_CHANNELS: inbox and e-mail now, an SMS backend later) delivers it unless the
user's preferences turn that channel off. One recipient's or channel's failure never stops the
others; a failed delivery is recorded (Delivery.last_error) and retried by `retry_failed_deliveries`.

Public API (import from here):
    notify(recipients, *, kind, key, text, body="", link="") -> int
    unread_count(user) -> int
    inbox_for(user) -> QuerySet
    safe_subject(text) -> str
"""

from .service import inbox_for, notify, retry_failed_deliveries, safe_subject, unread_count

__all__ = ["inbox_for", "notify", "retry_failed_deliveries", "safe_subject", "unread_count"]
