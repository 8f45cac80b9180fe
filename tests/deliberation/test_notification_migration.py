"""Moving notifications to governance keeps every inbox row, its read time and its e-mail record,
and makes stored multi-line titles one line (deliberation 0002)."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# communities stays at its latest state (its user model must match the table).
BEFORE = [
    ("deliberation", "0001_initial"),
    ("governance", "0002_auditevent"),
    ("communities", "0006_role_grant_department_staff"),
]
AFTER = [("deliberation", "0002_notifications_moved_to_governance")]


@pytest.mark.django_db(transaction=True)
def test_existing_notifications_and_titles_survive_the_move():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User = old.get_model("communities", "User")
    OldNotification = old.get_model("deliberation", "Notification")
    user = User.objects.create(username="resident-m", email="m@example.com")
    at = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC)
    OldNotification.objects.create(
        user=user,
        key="transition:7",
        text="「路灯」 is now accepted.",
        link="/x/",
        created_at=at,
        read_at=at,
        emailed_at=at,
    )
    OldNotification.objects.create(user=user, key="followup-overdue:3", text="late", created_at=at)
    town = old.get_model("communities", "Town").objects.create(name="迁移镇")
    community = old.get_model("communities", "Community").objects.create(town=town, name="社区")
    estate = old.get_model("communities", "Estate").objects.create(community=community, name="小区")
    council = old.get_model("deliberation", "Council").objects.create(estate=estate)
    multiline = old.get_model("deliberation", "Proposal").objects.create(
        estate=estate, council=council, title="a\nBcc: x@example.com", description="d"
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Notification = new.get_model("governance", "Notification")
    notes = {n.key: n for n in Notification.objects.filter(user_id=user.pk)}
    assert set(notes) == {"transition:7", "followup-overdue:3"}
    moved = notes["transition:7"]
    assert (moved.text, moved.link, moved.read_at, moved.created_at) == (
        "「路灯」 is now accepted.",
        "/x/",
        at,
        at,
    )
    assert moved.kind == "deliberation.transition"
    delivery = moved.deliveries.get()
    assert (delivery.channel, delivery.delivered_at) == ("email", at)
    assert not notes["followup-overdue:3"].deliveries.exists()
    NewProposal = new.get_model("deliberation", "Proposal")
    assert NewProposal.objects.get(pk=multiline.pk).title == "a Bcc: x@example.com"
    # The old table is gone.
    assert "deliberation_notification" not in connection.introspection.table_names()

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
