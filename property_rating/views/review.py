"""Review pages for the town's assessors and staff: the queue of submitted reports, awarding points
or returning a report, expert-panel inspection scores and township staff's vetoes.

Thin views: forms parse, property_rating.reports check who may do what and the rules.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import publication, selectors
from .. import reports as report_services
from ..forms import InspectionForm, ReturnForm, VetoForm, VetoRevokeForm, review_line_forms
from ..models import AssessmentUnit, InspectionScore, QuarterlyReport, Scheme, Veto
from ..periods import parse_year

QUEUE_STATUSES = {
    "submitted": [QuarterlyReport.Status.SUBMITTED],
    "reviewed": [QuarterlyReport.Status.REVIEWED],
    "returned": [QuarterlyReport.Status.RETURNED],
    "all": [
        QuarterlyReport.Status.SUBMITTED,
        QuarterlyReport.Status.REVIEWED,
        QuarterlyReport.Status.RETURNED,
    ],
}


def _reviewer(request):
    """Assessors and township staff of a town review (rules: property_rating.review_report)."""
    user = request.user
    if not user.has_perm("property_rating.review_report"):
        raise PermissionDenied
    return user


def _years(user) -> list[int]:
    schemes = (
        Scheme.objects.all() if user.is_superuser else Scheme.objects.filter(town=user.town_id)
    )
    return sorted(set(schemes.values_list("year", flat=True)), reverse=True)


def _published(user, year) -> bool:
    """A published year's inputs are frozen (the services refuse changes; the pages say so)."""
    return publication.is_published(town_id=user.town_id, year=year)


def _year(request, years) -> int:
    try:
        return parse_year(
            request.GET.get("year") or (years[0] if years else timezone.localdate().year)
        )
    except ValidationError as error:
        raise Http404 from error


@login_required
def queue(request):
    """Submitted reports of the reviewer's town, oldest submission first; drafts are not shown."""
    user = _reviewer(request)
    status = request.GET.get("status", "submitted")
    if status not in QUEUE_STATUSES:
        status = "submitted"
    reports = (
        selectors.reports_for_reviewer(user=user)
        .filter(status__in=QUEUE_STATUSES[status])
        .order_by("submitted_at", "pk")
    )
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "property_rating/review_queue.html",
        {
            "page": page,
            "status": status,
            "statuses": [
                ("submitted", _("Waiting for review")),
                ("reviewed", _("Reviewed")),
                ("returned", _("Returned")),
                ("all", _("All")),
            ],
        },
    )


def _reviewer_report(user, pk) -> QuarterlyReport:
    visible = selectors.reports_for_reviewer(user=user).exclude(status=QuarterlyReport.Status.DRAFT)
    return get_object_or_404(
        selectors.report_detail_queryset().filter(pk__in=visible.values("pk")), pk=pk
    )


@login_required
def report_review(request, pk):
    """Award 0..max points per item with a note, or return the report with a reason."""
    user = _reviewer(request)
    report = _reviewer_report(user, pk)
    forms = review_line_forms(report)
    return_form = ReturnForm()
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "return":
                return_form = ReturnForm(request.POST)
                if return_form.is_valid():
                    report_services.report_return(
                        report=report, by=user, reason=return_form.cleaned_data["reason"]
                    )
                    messages.success(request, _("The report is returned to its manager."))
                    return redirect("property_rating:review-queue")
            else:
                forms = review_line_forms(report, request.POST)
                if all(form.is_valid() for form in forms):
                    report = report_services.report_review(
                        report=report,
                        by=user,
                        scores={
                            form.line.task_item.code: {
                                "points": form.cleaned_data["points"],
                                "note": form.cleaned_data["note"],
                            }
                            for form in forms
                        },
                    )
                    if report.status == QuarterlyReport.Status.REVIEWED:
                        messages.success(request, _("The review is complete."))
                        return redirect("property_rating:review-queue")
                    messages.success(
                        request, _("The points are saved; some items still have none.")
                    )
                    return redirect("property_rating:review-report", pk=report.pk)
                errors = [_("Please correct the errors below.")]
        except ValidationError as error:
            errors = list(error.messages)
        except PermissionDenied:
            raise Http404 from None
        status = 400
    return render(
        request,
        "property_rating/review_report.html",
        {
            "report": report,
            "unit": report.unit,
            "rows": [(form.line, form) for form in forms],
            "return_form": return_form,
            "errors": errors,
            "can_act": report.status
            in (QuarterlyReport.Status.SUBMITTED, QuarterlyReport.Status.REVIEWED),
            "due_at": selectors.report_due_at(report),
            "t9_cases": _owner_requests_evidence(report),
        },
        status=status,
    )


