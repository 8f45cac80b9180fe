"""Open311 is rate-limited per client address, and answers while the cache's Redis is down."""

import pytest

pytestmark = pytest.mark.django_db

SERVICES = "/open311/v2/services.json"


@pytest.fixture
def low_rates(settings, town):
    settings.OPEN311_RATES = {"open311_read": "3/minute", "open311_write": "2/minute"}
    return town


def test_reads_past_the_limit_get_429_in_the_open311_error_format(client, low_rates):
    params = {"jurisdiction_id": low_rates.pk}
    for _ in range(3):
        assert client.get(SERVICES, params, REMOTE_ADDR="192.0.2.7").status_code == 200
    refused = client.get(SERVICES, params, REMOTE_ADDR="192.0.2.7")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused.json() == [{"code": 429, "description": "Too many requests; try again later."}]
    assert client.get(SERVICES, params, REMOTE_ADDR="192.0.2.8").status_code == 200


def test_with_the_cache_redis_unreachable_requests_are_answered_unthrottled(
    client, low_rates, settings
):
    settings.CACHES = {
        "default": {
            "BACKEND": "governance.cache.DegradingRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
        }
    }
    params = {"jurisdiction_id": low_rates.pk}
    statuses = [client.get(SERVICES, params).status_code for _ in range(5)]
    assert statuses == [200] * 5
