"""Notifications survive hostile titles and failing channels (issue 10, item 7), and are delivered
through governance's shared channels with per-user preferences (issue 11, item 4)."""

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from rest_framework.test import APIClient

from deliberation import services
from deliberation.factories import resident_of
from deliberation.models import Proposal
from deliberation.notifications import TRANSITION, notify_transition
from governance.notifications import retry_failed_deliveries
from governance.notifications.models import Delivery, Notification, NotificationPreference

pytestmark = pytest.mark.django_db

HOSTILE = "a\nBcc: x@example.com"


def test_the_api_refuses_a_title_with_a_line_break(council, resident):
    api = APIClient()
    api.force_authenticate(resident)
    response = api.post("/api/v1/proposals/", {"title": HOSTILE, "description": "d"}, format="json")
    assert response.status_code == 400, response.content
    assert "title" in response.json()
    assert not Proposal.objects.exists()


def test_the_portal_form_refuses_a_title_with_a_line_break(client, council, resident):
    client.force_login(resident)
    response = client.post(
        reverse("deliberation:proposal-create"),
        {"title": "a\r\nBcc: x@example.com", "description": "d", "category": "other"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert response.context["form"].errors["title"]
    assert not Proposal.objects.exists()


def test_the_admin_refuses_a_title_with_a_line_break(client, council, resident):
    proposal = services.proposal_create(user=resident, title="路灯不亮", description="d")
    client.force_login(_superuser())
    response = client.post(
        reverse("admin:deliberation_proposal_change", args=[proposal.pk]),
        {
            "title": HOSTILE,
            "description": "d",
            "category": "other",
            **_empty_inlines(),
        },
    )
    assert response.status_code == 200
    assert "title" in response.context["adminform"].form.errors
    proposal.refresh_from_db()
    assert proposal.title == "路灯不亮"


def test_a_problem_spanning_lines_becomes_a_one_line_title(council):
    proposal = services.proposal_from_problem(
        estate=council.estate,
        title="楼道灯坏了\nBcc: x@example.com",
        description="d",
        raised_by=None,
    )
    assert proposal.title == "楼道灯坏了 Bcc: x@example.com"


def test_a_stored_multiline_title_still_notifies_every_follower_with_a_safe_subject(
    council, staff, resident, neighbours
):
    proposal = services.proposal_create(user=resident, title="t", description="d")
    for neighbour in neighbours[:3]:
        neighbour.email = f"{neighbour.username}@example.com"
        neighbour.save()
        services.proposal_follow(proposal=proposal, user=neighbour)
    # A row stored before titles were validated.
    Proposal.objects.filter(pk=proposal.pk).update(title=HOSTILE)
    mail.outbox.clear()
    transition = services.proposal_accept(proposal=proposal, by=staff).transitions.last()
    notify_transition(transition.pk)

    told = set(
        Notification.objects.filter(key=f"transition:{transition.pk}").values_list(
            "user_id", flat=True
        )
    )
    assert told == {resident.pk, *(n.pk for n in neighbours[:3])}
    assert mail.outbox
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        assert message.bcc == []
        assert "x@example.com" not in message.recipients()


class FailsForOneAddress(EmailBackend):
    def send_messages(self, messages):
        for message in messages:
            if "broken@example.com" in message.to:
                raise ConnectionRefusedError("mail server refused")
        return super().send_messages(messages)


def test_one_recipients_failed_email_does_not_stop_the_others_and_is_retried(
    settings, council, staff, resident, neighbours
):
    settings.EMAIL_BACKEND = "tests.deliberation.test_notifications.FailsForOneAddress"
    proposal = services.proposal_create(user=resident, title="t", description="d")
    broken, fine = neighbours[0], neighbours[1]
    broken.email, fine.email = "broken@example.com", "fine@example.com"
    for user in (broken, fine):
        user.save()
        services.proposal_follow(proposal=proposal, user=user)
    mail.outbox.clear()
    transition = services.proposal_accept(proposal=proposal, by=staff).transitions.last()
    notify_transition(transition.pk)

    assert Notification.objects.filter(key=f"transition:{transition.pk}", user=fine).exists()
    assert Notification.objects.filter(key=f"transition:{transition.pk}", user=broken).exists()
    assert any("fine@example.com" in m.to for m in mail.outbox)
    failed = Delivery.objects.get(notification__user=broken, channel="email")
    assert failed.delivered_at is None and "refused" in failed.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert retry_failed_deliveries() == 1
    assert any("broken@example.com" in m.to for m in mail.outbox)
    assert retry_failed_deliveries() == 0  # delivered once, never again


def test_a_user_who_turned_email_off_gets_the_inbox_entry_only(council, staff, resident):
    resident.email = "proposer@example.com"
    resident.save()
    NotificationPreference.objects.create(
        user=resident, channel="email", kind=TRANSITION, enabled=False
    )
    proposal = services.proposal_create(user=resident, title="t", description="d")
    mail.outbox.clear()
    transition = services.proposal_accept(proposal=proposal, by=staff).transitions.last()
    notify_transition(transition.pk)
    assert Notification.objects.filter(user=resident, kind=TRANSITION).exists()
    assert not [m for m in mail.outbox if "proposer@example.com" in m.to]


def test_the_inbox_shows_notifications_of_any_app(client, council):
    from governance.notifications import notify

    user = resident_of(council.estate)
    notify([user], kind="property_rating.reminder", key="reminder:1", text="请提交季度报告")
    client.force_login(user)
    page = client.get(reverse("deliberation:inbox")).content.decode()
    assert "请提交季度报告" in page


def _superuser():
    from communities.models import User

    return User.objects.create_superuser("root", "root@example.com", "x")


def _empty_inlines():
    prefixes = ["transitions", "supports", "attachments", "follow_ups", "escalations"]
    data = {}
    for prefix in prefixes:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


def test_only_a_superuser_reads_inboxes_in_the_admin(client, council, staff):
    url = reverse("admin:governance_notification_changelist")
    client.force_login(staff)
    assert client.get(url).status_code == 403
    client.force_login(_superuser())
    assert client.get(url).status_code == 200
