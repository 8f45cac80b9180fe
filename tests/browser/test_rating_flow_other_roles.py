"""A real browser for the other people of the assessment: a resident rates their property
service once, staff record a veto, a returned report shows its reason to the manager and is
resubmitted. Screenshots of every step go to `screenshot_dir`."""

import datetime

import pytest

from communities.factories import (
    AssessorFactory,
    BuildingFactory,
    CommunityFactory,
    EstateFactory,
    HouseholdFactory,
    PropertyCompanyFactory,
    PropertyManagerFactory,
    ServiceContractFactory,
    TownFactory,
    TownshipStaffFactory,
    verified_resident,
)
from property_rating.factories import SchemeFactory
from property_rating.models import AssessmentUnit, QuarterlyReport, SatisfactionRating, Veto
from property_rating.reports import (
    report_get_or_create,
    report_return,
    report_save_draft,
    report_submit,
)
from property_rating.units import units_sync_from_contracts
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    town = TownFactory(name="里水镇")
    community = CommunityFactory(town=town, name="海南洲社区")
    estate = EstateFactory(community=community, name="糖果雅苑")
    company = PropertyCompanyFactory(name="广州市时代物业管理有限公司佛山分公司")
    ServiceContractFactory(estate=estate, company=company, valid_from=datetime.date(2021, 1, 1))
    SchemeFactory(town=town, year=2021)
    units_sync_from_contracts(town=town, year=2021)
    household = HouseholdFactory(building=BuildingFactory(estate=estate, name="1栋"), room="101")
    return {
        "unit": AssessmentUnit.objects.get(),
        "manager": PropertyManagerFactory(company=company, username="manager"),
        "assessor": AssessorFactory(town=town, username="assessor"),
        "staff": TownshipStaffFactory(town=town, username="staff"),
        "resident": verified_resident(household=household, username="resident"),
        "spouse": verified_resident(household=household, username="spouse"),
    }


def shot(page, screenshot_dir, name):
    page.screenshot(path=f"{screenshot_dir}/rating_roles_{name}.png", full_page=True)


def test_resident_rates_once_and_the_household_cannot_rate_again(
    page, live_server, world, screenshot_dir
):
    log_in(page, live_server.url, "resident")
    page.click('[data-testid="rating-panel"] a.btn')
    page.wait_for_selector('[data-testid="satisfaction-form"]')
    shot(page, screenshot_dir, "1_resident_form")
    page.check("input[name=rating][value='4']")
    page.fill("#id_comment", "保安巡逻到位，电梯维修慢")
    page.click('[data-testid="satisfaction-form"] button[type=submit]')
    page.wait_for_selector('[data-testid="already-rated"]')
    shot(page, screenshot_dir, "2_resident_rated")

    log_in(page, live_server.url, "spouse")  # the same household
    page.goto(f"{live_server.url}/rating/satisfaction/")
    assert page.locator('[data-testid="already-rated"]').is_visible()
    assert page.locator('[data-testid="satisfaction-form"]').count() == 0
    assert SatisfactionRating.objects.get().rating == 4


def test_staff_record_a_veto(page, live_server, world, screenshot_dir):
    log_in(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/rating/review/vetoes/")
    page.select_option("#id_unit", str(world["unit"].pk))
    page.fill("#id_reason", "拒不配合执法进小区整治违建")
    page.click('[data-testid="veto-form"] button[type=submit]')
    page.wait_for_selector('[data-testid="vetoes"]')
    shot(page, screenshot_dir, "3_staff_veto")
    assert Veto.objects.get().recorded_by == world["staff"]


def test_returned_report_shows_its_reason_and_is_resubmitted(
    page, live_server, world, screenshot_dir
):
    manager, unit = world["manager"], world["unit"]
    report = report_get_or_create(unit=unit, quarter=1, by=manager)
    report_save_draft(report=report, by=manager, items={"T1": {"description": "巡查", "count": 1}})
    report_submit(report=report, by=manager)
    report_return(report=report, by=world["assessor"], reason="T2 缺少消防巡查记录，请补充照片")
    page.on("dialog", lambda dialog: dialog.accept())

    log_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/rating/manager/reports/{report.pk}/")
    page.wait_for_selector('[data-testid="return-reason"]')
    shot(page, screenshot_dir, "4_manager_returned")
    assert "缺少消防巡查记录" in page.locator('[data-testid="return-reason"]').inner_text()
    page.fill("#id_T2-description", "补充：每周巡查记录已上传")
    page.click('[data-testid="submit"]')
    page.wait_for_selector('[data-testid="read-only"]')
    shot(page, screenshot_dir, "5_manager_resubmitted")
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.SUBMITTED
    assert report.submissions.count() == 2

    log_in(page, live_server.url, "assessor")
    page.goto(f"{live_server.url}/rating/review/")
    shot(page, screenshot_dir, "6_assessor_queue")
    assert page.locator('[data-testid="queue-row"]').count() == 1
