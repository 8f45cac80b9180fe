"""Data for the property_rating panels of the role home pages (a few queries each, no loops)."""

import datetime

from django import template
from django.db.models import Q
from django.utils import timezone

from property_rating import selectors
from property_rating.models import QuarterlyReport, SatisfactionRating
from property_rating.reports import satisfaction_unit_for

register = template.Library()


@register.simple_tag(takes_context=True)
def manager_panel(context) -> dict:
    """The manager's units of the latest year and the quarters still to report (due or overdue)."""
    user = context["request"].user
    units = selectors.units_for_manager(user=user)
    year = units.values_list("year", flat=True).first()
    if year is None:
        return {"year": None, "units": [], "todo": []}
    now = timezone.now()
    rows = selectors.manager_quarter_overview(user=user, year=year)
    todo = []
    for row in rows:
        for q in row["quarters"]:
            report = q["report"]
            open_report = report is None or report.is_editable_by_manager
            # Quarters that have ended and still need the manager's action.
            if open_report and q["due_at"] and q["due_at"] - _report_window(row) <= now:
                todo.append({"unit": row["unit"], **q, "overdue": q["due_at"] < now})
    return {"year": year, "units": [row["unit"] for row in rows], "todo": todo[:8]}


def _report_window(row):
    scheme = row["scheme"]
    return datetime.timedelta(days=scheme.report_due_days if scheme else 15)


@register.simple_tag(takes_context=True)
def assessor_panel(context) -> dict:
    user = context["request"].user
    waiting = (
        selectors.reports_for_reviewer(user=user)
        .filter(status=QuarterlyReport.Status.SUBMITTED)
        .order_by()
        .count()
    )
    return {"waiting": waiting, "expert": user.is_expert_panel}


@register.simple_tag(takes_context=True)
def resident_panel(context) -> dict:
    user = context["request"].user
    household = user.verified_household
    if household is None:
        return {"household": None}

    year = selectors.satisfaction_year(estate=household.building.estate)
    unit = satisfaction_unit_for(user=user, year=year) if year else None
    rated = (
        SatisfactionRating.objects.filter(Q(household=household) & Q(year=year)).first()
        if unit
        else None
    )
    return {"household": household, "unit": unit, "year": year, "rated": rated}
