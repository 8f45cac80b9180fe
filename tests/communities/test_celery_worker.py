import os

import pytest


@pytest.mark.worker
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")
def test_real_worker_runs_governance_ping_through_redis(celery_worker):
    from governance.celery import ping

    assert celery_worker.conf.broker_url.startswith("redis://")
    result = ping.delay()
    assert result.get(timeout=20) == "pong"
    assert result.backend.__class__.__name__ == "RedisBackend"
