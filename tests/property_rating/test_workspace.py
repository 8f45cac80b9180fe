"""The assessment year as one staff workspace (issue 15.1): quarter status, a preview before a
computation, the run and its outcome in Chinese, "why this score", publish with its checklist,
payouts with four eyes and a confirmation after "mark paid"."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.factories import TownFactory, TownshipStaffFactory
from property_rating.models import AnnualResult, ComputationRun, Payout, QuarterScore
from property_rating.reports import report_get_or_create, report_submit
from property_rating.workspace import yuan

from .helpers import compute, give_inputs

pytestmark = pytest.mark.django_db


def ws(scheme, rest=""):
    return f"/rating/staff/towns/{scheme.town_id}/years/{scheme.year}/{rest}"


@pytest.fixture
def year(scheme, make_unit, manager_for):
    """Two rated units, one with no report at all (4 missing quarters -> black list) and one
    whose Q1 report is submitted but not reviewed (pending)."""
    give_inputs(make_unit("甲苑"), quarters=(95, 90, 90, 90), satisfaction=80, inspection=80)
    give_inputs(make_unit("乙苑"), quarters=(85, 80, 80, 80), satisfaction=70, inspection=70)
    make_unit("丙苑")  # assessed all year, files nothing
    waiting = make_unit("丁苑")
    manager = manager_for(waiting)
    report_submit(report=report_get_or_create(unit=waiting, quarter=1, by=manager), by=manager)
    return scheme


def test_money_is_written_with_the_yuan_sign_separators_and_cents():
    assert yuan(Decimal("120000")) == "¥120,000.00"
    assert yuan(Decimal("1234.5")) == "¥1,234.50"
    assert yuan(None) == "-"


def test_workspace_counts_each_quarters_reports_filed_missing_and_pending(client, year, staff):
    client.force_login(staff)
    page = client.get(ws(year)).content.decode()
    assert "丁苑" not in page  # a status table, not a unit list
    q1 = client.get(ws(year)).context["quarters"][0]
    assert (q1["assessed"], q1["filed"], q1["pending_review"]) == (4, 1, 1)
    # 4 units: 1 filed, 2 with imported scores (they stand in), 丙苑 missing
    assert (q1["imported"], q1["missing"]) == (2, 1) and q1["due_passed"]


def test_preview_tells_what_a_computation_would_do_and_writes_nothing(client, year, staff):
    client.force_login(staff)
    response = client.get(ws(year, "preview/"))
    preview = response.context["preview"]
    # 丙苑 has no report in 4 quarters: Q = 0 four times; 丁苑 files Q1 (pending) and misses 3.
    assert preview["missing_total"] == 7
    assert preview["pending"] == 1
    assert preview["black"] == 1 and preview["black_low_score"] == 1
    assert preview["rated"] == 3 - 1 + 1  # 甲, 乙 and 丙 (rated with A = 0, black-listed)
    page = response.content.decode()
    assert "作为缺报" in page or "缺报" in page
    assert not QuarterScore.objects.exists()
    assert not AnnualResult.objects.exists()
    assert not Payout.objects.exists()
    assert not ComputationRun.objects.exists()


def test_compute_from_the_workspace_shows_progress_and_the_outcome_in_chinese(
    client, year, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ws(year, "compute/"))
    run = ComputationRun.objects.get()
    assert response.url == ws(year, f"runs/{run.pk}/")
    page = client.get(response.url).content.decode()
    assert "计算了 4 个单位" in page and "units computed" not in page
    assert 'http-equiv="refresh"' not in page  # finished: stops refreshing
    status = client.get(ws(year, f"runs/{run.pk}/status.json")).json()
    assert status["status"] == "succeeded" and status["progress"] == 100


def test_a_running_computation_page_refreshes_itself_without_script(client, year, staff):
    run = ComputationRun.objects.create(town=year.town, year=2021, kind="annual", progress=40)
    client.force_login(staff)
    page = client.get(ws(year, f"runs/{run.pk}/")).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page and "<script>" not in page


def test_ranking_explains_every_score_in_words_not_json(client, year, staff):
    compute(year.town)
    client.force_login(staff)
    page = client.get(ws(year, "ranking/")).content.decode()
    assert page.count('data-testid="why"') == 4
    assert "权重" in page  # weights in words
    assert "¥" in page and "quarter_cap" not in page and "+00:00" not in page
    assert "截止时未交报告" in page  # 丙苑's missing quarters in words


def test_ranking_runs_a_constant_number_of_queries(client, scheme, make_unit, staff):
    def count():
        compute(scheme.town)
        client.force_login(staff)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(ws(scheme, "ranking/")).status_code == 200
        return len(ctx)

    give_inputs(make_unit("一"), quarters=(90,) * 4)
    small = count()
    for name in "二三四五":
        give_inputs(make_unit(name), quarters=(80,) * 4)
    assert count() == small


def test_publish_needs_the_confirmation_and_the_checklist(client, year, staff):
    compute(year.town)
    client.force_login(staff)
    client.post(ws(year, "publish/"), {"confirm": "yes"})
    year.refresh_from_db()
    assert not year.is_published  # 丁苑 is pending review
    page = client.get(ws(year)).content.decode()
    assert "待定" in page


def test_payout_four_eyes_and_confirmation_after_mark_paid(
    client, scheme, make_unit, staff, staff2, django_capture_on_commit_callbacks
):
    unit = give_inputs(make_unit("甲苑"), quarters=(95,) * 4, satisfaction=90, inspection=90)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(ws(scheme, "compute/"))
    client.post(ws(scheme, "publish/"), {"confirm": "yes"})
    scheme.refresh_from_db()
    assert scheme.is_published
    payout = Payout.objects.get(unit=unit, quarter=0)
    page = client.get(ws(scheme, "payouts/")).content.decode()
    assert "¥120,000.00" in page and "年度奖励" in page
    client.post(ws(scheme, f"payouts/{payout.pk}/approve/"))
    payout.refresh_from_db()
    assert payout.status == "calculated"  # who computed cannot approve
    client.force_login(staff2)
    client.post(ws(scheme, f"payouts/{payout.pk}/approve/"))
    payout.refresh_from_db()
    assert payout.status == "approved" and payout.approved_by == staff2
    response = client.post(ws(scheme, f"payouts/{payout.pk}/paid/"), {"reference": "BANK-001"})
    page = client.get(response.url).content.decode()
    assert "BANK-001" in page and "¥120,000.00" in page
    payout.refresh_from_db()
    assert payout.status == "paid" and payout.paid_by == staff2


def test_assessors_read_the_workspace_but_cannot_compute(client, year, assessor):
    client.force_login(assessor)
    assert client.get(ws(year)).status_code == 200
    assert client.post(ws(year, "compute/")).status_code == 403
    assert client.post(ws(year, "publish/"), {"confirm": "yes"}).status_code == 403
    assert not ComputationRun.objects.exists()


def test_another_towns_staff_get_404(client, year):
    other = TownshipStaffFactory(town=TownFactory(name="大沥镇"), username="other-staff")
    client.force_login(other)
    assert client.get(ws(year)).status_code == 404
    assert client.get(ws(year, "preview/")).status_code == 404
    assert client.post(ws(year, "compute/")).status_code == 404


def test_managers_residents_and_anonymous_never_see_the_workspace(client, year, manager_for):
    from property_rating.models import AssessmentUnit

    assert client.get(ws(year)).status_code == 302  # to the login page
    manager = manager_for(AssessmentUnit.objects.first(), username="m-ws")
    client.force_login(manager)
    for rest in ("", "preview/", "ranking/", "payouts/"):
        assert client.get(ws(year, rest)).status_code == 404
    assert client.post(ws(year, "compute/")).status_code == 404
