"""Issue 15 part 5: the vote page speaks Chinese and says when no choice was made; closing a
session without quorum asks first and keeps what staff typed."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from deliberation import services
from deliberation.factories import ProposalFactory, representatives
from deliberation.models import Proposal, Vote

S = Proposal.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def open_item(council, staff):
    proposal = ProposalFactory(
        council=council, state=S.ACCEPTED, description="电梯每周停运两次，请物业更换主板。"
    )
    session = services.session_create(council=council, date=timezone.localdate(), by=staff)
    item = services.agenda_add(session=session, proposal=proposal, by=staff)
    services.session_open(session=session, by=staff)
    return session, item


def _zh(client):
    client.cookies["django_language"] = "zh-hans"


def test_vote_page_shows_the_proposal_text_and_chinese_choices(client, council, open_item):
    session, item = open_item
    rep = representatives(council, 3)[0]
    client.force_login(rep.user)
    page = client.get(reverse("deliberation:session-detail", args=[session.pk])).content.decode()
    assert "电梯每周停运两次" in page
    assert "赞成" in page and "反对" in page and "弃权" in page
    assert 'class="vote-choice"' in page  # the large touch targets


def test_after_voting_the_page_says_the_choice_in_chinese(client, council, open_item):
    session, item = open_item
    rep = representatives(council, 3)[0]
    client.force_login(rep.user)
    client.post(reverse("deliberation:vote", args=[session.pk, item.pk]), {"choice": "against"})
    page = client.get(reverse("deliberation:session-detail", args=[session.pk])).content.decode()
    assert "您已表决: 反对" in page and ": against" not in page


def test_voting_without_a_choice_says_so_next_to_the_item(client, council, open_item):
    session, item = open_item
    rep = representatives(council, 3)[0]
    client.force_login(rep.user)
    response = client.post(reverse("deliberation:vote", args=[session.pk, item.pk]), {})
    assert response.status_code == 400
    assert 'data-testid="vote-error"' in response.content.decode()
    with override("zh-hans"):
        assert "请选择赞成、反对或弃权" in response.content.decode()
    assert not Vote.objects.exists()


def _close_post(client, session, item, **extra):
    action = reverse("deliberation:manage-session-action", args=[session.pk])
    return client.post(
        action,
        {
            "action": "close",
            "minutes": "到会不足",
            f"resolution_{item.pk}": "物业一周内维修",
            **extra,
        },
    )


def test_closing_without_quorum_warns_first_and_keeps_the_typed_text(
    client, council, staff, open_item
):
    session, item = open_item
    representatives(council, 6)  # nobody recorded present: no quorum
    client.force_login(staff)
    response = _close_post(client, session, item)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="close-warning"' in page and 'data-testid="confirm-no-quorum"' in page
    assert "物业一周内维修" in page and "到会不足" in page  # nothing typed is lost
    session.refresh_from_db()
    assert session.status == "open"


def test_confirming_closes_without_quorum_and_the_item_stays_scheduled(
    client, council, staff, open_item
):
    session, item = open_item
    representatives(council, 6)
    client.force_login(staff)
    response = _close_post(client, session, item, confirm_no_quorum="1")
    assert response.status_code == 302
    session.refresh_from_db()
    item.refresh_from_db()
    assert session.status == "closed" and item.result == "no_quorum"
    assert item.proposal.state == S.SCHEDULED


def test_closing_with_quorum_needs_no_confirmation(client, council, staff, open_item):
    session, item = open_item
    reps = representatives(council, 3)
    client.force_login(staff)
    action = reverse("deliberation:manage-session-action", args=[session.pk])
    client.post(action, {"action": "attendance", "present": [r.pk for r in reps]})
    assert _close_post(client, session, item).status_code == 302
    session.refresh_from_db()
    assert session.status == "closed"
