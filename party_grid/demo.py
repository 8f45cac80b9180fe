"""Lishui's party-building grid as of December 2021 (party_grid.md), for load_demo.

On 2021-12-31 the statistics read: 43 delivered estates, 34 single-built estate branches,
single-built rate 0.7907, coverage 1.0000, 15 complete three-level grids, 7,367 households in
contact, 9 party-mass service stations, 25 party-mass volunteer teams, 18 building teams and
7 building representative teams. The reports give only these totals, so which estate has what
is this demo's invention (everything here is is_demo=True); in particular the reports do not
say how the 9 estates without their own branch are covered: three joint-built branches of
three estates each.

Idempotent: a town that already has demo party organisations is left as it is. Rows are
bulk-created (about 8,000), so it runs in a couple of seconds on SQLite.
"""

import datetime
import io
from collections import defaultdict

from django.db import transaction

from communities.models import Community, Estate, Household

from .models import (
    Grid,
    GridWorker,
    HouseholdAssignment,
    PartyMember,
    PartyOrganization,
    ServiceStation,
    Visit,
    VolunteerTeam,
)

ON = datetime.date(2021, 12, 31)
SINGLE_BRANCHES = 34
JOINT_BRANCHES = 3
ESTATES_PER_JOINT = 3
COMPLETE_GRIDS = 15
HOUSEHOLDS_IN_CONTACT = 7367
SERVICE_STATIONS = 9
TEAMS = {
    VolunteerTeam.Kind.PARTY_MASS: 25,
    VolunteerTeam.Kind.BUILDING: 18,
    VolunteerTeam.Kind.REPRESENTATIVE: 7,
}
RESIDENT_ESTATE = "糖果雅苑"
FUSION_COMMUNITY = "新兴社区"  # pilots dual-grid fusion (party_grid.md)

Level = PartyOrganization.Level
BuildType = PartyOrganization.BuildType
SURNAMES = "陈李黄张梁何刘吴林周罗郭谢冯邓麦"
GIVEN = [
    "志明",
    "丽华",
    "国强",
    "秀英",
    "建华",
    "美玲",
    "伟东",
    "海燕",
    "永健",
    "慧敏",
    "锦辉",
    "淑贞",
]


def _person(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)]


def _phone(i: int) -> str:
    return f"139{27000000 + i:08d}"


def load(*, town, users: dict, stdout=None) -> None:
    stdout = stdout or io.StringIO()
    if PartyOrganization.objects.filter(community__town=town, is_demo=True).exists():
        stdout.write("party_grid: demo party grid already loaded, left as it is.\n")
        return
    with transaction.atomic():
        _load(town=town, users=users, stdout=stdout)


def _plan(estates: list[Estate]) -> tuple[list[Estate], list[list[Estate]]]:
    """(estates with their own single-built branch, groups of estates sharing a joint branch).

    Joint groups are the last three estates of the three communities with the most estates, so
    each joint branch stays inside one community; 糖果雅苑 always has its own branch."""
    by_community: dict[int, list[Estate]] = defaultdict(list)
    for estate in estates:
        if estate.name != RESIDENT_ESTATE:
            by_community[estate.community_id].append(estate)
    largest = sorted(by_community.values(), key=lambda group: (-len(group), group[0].pk))
    joint = [group[-ESTATES_PER_JOINT:] for group in largest[:JOINT_BRANCHES]]
    if any(len(group) < ESTATES_PER_JOINT for group in joint) or len(joint) < JOINT_BRANCHES:
        raise ValueError("The demo needs three communities with three delivered estates each.")
    joint_ids = {estate.pk for group in joint for estate in group}
    single = [estate for estate in estates if estate.pk not in joint_ids]
    # 糖果雅苑 first, so it is among the complete grids and the resident's branch has a group.
    single.sort(key=lambda estate: estate.name != RESIDENT_ESTATE)
    return single, joint


