"""Projects' figures for region reports (governance.figures): per town, the projects completed in
the period (completed_on within it), their outputs (items of every kind together) and their budget
by source. These are counts and sums, so a region's value is the sum of its towns' (the registry's
default). One grouped query per figure, whatever the number of towns."""

from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from governance import figures

from .models import Project, ProjectOutput


def _completed(town_ids, start, end):
    return Project.objects.filter(
        town_id__in=list(town_ids),
        status=Project.Status.COMPLETED,
        completed_on__gte=start,
        completed_on__lte=end,
    )


def projects_completed(town_ids, start, end) -> dict:
    rows = _completed(town_ids, start, end).values("town_id").annotate(n=Count("pk")).order_by()
    return {row["town_id"]: row["n"] for row in rows}


def output_items(town_ids, start, end) -> dict:
    rows = (
        ProjectOutput.objects.filter(project__in=_completed(town_ids, start, end))
        .values("project__town_id")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return {row["project__town_id"]: row["n"] for row in rows}


def _budget(source: str):
    field = f"budget_{source}"

    def compute(town_ids, start, end) -> dict:
        rows = (
            _completed(town_ids, start, end).values("town_id").annotate(total=Sum(field)).order_by()
        )
        return {row["town_id"]: row["total"] or Decimal("0.00") for row in rows}

    return compute


def register() -> None:
    figures.register_figure(
        "projects_completed", _("Projects completed"), projects_completed, order=60
    )
    figures.register_figure(
        "project_output_items", _("Project outputs (items)"), output_items, order=61
    )
    for order, (source, label) in enumerate(
        (
            ("residents", _("Budget from residents")),
            ("government", _("Budget from government")),
            ("partners", _("Budget from partner units")),
        )
    ):
        figures.register_figure(
            f"project_budget_{source}", label, _budget(source), ranked=False, order=62 + order
        )
