"""The year lock (property_rating.schemes.ensure_year_open): writes of one year do not wait for
each other, and a publication waits for a write in flight."""

import threading

import pytest
from django.db import OperationalError, connection, transaction

from property_rating.publication import results_publish
from property_rating.schemes import ensure_year_open

from .helpers import compute, give_inputs


def _give_up_on_locks_after(ms: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{int(ms)}ms'")


@pytest.mark.django_db(transaction=True)
def test_writes_share_the_year_lock_and_a_publication_waits_for_them(scheme, staff, make_unit):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    give_inputs(make_unit("小区0"))
    compute(scheme.town)
    holding, release = threading.Event(), threading.Event()

    def write_in_flight():
        try:
            with transaction.atomic():
                ensure_year_open(scheme.town_id, scheme.year)
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    writer = threading.Thread(target=write_in_flight)
    writer.start()
    try:
        assert holding.wait(30)
        with transaction.atomic():  # another write of the same year goes ahead at once
            _give_up_on_locks_after(2000)
            assert ensure_year_open(scheme.town_id, scheme.year).pk == scheme.pk
        with pytest.raises(OperationalError), transaction.atomic():
            _give_up_on_locks_after(200)
            results_publish(scheme=scheme, by=staff)
    finally:
        release.set()
        writer.join(30)
    scheme.refresh_from_db()
    assert not scheme.is_published
    results_publish(scheme=scheme, by=staff)  # the write finished: the publication goes ahead
    scheme.refresh_from_db()
    assert scheme.is_published
