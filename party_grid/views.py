import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Town
from communities.scoping import region_read_town_ids
from deliberation.interface import case_categories, case_from_problem
from governance.charts import bar_chart

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
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        category_code = data.pop("problem_category", "")
        try:
            with transaction.atomic():
                visit = services.visit_log(user=request.user, **data)
                if visit.problem.strip():
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


def _dashboard_town(request) -> Town:
    user = request.user
    if user.is_superuser and request.GET.get("town"):
        return get_object_or_404(Town, pk=request.GET["town"])
    if user.town_id:
        return user.town
    region_towns = region_read_town_ids(user)
    if region_towns:
        # District and city staff read any town below their region (`?town=<id>`; another
        # town's id is not found), the first by name without one.
        towns = Town.objects.filter(pk__in=region_towns).order_by("name")
        asked = request.GET.get("town", "")
        if asked:
            return get_object_or_404(towns, pk=asked if asked.isdigit() else None)
        return towns.first()
    town = Town.objects.order_by("name").first()
    if town is None:
        raise PermissionDenied
    return town


def _percent(value: Decimal | None) -> Decimal:
    return ((value or Decimal(0)) * 100).quantize(Decimal("0.01"))


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.2f}"


@login_required
def dashboard(request):
    """Staff dashboard: the statistics per community and for the area, with charts."""
    if not request.user.has_perm("party_grid.view_dashboard"):
        raise PermissionDenied
    town = _dashboard_town(request)
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

    communities = list(town.communities.order_by("name"))
    allowed = party_rules.dashboard_community_ids(request.user, town)
    if allowed is not None:
        communities = [c for c in communities if c.pk in allowed]
    ids = [c.pk for c in communities]
    per_community = selectors.statistics_by_community(
        town=town, community_ids=ids, on=on, visited_from=visited_from, visited_to=visited_to
    )
    rows = []
    totals = selectors.PartyStatistics(households_visited=0)
    for community in communities:
        stats = per_community.get(community.pk, selectors.PartyStatistics(households_visited=0))
        rows.append({"community": community, "stats": stats})
        totals.add(stats)

    kinds = VolunteerTeam.Kind
    # The twelve months up to and including the month of `on`.
    month_start = on.replace(day=1)
    for _month in range(11):
        month_start = (month_start - datetime.timedelta(days=1)).replace(day=1)
    months = selectors.visits_per_month(town=town, community_ids=ids, start=month_start, end=on)
    charts = [
        bar_chart(
            _("Party-organisation coverage of estates by community"),
            [(r["community"].name, _percent(r["stats"].coverage)) for r in rows],
            unit="%",
        ),
        bar_chart(
            _("Single-built rate by community"),
            [(r["community"].name, _percent(r["stats"].single_built_rate)) for r in rows],
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
            "town": town,
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
            "totals_single_rate": _pct(totals.single_built_rate),
            "totals_coverage": _pct(totals.coverage),
            "row_rates": [
                (r, _pct(r["stats"].single_built_rate), _pct(r["stats"].coverage)) for r in rows
            ],
        },
    )
