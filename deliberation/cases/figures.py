"""Case figures per estate, community, department, company and town, per month and quarter
(cases.md "Figures"), in a constant number of grouped queries whatever the number of cases.

A case counts in the period it was received; merged duplicates are left out (their kept case
counts). Per scope a case belongs to:
- estate, community, town: where it was raised;
- company: the company of its first estate-level assignment (the company that handled it);
- department: the department of its first town-level assignment;
both stored on the case when it is assigned (Case.first_company, Case.first_department).

Figures of a group: received; accepted_on_time (the first assignment accepted by its acceptance
deadline); replied_on_time (a reply by its assignment's reply deadline); overdue_now (an open
assignment past its reply deadline now); mean_days (mean handling time in working days, from the
day received to the first reply, over replied cases); rated and satisfied (ratings 4-5 among
rated; satisfaction_pct); reopened; misrouted (a returned assignment).
"""

import bisect
import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, Min, OuterRef, Q
from django.db.models.functions import TruncMonth, TruncQuarter
from django.utils import timezone

from governance.figures import shared
from governance.periods import quarter_of

from . import deadlines
from .models import Assignment, Case, Level, Reply

SCOPES = ("estate", "community", "department", "company", "town")
PERIODS = ("month", "quarter")


def _key(scope: str):
    # The company and department are the case's stored first handlers (Case.first_*, kept by
    # the services): a plain column, not a subquery per case.
    return {
        "estate": F("estate_id"),
        "community": F("estate__community_id"),
        "town": F("town_id"),
        "company": F("first_company_id"),
        "department": F("first_department_id"),
    }[scope]


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _bounds(start: datetime.date, end: datetime.date):
    return (
        datetime.datetime.combine(start, datetime.time(), tzinfo=deadlines.SHANGHAI),
        datetime.datetime.combine(
            end + datetime.timedelta(days=1), datetime.time(), tzinfo=deadlines.SHANGHAI
        ),
    )


@dataclass
class WorkdayIndex:
    """Working days counted between two dates by a prefix table over the span (no per-day query)."""

    start: datetime.date
    workdays: list[int]

    @classmethod
    def build(cls, start: datetime.date, end: datetime.date) -> "WorkdayIndex":
        calendar = deadlines.Calendar.load(start, end)
        days, day = [], start
        while day <= end:
            if calendar.is_workday(day):
                days.append((day - start).days)
            day += datetime.timedelta(days=1)
        return cls(start=start, workdays=days)

    def between(self, first: datetime.date, last: datetime.date) -> int:
        """Working days after `first` up to and including `last` (a same-day answer is 0)."""
        lo = bisect.bisect_right(self.workdays, (first - self.start).days)
        hi = bisect.bisect_right(self.workdays, (last - self.start).days)
        return max(hi - lo, 0)


