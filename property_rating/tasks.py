"""Celery tasks of property_rating: thin. They take ids and plain values and call
property_rating.scoring, which records a ComputationRun and is safe to run twice (one row per unit
and period is upserted)."""

import logging
from contextlib import contextmanager

from celery import shared_task
from django.db import connection

from . import scoring
from .models import ComputationRun
from .scoring import run_quarter, run_year  # noqa: F401  (callers used to find them here)

logger = logging.getLogger(__name__)


@shared_task(name="property_rating.compute_quarter", bind=True)
def compute_quarter(
    self,
    town_id: int,
    year: int,
    quarter: int,
    run_id: int | None = None,
    started_by_id: int | None = None,
) -> dict:
    return scoring.run_quarter(
        town_id=town_id,
        year=year,
        quarter=quarter,
        run_id=run_id,
        started_by_id=started_by_id,
        task_id=self.request.id,
    )


@shared_task(name="property_rating.compute_year", bind=True)
def compute_year(
    self, town_id: int, year: int, run_id: int | None = None, started_by_id: int | None = None
) -> dict:
    return scoring.run_year(
        town_id=town_id,
        year=year,
        run_id=run_id,
        started_by_id=started_by_id,
        task_id=self.request.id,
    )


# Two beat schedulers (or one message delivered twice) can start compute_due_quarters twice at
# once: both would see the same quarters uncomputed and compute them twice
# (tests/reliability/test_two_beats.py). A PostgreSQL session advisory lock lets one run; the
# other returns at once, the holder computing what is due. The lock dies with its connection, so
# a killed worker never leaves it held (a status flag in a row would).
DUE_QUARTERS_LOCK = 0x50524451  # fixed, arbitrary ("PRDQ")


@contextmanager
def _only_one_at_a_time(key: int):
    """Yields True when this process holds the lock, False when another one does."""
    if connection.vendor != "postgresql":
        yield True  # the embedded SQLite default runs tasks in-process, one at a time
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


@shared_task(name="property_rating.compute_due_quarters")
def compute_due_quarters() -> list:
    """Daily (beat): compute the quarters whose due time has passed and that are not computed
    yet, in unpublished years. Safe to repeat: a computed quarter is skipped, and computing one
    again would leave the same rows anyway; concurrent deliveries run one at a time."""
    with _only_one_at_a_time(DUE_QUARTERS_LOCK) as acquired:
        if not acquired:
            logger.info("compute_due_quarters is running elsewhere; skipped")
            return []
        return _compute_due_quarters()


def _compute_due_quarters() -> list:
    return scoring.due_quarters_compute()


def start_computation(*, town_id, year, quarter=None, by=None) -> ComputationRun:
    """Record a queued run and enqueue its task once the transaction commits (admin actions)."""
    from governance.tasks import enqueue_on_commit

    run = scoring.run_record(town_id=town_id, year=year, quarter=quarter, by=by)
    by_id = by.pk if by else None
    if quarter:
        enqueue_on_commit(compute_quarter, town_id, year, quarter, run.pk, by_id)
    else:
        enqueue_on_commit(compute_year, town_id, year, run.pk, by_id)
    return run


@shared_task(name="property_rating.send_report_reminders")
def send_report_reminders() -> dict:
    """Daily: remind managers of reports due in 7 days, in 1 day and overdue (each once: the
    notification keys make a repeated or concurrent run tell nobody twice)."""
    from . import notices

    return notices.send_report_reminders()
