"""The assessment year as one staff workspace (issue 15.1), outside the admin's action menus.

Township staff of the town act (compute, publish, approve, mark paid); assessors and community
staff read (property_rating/rules.py). Another town's workspace answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities.models import Town
from communities.scoping import scope_to_staff
from governance.idempotency import once_per_form_token

from .. import payouts as payout_services
from .. import publication, tasks, workspace
from ..models import ComputationRun, Payout, Scheme


def _scheme(request, town_pk: int, year: int) -> Scheme:
    if not request.user.has_perm("property_rating.view_computation"):
        raise Http404
    towns = scope_to_staff(Town.objects.all(), request.user, town_path="pk")
    town = get_object_or_404(towns, pk=town_pk)
    return get_object_or_404(Scheme.objects.select_related("town"), town=town, year=year)


def _may(request, action: str, scheme: Scheme) -> bool:
    return request.user.has_perm(f"property_rating.{action}", scheme.town)


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
def year_workspace(request, town_pk: int, year: int):
    scheme = _scheme(request, town_pk, year)
    runs = list(
        ComputationRun.objects.filter(town=scheme.town, year=year).select_related("started_by")[:5]
    )
    return render(
        request,
        "property_rating/workspace.html",
        {
            "scheme": scheme,
            "quarters": workspace.quarter_status(scheme=scheme),
            "runs": runs,
            "checklist": workspace.publish_checklist(scheme=scheme),
            "may_compute": _may(request, "compute_scores", scheme) and not scheme.is_published,
            "may_publish": _may(request, "publish_results", scheme),
            "tab": "year",
        },
    )


@login_required
def compute_preview(request, town_pk: int, year: int):
    """What a computation would do, before it runs (nothing is kept)."""
    scheme = _scheme(request, town_pk, year)
    preview, error = None, None
    try:
        preview = workspace.computation_preview(town_id=scheme.town_id, year=year)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    return render(
        request,
        "property_rating/workspace_preview.html",
        {
            "scheme": scheme,
            "preview": preview,
            "error": error,
            "may_compute": _may(request, "compute_scores", scheme) and not scheme.is_published,
            "tab": "year",
        },
    )


@login_required
@require_POST
@once_per_form_token
def compute_start(request, town_pk: int, year: int):
    scheme = _scheme(request, town_pk, year)
    if not _may(request, "compute_scores", scheme):
        raise PermissionDenied
    run = tasks.start_computation(town_id=scheme.town_id, year=year, by=request.user)
    return redirect("property_rating:workspace-run", town_pk=town_pk, year=year, pk=run.pk)


def _run(request, town_pk, year, pk) -> tuple[Scheme, ComputationRun]:
    scheme = _scheme(request, town_pk, year)
    run = get_object_or_404(
        ComputationRun.objects.select_related("started_by"), pk=pk, town=scheme.town, year=year
    )
    return scheme, run


@login_required
def run_detail(request, town_pk: int, year: int, pk: int):
    """The run's progress; the page refreshes itself (meta refresh, no script) until it ends."""
    scheme, run = _run(request, town_pk, year, pk)
    finished = run.status in (ComputationRun.Status.SUCCEEDED, ComputationRun.Status.FAILED)
    return render(
        request,
        "property_rating/workspace_run.html",
        {"scheme": scheme, "run": run, "finished": finished, "tab": "year"},
    )


@login_required
def run_status(request, town_pk: int, year: int, pk: int):
    """The run's progress as JSON (for pollers and scripts)."""
    _scheme_, run = _run(request, town_pk, year, pk)
    return JsonResponse(
        {
            "id": run.pk,
            "status": run.status,
            "progress": run.progress,
            "outcome": run.outcome_text(),
            "counts": run.counts,
            "pending_units": run.pending_units,
        }
    )


@login_required
def ranking(request, town_pk: int, year: int):
    scheme = _scheme(request, town_pk, year)
    return render(
        request,
        "property_rating/workspace_ranking.html",
        {
            "scheme": scheme,
            "rows": workspace.ranking(town_id=scheme.town_id, year=year),
            "tab": "ranking",
        },
    )


@login_required
@require_POST
@once_per_form_token
def publish(request, town_pk: int, year: int):
    scheme = _scheme(request, town_pk, year)
    if not _may(request, "publish_results", scheme):
        raise PermissionDenied
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that the checklist was reviewed."))
        return redirect("property_rating:workspace", town_pk=town_pk, year=year)
    try:
        publication.results_publish(scheme=scheme, by=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(
            request, _("The results of %(year)s are published.") % {"year": scheme.year}
        )
    return redirect("property_rating:workspace", town_pk=town_pk, year=year)


@login_required
def payout_list(request, town_pk: int, year: int):
    scheme = _scheme(request, town_pk, year)
    payouts = list(
        Payout.objects.filter(unit__town=scheme.town, unit__year=year, quarter=0)
        .select_related(
            "unit__estate", "unit__company", "approved_by", "paid_by", "last_changed_by"
        )
        .order_by("unit__company__name", "unit__estate__name")
    )
    return render(
        request,
        "property_rating/workspace_payouts.html",
        {
            "scheme": scheme,
            "payouts": payouts,
            "may_approve": _may(request, "approve_payout", scheme) and scheme.is_published,
            "may_pay": _may(request, "mark_payout_paid", scheme),
            "tab": "payouts",
        },
    )


def _payout(request, town_pk, year, pk) -> tuple[Scheme, Payout]:
    scheme = _scheme(request, town_pk, year)
    return scheme, get_object_or_404(
        Payout.objects.select_related("unit__estate", "unit__company", "paid_by", "approved_by"),
        pk=pk,
        unit__town=scheme.town,
        unit__year=year,
        quarter=0,
    )


@login_required
@require_POST
@once_per_form_token
def payout_approve(request, town_pk: int, year: int, pk: int):
    _scheme_, payout = _payout(request, town_pk, year, pk)
    try:
        payout = payout_services.payout_approve(payout=payout, by=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(
            request,
            _("Payout of %(amount)s to %(estate)s approved.")
            % {"amount": workspace.yuan(payout.amount), "estate": payout.unit.estate.name},
        )
    return redirect("property_rating:workspace-payouts", town_pk=town_pk, year=year)


@login_required
@require_POST
@once_per_form_token
def payout_paid(request, town_pk: int, year: int, pk: int):
    _scheme_, payout = _payout(request, town_pk, year, pk)
    try:
        payout = payout_services.payout_mark_paid(
            payout=payout, by=request.user, reference=request.POST.get("reference", "")
        )
    except ValidationError as error:
        _errors(request, error)
        return redirect("property_rating:workspace-payouts", town_pk=town_pk, year=year)
    return redirect("property_rating:workspace-payout-paid", town_pk=town_pk, year=year, pk=pk)


@login_required
def payout_paid_confirmation(request, town_pk: int, year: int, pk: int):
    """The confirmation after "mark paid": what was paid, to whom, by whom, with which reference."""
    scheme, payout = _payout(request, town_pk, year, pk)
    if payout.status != Payout.Status.PAID:
        raise Http404
    return render(
        request,
        "property_rating/workspace_paid.html",
        {"scheme": scheme, "payout": payout, "tab": "payouts"},
    )
