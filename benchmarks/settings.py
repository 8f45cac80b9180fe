"""Settings of the load benchmark (benchmarks/bench_load.py): the production shape (DEBUG off,
PostgreSQL from DATABASE_URL, Redis cache from REDIS_URL), plus a bare JSON view as the upper
bound (benchmarks/urls.py) and the API throttle off: the benchmark measures throughput from one
address, which the default anonymous rate (120/minute) would answer with 429. Off rather than a
huge rate: DRF keeps one timestamp per request in the window, so a rate of millions a minute makes
every request unpickle a list that grows with the load itself, a cost no deployment has (at
120/minute the list holds at most 120 entries)."""

from governance.settings.base import *  # noqa: F403
from governance.settings.base import REST_FRAMEWORK

DEBUG = False
SECRET_KEY = "benchmark-only-secret-key-never-used-for-anything-real-0123456789"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "benchmarks.urls"
# No collectstatic for a benchmark run: plain storage (whitenoise's manifest needs one).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
