"""Quarterly score Q, late penalty, missing and pending reports, accruals by tier."""

import datetime
from decimal import Decimal

import pytest

from property_rating.models import SHANGHAI, Payout, QuarterlyReport, QuarterScore
from property_rating.reports import report_get_or_create, report_review, report_submit
from property_rating.scoring import compute_quarter, late_days

pytestmark = pytest.mark.django_db
D = Decimal
AFTER_YEAR = datetime.datetime(2022, 6, 1, tzinfo=SHANGHAI)
DUE_Q1 = datetime.datetime(2021, 4, 15, 23, 59, 59, tzinfo=SHANGHAI)


def _reviewed_report(unit, manager, assessor, *, points_each, submitted_at=None, quarter=1):
    """A report whose 9 items get `points_each` (T1/T2 get 1.5x, their max is 15)."""
    report = report_get_or_create(unit=unit, quarter=quarter, by=manager)
    report_submit(report=report, by=manager)
    # Tests run years after 2021: place the submission in time explicitly (on time by default).
    QuarterlyReport.objects.filter(pk=report.pk).update(
        first_submitted_at=submitted_at or DUE_Q1 - datetime.timedelta(days=1)
    )
    scores = {
        f"T{i}": {"points": str(D(points_each) * (D("1.5") if i <= 2 else 1))} for i in range(1, 10)
    }
    report_review(report=report, by=assessor, scores=scores)
    return report


def _q(unit, quarter=1):
    return QuarterScore.objects.get(unit=unit, quarter=quarter)


def test_late_days_count_started_days_after_the_due_time():
    assert late_days(DUE_Q1, DUE_Q1) == 0
    assert late_days(DUE_Q1 + datetime.timedelta(seconds=1), DUE_Q1) == 1
    assert late_days(DUE_Q1 + datetime.timedelta(days=1), DUE_Q1) == 1
    assert late_days(DUE_Q1 + datetime.timedelta(days=1, seconds=1), DUE_Q1) == 2


def test_due_time_is_2359_59_shanghai_report_due_days_after_quarter_end(scheme):
    assert scheme.due_at(1) == DUE_Q1
    assert scheme.due_at(4) == datetime.datetime(2022, 1, 15, 23, 59, 59, tzinfo=SHANGHAI)


def test_late_penalty_per_started_day(scheme, make_unit, manager_for, assessor):
    unit = make_unit()
    # 90 points, submitted 3 days and 1 second late -> 4 started days -> 86
    _reviewed_report(
        unit,
        manager_for(unit),
        assessor,
        points_each="10",
        submitted_at=DUE_Q1 + datetime.timedelta(days=3, seconds=1),
    )
    compute_quarter(town_id=scheme.town_id, year=2021, quarter=1, now=AFTER_YEAR)
    score = _q(unit)
    assert (score.raw_points, score.late_days, score.penalty, score.score) == (
        D("100"),
        4,
        D("4"),
        D("96"),
    )


def test_late_penalty_is_capped(scheme, make_unit, manager_for, assessor):
    unit = make_unit()
    _reviewed_report(
        unit,
        manager_for(unit),
        assessor,
        points_each="8",
        submitted_at=DUE_Q1 + datetime.timedelta(days=30),
    )
    compute_quarter(town_id=scheme.town_id, year=2021, quarter=1, now=AFTER_YEAR)
    score = _q(unit)
    assert (score.late_days, score.penalty, score.score) == (30, D("10.00"), D("70.00"))


def test_late_penalty_never_takes_q_below_zero(scheme, make_unit, manager_for, assessor):
    unit = make_unit()
    _reviewed_report(
        unit,
        manager_for(unit),
        assessor,
        points_each="0.5",
        submitted_at=DUE_Q1 + datetime.timedelta(days=30),
    )
    compute_quarter(town_id=scheme.town_id, year=2021, quarter=1, now=AFTER_YEAR)
    assert _q(unit).score == D("0")


