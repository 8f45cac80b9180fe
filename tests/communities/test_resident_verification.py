"""A resident asks to be verified to a household; community staff approve or reject (with a
reason) in the portal queue or the admin; other communities' staff cannot decide."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from communities.factories import (
    BuildingFactory,
    CommunityStaffFactory,
    EstateFactory,
    HouseholdFactory,
    ResidentFactory,
)
from communities.models import ResidentVerification

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(two_communities):
    estate = EstateFactory(community=two_communities[0], name="糖果雅苑")
    return HouseholdFactory(building=BuildingFactory(estate=estate, name="1栋"), room="101")


@pytest.fixture
def resident(db):
    return ResidentFactory(username="resident")


def request_verification(client, resident, household):
    client.force_login(resident)
    return client.post(
        reverse("verification-request"),
        {
            "resident_name": "王小明",
            "estate": household.building.estate_id,
            "building": "1栋",
            "room": "101",
            "note": "业主本人",
            "relation": "tenant",
        },
    )


@pytest.fixture
def pending(client, resident, household):
    response = request_verification(client, resident, household)
    assert response.status_code == 302
    client.logout()
    return ResidentVerification.objects.get(user=resident)


def test_resident_request_is_pending_for_the_named_household(pending, household):
    assert pending.status == ResidentVerification.Status.PENDING
    assert pending.household == household
    assert pending.resident_name == "王小明"
    assert pending.user.verified_household is None


def test_request_for_unknown_room_is_refused(client, resident, household):
    client.force_login(resident)
    response = client.post(
        reverse("verification-request"),
        {
            "resident_name": "王小明",
            "estate": household.building.estate_id,
            "building": "1栋",
            "room": "999",
        },
    )
    assert response.status_code == 200
    assert not ResidentVerification.objects.exists()


def test_second_request_while_one_is_pending_is_refused(client, pending, resident, household):
    response = request_verification(client, resident, household)
    assert response.status_code == 200
    assert ResidentVerification.objects.filter(user=resident).count() == 1


def test_community_staff_approve_in_the_portal_queue(client, pending, community_staff, resident):
    client.force_login(community_staff)
    queue = client.get(reverse("verification-queue"))
    assert "王小明" in queue.content.decode()
    response = client.post(reverse("verification-decide", args=[pending.pk]), {"approve": "1"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == ResidentVerification.Status.APPROVED
    assert pending.decided_by == community_staff and pending.decided_at
    resident.refresh_from_db()
    assert resident.verified_household == pending.household


def test_rejecting_without_a_reason_is_refused(client, pending, community_staff):
    client.force_login(community_staff)
    client.post(reverse("verification-decide", args=[pending.pk]), {"approve": "0", "reason": " "})
    pending.refresh_from_db()
    assert pending.status == ResidentVerification.Status.PENDING


def test_rejecting_with_a_reason_records_it(client, pending, community_staff):
    client.force_login(community_staff)
    client.post(
        reverse("verification-decide", args=[pending.pk]),
        {"approve": "0", "reason": "房号与登记不符"},
    )
    pending.refresh_from_db()
    assert pending.status == ResidentVerification.Status.REJECTED
    assert pending.reason == "房号与登记不符"
    assert pending.history.first().history_change_reason == "房号与登记不符"


def test_other_community_staff_get_404_in_the_portal(client, pending, two_communities):
    outsider = CommunityStaffFactory(community=two_communities[1])
    client.force_login(outsider)
    assert "王小明" not in client.get(reverse("verification-queue")).content.decode()
    response = client.post(reverse("verification-decide", args=[pending.pk]), {"approve": "1"})
    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.status == ResidentVerification.Status.PENDING


CHANGELIST = "admin:communities_residentverification_changelist"


def test_admin_approve_action(client, pending, community_staff):
    client.force_login(community_staff)
    response = client.post(
        reverse(CHANGELIST), {"action": "approve_selected", ACTION_CHECKBOX_NAME: [pending.pk]}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == ResidentVerification.Status.APPROVED
    assert pending.decided_by == community_staff


def test_admin_reject_action_asks_for_a_reason_first(client, pending, community_staff):
    client.force_login(community_staff)
    data = {"action": "reject_selected", ACTION_CHECKBOX_NAME: [pending.pk]}
    page = client.post(reverse(CHANGELIST), data)
    assert page.status_code == 200
    assert "reason" in page.context["form"].fields
    pending.refresh_from_db()
    assert pending.status == ResidentVerification.Status.PENDING

    empty = client.post(reverse(CHANGELIST), {**data, "confirm": "yes", "reason": ""})
    assert empty.status_code == 200 and empty.context["form"].errors
    pending.refresh_from_db()
    assert pending.status == ResidentVerification.Status.PENDING

    done = client.post(reverse(CHANGELIST), {**data, "confirm": "yes", "reason": "非本小区业主"})
    assert done.status_code == 302
    pending.refresh_from_db()
    assert pending.status == ResidentVerification.Status.REJECTED
    assert pending.reason == "非本小区业主"


def test_admin_action_ignores_other_community_requests(client, pending, two_communities):
    outsider = CommunityStaffFactory(community=two_communities[1])
    client.force_login(outsider)
    changelist = client.get(reverse(CHANGELIST))
    assert changelist.context["cl"].result_count == 0
    client.post(
        reverse(CHANGELIST), {"action": "approve_selected", ACTION_CHECKBOX_NAME: [pending.pk]}
    )
    pending.refresh_from_db()
    assert pending.status == ResidentVerification.Status.PENDING
    change = client.get(reverse("admin:communities_residentverification_change", args=[pending.pk]))
    assert change.status_code == 302 and change["Location"] == reverse("admin:index")
