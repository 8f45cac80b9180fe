"""The resident portal and staff pages, from outside (test client)."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from communities.factories import CommunityStaffFactory
from deliberation import services
from deliberation.factories import CouncilFactory, ProposalFactory, representatives, resident_of
from deliberation.models import Proposal, Support, Vote

S = Proposal.State
pytestmark = pytest.mark.django_db


def _png(name="tiles.png"):
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "PNG")
    buf.seek(0)
    buf.name = name
    return buf


def test_resident_submits_a_proposal_with_a_photo(client, council, resident):
    client.force_login(resident)
    response = client.post(
        reverse("deliberation:proposal-create"),
        {
            "title": "外墙瓷砖脱落",
            "description": "2栋外墙瓷砖掉落",
            "category": "safety",
            "photos": [_png()],
        },
    )
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert proposal.state == S.SUBMITTED and proposal.attachments.count() == 1
    page = client.get(reverse("deliberation:proposal-detail", args=[proposal.pk]))
    assert "外墙瓷砖脱落" in page.content.decode()
    attachment = proposal.attachments.get()
    download = client.get(reverse("deliberation:attachment", args=[attachment.pk]))
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"


def test_a_disguised_upload_is_refused(client, council, resident):
    client.force_login(resident)
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
    fake.name = "photo.png"
    response = client.post(
        reverse("deliberation:proposal-create"),
        {"title": "t", "description": "d", "category": "other", "photos": [fake]},
    )
    assert response.status_code == 200 and not Proposal.objects.exists()


def test_unverified_resident_cannot_use_the_portal(client, council):
    from communities.factories import ResidentFactory

    client.force_login(ResidentFactory())
    assert client.get(reverse("deliberation:proposal-list")).status_code == 403
    assert client.get(reverse("deliberation:proposal-create")).status_code == 403


def test_resident_of_another_estate_gets_404_and_cannot_support_or_vote(client, council, staff):
    proposal = ProposalFactory(council=council)
    reps = representatives(council, 3)
    session = services.session_create(council=council, date=timezone.localdate(), by=staff)
    services.proposal_accept(proposal=proposal, by=staff)
    item = services.agenda_add(session=session, proposal=proposal, by=staff)
    services.session_open(session=session, by=staff)

    outsider = resident_of(CouncilFactory().estate)
    client.force_login(outsider)
    assert (
        client.get(reverse("deliberation:proposal-detail", args=[proposal.pk])).status_code == 404
    )
    assert (
        client.post(reverse("deliberation:proposal-support", args=[proposal.pk])).status_code == 404
    )
    assert client.get(reverse("deliberation:session-detail", args=[session.pk])).status_code == 404
    assert (
        client.post(
            reverse("deliberation:vote", args=[session.pk, item.pk]), {"choice": "for"}
        ).status_code
        == 404
    )
    assert not Support.objects.exists() and not Vote.objects.exists()
    assert reps  # the council's own representatives are untouched


def test_representative_of_another_council_cannot_vote_through_the_portal(client, council, staff):
    other_rep = representatives(CouncilFactory(), 1)[0]
    # Even a resident of this estate who is a representative elsewhere is refused.
    proposal = ProposalFactory(council=council, state=S.ACCEPTED)
    session = services.session_create(council=council, date=timezone.localdate(), by=staff)
    item = services.agenda_add(session=session, proposal=proposal, by=staff)
    services.session_open(session=session, by=staff)
    neighbour = resident_of(council.estate)
    other_rep.user = neighbour
    other_rep.save()
    client.force_login(neighbour)
    response = client.post(
        reverse("deliberation:vote", args=[session.pk, item.pk]), {"choice": "for"}
    )
    assert response.status_code == 403 and not Vote.objects.exists()


def test_representative_votes_in_the_portal(client, council, staff):
    rep = representatives(council, 3)[0]
    proposal = ProposalFactory(council=council, state=S.ACCEPTED)
    session = services.session_create(council=council, date=timezone.localdate(), by=staff)
    item = services.agenda_add(session=session, proposal=proposal, by=staff)
    services.session_open(session=session, by=staff)
    client.force_login(rep.user)
    home = client.get("/").content.decode()
    assert proposal.title in home  # the agenda waits on the home page
    client.post(reverse("deliberation:vote", args=[session.pk, item.pk]), {"choice": "for"})
    assert Vote.objects.get().entered_by == rep.user
    page = client.get(reverse("deliberation:session-detail", args=[session.pk])).content.decode()
    assert 'data-testid="my-vote"' in page


def test_published_resolution_is_public_but_unpublished_is_not(client, council, staff):
    proposal = ProposalFactory(council=council, state=S.ACCEPTED)
    reps = representatives(council, 3)
    session = services.session_create(council=council, date=timezone.localdate(), by=staff)
    item = services.agenda_add(session=session, proposal=proposal, by=staff)
    services.session_open(session=session, by=staff)
    for rep in reps:
        services.vote_cast(agenda_item=item, representative=rep, choice="for", entered_by=rep.user)
    services.session_close(session=session, by=staff, resolutions={item.pk: "同意维修"})
    detail = reverse("deliberation:proposal-detail", args=[proposal.pk])
    assert client.get(detail).status_code == 404
    assert "同意维修" not in client.get(reverse("deliberation:resolutions")).content.decode()
    council.publishes_resolutions = True
    council.save()
    assert client.get(detail).status_code == 200
    assert "同意维修" in client.get(reverse("deliberation:resolutions")).content.decode()


def test_drafts_are_hidden_from_neighbours(client, council, resident):
    draft = ProposalFactory(council=council, state=S.DRAFT, proposer=resident)
    neighbour = resident_of(council.estate)
    client.force_login(neighbour)
    assert client.get(reverse("deliberation:proposal-detail", args=[draft.pk])).status_code == 404


def test_staff_of_another_community_gets_404(client, council):
    proposal = ProposalFactory(council=council)
    client.force_login(CommunityStaffFactory())
    url = reverse("deliberation:manage-proposal", args=[proposal.pk])
    assert client.get(url).status_code == 404
    response = client.post(
        reverse("deliberation:manage-proposal-action", args=[proposal.pk]), {"action": "accept"}
    )
    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.state == S.SUBMITTED


def test_staff_runs_a_session_through_the_pages(client, council, staff):
    reps = representatives(council, 3)
    proposal = ProposalFactory(council=council)
    client.force_login(staff)
    client.post(
        reverse("deliberation:manage-proposal-action", args=[proposal.pk]),
        {"action": "accept", "reason": "属实"},
    )
    client.post(
        reverse("deliberation:manage-session-create", args=[council.pk]),
        {"date": "2026-06-01", "place": "党群服务站"},
    )
    session = council.sessions.get()
    action = reverse("deliberation:manage-session-action", args=[session.pk])
    client.post(action, {"action": "agenda", "proposal": proposal.pk, "kind": "vote"})
    item = session.agenda.get()
    client.post(action, {"action": "attendance", "present": [r.pk for r in reps]})
    for rep in reps:
        client.post(
            action,
            {"action": "paper_vote", "item": item.pk, "representative": rep.pk, "choice": "for"},
        )
    client.post(
        action,
        {"action": "close", "minutes": "一致通过", f"resolution_{item.pk}": "物业一周内维修"},
    )
    proposal.refresh_from_db()
    assert proposal.state == S.DECIDED and proposal.resolution.text == "物业一周内维修"
    page = client.get(reverse("deliberation:manage-session", args=[session.pk]))
    assert page.status_code == 200 and "物业一周内维修" in page.content.decode()
    client.post(
        reverse("deliberation:manage-proposal-action", args=[proposal.pk]),
        {
            "action": "followup",
            "description": "维修",
            "responsible_party": "物业",
            "due_date": "2026-06-30",
        },
    )
    proposal.refresh_from_db()
    assert proposal.state == S.IMPLEMENTING


def test_dashboard_and_home_panels_render(client, council, staff, town_staff, resident):
    ProposalFactory(council=council)
    client.force_login(staff)
    response = client.get(reverse("deliberation:dashboard"))
    assert response.status_code == 200 and 'data-testid="chart"' in response.content.decode()
    assert 'data-testid="deliberation-panel"' in client.get("/").content.decode()
    client.force_login(town_staff)
    assert client.get(reverse("deliberation:problem-estates")).status_code == 200
    client.force_login(resident)
    assert 'data-testid="deliberation-panel"' in client.get("/").content.decode()
    assert client.get(reverse("deliberation:dashboard")).status_code == 403
    client.logout()
    assert client.get(reverse("deliberation:resolutions")).status_code == 200


def test_inbox_shows_and_marks_read(
    client, council, staff, resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = services.proposal_create(user=resident, title="路灯", description="d")
        services.proposal_accept(proposal=proposal, by=staff)
    client.force_login(resident)
    assert "路灯" in client.get(reverse("deliberation:inbox")).content.decode()
    assert not resident.notifications.filter(read_at__isnull=True).exists()


@pytest.mark.parametrize("n", [3, 12])
def test_proposal_list_query_count_is_constant(
    client, council, resident, n, django_assert_max_num_queries
):
    for _ in range(n):
        p = ProposalFactory(council=council)
        Support.objects.create(
            proposal=p, household=resident_of(council.estate).verified_household, user=resident
        )
    client.force_login(resident)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("deliberation:proposal-list"))
    assert response.status_code == 200


@pytest.mark.parametrize("n", [3, 12])
def test_staff_list_query_count_is_constant(
    client, council, staff, n, django_assert_max_num_queries
):
    ProposalFactory.create_batch(n, council=council)
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("deliberation:manage")).status_code == 200


def test_resident_rates_a_done_proposal(client, council, resident):
    proposal = ProposalFactory(
        council=council, state=S.DONE, proposer=resident, household=resident.verified_household
    )
    client.force_login(resident)
    client.post(reverse("deliberation:proposal-rate", args=[proposal.pk]), {"stars": 4})
    assert proposal.rating.stars == 4


@pytest.mark.parametrize("n", [2, 10])
def test_session_list_and_dashboard_query_counts_are_constant(
    client, council, staff, resident, n, django_assert_max_num_queries
):
    for _ in range(n):
        session = services.session_create(council=council, date=timezone.localdate(), by=staff)
        services.agenda_add(
            session=session, proposal=ProposalFactory(council=council, state=S.ACCEPTED), by=staff
        )
    client.force_login(resident)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("deliberation:session-list")).status_code == 200
    client.force_login(staff)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("deliberation:dashboard")).status_code == 200


def test_staff_correct_a_resolutions_wording(client, council, staff):
    reps = representatives(council, 3)
    proposal = ProposalFactory(council=council, state=S.ACCEPTED)
    session = services.session_create(council=council, date=timezone.localdate(), by=staff)
    item = services.agenda_add(session=session, proposal=proposal, by=staff)
    services.session_open(session=session, by=staff)
    for rep in reps:
        services.vote_cast(agenda_item=item, representative=rep, choice="for", entered_by=rep.user)
    services.session_close(session=session, by=staff)
    client.force_login(staff)
    client.post(
        reverse("deliberation:manage-proposal-action", args=[proposal.pk]),
        {"action": "resolution", "reason": "物业在两周内更换路灯。"},
    )
    proposal.resolution.refresh_from_db()
    assert proposal.resolution.text == "物业在两周内更换路灯。"


def test_dashboard_counts_only_the_staff_members_communities(client, council, staff):
    ProposalFactory(council=council)
    elsewhere = CouncilFactory()
    ProposalFactory.create_batch(3, council=elsewhere)
    client.force_login(staff)
    page = client.get(reverse("deliberation:dashboard")).content.decode()
    assert council.estate.community.name in page
    assert elsewhere.estate.community.name not in page
    from deliberation.councils import selectors

    data = selectors.dashboard(staff)
    assert sum(n for _label, n in data["by_state"]) == 1


def test_a_resident_secretary_runs_the_council_from_the_portal(client, council, resident):
    council.secretary = resident
    council.save()
    proposal = ProposalFactory(council=council)
    client.force_login(resident)
    assert 'data-testid="secretary-link"' in client.get("/").content.decode()
    assert client.get(reverse("deliberation:manage")).status_code == 200
    client.post(
        reverse("deliberation:manage-proposal-action", args=[proposal.pk]),
        {"action": "accept", "reason": "属实"},
    )
    proposal.refresh_from_db()
    assert proposal.state == S.ACCEPTED
    # The secretary manages only their own council.
    other = ProposalFactory(council=CouncilFactory())
    url = reverse("deliberation:manage-proposal", args=[other.pk])
    assert client.get(url).status_code == 404
