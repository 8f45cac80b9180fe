"""Issue 15 part 4: a resident signs up in the phone portal; the claim lands in the existing
verification queue, which shows the register's household to compare against; sign-ups are
limited per address and the limit degrades when the cache is down."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.factories import (
    BuildingFactory,
    EstateFactory,
    HouseholdFactory,
    ResidentVerificationFactory,
    verified_resident,
)
from communities.models import ResidentVerification, User
from governance.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def household(two_communities):
    estate = EstateFactory(community=two_communities[0], name="糖果雅苑")
    return HouseholdFactory(building=BuildingFactory(estate=estate, name="1栋"), room="101")


def _signup(client, household, **overrides):
    data = {
        "resident_name": "王小明",
        "phone": "138 0013 8000",
        "email": "",
        "password1": "lishui-2026-ok",
        "password2": "lishui-2026-ok",
        "estate": household.building.estate_id,
        "building": "1栋",
        "room": "101",
        "note": "租户",
        "relation": "tenant",  # owners.md: the claim says owner (with the certificate) or tenant
        **overrides,
    }
    return client.post(reverse("signup"), data)


def test_sign_up_creates_a_resident_with_a_pending_claim_and_signs_in(client, household):
    response = _signup(client, household)
    assert response.status_code == 302
    user = User.objects.get(username="13800138000")
    assert user.role == User.Role.RESIDENT and user.phone == "13800138000" and not user.is_staff
    assert user.check_password("lishui-2026-ok")
    claim = ResidentVerification.objects.get(user=user)
    assert claim.status == "pending" and claim.household == household
    assert claim.resident_name == "王小明"
    assert AuditEvent.objects.filter(details__event="signup", object_id=str(claim.pk)).exists()
    # Signed in, but the portal stays closed until staff approve.
    assert client.get(reverse("deliberation:proposal-list")).status_code == 403


def test_a_claim_on_an_unregistered_household_creates_nothing(client, household):
    response = _signup(client, household, room="9999")
    assert response.status_code == 200
    assert "没有登记" in response.content.decode() or "9999" in response.content.decode()
    assert not User.objects.filter(username="13800138000").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "12345"), ("password2", "different-pass-1"), ("password1", "12345678")],
)
def test_bad_sign_up_input_is_a_form_error_and_creates_nothing(client, household, field, value):
    overrides = {field: value}
    if field == "password1":
        overrides["password2"] = value
    response = _signup(client, household, **overrides)
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()
    assert not ResidentVerification.objects.exists()


def test_a_number_that_has_an_account_cannot_sign_up_again(client, household):
    _signup(client, household)
    client.logout()
    response = _signup(client, household, phone="+86 13800138000")
    assert response.status_code == 200 and "已注册" in response.content.decode()
    assert User.objects.filter(phone="13800138000").count() == 1


def test_sign_ups_are_limited_per_address(client, household, settings):
    settings.SIGNUP_RATE = "2/hour"
    for n in range(2):
        _signup(client, household, phone=f"1380013800{n}")
        client.logout()
    response = _signup(client, household, phone="13800138009")
    assert (
        response.status_code == 429 and 'data-testid="signup-limited"' in response.content.decode()
    )
    assert not User.objects.filter(username="13800138009").exists()


def test_sign_up_still_works_when_the_cache_is_down(client, household):
    down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    with override_settings(CACHES=down):
        response = _signup(client, household)
    assert response.status_code == 302
    assert User.objects.filter(username="13800138000").exists()


def test_queue_shows_the_register_household_next_to_the_claim(client, household, community_staff):
    verified = verified_resident(household=household)
    ResidentVerification.objects.filter(user=verified).update(resident_name="李大妈")
    _signup(client, household)
    client.force_login(community_staff)
    page = client.get(reverse("verification-queue")).content.decode()
    cell = page.split('data-testid="registry-household"')[1].split("</td>")[0]
    assert "糖果雅苑" in cell and "1栋" in cell and "101" in cell
    assert "李大妈" in cell  # who the register says lives there now
    assert "138****8000" in page and "13800138000" not in page  # the number masked


def test_queue_runs_a_constant_number_of_queries(client, two_communities, community_staff):
    estate = EstateFactory(community=two_communities[0])

    def claims(n):
        for _ in range(n):
            household = HouseholdFactory(building=BuildingFactory(estate=estate))
            verified_resident(household=household)
            ResidentVerificationFactory(household=household, status="pending")

    client.force_login(community_staff)
    claims(1)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("verification-queue"))
    claims(5)
    with CaptureQueriesContext(connection) as large:
        page = client.get(reverse("verification-queue")).content.decode()
    assert page.count('data-testid="verification-row"') == 6
    assert len(large.captured_queries) == len(small.captured_queries)


def test_staff_approve_a_signed_up_resident_who_can_then_use_the_portal(
    client, household, community_staff
):
    from deliberation.factories import CouncilFactory

    CouncilFactory(estate=household.building.estate)
    _signup(client, household)
    user = User.objects.get(username="13800138000")
    claim = ResidentVerification.objects.get(user=user)
    client.force_login(community_staff)
    client.post(reverse("verification-decide", args=[claim.pk]), {"approve": "1", "reason": ""})
    client.force_login(user)
    assert client.get(reverse("deliberation:proposal-list")).status_code == 200
