"""District staff open their district's party dashboard and its town ranking (regions.md)."""

import pytest

from communities import demo_liujiang as registry_demo
from communities.factories import TownshipStaffFactory
from party_grid import demo_liujiang as party_demo

from .helpers import PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_district_staff_read_liujiang_town_by_town(page, live_server, screenshot_dir):
    # The demo's district account takes the password of the demo's township staff account.
    registry_demo.load(users={"staff": TownshipStaffFactory(username="staff")})
    party_demo.load()

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "district")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/party/dashboard/?date=2022-12-31")

    assert "柳江区" in page.inner_text("h1")
    totals = page.locator("[data-testid=totals]")
    assert totals.locator("[data-stat=single_built_branches]").inner_text() == "48"
    assert totals.locator("[data-stat=joint_built_branches]").inner_text() == "33"
    assert totals.locator("[data-stat=building_heads]").inner_text() == "1522"
    assert totals.locator("[data-stat='volunteers_by_kind.lane_stewards']").inner_text() == "466"
    assert page.locator("[data-testid=by-town] tbody tr").count() == 8
    page.screenshot(path=f"{screenshot_dir}/district_dashboard.png", full_page=True)

    page.click("[data-testid=ranking-link]")
    first = page.locator("[data-testid=ranking] tbody tr").first
    assert "拉堡镇" in first.inner_text()
    page.screenshot(path=f"{screenshot_dir}/district_ranking.png", full_page=True)
