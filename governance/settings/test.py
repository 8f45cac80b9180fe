"""Test settings: fast hashing, tasks run eagerly unless a test starts a real worker (it says so)."""

import os

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, env_bool

SECRET_KEY = "test-secret-key-only-for-the-test-suite"  # noqa: S105  # nosec B105: test-only key
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Each xdist worker gets its own Redis database so one worker never consumes another's tasks.
_xdist = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_redis_db = int(os.environ.get("TEST_REDIS_DB_BASE", "1")) + int(
    "".join(ch for ch in _xdist if ch.isdigit()) or 0
)
_redis_base = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
TEST_REDIS_URL = f"{_redis_base}/{_redis_db}"
CELERY_BROKER_URL = TEST_REDIS_URL
CELERY_RESULT_BACKEND = TEST_REDIS_URL
CELERY_TASK_ALWAYS_EAGER = not env_bool("CELERY_REAL_WORKER", False)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # A throw-away test database need not wait for each commit's WAL flush (the live-server,
    # worker and transactional tests commit thousands of times): minutes of CI on this VM.
    DATABASES["default"]["OPTIONS"]["options"] += " -c synchronous_commit=off"  # noqa: F405

MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT", "/tmp/governance-test-media"))  # noqa: F405,S108  # nosec B108: test media, overridden per test
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "10000/minute", "user": "10000/minute"},
}
OPEN311_RATES = {"open311_read": "10000/minute", "open311_write": "10000/minute"}  # noqa: F405
LANGUAGE_CODE = "zh-hans"
SMS_BACKEND = "governance.sms.backends.LocmemBackend"
