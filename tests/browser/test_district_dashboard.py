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


# How many lines a cell's text takes (the text's own box, not the row's height).
_LINES = """cell => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  return Math.round(range.getBoundingClientRect().height / parseFloat(getComputedStyle(cell).lineHeight));
}"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_town_names_stay_on_one_line_and_the_tables_scroll(
    page, live_server, screenshot_dir
):
    """A table squeezed into a phone's width split 三都镇 into one character per line; the
    words now keep together and the table scrolls sideways, the page itself does not."""
    registry_demo.load(users={"staff": TownshipStaffFactory(username="staff")})
    party_demo.load()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "district")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()

    for path, cells in (
        ("/party/dashboard/?date=2022-12-31", "[data-testid=by-town] tbody td:first-child"),
        ("/party/ranking/?date=2022-12-31", "[data-testid=ranking] tbody td:nth-child(2)"),
    ):
        page.goto(f"{live_server.url}{path}")
        names = page.locator(cells)
        assert names.count() == 8
        lines = {names.nth(i).inner_text(): names.nth(i).evaluate(_LINES) for i in range(8)}
        assert set(lines.values()) == {1}, lines
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=f"{screenshot_dir}/district_ranking_phone.png", full_page=True)
