"""Pages: a town's public needs list, and project totals for staff of a town, district or city."""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from communities.models import Town
from communities.regions import area_from_params
from governance.charts import bar_chart

from . import selectors
from .forms import TotalsForm
from .models import OutputKind


def needs_public(request, town_id: int):
    """The town's needs list (需求清单): public, read-only, no personal data."""
    town = get_object_or_404(Town, pk=town_id)
    page = Paginator(selectors.public_needs(town.pk), 30).get_page(request.GET.get("page"))
    return render(request, "projects/needs_public.html", {"town": town, "page": page})


def resolve_totals(request):
    """(area, totals) for the caller, or (errors, None); Http404 outside the caller's scope."""
    if not selectors.reads_totals(request.user):
        raise Http404
    form = TotalsForm(request.GET)
    errors = {}
    area = None
    try:
        area = area_from_params(request.GET)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not form.is_valid():
        errors.update({field: list(messages) for field, messages in form.errors.items()})
    if area is None and not errors:
        area = selectors.default_area(request.user)
        if area is None:
            raise Http404
    if errors:
        return errors, None, None
    scope = selectors.project_scope(request.user, area)
    data = selectors.totals(
        scope,
        first_year=form.cleaned_data["first_year"],
        last_year=form.cleaned_data["last_year"],
    )
    return None, area, data


def totals_page(request):
    errors, area, data = resolve_totals(request)
    if errors:
        return render(request, "projects/totals.html", {"errors": errors}, status=400)
    labels = dict(OutputKind.choices)
    rows = [(labels[kind], n) for kind, n in data["outputs"].items()]
    chart = bar_chart(_("Outputs of completed projects"), rows)
    return render(
        request,
        "projects/totals.html",
        {"area": area, "data": data, "rows": rows, "chart": chart, "labels": labels},
    )
