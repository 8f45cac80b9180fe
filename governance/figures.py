"""Figures the domain apps offer for region reports (regions.md "Bulletins": "the apps offer
their figures for bulletins through a small registry that each app fills when it starts, so the
code that assembles a bulletin imports no app's internals").

An app registers, in its AppConfig.ready(), one provider per figure: a function taking the towns'
ids and the period and returning each town's value (towns without a value may be left out).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

Value = int | Decimal | None


@dataclass(frozen=True)
class Figure:
    key: str
    label: object  # a lazy translation
    compute: Callable[[list[int], datetime.date, datetime.date], dict[int, Value]]
    higher_is_better: bool = True
    percent: bool = False  # a rate in [0, 1], shown as a percentage
    order: int = 100


FIGURES: dict[str, Figure] = {}


def register_figure(
    key: str,
    label,
    compute: Callable[[list[int], datetime.date, datetime.date], dict[int, Value]],
    *,
    higher_is_better: bool = True,
    percent: bool = False,
    order: int = 100,
) -> None:
    FIGURES[key] = Figure(key, label, compute, higher_is_better, percent, order)


def figures() -> list[Figure]:
    return sorted(FIGURES.values(), key=lambda figure: (figure.order, figure.key))
