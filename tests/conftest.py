"""Shared fixtures: a real Celery worker against Redis, and a real headless Chromium."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + sync Playwright


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A real Celery worker thread consuming from Redis (this xdist worker's own database)."""
    import celery.contrib.testing.tasks  # noqa: F401  registers celery.ping
    from celery.contrib.testing.worker import start_worker

    from governance.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = settings.CELERY_BROKER_URL
    app.conf.result_backend = settings.CELERY_RESULT_BACKEND
    app.conf.broker_url_for_tests = settings.CELERY_BROKER_URL
    try:
        with start_worker(
            app, pool="solo", concurrency=1, perform_ping_check=True, shutdown_timeout=10.0
        ):
            yield app
    finally:
        app.conf.task_always_eager = True


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def screenshot_dir():
    path = os.environ.get("SCREENSHOT_DIR", "var/screenshots")
    os.makedirs(path, exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def _eager_tasks():
    """Each test starts with tasks run in-process (the test settings' default); a test that starts
    a real worker (celery_worker, the reliability fixtures) turns that off for itself. Without
    this, one test that left the shared Celery app non-eager made later tests wait on Redis."""
    from governance.celery import app

    app.conf.task_always_eager = True
    yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (throttle counters, cached public answers)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