def _load(*, town, users: dict, stdout) -> None:
    communities = list(Community.objects.filter(town=town).order_by("name"))
    estates = list(
        Estate.objects.for_town(town).delivered_on(ON).order_by("community__name", "name", "pk")
    )
    if len(estates) != SINGLE_BRANCHES + JOINT_BRANCHES * ESTATES_PER_JOINT:
        stdout.write(
            f"party_grid: expected 43 delivered estates on {ON}, found {len(estates)}; "
            "the figures will differ from the reports.\n"
        )
    single, joint = _plan(estates)
    single = single[:SINGLE_BRANCHES]

    # The tree: committees, branches, household-contact groups (bulk_create sets the pks).
    committees = {
        c.pk: PartyOrganization(
            community=c,
            level=Level.COMMUNITY_COMMITTEE,
            name=f"{c.name}党委",
            established_on=datetime.date(2018, 7, 1),
            is_demo=True,
        )
        for c in communities
    }
    PartyOrganization.objects.bulk_create(committees.values())
    branches, branch_estates = [], []
    for i, estate in enumerate(single):
        branches.append(
            PartyOrganization(
                community_id=estate.community_id,
                parent=committees[estate.community_id],
                level=Level.ESTATE_BRANCH,
                build_type=BuildType.SINGLE,
                name=f"{estate.name}党支部",
                established_on=datetime.date(2019 + i % 3, 1 + i % 12, 1),
                is_demo=True,
            )
        )
        branch_estates.append([estate])
    for i, group in enumerate(joint, start=1):
        community_id = group[0].community_id
        branches.append(
            PartyOrganization(
                community_id=community_id,
                parent=committees[community_id],
                level=Level.ESTATE_BRANCH,
                build_type=BuildType.JOINT,
                name=f"联建小区党支部{i}（{'、'.join(e.name for e in group)}）"[:100],
                established_on=datetime.date(2020, 6, 1),
                is_demo=True,
            )
        )
        branch_estates.append(group)
    PartyOrganization.objects.bulk_create(branches)
    Through = PartyOrganization.estates.through
    Through.objects.bulk_create(
        Through(partyorganization_id=branch.pk, estate_id=estate.pk)
        for branch, group in zip(branches, branch_estates, strict=True)
        for estate in group
    )
    # Household-contact groups under the first 15 single-built branches: the complete grids.
    groups = {
        branch_estates[i][0].pk: PartyOrganization(
            community_id=branch.community_id,
            parent=branch,
            level=Level.HOUSEHOLD_GROUP,
            name=f"{branch_estates[i][0].name}户联系党小组",
            established_on=datetime.date(2021, 3, 1),
            is_demo=True,
        )
        for i, branch in enumerate(branches[:COMPLETE_GRIDS])
    }
    PartyOrganization.objects.bulk_create(groups.values())
    branch_of_estate = {
        estate.pk: branch
        for branch, group in zip(branches, branch_estates, strict=True)
        for estate in group
    }

    # Household contact: one member per building, contacting its households, estate by estate
    # (complete grids first) until 7,367 households are in contact.
    order = [group[0] for group in branch_estates[:COMPLETE_GRIDS]] + [
        e for e in estates if e.pk not in {g[0].pk for g in branch_estates[:COMPLETE_GRIDS]}
    ]
    households = defaultdict(list)
    for household in (
        Household.objects.filter(building__estate__in=estates)
        .select_related("building")
        .order_by("building__name", "room", "pk")
    ):
        households[(household.building.estate_id, household.building.name)].append(household)
    resident = users.get("resident")
    resident_household = resident.verified_household if resident else None
    members, member_households = [], []
    remaining = HOUSEHOLDS_IN_CONTACT
    for estate in order:
        if remaining <= 0:
            break
        organization = groups.get(estate.pk) or branch_of_estate[estate.pk]
        buildings = sorted(
            {name for (estate_id, name) in households if estate_id == estate.pk},
            key=lambda name: (len(name), name),
        )
        for building in buildings:
            if remaining <= 0:
                break
            chunk = households[(estate.pk, building)][:remaining]
            remaining -= len(chunk)
            n = len(members)
            member = PartyMember(
                organization=organization,
                name=_person(n),
                phone=_phone(n),
                is_registered_in_service=n % 4 == 0,
                employer="里水镇人民政府" if n % 4 == 0 else "",
                is_building_head=True,
                joined_on=datetime.date(2021, 1, 1),
                is_demo=True,
            )
            if (
                resident_household
                and chunk
                and chunk[0].building_id == resident_household.building_id
            ):
                # The demo's "resident" contacts the households of their own building, so the
                # portal shows them "log a visit".
                member.user = resident
                member.name = resident.display_name or member.name
                member.phone = resident.phone or member.phone
            members.append(member)
            member_households.append(chunk)
    PartyMember.objects.bulk_create(members)
    HouseholdAssignment.objects.bulk_create(
        HouseholdAssignment(
            member=member, household=household, valid_from=datetime.date(2021, 6, 1), is_demo=True
        )
        for member, chunk in zip(members, member_households, strict=True)
        for household in chunk
    )

    # Visits for the dashboard's "visits per month": each member of a complete grid visits the
    # first households of their building, one each month from July to December 2021.
    recorder = users.get("staff") or resident
    if recorder is not None:
        visits = []
        for member, chunk in zip(members, member_households, strict=True):
            if member.organization.level != Level.HOUSEHOLD_GROUP:
                continue
            for month in range(7, 13):
                household = chunk[(month - 7) % len(chunk)]
                visits.append(
                    Visit(
                        member=member,
                        household=household,
                        visited_on=datetime.date(2021, month, 10 + month),
                        channel=(Visit.Channel.DOOR if month % 2 else Visit.Channel.WECHAT),
                        note="入户走访，了解住户需求",
                        recorded_by=member.user or recorder,
                        is_demo=True,
                    )
                )
        Visit.objects.bulk_create(visits)

    # Party-mass service stations in the first nine complete-grid estates.
    ServiceStation.objects.bulk_create(
        ServiceStation(
            estate=estate,
            name=f"{estate.name}党群服务站",
            opened_on=datetime.date(2021, 7, 1),
            is_demo=True,
        )
        for estate in order[:SERVICE_STATIONS]
    )

    # Volunteer teams spread over the estates.
    teams, i = [], 0
    for kind, count in TEAMS.items():
        for n in range(count):
            estate = estates[i % len(estates)]
            i += 1
            teams.append(
                VolunteerTeam(
                    community_id=estate.community_id,
                    estate=estate,
                    kind=kind,
                    name=f"{estate.name}{VolunteerTeam.Kind(kind).label}{n + 1}",
                    established_on=datetime.date(2021, 4, 1),
                    is_demo=True,
                )
            )
    VolunteerTeam.objects.bulk_create(teams)

    # Dual-grid fusion in Xinxing: its household-contact members also serve as part-time grid
    # workers of the grid over their buildings.
    fusion = next((c for c in communities if c.name == FUSION_COMMUNITY), None)
    if fusion is not None:
        fusion_members = [
            (m, chunk)
            for m, chunk in zip(members, member_households, strict=True)
            if m.organization.community_id == fusion.pk
        ][:4]
        if fusion_members:
            grid = Grid.objects.create(
                community=fusion,
                name=f"{fusion.name}第一网格",
                established_on=datetime.date(2021, 5, 1),
                is_demo=True,
            )
            grid.buildings.set({chunk[0].building_id for _m, chunk in fusion_members})
            GridWorker.objects.bulk_create(
                GridWorker(
                    grid=grid,
                    name=m.name,
                    phone=m.phone,
                    member=m,
                    is_part_time=True,
                    started_on=datetime.date(2021, 5, 1),
                    is_demo=True,
                )
                for m, _chunk in fusion_members
            )
    stdout.write(
        f"party_grid: {len(committees)} committees, {len(branches)} estate branches, "
        f"{len(groups)} household-contact groups, {len(members)} members, "
        f"{HOUSEHOLDS_IN_CONTACT - max(remaining, 0)} households in contact.\n"
    )
