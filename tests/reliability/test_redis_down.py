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
from deliberation.models import Proposal, ProposalTransition
from governance.celery import ping
from governance.models import OutboxMessage
from governance.notifications.models import Notification
from governance.tasks import enqueue_on_commit

from .conftest import wait_for

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
    """A resident's proposals through the portal and the API (with a photo) and a staff
    member's acceptance, all with Redis down: each is stored and answered with success; once
    Redis is back the relay hands their notifications to a real worker, which delivers them."""
    from rest_framework.test import APIClient

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
    elapsed_portal = time.monotonic() - started
    assert response.status_code == 302, response.content[:2000]
    proposal = Proposal.objects.get(council=council)
    assert proposal.state == Proposal.State.SUBMITTED

    api = APIClient()
    api.force_authenticate(resident)
    started = time.monotonic()
    created = api.post(
        "/api/v1/proposals/",
        {
            "title": "楼道灯不亮",
            "description": "2栋楼道灯坏了。",
            "category": "other",
            "photos": [png_upload()],
        },
        format="multipart",
    )
    elapsed_api = time.monotonic() - started
    assert created.status_code == 201, created.content[:2000]
    assert Proposal.objects.get(pk=created.json()["id"]).attachments.count() == 1

    client.force_login(staff)
    started = time.monotonic()
    response = client.post(
        reverse("deliberation:manage-proposal-action", args=[proposal.pk]),
        {"action": "accept", "reason": "列入议事"},
    )
    elapsed_accept = time.monotonic() - started
    assert response.status_code == 302, response.content[:2000]
    print(
        f"\n[redis down] proposal answered in {elapsed_portal * 1000:.0f} ms (portal), "
        f"{elapsed_api * 1000:.0f} ms (API), acceptance in {elapsed_accept * 1000:.0f} ms"
    )
    assert max(elapsed_portal, elapsed_api, elapsed_accept) < ANSWER_BOUND_S

    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.ACCEPTED
    unsent = OutboxMessage.objects.filter(sent_at__isnull=True)
    assert unsent.count() == 3  # one notification task per transition, kept
    assert not Notification.objects.exists()

    private_redis.start()
    start_worker()
    assert relay_through_worker(rel_celery) == 3
    accepted = ProposalTransition.objects.get(proposal=proposal, to_state=Proposal.State.ACCEPTED)

    def delivered():
        return Notification.objects.filter(user=resident, key=f"transition:{accepted.pk}").first()

    note = wait_for(delivered, timeout=30, what="the worker to deliver the notification")
    assert note.text
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def png_upload(name: str = "photo.png"):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_report_submitted_and_computation_started_while_redis_is_down(
    client, private_redis, rel_celery, start_worker
):
    """A manager files and submits a quarterly report with evidence through the API, and staff
    start the year's computation from the admin, all with Redis down: the report is stored and
    answered, the computation is queued; once Redis is back a real worker computes it."""
    from rest_framework.test import APIClient

    from communities.factories import PropertyManagerFactory, TownshipStaffFactory
    from property_rating.models import (
        AnnualResult,
        AssessmentUnit,
        ComputationRun,
        Evidence,
        QuarterlyReport,
        Scheme,
    )
    from tests.builders import bulk_town

    town = bulk_town(5)
    unit = AssessmentUnit.objects.filter(town=town).order_by("pk").first()
    manager = PropertyManagerFactory(company=unit.company)
    staff = TownshipStaffFactory(town=town)
    scheme = Scheme.objects.get(town=town)
    private_redis.stop()

    api = APIClient()
    api.force_authenticate(manager)
    started = time.monotonic()
    created = api.post(
        "/api/v1/reports/",
        {"unit": unit.pk, "quarter": 1, "items": [{"code": "T1", "description": "联合执法3次"}]},
        format="json",
    )
    assert created.status_code == 201, created.content[:1000]
    report_id = created.json()["id"]
    evidence = api.post(
        f"/api/v1/reports/{report_id}/evidence/",
        {"item": "T1", "files": [png_upload()]},
        format="multipart",
    )
    assert evidence.status_code == 201, evidence.content[:1000]
    submitted = api.post(f"/api/v1/reports/{report_id}/submit/")
    assert submitted.status_code == 200, submitted.content[:1000]
    elapsed_report = time.monotonic() - started

    client.force_login(staff)
    started = time.monotonic()
    response = client.post(
        "/admin/property_rating/scheme/",
        {"action": "start_annual", "_selected_action": [scheme.pk]},
    )
    elapsed_start = time.monotonic() - started
    assert response.status_code == 302
    print(
        f"\n[redis down] report create+evidence+submit answered in "
        f"{elapsed_report * 1000:.0f} ms, computation start in {elapsed_start * 1000:.0f} ms"
    )
    assert elapsed_report < 3 * ANSWER_BOUND_S and elapsed_start < ANSWER_BOUND_S

    report = QuarterlyReport.objects.get(pk=report_id)
    assert report.status == QuarterlyReport.Status.SUBMITTED
    assert Evidence.objects.filter(item__report=report).count() == 1
    run = ComputationRun.objects.get(town=town)
    assert run.status == ComputationRun.Status.QUEUED
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 1

    private_redis.start()
    start_worker()
    assert relay_through_worker(rel_celery) == 1

    def finished():
        run.refresh_from_db()
        return run.status == ComputationRun.Status.SUCCEEDED

    wait_for(finished, timeout=60, what="the worker to compute the year")
    assert AnnualResult.objects.filter(unit__town=town).count() == 5


