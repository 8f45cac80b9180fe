import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from communities import roles, scoping
from communities.models import Region, Town
from communities.regions import Area, area_from_params
from deliberation.interface import (
    case_categories,
    case_follow_duplicate,
    case_from_problem,
    case_possible_duplicates,
    region_problem_estates,
)
from governance import figures as figure_registry
from governance.charts import bar_chart

from . import figures as party_figures
from . import rules as party_rules
from . import selectors, services
from .forms import DashboardForm, VisitForm
from .models import VolunteerTeam


@login_required
def visit_new(request):
    """Mobile-friendly page for a member or grid worker to log a household visit."""
    member, workers = selectors.visitor_roles(request.user)
    if not request.user.has_perm("party_grid.log_visit"):
        raise PermissionDenied
    households = selectors.households_for_visits(
        member=member, workers=workers, on=timezone.localdate()
    )
    town_id = request.user.town_id or (
        households.values_list("building__estate__community__town_id", flat=True).first()
    )
    form = VisitForm(
        request.POST or None,
        households=households,
        categories=case_categories(town_id=town_id) if town_id else (),
        find_duplicates=lambda household, code: case_possible_duplicates(
            household=household, category_code=code
        ),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        category_code = data.pop("problem_category", "")
        same_case = data.pop("same_case", None)
        data.pop("file_anyway", None)
        try:
            with transaction.atomic():
                visit = services.visit_log(user=request.user, **data)
                if same_case is not None:
                    # Already an open case of the estate: the visitor follows it.
                    case_follow_duplicate(
                        case_id=same_case.pk, household=visit.household, user=request.user
                    )
                elif visit.problem.strip():
                    # Every estate takes cases, with or without a council (issue 12).
                    case_from_problem(
                        household=visit.household,
                        title=visit.problem,
                        description=visit.problem,
                        raised_by=request.user,
                        category_code=category_code,
                        source="visit",
                    )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("Visit recorded."))
            return redirect("party_grid:visit-list")
    return render(
        request,
        "party_grid/visit_form.html",
        {"form": form, "member": member, "workers": workers},
    )


@login_required
def visit_list(request):
    member, workers = selectors.visitor_roles(request.user)
    if not request.user.has_perm("party_grid.log_visit"):
        raise PermissionDenied
    return render(
        request,
        "party_grid/visit_list.html",
        {"visits": selectors.visits_of(member=member, workers=workers), "member": member},
    )


def _dashboard_area(request) -> Area:
    """The town, district or city the dashboard shows: asked with town=, district= or city=
    (raises ValidationError on a bad name), else the user's own. Township staff read their own
    towns, district and city staff their region and the towns below it; anything else is a 404
    (regions.md)."""
    user = request.user
    area = area_from_params(request.GET)
    if area is None:
        if user.is_superuser:
            town = Town.objects.order_by("name").first()
            if town is None:
                raise PermissionDenied
            return Area(town=town)
        if user.town_id:
            return Area(town=user.town)
        region_ids = roles.region_ids(user)
        if region_ids:
            return Area(region=Region.objects.get(pk=min(region_ids)))
        raise PermissionDenied
    return scoping.readable_area(user, area)


def _percent(value: Decimal | None) -> Decimal:
    return ((value or Decimal(0)) * 100).quantize(Decimal("0.01"))


def _pct(value) -> str:
    """A rate as a percentage ("37.80%"), or a dash where there is nothing to divide."""
    return figure_registry.display(value, percent=True)


