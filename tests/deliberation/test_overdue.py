"""The daily beat task flags overdue escalations and follow-ups to staff, once (frozen clock)."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail

from deliberation import services
from deliberation.factories import ProposalFactory
from deliberation.models import Proposal
from deliberation.schedule import PERIODIC_TASKS
from deliberation.tasks import flag_overdue_task
from governance.notifications.models import Notification

S = Proposal.State
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def test_overdue_escalation_is_flagged_once_to_community_staff(council, staff, town_staff):
    staff.email = "community@example.com"
    staff.save()
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=TZ), tick=False):
        proposal = ProposalFactory(council=council, state=S.ACCEPTED)
        escalation = services.proposal_escalate(proposal=proposal, by=staff, reason="无法解决")
    assert escalation.due_date == datetime.date(2026, 3, 9)

    with time_machine.travel(datetime.datetime(2026, 3, 9, 23, 0, tzinfo=TZ), tick=False):
        assert flag_overdue_task() == {"escalations": 0, "follow_ups": 0}  # due today: not late

    with time_machine.travel(datetime.datetime(2026, 3, 10, 7, 30, tzinfo=TZ), tick=False):
        assert flag_overdue_task() == {"escalations": 1, "follow_ups": 0}
        assert flag_overdue_task() == {"escalations": 0, "follow_ups": 0}  # idempotent
    escalation.refresh_from_db()
    assert escalation.overdue_flagged_at is not None
    notes = Notification.objects.filter(key=f"escalation-overdue:{escalation.pk}")
    assert set(notes.values_list("user", flat=True)) == {staff.pk, town_staff.pk}
    assert [m.to for m in mail.outbox] == [["community@example.com"]]


def test_town_level_overdue_goes_to_township_staff_only(council, staff, town_staff):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=TZ), tick=False):
        proposal = ProposalFactory(council=council, state=S.IMPLEMENTING)
        services.proposal_escalate(proposal=proposal, by=staff, reason="r1")
        town = services.proposal_escalate(proposal=proposal, by=staff, reason="r2")
    assert town.due_date == datetime.date(2026, 3, 17)
    with time_machine.travel(datetime.datetime(2026, 3, 18, 8, 0, tzinfo=TZ), tick=False):
        flag_overdue_task()
    recipients = Notification.objects.filter(key=f"escalation-overdue:{town.pk}")
    assert list(recipients.values_list("user", flat=True)) == [town_staff.pk]


def test_answered_escalation_is_never_flagged(council, staff):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=TZ), tick=False):
        proposal = ProposalFactory(council=council, state=S.ACCEPTED)
        escalation = services.proposal_escalate(proposal=proposal, by=staff, reason="r")
        services.escalation_answer(escalation=escalation, by=staff, answer="ok", settles=False)
    with time_machine.travel(datetime.datetime(2026, 4, 1, 9, 0, tzinfo=TZ), tick=False):
        assert flag_overdue_task()["escalations"] == 0


def test_overdue_follow_up_is_flagged_once(council, staff):
    proposal = ProposalFactory(council=council, state=S.DECIDED, outcome="passed")
    with time_machine.travel(datetime.datetime(2026, 5, 1, 9, 0, tzinfo=TZ), tick=False):
        late = services.followup_add(
            proposal=proposal,
            description="修灯",
            responsible_party="物业",
            due_date=datetime.date(2026, 5, 10),
            by=staff,
        )
        done = services.followup_add(
            proposal=proposal,
            description="清理",
            responsible_party="物业",
            due_date=datetime.date(2026, 5, 3),
            by=staff,
        )
        services.followup_complete(action=done, by=staff)
    with time_machine.travel(datetime.datetime(2026, 5, 11, 9, 0, tzinfo=TZ), tick=False):
        assert flag_overdue_task() == {"escalations": 0, "follow_ups": 1}
        assert flag_overdue_task() == {"escalations": 0, "follow_ups": 0}
    assert Notification.objects.filter(key=f"followup-overdue:{late.pk}", user=staff).exists()


def test_the_beat_schedule_declares_the_daily_task():
    from governance.celery import app

    entry = PERIODIC_TASKS[0]
    assert entry["task"] == "deliberation.flag_overdue"
    assert entry["hour"] != "*"
    assert entry["task"] in app.tasks
