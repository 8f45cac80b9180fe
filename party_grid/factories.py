"""factory-boy factories for the party grid (test and benchmark data)."""

import datetime

import factory

from communities.factories import (
    BuildingFactory,
    CommunityFactory,
    EstateFactory,
    HouseholdFactory,
)

from .models import (
    BuildingHead,
    Grid,
    GridWorker,
    HouseholdAssignment,
    PartyMember,
    PartyOrganization,
    ServiceStation,
    Visit,
    VolunteerTeam,
    VolunteerTeamMember,
)

START = datetime.date(2020, 1, 1)


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyOrganization

    community = factory.SubFactory(CommunityFactory)
    level = PartyOrganization.Level.COMMUNITY_COMMITTEE
    name = factory.Sequence(lambda n: f"社区党委{n}")
    established_on = START


class BranchFactory(factory.django.DjangoModelFactory):
    """A single-built branch of `estate` (pass estates=[...] and build_type=JOINT for joint)."""

    class Meta:
        model = PartyOrganization
        skip_postgeneration_save = True

    parent = factory.SubFactory(CommitteeFactory)
    community = factory.SelfAttribute("parent.community")
    level = PartyOrganization.Level.ESTATE_BRANCH
    build_type = PartyOrganization.BuildType.SINGLE
    name = factory.Sequence(lambda n: f"小区党支部{n}")
    established_on = START

    @factory.post_generation
    def estates(self, create, extracted, **kwargs):
        if create and extracted:
            self.estates.set(extracted)


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyOrganization

    parent = factory.SubFactory(BranchFactory)
    community = factory.SelfAttribute("parent.community")
    level = PartyOrganization.Level.HOUSEHOLD_GROUP
    name = factory.Sequence(lambda n: f"户联系党小组{n}")
    established_on = START


class PartyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyMember

    organization = factory.SubFactory(GroupFactory)
    name = factory.Sequence(lambda n: f"党员{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    joined_on = START


class HouseholdAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdAssignment

    member = factory.SubFactory(PartyMemberFactory)
    household = factory.SubFactory(HouseholdFactory)
    valid_from = START


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"网格{n}")
    established_on = START


class GridWorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GridWorker

    grid = factory.SubFactory(GridFactory)
    name = factory.Sequence(lambda n: f"网格员{n}")
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    started_on = START


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    member = factory.SubFactory(PartyMemberFactory)
    household = factory.SubFactory(HouseholdFactory)
    visited_on = datetime.date(2021, 6, 1)
    channel = Visit.Channel.DOOR
    recorded_by = factory.SubFactory("communities.factories.TownshipStaffFactory")


class VolunteerTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VolunteerTeam

    community = factory.SubFactory(CommunityFactory)
    kind = VolunteerTeam.Kind.PARTY_MASS
    name = factory.Sequence(lambda n: f"志愿服务队{n}")
    established_on = START


class ServiceStationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceStation

    estate = factory.SubFactory(EstateFactory)
    name = factory.Sequence(lambda n: f"党群服务站{n}")
    opened_on = START


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VolunteerTeamMember

    team = factory.SubFactory(VolunteerTeamFactory)
    name = factory.Sequence(lambda n: f"志愿者{n}")
    phone = factory.Sequence(lambda n: f"136{n:08d}")
    joined_on = START


class BuildingHeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BuildingHead

    building = factory.SubFactory(BuildingFactory)
    name = factory.Sequence(lambda n: f"楼栋长{n}")
    phone = factory.Sequence(lambda n: f"135{n:08d}")
    started_on = START
