"""Reads of the party grid: the coverage statistics, the organisation tree, visit choices.

Statistics are taken from the dated records on any day with grouped aggregate queries: a fixed
number of queries whatever the size of the town (party_grid.md: "from the records, never typed
in"). Each grouped query returns one row per community (and kind), so the figures for a town are
the sums of its communities' figures.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth

from communities.models import Community, Estate, Household, Town, active_on_q
from communities.scoping import scope_to_staff

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

RATE_PLACES = Decimal("0.0001")
Level = PartyOrganization.Level
BuildType = PartyOrganization.BuildType


def rate(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator to 4 places (half up); None when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, ROUND_HALF_UP)


@dataclass
class PartyStatistics:
    delivered_estates: int = 0
    single_built_branches: int = 0
    joint_built_branches: int = 0
    single_built_estates: int = 0  # delivered estates with their own single-built branch
    covered_estates: int = 0  # delivered estates served by any active estate branch
    complete_three_level_grids: int = 0
    households_in_contact: int = 0
    households_visited: int | None = None  # only when a period is asked for
    service_stations: int = 0
    volunteer_teams_by_kind: dict = field(
        default_factory=lambda: dict.fromkeys(VolunteerTeam.Kind.values, 0)
    )
    grid_workers: int = 0
    building_heads: int = 0

    @property
    def single_built_rate(self) -> Decimal | None:
        # party_grid.md: delivered estates with their own single-built branch / delivered estates
        return rate(self.single_built_estates, self.delivered_estates)

    @property
    def coverage(self) -> Decimal | None:
        # party_grid.md: delivered estates covered by any estate branch / delivered estates
        return rate(self.covered_estates, self.delivered_estates)

    def add(self, other: "PartyStatistics") -> None:
        for name in (
            "delivered_estates",
            "single_built_branches",
            "joint_built_branches",
            "single_built_estates",
            "covered_estates",
            "complete_three_level_grids",
            "households_in_contact",
            "service_stations",
            "grid_workers",
            "building_heads",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.households_visited is not None:
            self.households_visited = (self.households_visited or 0) + other.households_visited
        for kind, n in other.volunteer_teams_by_kind.items():
            self.volunteer_teams_by_kind[kind] = self.volunteer_teams_by_kind.get(kind, 0) + n

    def as_api_dict(self) -> dict:
        """The API's figures: aggregates only, field names fixed by the issue."""
        return {
            "delivered_estates": self.delivered_estates,
            "single_built_branches": self.single_built_branches,
            "joint_built_branches": self.joint_built_branches,
            "single_built_rate": self.single_built_rate,
            "coverage": self.coverage,
            "complete_three_level_grids": self.complete_three_level_grids,
            "households_in_contact": self.households_in_contact,
            "service_stations": self.service_stations,
            "volunteer_teams_by_kind": dict(self.volunteer_teams_by_kind),
            "grid_workers": self.grid_workers,
            "building_heads": self.building_heads,
        }


def _active_org_q(on: datetime.date, prefix: str = "") -> Q:
    return active_on_q(on, f"{prefix}established_on", f"{prefix}dissolved_on")


def _area_q(path: str, *, town: Town | None, community_ids) -> Q:
    """Q limiting rows to the town (through `path`, a lookup to Community) and communities."""
    q = Q()
    if town is not None:
        q &= Q(**{f"{path}__town": town})
    if community_ids is not None:
        q &= Q(**{f"{path}__in": community_ids})
    return q


def estate_annotations(on: datetime.date) -> dict:
    """Exists() annotations for an Estate queryset: has_single_branch, has_branch and
    has_complete_grid, all on `on`."""
    links = PartyOrganization.estates.through.objects.filter(
        estate_id=OuterRef("pk"), partyorganization__level=Level.ESTATE_BRANCH
    ).filter(_active_org_q(on, "partyorganization__"))
    # A household-contact group directly under the branch, or under a building group of it;
    # each node on the way active on the day.
    groups = (
        PartyOrganization.objects.filter(level=Level.HOUSEHOLD_GROUP, established_on__lte=on)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=on))
        .filter(
            Q(parent_id=OuterRef("partyorganization_id"))
            | (
                Q(parent__parent_id=OuterRef("partyorganization_id"))
                & Q(parent__level=Level.BUILDING_GROUP)
                & _active_org_q(on, "parent__")
            )
        )
    )
    complete = (
        links.filter(partyorganization__parent__level=Level.COMMUNITY_COMMITTEE)
        .filter(_active_org_q(on, "partyorganization__parent__"))
        .filter(Exists(groups))
    )
    return {
        "has_single_branch": Exists(links.filter(partyorganization__build_type=BuildType.SINGLE)),
        "has_branch": Exists(links),
        "has_complete_grid": Exists(complete),
    }


