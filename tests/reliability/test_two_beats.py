"""Two beat schedulers at once (a second one started by mistake, or two hosts during a deploy)
produce one computation per quarter and no duplicate payouts (issue 7, item 3).

Both beats run django-celery-beat's database scheduler on the same schedule entry, due every
two seconds, and send to a worker with two processes, so two deliveries can run at the same
time.
"""

import time

import pytest
from django.db.models import Count
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from property_rating.models import ComputationRun, Payout, QuarterScore
from tests.builders import bulk_town

from .conftest import wait_for

pytestmark = [pytest.mark.reliability, pytest.mark.django_db(transaction=True)]

# Large enough that one delivery computes for seconds and the next ones arrive meanwhile (with
# 300 units the first finished before the second arrived and the race never showed). Without the
# lock in compute_due_quarters this test failed: Q3 and Q4 were computed twice.
UNITS = 1000
TICKS_S = 8  # four ticks of each beat


def test_two_beat_schedulers_produce_one_computation_per_quarter(
    rel_celery, start_worker, start_beat
):
    town = bulk_town(UNITS)
    every_two_seconds = IntervalSchedule.objects.create(every=2, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="reliability: compute quarters past their due date",
        task="property_rating.compute_due_quarters",
        interval=every_two_seconds,
    )
    start_worker(pool="prefork", concurrency=2)
    beats = [start_beat(name="beat-a"), start_beat(name="beat-b")]
    time.sleep(TICKS_S)
    for beat in beats:
        beat.stop()
        # Both schedulers really sent the task, more than once each.
        assert beat.log().count("Sending due task reliability:") >= 2, beat.log()[-2000:]

    def settled():
        return (
            not ComputationRun.objects.filter(
                status__in=[ComputationRun.Status.QUEUED, ComputationRun.Status.RUNNING]
            ).exists()
            and ComputationRun.objects.filter(town=town).count() >= 4
        )

    wait_for(settled, timeout=120, interval=0.5, what="the computations to finish")
    time.sleep(2)  # a delivery still in the queue would start a run now
    runs = dict(
        ComputationRun.objects.filter(town=town).values_list("quarter").annotate(n=Count("pk"))
    )
    print(f"\n[two beats] computation runs per quarter: {runs}")
    assert runs == {1: 1, 2: 1, 3: 1, 4: 1}
    assert not ComputationRun.objects.filter(status=ComputationRun.Status.FAILED).exists()

    # One accrual per unit and computed quarter, none twice.
    scored = QuarterScore.objects.filter(unit__town=town).exclude(accrual=None).count()
    accruals = Payout.objects.filter(unit__town=town).exclude(quarter=0)
    assert accruals.count() == scored
    assert not accruals.values("unit", "quarter").annotate(n=Count("pk")).filter(n__gt=1).exists()


def test_due_quarters_are_skipped_while_another_process_computes_them(test_database):
    """The guard on its own: while another session holds the lock, a delivery returns at once
    and computes nothing; once it is released, the next delivery computes what is due."""
    import psycopg2

    from property_rating.tasks import DUE_QUARTERS_LOCK, compute_due_quarters

    town = bulk_town(20)
    other = psycopg2.connect(test_database)
    try:
        other.cursor().execute("SELECT pg_advisory_lock(%s)", [DUE_QUARTERS_LOCK])
        assert compute_due_quarters() == []
        assert not ComputationRun.objects.exists()
    finally:
        other.close()  # a dead session's locks are released, as when a worker is killed
    _wait_until_the_server_ends_the_session_holding(DUE_QUARTERS_LOCK)
    assert sorted(q for _, _, q in compute_due_quarters()) == [1, 2, 3, 4]
    assert ComputationRun.objects.filter(town=town).count() == 4


def _wait_until_the_server_ends_the_session_holding(lock_key: int) -> None:
    """A closed client's backend ends (and drops its locks) a moment after the socket closes,
    later on a loaded machine: wait for that instead of racing it."""
    from django.db import connection

    def released():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
                "AND objid = %s)",
                [lock_key & 0xFFFFFFFF],
            )
            return cursor.fetchone()[0]

    wait_for(released, timeout=30, what="the closed session to release its advisory lock")
