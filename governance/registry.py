"""What the domain apps tell the project package about themselves.

`governance` sits below the domain apps and imports none of them: each app registers here, in
its AppConfig.ready(), the pieces the project-wide machinery needs (the portal's home page,
records holding phone numbers, personal data to anonymise). Who may do what is asked through
named permissions (`user.has_perm("security.reveal_phone")`, `"security.staff"`), which the apps
define in their rules.py.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class PhoneModel:
    """A model whose `phone` field holds a person's number, and the records of it a user may
    see (the reveal button is offered and answered within that scope)."""

    label: str  # "app_label.model_name"
    scope: Callable[[object], QuerySet]


@dataclass(frozen=True)
class Anonymiser:
    """Anonymises an app's personal data that left before `cutoff` (a date; `cutoff_start` is
    its first instant); returns the number of records changed. Safe to repeat."""

    name: str
    run: Callable[[datetime.date, datetime.datetime], int]


PHONE_MODELS: dict[str, PhoneModel] = {}
ANONYMISERS: dict[str, Anonymiser] = {}
_home_view: list[Callable] = []


def register_phone_model(label: str, scope: Callable[[object], QuerySet]) -> None:
    PHONE_MODELS[label] = PhoneModel(label=label, scope=scope)


def register_anonymiser(name: str, run: Callable[[datetime.date, datetime.datetime], int]) -> None:
    ANONYMISERS[name] = Anonymiser(name=name, run=run)


def register_home(view: Callable) -> None:
    """The portal's home page (one app owns it; the last registration wins)."""
    _home_view[:] = [view]


def home_view() -> Callable | None:
    return _home_view[0] if _home_view else None


# --- Demo data (the project-wide `load_demo` command) ----------------------------------------


@dataclass(frozen=True)
class DemoLoader:
    """One app's part of the demo town: `load(**state, stdout=...)`, state being what the base
    loader returned (the town and the demo accounts). Loaders run by `order`, each in its own
    transaction, and running them twice changes nothing."""

    name: str
    order: int
    load: Callable[..., None]


# The base loader: load(*, password, stdout) -> (state for the others, lines of the summary).
_demo_base: list[Callable[..., tuple[dict, list[str]]]] = []
DEMO_LOADERS: dict[str, DemoLoader] = {}


def register_demo_base(load: Callable[..., tuple[dict, list[str]]]) -> None:
    """The registry and accounts every other demo part builds on (one app owns it)."""
    _demo_base[:] = [load]


def register_demo(name: str, load: Callable[..., None], *, order: int) -> None:
    DEMO_LOADERS[name] = DemoLoader(name=name, order=order, load=load)


def demo_base() -> Callable[..., tuple[dict, list[str]]] | None:
    return _demo_base[0] if _demo_base else None


def demo_loaders() -> list[DemoLoader]:
    return sorted(DEMO_LOADERS.values(), key=lambda loader: (loader.order, loader.name))
