"""Forgotten passwords: by e-mail (Django's views, Chinese templates) where the account has an
address, and by a one-time code to the account's mobile number (governance.sms)."""

from django import forms
from django.contrib import messages
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters

from governance.security import audit
from governance.sms import codes

from .models import User
from .signup import allow_signup, normalise_phone

SESSION_KEY = "password_reset_user_id"


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the text message"),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    password1 = forms.CharField(
        label=gettext_lazy("New password"), strip=False, widget=forms.PasswordInput()
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password again"), strip=False, widget=forms.PasswordInput()
    )

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", gettext_lazy("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(p1, self.user)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


def reset_choose(request):
    return render(request, "registration/password_reset_choose.html")


def _user_for_phone(phone: str):
    phone = normalise_phone(phone)
    if not phone:
        return None
    # Residents only: staff and managers reset through their office (their accounts carry more
    # than a phone should unlock, and staff may have a second factor to re-enrol).
    return (
        User.objects.filter(
            is_active=True, phone=phone, role=User.Role.RESIDENT, is_staff=False, is_superuser=False
        )
        .order_by("pk")
        .first()
    )


def reset_phone(request):
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Sending codes costs money and can be abused: the same per-address limit as sign-up.
        if not allow_signup(request, scope="sms-reset"):
            messages.error(request, _("Too many requests from this network. Try again later."))
            return redirect("password-reset-phone")
        user = _user_for_phone(form.cleaned_data["phone"])
        if user is not None:
            codes.issue(user=user)
            request.session[SESSION_KEY] = user.pk
        else:
            request.session[SESSION_KEY] = None
        # One answer for every number, so nobody learns which numbers have accounts.
        messages.success(
            request,
            _(
                "If the number belongs to an account, a code was sent to it. It is valid for "
                "10 minutes."
            ),
        )
        return redirect("password-reset-phone-code")
    return render(request, "registration/password_reset_phone.html", {"form": form})


@sensitive_post_parameters("password1", "password2", "code")
def reset_phone_code(request):
    if SESSION_KEY not in request.session:
        return redirect("password-reset-phone")
    user = User.objects.filter(pk=request.session[SESSION_KEY] or 0, is_active=True).first()
    form = CodeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        if user is None:
            form.add_error(
                "code", _("The code has expired or was already used. Ask for a new one.")
            )
        else:
            try:
                # Not inside an outer transaction: a wrong try must stay counted.
                codes.verify(user=user, code=form.cleaned_data["code"])
            except codes.CodeError as error:
                form.add_error("code", str(error))
            else:
                with transaction.atomic():
                    user.set_password(form.cleaned_data["password1"])
                    user.save(update_fields=["password"])
                    audit.record(
                        audit.Action.OTHER,
                        actor=user,
                        request=request,
                        obj=user,
                        summary="password reset by a code to the phone",
                        details={"event": "password_reset_sms", "user_id": user.pk},
                    )
                del request.session[SESSION_KEY]
                messages.success(request, _("Your password was changed. Log in with it."))
                return redirect("login")
    return render(request, "registration/password_reset_phone_code.html", {"form": form})