def test_on_time_report_has_no_penalty(scheme, make_unit, manager_for, assessor):
    unit = make_unit()
    _reviewed_report(unit, manager_for(unit), assessor, points_each="9", submitted_at=DUE_Q1)
    compute_quarter(town_id=scheme.town_id, year=2021, quarter=1, now=AFTER_YEAR)
    assert (_q(unit).score, _q(unit).penalty) == (D("90.0"), D("0"))


def test_missing_report_scores_zero(scheme, make_unit):
    unit = make_unit()
    compute_quarter(town_id=scheme.town_id, year=2021, quarter=1, now=AFTER_YEAR)
    score = _q(unit)
    assert (score.status, score.score, score.accrual) == ("missing", D("0"), D("0"))


def test_unreviewed_report_leaves_the_unit_pending_and_others_computed(
    scheme, make_unit, manager_for, assessor
):
    pending_unit, done_unit = make_unit("pending"), make_unit("done")
    manager = manager_for(pending_unit)
    report = report_get_or_create(unit=pending_unit, quarter=1, by=manager)
    report_submit(report=report, by=manager)
    report_review(report=report, by=assessor, scores={"T1": {"points": "15"}})
    _reviewed_report(done_unit, manager_for(done_unit, "m2"), assessor, points_each="10")
    outcome = compute_quarter(town_id=scheme.town_id, year=2021, quarter=1, now=AFTER_YEAR)
    assert [p["unit"] for p in outcome["pending"]] == [pending_unit.pk]
    assert (_q(pending_unit).status, _q(pending_unit).score) == ("pending", None)
    assert not Payout.objects.filter(unit=pending_unit, quarter=1).exists()
    assert _q(done_unit).score == D("100")


def test_imported_quarter_score_stands_in_for_the_report(scheme, make_unit, manager_for, assessor):
    from property_rating.models import ImportedQuarterScore

    unit = make_unit()
    _reviewed_report(unit, manager_for(unit), assessor, points_each="10")
    ImportedQuarterScore.objects.create(unit=unit, quarter=1, score=D("65.5"))
    compute_quarter(town_id=scheme.town_id, year=2021, quarter=1, now=AFTER_YEAR)
    assert (_q(unit).status, _q(unit).score) == ("imported", D("65.5"))


@pytest.mark.parametrize(
    ("q", "percent", "accrual"),
    [
        ("90.00", "100", "30000.00"),
        ("89.99", "80", "24000.00"),
        ("80.00", "80", "24000.00"),
        ("79.99", "60", "18000.00"),
        ("70.00", "60", "18000.00"),
        ("69.99", "40", "12000.00"),
        ("60.00", "40", "12000.00"),
        ("59.99", "0", "0.00"),
    ],
)
def test_tier_boundaries_90_80_70_60(scheme, make_unit, q, percent, accrual):
    from property_rating.models import ImportedQuarterScore

    unit = make_unit()
    ImportedQuarterScore.objects.create(unit=unit, quarter=1, score=D(q))
    compute_quarter(town_id=scheme.town_id, year=2021, quarter=1, now=AFTER_YEAR)
    assert (_q(unit).tier_percent, _q(unit).accrual) == (D(percent), D(accrual))
    assert Payout.objects.get(unit=unit, quarter=1).amount == D(accrual)


def test_quarter_not_covered_by_the_contract_is_not_assessed(scheme, make_unit):
    unit = make_unit(valid_from=datetime.date(2021, 6, 30))  # one day of Q2 counts
    assert unit.assessed_quarters == [2, 3, 4]
    compute_quarter(town_id=scheme.town_id, year=2021, quarter=1, now=AFTER_YEAR)
    assert not QuarterScore.objects.filter(unit=unit).exists()


def test_report_not_due_yet_is_pending_not_missing(scheme, make_unit):
    unit = make_unit()
    compute_quarter(
        town_id=scheme.town_id, year=2021, quarter=1, now=DUE_Q1 - datetime.timedelta(hours=1)
    )
    assert _q(unit).status == "pending"
