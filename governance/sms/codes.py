"""One-time codes to a phone (password reset): six digits, stored as a keyed hash (HMAC with
SECRET_KEY), valid 10 minutes, 5 wrong attempts, one use; a new code voids the older ones.
Sending is limited per user (one a minute, ten a day) in the database, so it holds without the
cache."""

import datetime
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from . import send_sms
from .models import OneTimeCode

VALID_FOR = datetime.timedelta(minutes=10)
MAX_ATTEMPTS = 5
MIN_INTERVAL = datetime.timedelta(seconds=60)
MAX_PER_DAY = 10


class CodeError(Exception):
    """Why a code was not sent or not accepted, in the user's language."""


def _hash(code_id_salt: str, code: str) -> str:
    return salted_hmac(f"governance.sms.codes:{code_id_salt}", code, algorithm="sha256").hexdigest()


def issue(*, user, purpose: str = OneTimeCode.Purpose.PASSWORD_RESET) -> OneTimeCode | None:
    """Send a new code to the user's phone. Returns None (and sends nothing) when the sending
    limits are reached; the caller says the same to everyone so numbers cannot be probed."""
    now = timezone.now()
    with transaction.atomic():
        recent = OneTimeCode.objects.select_for_update().filter(
            user=user, purpose=purpose, created_at__gte=now - datetime.timedelta(days=1)
        )
        latest = recent.order_by("-created_at").first()
        if latest and latest.created_at > now - MIN_INTERVAL:
            return None
        if recent.count() >= MAX_PER_DAY:
            return None
        recent.filter(used_at__isnull=True).update(used_at=now)  # a new code voids older ones
        code = f"{secrets.randbelow(10**6):06d}"
        salt = secrets.token_hex(8)
        record = OneTimeCode.objects.create(
            user=user,
            purpose=purpose,
            code_hash=f"{salt}${_hash(salt, code)}",
            expires_at=now + VALID_FOR,
        )
        text = _("%(code)s is your verification code for %(site)s. Valid for 10 minutes.") % {
            "code": code,
            "site": getattr(settings, "SMS_SITE_NAME", _("Estate governance")),
        }
        transaction.on_commit(lambda: send_sms(user.phone, text))
    return record


def verify(*, user, code: str, purpose: str = OneTimeCode.Purpose.PASSWORD_RESET) -> None:
    """Accept the user's current code once, or raise CodeError. Every wrong try counts."""
    now = timezone.now()
    code = "".join(ch for ch in code or "" if ch.isdigit())
    with transaction.atomic():
        record = (
            OneTimeCode.objects.select_for_update()
            .filter(user=user, purpose=purpose, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if record is None or record.expires_at <= now:
            raise CodeError(_("The code has expired or was already used. Ask for a new one."))
        if record.attempts >= MAX_ATTEMPTS:
            raise CodeError(_("Too many wrong codes. Ask for a new one."))
        salt, _sep, digest = record.code_hash.partition("$")
        if constant_time_compare(digest, _hash(salt, code)):
            record.used_at = now
            record.save(update_fields=["used_at"])
            return
        # The wrong try is counted in this transaction, which must commit: raise after it.
        record.attempts += 1
        record.save(update_fields=["attempts"])
        left = MAX_ATTEMPTS - record.attempts
    if left <= 0:
        raise CodeError(_("Too many wrong codes. Ask for a new one."))
    raise CodeError(_("The code is wrong. %(left)d tries left.") % {"left": left})
