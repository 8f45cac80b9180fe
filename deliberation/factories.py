"""factory-boy factories for deliberation (tests, benchmarks)."""

import datetime

import factory
from django.utils import timezone

from communities.factories import (
    BuildingFactory,
    EstateFactory,
    HouseholdFactory,
    verified_resident,
)

from .models import Council, Proposal, Representative, Session


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Council

    estate = factory.SubFactory(EstateFactory)


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    council = factory.SubFactory(CouncilFactory)
    estate = factory.SelfAttribute("council.estate")
    title = factory.Sequence(lambda n: f"议题{n}")
    description = "楼道灯坏了，需要维修。"
    state = Proposal.State.SUBMITTED


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    council = factory.SubFactory(CouncilFactory)
    date = factory.LazyFunction(timezone.localdate)
    place = "党群服务站"


def household_in(estate, building_name: str = "1栋", room: str | None = None):
    building = (
        BuildingFactory(estate=estate, name=building_name)
        if not estate.buildings.filter(name=building_name).exists()
        else estate.buildings.get(name=building_name)
    )
    if room is None:
        return HouseholdFactory(building=building)
    return HouseholdFactory(building=building, room=room)


def resident_of(estate, building_name: str = "1栋", **kwargs):
    """A resident verified to a new household of `estate`."""
    return verified_resident(household=household_in(estate, building_name), **kwargs)


def representatives(council, n: int, *, term_start=datetime.date(2020, 1, 1)):
    """n representatives of `council`, one per building, each a verified resident."""
    reps = []
    for i in range(n):
        user = resident_of(council.estate, f"{i + 1}栋")
        reps.append(
            Representative.objects.create(
                council=council,
                user=user,
                building=user.verified_household.building,
                term_start=term_start,
            )
        )
    return reps
