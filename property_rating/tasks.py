"""Celery tasks of property_rating. They take ids, record a ComputationRun and are safe to run
twice: the computations upsert one row per unit and period (see computation.py)."""

import logging
from contextlib import contextmanager

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from . import computation
from .models import QUARTERS, ComputationRun, QuarterScore, Scheme

logger = logging.getLogger(__name__)


def _run_for(*, run_id, town_id, year, quarter, kind, started_by_id, trigger, task_id):
    if run_id:
        run = ComputationRun.objects.get(pk=run_id)
    else:
        run = ComputationRun.objects.create(
            town_id=town_id,
            year=year,
            quarter=quarter,
            kind=kind,
            started_by_id=started_by_id,
            trigger=trigger,
        )
    run.status = ComputationRun.Status.RUNNING
    run.started_at = timezone.now()
    run.task_id = task_id or ""
    run.save(update_fields=["status", "started_at", "task_id"])
    return run


def _finish(run, outcome=None, error=None):
    run.finished_at = timezone.now()
    if error is None:
        run.status = ComputationRun.Status.SUCCEEDED
        pending = len(outcome.get("pending", []))
        run.outcome = f"{outcome['units']} units computed, {pending} pending"
    else:
        run.status = ComputationRun.Status.FAILED
        run.outcome = str(error)
    run.save(update_fields=["status", "outcome", "finished_at"])


def _validate_scheme(town_id, year) -> None:
    """A scheme whose points, weights or tiers are invalid is not computed (the run says why)."""
    from .schemes import scheme_validate

    scheme = Scheme.objects.filter(town_id=town_id, year=year).first()
    if scheme is not None:
        scheme_validate(scheme=scheme)


def run_quarter(
    *, town_id, year, quarter, run_id=None, started_by_id=None, trigger="admin", task_id=None
) -> dict:
    """Compute a quarter under a ComputationRun (shared by the task and the command)."""
    run = _run_for(
        run_id=run_id,
        town_id=town_id,
        year=year,
        quarter=quarter,
        kind=ComputationRun.Kind.QUARTER,
        started_by_id=started_by_id,
        trigger=trigger,
        task_id=task_id,
    )
    try:
        _validate_scheme(town_id, year)
        outcome = computation.compute_quarter(town_id=town_id, year=year, quarter=quarter, run=run)
    except ValidationError as error:
        _finish(run, error=" ".join(error.messages))
        raise
    except Exception as error:
        _finish(run, error=repr(error))
        raise
    _finish(run, outcome)
    return {
        "run": run.pk,
        **{k: v for k, v in outcome.items() if k != "pending"},
        "pending": len(outcome["pending"]),
    }


def run_year(
    *, town_id, year, run_id=None, started_by_id=None, trigger="admin", task_id=None
) -> dict:
    """Compute every quarter with inputs, then the year, under one ComputationRun."""
    run = _run_for(
        run_id=run_id,
        town_id=town_id,
        year=year,
        quarter=None,
        kind=ComputationRun.Kind.ANNUAL,
        started_by_id=started_by_id,
        trigger=trigger,
        task_id=task_id,
    )
    try:
        _validate_scheme(town_id, year)
        outcome = computation.compute_all(town_id=town_id, year=year, run=run, by=run.started_by)
    except ValidationError as error:
        _finish(run, error=" ".join(error.messages))
        raise
    except Exception as error:
        _finish(run, error=repr(error))
        raise
    _finish(run, outcome["annual"])
    annual = outcome["annual"]
    return {
        "run": run.pk,
        **{k: v for k, v in annual.items() if k != "pending"},
        "pending": len(annual["pending"]),
    }


@shared_task(name="property_rating.compute_quarter", bind=True)
def compute_quarter(
    self,
    town_id: int,
    year: int,
    quarter: int,
    run_id: int | None = None,
    started_by_id: int | None = None,
) -> dict:
    return run_quarter(
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
    return run_year(
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
    now = timezone.now()
    done = []
    for scheme in Scheme.objects.unpublished().select_related("town"):
        computed = set(
            QuarterScore.objects.filter(unit__town_id=scheme.town_id, unit__year=scheme.year)
            .values_list("quarter", flat=True)
            .distinct()
        )
        for quarter in QUARTERS:
            if now > scheme.due_at(quarter) and quarter not in computed:
                try:
                    run_quarter(
                        town_id=scheme.town_id,
                        year=scheme.year,
                        quarter=quarter,
                        trigger="schedule",
                    )
                except ValidationError:
                    logger.exception("scheduled computation of %s Q%s failed", scheme, quarter)
                    continue
                done.append([scheme.town_id, scheme.year, quarter])
    return done


def start_computation(*, town_id, year, quarter=None, by=None) -> ComputationRun:
    """Record a queued run and enqueue its task once the transaction commits (admin actions)."""
    from governance.tasks import enqueue_on_commit

    run = ComputationRun.objects.create(
        town_id=town_id,
        year=year,
        quarter=quarter,
        kind=ComputationRun.Kind.QUARTER if quarter else ComputationRun.Kind.ANNUAL,
        started_by=by,
        trigger="admin",
    )
    by_id = by.pk if by else None
    if quarter:
        enqueue_on_commit(compute_quarter, town_id, year, quarter, run.pk, by_id)
    else:
        enqueue_on_commit(compute_year, town_id, year, run.pk, by_id)
    return run
