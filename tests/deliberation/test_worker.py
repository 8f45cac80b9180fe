"""Transition notifications go through a real Celery worker on Redis (ids on the queue)."""

import time

import pytest

from communities.factories import CommunityStaffFactory
from deliberation import services
from deliberation.factories import CouncilFactory, resident_of
from governance.notifications.models import Notification


@pytest.mark.worker
def test_a_real_worker_delivers_transition_notifications_once(celery_worker):
    council = CouncilFactory()
    staff = CommunityStaffFactory(community=council.estate.community)
    resident = resident_of(council.estate)
    proposal = services.proposal_create(user=resident, title="路灯不亮", description="d")
    services.proposal_accept(proposal=proposal, by=staff)  # commits: the task is queued

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if Notification.objects.filter(user=resident).exists():
            break
        time.sleep(0.2)
    notes = Notification.objects.filter(user=resident)
    assert notes.count() == 1
    assert "路灯不亮" in notes.get().text
