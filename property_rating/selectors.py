"""Reads of the property_rating app, each limited to what the caller may see."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from communities import roles
from communities.scoping import scope_to_staff

from .models import (
    QUARTERS,
    AnnualResult,
    AssessmentUnit,
    Payout,
    QuarterlyReport,
    QuarterScore,
    Scheme,
)


def units_for_manager(*, user, year: int | None = None) -> QuerySet:
    """A property manager's own company's units in the towns whose staff granted the account
    (newest year first)."""
    if not roles.company_town_pairs(user):
        return AssessmentUnit.objects.none()
    qs = AssessmentUnit.objects.filter(roles.manager_scope_q(user)).select_related(
        "estate__community", "company", "town"
    )
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "estate__name")


def reports_for_manager(*, user) -> QuerySet:
    """Reports of the manager's company (use .get(pk=...) / get_object_or_404 for one: 404 else)."""
    if not roles.company_town_pairs(user):
        return QuarterlyReport.objects.none()
    scope = roles.manager_scope_q(user, company_path="unit__company", town_path="unit__town")
    return QuarterlyReport.objects.filter(scope).select_related(
        "unit__estate__community", "unit__company"
    )


def reports_for_reviewer(*, user) -> QuerySet:
    """Reports an assessor or staff member may see (their town / community)."""
    return scope_to_staff(
        QuarterlyReport.objects.select_related("unit__estate__community", "unit__company"),
        user,
        community_path="unit__estate__community",
    ).annotate(
        unreviewed_items=Count("items", filter=Q(items__awarded_points__isnull=True)),
    )


def report_detail_queryset() -> QuerySet:
    """A report with its lines, task items, evidence, submissions and returns, prefetched."""
    from .models import ReportItem

    return QuarterlyReport.objects.select_related(
        "unit__estate__community", "unit__company", "submitted_by"
    ).prefetch_related(
        Prefetch(
            "items",
            queryset=ReportItem.objects.select_related("task_item").prefetch_related("evidence"),
        ),
        "submissions",
        "returns__returned_by",
    )


def quarter_scores_for_manager(*, user, year: int | None = None) -> QuerySet:
    """Computed quarter scores of the manager's own units (visible once the quarter is computed,
    before publication too: property_rating.md)."""
    units = units_for_manager(user=user, year=year)
    return (
        QuarterScore.objects.filter(unit__in=units)
        .select_related("unit__estate", "unit__company")
        .order_by("-unit__year", "unit__estate__name", "quarter")
    )


def payouts_for_manager(*, user, year: int | None = None) -> QuerySet:
    """The manager's own payout ledger rows (accruals once a quarter is computed; the year's
    payout only once the year is published)."""
    units = units_for_manager(user=user, year=year)
    published = Scheme.objects.published().values_list("town_id", "year")
    year_filter = Q()
    for town_id, y in published:
        year_filter |= Q(unit__town_id=town_id, unit__year=y)
    qs = Payout.objects.filter(unit__in=units).select_related("unit__estate")
    return qs.filter(Q(quarter__gt=0) | (year_filter if year_filter else Q(pk__in=[])))


def annual_results_for_manager(*, user) -> QuerySet:
    """The manager's own annual results of published years."""
    return (
        AnnualResult.objects.published()
        .filter(unit__in=units_for_manager(user=user))
        .select_related("unit__estate", "unit__company")
    )


def manager_quarter_overview(*, user, year: int) -> list[dict]:
    """For the portal: each of the manager's units of `year` with each quarter's report status,
    due time and computed score (three queries whatever the number of units)."""
    units = list(units_for_manager(user=user, year=year))
    schemes = {
        s.town_id: s for s in Scheme.objects.filter(year=year, town__in={u.town_id for u in units})
    }
    reports = {
        (r.unit_id, r.quarter): r
        for r in QuarterlyReport.objects.filter(unit__in=[u.pk for u in units])
    }
    scores = {
        (s.unit_id, s.quarter): s
        for s in QuarterScore.objects.filter(unit__in=[u.pk for u in units])
    }
    rows = []
    for unit in units:
        scheme = schemes.get(unit.town_id)
        quarters = []
        for q in QUARTERS:
            if not unit.is_assessed_in(q):
                continue
            quarters.append(
                {
                    "quarter": q,
                    "report": reports.get((unit.pk, q)),
                    "score": scores.get((unit.pk, q)),
                    "due_at": scheme.due_at(q) if scheme else None,
                }
            )
        rows.append({"unit": unit, "scheme": scheme, "quarters": quarters})
    return rows


def results_for_staff(*, user, town_id=None, year=None) -> QuerySet:
    qs = scope_to_staff(
        AnnualResult.objects.select_related("unit__estate__community", "unit__company"),
        user,
        community_path="unit__estate__community",
    )
    if town_id:
        qs = qs.filter(unit__town_id=town_id)
    if year:
        qs = qs.filter(unit__year=year)
    return qs


def satisfaction_year(*, estate) -> int | None:
    """property_rating.md "Annual score", S: the year a resident rates now, once per household
    and year: the latest year up to this one in which the estate has a unit and whose results are
    not yet published (so rating 2022 stays open until 2022 is published); None if there is none.
    The one definition, used by the portal page, the home-page panel and the service."""
    today = timezone.localdate()
    return (
        AssessmentUnit.objects.filter(estate=estate, year__lte=today.year)
        .exclude(
            year__in=Scheme.objects.published()
            .filter(town_id=estate.community.town_id)
            .values("year")
        )
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


def report_due_at(report):
    """property_rating.md "Periods": when the report's quarter was due (None without a scheme)."""
    scheme = Scheme.objects.filter(town_id=report.unit.town_id, year=report.unit.year).first()
    return scheme.due_at(report.quarter) if scheme else None