def case_figures(
    *,
    scope: str,
    period: str,
    start: datetime.date,
    end: datetime.date,
    town_id: int | None = None,
    keys=None,
    now=None,
    town_ids=None,
) -> dict:
    """{(key, period_start_date): figures} for cases received in [start, end] (inclusive dates,
    Asia/Shanghai). `keys` restricts the groups (e.g. one estate); `town_ids` the towns (a
    district or city: its groups are counted over all its towns' cases). Three queries."""
    if scope not in SCOPES or period not in PERIODS:
        raise ValueError(f"unknown scope or period: {scope}, {period}")
    now = now or timezone.now()
    lo, hi = _bounds(start, end)
    trunc = (TruncMonth if period == "month" else TruncQuarter)(
        "received_at", tzinfo=deadlines.SHANGHAI
    )
    cases = Case.objects.filter(received_at__gte=lo, received_at__lt=hi, merged_into__isnull=True)
    if town_id is not None:
        cases = cases.filter(town_id=town_id)
    if town_ids is not None:
        cases = cases.filter(town_id__in=list(town_ids))
    cases = cases.annotate(key=_key(scope), period=trunc)
    if keys is not None:
        cases = cases.filter(key__in=list(keys))
    rows = (
        cases.annotate(
            first_accepted_at=F("first_assignment__accepted_at"),
            first_accepted_late=F("first_assignment__accepted_late"),
            has_on_time_reply=Exists(Reply.objects.filter(case=OuterRef("pk"), on_time=True)),
            has_overdue=Exists(
                Assignment.objects.filter(
                    case=OuterRef("pk"), ended_at__isnull=True, reply_due__lt=now
                )
            ),
            has_misroute=Exists(Assignment.objects.filter(case=OuterRef("pk"), misroute=True)),
        )
        .values("key", "period")
        .annotate(
            received=Count("pk"),
            accepted_on_time=Count(
                "pk", filter=Q(first_accepted_at__isnull=False, first_accepted_late=False)
            ),
            replied_on_time=Count("pk", filter=Q(has_on_time_reply=True)),
            overdue_now=Count("pk", filter=Q(has_overdue=True)),
            rated=Count("pk", filter=Q(rating__isnull=False)),
            satisfied=Count("pk", filter=Q(rating__gte=4)),
            reopened=Count("pk", filter=Q(reopened_count__gt=0)),
            misrouted=Count("pk", filter=Q(has_misroute=True)),
        )
        .order_by()
    )
    result = {}
    for row in rows:
        if row["key"] is None:
            continue  # e.g. a case never at estate level has no company
        period_start = (
            timezone.localtime(row["period"], deadlines.SHANGHAI).date()
            if isinstance(row["period"], datetime.datetime)
            else row["period"]
        )
        figures = {k: row[k] for k in row if k not in ("key", "period")}
        figures["satisfaction_pct"] = _pct(row["satisfied"], row["rated"])
        figures["replied_on_time_pct"] = _pct(row["replied_on_time"], row["received"])
        figures["accepted_on_time_pct"] = _pct(row["accepted_on_time"], row["received"])
        figures["mean_days"] = None
        result[(row["key"], period_start)] = figures
    # Handling time: one query for (group, period, received, first reply), counted in Python
    # against a prefix table of working days (the calendar is not in the database whole).
    handled = (
        cases.annotate(first_reply=Min("replies__at"))
        .filter(first_reply__isnull=False)
        .values_list("key", "period", "received_at", "first_reply")
        .order_by()
    )
    handled = list(handled)
    # Built even with nothing handled, so the page runs the same queries at every size.
    index = WorkdayIndex.build(start, max(end, timezone.localdate(now)) + datetime.timedelta(1))
    sums: dict = {}
    for key, period_at, received_at, first_reply in handled:
        if key is None:
            continue
        period_start = (
            timezone.localtime(period_at, deadlines.SHANGHAI).date()
            if isinstance(period_at, datetime.datetime)
            else period_at
        )
        days = index.between(
            timezone.localtime(received_at, deadlines.SHANGHAI).date(),
            timezone.localtime(first_reply, deadlines.SHANGHAI).date(),
        )
        total, count = sums.get((key, period_start), (0, 0))
        sums[(key, period_start)] = (total + days, count + 1)
    for group, (total, count) in sums.items():
        if group in result:
            result[group]["mean_days"] = (Decimal(total) / Decimal(count)).quantize(
                Decimal("0.1"), ROUND_HALF_UP
            )
    return result


def company_quarter(*, company_id: int, estate_id: int, year: int, quarter: int) -> dict:
    """Estate-level figures of one company at one estate for one quarter (task item T9 evidence):
    cases received in the quarter that the company handled at estate level."""
    start = datetime.date(year, 3 * quarter - 2, 1)
    _start, end = quarter_of(start)
    lo, hi = _bounds(start, end)
    estate_assignments = Assignment.objects.filter(
        level=Level.ESTATE,
        company_id=company_id,
        case__estate_id=estate_id,
        case__received_at__gte=lo,
        case__received_at__lt=hi,
        case__merged_into__isnull=True,
    )
    counts = estate_assignments.aggregate(
        cases=Count("case", distinct=True),
        replied=Count("case", filter=Q(replies__isnull=False), distinct=True),
        replied_on_time=Count("case", filter=Q(replies__on_time=True), distinct=True),
    )
    ratings = Case.objects.filter(
        pk__in=estate_assignments.values("case_id"), rating__isnull=False
    ).aggregate(rated=Count("pk"), satisfied=Count("pk", filter=Q(rating__gte=4)))
    return {
        "company_id": company_id,
        "estate_id": estate_id,
        "year": year,
        "quarter": quarter,
        "cases": counts["cases"],
        "replied": counts["replied"],
        "replied_on_time": counts["replied_on_time"],
        "on_time_reply_rate": _pct(counts["replied_on_time"], counts["cases"]),
        "rated": ratings["rated"],
        "satisfied": ratings["satisfied"],
        "satisfaction": _pct(ratings["satisfied"], ratings["rated"]),
    }


