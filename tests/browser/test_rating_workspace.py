"""The assessment year as one workspace in a real browser at 1366 px (issue 15.1): staff look at
the quarters, preview the computation, compute it, read "why this score", publish with the
checklist; a second staff member approves the payout and marks it paid, and sees the
confirmation. Screenshots of every step go to `screenshot_dir`."""

import datetime

import pytest

from communities.factories import (
    CommunityFactory,
    EstateFactory,
    PropertyCompanyFactory,
    ServiceContractFactory,
    TownFactory,
    TownshipStaffFactory,
)
from property_rating.factories import SchemeFactory
from property_rating.models import AssessmentUnit, Payout
from property_rating.units import units_sync_from_contracts
from tests.browser.helpers import log_in
from tests.property_rating.helpers import give_inputs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTH = 1366


@pytest.fixture
def world(transactional_db):
    town = TownFactory(name="里水镇")
    community = CommunityFactory(town=town, name="海南洲社区")
    names = [
        ("糖果雅苑", "广州市时代物业管理有限公司佛山分公司"),
        ("金沙里", "佛山市万科物业服务有限公司"),
        ("河畔居", "碧桂园物业"),
    ]
    for estate_name, company_name in names:
        ServiceContractFactory(
            estate=EstateFactory(community=community, name=estate_name),
            company=PropertyCompanyFactory(name=company_name),
            valid_from=datetime.date(2021, 1, 1),
        )
    scheme = SchemeFactory(town=town, year=2021)
    units_sync_from_contracts(town=town, year=2021)
    units = {u.estate.name: u for u in AssessmentUnit.objects.select_related("estate")}
    give_inputs(units["糖果雅苑"], quarters=(95, 92, 90, 94), satisfaction=85, inspection=90)
    give_inputs(units["金沙里"], quarters=(85, 80, 82, 78), satisfaction=70, inspection=75)
    # 河畔居 files nothing: four quarters missing, Q = 0, black list.
    return {
        "scheme": scheme,
        "staff": TownshipStaffFactory(town=town, username="staff", is_superuser=False),
        "staff2": TownshipStaffFactory(town=town, username="staff2", is_superuser=False),
    }


def shot(page, screenshot_dir, name):
    page.screenshot(path=f"{screenshot_dir}/rating_workspace_{name}.png", full_page=True)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_staff_preview_compute_explain_publish_and_pay_in_the_workspace(
    page, live_server, world, screenshot_dir
):
    scheme = world["scheme"]
    base = f"{live_server.url}/rating/staff/towns/{scheme.town_id}/years/2021/"
    page.set_viewport_size({"width": WIDTH, "height": 768})
    log_in(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/rating/staff/")
    page.click("[data-testid=workspace-2021]")
    page.wait_for_selector("[data-testid=quarters]")
    assert "缺报" in page.inner_text("[data-testid=quarters]")
    assert page.inner_text("[data-testid=quarters] tbody tr:first-child td:nth-child(6)") == "1"
    assert fits(page)
    shot(page, screenshot_dir, "1_year")

    page.click("[data-testid=preview-link]")
    assert page.inner_text("[data-testid=preview-missing]") == "4"
    assert page.inner_text("[data-testid=preview-black]") == "1"
    assert fits(page)
    shot(page, screenshot_dir, "2_preview")

    page.click("[data-testid=compute]")
    page.wait_for_selector("[data-testid=run-outcome]")
    outcome = page.inner_text("[data-testid=run-outcome]")
    assert "计算了 3 个单位" in outcome and "computed" not in outcome
    shot(page, screenshot_dir, "3_run")

    page.click("[data-testid=to-ranking]")
    for why in page.query_selector_all("[data-testid=why] summary"):
        why.click()
    ranking = page.inner_text("[data-testid=ranking]")
    assert "权重" in ranking and "截止时未交报告" in ranking and "¥" in ranking
    assert "{" not in ranking and "+00:00" not in ranking
    assert fits(page)
    shot(page, screenshot_dir, "4_why_this_score")

    page.goto(base)
    page.check("[data-testid=publish-confirm]")
    page.click("[data-testid=publish]")
    page.wait_for_selector(".messages")
    assert "已发布" in page.inner_text(".messages")
    shot(page, screenshot_dir, "5_published")

    page.goto(base + "payouts/")
    assert "须由他人审批" in page.inner_text("[data-testid=payouts]")
    log_in(page, live_server.url, "staff2")
    page.goto(base + "payouts/")
    payouts = page.inner_text("[data-testid=payouts]")
    assert "年度奖励" in payouts and "¥" in payouts and "季度 0" not in payouts
    top = Payout.objects.filter(quarter=0, unit__estate__name="糖果雅苑").get()
    row = f"[data-testid=payout-{top.pk}]"
    page.click(f"{row} [data-testid=approve]")
    page.wait_for_selector(f"{row} [data-testid=reference]")
    assert fits(page)
    shot(page, screenshot_dir, "6_approved")
    page.fill(f"{row} [data-testid=reference]", "农商行-2022-0001")
    page.click(f"{row} [data-testid=mark-paid]")
    confirmation = page.inner_text("[data-testid=paid-confirmation]")
    assert "农商行-2022-0001" in confirmation and "¥120,000.00" in confirmation
    shot(page, screenshot_dir, "7_paid")
    top.refresh_from_db()
    assert top.status == "paid" and top.approved_by.username == "staff2"
