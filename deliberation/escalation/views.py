"""Escalation and problem estates: the township's quarterly list and the remediation plans."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities import roles
from communities.models import Town

from .. import rules, services
from ..action_forms import form_error_text
from ..forms import (
    ProblemEstatesForm,
    RemediationForm,
)
from ..models import (
    Proposal,
    RemediationPlan,
)
from ..view_helpers import error_text, staff_required

S = Proposal.State


@staff_required
def problem_estates(request):
    user = request.user
    if not user.has_perm("deliberation.view_dashboard"):
        raise PermissionDenied
    towns = sorted(roles.town_ids(user, roles.Role.TOWNSHIP_STAFF))
    if request.method == "POST":
        if not (towns and user.has_perm("deliberation.compute_problem_estates")):
            raise PermissionDenied
        form = ProblemEstatesForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_error_text(form))
        else:
            services.problem_estates_compute(
                town=Town.objects.get(pk=towns[0]),
                year=form.cleaned_data["year"],
                quarter=form.cleaned_data["quarter"],
                by=user,
            )
            messages.success(request, _("The list was computed."))
        return redirect("deliberation:problem-estates")
    lists = rules.problem_lists_for(user).prefetch_related("plans__estate__community")
    return render(
        request,
        "deliberation/problem_estates.html",
        {
            "lists": lists,
            "statuses": RemediationPlan.Status.choices,
            "can_compute": bool(towns),
        },
    )


@require_POST
@staff_required
def remediation_update(request, pk: int):
    plan = get_object_or_404(rules.remediation_plans_for(request.user), pk=pk)
    form = RemediationForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect("deliberation:problem-estates")
    if not request.user.has_perm("deliberation.update_remediation_plan", plan):
        raise PermissionDenied
    try:
        services.remediation_update(
            plan=plan,
            by=request.user,
            status=form.cleaned_data["status"],
            text=form.cleaned_data["plan"] if "plan" in request.POST else None,
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    return redirect("deliberation:problem-estates")
