"""What the deliberation views share: access decorators and the one-form-per-action runner."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import rules
from .action_forms import form_error_text


def error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You may not do this.")


def verified_resident_required(view):
    """Residents verified to a household; others see why they cannot use the portal."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        user = request.user
        if rules.resident_estate_id(user) is None:
            if rules.is_deliberation_staff(user) or rules.councils_for_staff(user).exists():
                return redirect("deliberation:manage")
            return render(request, "deliberation/not_verified.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not (
            rules.is_deliberation_reader(request.user)
            or rules.councils_for_staff(request.user).exists()
        ):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def run_action(request, actions: dict, target) -> None:
    """Validate the POSTed action with its own form, ask its permission, perform it; every
    outcome is a message (a form error in the user's language, never a 500)."""
    form_class = actions.get(request.POST.get("action"))
    if form_class is None:
        messages.error(request, _("Unknown action."))
        return
    form = form_class(request.POST, target=target, by=request.user)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return
    if not request.user.has_perm(form.permission, form.permission_object()):
        messages.error(request, _("You may not do this."))
        return
    try:
        form.perform()
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Done."))
