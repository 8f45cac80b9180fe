"""Per-user notification preferences and the daily digest e-mail (issue 15.3)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from communities.factories import PropertyManagerFactory
from governance.notifications import notify
from governance.notifications.models import Notification, NotificationPreference
from governance.notifications.preferences import send_daily_digests

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def user(db):
    return PropertyManagerFactory(username="m1", email="m1@example.com")


def test_a_user_turns_off_e_mail_for_one_kind_and_keeps_the_inbox(client, user):
    client.force_login(user)
    page = client.get("/notifications/preferences/").content.decode()
    assert "报告 7 天后截止" in page or "Report due in 7 days" in page
    checked = [
        "email:rating.report_overdue",
        "email:deliberation.transition",
    ]
    client.post("/notifications/preferences/", {"on": checked})
    assert (
        NotificationPreference.objects.get(
            user=user, channel="email", kind="rating.report_due_7d"
        ).enabled
        is False
    )
    mail.outbox.clear()
    notify([user], kind="rating.report_due_7d", key="a", text="due soon")
    notify([user], kind="rating.report_overdue", key="b", text="overdue")
    assert [m.subject for m in mail.outbox] == [mail.outbox[0].subject]
    assert "overdue" in mail.outbox[0].subject
    assert Notification.objects.filter(user=user).count() == 2  # both in the inbox


def test_the_daily_digest_is_sent_once_per_user_and_day_to_those_who_opted_in(client, user):
    other = PropertyManagerFactory(username="m2", email="m2@example.com")
    client.force_login(user)
    client.post("/notifications/preferences/", {"digest": "yes"})
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, tzinfo=SH), tick=False):
        notify([user, other], kind="rating.report_due_7d", key="a", text="due soon")
        notify([user, other], kind="rating.report_overdue", key="b", text="overdue")
    mail.outbox.clear()
    with time_machine.travel(datetime.datetime(2026, 12, 2, 7, tzinfo=SH), tick=False):
        assert send_daily_digests() == 1
        assert send_daily_digests() == 0  # a rerun the same day sends nothing
    assert [m.to for m in mail.outbox] == [["m1@example.com"]]
    assert "due soon" in mail.outbox[0].body and "overdue" in mail.outbox[0].body
