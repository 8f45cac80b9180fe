"""Resident sign-up in the phone portal (issue 15, part 4).

A new resident gives a name, a mobile number (the username), a password and the household they
claim (estate, building, room). The account is a resident account without a household: it can
sign in and see that its request is waiting, but the portal's proposals, supports and votes stay
closed (`verified_resident_required`) until community staff approve the claim in the existing
verification queue.

Sign-ups are limited per client address (`SIGNUP_RATE`, default 5 an hour) in the cache; when the
cache is unreachable the limit is skipped with a logged warning rather than refusing everyone.
"""

import logging
import re

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from governance.security import audit
from governance.security.client_ip import client_ip

from . import services
from .forms import VerificationRequestForm
from .models import User

logger = logging.getLogger(__name__)

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(value: str) -> str:
    """Digits only, without a +86 / 0086 prefix: what residents type in many shapes."""
    digits = "".join(ch for ch in value or "" if ch.isdigit())
    for prefix in ("0086", "86"):
        if len(digits) == 11 + len(prefix) and digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits


def validate_mobile(value: str) -> str:
    phone = normalise_phone(value)
    if not MOBILE_RE.match(phone):
        raise ValidationError(
            _("Enter an 11-digit mainland mobile number, e.g. 13800138000."), code="phone"
        )
    return phone


class SignupForm(VerificationRequestForm):
    """The verification request's fields (name, estate, building, room, note) plus the
    account's: phone, optional e-mail (for password reset by e-mail) and password."""

    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        help_text=_("You sign in with it; a password reset code can be sent to it."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail (optional)"),
        required=False,
        help_text=_("Lets you reset your password by e-mail as well."),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = [
        "resident_name",
        "phone",
        "email",
        "password1",
        "password2",
        "estate",
        "building",
        "room",
        "relation",
        "certificate",
        "note",
    ]

    def clean_phone(self):
        phone = validate_mobile(self.cleaned_data["phone"])
        if (
            User.objects.filter(username=phone).exists()
            or User.objects.filter(phone=phone).exists()
        ):
            raise ValidationError(
                _("An account with this mobile number exists. Sign in or reset the password."),
                code="taken",
            )
        return phone

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            candidate = User(
                username=data.get("phone") or "",
                display_name=data.get("resident_name") or "",
                email=data.get("email") or "",
            )
            try:
                password_validation.validate_password(p1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


def signup(
    *,
    name: str,
    phone: str,
    password: str,
    household,
    email: str = "",
    note: str = "",
    request=None,
    **claim,
) -> User:
    """Create the resident account and its pending verification in one transaction. `claim`
    passes on whatever else the verification request form carries (e.g. the relation to the
    household and its evidence) to communities.services.verification_request."""
    with transaction.atomic():
        user = User(
            username=phone,
            phone=phone,
            email=email,
            display_name=name,
            role=User.Role.RESIDENT,
            is_staff=False,
        )
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as error:  # two sign-ups for one number at once
            raise ValidationError(
                {"phone": _("An account with this mobile number exists.")}
            ) from error
        verification = services.verification_request(
            user=user, household=household, resident_name=name, note=note, **claim
        )
        audit.record(
            audit.Action.OTHER,
            actor=user,
            request=request,
            obj=verification,
            summary="resident signed up and claimed a household",
            details={"event": "signup", "user_id": user.pk, "household_id": household.pk},
        )
    return user


def _rate() -> tuple[int, int]:
    count, _sep, period = getattr(settings, "SIGNUP_RATE", "5/hour").partition("/")
    seconds = {"minute": 60, "hour": 3600, "day": 86400}.get(period, 3600)
    return int(count), seconds


def allow_signup(request, *, scope: str = "signup") -> bool:
    """Count one attempt of this client address (sign-up, or another `scope` such as texting a
    reset code); False past the limit. A cache that cannot be reached lets the attempt through
    (logged): sign-up degrades, it does not fail."""
    limit, seconds = _rate()
    key = f"{scope}-rate:{client_ip(request) or 'unknown'}"
    try:
        if cache.add(key, 1, seconds):
            return True
        return cache.incr(key) <= limit
    except ValueError:  # the key expired between add and incr
        return True
    except Exception:  # noqa: BLE001 - any cache failure degrades to no limit
        logger.warning("Sign-up rate limit skipped: the cache is unavailable.", exc_info=True)
        return True