@pytest.fixture
def cache_on_private_redis(private_redis, settings):
    """The production cache configuration (base settings), pointed at the private Redis: the
    throttles and the public ratings cache read and write it."""
    from django.core.cache import cache

    from governance.settings import base

    backend = base.CACHES["default"]["BACKEND"] if base.REDIS_URL else None
    if backend is None:
        pytest.skip("REDIS_URL is not set: production settings use no Redis cache")
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": private_redis.url(3)}}
    cache.set("probe", 1)
    assert cache.get("probe") == 1  # really on the private Redis while it runs
    return private_redis


def test_api_answers_and_stores_submissions_while_the_cache_redis_is_down(
    cache_on_private_redis, caplog
):
    """Item 3 of issue 10: the throttles read the Redis cache; with it down every DRF request
    answered 500. Now an anonymous read, a resident's proposal and a manager's report are
    answered and stored, with a warning in the log."""
    import logging

    from rest_framework.test import APIClient

    from communities.factories import PropertyManagerFactory
    from property_rating.models import AssessmentUnit, QuarterlyReport
    from tests.builders import bulk_town as build_town

    estate = EstateFactory()
    CouncilFactory(estate=estate)
    resident = resident_of(estate)
    town = build_town(2)
    unit = AssessmentUnit.objects.filter(town=town).order_by("pk").first()
    manager = PropertyManagerFactory(company=unit.company)
    cache_on_private_redis.stop()
    caplog.set_level(logging.WARNING, logger="governance.cache")

    started = time.monotonic()
    anonymous = APIClient().get("/api/v1/ratings/")
    assert anonymous.status_code == 200, anonymous.content[:1000]

    api = APIClient()
    api.force_authenticate(resident)
    created = api.post(
        "/api/v1/proposals/",
        {"title": "楼道灯不亮", "description": "2栋楼道灯坏了。", "category": "other"},
        format="json",
    )
    assert created.status_code == 201, created.content[:1000]
    assert Proposal.objects.filter(pk=created.json()["id"], estate=estate).exists()

    api = APIClient()
    api.force_authenticate(manager)
    report = api.post("/api/v1/reports/", {"unit": unit.pk, "quarter": 1}, format="json")
    assert report.status_code == 201, report.content[:1000]
    assert QuarterlyReport.objects.filter(pk=report.json()["id"], unit=unit).exists()
    elapsed = time.monotonic() - started
    print(f"\n[cache redis down] three API requests answered in {elapsed * 1000:.0f} ms")
    assert elapsed < ANSWER_BOUND_S

    warnings = [r for r in caplog.records if r.name == "governance.cache"]
    assert warnings and all(r.levelno == logging.WARNING for r in warnings)
    assert "Cache unavailable" in warnings[0].getMessage()


def test_the_cache_is_used_again_once_redis_returns(cache_on_private_redis, caplog):
    from django.core.cache import cache

    cache_on_private_redis.stop()
    assert cache.get("probe", "missed") == "missed"
    cache.set("after", 1)  # skipped, not raised
    cache_on_private_redis.start()
    cache._down_until = 0.0  # skip the rest of the short outage window rather than wait it out
    cache.set("after", 2)
    assert cache.get("after") == 2
