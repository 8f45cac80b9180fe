"""Liujiang's party-building grid (regions.md "Demo"), loaded after communities.demo_liujiang.

On 2022-12-31 the statistics of 柳江区 read: 48 single-built and 33 joint-built estate branches,
60 party-mass service stations, 215 grid workers, 1,522 building heads and 466 lane stewards
(with the registry's 83 owners' committees, 44 self-management committees and no three-without
estate). The reports give district totals only; where they stand is this demo's invention, all in
拉堡镇 (the other towns are placeholders) and every row is_demo=True.

Idempotent: a town that already has demo party organisations is left as it is. About 2,500 rows,
bulk-created.
"""

import datetime
import io

from django.db import transaction

from communities.demo_liujiang import DISTRICT, ESTATES, TOWN, estate_name
from communities.models import Building, Community, Estate, Town

from .demo import _person
from .models import (
    BuildingHead,
    Grid,
    GridWorker,
    PartyOrganization,
    ServiceStation,
    VolunteerTeam,
    VolunteerTeamMember,
)

SINCE = datetime.date(2020, 1, 1)
SINGLE_BRANCHES = 48
JOINT_BRANCHES = 33
ESTATES_PER_JOINT = 2
SERVICE_STATIONS = 60
GRIDS = 43
WORKERS_PER_GRID = 5  # 215 grid workers
BUILDING_HEADS = 1522
LANE_STEWARDS = 466

Level = PartyOrganization.Level
BuildType = PartyOrganization.BuildType


def _phone(i: int) -> str:
    return f"177{72000000 + i:08d}"


def load(*, stdout=None, **state) -> None:
    stdout = stdout or io.StringIO()
    town = Town.objects.filter(district__name=DISTRICT, name=TOWN).first()
    if town is None:
        stdout.write("party_grid: no 拉堡镇 to load Liujiang's party grid into.\n")
        return
    if PartyOrganization.objects.filter(community__town=town, is_demo=True).exists():
        stdout.write("party_grid: Liujiang's demo party grid already loaded, left as it is.\n")
        return
    with transaction.atomic():
        _load(town)
    stdout.write(f"party_grid: Liujiang's party grid loaded into {town}.\n")


def _load(town: Town) -> None:
    communities = list(Community.objects.filter(town=town).order_by("name"))
    estates_by_name = {e.name: e for e in Estate.objects.for_town(town)}
    estates = [estates_by_name[estate_name(i)] for i in range(ESTATES)]

    committees = PartyOrganization.objects.bulk_create(
        [
            PartyOrganization(
                community=c,
                level=Level.COMMUNITY_COMMITTEE,
                name=f"{c.name}党委",
                established_on=SINCE,
                is_demo=True,
            )
            for c in communities
        ]
    )
    committee_of = {c.community_id: c for c in committees}
    single = estates[:SINGLE_BRANCHES]
    # A joint branch serves estates of one community: pair estates of the same community.
    by_community: dict[int, list[Estate]] = {}
    for estate in estates[SINGLE_BRANCHES : SINGLE_BRANCHES + JOINT_BRANCHES * ESTATES_PER_JOINT]:
        by_community.setdefault(estate.community_id, []).append(estate)
    pool = [e for group in by_community.values() for e in group]
    joint = [pool[i : i + ESTATES_PER_JOINT] for i in range(0, len(pool), ESTATES_PER_JOINT)]
    branches = PartyOrganization.objects.bulk_create(
        [
            PartyOrganization(
                community_id=estate.community_id,
                parent=committee_of[estate.community_id],
                level=Level.ESTATE_BRANCH,
                build_type=BuildType.SINGLE,
                name=f"{estate.name}党支部",
                established_on=SINCE,
                is_demo=True,
            )
            for estate in single
        ]
        + [
            PartyOrganization(
                community_id=group[0].community_id,
                parent=committee_of[group[0].community_id],
                level=Level.ESTATE_BRANCH,
                build_type=BuildType.JOINT,
                name=f"{group[0].name}联建党支部",
                established_on=SINCE,
                is_demo=True,
            )
            for group in joint
        ]
    )
    through = PartyOrganization.estates.through
    links = [
        through(partyorganization_id=branch.pk, estate_id=estate.pk)
        for branch, estate in zip(branches[:SINGLE_BRANCHES], single, strict=True)
    ]
    for branch, group in zip(branches[SINGLE_BRANCHES:], joint, strict=True):
        links += [through(partyorganization_id=branch.pk, estate_id=e.pk) for e in group]
    through.objects.bulk_create(links)

    ServiceStation.objects.bulk_create(
        [
            ServiceStation(
                estate=estate, name=f"{estate.name}党群服务站", opened_on=SINCE, is_demo=True
            )
            for estate in estates[:SERVICE_STATIONS]
        ]
    )

    grids = Grid.objects.bulk_create(
        [
            Grid(
                community=communities[i % len(communities)],
                name=f"第{i + 1}网格",
                established_on=SINCE,
                is_demo=True,
            )
            for i in range(GRIDS)
        ]
    )
    GridWorker.objects.bulk_create(
        [
            GridWorker(
                grid=grid,
                name=_person(g * WORKERS_PER_GRID + w),
                phone=_phone(g * WORKERS_PER_GRID + w),
                started_on=SINCE,
                is_demo=True,
            )
            for g, grid in enumerate(grids)
            for w in range(WORKERS_PER_GRID)
        ]
    )

    buildings = list(
        Building.objects.filter(estate__in=estates).order_by("estate_id", "pk")[:BUILDING_HEADS]
    )
    BuildingHead.objects.bulk_create(
        [
            BuildingHead(
                building=building,
                name=_person(1000 + i),
                phone=_phone(1000 + i),
                started_on=SINCE,
                is_demo=True,
            )
            for i, building in enumerate(buildings)
        ]
    )

    teams = VolunteerTeam.objects.bulk_create(
        [
            VolunteerTeam(
                community=c,
                kind=VolunteerTeam.Kind.LANE_STEWARDS,
                name=f"{c.name}小巷管家队",
                established_on=SINCE,
                is_demo=True,
            )
            for c in communities
        ]
    )
    VolunteerTeamMember.objects.bulk_create(
        [
            VolunteerTeamMember(
                team=teams[i % len(teams)],
                name=_person(3000 + i),
                phone=_phone(3000 + i),
                joined_on=SINCE,
            )
            for i in range(LANE_STEWARDS)
        ]
    )
