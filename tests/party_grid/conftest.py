"""A crafted town whose party-grid statistics are known by hand on several dates."""

import datetime
from types import SimpleNamespace

import pytest

from communities.factories import (
    BuildingFactory,
    CommunityFactory,
    EstateFactory,
    HouseholdFactory,
    TownFactory,
)
from communities.models import Estate
from party_grid.factories import (
    BranchFactory,
    CommitteeFactory,
    GridFactory,
    GridWorkerFactory,
    GroupFactory,
    HouseholdAssignmentFactory,
    PartyMemberFactory,
    ServiceStationFactory,
    VisitFactory,
    VolunteerTeamFactory,
)
from party_grid.models import PartyOrganization, VolunteerTeam

D = datetime.date
JOINT = PartyOrganization.BuildType.JOINT


@pytest.fixture
def crafted_town(db):
    """Community A: e1, e2, e3 delivered, e4 under construction; community B: e5 delivered.

    A: committee (2020-01-01)
       b1 single e1 from 2021-03-01, with household group g1 (from 2021-03-01)
       b2 single e2 from 2020-01-01, dissolved 2021-06-30
       jb joint {e3, e4} from 2020-01-01
       b4 single e4 (under construction) from 2020-01-01
    B: committee; b5 single e5 from 2020-01-01 > building group > household group (four levels)
    """
    town = TownFactory(name="试点镇")
    a = CommunityFactory(town=town, name="甲社区")
    b = CommunityFactory(town=town, name="乙社区")
    e1, e2, e3 = (EstateFactory(community=a, name=n) for n in ("一号小区", "二号小区", "三号小区"))
    e4 = EstateFactory(
        community=a,
        name="在建小区",
        status=Estate.Status.UNDER_CONSTRUCTION,
        delivery_date=D(2023, 1, 1),
    )
    e5 = EstateFactory(community=b, name="五号小区")
    ca = CommitteeFactory(community=a, name="甲社区党委")
    cb = CommitteeFactory(community=b, name="乙社区党委")
    b1 = BranchFactory(parent=ca, estates=[e1], established_on=D(2021, 3, 1), name="一号支部")
    g1 = GroupFactory(parent=b1, established_on=D(2021, 3, 1), name="一号户联系党小组")
    b2 = BranchFactory(parent=ca, estates=[e2], dissolved_on=D(2021, 6, 30), name="二号支部")
    jb = BranchFactory(parent=ca, estates=[e3, e4], build_type=JOINT, name="联建支部")
    b4 = BranchFactory(parent=ca, estates=[e4], name="在建支部")
    b5 = BranchFactory(parent=cb, estates=[e5], name="五号支部")
    bg5 = PartyOrganization.objects.create(
        community=b,
        parent=b5,
        level=PartyOrganization.Level.BUILDING_GROUP,
        name="五号楼栋党小组",
        established_on=D(2020, 1, 1),
    )
    g5 = GroupFactory(parent=bg5, name="五号户联系党小组")

    h1, h2, h3, h4 = (
        HouseholdFactory(building=BuildingFactory(estate=e1, name=f"{i}栋"), room="101")
        for i in range(1, 5)
    )
    h5 = HouseholdFactory(building=BuildingFactory(estate=e5, name="1栋"), room="101")
    m1 = PartyMemberFactory(organization=g1, is_building_head=True, phone="13812341234")
    m2 = PartyMemberFactory(organization=g1)
    m3 = PartyMemberFactory(organization=g1, is_building_head=True, left_on=D(2021, 5, 1))
    m5 = PartyMemberFactory(organization=g5, is_building_head=True)
    HouseholdAssignmentFactory(member=m1, household=h1, valid_from=D(2021, 3, 1))
    HouseholdAssignmentFactory(member=m1, household=h2, valid_from=D(2021, 3, 1))
    HouseholdAssignmentFactory(member=m2, household=h1, valid_from=D(2021, 3, 1))
    HouseholdAssignmentFactory(member=m3, household=h3, valid_from=D(2021, 3, 1))
    HouseholdAssignmentFactory(
        member=m2, household=h4, valid_from=D(2021, 3, 1), valid_to=D(2021, 9, 30)
    )
    HouseholdAssignmentFactory(member=m5, household=h5, valid_from=D(2020, 1, 1))

    VisitFactory(member=m1, household=h1, visited_on=D(2021, 12, 3))
    VisitFactory(member=m2, household=h1, visited_on=D(2021, 12, 20))
    VisitFactory(member=m1, household=h2, visited_on=D(2021, 11, 15))
    VisitFactory(member=m5, household=h5, visited_on=D(2021, 12, 5))

    ServiceStationFactory(estate=e1, opened_on=D(2021, 1, 1))
    ServiceStationFactory(estate=e2, opened_on=D(2020, 1, 1), closed_on=D(2021, 6, 30))
    ServiceStationFactory(estate=e5, opened_on=D(2020, 1, 1))

    Kind = VolunteerTeam.Kind
    VolunteerTeamFactory(community=a, kind=Kind.PARTY_MASS)
    VolunteerTeamFactory(community=a, kind=Kind.PARTY_MASS, estate=e1)
    VolunteerTeamFactory(community=a, kind=Kind.BUILDING, estate=e1)
    VolunteerTeamFactory(community=a, kind=Kind.REPRESENTATIVE, dissolved_on=D(2021, 6, 30))
    VolunteerTeamFactory(community=b, kind=Kind.LANE_STEWARDS)

    grid = GridFactory(community=a)
    grid.buildings.set([h1.building, h2.building])
    GridWorkerFactory(grid=grid, member=m1, name=m1.name, is_part_time=True)
    GridWorkerFactory(grid=grid, ended_on=D(2021, 5, 1))
    GridWorkerFactory(grid=GridFactory(community=b, dissolved_on=D(2021, 6, 30)))

    return SimpleNamespace(
        town=town,
        a=a,
        b=b,
        e1=e1,
        e2=e2,
        e3=e3,
        e4=e4,
        e5=e5,
        b1=b1,
        b2=b2,
        jb=jb,
        b4=b4,
        b5=b5,
        g1=g1,
        m1=m1,
        m2=m2,
        m3=m3,
        m5=m5,
        h1=h1,
        h2=h2,
        h3=h3,
        h4=h4,
        h5=h5,
        grid=grid,
    )