def _owner_requests_evidence(report: QuarterlyReport) -> dict:
    """cases.md: beside task item T9 (owners' requests) the reviewer sees the company's
    estate-level on-time reply rate and satisfaction for the quarter, as evidence, not a score."""
    from deliberation.interface import company_case_figures

    unit = report.unit
    return company_case_figures(
        company_id=unit.company_id, estate_id=unit.estate_id, year=unit.year, quarter=report.quarter
    )


# --------------------------------------------------------------------------------------------
# Year-end inspections (expert panel)
# --------------------------------------------------------------------------------------------


def _expert(request):
    user = request.user
    if user.is_superuser or not user.has_perm("property_rating.score_inspection"):
        raise PermissionDenied
    return user


@login_required
def inspections(request):
    """The town's units of one year with this expert's own inspection score."""
    user = _expert(request)
    years = _years(user)
    year = _year(request, years)
    mine = InspectionScore.objects.filter(unit=OuterRef("pk"), expert=user)
    units = (
        AssessmentUnit.objects.filter(town_id=user.town_id, year=year)
        .select_related("estate__community", "company")
        .annotate(my_score=Subquery(mine.values("score")[:1]))
        .order_by("estate__community__name", "estate__name")
    )
    return render(
        request,
        "property_rating/review_inspections.html",
        {"units": units, "year": year, "years": years, "frozen": _published(user, year)},
    )


@login_required
def inspection_score(request, unit_pk):
    user = _expert(request)
    unit = get_object_or_404(
        AssessmentUnit.objects.select_related("estate__community", "company").filter(
            town_id=user.town_id
        ),
        pk=unit_pk,
    )
    existing = InspectionScore.objects.filter(unit=unit, expert=user).first()
    initial = {"score": existing.score, "note": existing.note} if existing else None
    form = InspectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report_services.inspection_score_set(
                unit=unit,
                expert=user,
                score=form.cleaned_data["score"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Your inspection score for %(estate)s is saved.") % {"estate": unit.estate},
            )
            return redirect(f"{reverse('property_rating:review-inspections')}?year={unit.year}")
    return render(
        request,
        "property_rating/review_inspection_form.html",
        {"unit": unit, "form": form, "existing": existing},
        status=400 if form.errors else 200,
    )


# --------------------------------------------------------------------------------------------
# Vetoes (township staff)
# --------------------------------------------------------------------------------------------


def _town_staff(request):
    user = request.user
    if user.is_superuser or not user.has_perm("property_rating.record_veto"):
        raise PermissionDenied
    return user


@login_required
def vetoes(request):
    """Record a veto (一票否决) with a reason; list the year's vetoes, revoked ones too."""
    user = _town_staff(request)
    years = _years(user)
    year = _year(request, years)
    units = (
        AssessmentUnit.objects.filter(town_id=user.town_id, year=year)
        .select_related("estate", "company")
        .order_by("estate__name")
    )
    form = VetoForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            report_services.veto_record(
                unit=form.cleaned_data["unit"], by=user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The veto is recorded."))
            return redirect(f"{reverse('property_rating:review-vetoes')}?year={year}")
    rows = (
        Veto.objects.filter(unit__town_id=user.town_id, unit__year=year)
        .select_related("unit__estate", "unit__company", "recorded_by", "revoked_by")
        .order_by("-recorded_at")
    )
    return render(
        request,
        "property_rating/review_vetoes.html",
        {
            "form": form,
            "vetoes": rows,
            "year": year,
            "years": years,
            "revoke_form": VetoRevokeForm(),
            "frozen": _published(user, year),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def veto_revoke(request, pk):
    user = _town_staff(request)
    veto = get_object_or_404(
        Veto.objects.select_related("unit").filter(unit__town_id=user.town_id), pk=pk
    )
    form = VetoRevokeForm(request.POST)
    if form.is_valid():
        try:
            report_services.veto_revoke(veto=veto, by=user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The veto is revoked."))
    else:
        messages.error(request, _("Say why the veto is revoked."))
    return redirect(f"{reverse('property_rating:review-vetoes')}?year={veto.unit.year}")