@login_required
def dashboard(request):
    """Staff dashboard: the statistics per community and for the area, with charts."""
    if not (
        request.user.has_perm("party_grid.view_dashboard") or roles.is_region_staff(request.user)
    ):
        raise PermissionDenied
    try:
        area = _dashboard_area(request)
    except ValidationError as error:
        return HttpResponseBadRequest(
            escape("; ".join(f"{key}: {' '.join(m)}" for key, m in error.message_dict.items())),
            content_type="text/plain; charset=utf-8",
        )
    form = DashboardForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    on = data.get("date") or timezone.localdate()
    visited_to = data.get("visited_to") or on
    # The period staff report on is the year (issue 15): from 1 January of the end's year.
    visited_from = data.get("visited_from") or visited_to.replace(month=1, day=1)
    if not request.GET:
        # The picker shows the period the page counts, not empty boxes.
        form = DashboardForm(
            initial={"date": on, "visited_from": visited_from, "visited_to": visited_to}
        )

    rows = []
    if area.town is not None:
        town = area.town
        communities = list(town.communities.order_by("name"))
        allowed = party_rules.dashboard_community_ids(request.user, town)
        if town.pk in scoping.region_read_town_ids(request.user):
            allowed = None  # regions.md: district and city staff read every town below them
        if allowed is not None:
            communities = [c for c in communities if c.pk in allowed]
        ids = [c.pk for c in communities]
        per_community = selectors.statistics_by_community(
            town=town, community_ids=ids, on=on, visited_from=visited_from, visited_to=visited_to
        )
        totals = selectors.PartyStatistics(households_visited=0)
        for community in communities:
            stats = per_community.get(community.pk, selectors.PartyStatistics(households_visited=0))
            rows.append({"name": community.name, "stats": stats})
            totals.add(stats)
        month_area = {"town": town, "community_ids": ids}
    else:
        # regions.md: a district's or city's figures, town by town, from the records.
        towns = list(area.towns().order_by("district__name", "name"))
        per_town, totals = selectors.area_breakdown(
            town_ids=[t.pk for t in towns],
            on=on,
            visited_from=visited_from,
            visited_to=visited_to,
        )
        for town in towns:
            stats = per_town.get(town.pk, selectors.PartyStatistics(households_visited=0))
            rows.append({"name": town.name, "town": town, "stats": stats})
        month_area = {"town_ids": [t.pk for t in towns]}

    kinds = VolunteerTeam.Kind
    # The twelve months up to and including the month of `on`.
    month_start = on.replace(day=1)
    for _month in range(11):
        month_start = (month_start - datetime.timedelta(days=1)).replace(day=1)
    months = selectors.visits_per_month(**month_area, start=month_start, end=on)
    charts = [
        bar_chart(
            _("Party-organisation coverage of estates by town")
            if area.region
            else _("Party-organisation coverage of estates by community"),
            [(r["name"], _percent(r["stats"].coverage)) for r in rows],
            unit="%",
        ),
        bar_chart(
            _("Single-built rate by town") if area.region else _("Single-built rate by community"),
            [(r["name"], _percent(r["stats"].single_built_rate)) for r in rows],
            unit="%",
        ),
        bar_chart(
            _("Volunteer teams by kind"),
            [(kinds(kind).label, n) for kind, n in totals.volunteer_teams_by_kind.items()],
        ),
        bar_chart(_("Visits per month"), [(m.strftime("%Y-%m"), n) for m, n in months]),
    ]
    return render(
        request,
        "party_grid/dashboard.html",
        {
            "area": area,
            "is_region": area.region is not None,
            "on": on,
            "form": form,
            "rows": rows,
            "totals": totals,
            "visited_from": visited_from,
            "visited_to": visited_to,
            "charts": charts,
            "team_counts": [
                (kind, kinds(kind).label, n) for kind, n in totals.volunteer_teams_by_kind.items()
            ],
            "volunteer_counts": [
                (kind, kinds(kind).label, n) for kind, n in totals.volunteers_by_kind.items()
            ],
            "totals_single_rate": _pct(totals.single_built_rate),
            "totals_coverage": _pct(totals.coverage),
            "row_rates": [
                (r, _pct(r["stats"].single_built_rate), _pct(r["stats"].coverage)) for r in rows
            ],
        },
    )


