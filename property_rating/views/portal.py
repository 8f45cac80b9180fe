"""Property-manager portal (quarterly reports, evidence, scores, payouts), evidence downloads and
the residents' satisfaction rating. Thin views: forms parse, property_rating.reports decide.

Another company's report, evidence, unit, scores and payouts answer 404 (never 403), so a manager
cannot even learn that they exist.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.idempotency import once_per_form_token
from governance.uploads import private_file_response, validate_uploads

from .. import reports as report_services
from .. import selectors
from ..forms import SatisfactionForm, report_line_forms
from ..models import Evidence, QuarterlyReport, SatisfactionRating
from ..periods import parse_year


def _manager(request):
    user = request.user
    # A superuser holds no company: the manager's pages are not theirs.
    if user.is_superuser or not user.has_perm("property_rating.file_report"):
        raise PermissionDenied
    return user


def _error_messages(error: ValidationError) -> list[str]:
    return list(error.messages)


def _manager_report(user, pk) -> QuarterlyReport:
    """The manager's own report with everything the page shows (404 for any other)."""
    own = selectors.reports_for_manager(user=user).values("pk")
    return get_object_or_404(selectors.report_detail_queryset().filter(pk__in=own), pk=pk)


@login_required
def manager_home(request):
    """The manager's units and quarters of one year: report status, due time, computed score."""
    user = _manager(request)
    years = sorted(
        set(selectors.units_for_manager(user=user).values_list("year", flat=True)), reverse=True
    )
    try:
        year = parse_year(
            request.GET.get("year") or (years[0] if years else timezone.localdate().year)
        )
    except ValidationError as error:
        raise Http404 from error
    rows = selectors.manager_quarter_overview(user=user, year=year)
    return render(
        request,
        "property_rating/portal_home.html",
        {"rows": rows, "year": year, "years": years, "now": timezone.now()},
    )


@login_required
@require_POST
@once_per_form_token
def report_start(request, unit_pk, quarter):
    """Open the unit's report for the quarter (a new draft when there is none)."""
    user = _manager(request)
    unit = get_object_or_404(selectors.units_for_manager(user=user), pk=unit_pk)
    try:
        report = report_services.report_get_or_create(unit=unit, quarter=quarter, by=user)
    except ValidationError as error:
        for message in _error_messages(error):
            messages.error(request, message)
        return redirect(f"{reverse('property_rating:manager-home')}?year={unit.year}")
    return redirect("property_rating:manager-report", pk=report.pk)


@login_required
@once_per_form_token
def report_detail(request, pk):
    """Read a report; while it is a draft or returned, edit its lines, attach evidence, submit."""
    user = _manager(request)
    report = _manager_report(user, pk)
    editable = report.is_editable_by_manager
    forms = report_line_forms(report)
    errors: list[str] = []
    if request.method == "POST":
        if not editable:
            messages.error(
                request, _("A submitted report cannot be changed unless it is returned.")
            )
            return redirect("property_rating:manager-report", pk=report.pk)
        forms = report_line_forms(report, request.POST, request.FILES)
        if all(form.is_valid() for form in forms):
            submit = request.POST.get("action") == "submit"
            try:
                _save_report(report, forms, user, submit=submit)
            except ValidationError as error:
                errors = _error_messages(error)
            except PermissionDenied:
                raise Http404 from None
            else:
                if submit:
                    messages.success(request, _("The report is submitted."))
                else:
                    messages.success(request, _("The draft is saved."))
                return redirect("property_rating:manager-report", pk=report.pk)
        else:
            errors = [_("Please correct the errors below.")]
    return render(
        request,
        "property_rating/portal_report.html",
        {
            "report": report,
            "unit": report.unit,
            "editable": editable,
            "rows": [(form.line, form) for form in forms],
            "errors": errors,
            "submissions": report.submissions.all(),
            "returns": report.returns.all(),
            "due_at": selectors.report_due_at(report),
            "show_points": report.status == QuarterlyReport.Status.REVIEWED,
        },
        status=400 if errors else 200,
    )


def _save_report(report, forms, user, *, submit: bool) -> None:
    """Save the lines and evidence in one transaction, then submit if asked. Every upload is
    checked before anything is written, so a rejected file stores nothing (not even on disk)."""
    uploads = {form.line.pk: form.cleaned_data["files"] for form in forms}
    problems = []
    for form in forms:
        if uploads[form.line.pk]:
            try:
                validate_uploads(uploads[form.line.pk])
            except ValidationError as error:
                problems.extend(
                    f"{form.line.task_item.code}: {message}" for message in error.messages
                )
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        report_services.report_save_draft(
            report=report,
            by=user,
            items={
                form.line.task_item.code: {
                    "description": form.cleaned_data["description"],
                    "count": form.cleaned_data["count"],
                }
                for form in forms
            },
        )
        for form in forms:
            if uploads[form.line.pk]:
                report_services.evidence_add(item=form.line, files=uploads[form.line.pk], by=user)
        if submit:
            report_services.report_submit(report=report, by=user)


