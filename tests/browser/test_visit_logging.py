"""A party member logs a household visit from a phone-sized Chromium (390x844)."""

import pytest

from communities.factories import BuildingFactory, HouseholdFactory, ResidentFactory
from party_grid.factories import HouseholdAssignmentFactory, PartyMemberFactory
from party_grid.models import Visit

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": PHONE,
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "locale": "zh-CN",
    }


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_member_logs_a_visit_from_a_phone(page, live_server, screenshot_dir):
    user = ResidentFactory(username="dangyuan", display_name="党员 林先生")
    member = PartyMemberFactory(user=user, name="林先生")
    building = BuildingFactory(estate__name="糖果雅苑", name="1栋")
    for room in ("101", "102", "103"):
        HouseholdAssignmentFactory(
            member=member, household=HouseholdFactory(building=building, room=room)
        )

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "dangyuan")
    page.fill("input[name=password]", "pw-for-tests-1")
    page.click("button[type=submit]")
    page.click("[data-testid=log-visit-link]")
    assert page.url.endswith("/party/visits/new/")

    page.select_option("select[name=household]", label="糖果雅苑 1栋 102")
    page.select_option("select[name=channel]", "door")
    page.fill("textarea[name=note]", "独居老人，血压正常，已提醒按时服药")
    page.fill("textarea[name=problem]", "楼道声控灯坏了两周")
    # The form fits the phone's width: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=f"{screenshot_dir}/party_visit_form_phone.png", full_page=True)
    page.click("[data-testid=save-visit]")

    page.wait_for_selector("[data-testid=visits]")
    page.screenshot(path=f"{screenshot_dir}/party_visit_saved_phone.png", full_page=True)
    assert "楼道声控灯坏了两周" in page.inner_text("[data-testid=visits]")
    visit = Visit.objects.get()
    assert visit.member == member and visit.household.room == "102"
    assert visit.channel == "door" and visit.recorded_by == user
