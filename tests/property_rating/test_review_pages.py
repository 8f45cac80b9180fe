"""Review pages: the town's queue, points within bounds, returns with a reason, expert-panel
inspection scores and township staff's vetoes."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.factories import AssessorFactory, TownFactory
from property_rating.factories import ExpertFactory
from property_rating.models import InspectionScore, QuarterlyReport, ReportItem, Veto
from property_rating.reports import report_get_or_create, report_save_draft, report_submit

pytestmark = pytest.mark.django_db


def submitted_report(unit, manager, quarter=1):
    report = report_get_or_create(unit=unit, quarter=quarter, by=manager)
    report_save_draft(report=report, by=manager, items={"T1": {"description": "协助执法两次"}})
    return report_submit(report=report, by=manager)


def points_data(points=None, **overrides):
    """POST data for T1..T9 giving `points` to each, overridden per code."""
    data = {"action": "review"}
    for i in range(1, 10):
        code = f"T{i}"
        data[f"{code}-points"] = overrides.get(code, points if points is not None else "")
        data[f"{code}-note"] = ""
    return data


@pytest.fixture
def report(unit, manager):
    return submitted_report(unit, manager)


def test_queue_lists_submitted_reports_of_the_reviewers_town_only(
    client, report, assessor, manager, make_unit
):
    draft_unit = make_unit("草稿小区", company=report.unit.company)
    report_get_or_create(unit=draft_unit, quarter=1, by=manager)
    foreign = AssessorFactory(town=TownFactory(name="别的镇"), username="far")
    client.force_login(assessor)
    body = client.get(reverse("property_rating:review-queue")).content.decode()
    assert "糖果雅苑" in body
    assert "草稿小区" not in body  # drafts are the manager's own business
    client.force_login(foreign)
    body = client.get(reverse("property_rating:review-queue")).content.decode()
    assert "糖果雅苑" not in body
    assert client.get(reverse("property_rating:review-report", args=[report.pk])).status_code == 404


def test_managers_and_residents_cannot_open_review_pages(client, report, manager):
    client.force_login(manager)
    for name, args in (
        ("review-queue", []),
        ("review-report", [report.pk]),
        ("review-inspections", []),
        ("review-vetoes", []),
    ):
        assert client.get(reverse(f"property_rating:{name}", args=args)).status_code == 403


def test_reviewer_awards_points_with_notes_and_completes_the_review(client, report, assessor):
    client.force_login(assessor)
    url = reverse("property_rating:review-report", args=[report.pk])
    page = client.get(url).content.decode()
    assert "协助执法两次" in page
    data = points_data("8.50", T1="15", T2="12.25")
    data["T1-note"] = "材料齐全"
    response = client.post(url, data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.REVIEWED
    assert report.reviewed_by == assessor
    t1 = report.items.get(task_item__code="T1")
    assert t1.awarded_points == Decimal("15.00")
    assert t1.review_note == "材料齐全"
    assert t1.reviewed_by == assessor
    assert report.items.get(task_item__code="T2").awarded_points == Decimal("12.25")


def test_partial_points_keep_the_report_in_the_queue(client, report, assessor):
    client.force_login(assessor)
    url = reverse("property_rating:review-report", args=[report.pk])
    client.post(url, points_data(T1="10"))
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.SUBMITTED
    body = client.get(reverse("property_rating:review-queue")).content.decode()
    assert "糖果雅苑" in body


@pytest.mark.parametrize("bad", ["10.01", "-1", "abc", "1.005"])
def test_points_out_of_bounds_give_a_clear_error_and_nothing_is_saved(
    client, report, assessor, bad
):
    client.force_login(assessor)
    url = reverse("property_rating:review-report", args=[report.pk])
    response = client.post(url, points_data("5", T3=bad))  # T3 is worth 10 points
    assert response.status_code == 400
    assert 'data-testid="errors"' in response.content.decode()
    assert not ReportItem.objects.filter(report=report, awarded_points__isnull=False).exists()
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.SUBMITTED


def test_over_max_error_names_the_maximum(client, report, assessor):
    client.force_login(assessor)
    url = reverse("property_rating:review-report", args=[report.pk])
    body = client.post(url, points_data("5", T3="11")).content.decode()
    assert "10" in body
    assert 'id="id_T3-points"' in body
    assert "errorlist" in body


def test_return_needs_a_reason(client, report, assessor):
    client.force_login(assessor)
    url = reverse("property_rating:review-report", args=[report.pk])
    response = client.post(url, {"action": "return", "reason": "   "})
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.SUBMITTED
    assert not report.returns.exists()


def test_return_with_a_reason_sends_the_report_back(client, report, assessor, manager):
    client.force_login(assessor)
    url = reverse("property_rating:review-report", args=[report.pk])
    assert client.post(url, {"action": "return", "reason": "T2缺少巡查照片"}).status_code == 302
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.RETURNED
    assert report.returns.get().returned_by == assessor
    client.force_login(manager)
    page = client.get(reverse("property_rating:manager-report", args=[report.pk])).content.decode()
    assert "T2缺少巡查照片" in page


def test_review_queue_query_count_is_constant(client, scheme, make_unit, manager_for, assessor):
    from communities.factories import PropertyCompanyFactory

    company = PropertyCompanyFactory()
    manager = None

    def add(n):
        nonlocal manager
        for _ in range(n):
            unit = make_unit(f"小区{add.count}", company=company)
            add.count += 1
            manager = manager or manager_for(unit)
            submitted_report(unit, manager)

    add.count = 0

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("property_rating:review-queue")).status_code == 200
        return len(ctx.captured_queries)

    add(2)
    client.force_login(assessor)
    small = count()
    add(8)
    assert count() == small


# --------------------------------------------------------------------------------------------
# Inspections
# --------------------------------------------------------------------------------------------


def test_expert_scores_a_year_end_inspection_and_can_change_it(client, unit, town):
    expert = ExpertFactory(town=town, username="expert")
    client.force_login(expert)
    listing = client.get(reverse("property_rating:review-inspections")).content.decode()
    assert "糖果雅苑" in listing
    url = reverse("property_rating:review-inspection-score", args=[unit.pk])
    assert client.post(url, {"score": "88.5", "note": "档案齐全"}).status_code == 302
    assert client.post(url, {"score": "90", "note": "复核"}).status_code == 302
    score = InspectionScore.objects.get(unit=unit, expert=expert)
    assert score.score == Decimal("90.00")
    assert score.note == "复核"


def test_inspection_score_above_100_is_refused(client, unit, town):
    expert = ExpertFactory(town=town, username="expert")
    client.force_login(expert)
    url = reverse("property_rating:review-inspection-score", args=[unit.pk])
    assert client.post(url, {"score": "100.5"}).status_code == 400
    assert not InspectionScore.objects.exists()


def test_only_expert_panel_members_of_the_town_score_inspections(client, unit, assessor):
    client.force_login(assessor)  # housing office, not the expert panel
    url = reverse("property_rating:review-inspection-score", args=[unit.pk])
    assert client.post(url, {"score": "80"}).status_code == 403
    foreign = ExpertFactory(town=TownFactory(name="别的镇"), username="far-expert")
    client.force_login(foreign)
    assert client.post(url, {"score": "80"}).status_code == 404
    assert not InspectionScore.objects.exists()


# --------------------------------------------------------------------------------------------
# Vetoes
# --------------------------------------------------------------------------------------------


def test_staff_record_a_veto_with_a_reason(client, unit, staff):
    client.force_login(staff)
    url = reverse("property_rating:review-vetoes")
    response = client.post(url, {"unit": unit.pk, "reason": "发生重大安全事故"})
    assert response.status_code == 302
    veto = Veto.objects.get()
    assert veto.unit == unit
    assert veto.recorded_by == staff
    assert "发生重大安全事故" in client.get(url).content.decode()


def test_veto_without_a_reason_is_refused(client, unit, staff):
    client.force_login(staff)
    response = client.post(
        reverse("property_rating:review-vetoes"), {"unit": unit.pk, "reason": ""}
    )
    assert response.status_code == 400
    assert not Veto.objects.exists()


def test_assessors_cannot_record_vetoes_and_staff_only_for_their_town(client, unit, assessor):
    client.force_login(assessor)
    url = reverse("property_rating:review-vetoes")
    assert client.post(url, {"unit": unit.pk, "reason": "x"}).status_code == 403
    from communities.factories import TownshipStaffFactory

    foreign = TownshipStaffFactory(town=TownFactory(name="别的镇"), username="far-staff")
    client.force_login(foreign)
    assert client.post(url, {"unit": unit.pk, "reason": "x"}).status_code == 400  # not a choice
    assert not Veto.objects.exists()


def test_staff_revoke_a_veto_with_a_reason(client, unit, staff):
    client.force_login(staff)
    client.post(reverse("property_rating:review-vetoes"), {"unit": unit.pk, "reason": "事故"})
    veto = Veto.objects.get()
    revoke = reverse("property_rating:review-veto-revoke", args=[veto.pk])
    client.post(revoke, {"reason": ""})
    veto.refresh_from_db()
    assert veto.revoked_at is None
    client.post(revoke, {"reason": "经复核事故不属实"})
    veto.refresh_from_db()
    assert veto.revoked_by == staff
    assert veto.revoke_reason == "经复核事故不属实"


def test_assessor_home_panel_counts_the_queue(client, report, assessor):
    client.force_login(assessor)
    body = client.get(reverse("home")).content.decode()
    assert reverse("property_rating:review-queue") in body
    assert 'data-testid="review-waiting">1<' in body


def test_published_year_shows_frozen_inputs_and_refuses_changes(client, unit, town, staff, scheme):
    from django.utils import timezone

    scheme.published_at = timezone.now()
    scheme.save()
    expert = ExpertFactory(town=town, username="expert")
    client.force_login(expert)
    listing = client.get(reverse("property_rating:review-inspections")).content.decode()
    assert 'data-testid="frozen"' in listing
    url = reverse("property_rating:review-inspection-score", args=[unit.pk])
    assert client.post(url, {"score": "80"}).status_code == 400
    assert not InspectionScore.objects.exists()
    client.force_login(staff)
    page = client.get(reverse("property_rating:review-vetoes")).content.decode()
    assert 'data-testid="frozen"' in page
    assert 'data-testid="veto-form"' not in page
    assert (
        client.post(
            reverse("property_rating:review-vetoes"), {"unit": unit.pk, "reason": "x"}
        ).status_code
        == 400
    )
    assert not Veto.objects.exists()


def test_t9_shows_the_companys_case_figures_for_the_quarter_as_evidence(
    client, report, assessor, manager, settings
):
    # cases.md: the reviewer of task item T9 sees the company's estate-level on-time reply rate
    # and satisfaction for the quarter (evidence, not a score).
    import datetime
    from zoneinfo import ZoneInfo

    from deliberation.cases.models import CaseCategory
    from deliberation.cases.services import case_receive, case_reply, responsibility_list_ensure

    settings.LANGUAGE_CODE = "en"
    unit = report.unit
    responsibility_list_ensure(town=unit.town)
    category = CaseCategory.objects.get(town=unit.town, code="C01")
    received = datetime.datetime(unit.year, 2, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    case = case_receive(
        estate=unit.estate,
        category=category,
        title="电梯故障",
        source="staff",
        received_at=received,
    )
    assert case.assignments.get().company_id == unit.company_id
    case_reply(case=case, by=manager, text="已修好", at=received + datetime.timedelta(hours=5))
    client.force_login(assessor)
    page = client.get(reverse("property_rating:review-report", args=[report.pk])).content.decode()
    assert "Cases at this estate this quarter: 1, replied on time: 1" in page
