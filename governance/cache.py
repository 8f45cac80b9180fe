"""A Redis cache that degrades instead of failing: with Redis down, a read is a miss and a write is
skipped, with a logged warning, so throttling and cached answers never turn a request into a 500
(issue 10, item 3). Nothing kept only in the cache is the source of truth: submissions are in
PostgreSQL, tasks in the outbox.

After a failure the cache is skipped for `RETRY_AFTER` seconds, so a dead Redis costs each request
nothing rather than a connection attempt per cache call; the warning is logged once per outage
window, not once per call.
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger("governance.cache")

RETRY_AFTER = 5.0


def _connection_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, keeping one redis.Redis per connection pool instead of making
    one on every cache call: redis-py fills some 170 response callbacks in each new client,
    about a quarter of the time of an API answer served from the cache (benchmarks/README.md,
    issue 16). A redis.Redis is safe to share between threads; its pool hands out connections."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class DegradingRedisCache(RedisCache):
    """Django's RedisCache; a read answers its default and a write does nothing while Redis is
    unreachable. Connection failures are bounded by short socket timeouts and no retries (set in
    the OPTIONS below unless the settings say otherwise)."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
        options.setdefault("retry_on_timeout", False)
        # redis-py retries a failed connection 3 times with backoff by default: seconds per call.
        options.setdefault("retry", Retry(NoBackoff(), 0))
        params = {**params, "OPTIONS": options}
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._down_until = 0.0
        self._lock = threading.Lock()
        self._errors = _connection_errors()

    def _guard(self, operation: str, call, default):
        if time.monotonic() < self._down_until:
            return default
        try:
            return call()
        except self._errors as error:
            with self._lock:
                first = time.monotonic() >= self._down_until
                self._down_until = time.monotonic() + RETRY_AFTER
            if first:
                logger.warning(
                    "Cache unavailable (%s failed: %s); serving without the cache for %.0f s.",
                    operation,
                    error.__class__.__name__,
                    RETRY_AFTER,
                )
            return default

    # Each method as RedisCache's, with the answer it gives while Redis is unreachable.
    def get(self, *args, **kwargs):
        default = args[1] if len(args) > 1 else kwargs.get("default")
        return self._guard(
            "get", lambda: super(DegradingRedisCache, self).get(*args, **kwargs), default
        )

    def get_many(self, *args, **kwargs):
        return self._guard(
            "get_many", lambda: super(DegradingRedisCache, self).get_many(*args, **kwargs), {}
        )

    def has_key(self, *args, **kwargs):
        return self._guard(
            "has_key", lambda: super(DegradingRedisCache, self).has_key(*args, **kwargs), False
        )

    def add(self, *args, **kwargs):
        return self._guard(
            "add", lambda: super(DegradingRedisCache, self).add(*args, **kwargs), False
        )

    def set(self, *args, **kwargs):
        return self._guard(
            "set", lambda: super(DegradingRedisCache, self).set(*args, **kwargs), None
        )

    def set_many(self, data, *args, **kwargs):
        return self._guard(
            "set_many",
            lambda: super(DegradingRedisCache, self).set_many(data, *args, **kwargs),
            list(data),
        )

    def touch(self, *args, **kwargs):
        return self._guard(
            "touch", lambda: super(DegradingRedisCache, self).touch(*args, **kwargs), False
        )

    def delete(self, *args, **kwargs):
        return self._guard(
            "delete", lambda: super(DegradingRedisCache, self).delete(*args, **kwargs), False
        )

    def delete_many(self, *args, **kwargs):
        return self._guard(
            "delete_many",
            lambda: super(DegradingRedisCache, self).delete_many(*args, **kwargs),
            None,
        )

    def incr(self, key, delta=1, version=None):
        # With Redis down the stored value is unknown: answer as if the key had just been made.
        return self._guard(
            "incr", lambda: super(DegradingRedisCache, self).incr(key, delta, version), delta
        )

    def clear(self):
        return self._guard("clear", lambda: super(DegradingRedisCache, self).clear(), False)
