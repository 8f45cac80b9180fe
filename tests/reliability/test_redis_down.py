"""Redis down: a submission is stored and answered, and the work it triggers is sent once Redis
is back and executed by a real worker; nothing is lost (issue 7, item 1).

Redis here is a private redis-server the fixtures start on a free port and kill; the answer
times are printed (run with -s to see them) and recorded in benchmarks/README.md, never asserted
beyond the 5 s the issue allows.
"""

import time

import pytest
from django.db import transaction
from django.urls import reverse

from communities.factories import CommunityStaffFactory, EstateFactory
from deliberation.factories import CouncilFactory, resident_of
from deliberation.models import Notification, Proposal, ProposalTransition
from governance.celery import ping
from governance.models import OutboxMessage
from governance.tasks import enqueue_on_commit

pytestmark = [pytest.mark.reliability, pytest.mark.django_db(transaction=True)]

ANSWER_BOUND_S = 5.0  # issue 7: "stored and answered within 5 s"


def relay_through_worker(app, timeout: float = 30) -> int:
    """What beat does every minute, now: the worker runs relay_outbox, which publishes the
    kept messages; returns how many it sent."""
    return app.send_task("governance.relay_outbox").get(timeout=timeout)


def test_outbox_message_written_while_redis_is_down_is_executed_after_it_returns(
    private_redis, rel_celery, start_worker
):
    private_redis.stop()

    started = time.monotonic()
    with transaction.atomic():
        enqueue_on_commit(ping)
    elapsed = time.monotonic() - started
    print(f"\n[redis down] enqueue_on_commit answered in {elapsed * 1000:.0f} ms")
    assert elapsed < ANSWER_BOUND_S

    message = OutboxMessage.objects.get()
    assert message.sent_at is None and message.last_error

    private_redis.start()
    start_worker()
    assert relay_through_worker(rel_celery) == 1

    message.refresh_from_db()
    assert message.sent_at is not None
    assert rel_celery.AsyncResult(message.task_id).get(timeout=30) == "pong"
    assert relay_through_worker(rel_celery) == 0  # sent once, never again

    # This process was not restarted: its next submission goes straight to the broker again.
    with transaction.atomic():
        enqueue_on_commit(ping)
    latest = OutboxMessage.objects.latest("pk")
    assert latest.sent_at is not None
    assert rel_celery.AsyncResult(latest.task_id).get(timeout=30) == "pong"


def test_proposal_submitted_and_accepted_while_redis_is_down_notify_after_it_returns(
    client, private_redis, rel_celery, start_worker
):
    """A resident's proposal through the portal and a staff member's acceptance, both with Redis
    down: each is stored and answered with success; once Redis is back the relay hands their
    notifications to a real worker, which delivers them."""
    estate = EstateFactory()
    council = CouncilFactory(estate=estate)
    resident = resident_of(estate)
    resident.email = "resident@example.com"
    resident.save()
    staff = CommunityStaffFactory(community=estate.community)
    private_redis.stop()

    client.force_login(resident)
    started = time.monotonic()
    response = client.post(
        reverse("deliberation:proposal-create"),
        {
            "title": "外墙瓷砖脱落",
            "description": "3栋外墙瓷砖脱落，请尽快处理。",
            "category": "other",
        },
    )
    elapsed_submit = time.monotonic() - started
    assert response.status_code == 302, response.content[:2000]
    proposal = Proposal.objects.get(council=council)
    assert proposal.state == Proposal.State.SUBMITTED

    client.force_login(staff)
    started = time.monotonic()
    response = client.post(
        reverse("deliberation:manage-proposal-action", args=[proposal.pk]),
        {"action": "accept", "reason": "列入议事"},
    )
    elapsed_accept = time.monotonic() - started
    assert response.status_code == 302, response.content[:2000]
    print(
        f"\n[redis down] proposal answered in {elapsed_submit * 1000:.0f} ms, "
        f"acceptance in {elapsed_accept * 1000:.0f} ms"
    )
    assert elapsed_submit < ANSWER_BOUND_S and elapsed_accept < ANSWER_BOUND_S

    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.ACCEPTED
    unsent = OutboxMessage.objects.filter(sent_at__isnull=True)
    assert unsent.count() == 2  # one notification task per transition, kept
    assert not Notification.objects.exists()

    private_redis.start()
    start_worker()
    assert relay_through_worker(rel_celery) == 2
    accepted = ProposalTransition.objects.get(proposal=proposal, to_state=Proposal.State.ACCEPTED)

    def delivered():
        return Notification.objects.filter(user=resident, key=f"transition:{accepted.pk}").first()

    from .conftest import wait_for

    note = wait_for(delivered, timeout=30, what="the worker to deliver the notification")
    assert note.text
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
