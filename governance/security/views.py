"""Two-factor verification for staff, and the audited phone-number reveal."""

from base64 import b32encode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit
from .middleware import needs_second_factor
from .personal_data import reveal_phone


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Six-digit code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@never_cache
@login_required
def otp_verify(request):
    """Verify this session with a TOTP code; a staff member without a confirmed device first
    enrols one (shown its secret once, confirmed by a first valid code)."""
    user = request.user
    if not needs_second_factor(user) and not user.is_staff:
        raise PermissionDenied
    if user.is_verified():
        return redirect(_next_url(request))
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    pending = None
    if not confirmed:
        pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if pending is None:
            pending = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        device = None
        if pending is not None:
            if pending.verify_is_allowed()[0] and pending.verify_token(token):
                pending.confirmed = True
                pending.save(update_fields=["confirmed"])
                device = pending
                audit.record(audit.Action.OTP_DEVICE_ADDED, request=request, obj=pending)
        else:
            device = match_token(user, token)
        if device is not None:
            otp_login(request, device)
            audit.record(audit.Action.OTP_VERIFIED, request=request, obj=device)
            return redirect(_next_url(request))
        form.add_error(
            "token", _("The code is not valid. Check your device's clock and try again.")
        )
    context = {"form": form, "next": _next_url(request), "enrolling": pending is not None}
    if pending is not None:
        context["secret"] = b32encode(pending.bin_key).decode()
        context["config_url"] = pending.config_url
    return render(request, "security/otp_verify.html", context)


@never_cache
@login_required
@require_POST
def reveal_phone_view(request, model_label: str, pk: int):
    """The full phone number of one record, for staff who need it; the reveal is audited."""
    try:
        phone = reveal_phone(user=request.user, model_label=model_label, pk=pk, request=request)
    except LookupError as error:
        raise Http404 from error
    return JsonResponse({"phone": phone})  # never_cache: private, no-store
