"""The task outbox: a change's follow-up work is stored with it and sent when the broker is up."""

import pytest
from django.db import transaction

from governance.celery import app, ping
from governance.models import OutboxMessage
from governance.tasks import enqueue_on_commit, relay_pending

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _switch_broker(url: str) -> None:
    """Point publishing at `url`, dropping pooled connections to the old broker."""
    app.conf.broker_url = url
    # What Celery itself does after a fork: the pools are rebuilt for the new URL on next use.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """Celery publishing to a broker that refuses connections, as when Redis is stopped."""
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.task_always_eager = False
    _switch_broker(UNREACHABLE_BROKER)
    try:
        yield
    finally:
        app.conf.task_always_eager = saved[1]
        _switch_broker(saved[0])


@pytest.mark.django_db(transaction=True)
def test_message_is_kept_when_the_broker_is_down(broker_down):
    with transaction.atomic():
        enqueue_on_commit(ping)

    message = OutboxMessage.objects.get()
    assert message.sent_at is None
    assert message.attempts == 1
    assert message.last_error


@pytest.mark.django_db(transaction=True)
def test_nothing_is_enqueued_when_the_transaction_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(ping)
        raise RuntimeError("the change failed")

    assert OutboxMessage.objects.count() == 0


@pytest.mark.worker
def test_kept_message_is_delivered_by_the_relay_once_the_broker_is_back(celery_worker):
    _switch_broker(UNREACHABLE_BROKER)
    with transaction.atomic():
        enqueue_on_commit(ping)
    assert OutboxMessage.objects.get().sent_at is None

    _switch_broker(celery_worker.conf.broker_url_for_tests)
    assert relay_pending() == 1
    assert relay_pending() == 0  # sent messages are not sent again

    message = OutboxMessage.objects.get()
    assert message.sent_at is not None
    assert app.AsyncResult(message.task_id).get(timeout=20) == "pong"
