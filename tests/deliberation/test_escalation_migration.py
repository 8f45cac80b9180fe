"""Existing escalations become cases (deliberation 0007): one case per escalated proposal, the
community escalation an assignment with its old due date as the reply deadline, an answer a
reply, the town joint meeting escalation the case on the meeting's agenda."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("deliberation", "0006_problem_estates_from_cases"),
    ("communities", "0006_role_grant_department_staff"),
]
AFTER = [("deliberation", "0007_escalations_become_cases")]
UTC = datetime.UTC


@pytest.mark.django_db(transaction=True)
def test_every_escalation_becomes_a_case_linked_to_its_proposal():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User = old.get_model("communities", "User")
    staff = User.objects.create(username="staff-m")
    proposer = User.objects.create(username="proposer-m")
    town = old.get_model("communities", "Town").objects.create(name="迁移镇")
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

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
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

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
