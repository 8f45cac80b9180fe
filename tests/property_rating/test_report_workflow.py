"""Report filing and review services: draft, submit, return, resubmit, review."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from property_rating.models import QuarterlyReport
from property_rating.reports import (
    report_get_or_create,
    report_return,
    report_review,
    report_save_draft,
    report_submit,
)

pytestmark = pytest.mark.django_db


def _full_scores(points="10"):
    return {f"T{i}": {"points": points, "note": "ok"} for i in range(1, 10)}


def test_draft_submit_return_resubmit_keeps_every_submission(
    scheme, make_unit, manager_for, assessor
):
    unit = make_unit()
    manager = manager_for(unit)
    report = report_get_or_create(unit=unit, quarter=1, by=manager)
    assert report.items.count() == 9
    report_save_draft(report=report, by=manager, items={"T1": {"description": "巡查", "count": 3}})
    report_submit(report=report, by=manager)
    with pytest.raises(ValidationError):
        report_save_draft(report=report, by=manager, items={"T1": {"description": "x"}})
    report_return(report=report, by=assessor, reason="缺少照片")
    report_save_draft(report=report, by=manager, items={"T1": {"description": "补充"}})
    report = report_submit(report=report, by=manager)
    assert report.submissions.count() == 2
    assert report.submissions.get(number=1).snapshot["items"][0]["description"] == "巡查"
    assert report.returns.get().reason == "缺少照片"
    assert report.first_submitted_at < report.submitted_at


def test_review_completes_when_every_item_has_points(scheme, make_unit, manager_for, assessor):
    unit = make_unit()
    manager = manager_for(unit)
    report = report_get_or_create(unit=unit, quarter=1, by=manager)
    report_submit(report=report, by=manager)
    report = report_review(report=report, by=assessor, scores={"T1": {"points": "12.5"}})
    assert report.status == QuarterlyReport.Status.SUBMITTED
    report = report_review(report=report, by=assessor, scores=_full_scores())
    assert report.status == QuarterlyReport.Status.REVIEWED
    assert report.items.get(task_item__code="T1").awarded_points == Decimal("10")


def test_review_rejects_points_above_the_item_maximum(scheme, make_unit, manager_for, assessor):
    unit = make_unit()
    manager = manager_for(unit)
    report = report_get_or_create(unit=unit, quarter=1, by=manager)
    report_submit(report=report, by=manager)
    with pytest.raises(ValidationError):
        report_review(report=report, by=assessor, scores={"T3": {"points": "10.01"}})
    with pytest.raises(ValidationError):
        report_review(report=report, by=assessor, scores={"T3": {"points": "1.005"}})


def test_manager_of_another_company_cannot_file(scheme, make_unit, manager_for):
    unit = make_unit()
    other = manager_for(make_unit("别的小区"), username="other")
    with pytest.raises(PermissionDenied):
        report_get_or_create(unit=unit, quarter=1, by=other)
