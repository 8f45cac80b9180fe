"""No passwords, session ids, tokens or phone numbers in the logs (PIPL).

The end-to-end test turns on SQL logging (the most talkative thing a misconfigured deployment
logs: every parameter of every query), drives logins and a form carrying a phone number through
the real middleware, and greps what the configured handler wrote. A raw handler placed in front
shows the values really were in the log records, so the test cannot pass vacuously.
"""

import io
import logging

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from communities.factories import BuildingFactory, EstateFactory, HouseholdFactory
from communities.models import Estate
from governance.security.logging import RedactingFilter, redact

from .conftest import PASSWORD, login

pytestmark = pytest.mark.django_db
PHONE = "13987654321"


def test_every_configured_handler_redacts():
    config = django_settings.LOGGING
    assert config["filters"]["redact"]["()"] == "governance.security.logging.RedactingFilter"
    for name, handler in config["handlers"].items():
        assert "redact" in handler.get("filters", []), name
    root_handlers = [h for h in logging.getLogger().handlers if not _is_pytest(h)]
    assert root_handlers
    for handler in root_handlers:
        assert any(isinstance(f, RedactingFilter) for f in handler.filters), handler


def _is_pytest(handler) -> bool:
    return type(handler).__module__.startswith("_pytest")


class _Raw(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.fixture
def console():
    """The configured console handler, writing into a buffer for the test."""
    handler = next(h for h in logging.getLogger().handlers if not _is_pytest(h))
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


@pytest.fixture
def sql_logging():
    logger = logging.getLogger("django.db.backends")
    level, connection.force_debug_cursor = logger.level, True
    logger.setLevel(logging.DEBUG)
    raw = _Raw()
    root = logging.getLogger()
    root.handlers.insert(0, raw)  # sees each record before any filter rewrites it
    yield raw
    root.handlers.remove(raw)
    logger.setLevel(level)
    connection.force_debug_cursor = False


def test_logins_and_a_form_with_a_phone_leave_no_secrets_in_the_log(
    resident, community, console, sql_logging, caplog
):
    caplog.set_level(logging.INFO)
    estate = EstateFactory(community=community, status=Estate.Status.DELIVERED)
    HouseholdFactory(building=BuildingFactory(estate=estate, name="3栋"), room="1101")
    client = Client()
    # Given a failed and then a successful login,
    login(client, "resident1", "wrong-" + PASSWORD)
    assert login(client, "resident1", PASSWORD).status_code == 302
    session_key = client.cookies["sessionid"].value
    # when the signed-in resident sends a form carrying their phone number,
    response = client.post(
        "/accounts/verify/",
        {
            "resident_name": "王五",
            "estate": estate.pk,
            "building": "3栋",
            "room": "1101",
            "note": f"请致电 {PHONE}",
            "relation": "tenant",
        },
    )
    assert response.status_code == 302
    logging.getLogger("governance.test").warning(
        "POST data %s cookie sessionid=%s", {"password": PASSWORD, "phone": PHONE}, session_key
    )

    # then the records carried the values (SQL parameters, the explicit line above) ...
    raw = "\n".join(sql_logging.lines)
    assert PHONE in raw and session_key in raw
    # ... and neither the configured handler's output nor pytest's capture holds any of them.
    written = console.getvalue()
    assert "django_session" in written  # the SQL really went through this handler
    assert "王五" in raw  # the name and the room travelled as SQL parameters ...
    for secret in (PASSWORD, session_key, PHONE, "wrong-" + PASSWORD, "王五", "'1101'"):
        assert secret not in written, secret
        assert secret not in caplog.text, secret
    assert "[redacted]" in written


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("<QueryDict: {'username': ['a'], 'password': ['s3cret pass']}>", "s3cret pass"),
        ("Cookie: csrftoken=abc123def; sessionid=q9w8e7r6t5y4", "q9w8e7r6t5y4"),
        ('{"new_password1": "Xyz-12345", "otp_token": "123456"}', "Xyz-12345"),
        ('{"otp_token": "123456"}', "123456"),
        ("HTTP_AUTHORIZATION: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", "9944b0919"),
        ("call +86 138-1234-5678 now", "1234-5678"),
        ("联系电话13812345678谢谢", "13812345678"),
        ("landline 0757-86123456", "86123456"),
        ("身份证 44010619900101123X", "44010619900101123X"),
        ("address=佛山市南海区里水镇 1栋101", "里水镇"),
        ("args=(1, 'yq0qb9dmzz5hjc7jgd7agawa3yzaisft')", "yq0qb9dmzz5hjc7jgd7agawa3yzaisft"),
    ],
)
def test_redact_removes(line, secret):
    assert secret not in redact(line)


@pytest.mark.parametrize(
    "line",
    [
        "GET /api/v1/estates/12/ 200",
        "computed 39 units for 2021 in 0.42 s",
        "credit code 91440605MA4UJXXX1Y",
        "outbox message 1234567 sent",
    ],
)
def test_redact_keeps_ordinary_lines(line):
    assert redact(line) == line


def test_tracebacks_are_redacted(console):
    logger = logging.getLogger("governance.test")
    try:
        raise ValueError(f"bad phone {PHONE}")
    except ValueError:
        logger.exception("failed for %s", PHONE)
    written = console.getvalue()
    assert "ValueError" in written
    assert PHONE not in written
