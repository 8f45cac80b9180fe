"""Figures the domain apps offer for region reports (regions.md "Bulletins": "the apps offer
their figures for bulletins through a small registry that each app fills when it starts, so the
code that assembles a bulletin imports no app's internals").

An app registers, in its AppConfig.ready(), one provider per figure: a function taking the towns'
ids and the period and returning each town's value (towns without a value may be left out).
It may also give `region`: the same figure for all the towns together, computed over their records
(regions.md: "distinct counts and rates are computed over the region's records, not added or
averaged"). Without it, a region's value is the sum of its towns' values (fit only for counts).
Each callable runs a constant number of queries whatever the number of towns. Providers that
read one common computation (a region's party statistics, its households) mark it `shared`: the
pages and bulletins that evaluate many figures do so inside `one_evaluation()`, where it runs
once for the same arguments.
"""

import contextlib
import datetime
import functools
from collections.abc import Callable
from contextvars import ContextVar
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
    region: Callable[[list[int], datetime.date, datetime.date], Value] | None = None
    ranked: bool = True  # False: shown for information, left out of a town's overall rank

    def region_value(self, town_ids: list[int], start, end, per_town=None) -> Value:
        """The figure for the towns together: the provider's own region computation, else the
        sum of the towns' values (`per_town`, when already computed, saves the queries)."""
        if self.region is not None:
            return self.region(town_ids, start, end)
        if self.percent:
            return None  # a rate cannot be added up: only a provider's own region value
        values = per_town if per_town is not None else self.compute(town_ids, start, end)
        known = [v for t, v in values.items() if t in set(town_ids) and v is not None]
        return sum(known) if known else None


FIGURES: dict[str, Figure] = {}

_EVALUATION: ContextVar[dict | None] = ContextVar("figures_evaluation", default=None)


@contextlib.contextmanager
def one_evaluation():
    """Inside, each `shared` computation runs once per distinct arguments; its results are
    dropped on leaving (so a page never serves figures computed for an earlier request)."""
    token = _EVALUATION.set({})
    try:
        yield
    finally:
        _EVALUATION.reset(token)


def shared(func):
    """Run `func` (positional arguments: lists are compared by their items) once per
    `one_evaluation()`; outside one it runs on every call."""

    @functools.wraps(func)
    def wrapper(*args):
        memo = _EVALUATION.get()
        if memo is None:
            return func(*args)
        key = (func, *(tuple(a) if isinstance(a, list) else a for a in args))
        if key not in memo:
            memo[key] = func(*args)
        return memo[key]

    return wrapper


def register_figure(
    key: str,
    label,
    compute: Callable[[list[int], datetime.date, datetime.date], dict[int, Value]],
    *,
    higher_is_better: bool = True,
    percent: bool = False,
    order: int = 100,
    region: Callable[[list[int], datetime.date, datetime.date], Value] | None = None,
    ranked: bool = True,
) -> None:
    FIGURES[key] = Figure(key, label, compute, higher_is_better, percent, order, region, ranked)


def figures() -> list[Figure]:
    return sorted(FIGURES.values(), key=lambda figure: (figure.order, figure.key))


def display(value, *, percent: bool) -> str:
    """A figure as shown on pages and in PDFs: a dash for none, a rate as a percentage, other
    numbers with thousands separators (1,810,000.00)."""
    if value is None:
        return "—"
    number = Decimal(str(value))
    if percent:
        return f"{number * 100:.2f}%"
    return f"{number:,}"
