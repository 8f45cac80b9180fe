"""The daily beat task flags overdue follow-ups to staff, once; escalated proposals are cases
that the hourly case pass moves up (frozen clock)."""

import datetime
import zoneinfo

import pytest
import time_machine

from deliberation import services
from deliberation.factories import ProposalFactory
from deliberation.models import Proposal
from deliberation.schedule import PERIODIC_TASKS
from deliberation.tasks import flag_overdue_task
from governance.notifications.models import Notification

S = Proposal.State
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def test_an_overdue_escalated_proposal_goes_up_by_the_hourly_case_pass(council, staff):
    """Changed with issue 12: escalations are cases, so the daily flag on an Escalation row
    (tests of "flagged once to community staff", "town level to township staff", "answered
    never flagged") gave way to the cases' hourly pass: the case moves up at its missed
    deadline, and an answered one never moves."""
    from deliberation.cases.models import Case
    from deliberation.cases.services import escalate_overdue

    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=TZ), tick=False):
        proposal = ProposalFactory(council=council, state=S.ACCEPTED)
        services.proposal_escalate(proposal=proposal, by=staff, reason="无法解决")
        answered = ProposalFactory(council=council, state=S.ACCEPTED)
        services.proposal_escalate(proposal=answered, by=staff, reason="r")
        services.escalation_answer(
            case=Case.objects.get(proposal=answered), by=staff, answer="ok", settles=False
        )
    case = Case.objects.get(proposal=proposal)
    first = case.assignments.get()
    # Community level: 5 working days after Monday 2 March, i.e. Monday 9 March 23:59:59.
    assert first.reply_due == datetime.datetime(2026, 3, 9, 23, 59, 59, tzinfo=TZ)
    with time_machine.travel(datetime.datetime(2026, 3, 9, 23, 0, tzinfo=TZ), tick=False):
        assert escalate_overdue() == 0
        assert flag_overdue_task() == {"follow_ups": 0}
    with time_machine.travel(datetime.datetime(2026, 3, 10, 7, 30, tzinfo=TZ), tick=False):
        assert escalate_overdue() == 1
        assert escalate_overdue() == 0  # idempotent
    case.refresh_from_db()
    assert case.level == "town"
    assert case.assignments.get(ended_at__isnull=True).assigned_at == first.reply_due
    assert Case.objects.get(proposal=answered).state == "replied"


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
        assert flag_overdue_task() == {"follow_ups": 1}
        assert flag_overdue_task() == {"follow_ups": 0}
    assert Notification.objects.filter(key=f"followup-overdue:{late.pk}", user=staff).exists()


def test_the_beat_schedule_declares_the_daily_task():
    from governance.celery import app

    entry = PERIODIC_TASKS[0]
    assert entry["task"] == "deliberation.flag_overdue"
    assert entry["hour"] != "*"
    assert entry["task"] in app.tasks
