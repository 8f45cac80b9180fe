"""The ratings' figures for region reports (governance.figures): per town, for the year the period
ends in, from the published annual results only (what anyone may read; an unpublished year is not
reported). A region's average score is taken over all its towns' rated units, not averaged over
towns. One grouped query per call, whatever the number of towns."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from governance import figures

from .models import AnnualResult

RATED = Q(status=AnnualResult.Status.RATED, annual_score__isnull=False)
PARTS = {
    "score_sum": Sum("annual_score", filter=RATED),
    "rated": Count("pk", filter=RATED),
    "starred": Count("pk", filter=Q(stars__gt=0)),
    "red_list": Count("pk", filter=Q(list_name=AnnualResult.ListName.RED)),
    "black_list": Count("pk", filter=Q(list_name=AnnualResult.ListName.BLACK)),
}


def _results(town_ids: list[int], end: datetime.date):
    return AnnualResult.objects.published().filter(
        unit__town_id__in=list(town_ids), unit__year=end.year
    )


def _mean(score_sum, rated) -> Decimal | None:
    if not rated:
        return None
    return (Decimal(score_sum) / rated).quantize(Decimal("0.01"), ROUND_HALF_UP)


def parts_by_town(town_ids: list[int], end: datetime.date) -> dict[int, dict]:
    rows = _results(town_ids, end).values("unit__town_id").annotate(**PARTS).order_by()
    return {row.pop("unit__town_id"): row for row in rows}


def region_parts(town_ids: list[int], end: datetime.date) -> dict:
    """The region's parts; all None when it has no published result of the year (as a town
    without one has no value)."""
    parts = _results(town_ids, end).aggregate(units=Count("pk"), **PARTS)
    if not parts.pop("units"):
        return dict.fromkeys(parts)
    return parts


def average_score(town_ids, start, end):
    return {t: _mean(p["score_sum"], p["rated"]) for t, p in parts_by_town(town_ids, end).items()}


def average_score_region(town_ids, start, end):
    parts = region_parts(town_ids, end)
    return _mean(parts["score_sum"], parts["rated"])


def _count(name: str):
    def per_town(town_ids, start, end):
        return {t: p[name] for t, p in parts_by_town(town_ids, end).items()}

    def region(town_ids, start, end):
        return region_parts(town_ids, end)[name]

    return per_town, region


def register() -> None:
    figures.register_figure(
        "rating_average_score",
        _("Average annual rating score"),
        average_score,
        region=average_score_region,
        order=40,
    )
    starred, starred_region = _count("starred")
    figures.register_figure(
        "rating_starred_units", _("Starred units"), starred, region=starred_region, order=41
    )
    red, red_region = _count("red_list")
    figures.register_figure(
        "rating_red_list", _("Units on the red list"), red, region=red_region, order=42
    )
    black, black_region = _count("black_list")
    figures.register_figure(
        "rating_black_list",
        _("Units on the black list"),
        black,
        region=black_region,
        higher_is_better=False,
        order=43,
    )
