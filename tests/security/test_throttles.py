"""Anonymous API reads are rate-limited per client address, and X-Forwarded-For is trusted only
as far as REST_FRAMEWORK["NUM_PROXIES"] says (0 by default: not at all)."""

import pytest
from django.conf import settings as django_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from communities.factories import TownFactory

pytestmark = pytest.mark.django_db
LIMIT = 5


@pytest.fixture
def low_limits(monkeypatch, settings):
    # DRF binds THROTTLE_RATES at import: patch the classes as well as the setting.
    rates = {"anon": f"{LIMIT}/minute", "user": f"{LIMIT * 2}/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", rates)
    TownFactory()


def _num_proxies(settings, n):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": n}


def test_proxy_count_defaults_to_zero():
    assert django_settings.REST_FRAMEWORK["NUM_PROXIES"] == 0


def test_anonymous_reads_past_the_limit_get_429(client, low_limits):
    for _ in range(LIMIT):
        assert client.get("/api/v1/towns/").status_code == 200
    response = client.get("/api/v1/towns/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_rotating_forwarded_for_does_not_escape_the_limit(client, low_limits):
    statuses = [
        client.get("/api/v1/towns/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(LIMIT + 3)
    ]
    assert statuses[:LIMIT] == [200] * LIMIT
    assert set(statuses[LIMIT:]) == {429}


def test_another_address_has_its_own_allowance(client, low_limits):
    for _ in range(LIMIT + 1):
        client.get("/api/v1/towns/", REMOTE_ADDR="192.0.2.1")
    assert client.get("/api/v1/towns/", REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.get("/api/v1/towns/", REMOTE_ADDR="192.0.2.2").status_code == 200


def test_behind_one_proxy_the_rightmost_forwarded_address_is_the_client(
    client, low_limits, settings
):
    _num_proxies(settings, 1)
    # The proxy appends the address it saw; anything the client wrote is to its left.
    for n in range(LIMIT):
        response = client.get(
            "/api/v1/towns/",
            HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 203.0.113.5",
            REMOTE_ADDR="10.0.0.1",
        )
        assert response.status_code == 200
    spoofed = client.get(
        "/api/v1/towns/", HTTP_X_FORWARDED_FOR="10.9.9.99, 203.0.113.5", REMOTE_ADDR="10.0.0.1"
    )
    assert spoofed.status_code == 429
    other_client = client.get(
        "/api/v1/towns/", HTTP_X_FORWARDED_FOR="203.0.113.6", REMOTE_ADDR="10.0.0.1"
    )
    assert other_client.status_code == 200


def test_signed_in_users_have_their_own_higher_limit(client, low_limits, resident):
    client.force_login(resident)
    statuses = [client.get("/api/v1/towns/").status_code for _ in range(LIMIT * 2 + 1)]
    assert statuses.count(200) == LIMIT * 2
    assert statuses[-1] == 429


def test_login_lockout_and_audit_use_the_same_client_address(settings, rf):
    from governance.security.client_ip import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.1.1.1, 2.2.2.2", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "10.0.0.1"
    _num_proxies(settings, 1)
    assert client_ip(request) == "2.2.2.2"
    _num_proxies(settings, 2)
    assert client_ip(request) == "1.1.1.1"
