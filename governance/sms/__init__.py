"""Text messages to phones through a pluggable backend, like Django's e-mail backends.

`send_sms(phone, text)` hands the message to the backend named by `SMS_BACKEND` (a dotted path):

- `governance.sms.backends.ConsoleBackend` (the default): writes the message to stdout.
- `governance.sms.backends.FileBackend`: appends one JSON line per message to `SMS_FILE_PATH`.
- `governance.sms.backends.LocmemBackend`: keeps messages in `governance.sms.outbox` (tests).

A production provider (Aliyun SMS, Tencent Cloud SMS, ...) is a subclass of `BaseSmsBackend`
with `send(phone, text)` calling the provider's API, named in `SMS_BACKEND`, with its account,
key, signature and template read from `SMS_OPTIONS` (a dict from the environment), e.g.

    SMS_BACKEND=myoffice.sms.AliyunBackend
    SMS_OPTIONS={"access_key_id": "...", "sign_name": "里水镇", "template_code": "SMS_123"}

Only the console, file and locmem backends exist and are tested here; no provider is.
"""

from django.conf import settings
from django.utils.module_loading import import_string

outbox: list[dict] = []  # LocmemBackend's messages


def get_backend():
    path = getattr(settings, "SMS_BACKEND", "governance.sms.backends.ConsoleBackend")
    return import_string(path)(options=getattr(settings, "SMS_OPTIONS", {}) or {})


def send_sms(phone: str, text: str) -> None:
    """Send one message; a backend raises SmsError when the provider refuses it."""
    get_backend().send(phone, text)
