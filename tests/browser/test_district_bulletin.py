"""District staff issue a bulletin of their district from the page and read it (regions.md
"Bulletins"): every town's figures side by side, ranked, marked, with the region's own row."""

import pytest

from communities import demo_liujiang as registry_demo
from communities.factories import TownshipStaffFactory
from deliberation.projects import demo as projects_demo
from party_grid import demo_liujiang as party_demo

from .helpers import PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_district_staff_issue_a_bulletin_and_open_it(page, live_server, screenshot_dir):
    registry_demo.load(users={"staff": TownshipStaffFactory(username="staff")})
    party_demo.load()
    projects_demo.load()

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "district")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/regions/bulletins/")
    page.click("a.btn[href*='/regions/bulletins/new/']")
    page.fill("input[name=title]", "柳江区2022年度小区治理工作通报")
    page.fill("input[name=period_start]", "2022-01-01")
    page.fill("input[name=period_end]", "2022-12-31")
    page.fill("textarea[name=comment]", "拉堡镇小区党建和需求清单成效明显，予以通报表扬。")
    page.locator("#id_praise label", has_text="拉堡镇").click()
    page.screenshot(path=f"{screenshot_dir}/district_bulletin_form.png", full_page=True)
    page.click("form.card button[type=submit]")
    page.wait_for_selector("[data-testid=bulletin-table]")

    assert "柳江区2022年度小区治理工作通报" in page.inner_text("h1")
    rows = page.locator("[data-testid=bulletin-table] tbody tr")
    assert rows.count() == 8
    labuo = page.locator("[data-testid=bulletin-table] tbody tr", has_text="拉堡镇")
    assert "mark-praise" in labuo.get_attribute("class")
    assert page.locator("[data-testid=region-row]").count() == 1
    page.screenshot(path=f"{screenshot_dir}/district_bulletin.png", full_page=True)

    pdf = page.request.get(page.url + "pdf/")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
