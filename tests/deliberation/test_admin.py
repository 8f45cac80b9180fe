"""Admin scoping: community staff see only their own community's councils and proposals."""

import pytest
from django.urls import reverse

from communities.factories import CommunityStaffFactory, UserFactory
from deliberation import services
from deliberation.factories import CouncilFactory, ProposalFactory
from deliberation.models import Proposal

pytestmark = pytest.mark.django_db

MODELS = [
    "council",
    "proposal",
    "session",
    "vote",
    "resolution",
    "followupaction",
    "outcomerating",
    "problemestatelist",
]


def test_community_staff_see_only_their_communitys_councils_and_proposals(client, council, staff):
    mine = ProposalFactory(council=council, title="本社区议题")
    other = ProposalFactory(council=CouncilFactory(), title="外社区议题")
    client.force_login(staff)
    page = client.get(reverse("admin:deliberation_proposal_changelist")).content.decode()
    assert "本社区议题" in page and "外社区议题" not in page
    councils = client.get(reverse("admin:deliberation_council_changelist")).content.decode()
    assert council.estate.name in councils and other.estate.name not in councils
    assert (
        client.get(reverse("admin:deliberation_proposal_change", args=[other.pk])).status_code
        == 302
    )
    assert (
        client.get(reverse("admin:deliberation_proposal_change", args=[mine.pk])).status_code == 200
    )


def test_admin_action_accepts_through_the_service(client, council, staff):
    proposal = ProposalFactory(council=council)
    client.force_login(staff)
    client.post(
        reverse("admin:deliberation_proposal_changelist"),
        {"action": "accept_selected", "_selected_action": [proposal.pk]},
    )
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.ACCEPTED
    assert proposal.transitions.get(to_state="accepted").by == staff


def test_the_admin_cannot_delete_a_proposal(client, council):
    proposal = ProposalFactory(council=council)
    client.force_login(
        UserFactory(
            is_superuser=False,
            is_staff=True,
            role="township_staff",
            town=council.estate.community.town,
        )
    )
    response = client.post(
        reverse("admin:deliberation_proposal_delete", args=[proposal.pk]), {"post": "yes"}
    )
    assert response.status_code == 403 and Proposal.objects.filter(pk=proposal.pk).exists()


@pytest.mark.parametrize("model", MODELS)
def test_every_changelist_renders_for_a_superuser(client, council, staff, model):
    proposal = ProposalFactory(council=council, state=Proposal.State.ACCEPTED)
    services.proposal_escalate(proposal=proposal, by=staff, reason="r")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(reverse(f"admin:deliberation_{model}_changelist")).status_code == 200


def test_other_community_staff_cannot_open_the_council(client, council):
    client.force_login(CommunityStaffFactory())
    url = reverse("admin:deliberation_council_change", args=[council.pk])
    assert client.get(url).status_code == 302  # the admin redirects a missing object


def test_change_and_add_pages_render_for_community_staff(client, council, staff):
    from deliberation.factories import representatives

    representatives(council, 2)
    session = services.session_create(council=council, date="2026-06-01", by=staff)
    proposal = ProposalFactory(council=council)
    client.force_login(staff)
    for url in [
        reverse("admin:deliberation_council_change", args=[council.pk]),
        reverse("admin:deliberation_session_change", args=[session.pk]),
        reverse("admin:deliberation_session_add"),
        reverse("admin:deliberation_proposal_change", args=[proposal.pk]),
    ]:
        assert client.get(url).status_code == 200, url
