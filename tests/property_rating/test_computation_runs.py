"""Computation runs: idempotent, set-based (query count independent of the number of units),
recorded as ComputationRun, and executed by a real Celery worker."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from property_rating import tasks
from property_rating.factories import InspectionScoreFactory, SatisfactionRatingFactory
from property_rating.models import AnnualResult, ComputationRun, Payout, QuarterScore
from property_rating.scoring import compute_all, compute_quarter

from .helpers import give_inputs

D = Decimal
VOLATILE = {"id", "run", "computed_at", "calculated_at"}


def _snapshot():
    def rows(qs):
        return sorted(
            (
                tuple(sorted((k, str(v)) for k, v in model_to_dict(o).items() if k not in VOLATILE))
                for o in qs
            ),
        )

    return (
        rows(QuarterScore.objects.all()),
        rows(AnnualResult.objects.all()),
        rows(Payout.objects.all()),
    )


def _populate(make_unit, n, offset=0):
    units = []
    for i in range(n):
        unit = make_unit(f"小区{offset + i}")
        give_inputs(unit, quarters=(60 + i % 40, 70, 80 + i % 20, None))
        unit.imported_annual.delete()
        for _ in range(2):
            SatisfactionRatingFactory(unit=unit, rating=1 + i % 5)
        InspectionScoreFactory(unit=unit, score=D(50 + i % 50))
        units.append(unit)
    return units


@pytest.mark.django_db
def test_annual_task_twice_leaves_identical_rows(scheme, make_unit):
    _populate(make_unit, 12)
    tasks.compute_year.delay(scheme.town_id, 2021)
    first = _snapshot()
    assert len(first[1]) == 12
    tasks.compute_year.delay(scheme.town_id, 2021)
    assert _snapshot() == first
    assert AnnualResult.objects.count() == 12
    assert ComputationRun.objects.filter(status="succeeded", kind="annual").count() == 2


@pytest.mark.django_db
def test_rerun_after_a_crash_halfway_leaves_the_clean_rows(scheme, make_unit, monkeypatch):
    _populate(make_unit, 5)
    compute_all(town_id=scheme.town_id, year=2021)
    clean = _snapshot()
    AnnualResult.objects.all().delete()
    Payout.objects.all().delete()

    from property_rating import scoring

    def crash(**kwargs):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(scoring, "_write_annual_payouts", crash)
    with pytest.raises(RuntimeError):
        compute_all(town_id=scheme.town_id, year=2021)
    assert not AnnualResult.objects.exists()  # the annual writes are one transaction
    monkeypatch.undo()
    compute_all(town_id=scheme.town_id, year=2021)
    assert _snapshot() == clean


@pytest.mark.django_db
def test_computation_query_count_is_independent_of_the_number_of_units(scheme, make_unit):
    _populate(make_unit, 3)
    with CaptureQueriesContext(connection) as small:
        compute_all(town_id=scheme.town_id, year=2021)
        compute_quarter(town_id=scheme.town_id, year=2021, quarter=1)
    _populate(make_unit, 30, offset=100)
    with CaptureQueriesContext(connection) as large:
        compute_all(town_id=scheme.town_id, year=2021)
        compute_quarter(town_id=scheme.town_id, year=2021, quarter=1)
    assert AnnualResult.objects.count() == 33
    assert len(small.captured_queries) == len(large.captured_queries)


@pytest.mark.django_db
def test_run_records_pending_units_and_outcome(scheme, make_unit, manager_for):
    from property_rating.reports import report_get_or_create, report_submit

    unit = make_unit()
    manager = manager_for(unit)
    report_submit(report=report_get_or_create(unit=unit, quarter=1, by=manager), by=manager)
    result = tasks.compute_quarter.delay(scheme.town_id, 2021, 1).get()
    run = ComputationRun.objects.get(pk=result["run"])
    assert run.status == "succeeded" and run.progress == 100
    assert run.pending_units[0]["unit"] == unit.pk
    assert run.counts["units"] == 1 and run.outcome == ""
    with translation.override("zh-hans"):
        assert run.outcome_text() == "计算了 1 个单位，其中 1 个待定、0 个缺报（Q = 0）"


@pytest.mark.django_db
def test_computation_of_a_published_year_fails_and_says_why(scheme, make_unit, staff):
    from django.core.exceptions import ValidationError

    give_inputs(make_unit(), quarters=(90,) * 4)
    compute_all(town_id=scheme.town_id, year=2021)
    from property_rating.publication import results_publish

    results_publish(scheme=scheme, by=staff)
    with pytest.raises(ValidationError):
        tasks.compute_year.delay(scheme.town_id, 2021)
    run = ComputationRun.objects.latest("created_at")
    # The outcome is stored in the language the run was started in: Chinese by default.
    assert run.status == "failed" and "已发布" in run.outcome


@pytest.mark.django_db
def test_beat_task_computes_only_due_uncomputed_quarters(scheme, make_unit):
    give_inputs(make_unit(), quarters=(90,) * 4)
    done = tasks.compute_due_quarters.delay().get()
    assert sorted(q for _t, _y, q in done) == [1, 2, 3, 4]
    assert tasks.compute_due_quarters.delay().get() == []  # safe to repeat


@pytest.mark.worker
def test_real_celery_worker_computes_a_quarter_through_redis(celery_worker, make_unit, town, staff):
    from property_rating.factories import SchemeFactory

    scheme = SchemeFactory(town=town, year=2021)
    unit = give_inputs(make_unit(), quarters=(92, 80, 80, 80))
    run = tasks.start_computation(town_id=scheme.town_id, year=2021, quarter=1, by=staff)
    # start_computation enqueues on commit; transactional_db commits immediately.
    deadline = datetime.datetime.now() + datetime.timedelta(seconds=30)
    while datetime.datetime.now() < deadline:
        run.refresh_from_db()
        if run.status in ("succeeded", "failed"):
            break
        import time

        time.sleep(0.2)
    assert run.status == "succeeded", run.outcome
    assert run.task_id
    assert QuarterScore.objects.get(unit=unit, quarter=1).accrual == D("30000.00")


@pytest.mark.django_db
def test_invalid_scheme_is_not_computed_and_the_run_says_why(scheme, make_unit):
    from django.core.exceptions import ValidationError

    give_inputs(make_unit(), quarters=(90,) * 4)
    scheme.task_items.filter(code="T1").update(max_points=D("20"))
    with pytest.raises(ValidationError):
        tasks.compute_year.delay(scheme.town_id, 2021)
    run = ComputationRun.objects.get()
    assert run.status == "failed" and "105" in run.outcome
    assert not AnnualResult.objects.exists()
