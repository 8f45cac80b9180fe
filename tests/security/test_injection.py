"""Script in proposal text, resident names and file names shows escaped in the portal and the
admin; no template or Python code marks user data safe."""

import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from communities.factories import CommunityStaffFactory, TownshipStaffFactory
from communities.models import ResidentVerification
from deliberation.models import Attachment, Proposal
from deliberation.services import proposal_create
from property_rating.models import Evidence

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
ESCAPED = "&lt;script&gt;"


def _assert_escaped(response, *payloads):
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    for payload in payloads:
        assert payload not in html, payload
    assert ESCAPED in html or "&lt;img" in html


@pytest.fixture
def hostile_proposal(resident_setup):
    resident = resident_setup
    resident.display_name = f"王{SCRIPT}"
    resident.save()
    proposal = proposal_create(
        user=resident,
        title=f"标题{SCRIPT}",
        description=f"内容{SCRIPT}{IMG}",
        category="other",
    )
    attachment = Attachment(proposal=proposal, original_name=f"{IMG}.png", uploaded_by=resident)
    attachment.file.save("a.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
    attachment.save()
    return proposal


def test_proposal_text_and_file_names_are_escaped_in_the_portal(client, hostile_proposal):
    proposal = hostile_proposal
    client.force_login(proposal.proposer)
    _assert_escaped(client.get(f"/deliberation/proposals/{proposal.pk}/"), SCRIPT, IMG)
    _assert_escaped(client.get("/deliberation/"), SCRIPT)
    _assert_escaped(client.get("/"), SCRIPT)  # the header shows the display name
    staff = CommunityStaffFactory(community=proposal.estate.community)
    client.force_login(staff)
    _assert_escaped(client.get(f"/deliberation/manage/proposals/{proposal.pk}/"), SCRIPT, IMG)
    _assert_escaped(client.get("/deliberation/manage/"), SCRIPT)


def test_proposal_text_is_escaped_in_the_admin(client, hostile_proposal):
    proposal = hostile_proposal
    staff = TownshipStaffFactory(town=proposal.estate.community.town)
    client.force_login(staff)
    _assert_escaped(client.get("/admin/deliberation/proposal/"), SCRIPT)
    _assert_escaped(client.get(f"/admin/deliberation/proposal/{proposal.pk}/change/"), SCRIPT, IMG)


def test_proposal_text_is_plain_json_in_the_api(client, hostile_proposal):
    client.force_login(hostile_proposal.proposer)
    data = client.get(f"/api/v1/proposals/{hostile_proposal.pk}/").json()
    assert data["title"] == f"标题{SCRIPT}"  # data, not markup: clients escape when rendering
    response = client.get(f"/api/v1/proposals/{hostile_proposal.pk}/")
    assert response["Content-Type"].startswith("application/json")


def test_resident_names_are_escaped_for_staff(client, resident_setup):
    household = resident_setup.verified_household
    pending_user = resident_setup.__class__.objects.create(username="newcomer")
    verification = ResidentVerification.objects.create(
        user=pending_user, household=household, resident_name=f"李{SCRIPT}", note=IMG
    )
    community = household.building.estate.community
    client.force_login(CommunityStaffFactory(community=community))
    _assert_escaped(client.get("/accounts/verifications/"), SCRIPT, IMG)
    _assert_escaped(client.get("/admin/communities/residentverification/"), SCRIPT)
    _assert_escaped(
        client.get(f"/admin/communities/residentverification/{verification.pk}/change/"), SCRIPT
    )


def test_evidence_file_names_are_escaped_for_managers_and_reviewers(client, report_setup):
    report, line, manager = report_setup
    evidence = Evidence(item=line, original_name=f"{SCRIPT}.png", uploaded_by=manager, size=8)
    evidence.file.save("e.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
    evidence.save()
    line.description = f"说明{IMG}"
    line.save()
    client.force_login(manager)
    _assert_escaped(client.get(f"/rating/manager/reports/{report.pk}/"), SCRIPT, IMG)
    staff = TownshipStaffFactory(town=report.unit.town)
    client.force_login(staff)
    _assert_escaped(
        client.get(f"/admin/property_rating/quarterlyreport/{report.pk}/change/"), SCRIPT
    )


def test_downloads_keep_hostile_names_out_of_headers(client, hostile_proposal):
    attachment = Attachment.objects.get(proposal=hostile_proposal)
    client.force_login(hostile_proposal.proposer)
    response = client.get(f"/deliberation/attachments/{attachment.pk}/")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    # A name is data in a quoted header parameter (quotes escaped, no line breaks), and the body
    # is never rendered: attachment, nosniff, sandboxed.
    assert disposition.startswith("attachment;")
    assert "\r" not in disposition and "\n" not in disposition
    assert 'onerror=\\"alert' in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


MARKERS = re.compile(r"mark_safe|SafeString|\|\s*safe\b|autoescape\s+off|\|\s*safeseq")


def test_no_code_marks_user_data_safe():
    hits = []
    for path in ROOT.rglob("*"):
        if path.suffix not in {".py", ".html", ".txt"} or not path.is_file():
            continue
        parts = set(path.relative_to(ROOT).parts)
        if parts & {".venv", "var", "node_modules", "tests", "migrations"}:
            continue
        for number, line in enumerate(
            path.read_text(encoding="utf-8", errors="ignore").splitlines(), 1
        ):
            if MARKERS.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert hits == []


def test_proposal_state_stays_submitted_for_a_scripted_title(hostile_proposal):
    assert Proposal.objects.get(pk=hostile_proposal.pk).state == Proposal.State.SUBMITTED