def statistics_by_community(
    *,
    town: Town | None = None,
    community_ids=None,
    on: datetime.date,
    visited_from: datetime.date | None = None,
    visited_to: datetime.date | None = None,
) -> dict[int, PartyStatistics]:
    """PartyStatistics per community id for the town (or the given communities) on `on`.

    Eight grouped queries (nine with a visit period), whatever the number of estates, branches,
    members or households."""
    if town is None and community_ids is None:
        raise ValueError("Give a town or community ids.")
    if community_ids is not None:
        community_ids = list(community_ids)
    stats: dict[int, PartyStatistics] = defaultdict(PartyStatistics)

    # 1. Estates: delivered, with their own single-built branch, covered, complete grid.
    ann = estate_annotations(on)
    estate_rows = (
        Estate.objects.filter(_area_q("community", town=town, community_ids=community_ids))
        .delivered_on(on)
        .values("community_id")
        .annotate(
            delivered=Count("pk"),
            single=Count("pk", filter=ann["has_single_branch"]),
            covered=Count("pk", filter=ann["has_branch"]),
            complete=Count("pk", filter=ann["has_complete_grid"]),
        )
        .order_by()
    )
    for row in estate_rows:
        s = stats[row["community_id"]]
        s.delivered_estates = row["delivered"]
        s.single_built_estates = row["single"]
        s.covered_estates = row["covered"]
        s.complete_three_level_grids = row["complete"]

    # 2. Estate branches active on the day, single- and joint-built counted apart.
    branch_rows = (
        PartyOrganization.objects.branches()
        .active_on(on)
        .filter(_area_q("community", town=town, community_ids=community_ids))
        .values("community_id", "build_type")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in branch_rows:
        s = stats[row["community_id"]]
        if row["build_type"] == BuildType.SINGLE:
            s.single_built_branches = row["n"]
        else:
            s.joint_built_branches = row["n"]

    # 3. Households in contact: households with an assignment on the day to a current member.
    # Counted from Household with a semi-join (EXISTS) rather than COUNT(DISTINCT) over the
    # assignments: one row per household, no sort (benchmarks/README.md).
    area_households = Household.objects.filter(
        _area_q("building__estate__community", town=town, community_ids=community_ids)
    )
    household_community = "building__estate__community_id"
    in_contact = (
        HouseholdAssignment.objects.active_on(on)
        .filter(household_id=OuterRef("pk"))
        .filter(active_on_q(on, "member__joined_on", "member__left_on"))
    )
    contact_rows = (
        area_households.filter(Exists(in_contact))
        .values(community=F(household_community))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in contact_rows:
        stats[row["community"]].households_in_contact = row["n"]

    # 4. Households visited in the period (optional).
    if visited_from is not None and visited_to is not None:
        for community_id in community_ids or []:
            stats[community_id].households_visited = 0
        visited = Visit.objects.filter(
            household_id=OuterRef("pk"), visited_on__gte=visited_from, visited_on__lte=visited_to
        )
        visit_rows = (
            area_households.filter(Exists(visited))
            .values(community=F(household_community))
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in visit_rows:
            stats[row["community"]].households_visited = row["n"]

    # 5. Party-mass service stations open on the day.
    station_rows = (
        ServiceStation.objects.active_on(on)
        .filter(_area_q("estate__community", town=town, community_ids=community_ids))
        .values("estate__community_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in station_rows:
        stats[row["estate__community_id"]].service_stations = row["n"]

    # 6. Volunteer teams by kind.
    team_rows = (
        VolunteerTeam.objects.active_on(on)
        .filter(_area_q("community", town=town, community_ids=community_ids))
        .values("community_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in team_rows:
        stats[row["community_id"]].volunteer_teams_by_kind[row["kind"]] = row["n"]

    # 7. Grid workers serving on the day in a grid that exists on the day.
    worker_rows = (
        GridWorker.objects.active_on(on)
        .filter(_active_org_q(on, "grid__"))
        .filter(_area_q("grid__community", town=town, community_ids=community_ids))
        .values("grid__community_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in worker_rows:
        stats[row["grid__community_id"]].grid_workers = row["n"]

    # 8. Building heads among current members.
    head_rows = (
        PartyMember.objects.active_on(on)
        .filter(is_building_head=True)
        .filter(_area_q("organization__community", town=town, community_ids=community_ids))
        .values("organization__community_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in head_rows:
        stats[row["organization__community_id"]].building_heads = row["n"]

    return dict(stats)


def party_statistics(
    *,
    town: Town,
    on: datetime.date,
    community: Community | None = None,
    visited_from: datetime.date | None = None,
    visited_to: datetime.date | None = None,
) -> PartyStatistics:
    """The statistics of a town, or of one of its communities, on `on`."""
    per_community = statistics_by_community(
        town=town,
        community_ids=[community.pk] if community else None,
        on=on,
        visited_from=visited_from,
        visited_to=visited_to,
    )
    total = PartyStatistics()
    if visited_from is not None and visited_to is not None:
        total.households_visited = 0
    for stats in per_community.values():
        total.add(stats)
    return total


def visits_per_month(
    *, town: Town, community_ids=None, start: datetime.date, end: datetime.date
) -> list[tuple[datetime.date, int]]:
    """(first day of month, visits) for each month from start to end, empty months included."""
    rows = dict(
        Visit.objects.filter(visited_on__gte=start, visited_on__lte=end)
        .filter(
            _area_q(
                "household__building__estate__community", town=town, community_ids=community_ids
            )
        )
        .annotate(month=TruncMonth("visited_on"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("month", "n")
    )
    months, day = [], start.replace(day=1)
    while day <= end:
        key = day
        value = rows.get(key, rows.get(datetime.datetime.combine(key, datetime.time()), 0))
        months.append((day, value))
        day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return months


def organization_tree(*, user) -> list[dict]:
    """The organisations `user` may see as a forest: [{"org": ..., "children": [...]}, ...],
    from one query."""
    orgs = list(
        scope_to_staff(PartyOrganization.objects.all(), user, community_path="community")
        .select_related("community")
        .annotate(
            member_count=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
            estate_count=Count("estates", distinct=True),
        )
        .order_by("community__name", "name")
    )
    nodes = {org.pk: {"org": org, "children": []} for org in orgs}
    roots = []
    for org in orgs:
        parent = nodes.get(org.parent_id)
        (parent["children"] if parent else roots).append(nodes[org.pk])
    return roots


def visitor_roles(user) -> tuple[PartyMember | None, list[GridWorker]]:
    """The current party member and grid-worker roles linked to `user`'s account."""
    if not user.is_authenticated:
        return None, []
    member = PartyMember.objects.filter(user=user, left_on__isnull=True).first()
    workers = list(
        GridWorker.objects.filter(Q(user=user) | Q(member__user=user, member__left_on__isnull=True))
        .filter(ended_on__isnull=True)
        .select_related("grid")
    )
    return member, workers


def can_log_visits(user) -> bool:
    member, workers = visitor_roles(user)
    return member is not None or bool(workers)


def households_for_visits(*, member, workers, on: datetime.date) -> QuerySet:
    """Households a member is assigned on `on`, plus those in the buildings of their grids."""
    q = Q(pk__in=[])
    if member is not None:
        q |= Q(
            pk__in=HouseholdAssignment.objects.active_on(on)
            .filter(member=member)
            .values("household_id")
        )
    grid_ids = [worker.grid_id for worker in workers]
    if grid_ids:
        q |= Q(building__grids__in=Grid.objects.filter(pk__in=grid_ids).active_on(on))
    return (
        Household.objects.filter(q)
        .distinct()
        .select_related("building__estate")
        .order_by("building__estate__name", "building__name", "room")
    )


def visits_of(*, member, workers, limit: int = 20) -> list[Visit]:
    q = Q(pk__in=[])
    if member is not None:
        q |= Q(member=member)
    if workers:
        q |= Q(grid_worker__in=workers)
    return list(Visit.objects.filter(q).select_related("household__building__estate")[:limit])
