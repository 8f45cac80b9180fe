"""Residents hear when someone supports their proposal (issue 15.3); comments call the same
deliberation.notifications.notify_proposer."""

import pytest

from deliberation import services
from deliberation.notifications import PROPOSAL_ACTIVITY, notify_proposer
from governance.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_proposer_is_told_once_of_each_support(
    council, resident, neighbours, django_capture_on_commit_callbacks
):
    proposal = services.proposal_create(user=resident, title="路灯不亮", description="d")
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_support(proposal=proposal, user=neighbours[0])
        services.proposal_support(proposal=proposal, user=neighbours[0])  # repeated: no new
        services.proposal_support(proposal=proposal, user=neighbours[1])
    notes = Notification.objects.filter(user=resident, kind=PROPOSAL_ACTIVITY)
    assert notes.count() == 2
    assert "路灯不亮" in notes.first().text
    assert not Notification.objects.filter(user=neighbours[0], kind=PROPOSAL_ACTIVITY).exists()


def test_a_comment_tells_the_proposer_but_not_when_they_comment_themselves(
    council, resident, neighbours
):
    proposal = services.proposal_create(user=resident, title="路灯不亮", description="d")
    assert notify_proposer(proposal, actor=neighbours[0], event="comment", key="comment:1") == 1
    assert notify_proposer(proposal, actor=neighbours[0], event="comment", key="comment:1") == 0
    assert notify_proposer(proposal, actor=resident, event="comment", key="comment:2") == 0
    assert "评论" in Notification.objects.get(user=resident, kind=PROPOSAL_ACTIVITY).text
