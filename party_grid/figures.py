"""The party grid's figures for region bulletins (governance.figures), taken on the period's
last day from the records, town by town."""

import datetime

from django.utils.translation import gettext_lazy as _

from governance import figures

from . import selectors


@figures.shared
def breakdown(town_ids: list[int], on: datetime.date):
    """(statistics per town, the towns' statistics together) on `on`: one computation for every
    party figure of a page or bulletin (governance.figures.one_evaluation)."""
    return selectors.area_breakdown(town_ids=town_ids, on=on)


def _per_town(attribute: str):
    def compute(town_ids: list[int], start: datetime.date, end: datetime.date) -> dict:
        per_town = breakdown(town_ids, end)[0]
        return {town_id: getattr(stats, attribute) for town_id, stats in per_town.items()}

    return compute


def _region(attribute: str):
    """The region's value over all its towns' records (area_breakdown), not averaged."""

    def region(town_ids: list[int], start: datetime.date, end: datetime.date):
        return getattr(breakdown(town_ids, end)[1], attribute)

    return region


def register() -> None:
    figures.register_figure(
        "party_coverage",
        _("Party coverage of estates"),
        _per_town("coverage"),
        region=_region("coverage"),
        percent=True,
        order=10,
    )
    figures.register_figure(
        "single_built_rate",
        _("Single-built rate"),
        _per_town("single_built_rate"),
        region=_region("single_built_rate"),
        percent=True,
        order=20,
    )
    figures.register_figure(
        "three_without_estates",
        _("Three-without estates"),
        _per_town("three_without_estates"),
        region=_region("three_without_estates"),
        higher_is_better=False,
        order=30,
    )
