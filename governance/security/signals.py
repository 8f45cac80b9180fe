"""Authentication events into the audit trail. Django announces logins through signals and
offers no other hook, so here (unlike workflows) signals are the right tool."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from . import audit
from .middleware import LOGIN_AT_KEY, SEEN_AT_KEY

# Only the username is kept from failed credentials: never the password or anything else.
_USERNAME_KEYS = ("username", "email")


@receiver(user_logged_in, dispatch_uid="governance.security.logged_in")
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(timezone.now().timestamp())
        request.session[LOGIN_AT_KEY] = now
        request.session[SEEN_AT_KEY] = now
    audit.record(audit.Action.LOGIN, actor=user, request=request, obj=user)


@receiver(user_login_failed, dispatch_uid="governance.security.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = next((str(credentials[k]) for k in _USERNAME_KEYS if credentials.get(k)), "")
    locked = bool(getattr(request, "axes_locked_out", False))
    audit.record(
        audit.Action.LOGIN_FAILED,
        request=request,
        username=username,
        summary="locked out" if locked else "",
        details={"locked_out": locked},
    )


@receiver(user_logged_out, dispatch_uid="governance.security.logged_out")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(audit.Action.LOGOUT, actor=user, request=request, obj=user)
