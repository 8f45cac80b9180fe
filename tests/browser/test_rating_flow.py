"""A real browser through the whole assessment: the manager files and submits a report with an
evidence photo, the assessor scores it, staff compute and publish in the admin, and the public
page shows the stars. Screenshots of every step go to `screenshot_dir`."""

import datetime
import re
from decimal import Decimal

import pytest
from PIL import Image, ImageDraw

from communities.factories import (
    AssessorFactory,
    CommunityFactory,
    EstateFactory,
    PropertyCompanyFactory,
    PropertyManagerFactory,
    ServiceContractFactory,
    TownFactory,
    TownshipStaffFactory,
)
from property_rating.factories import ExpertFactory, SchemeFactory
from property_rating.models import AnnualResult, Evidence, QuarterlyReport
from property_rating.units import units_sync_from_contracts
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    town = TownFactory(name="里水镇")
    community = CommunityFactory(town=town, name="海南洲社区")
    estate = EstateFactory(community=community, name="糖果雅苑")
    company = PropertyCompanyFactory(name="广州市时代物业管理有限公司佛山分公司")
    # A contract for the first quarter only: the unit is assessed in Q1 alone, so the
    # year's score follows from this one report.
    ServiceContractFactory(
        estate=estate,
        company=company,
        valid_from=datetime.date(2021, 1, 1),
        valid_to=datetime.date(2021, 3, 31),
    )
    SchemeFactory(town=town, year=2021)
    units_sync_from_contracts(town=town, year=2021)
    return {
        "town": town,
        "manager": PropertyManagerFactory(company=company, username="manager"),
        "assessor": AssessorFactory(town=town, username="assessor"),
        "staff": TownshipStaffFactory(town=town, username="staff", is_superuser=False),
        "expert": ExpertFactory(town=town, username="expert"),
    }


def shot(page, screenshot_dir, name):
    page.screenshot(path=f"{screenshot_dir}/rating_flow_{name}.png", full_page=True)


def test_manager_files_assessor_scores_staff_publish_public_sees_stars(
    page, live_server, world, tmp_path, screenshot_dir
):
    photo = tmp_path / "fire-patrol.png"
    image = Image.new("RGB", (160, 120), (200, 40, 40))
    ImageDraw.Draw(image).rectangle([20, 20, 140, 100], outline=(255, 255, 255), width=4)
    image.save(photo, format="PNG")
    page.on("dialog", lambda dialog: dialog.accept())  # the "submit the report?" confirmation

    # The manager files Q1 with a photo and submits it.
    log_in(page, live_server.url, "manager")
    shot(page, screenshot_dir, "1_manager_home")
    page.click('[data-testid="rating-panel"] a.btn')
    page.wait_for_selector('[data-testid="quarter-row"]')
    shot(page, screenshot_dir, "2_manager_quarters")
    page.click('[data-testid="quarter-row"] button[type=submit]')
    page.wait_for_selector('[data-testid="report-form"]')
    page.fill("#id_T1-description", "联合城管巡查违建2次，劝离群租1户")
    page.fill("#id_T1-count", "2")
    page.fill("#id_T2-description", "每周消防通道巡查，清理杂物")
    page.fill("#id_T2-count", "12")
    page.set_input_files("#id_T2-files", str(photo))
    shot(page, screenshot_dir, "3_manager_report_form")
    page.click('[data-testid="submit"]')
    page.wait_for_selector('[data-testid="read-only"]')
    shot(page, screenshot_dir, "4_manager_submitted")
    report = QuarterlyReport.objects.get()
    assert report.status == QuarterlyReport.Status.SUBMITTED
    evidence = Evidence.objects.get()
    assert evidence.original_name == "fire-patrol.png"
    assert page.locator('[data-testid="line-T2"] a', has_text="fire-patrol.png").count() == 1

    # The assessor finds it in the queue and awards points.
    log_in(page, live_server.url, "assessor")
    assert page.locator('[data-testid="review-waiting"]').inner_text() == "1"
    page.click('[data-testid="rating-panel"] a.btn')
    page.click('[data-testid="queue-row"] a.btn')
    page.wait_for_selector('[data-testid="review-form"]')
    for code, points in {
        "T1": "15",
        "T2": "15",
        "T3": "10",
        "T4": "10",
        "T5": "10",
        "T6": "10",
        "T7": "10",
        "T8": "10",
        "T9": "10",
    }.items():
        page.fill(f"#id_{code}-points", points)
    page.fill("#id_T2-note", "照片清晰，巡查记录完整")
    shot(page, screenshot_dir, "5_assessor_review")
    page.click('[data-testid="save-review"]')
    page.wait_for_selector('[data-testid="queue-empty"]')
    shot(page, screenshot_dir, "6_assessor_queue_done")
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.REVIEWED

    # An expert-panel member scores the year-end inspection.
    log_in(page, live_server.url, "expert")
    page.click('[data-testid="rating-panel"] a[href$="/rating/review/inspections/"]')
    page.click('[data-testid="inspection-row"] a.btn')
    page.fill("#id_score", "95")
    page.fill("#id_note", "档案齐全，现场整洁")
    page.click('[data-testid="inspection-form"] button[type=submit]')
    page.wait_for_selector('[data-testid="inspection-units"]')
    shot(page, screenshot_dir, "6b_expert_inspections")
    assert "95.00" in page.locator('[data-testid="inspection-row"]').inner_text()

    # Staff compute the year and publish it in the admin.
    log_in(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/admin/property_rating/scheme/")
    page.check("input[name=_selected_action]")
    page.select_option("select[name=action]", "start_annual")
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist")
    shot(page, screenshot_dir, "7_staff_computed")
    result = AnnualResult.objects.get()
    # property_rating.md: Q1 = 100 - late penalty cap 10 = 90; S absent; E = 95;
    # A = (0.5 * 90 + 0.3 * 95) / 0.8 = 91.875 -> 91.88, rank 1, red list, five stars.
    assert (result.annual_score, result.stars, result.list_name) == (Decimal("91.88"), 5, "red")
    page.check("input[name=_selected_action]")
    page.select_option("select[name=action]", "publish")
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist")
    shot(page, screenshot_dir, "8_staff_published")

    # Anyone sees the stars on the public page.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/rating/public/")
    shot(page, screenshot_dir, "9_public_page")
    row = page.locator("tr", has_text="糖果雅苑").first
    assert re.search("★★★★★", row.inner_text())

    # The manager now reads the published result of their unit.
    log_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/rating/manager/units/{report.unit_id}/")
    page.wait_for_selector('[data-testid="annual"]')
    shot(page, screenshot_dir, "10_manager_result")
    assert "★★★★★" in page.locator('[data-testid="annual"]').inner_text()

    # The portal on a phone: the quarter table scrolls, the report reads top to bottom.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/rating/manager/")
    shot(page, screenshot_dir, "11_phone_quarters")
    page.goto(f"{live_server.url}/rating/manager/reports/{report.pk}/")
    shot(page, screenshot_dir, "12_phone_report")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