RANKED = (
    # (attribute, label, percent): the figures towns are compared on, best first.
    ("coverage", _lazy("Coverage of estates"), True),
    ("single_built_rate", _lazy("Single-built rate"), True),
    ("service_stations", _lazy("Party-mass service stations"), False),
    ("grid_workers", _lazy("Grid workers"), False),
    ("building_heads", _lazy("Building heads"), False),
    ("owners_committees", _lazy("Owners' committees"), False),
    ("three_without_estates", _lazy("Three-without estates"), False),
)


def _registry_figures(towns, on):
    """Every app's figures (governance.figures: ratings, cases, projects, ...) of the towns side
    by side for the year to `on`, with the region's own values over all its records. A constant
    number of queries: each provider computes all the towns at once."""
    start = on.replace(month=1, day=1)
    town_ids = [t.pk for t in towns]
    shown = figure_registry.figures()
    values = {f.key: f.compute(town_ids, start, on) for f in shown}
    rows = [
        {
            "town": town,
            "cells": [
                figure_registry.display(values[f.key].get(town.pk), percent=f.percent)
                for f in shown
            ],
        }
        for town in towns
    ]
    region = []
    for f in shown:
        value = f.region_value(town_ids, start, on, values[f.key])
        region.append(figure_registry.display(value, percent=f.percent))
    return [f.label for f in shown], rows, region


@login_required
def ranking(request):
    """Towns of a district or city side by side (ranked by coverage of estates), with bar
    charts, and the region's problem estates of a quarter (regions.md "Rankings")."""
    if not (
        request.user.has_perm("party_grid.view_dashboard") or roles.is_region_staff(request.user)
    ):
        raise PermissionDenied
    try:
        area = _dashboard_area(request)
    except ValidationError as error:
        return HttpResponseBadRequest(
            escape("; ".join(f"{key}: {' '.join(m)}" for key, m in error.message_dict.items())),
            content_type="text/plain; charset=utf-8",
        )
    if area.region is None:
        raise Http404
    form = DashboardForm(request.GET or None)
    on = (form.cleaned_data.get("date") if form.is_valid() else None) or timezone.localdate()
    towns = list(area.towns().order_by("name"))
    town_ids = [t.pk for t in towns]
    year, quarter = on.year, (on.month - 1) // 3 + 1
    with figure_registry.one_evaluation():
        # One party computation for the table, the charts and the registry's party figures
        # (the problem estates are one query of their own, households read within it).
        per_town, totals = party_figures.breakdown(town_ids, on)
        figure_headers, figure_rows, region_cells = _registry_figures(towns, on)
    problems = region_problem_estates(town_ids=town_ids, year=year, quarter=quarter)
    empty = selectors.PartyStatistics()
    rows = [{"town": t, "stats": per_town.get(t.pk, empty)} for t in towns]
    rows.sort(key=lambda r: (-(r["stats"].coverage or Decimal(-1)), r["town"].name))
    table = [
        {
            "rank": i + 1,
            "town": r["town"],
            "cells": [
                _pct(getattr(r["stats"], attr)) if percent else getattr(r["stats"], attr)
                for attr, _label, percent in RANKED
            ],
        }
        for i, r in enumerate(rows)
    ]
    charts = [
        bar_chart(
            str(label),
            [
                (
                    r["town"].name,
                    _percent(getattr(r["stats"], attr)) if percent else getattr(r["stats"], attr),
                )
                for r in rows
            ],
            unit="%" if percent else "",
        )
        for attr, label, percent in RANKED
    ]
    return render(
        request,
        "party_grid/ranking.html",
        {
            "area": area,
            "on": on,
            "form": form,
            "headers": [label for _attr, label, _percent in RANKED],
            "table": table,
            "totals": totals,
            "charts": charts,
            "problems": problems,
            "figure_headers": figure_headers,
            "figure_rows": figure_rows,
            "region_cells": region_cells,
            "year": year,
            "quarter": quarter,
        },
    )