@login_required
def submission_detail(request, pk, number):
    """What one submission of the manager's report contained (kept for every submission)."""
    user = _manager(request)
    report = _manager_report(user, pk)
    submission = get_object_or_404(report.submissions.all(), number=number)
    return render(
        request,
        "property_rating/portal_submission.html",
        {"report": report, "submission": submission, "returned": report.returns.all()},
    )


@login_required
@require_POST
def evidence_delete(request, pk):
    user = _manager(request)
    evidence = get_object_or_404(
        Evidence.objects.select_related("item__report__unit").filter(
            item__report__in=selectors.reports_for_manager(user=user)
        ),
        pk=pk,
    )
    report_pk = evidence.item.report_id
    try:
        report_services.evidence_delete(evidence=evidence, by=user)
    except ValidationError as error:
        for message in _error_messages(error):
            messages.error(request, message)
    else:
        messages.success(request, _("The file is removed."))
    return redirect("property_rating:manager-report", pk=report_pk)


@login_required
def evidence_download(request, pk):
    """Serve an evidence file as an attachment, only to the unit's own manager and to the
    reviewers and township staff of its town; anyone else gets 404."""
    evidence = get_object_or_404(Evidence.objects.select_related("item__report__unit"), pk=pk)
    unit = evidence.item.report.unit
    if not request.user.has_perm("property_rating.open_report", unit):
        raise Http404
    return private_file_response(evidence.file, evidence.original_name)


@login_required
def unit_detail(request, pk):
    """One of the manager's units: quarterly scores once computed, payouts, published result."""
    user = _manager(request)
    unit = get_object_or_404(selectors.units_for_manager(user=user), pk=pk)
    return render(
        request,
        "property_rating/portal_unit.html",
        {
            "unit": unit,
            "reports": unit.reports.order_by("quarter"),
            "scores": selectors.quarter_scores_for_manager(user=user).filter(unit=unit),
            "payouts": selectors.payouts_for_manager(user=user).filter(unit=unit),
            "annual": selectors.annual_results_for_manager(user=user).filter(unit=unit).first(),
        },
    )


@login_required
def api_token(request):
    """The manager's token for /api/v1/reports/ (their company's own systems). A new token
    replaces the old one at once; it is shown in full only right after it is made."""
    from rest_framework.authtoken.models import Token

    user = _manager(request)
    new_key = None
    if request.method == "POST":
        with transaction.atomic():
            Token.objects.filter(user=user).delete()
            new_key = Token.objects.create(user=user).key
        messages.success(request, _("A new API token is made; the old one no longer works."))
    token = Token.objects.filter(user=user).first()
    return render(
        request,
        "property_rating/portal_api_token.html",
        {"token": token, "new_key": new_key, "api_root": request.build_absolute_uri("/api/v1/")},
    )


# --------------------------------------------------------------------------------------------
# Residents: satisfaction
# --------------------------------------------------------------------------------------------


@login_required
def satisfaction(request):
    """A verified resident rates their property service 1-5, once per household and year."""
    user = request.user
    if user.is_superuser or not user.has_perm("property_rating.open_satisfaction"):
        raise PermissionDenied
    household = user.verified_household
    year = selectors.satisfaction_year(estate=household.building.estate) if household else None
    unit = report_services.satisfaction_unit_for(user=user, year=year) if year else None
    existing = (
        SatisfactionRating.objects.filter(household=household, year=year).first() if unit else None
    )
    form = SatisfactionForm(request.POST or None)
    if request.method == "POST" and unit is not None and form.is_valid():
        try:
            report_services.satisfaction_rate(
                user=user,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                year=year,
            )
        except ValidationError as error:
            for message in _error_messages(error):
                form.add_error(None, message)
        else:
            messages.success(request, _("Thank you: your household's rating is recorded."))
            return redirect("property_rating:satisfaction")
    return render(
        request,
        "property_rating/portal_satisfaction.html",
        {
            "household": household,
            "unit": unit,
            "year": year,
            "existing": existing,
            "form": form,
        },
        status=400 if (request.method == "POST" and form.errors) else 200,
    )
