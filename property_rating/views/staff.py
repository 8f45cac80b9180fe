"""Staff pages: the assessment overview (computations, payouts, charts) and charts of star and
score distributions, each unit's quarterly trend and the town's year over year."""

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, Q
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from communities.models import Town
from communities.scoping import scope_to_staff
from governance.charts import bar_chart

from ..models import QUARTERS, AnnualResult, AssessmentUnit, ComputationRun, QuarterScore, Scheme
from ..periods import parse_id, parse_year

SCORE_BINS = [
    (Decimal("90"), "90-100"),
    (Decimal("80"), "80-89.99"),
    (Decimal("70"), "70-79.99"),
    (Decimal("60"), "60-69.99"),
    (Decimal("0"), "<60"),
]


def _staff_or_404(request):
    if not request.user.has_perm("property_rating.view_records"):
        raise Http404


def _town_and_year(request):
    towns = scope_to_staff(Town.objects.all(), request.user, town_path="pk")
    town_id = parse_id(request.GET.get("town") or "") or request.user.town_id
    town = towns.filter(pk=town_id).first() or towns.first()
    years = (
        list(Scheme.objects.filter(town=town).order_by("-year").values_list("year", flat=True))
        if town
        else []
    )
    # Default: the latest year with annual results, else the latest scheme.
    computed = (
        AnnualResult.objects.filter(unit__town=town)
        .order_by("-unit__year")
        .values_list("unit__year", flat=True)
        .first()
        if town
        else None
    )
    try:
        year = parse_year(request.GET.get("year") or computed or (years[0] if years else 0))
    except ValidationError:
        year = years[0] if years else 0
    return towns, town, years, year


def staff_overview(request):
    _staff_or_404(request)
    towns, town, years, year = _town_and_year(request)
    schemes = Scheme.objects.filter(town=town).order_by("-year") if town else []
    runs = (
        ComputationRun.objects.filter(town=town).select_related("started_by")[:10] if town else []
    )
    return render(
        request,
        "property_rating/staff_overview.html",
        {"town": town, "schemes": schemes, "runs": runs, "year": year},
    )


def staff_charts(request):
    _staff_or_404(request)
    towns, town, years, year = _town_and_year(request)
    context = {"towns": towns, "town": town, "years": years, "year": year}
    if town is None:
        return render(request, "property_rating/staff_charts.html", context)
    results = scope_to_staff(
        AnnualResult.objects.filter(unit__town=town, unit__year=year),
        request.user,
        community_path="unit__estate__community",
    )
    stars = dict(results.values_list("stars").annotate(n=Count("pk")).values_list("stars", "n"))
    context["has_results"] = bool(stars)
    context["star_chart"] = bar_chart(
        _("Star distribution"),
        [
            (_("5 stars"), stars.get(5, 0)),
            (_("4 stars"), stars.get(4, 0)),
            (_("3 stars"), stars.get(3, 0)),
            (_("no stars"), stars.get(0, 0)),
        ],
    )
    bins = defaultdict(int)
    for score in results.exclude(annual_score__isnull=True).values_list("annual_score", flat=True):
        for floor, label in SCORE_BINS:
            if score >= floor:
                bins[label] += 1
                break
    context["score_chart"] = bar_chart(
        _("Annual score distribution"), [(label, bins[label]) for _f, label in SCORE_BINS]
    )
    # Year over year: the mean annual score and the red list size of each year.
    yearly = (
        scope_to_staff(
            AnnualResult.objects.filter(unit__town=town),
            request.user,
            community_path="unit__estate__community",
        )
        .values("unit__year")
        .annotate(
            mean=Avg("annual_score"),
            red=Count("pk", filter=Q(list_name="red")),
            black=Count("pk", filter=Q(list_name="black")),
        )
        .order_by("unit__year")
    )
    context["yoy_chart"] = bar_chart(
        _("Mean annual score by year"),
        [
            (str(row["unit__year"]), (row["mean"] or Decimal(0)).quantize(Decimal("0.01")))
            for row in yearly
        ],
    )
    context["yearly"] = list(yearly)
    # Each unit's quarterly trend (one query for the scores, one for the units).
    units = (
        scope_to_staff(
            AssessmentUnit.objects.filter(town=town, year=year),
            request.user,
            community_path="estate__community",
        )
        .select_related("estate", "company")
        .order_by("estate__name")
    )
    scores = defaultdict(dict)
    for unit_id, quarter, score, status in QuarterScore.objects.filter(unit__in=units).values_list(
        "unit_id", "quarter", "score", "status"
    ):
        scores[unit_id][quarter] = (score, status)
    context["trend"] = [
        {
            "unit": unit,
            "quarters": [
                {
                    "q": q,
                    "score": scores[unit.pk].get(q, (None, None))[0],
                    "status": scores[unit.pk].get(q, (None, None))[1],
                    "width": int(scores[unit.pk][q][0] or 0) if q in scores[unit.pk] else 0,
                }
                for q in QUARTERS
            ],
        }
        for unit in units
    ]
    return render(request, "property_rating/staff_charts.html", context)
