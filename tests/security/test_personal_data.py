"""PIPL: full phone numbers only to staff who need them (and audited), and residents who left
anonymised once the retention period is over."""

import datetime

import pytest
import time_machine
from django.test import Client

from communities.factories import (
    AssessorFactory,
    BuildingFactory,
    CommunityFactory,
    CommunityStaffFactory,
    EstateFactory,
    HouseholdFactory,
    OwnersCommitteeMemberFactory,
    PropertyManagerFactory,
    ResidentFactory,
    ResidentVerificationFactory,
)
from communities.models import ResidentVerification, User
from governance.models import AuditEvent
from governance.security.personal_data import ANONYMISED_NAME
from governance.tasks import anonymise_departed_residents
from party_grid.factories import CommitteeFactory, PartyMemberFactory

pytestmark = pytest.mark.django_db
PHONE = "13812345678"
# The owners' register anonymisers (tests/security/test_owner_personal_data.py) and party_grid's.
NO_OWNERS = {"party_members": 0, "owners": 0, "committee_members": 0, "assembly_candidates": 0}


def _household(community):
    return HouseholdFactory(building=BuildingFactory(estate=EstateFactory(community=community)))


@pytest.fixture
def resident_here(community):
    user = ResidentFactory(username="here", phone=PHONE)
    ResidentVerificationFactory(user=user, household=_household(community))
    return user


def _reveal(client, label, pk):
    return client.post(f"/security/reveal-phone/{label}/{pk}/")


def test_community_staff_reveal_a_residents_phone_and_the_reveal_is_audited(
    client, community_staff, resident_here
):
    client.force_login(community_staff)
    response = _reveal(client, "communities.user", resident_here.pk)
    assert response.status_code == 200
    assert response.json() == {"phone": PHONE}
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.PHONE_REVEALED)
    assert event.actor == community_staff
    assert (event.object_type, event.object_id) == ("communities.user", str(resident_here.pk))
    # The number itself is not in the trail.
    assert PHONE not in f"{event.summary} {event.details}"


def test_committee_member_and_party_member_phones_can_be_revealed(
    client, community_staff, community
):
    member = OwnersCommitteeMemberFactory(
        committee__estate=EstateFactory(community=community), phone="13900001111"
    )
    party = PartyMemberFactory(
        organization=CommitteeFactory(community=community), phone="13700002222"
    )
    client.force_login(community_staff)
    assert _reveal(client, "communities.ownerscommitteemember", member.pk).json()["phone"] == (
        "13900001111"
    )
    assert _reveal(client, "party_grid.partymember", party.pk).json()["phone"] == "13700002222"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PHONE_REVEALED).count() == 2


def test_other_communitys_phone_answers_404_and_reveals_nothing(client, town, resident_here):
    other_staff = CommunityStaffFactory(community=CommunityFactory(town=town, name="金溪社区"))
    client.force_login(other_staff)
    assert _reveal(client, "communities.user", resident_here.pk).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PHONE_REVEALED).exists()


@pytest.mark.parametrize("make", [AssessorFactory, PropertyManagerFactory, ResidentFactory])
def test_roles_without_the_need_cannot_reveal(client, make, resident_here, town):
    kwargs = {"town": town} if make is AssessorFactory else {}
    client.force_login(make(**kwargs))
    response = _reveal(client, "communities.user", resident_here.pk)
    assert response.status_code == 403
    assert PHONE.encode() not in response.content


def test_reveal_needs_post_and_login(resident_here, community_staff):
    assert _reveal(Client(), "communities.user", resident_here.pk).status_code == 302
    client = Client()
    client.force_login(community_staff)
    assert (
        client.get(f"/security/reveal-phone/communities.user/{resident_here.pk}/").status_code
        == 405
    )


def test_unknown_models_are_not_revealable(client, community_staff, resident_here):
    client.force_login(community_staff)
    assert _reveal(client, "communities.household", 1).status_code == 404
    assert _reveal(client, "auth.user", resident_here.pk).status_code == 404


# --- anonymisation after moving out -------------------------------------------------------------

TODAY = datetime.datetime(2026, 6, 1, 3, 45, tzinfo=datetime.UTC)


def _moved_out(community, *, on, username, last_login=None):
    user = ResidentFactory(
        username=username,
        phone="13811112222",
        email=f"{username}@example.org",
        first_name="三",
        last_name="张",
        display_name="张三",
        last_login=last_login,
    )
    verification = ResidentVerificationFactory(
        user=user, household=_household(community), resident_name="张三", note="call 13811112222"
    )
    verification.moved_out_on = on
    verification.save()
    return user, verification


def test_residents_who_left_more_than_three_years_ago_are_anonymised(community, settings):
    settings.PERSONAL_DATA_RETENTION_YEARS = 3
    old_user, old_verification = _moved_out(
        community, on=datetime.date(2023, 5, 31), username="left2023"
    )
    recent_user, recent_verification = _moved_out(
        community, on=datetime.date(2023, 6, 2), username="left-recently"
    )
    with time_machine.travel(TODAY, tick=False):
        counts = anonymise_departed_residents.delay().get()
    assert counts == {"verifications": 1, "users": 1} | NO_OWNERS

    old_verification.refresh_from_db()
    assert old_verification.resident_name == ANONYMISED_NAME
    assert old_verification.note == ""
    # The change history of the record does not keep the name either.
    assert set(
        ResidentVerification.history.filter(id=old_verification.pk).values_list(
            "resident_name", flat=True
        )
    ) == {ANONYMISED_NAME}
    old_user.refresh_from_db()
    assert (old_user.phone, old_user.email, old_user.first_name, old_user.display_name) == (
        "",
        "",
        "",
        "",
    )
    assert old_user.username == f"former-resident-{old_user.pk}"
    assert not old_user.is_active
    assert not old_user.has_usable_password()

    # Within the retention period nothing changes.
    recent_verification.refresh_from_db()
    recent_user.refresh_from_db()
    assert recent_verification.resident_name == "张三"
    assert recent_user.phone == "13811112222"
    event = AuditEvent.objects.get(action=AuditEvent.Action.PERSONAL_DATA_ANONYMISED)
    assert event.details["users"] == 1
    assert "13811112222" not in str(event.details)