# Region reports (regions.md "Figures across a region"; governance.figures): per town, cases per
# 1,000 households and the on-time reply rate of the cases received in the period; a region's
# values are taken over all its towns' cases and households, not averaged over towns.


@shared
def _town_case_parts(town_ids, start: datetime.date, end: datetime.date) -> dict[int, dict]:
    """Per town: cases received in the period and those replied on time, in one query (shared
    by the two figures and their region values within one figures evaluation)."""
    lo, hi = _bounds(start, end)
    rows = (
        Case.objects.filter(
            town_id__in=list(town_ids),
            received_at__gte=lo,
            received_at__lt=hi,
            merged_into__isnull=True,
        )
        .annotate(has_on_time_reply=Exists(Reply.objects.filter(case=OuterRef("pk"), on_time=True)))
        .values("town_id")
        .annotate(
            received=Count("pk"),
            replied_on_time=Count("pk", filter=Q(has_on_time_reply=True)),
        )
        .order_by()
    )
    return {row.pop("town_id"): row for row in rows}


def _region_case_parts(town_ids, start, end) -> dict[str, int]:
    """The towns' cases together: a case is in exactly one town, so its counts are the sums
    (the region's rates are then taken over these sums, never averaged over towns)."""
    parts = _town_case_parts(town_ids, start, end).values()
    return {
        "received": sum(p["received"] for p in parts),
        "replied_on_time": sum(p["replied_on_time"] for p in parts),
    }


def _households(town_ids, *, by_town: bool):
    """Registered households per town, or of the towns together (a household is in one town,
    so the sum)."""
    from communities.selectors import households_per_estate

    per_town = defaultdict(int)
    for town_id, n in households_per_estate(list(town_ids)).values():
        per_town[town_id] += n
    return dict(per_town) if by_town else sum(per_town.values())


def _per_thousand(cases: int, households: int) -> Decimal | None:
    if not households:
        return None
    return (Decimal(cases) * 1000 / households).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _rate(part: int, whole: int) -> Decimal | None:
    """A rate in [0, 1] (governance.figures shows it as a percentage)."""
    if not whole:
        return None
    return (Decimal(part) / whole).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def cases_per_thousand_households(town_ids, start, end) -> dict:
    """Two queries (each shared within one figures evaluation)."""
    cases = _town_case_parts(town_ids, start, end)
    households = _households(town_ids, by_town=True)
    return {
        town_id: _per_thousand(cases.get(town_id, {}).get("received", 0), n)
        for town_id, n in households.items()
    }


def cases_per_thousand_households_region(town_ids, start, end):
    received = _region_case_parts(town_ids, start, end)["received"]
    return _per_thousand(received, _households(town_ids, by_town=False))


def on_time_reply_rate(town_ids, start, end) -> dict:
    """One query."""
    return {
        town_id: _rate(p["replied_on_time"], p["received"])
        for town_id, p in _town_case_parts(town_ids, start, end).items()
    }


def on_time_reply_rate_region(town_ids, start, end):
    parts = _region_case_parts(town_ids, start, end)
    return _rate(parts["replied_on_time"], parts["received"])


def register() -> None:
    from django.utils.translation import gettext_lazy as _

    from governance import figures as registry

    registry.register_figure(
        "cases_per_thousand_households",
        _("Cases per 1,000 households"),
        cases_per_thousand_households,
        region=cases_per_thousand_households_region,
        higher_is_better=False,
        order=50,
    )
    registry.register_figure(
        "cases_on_time_reply_rate",
        _("On-time reply rate"),
        on_time_reply_rate,
        region=on_time_reply_rate_region,
        percent=True,
        order=51,
    )
