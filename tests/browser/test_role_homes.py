"""Each role logs in through the real login page in a headless Chromium and lands on its own
home page; screenshots go to the screenshot directory (desktop and phone widths)."""

import pytest
from django.utils import translation

from communities.factories import (
    AssessorFactory,
    CommunityFactory,
    CommunityStaffFactory,
    EstateFactory,
    HouseholdFactory,
    PropertyManagerFactory,
    TownFactory,
    TownshipStaffFactory,
    verified_resident,
)

PASSWORD = "pw-for-tests-1"  # the factories' password
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def role_users(transactional_db):
    town = TownFactory(name="里水镇")
    community = CommunityFactory(town=town, name="海南洲社区")
    estate = EstateFactory(community=community, name="糖果雅苑")
    household = HouseholdFactory(building__estate=estate, building__name="1栋", room="101")
    return {
        "township_staff": (
            TownshipStaffFactory(username="staff", town=town),
            None,
        ),
        "community_staff": (
            CommunityStaffFactory(username="community", community=community),
            "海南洲社区",
        ),
        "assessor": (AssessorFactory(username="assessor", town=town), None),
        "property_manager": (
            PropertyManagerFactory(
                username="manager", company__name="广州市时代物业管理有限公司佛山分公司"
            ),
            "广州市时代物业管理有限公司佛山分公司",
        ),
        "resident": (verified_resident(household=household, username="resident"), None),
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The users are Chinese: the browser asks for Chinese, like theirs do.
    return {**browser_context_args, "locale": "zh-CN"}


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


TITLES = {
    "township_staff": "Township governance office",
    "assessor": "Assessor",
    "property_manager": "Property manager",
    "resident": "Resident",
}


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize(
    "role", ["township_staff", "community_staff", "assessor", "property_manager", "resident"]
)
def test_each_role_logs_in_and_sees_its_home_page(
    page, live_server, role_users, screenshot_dir, role, viewport
):
    user, expected_text = role_users[role]
    page.set_viewport_size(viewport)
    log_in(page, live_server, user.username)
    assert page.url == f"{live_server.url}/"
    title = page.get_by_test_id("home-title")
    title.wait_for()
    if role in TITLES:
        assert zh(TITLES[role]) in title.inner_text()
    if expected_text:
        assert expected_text in title.inner_text()
    assert user.username in page.get_by_test_id("who").inner_text()
    if role == "resident":
        assert "糖果雅苑" in page.get_by_test_id("household").inner_text()
    # Nothing may overflow the viewport sideways (the phone layout must not scroll right).
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= viewport["width"], f"{role}: page is {scroll_width}px wide"
    name = "desktop" if viewport is DESKTOP else "phone"
    page.screenshot(path=f"{screenshot_dir}/home_{role}_{name}.png", full_page=True)


@pytest.mark.browser
def test_role_home_titles_differ(page, live_server, role_users):
    titles = set()
    for role in ("township_staff", "community_staff", "assessor", "property_manager", "resident"):
        page.context.clear_cookies()
        log_in(page, live_server, role_users[role][0].username)
        titles.add(page.get_by_test_id("home-title").inner_text())
    assert len(titles) == 5


@pytest.mark.browser
def test_wrong_password_stays_on_the_login_page(page, live_server, role_users):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "staff")
    page.fill("input[name=password]", "wrong-password")
    page.click("form button[type=submit]")
    assert "/accounts/login/" in page.url
    assert page.get_by_test_id("home-title").count() == 0


@pytest.mark.browser
def test_api_docs_render_swagger_ui_without_a_cdn(page, live_server, screenshot_dir, db):
    external = []
    page.on(
        "request",
        lambda request: (
            external.append(request.url)
            if not request.url.startswith(live_server.url) and not request.url.startswith("data:")
            else None
        ),
    )
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    assert page.locator("text=/api/v1/estates/").count() > 0
    assert external == []
    page.screenshot(path=f"{screenshot_dir}/api_docs.png")


@pytest.mark.browser
def test_staff_overview_page_renders_for_township_staff(
    page, live_server, role_users, screenshot_dir
):
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/admin/overview/")
    assert page.get_by_test_id("overview").is_visible()
    page.screenshot(path=f"{screenshot_dir}/staff_overview.png", full_page=True)
