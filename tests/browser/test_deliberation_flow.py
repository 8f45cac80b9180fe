"""A real browser: a resident submits a proposal with a photo, five neighbours' households
support it, it is accepted automatically, a session votes it through, and the resolution shows
in the resident's portal. Screenshots at each step (phone width for residents)."""

import io
import os

import pytest
from PIL import Image

from communities.factories import CommunityStaffFactory
from deliberation.factories import CouncilFactory, representatives, resident_of
from deliberation.models import Proposal
from tests.browser.helpers import log_in

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


@pytest.mark.browser
def test_resident_proposal_is_supported_accepted_voted_and_resolved(
    page, live_server, screenshot_dir, tmp_path
):
    council = CouncilFactory(estate__name="糖果雅苑", estate__community__name="海南洲社区")
    estate = council.estate
    resident = resident_of(estate, "1栋", username="resident")
    neighbours = [resident_of(estate, f"{n}栋", username=f"neighbour{n}") for n in range(2, 7)]
    reps = representatives(council, 3)
    for i, rep in enumerate(reps):
        rep.user.username = f"rep{i}"
        rep.user.save()
    staff = CommunityStaffFactory(username="community", community=estate.community)
    base = live_server.url
    shot = lambda name: page.screenshot(  # noqa: E731
        path=os.path.join(screenshot_dir, f"deliberation_{name}.png"), full_page=True
    )

    photo = tmp_path / "tiles.png"
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "brown").save(buf, "PNG")
    photo.write_bytes(buf.getvalue())

    # A resident raises the proposal on a phone.
    page.set_viewport_size(PHONE)
    log_in(page, base, resident.username)
    shot("1_resident_home")
    page.goto(f"{base}/deliberation/proposals/new/")
    page.fill("input[name=title]", "外墙瓷砖脱落")
    page.fill("textarea[name=description]", "2栋外墙瓷砖多处脱落，危及行人安全。")
    page.select_option("select[name=category]", "safety")
    page.set_input_files("input[name=photos]", str(photo))
    shot("2_submit_form")
    page.click("[data-testid=proposal-form] button[type=submit]")
    page.wait_for_selector("[data-testid=proposal-title]")
    proposal = Proposal.objects.get(title="外墙瓷砖脱落")
    assert proposal.state == "submitted" and proposal.attachments.count() == 1
    shot("3_submitted")

    # Five neighbours' households support it; the fifth makes it accepted.
    for neighbour in neighbours:
        log_in(page, base, neighbour.username)
        page.goto(f"{base}/deliberation/proposals/{proposal.pk}/")
        page.click("[data-testid=support]")
        page.wait_for_selector("[data-testid=supported]")
    proposal.refresh_from_db()
    assert proposal.state == "accepted"
    assert proposal.transitions.get(to_state="accepted").by is None
    shot("4_accepted_after_five_supports")

    # Staff create a session, put it on the agenda and open voting (desktop).
    page.set_viewport_size(DESKTOP)
    log_in(page, base, staff.username)
    page.goto(f"{base}/deliberation/manage/")
    page.fill("input[name=date]", "2026-06-01")
    page.fill("input[name=place]", "党群服务站")
    page.click("td form button[type=submit]")
    page.wait_for_selector("[data-testid=session-status]")
    page.select_option("select[name=proposal]", str(proposal.pk))
    page.click("button[value=agenda]")
    page.click("[data-testid=open-session]")
    page.wait_for_selector("[data-testid=session-status]")
    session = council.sessions.get()
    assert session.status == "open"
    shot("5_staff_session")

    # The representatives vote in the portal on their phones.
    page.set_viewport_size(PHONE)
    for rep in reps:
        log_in(page, base, rep.user.username)
        page.goto(f"{base}/deliberation/sessions/{session.pk}/")
        page.check("[data-testid=vote-form] input[value=for]")
        page.click("[data-testid=vote-form] button[type=submit]")
        page.wait_for_selector("[data-testid=my-vote]")
    shot("6_representative_voted")

    # Staff close the session with the resolution.
    page.set_viewport_size(DESKTOP)
    log_in(page, base, staff.username)
    page.goto(f"{base}/deliberation/manage/sessions/{session.pk}/")
    page.fill("textarea[name^=resolution_]", "使用专项维修资金维修2栋外墙，物业负责安全围蔽。")
    page.fill("textarea[name=minutes]", "三名代表到会，一致同意。")
    page.click("[data-testid=close-session]")
    page.wait_for_selector("text=使用专项维修资金维修2栋外墙")
    shot("7_session_closed")
    proposal.refresh_from_db()
    assert proposal.state == "decided" and proposal.outcome == "passed"

    # The resolution shows in the resident's portal.
    page.set_viewport_size(PHONE)
    log_in(page, base, resident.username)
    page.goto(f"{base}/deliberation/proposals/{proposal.pk}/")
    resolution = page.locator("[data-testid=resolution]")
    assert "使用专项维修资金维修2栋外墙" in resolution.inner_text()
    shot("8_resident_sees_resolution")
    page.goto(f"{base}/deliberation/inbox/")
    assert "外墙瓷砖脱落" in page.locator("[data-testid=inbox]").inner_text()
    shot("9_resident_inbox")
