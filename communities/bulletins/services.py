"""Issuing a bulletin: the figures of each town of the region over the period, from the apps'
figure providers (governance.figures), ranked and frozen into the bulletin."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import figures as figure_registry

from .. import roles
from ..models import Region, Town
from .models import Bulletin

PRAISE = "praise"
CRITICISM = "criticism"


def may_issue(user, region: Region) -> bool:
    """District staff for their district, city staff for their city (regions.md)."""
    return roles.holds(user, roles.Role.DISTRICT_STAFF, roles.Role.CITY_STAFF) and (
        region.pk in roles.region_ids(user)
    )


def may_read(user, region: Region) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    ids = roles.region_ids(user)
    return region.pk in ids or (region.city_id is not None and region.city_id in ids)


def _competition_ranks(values: dict[int, Decimal | int | None], *, higher_is_better: bool):
    """Rank 1 for the best; equal values share a rank and the next rank skips (1, 1, 3);
    towns without a value rank last, together."""
    known = [v for v in values.values() if v is not None]
    ranks = {}
    for town_id, value in values.items():
        if value is None:
            ranks[town_id] = len(known) + 1
        elif higher_is_better:
            ranks[town_id] = 1 + sum(1 for other in known if other > value)
        else:
            ranks[town_id] = 1 + sum(1 for other in known if other < value)
    return ranks


def bulletin_table(
    *, towns: list[Town], start: datetime.date, end: datetime.date, marks: dict[int, str]
) -> dict:
    """The frozen table: each town's figures and ranks, its overall rank (by the sum of its
    ranks, competition ranking) and its mark."""
    town_ids = [t.pk for t in towns]
    shown = figure_registry.figures()
    with figure_registry.one_evaluation():
        values = {f.key: f.compute(town_ids, start, end) for f in shown}
        region_values = {f.key: f.region_value(town_ids, start, end, values[f.key]) for f in shown}
    ranks = {
        f.key: _competition_ranks(
            {t: values[f.key].get(t) for t in town_ids}, higher_is_better=f.higher_is_better
        )
        for f in shown
    }
    totals = {t: sum(ranks[f.key][t] for f in shown if f.ranked) for t in town_ids}
    overall = _competition_ranks(totals, higher_is_better=False)
    rows = [
        {
            "town_id": town.pk,
            "town": town.name,
            "values": {
                f.key: None if values[f.key].get(town.pk) is None else str(values[f.key][town.pk])
                for f in shown
            },
            "ranks": {f.key: ranks[f.key][town.pk] for f in shown},
            "rank": overall[town.pk],
            "mark": marks.get(town.pk, ""),
        }
        for town in towns
    ]
    rows.sort(key=lambda row: (row["rank"], row["town"]))
    return {
        "figures": [
            {
                "key": f.key,
                "label": str(f.label),
                "percent": f.percent,
                "higher_is_better": f.higher_is_better,
                "ranked": f.ranked,
            }
            for f in shown
        ],
        "rows": rows,
        # The region's own figures, over all its towns' records (not averaged over towns).
        "region": {
            f.key: None if region_values[f.key] is None else str(region_values[f.key])
            for f in shown
        },
    }


def bulletin_issue(
    *,
    region: Region,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    comment: str,
    praise: list[int],
    criticism: list[int],
    by,
) -> Bulletin:
    """Issue a numbered bulletin of `region` (numbers run per region and year); raises
    ValidationError naming the field on bad input, writing nothing."""
    if not may_issue(by, region):
        raise ValidationError(_("Only the region's own staff issue its bulletins."))
    errors = {}
    if period_start > period_end:
        errors["period_end"] = _("The period ends before it starts.")
    if period_end > timezone.localdate():
        errors["period_end"] = _("A bulletin reports on a period that has ended.")
    towns = list(Town.objects.in_region(region).order_by("name"))
    town_ids = {t.pk for t in towns}
    if not set(praise) <= town_ids:
        errors["praise"] = _("Only towns of the region can be praised.")
    if not set(criticism) <= town_ids:
        errors["criticism"] = _("Only towns of the region can be criticised.")
    if set(praise) & set(criticism):
        errors["criticism"] = _("A town cannot be praised and criticised at once.")
    if not towns:
        errors["region"] = _("The region has no towns to report on.")
    if errors:
        raise ValidationError(errors)
    marks = {**dict.fromkeys(praise, PRAISE), **dict.fromkeys(criticism, CRITICISM)}
    table = bulletin_table(towns=towns, start=period_start, end=period_end, marks=marks)
    now = timezone.now()
    year = timezone.localdate(now).year
    with transaction.atomic():
        # One number per region and year: serialise issuers of the same region.
        Region.objects.select_for_update().get(pk=region.pk)
        last = Bulletin.objects.filter(region=region, year=year).aggregate(n=Max("number"))["n"]
        bulletin = Bulletin(
            region=region,
            year=year,
            number=(last or 0) + 1,
            title=title,
            period_start=period_start,
            period_end=period_end,
            comment=comment,
            table=table,
            issued_by=by,
            issued_at=now,
        )
        bulletin.full_clean()
        bulletin.save()
    return bulletin


def bulletin_pdf(bulletin: Bulletin) -> bytes:
    """The bulletin as a PDF (WeasyPrint; Chinese text in WenQuanYi Micro Hei from Debian)."""
    from pathlib import Path

    from django.conf import settings
    from django.template.loader import render_to_string
    from weasyprint import CSS, HTML

    html = render_to_string(
        "communities/bulletins/pdf.html", {"bulletin": bulletin, **rows_of(bulletin)}
    )
    css = Path(settings.BASE_DIR) / "static" / "css" / "bulletin_pdf.css"
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(css))])


def shown_value(value: str | None, *, percent: bool) -> str:
    return figure_registry.display(value, percent=percent)


def rows_of(bulletin: Bulletin) -> dict:
    """Template context: the frozen figures as display rows, and the region's own row (bulletins
    issued before it was kept have none)."""
    figures = bulletin.table["figures"]
    rows = []
    for row in bulletin.table["rows"]:
        cells = []
        for f in figures:
            shown = shown_value(row["values"].get(f["key"]), percent=f["percent"])
            cells.append(
                {
                    "value": shown,
                    "rank": row["ranks"][f["key"]],
                    "ranked": f.get("ranked", True),
                    "known": row["values"].get(f["key"]) is not None,
                }
            )
        rows.append({**row, "cells": cells})
    region = bulletin.table.get("region")
    region_cells = (
        [shown_value(region.get(f["key"]), percent=f["percent"]) for f in figures]
        if region is not None
        else None
    )
    return {"figures": figures, "rows": rows, "region_cells": region_cells}
