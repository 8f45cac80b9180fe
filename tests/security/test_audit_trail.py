"""The audit trail: what is recorded, that nobody can edit or delete it, and its retention."""

import datetime

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from communities.factories import EstateFactory, ResidentFactory
from governance.models import AuditEvent
from governance.security import audit
from governance.tasks import prune_audit_events

from .conftest import PASSWORD, login

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's"
)


def test_successful_login_is_recorded_with_who_when_and_where(client, resident):
    login(client, "resident1", REMOTE_ADDR="192.0.2.7")
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert event.actor == resident
    assert event.actor_username == "resident1"
    assert event.ip == "192.0.2.7"
    assert abs(event.at - timezone.now()) < datetime.timedelta(minutes=1)


def test_failed_login_is_recorded_without_the_password(client, resident):
    login(client, "resident1", "Tr0ub4dor&3")
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert event.actor is None
    assert event.actor_username == "resident1"
    assert "Tr0ub4dor" not in str(event.details) + event.summary


def test_logout_is_recorded(client, resident):
    login(client, "resident1")
    client.post("/accounts/logout/")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGOUT, actor=resident).exists()


def test_signed_in_user_refused_an_object_is_recorded(client, resident):
    client.force_login(resident)
    assert client.get("/admin/overview/").status_code == 403
    assert client.get("/api/v1/estates/999999/").status_code == 404
    denials = AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_DENIED, actor=resident)
    assert {event.details["status"] for event in denials} == {403, 404}
    assert denials.filter(object_id="", summary="GET /api/v1/estates/999999/").exists()


def test_anonymous_404s_are_not_recorded(client, db):
    client.get("/api/v1/estates/999999/")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_DENIED).exists()


def test_record_names_the_object_and_keeps_details(township_staff):
    estate = EstateFactory()
    event = audit.record(
        audit.Action.PUBLICATION_CHANGED,
        actor=township_staff,
        obj=estate,
        summary="published",
        details={"year": 2021},
    )
    assert (event.object_type, event.object_id) == ("communities.estate", str(estate.pk))
    assert event.details == {"year": 2021}


def test_admin_lists_the_trail_read_only_even_for_superusers(client, township_staff):
    event = audit.record(audit.Action.OTHER, actor=township_staff, summary="x")
    superuser = ResidentFactory(username="root", is_superuser=True, is_staff=True)
    for user in (township_staff, superuser):
        client.force_login(user)
        assert client.get("/admin/governance/auditevent/").status_code == 200
        page = client.get(f"/admin/governance/auditevent/{event.pk}/change/")
        assert page.status_code == 200
        assert b'name="_save"' not in page.content
        assert client.get("/admin/governance/auditevent/add/").status_code == 403
        assert client.get(f"/admin/governance/auditevent/{event.pk}/delete/").status_code == 403
        client.post(f"/admin/governance/auditevent/{event.pk}/change/", {"summary": "edited"})
        client.post(
            "/admin/governance/auditevent/",
            {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
        )
    event.refresh_from_db()
    assert event.summary == "x"


def test_community_staff_cannot_read_the_trail(client, community_staff):
    client.force_login(community_staff)
    assert client.get("/admin/governance/auditevent/").status_code == 403


@postgres_only
def test_raw_update_of_an_event_is_rejected_by_the_database(township_staff):
    event = audit.record(audit.Action.OTHER, actor=township_staff, summary="original")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE governance_auditevent SET summary = 'rewritten' WHERE id = %s", [event.pk]
        )
    event.refresh_from_db()
    assert event.summary == "original"


@postgres_only
def test_raw_delete_is_rejected_even_for_old_events(township_staff):
    old = audit.record(
        audit.Action.OTHER, actor=township_staff, at=timezone.now() - datetime.timedelta(days=900)
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=old.pk).delete()
    assert AuditEvent.objects.filter(pk=old.pk).exists()


@postgres_only
def test_the_prune_flag_does_not_unlock_events_younger_than_180_days(township_staff):
    young = audit.record(
        audit.Action.OTHER, actor=township_staff, at=timezone.now() - datetime.timedelta(days=179)
    )
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT set_config('governance.audit_prune', 'on', true)")
        cursor.execute("DELETE FROM governance_auditevent WHERE id = %s", [young.pk])
    assert AuditEvent.objects.filter(pk=young.pk).exists()


def test_prune_deletes_only_events_past_retention(township_staff, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    now = timezone.now()
    kept = [
        audit.record(audit.Action.OTHER, actor=township_staff, at=now - datetime.timedelta(days=d))
        for d in (0, 180, 364)
    ]
    gone = [
        audit.record(audit.Action.OTHER, actor=township_staff, at=now - datetime.timedelta(days=d))
        for d in (366, 800)
    ]
    assert prune_audit_events.delay().get() == 2
    assert set(AuditEvent.objects.values_list("pk", flat=True)) == {e.pk for e in kept}
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in gone]).exists()
    # Running it again finds nothing more to do.
    assert prune_audit_events.delay().get() == 0


def test_retention_under_180_days_is_refused(settings, township_staff):
    audit.record(
        audit.Action.OTHER, actor=township_staff, at=timezone.now() - datetime.timedelta(days=200)
    )
    settings.AUDIT_RETENTION_DAYS = 90
    with pytest.raises(ImproperlyConfigured):
        audit.prune()
    assert AuditEvent.objects.count() == 1
    assert any(message.id == "governance.E001" for message in run_checks())


def test_prune_is_scheduled():
    from governance.schedule import PERIODIC_TASKS

    tasks = {entry["task"] for entry in PERIODIC_TASKS}
    assert {"governance.prune_audit_events", "governance.anonymise_departed_residents"} <= tasks


def test_login_password_never_reaches_the_audit_trail(client, resident):
    login(client, "resident1", PASSWORD)
    login(client, "resident1", "wrong-" + PASSWORD)
    for event in AuditEvent.objects.all():
        assert PASSWORD not in f"{event.summary} {event.details} {event.actor_username}"


def test_proposal_state_changes_are_recorded_with_who_and_which_move(resident_setup):
    from communities.factories import CommunityStaffFactory
    from deliberation.services import proposal_accept, proposal_create

    proposal = proposal_create(
        user=resident_setup, title="路灯", description="请维修", category="other"
    )
    staff = CommunityStaffFactory(community=proposal.estate.community)
    proposal_accept(proposal=proposal, by=staff, reason="ok")
    events = AuditEvent.objects.filter(
        action=AuditEvent.Action.PROPOSAL_STATE_CHANGED,
        object_type="deliberation.proposal",
        object_id=str(proposal.pk),
    ).order_by("pk")
    moves = [(e.details["from"], e.details["to"], e.actor_id) for e in events]
    assert ("submitted", "accepted", staff.pk) in moves
    assert moves[0][2] == resident_setup.pk
