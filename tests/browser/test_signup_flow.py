"""A real browser at phone width (390 px): a new resident signs up claiming a household, community
staff verify the claim against the register, the resident comments on a neighbour's proposal with
a photo thumbnail, a neighbour reports the comment and staff hide it with a reason; the vote page
shows Chinese choices. Screenshots at each step."""

import io
import os

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from communities.factories import BuildingFactory, CommunityStaffFactory, HouseholdFactory
from communities.models import User
from deliberation import services
from deliberation.factories import CouncilFactory, ProposalFactory, representatives, resident_of
from deliberation.models import Attachment, Comment, Proposal
from tests.browser.helpers import log_in

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


def _photo() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (800, 600), (180, 90, 40)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.mark.browser
def test_sign_up_verify_comment_and_moderate_on_a_phone(page, live_server, screenshot_dir):
    council = CouncilFactory(estate__name="糖果雅苑", estate__community__name="海南洲社区")
    estate = council.estate
    HouseholdFactory(building=BuildingFactory(estate=estate, name="3栋"), room="1202")
    proposer = resident_of(estate, "1栋", username="proposer", display_name="陈")
    neighbour = resident_of(estate, "2栋", username="neighbour")
    staff = CommunityStaffFactory(username="community", community=estate.community)
    proposal = ProposalFactory(
        council=council,
        proposer=proposer,
        household=proposer.verified_household,
        title="电梯经常停运",
        description="3栋电梯每周停运两次，请物业更换主板。",
    )
    Attachment.objects.create(
        proposal=proposal,
        file=ContentFile(_photo(), name="lift.jpg"),
        original_name="lift.jpg",
        uploaded_by=proposer,
    )
    base = live_server.url
    page.set_viewport_size(PHONE)
    shot = lambda name: page.screenshot(  # noqa: E731
        path=os.path.join(screenshot_dir, f"signup_{name}.png"), full_page=True
    )

    # Sign up from the login page.
    page.goto(f"{base}/accounts/login/")
    page.click("[data-testid=signup-link]")
    page.fill("input[name=resident_name]", "王小明")
    page.fill("input[name=phone]", "13800138000")
    page.fill("input[name=password1]", "lishui-2026-ok")
    page.fill("input[name=password2]", "lishui-2026-ok")
    page.select_option("select[name=estate]", str(estate.pk))
    page.fill("input[name=building]", "3栋")
    page.fill("input[name=room]", "1202")
    # owners.md: the claim says owner (with the property certificate) or tenant.
    page.check("input[name=relation][value=tenant]")
    shot("1_form")
    page.click("[data-testid=signup-form] button[type=submit]")
    page.wait_for_selector("[data-testid=home-title]")
    shot("2_waiting_for_staff")
    user = User.objects.get(username="13800138000")
    assert user.verifications.get().status == "pending"

    # Staff compare the claim with the register and approve it.
    log_in(page, base, staff.username)
    page.goto(f"{base}/accounts/verifications/")
    cell = page.text_content("[data-testid=registry-household]")
    assert "糖果雅苑" in cell and "3栋" in cell and "1202" in cell
    shot("3_queue")
    page.click("[data-testid=verification-record]")
    page.wait_for_selector(".messages")
    assert user.verifications.get().status == "approved"

    # The new resident comments on the neighbour's proposal, with its photo as a thumbnail.
    log_in(page, base, "13800138000", "lishui-2026-ok")
    page.goto(f"{base}/deliberation/proposals/{proposal.pk}/")
    thumb = page.locator("[data-testid=thumbs] img")
    # The thumbnail loads lazily: wait until it has finished loading (or failing; a broken
    # image ends with width 0). expect() polls without eval, which the page's CSP forbids.
    thumb.scroll_into_view_if_needed()
    expect(thumb).to_have_js_property("complete", True)
    assert thumb.evaluate("img => img.naturalWidth") > 0
    page.fill("textarea[name=body]", "同意！我家也被困过一次。联系我 13800138000")
    page.click("[data-testid=comment-form] button[type=submit]")
    page.wait_for_selector("[data-testid=comment]")
    shot("4_commented")
    comment = Comment.objects.get()

    # A neighbour reports it (it carries a phone number); staff hide it with a reason.
    log_in(page, base, neighbour.username)
    page.goto(f"{base}/deliberation/proposals/{proposal.pk}/")
    page.click("[data-testid=comment] summary")
    page.click("[data-testid=comment-report]")
    page.wait_for_selector(".messages")
    log_in(page, base, staff.username)
    page.goto(f"{base}/deliberation/proposals/{proposal.pk}/")
    page.wait_for_selector("[data-testid=comment-reports]")
    page.click("[data-testid=comment] details:last-of-type summary")
    page.fill("[data-testid=comment] input[name=reason]:visible", "含个人电话号码")
    page.click("[data-testid=comment-hide]")
    page.wait_for_selector("[data-testid=comment-hidden]")
    comment.refresh_from_db()
    assert comment.hidden_by == staff

    log_in(page, base, proposer.username)
    page.goto(f"{base}/deliberation/proposals/{proposal.pk}/")
    hidden = page.text_content("[data-testid=comment-hidden]")
    assert "含个人电话号码" in hidden and "13800138000" not in page.content()
    shot("5_hidden_by_staff")


@pytest.mark.browser
def test_vote_page_on_a_phone_says_no_choice_and_shows_chinese_choices(
    page, live_server, screenshot_dir
):
    council = CouncilFactory(estate__name="糖果雅苑")
    rep = representatives(council, 3)[0]
    rep.user.username = "rep"
    rep.user.save()
    staff = CommunityStaffFactory(community=council.estate.community)
    proposal = ProposalFactory(
        council=council,
        state=Proposal.State.ACCEPTED,
        title="更换电梯主板",
        description="物业报价 3.2 万元，使用专项维修资金。",
    )
    session = services.session_create(council=council, date=timezone.localdate(), by=staff)
    services.agenda_add(session=session, proposal=proposal, by=staff)
    services.session_open(session=session, by=staff)
    base = live_server.url
    page.set_viewport_size(PHONE)
    log_in(page, base, "rep")
    page.goto(f"{base}/deliberation/sessions/{session.pk}/")
    assert "物业报价 3.2 万元" in page.content()
    box = page.query_selector("label.vote-choice").bounding_box()
    assert box["height"] >= 48  # a thumb-sized target
    page.click("button.vote-submit")
    page.wait_for_selector("[data-testid=vote-error]")
    page.screenshot(path=os.path.join(screenshot_dir, "vote_1_no_choice.png"), full_page=True)
    page.click("label.vote-choice:has-text('赞成')")
    page.click("button.vote-submit")
    page.wait_for_selector("[data-testid=my-vote]")
    assert "赞成" in page.text_content("[data-testid=my-vote]")
    page.screenshot(path=os.path.join(screenshot_dir, "vote_2_voted.png"), full_page=True)
