"""Test data for needs and projects: an owners' vote closed with a given result, a town's
staff and partner units, a completed project with outputs in one call."""

import datetime
from decimal import Decimal

from django.utils import timezone

from communities.departments import Department

from ..assemblies.models import AssemblyVote, VoteResult
from . import services
from .models import Need, PartnerUnit, Project


def _at(day: datetime.date, hour: int = 18) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def closed_vote(estate, kind: str, closed_on: datetime.date, *, passed: bool = True, **extra):
    """An owners' vote of `estate` closed on `closed_on` with its stored result (the tally
    itself is the assemblies package's concern and tested there)."""
    closes = _at(closed_on)
    vote = AssemblyVote.objects.create(
        estate=estate,
        kind=kind,
        title=extra.pop("title", f"{kind} {closed_on}"),
        opens_at=closes - datetime.timedelta(days=20),
        opened_at=closes - datetime.timedelta(days=20),
        closes_at=closes,
        closed_at=closes,
        state=AssemblyVote.State.CLOSED,
        **extra,
    )
    VoteResult.objects.create(vote=vote, data={"passed": passed}, passed=passed)
    return vote


def need(estate, title: str = "背街小巷硬化", category: str = "roads", **kwargs) -> Need:
    return services.need_create(
        estate=estate, source=Need.Source.STAFF, category=category, title=title, **kwargs
    )


def department(town, name: str = "住建办") -> Department:
    return Department.objects.get_or_create(town=town, name=name)[0]


def partner(town, name: str = "柳江建设集团", **kwargs) -> PartnerUnit:
    return PartnerUnit.objects.get_or_create(
        town=town, name=name, defaults={"kind": PartnerUnit.Kind.ENTERPRISE, **kwargs}
    )[0]


def completed_project(
    town,
    outputs: dict[str, int],
    completed_on: datetime.date,
    *,
    estate=None,
    budget=(Decimal("100.00"), Decimal("200.00"), Decimal("50.00")),
    title: str = "",
    **kwargs,
) -> Project:
    """A works project planned, started and completed on `completed_on` with `outputs`."""
    residents, government, partners = budget
    project = services.project_create(
        town=town,
        kind=Project.Kind.WORKS,
        title=title or f"工程{completed_on}",
        estate=estate,
        budget_residents=residents,
        budget_government=government,
        budget_partners=partners,
        **kwargs,
    )
    start = completed_on - datetime.timedelta(days=60)
    services.plan_project(project, start.year, None, on=start)
    services.project_start(project=project, started_on=start, by=None)
    return services.project_complete(
        project=project, completed_on=completed_on, outputs=outputs, by=None
    )
