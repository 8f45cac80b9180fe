"""A real phone-sized browser: an owner of 糖果雅苑 finds the open assembly vote from the home
page, casts a ballot, changes it, and reads the announced result after the close."""

import os

import pytest

from communities.factories import EstateFactory, ResidentFactory
from communities.models import Household
from deliberation.assemblies import services
from deliberation.assemblies.factories import register, verify
from deliberation.assemblies.models import Ballot
from tests.browser.helpers import log_in

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


@pytest.mark.browser
def test_owner_casts_a_ballot_on_a_phone_and_reads_the_result(
    page, live_server, screenshot_dir, transactional_db
):
    estate = EstateFactory(name="糖果雅苑", community__name="海南洲社区")
    owners = register(
        estate,
        [
            ("1栋", "101", "98.50", "R-0001", True),
            ("1栋", "102", "88.00", "R-0002", True),
            ("2栋", "101", "120.00", "R-0003", True),
        ],
    )
    owner = ResidentFactory(username="resident")
    verify(owner, Household.objects.get(building__name="1栋", room="101"))
    vote = services.vote_open_now(estate=estate, kind="manager", title="续聘时代物业三年")
    shot = lambda name: page.screenshot(  # noqa: E731
        path=os.path.join(screenshot_dir, f"owners_vote_{name}.png"), full_page=True
    )

    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "resident")
    page.click("[data-testid=assemblies-link]")
    page.click(f"text={vote.title}")
    page.wait_for_selector("[data-testid=ballot-form]")
    page.check("[data-testid=ballot-form] input[value=disagree]")
    page.click("[data-testid=ballot-form] button[type=submit]")
    page.wait_for_selector("[data-testid=my-ballot]")
    page.check("[data-testid=ballot-form] input[value=agree]")
    shot("1_changing_ballot")
    page.click("[data-testid=ballot-form] button[type=submit]")
    page.wait_for_selector("[data-testid=my-ballot]")
    assert Ballot.objects.get().choice == "agree"

    services.paper_ballots_enter(
        vote=vote, rows=[{"owner": owners["R-0003"], "choice": "agree"}], by=None
    )
    services.vote_close(vote=vote, by=None)
    page.reload()
    result = page.locator("[data-testid=vote-result]")
    result.wait_for()
    shot("2_result")
    assert page.locator("[data-testid=ballot-form]").count() == 0
    text = result.inner_text()
    assert "218.50" in text and "306.50" in text  # agreeing area of the total
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing runs off a phone screen