def test_the_job_is_idempotent(community):
    _moved_out(community, on=datetime.date(2020, 1, 1), username="gone")
    with time_machine.travel(TODAY, tick=False):
        assert anonymise_departed_residents.delay().get()["users"] == 1
        assert (
            anonymise_departed_residents.delay().get()
            == {
                "verifications": 0,
                "users": 0,
            }
            | NO_OWNERS
        )
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PERSONAL_DATA_ANONYMISED).count() == 1


def test_a_resident_who_moved_within_the_town_keeps_their_account(community):
    user, old = _moved_out(community, on=datetime.date(2020, 1, 1), username="mover")
    ResidentVerificationFactory(user=user, household=_household(community), resident_name="张三")
    with time_machine.travel(TODAY, tick=False):
        anonymise_departed_residents()
    user.refresh_from_db()
    old.refresh_from_db()
    assert old.resident_name == ANONYMISED_NAME  # the ended record is anonymised
    assert user.phone == "13811112222" and user.is_active  # the living account is not


def test_a_departed_resident_who_still_signs_in_keeps_their_account(community):
    recent_login = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    user, _ = _moved_out(
        community, on=datetime.date(2020, 1, 1), username="still-active", last_login=recent_login
    )
    with time_machine.travel(TODAY, tick=False):
        anonymise_departed_residents()
    user.refresh_from_db()
    assert user.is_active and user.phone


def test_the_retention_period_is_a_setting(community, settings):
    settings.PERSONAL_DATA_RETENTION_YEARS = 5
    user, _ = _moved_out(community, on=datetime.date(2022, 1, 1), username="four-years")
    with time_machine.travel(TODAY, tick=False):
        anonymise_departed_residents()
    user.refresh_from_db()
    assert user.phone == "13811112222"
    settings.PERSONAL_DATA_RETENTION_YEARS = 3
    with time_machine.travel(TODAY, tick=False):
        anonymise_departed_residents()
    user.refresh_from_db()
    assert user.phone == ""


def test_party_members_who_left_lose_their_phone_after_retention(community):
    committee = CommitteeFactory(community=community)
    left = PartyMemberFactory(
        organization=committee, phone="13922223333", left_on=datetime.date(2022, 12, 31)
    )
    recently_left = PartyMemberFactory(
        organization=committee, phone="13922224444", left_on=datetime.date(2024, 1, 1)
    )
    serving = PartyMemberFactory(organization=committee, phone="13922225555")
    with time_machine.travel(TODAY, tick=False):
        assert anonymise_departed_residents()["party_members"] == 1
    left.refresh_from_db()
    recently_left.refresh_from_db()
    serving.refresh_from_db()
    assert left.phone == ""
    assert set(left.history.values_list("phone", flat=True)) == {""}
    assert recently_left.phone == "13922224444"
    assert serving.phone == "13922225555"


def test_staff_users_are_never_anonymised(community):
    staff = CommunityStaffFactory(community=community, phone="13500001111")
    ResidentVerification.objects.create(
        user=staff,
        household=_household(community),
        resident_name="李四",
        status=ResidentVerification.Status.APPROVED,
        moved_out_on=datetime.date(2019, 1, 1),
    )
    with time_machine.travel(TODAY, tick=False):
        anonymise_departed_residents()
    assert User.objects.get(pk=staff.pk).phone == "13500001111"


def test_the_reveal_widget_shows_only_the_masked_number(resident_here):
    from django.template.loader import render_to_string

    from governance.security.admin import reveal_phone_html

    html = reveal_phone_html(resident_here)
    assert "138****5678" in html
    assert PHONE not in html
    assert f"/security/reveal-phone/communities.user/{resident_here.pk}/" in html
    rendered = render_to_string(
        "security/_reveal_phone.html",
        {"label": "communities.user", "pk": resident_here.pk, "phone": PHONE},
    )
    assert "138****5678" in rendered
    assert PHONE not in rendered


def test_user_and_party_member_lists_show_masked_numbers(
    client, community_staff, township_staff, community
):
    resident = ResidentFactory(username="listed", phone=PHONE)
    ResidentVerificationFactory(user=resident, household=_household(community))
    PartyMemberFactory(organization=CommitteeFactory(community=community), phone="13700009999")
    for who, url, full, masked in (
        (township_staff, "/admin/communities/user/", PHONE, "138****5678"),
        (community_staff, "/admin/party_grid/partymember/", "13700009999", "137****9999"),
    ):
        client.force_login(who)
        page = client.get(url)
        assert page.status_code == 200, url
        assert full.encode() not in page.content, url
        assert masked.encode() in page.content, url


def test_the_public_api_carries_no_phone_numbers(client, community):
    resident = ResidentFactory(username="api-listed", phone=PHONE)
    ResidentVerificationFactory(user=resident, household=_household(community))
    OwnersCommitteeMemberFactory(committee__estate=EstateFactory(community=community))
    for url in ("/api/v1/towns/", "/api/v1/communities/", "/api/v1/estates/", "/api/v1/companies/"):
        body = client.get(url).content
        assert PHONE.encode() not in body and b"13800138000" not in body, url
