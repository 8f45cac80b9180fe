"""Data migrations keep what was recorded: each test migrates the database back to the state
before one data migration, writes rows with the models of that state, migrates forward and reads
them with the new models.

Migrating is slow (the custom user model relates to most models, so every operation re-renders
them: about a minute from an empty database), so the tests share one walk through the history:
a module-scoped `walk` moves the database only as far as the next test needs, in history order
(back once, then forward), on one xdist worker (`--dist loadscope`), and leaves it at the
latest state, emptied, for the tests after it. Each test still stands alone: run by itself, its
`walk.to(...)` migrates back as far as it needs. Rows of one test stay in the database for the
next, so each test reads back only its own rows."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

UTC = datetime.UTC


class Walk:
    """Moves the test database through its migration history."""

    def to(self, targets):
        """Migrate to `targets` (forward or back) and return the models of that state."""
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    def to_latest(self):
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture(scope="module")
def walk(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        walk = Walk()
        try:
            yield walk
        finally:
            walk.to_latest()
            call_command("flush", interactive=False, verbosity=0)


# 1. deliberation 0002: notifications move to governance. communities stays at a state whose user
# model matches the table.
def test_existing_notifications_and_titles_survive_the_move(walk):
    BEFORE = [
        ("deliberation", "0001_initial"),
        ("governance", "0002_auditevent"),
        ("communities", "0006_role_grant_department_staff"),
    ]
    AFTER = [("deliberation", "0002_notifications_moved_to_governance")]
    old = walk.to(BEFORE)
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
    town = old.get_model("communities", "Town").objects.create(name="通知迁移镇")
    community = old.get_model("communities", "Community").objects.create(town=town, name="社区")
    estate = old.get_model("communities", "Estate").objects.create(community=community, name="小区")
    council = old.get_model("deliberation", "Council").objects.create(estate=estate)
    multiline = old.get_model("deliberation", "Proposal").objects.create(
        estate=estate, council=council, title="a\nBcc: x@example.com", description="d"
    )

    new = walk.to(AFTER)
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


# 2. deliberation 0007: existing escalations become cases, one per escalated proposal: the
# community escalation an assignment with its old due date as the reply deadline, an answer a
# reply, the town joint meeting escalation the case on the meeting's agenda.
def test_every_escalation_becomes_a_case_linked_to_its_proposal(walk):
    BEFORE = [
        ("deliberation", "0006_problem_estates_from_cases"),
        ("communities", "0006_role_grant_department_staff"),
    ]
    AFTER = [("deliberation", "0007_escalations_become_cases")]
    old = walk.to(BEFORE)
    User = old.get_model("communities", "User")
    staff = User.objects.create(username="staff-m")
    proposer = User.objects.create(username="proposer-m")
    town = old.get_model("communities", "Town").objects.create(name="升级迁移镇")
    community = old.get_model("communities", "Community").objects.create(town=town, name="社区")
    estate = old.get_model("communities", "Estate").objects.create(community=community, name="小区")
    council = old.get_model("deliberation", "Council").objects.create(estate=estate)
    Proposal = old.get_model("deliberation", "Proposal")
    Escalation = old.get_model("deliberation", "Escalation")
    open_one = Proposal.objects.create(estate=estate, council=council, proposer=proposer,
                                       title="噪音", description="d", state="escalated")  # fmt: skip
    climbed = Proposal.objects.create(estate=estate, council=council, proposer=proposer,
                                      title="积水", description="d", state="escalated")  # fmt: skip
    at = datetime.datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    Escalation.objects.create(proposal=open_one, level="community", reason="无法协调",
                              due_date=datetime.date(2026, 3, 9), raised_by=staff, raised_at=at)  # fmt: skip
    Escalation.objects.create(
        proposal=climbed, level="community", reason="r1", due_date=datetime.date(2026, 3, 9),
        raised_by=staff, raised_at=at, answer="转镇联席会议", answered_by=staff,
        answered_at=at + datetime.timedelta(days=3),
    )  # fmt: skip
    Escalation.objects.create(
        proposal=climbed, level="town_joint_meeting", reason="r2", department="住建办",
        due_date=datetime.date(2026, 3, 20), raised_by=staff,
        raised_at=at + datetime.timedelta(days=3), answer="已排水改造", settled=True,
        answered_by=staff, answered_at=at + datetime.timedelta(days=10),
    )  # fmt: skip

    new = walk.to(AFTER)
    Case = new.get_model("deliberation", "Case")
    first = Case.objects.get(proposal_id=open_one.pk)
    assert (first.state, first.level, first.source, first.reporter_id) == (
        "assigned", "community", "proposal", proposer.pk,
    )  # fmt: skip
    assignment = first.assignments.get()
    assert assignment.community_id == community.pk and assignment.ended_at is None
    assert assignment.reply_due.date() == datetime.date(2026, 3, 9)
    second = Case.objects.get(proposal_id=climbed.pk)
    assert (second.state, second.level, second.close_reason) == (
        "closed",
        "joint_meeting",
        "meeting",
    )
    ended = second.assignments.get()
    assert (ended.end, ended.ended_at) == ("escalated", at + datetime.timedelta(days=3))
    kinds = list(second.events.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == ["received", "assigned", "escalated", "meeting_decision"]
    assert "deliberation_escalation" not in connection.introspection.table_names()


# 3. communities 0007: existing towns move into the region tree, Lishui under Foshan > Nanhai.
def test_existing_towns_move_into_the_tree_with_lishui_under_foshan_nanhai(walk):
    BEFORE = [("communities", "0006_role_grant_department_staff")]
    AFTER = [("communities", "0007_regions")]
    old = walk.to(BEFORE)
    OldTown = old.get_model("communities", "Town")
    OldTown.objects.create(name="里水镇", district="")
    OldTown.objects.create(name="大沥镇", district="南海区")
    OldTown.objects.create(name="龙江镇", district="顺德区")
    OldTown.objects.create(name="无区镇", district="")
    new = walk.to(AFTER)
    NewTown = new.get_model("communities", "Town")
    places = {
        t.name: (t.district.name if t.district else None,
                 t.district.city.name if t.district and t.district.city else None)
        for t in NewTown.objects.filter(name__in=["里水镇", "大沥镇", "龙江镇", "无区镇"])
        .select_related("district__city")
    }  # fmt: skip
    assert places == {
        "里水镇": ("南海区", "佛山市"),
        "大沥镇": ("南海区", "佛山市"),
        "龙江镇": ("顺德区", None),
        "无区镇": (None, None),
    }
