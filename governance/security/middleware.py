"""Session limits, two-factor login for staff, and auditing of refused object access."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

LOGIN_AT_KEY = "_security_login_at"
SEEN_AT_KEY = "_security_seen_at"
# Writing the session on every request would be a database write per page view; the idle clock
# only needs minute precision.
SEEN_AT_WRITE_EVERY = 60


class SessionTimeoutMiddleware:
    """Ends a session idle for SESSION_IDLE_TIMEOUT seconds (default 30 minutes) or older than
    SESSION_ABSOLUTE_TIMEOUT seconds since login (default 12 hours), whatever the activity.

    Token-authenticated API clients carry no session and are not affected.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._enforce(request)
        return self.get_response(request)

    def _enforce(self, request):
        session = request.session
        now = int(time.time())
        idle = int(getattr(settings, "SESSION_IDLE_TIMEOUT", 30 * 60))
        absolute = int(getattr(settings, "SESSION_ABSOLUTE_TIMEOUT", 12 * 60 * 60))
        login_at = session.get(LOGIN_AT_KEY)
        seen_at = session.get(SEEN_AT_KEY)
        if login_at is None:
            # A session created without going through login() (e.g. before this middleware
            # existed): start its clocks now.
            session[LOGIN_AT_KEY] = session[SEEN_AT_KEY] = now
            return
        seen_at = seen_at or login_at
        reason = None
        if now - int(login_at) >= absolute:
            reason = "absolute"
        elif now - int(seen_at) >= idle:
            reason = "idle"
        if reason:
            from . import audit

            audit.record(
                audit.Action.SESSION_EXPIRED,
                request=request,
                obj=request.user,
                summary=reason,
                details={"reason": reason},
            )
            logout(request)  # flushes the session (new key) and makes request.user anonymous
            return
        if now - int(seen_at) >= SEEN_AT_WRITE_EVERY:
            session[SEEN_AT_KEY] = now


def needs_second_factor(user) -> bool:
    """Staff (admin-site users and staff roles) need a verified OTP device when
    STAFF_2FA_REQUIRED is on. Which roles those are is the domain's answer, the rule
    "security.second_factor" (communities/rules.py: governance imports no domain app)."""
    if not getattr(settings, "STAFF_2FA_REQUIRED", False):
        return False
    if not user.is_authenticated:
        return False
    return bool(user.is_staff or user.has_perm("security.second_factor"))


class StaffTwoFactorMiddleware:
    """With STAFF_2FA_REQUIRED on, a staff user whose session is not OTP-verified reaches only the
    two-factor pages, logout, static files and language switching: pages redirect to the
    verification page and API calls answer 403. Must come after django_otp's OTPMiddleware."""

    EXEMPT_PREFIXES = ("/security/otp/", "/accounts/logout/", "/static/", "/i18n/", "/jsi18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and needs_second_factor(user)
            and not user.is_verified()
            and not request.path.startswith(self.EXEMPT_PREFIXES)
            and request.path != "/healthz/"
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Two-factor verification is required for staff accounts.")},
                    status=403,
                )
            target = reverse("security:otp-verify")
            next_url = request.get_full_path()
            if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                from urllib.parse import urlencode

                target = f"{target}?{urlencode({'next': next_url})}"
            return redirect(target)
        return self.get_response(request)


class AccessDenialAuditMiddleware:
    """Records 403 and 404 answers given to signed-in users: an authenticated user probing
    other companies' or estates' objects shows up in the trail (with the path, not the body)."""

    AUDITED_STATUSES = {403, 404}
    SKIP_PREFIXES = ("/static/", "/favicon.ico")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in self.AUDITED_STATUSES and not request.path.startswith(
            self.SKIP_PREFIXES
        ):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                from . import audit

                audit.record(
                    audit.Action.ACCESS_DENIED,
                    request=request,
                    summary=f"{request.method} {request.path}"[:300],
                    details={
                        "status": response.status_code,
                        "method": request.method,
                        "path": request.path[:500],
                    },
                )
        return response
