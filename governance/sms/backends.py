"""SMS backends (see governance/sms/__init__.py). A backend never logs the message text: it may
hold a one-time code."""

import json
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.utils import timezone


class SmsError(Exception):
    """The provider did not accept the message."""


class BaseSmsBackend:
    def __init__(self, *, options: dict | None = None):
        self.options = options or {}

    def send(self, phone: str, text: str) -> None:  # pragma: no cover - subclasses define it
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    """Development: the message on stdout, as Django's console e-mail backend does."""

    def send(self, phone, text):
        sys.stdout.write(f"SMS to {phone}: {text}\n")
        sys.stdout.flush()


class FileBackend(BaseSmsBackend):
    """One JSON line per message in SMS_FILE_PATH (default var/sms.jsonl): a staging server's
    testers read their codes there."""

    _lock = threading.Lock()

    def send(self, phone, text):
        path = Path(
            self.options.get("path")
            or getattr(settings, "SMS_FILE_PATH", None)
            or Path(settings.BASE_DIR) / "var" / "sms.jsonl"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"at": timezone.now().isoformat(), "to": phone, "text": text}, ensure_ascii=False
        )
        with self._lock, path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")


class LocmemBackend(BaseSmsBackend):
    """Tests: messages kept in governance.sms.outbox."""

    def send(self, phone, text):
        from . import outbox

        outbox.append({"to": phone, "text": text})
