"""Optional two-factor login for staff (django-otp TOTP), switched on by STAFF_2FA_REQUIRED."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from governance.models import AuditEvent

from .conftest import login

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def two_factor_on(settings):
    settings.STAFF_2FA_REQUIRED = True


def test_with_it_off_staff_reach_the_admin_with_a_password(client, township_staff):
    login(client, "township")
    assert client.get("/admin/").status_code == 200


def test_staff_without_a_verified_device_cannot_reach_the_admin(
    client, township_staff, two_factor_on
):
    login(client, "township")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/security/otp/?next=%2Fadmin%2F"
    for path in ("/admin/communities/estate/", "/admin/overview/", "/admin/governance/auditevent/"):
        assert client.get(path).status_code == 302, path
    # Nor the API with the same session.
    api = client.get("/api/v1/towns/")
    assert api.status_code == 403


def test_staff_with_an_unverified_session_and_a_device_still_cannot(
    client, township_staff, two_factor_on
):
    TOTPDevice.objects.create(user=township_staff, name="phone", confirmed=True)
    login(client, "township")
    assert client.get("/admin/").status_code == 302
    wrong = client.post("/security/otp/", {"token": "000000", "next": "/admin/"})
    assert wrong.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_staff_enrol_a_device_then_reach_the_admin(client, township_staff, two_factor_on):
    login(client, "township")
    page = client.get("/security/otp/?next=/admin/")
    assert page.status_code == 200
    assert page.context["enrolling"]
    device = TOTPDevice.objects.get(user=township_staff, confirmed=False)
    assert page.context["secret"]
    response = client.post("/security/otp/", {"token": _code(device), "next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.OTP_DEVICE_ADDED, actor=township_staff
    ).exists()


def test_verified_staff_reach_the_admin_on_the_next_login(client, township_staff, two_factor_on):
    device = TOTPDevice.objects.create(user=township_staff, name="phone", confirmed=True)
    login(client, "township")
    response = client.post("/security/otp/", {"token": _code(device), "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    # A new login is a new session: the second factor is asked again.
    client.post("/accounts/logout/")
    login(client, "township")
    assert client.get("/admin/").status_code == 302


def test_a_used_code_cannot_be_replayed(client, township_staff, two_factor_on):
    device = TOTPDevice.objects.create(user=township_staff, name="phone", confirmed=True)
    code = _code(device)
    login(client, "township")
    client.post("/security/otp/", {"token": code, "next": "/admin/"})
    client.post("/accounts/logout/")
    login(client, "township")
    client.post("/security/otp/", {"token": code, "next": "/admin/"})
    assert client.get("/admin/").status_code == 302


def test_otp_next_refuses_other_sites(client, township_staff, two_factor_on):
    device = TOTPDevice.objects.create(user=township_staff, name="phone", confirmed=True)
    login(client, "township")
    response = client.post(
        "/security/otp/", {"token": _code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_residents_are_not_asked_for_a_second_factor(client, resident, two_factor_on):
    login(client, "resident1")
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/towns/").status_code == 200


def test_codes_expire_with_their_time_step(township_staff):
    device = TOTPDevice.objects.create(user=township_staff, name="phone", confirmed=True)
    stale = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=-10):06d}"
    assert not device.verify_token(stale)


def test_guessing_codes_is_throttled(client, township_staff, two_factor_on):
    import datetime

    import time_machine

    device = TOTPDevice.objects.create(user=township_staff, name="phone", confirmed=True)
    start = datetime.datetime(2026, 5, 4, 9, 0, 0, tzinfo=datetime.UTC)  # a TOTP step starts
    with time_machine.travel(start, tick=False):
        login(client, "township")
        for guess in ("000000", "111111", "222222"):
            client.post("/security/otp/", {"token": guess, "next": "/admin/"})
        device.refresh_from_db()
        # Only the first guess was even checked: the others fell in its back-off.
        assert device.throttling_failure_count == 1
        client.post("/security/otp/", {"token": _code(device), "next": "/admin/"})
        assert client.get("/admin/").status_code == 302  # refused during the back-off
    with time_machine.travel(start + datetime.timedelta(seconds=5), tick=False):
        client.post("/security/otp/", {"token": _code(device), "next": "/admin/"})
        assert client.get("/admin/").status_code == 200


def test_department_staff_need_the_second_factor_too(client, town, two_factor_on):
    from communities.departments import Department
    from communities.factories import UserFactory
    from communities.models import User

    user = UserFactory(username="dept", role=User.Role.DEPARTMENT_STAFF, town=town)
    Department.objects.create(town=town, name="住建办").staff.add(user)
    login(client, "dept")
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith("/security/otp/")
    assert client.get("/api/v1/towns/").status_code == 403


def test_the_two_factor_middleware_imports_no_domain_app():
    import ast
    import pathlib

    source = pathlib.Path("governance/security/middleware.py").read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
    assert not imported & {"communities", "deliberation", "property_rating", "party_grid"}
