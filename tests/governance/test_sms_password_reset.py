"""Issue 15 part 4: password reset by a one-time code to the phone (governance.sms: codes hashed,
10 minutes, 5 attempts, one use) and by e-mail (Django's views, Chinese templates)."""

import datetime
import json
import re

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from communities.factories import ResidentFactory
from governance import sms
from governance.models import AuditEvent
from governance.sms import codes
from governance.sms.backends import FileBackend
from governance.sms.models import OneTimeCode

pytestmark = pytest.mark.django_db
PHONE = "13900139000"


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    cache.clear()  # the per-address limit on texting codes
    yield
    sms.outbox.clear()
    cache.clear()


@pytest.fixture
def resident(db):
    return ResidentFactory(username="wang", phone=PHONE, email="wang@example.cn")


def _code_sent() -> str:
    return re.search(r"\d{6}", sms.outbox[-1]["text"]).group()


def _ask_code(client, phone=PHONE):
    # The message leaves after commit; run those callbacks as a real commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("password-reset-phone"), {"phone": phone})


def _submit(client, code, password="new-lishui-pass-9"):
    return client.post(
        reverse("password-reset-phone-code"),
        {"code": code, "password1": password, "password2": password},
    )


def test_resident_resets_the_password_with_the_code_sent_to_the_phone(client, resident):
    assert _ask_code(client, phone="+86 139-0013-9000").status_code == 302
    assert sms.outbox[-1]["to"] == PHONE
    code = _code_sent()
    stored = OneTimeCode.objects.get()
    assert code not in stored.code_hash  # only a keyed hash is kept
    response = _submit(client, code)
    assert response.status_code == 302 and response.url == reverse("login")
    resident.refresh_from_db()
    assert resident.check_password("new-lishui-pass-9")
    assert AuditEvent.objects.filter(details__event="password_reset_sms").exists()


def test_a_code_works_once(client, resident):
    _ask_code(client)
    code = _code_sent()
    _submit(client, code)
    _ask_code(client)  # within a minute: no second code is sent
    assert len(sms.outbox) == 1
    with pytest.raises(codes.CodeError):
        codes.verify(user=resident, code=code)


def test_an_expired_code_is_refused(client, resident):
    _ask_code(client)
    code = _code_sent()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=10, seconds=1)):
        response = _submit(client, code)
    assert response.status_code == 200 and "已过期" in response.content.decode()
    resident.refresh_from_db()
    assert not resident.check_password("new-lishui-pass-9")


def test_five_wrong_codes_void_the_code_even_the_right_one_after(client, resident):
    _ask_code(client)
    code = _code_sent()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        response = _submit(client, wrong)
        assert response.status_code == 200
    assert OneTimeCode.objects.get().attempts == 5
    response = _submit(client, code)
    assert "次数过多" in response.content.decode()
    resident.refresh_from_db()
    assert not resident.check_password("new-lishui-pass-9")


def test_an_unknown_number_gets_the_same_answer_and_no_message(client, resident):
    response = _ask_code(client, phone="13700000000")
    assert response.status_code == 302 and response.url == reverse("password-reset-phone-code")
    assert sms.outbox == []
    response = _submit(client, "123456")
    assert response.status_code == 200 and not OneTimeCode.objects.exists()


def test_a_new_code_voids_the_older_one(client, resident):
    first = codes.issue(user=resident)
    assert first is not None
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        codes.issue(user=resident)
        first.refresh_from_db()
        assert first.used_at is not None


def test_file_backend_appends_one_json_line_per_message(tmp_path):
    path = tmp_path / "sms.jsonl"
    backend = FileBackend(options={"path": str(path)})
    backend.send(PHONE, "123456 是您的验证码")
    backend.send(PHONE, "654321 是您的验证码")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [line["text"][:6] for line in lines] == ["123456", "654321"]


def test_password_reset_by_e_mail_in_chinese(client, resident):
    page = client.get(reverse("password_reset")).content.decode()
    assert "通过电子邮件重设密码" in page and 'class="topbar"' in page
    client.post(reverse("password_reset"), {"email": "wang@example.cn"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "设置新密码" in form.content.decode()
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "mail-reset-pass-7", "new_password2": "mail-reset-pass-7"},
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.check_password("mail-reset-pass-7")


def test_login_page_links_sign_up_and_password_reset(client):
    page = client.get(reverse("login")).content.decode()
    assert reverse("signup") in page and reverse("password-reset-choose") in page


def test_a_staff_account_cannot_be_reset_by_a_code_to_its_phone(client):
    from communities.factories import CommunityStaffFactory

    CommunityStaffFactory(phone="13600136000")
    _ask_code(client, phone="13600136000")
    assert sms.outbox == [] and not OneTimeCode.objects.exists()
