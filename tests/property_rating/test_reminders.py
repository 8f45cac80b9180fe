"""Reminders and notifications for property managers (issue 15.3), with a frozen clock: a report
due in 7 days, in 1 day and overdue is told once each; returned, computed, published, approved
and paid are told to the unit's managers and nobody else."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from governance.notifications.models import Notification
from property_rating import notices, tasks
from property_rating.models import Payout
from property_rating.payouts import payout_approve, payout_mark_paid
from property_rating.reports import report_get_or_create, report_return, report_submit

from .helpers import give_inputs, publish

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return time_machine.travel(datetime.datetime(*args, tzinfo=SH), tick=False)


def kinds(user):
    return sorted(Notification.objects.filter(user=user).values_list("kind", flat=True))


def test_report_reminders_are_sent_7_days_and_1_day_before_and_when_overdue_once_each(
    scheme, unit, manager, other_manager
):
    # Q1 2021 is due 2021-04-15 23:59:59 Beijing time.
    with at(2021, 4, 8, 9):  # 7.6 days before: nothing yet
        tasks.send_report_reminders()
    assert kinds(manager) == []
    with at(2021, 4, 9, 9):
        tasks.send_report_reminders()
        tasks.send_report_reminders()  # the same day again: nothing new
    with at(2021, 4, 10, 9):
        tasks.send_report_reminders()  # still in the 7-day stage: nothing new
    assert kinds(manager) == [notices.REPORT_DUE_7D]
    with at(2021, 4, 15, 9):
        tasks.send_report_reminders()
        tasks.send_report_reminders()
    with at(2021, 4, 16, 9):
        tasks.send_report_reminders()
    with at(2021, 4, 20, 9):
        tasks.send_report_reminders()
    assert kinds(manager) == sorted(
        [notices.REPORT_DUE_7D, notices.REPORT_DUE_1D, notices.REPORT_OVERDUE]
    )
    note = Notification.objects.get(user=manager, kind=notices.REPORT_OVERDUE)
    assert "糖果雅苑" in note.text and "2021-04-15 23:59" in note.text
    # The other company's manager was told of their own unit, never of this one.
    assert not Notification.objects.filter(user=other_manager, text__contains="糖果雅苑").exists()


def test_a_filed_report_gets_no_reminder(scheme, unit, manager):
    with at(2021, 4, 2, 9):
        report_submit(report=report_get_or_create(unit=unit, quarter=1, by=manager), by=manager)
    with at(2021, 4, 15, 9):
        tasks.send_report_reminders()
    with at(2021, 4, 16, 9):
        tasks.send_report_reminders()
    assert kinds(manager) == []


def test_old_overdue_reports_are_not_nagged_about(scheme, unit, manager):
    with at(2021, 6, 1, 9):  # Q1 was due 47 days ago, Q2 is not yet within 7 days
        tasks.send_report_reminders()
    assert kinds(manager) == []


def test_a_returned_report_tells_its_managers_the_reason(
    scheme, unit, manager, assessor, django_capture_on_commit_callbacks
):
    report = report_get_or_create(unit=unit, quarter=1, by=manager)
    report_submit(report=report, by=manager)
    with django_capture_on_commit_callbacks(execute=True):
        report_return(report=report, by=assessor, reason="照片不清晰")
    note = Notification.objects.get(user=manager, kind=notices.REPORT_RETURNED)
    assert "照片不清晰" in note.text and note.link == f"/rating/manager/reports/{report.pk}/"


def test_computed_published_approved_and_paid_are_told_once(
    scheme, unit, manager, staff, staff2, django_capture_on_commit_callbacks
):
    give_inputs(unit, quarters=(95,) * 4, satisfaction=90, inspection=90)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.compute_year.delay(scheme.town_id, 2021, None, staff.pk).get()
        tasks.compute_year.delay(scheme.town_id, 2021, None, staff.pk).get()  # same Q: no repeat
    assert kinds(manager).count(notices.QUARTER_COMPUTED) == 4
    with django_capture_on_commit_callbacks(execute=True):
        publish(scheme.town)
    note = Notification.objects.get(user=manager, kind=notices.RESULTS_PUBLISHED)
    assert "5" in note.text
    payout = Payout.objects.get(unit=unit, quarter=0)
    with django_capture_on_commit_callbacks(execute=True):
        payout_approve(payout=payout, by=staff2)
        payout_mark_paid(payout=payout, by=staff2, reference="BANK-7")
    paid = Notification.objects.get(user=manager, kind=notices.PAYOUT_PAID)
    assert "¥120,000.00" in paid.text and "BANK-7" in paid.text
    assert Notification.objects.filter(user=manager, kind=notices.PAYOUT_APPROVED).count() == 1


def test_reminders_for_many_units_reach_each_manager(scheme, make_unit, manager_for):
    managers = [manager_for(make_unit(f"苑{i}"), username=f"m{i}") for i in range(3)]
    with at(2021, 4, 9, 9):
        told = notices.send_report_reminders()
    assert told[notices.REPORT_DUE_7D] == 3
    assert all(kinds(m) == [notices.REPORT_DUE_7D] for m in managers)
