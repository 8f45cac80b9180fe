"""The module-scoped attack world (tests/security/world.py), loaded once per test module inside
a transaction that is rolled back at the end of the module."""

import pytest
from django.db import transaction
from django.test import override_settings

from .world import build


@pytest.fixture(scope="module")
def world_media(tmp_path_factory):
    return tmp_path_factory.mktemp("world-media")


@pytest.fixture(autouse=True)
def _media_root(settings, world_media):
    # The world's files live in one directory for the whole module (tests/conftest.py would
    # give every test a fresh, empty one).
    settings.MEDIA_ROOT = world_media


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, world_media):
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=world_media):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
