"""Version of what anonymous readers may see: published years change only by publish or reopen,
and each writes a PublicationEvent. The version lives in the cache so a cached public answer
costs no database query; publish and reopen drop it when they commit."""

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max

VERSION_KEY = "ratings:public-version"
# Bounds staleness where the cache is per process (no Redis): another process's publish shows
# within this time. With Redis (production) the deletion is seen everywhere at once.
VERSION_SECONDS = 60


def public_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        from .models import PublicationEvent

        version = PublicationEvent.objects.aggregate(v=Max("pk"))["v"] or 0
        cache.set(VERSION_KEY, version, VERSION_SECONDS)
    return version


def publication_changed() -> None:
    """Call inside the transaction that publishes or reopens a year. Dropped now and again on
    commit: a reader may re-cache the old version before the transaction commits."""
    cache.delete(VERSION_KEY)
    transaction.on_commit(lambda: cache.delete(VERSION_KEY))


# The version this process saw last: lets a cached answer be fetched together with the current
# version in one round trip. Only a guess; the version read with it decides.
_last_seen_version: int | None = None


def _current(key: str):
    """(versioned key, cached value or None) under the current publication version, in one
    cache round trip when this process guessed the version right."""
    global _last_seen_version
    guess = _last_seen_version
    keys = [VERSION_KEY] if guess is None else [VERSION_KEY, f"{key}:{guess}"]
    found = cache.get_many(keys)
    version = found.get(VERSION_KEY)
    if version is None:
        version = public_version()
    _last_seen_version = version
    versioned_key = f"{key}:{version}"
    value = found.get(versioned_key) if version == guess else cache.get(versioned_key)
    return versioned_key, value


def cached_answer(key: str, build, seconds: int):
    """The cached value of `key` under the current publication version, or `build()` stored.
    Exact: an answer is served only under the version read in the same round trip."""
    versioned_key, value = _current(key)
    if value is None:
        value = build()
        cache.set(versioned_key, value, seconds)
    return value


def cached_only(key: str):
    """The cached value of `key` under the current publication version, or None (nothing is
    built: the caller's full path builds and stores it)."""
    return _current(key)[1]


def plainly_anonymous(request) -> bool:
    """Whether the request carries no session, no messages and no credentials: its answer is
    the anonymous one without loading a session or a user."""
    from django.conf import settings

    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME not in cookies
        and getattr(settings, "MESSAGE_COOKIE_NAME", "messages") not in cookies
        and "HTTP_AUTHORIZATION" not in request.META
    )
