"""A logging filter that keeps personal data and secrets out of every log line (PIPL).

Installed on every handler in settings.LOGGING. It renders the message, redacts it, and stores
the result back on the record (with the arguments dropped), so whatever formatter follows sees
only the redacted text; formatted tracebacks are redacted the same way.
"""

import logging
import re

REDACTED = "[redacted]"

# Values named by these keys are secrets or personal data wherever they appear:
# key=value (query strings, cookies, SQL), "key": "value" / 'key': ['value'] (dicts, JSON).
SENSITIVE_KEYS = (
    r"password\d?",
    r"passwd",
    r"new_password\d",
    r"old_password",
    r"secret(?:_key)?",
    r"token",
    r"otp_token",
    r"api[_-]?key",
    r"access[_-]?token",
    r"refresh[_-]?token",
    r"session(?:id|_key)",
    r"csrftoken",
    r"csrfmiddlewaretoken",
    r"authorization",
    r"cookie",
    r"phone",
    r"mobile",
    r"address",
    r"room",
    r"resident_name",
    r"id_card",
)
_KEY = r"(?:" + "|".join(SENSITIVE_KEYS) + r")"
# 'key': 'value'  "key" = 'value'  key: ['value']   (value in quotes, may contain spaces)
_QUOTED = re.compile(
    r"(?i)(?P<head>[\"'`]?\b[\w.]*"
    + _KEY
    + r"\b[\"'`]?\s*[:=]\s*\[?\s*)(?P<q>[\"'])(?P<value>.*?)(?P=q)"
)
# key=value  key: value   (unquoted, up to a separator)
_BARE = re.compile(
    r"(?i)(?P<head>\b[\w.]*" + _KEY + r"\b\s*[:=]\s*)(?!\[redacted\])(?P<value>[^\s\"',;&\]\}]+)"
)
# Authorization: Token abc / Bearer abc — the scheme word is followed by the secret.
_AUTH_SCHEME = re.compile(r"(?i)\b(Token|Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}")
# Mainland mobile numbers (optionally +86), landlines with area code, and ID card numbers.
_PHONE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")
# Session keys (32 characters), CSRF secrets, API tokens, hashes: long runs of letters and digits
# are redacted wherever they stand, e.g. as positional SQL parameters with no key beside them.
_LONG_TOKEN = re.compile(
    r"(?<![A-Za-z0-9_])(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{32,}(?![A-Za-z0-9_])"
)
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


# SQL logged by django.db.backends carries values positionally (INSERT ... VALUES (...), args=(...))
# where no key names them: every string literal in such a line is redacted.
_SQL_STRING = re.compile(r"'(?:[^'\\]|''|\\.)*'")
SQL_LOGGERS = ("django.db.backends",)


def redact(text: str) -> str:
    """`text` with secrets and personal data replaced by [redacted]."""
    if not text:
        return text
    text = _AUTH_SCHEME.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _QUOTED.sub(lambda m: f"{m['head']}{m['q']}{REDACTED}{m['q']}", text)
    text = _BARE.sub(lambda m: f"{m['head']}{REDACTED}", text)
    text = _LONG_TOKEN.sub(REDACTED, text)
    text = _ID_CARD.sub(REDACTED, text)
    text = _PHONE.sub(REDACTED, text)
    text = _LANDLINE.sub(REDACTED, text)
    return text


class RedactingFilter(logging.Filter):
    """Never drops a record; rewrites its message and traceback text."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw template, still redacted
            message = str(record.msg)
        if record.name.startswith(SQL_LOGGERS):
            message = _SQL_STRING.sub("'[redacted]'", message)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
