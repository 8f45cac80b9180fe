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

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, TruncMonth
from django.utils import timezone

from communities.models import (
    Community,
    Estate,
    Household,
    OwnersCommittee,
    Town,
    active_on_q,
)
from communities.scoping import scope_to_staff
from communities.selectors import kept_or_counted

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
    # regions.md: distinct people per team kind (one person in two teams of a kind counts once).
    volunteers_by_kind: dict = field(
        default_factory=lambda: dict.fromkeys(VolunteerTeam.Kind.values, 0)
    )
    owners_committees: int = 0
    self_management_committees: int = 0
    three_without_estates: int = 0
    # The linked members counted in building_heads (ids): an area counts each person once.
    head_members: set = field(default_factory=set, repr=False, compare=False)

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
            "owners_committees",
            "self_management_committees",
            "three_without_estates",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.households_visited is not None:
            self.households_visited = (self.households_visited or 0) + other.households_visited
        for kind, n in other.volunteer_teams_by_kind.items():
            self.volunteer_teams_by_kind[kind] = self.volunteer_teams_by_kind.get(kind, 0) + n
        # Adding distinct counts overstates a person active in two communities; the area's
        # totals replace these with counts over the area's records (area_statistics).
        for kind, n in other.volunteers_by_kind.items():
            self.volunteers_by_kind[kind] = self.volunteers_by_kind.get(kind, 0) + n

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
            "volunteers_by_kind": dict(self.volunteers_by_kind),
            "owners_committees": self.owners_committees,
            "self_management_committees": self.self_management_committees,
            "three_without_estates": self.three_without_estates,
        }


def _active_org_q(on: datetime.date, prefix: str = "") -> Q:
    return active_on_q(on, f"{prefix}established_on", f"{prefix}dissolved_on")


def _area_q(path: str, *, town: Town | None, community_ids, town_ids=None) -> Q:
    """Q limiting rows to the town or towns (through `path`, a lookup to Community) and
    communities."""
    q = Q()
    if town is not None:
        q &= Q(**{f"{path}__town": town})
    if town_ids is not None:
        q &= Q(**{f"{path}__town_id__in": town_ids})
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
    # each node on the way active on the day. Two EXISTS rather than one with an OR, so each can
    # be an index lookup on parent_id: 0.05 s for a city of 10,000 estates on an idle machine
    # (with PostgreSQL's JIT off; benchmarks/README.md "Regions").
    day_groups = PartyOrganization.objects.filter(
        level=Level.HOUSEHOLD_GROUP, established_on__lte=on
    ).filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=on))
    direct_groups = day_groups.filter(parent_id=OuterRef("partyorganization_id"))
    building_groups = day_groups.filter(
        Q(parent__parent_id=OuterRef("partyorganization_id"))
        & Q(parent__level=Level.BUILDING_GROUP)
        & _active_org_q(on, "parent__")
    )
    complete = (
        links.filter(partyorganization__parent__level=Level.COMMUNITY_COMMITTEE)
        .filter(_active_org_q(on, "partyorganization__parent__"))
        .filter(Exists(direct_groups) | Exists(building_groups))
    )
    return {
        "has_single_branch": Exists(links.filter(partyorganization__build_type=BuildType.SINGLE)),
        "has_branch": Exists(links),
        "has_complete_grid": Exists(complete),
    }


def statistics_by_community(
    *,
    town: Town | None = None,
    town_ids=None,
    community_ids=None,
    on: datetime.date,
    visited_from: datetime.date | None = None,
    visited_to: datetime.date | None = None,
    by_town: bool = False,
    from_records: bool = False,
) -> dict[int, PartyStatistics]:
    """PartyStatistics per community id (per town id with `by_town`) for the town, the towns
    `town_ids` (a district or a city) or the given communities, on `on`.

    Eleven grouped queries (twelve with a visit period), whatever the number of towns, estates,
    branches, members or households. Distinct people are counted within each group. Today's
    households in contact come from the per-estate figures (EstateFigures) unless
    `from_records`."""
    if town is None and community_ids is None and town_ids is None:
        raise ValueError("Give a town, town ids or community ids.")
    if community_ids is not None:
        community_ids = list(community_ids)
    if town_ids is not None:
        town_ids = list(town_ids)
    stats: dict[int, PartyStatistics] = defaultdict(PartyStatistics)

    def area(path: str) -> Q:
        return _area_q(path, town=town, community_ids=community_ids, town_ids=town_ids)

    def key(path: str) -> F:
        """The group a row falls in: its community's id, or its town's."""
        return F(f"{path}__town_id" if by_town else f"{path}_id")

    # 1. Estates: delivered, with their own single-built branch, covered, complete grid.
    ann = estate_annotations(on)
    estate_rows = (
        Estate.objects.filter(area("community"))
        .delivered_on(on)
        .values(group=key("community"))
        .annotate(
            delivered=Count("pk"),
            single=Count("pk", filter=ann["has_single_branch"]),
            covered=Count("pk", filter=ann["has_branch"]),
            complete=Count("pk", filter=ann["has_complete_grid"]),
        )
        .order_by()
    )
    for row in estate_rows:
        s = stats[row["group"]]
        s.delivered_estates = row["delivered"]
        s.single_built_estates = row["single"]
        s.covered_estates = row["covered"]
        s.complete_three_level_grids = row["complete"]

    # 2. Estate branches active on the day, single- and joint-built counted apart.
    branch_rows = (
        PartyOrganization.objects.branches()
        .active_on(on)
        .filter(area("community"))
        .values("build_type", group=key("community"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in branch_rows:
        s = stats[row["group"]]
        if row["build_type"] == BuildType.SINGLE:
            s.single_built_branches += row["n"]
        else:
            s.joint_built_branches += row["n"]

    # 3. Households in contact: households with an assignment on the day to a current member.
    # Today, from the maintained per-estate figures (one row per estate; an estate whose row is
    # missing or not of today is counted from its records in the same query). Any other day, or
    # with `from_records`, counted from Household with a semi-join (EXISTS) rather than
    # COUNT(DISTINCT) over the assignments: one row per household, no sort (benchmarks/README.md).
    area_households = Household.objects.filter(area("building__estate__community"))
    household_group = key("building__estate__community")
    if on == timezone.localdate() and not from_records:
        contact_rows = (
            Estate.objects.filter(area("community"))
            .values(group=key("community"))
            .annotate(n=Sum(_estate_households_in_contact(on)))
            .order_by()
        )
    else:
        contact_rows = (
            area_households.filter(Exists(_in_contact(on)))
            .values(group=household_group)
            .annotate(n=Count("pk"))
            .order_by()
        )
    for row in contact_rows:
        if row["n"]:
            stats[row["group"]].households_in_contact = row["n"]

    # 4. Households visited in the period (optional).
    if visited_from is not None and visited_to is not None:
        for community_id in (community_ids or []) if not by_town else []:
            stats[community_id].households_visited = 0
        visited = Visit.objects.filter(
            household_id=OuterRef("pk"), visited_on__gte=visited_from, visited_on__lte=visited_to
        )
        visit_rows = (
            area_households.filter(Exists(visited))
            .values(group=household_group)
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in visit_rows:
            stats[row["group"]].households_visited = row["n"]

    # 5. Party-mass service stations open on the day.
    station_rows = (
        ServiceStation.objects.active_on(on)
        .filter(area("estate__community"))
        .values(group=key("estate__community"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in station_rows:
        stats[row["group"]].service_stations = row["n"]

    # 6. Volunteer teams by kind.
    team_rows = (
        VolunteerTeam.objects.active_on(on)
        .filter(area("community"))
        .values("kind", group=key("community"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in team_rows:
        stats[row["group"]].volunteer_teams_by_kind[row["kind"]] = row["n"]

    # 7. Grid workers serving on the day in a grid that exists on the day.
    worker_rows = (
        GridWorker.objects.active_on(on)
        .filter(_active_org_q(on, "grid__"))
        .filter(area("grid__community"))
        .values(group=key("grid__community"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in worker_rows:
        stats[row["group"]].grid_workers = row["n"]

    # 8. Building heads: current members flagged as heads, plus the BuildingHead records of the
    # day whose head is not such a member already (one person counted once, regions.md).
    head_rows = (
        PartyMember.objects.active_on(on)
        .filter(is_building_head=True)
        .filter(area("organization__community"))
        .values(group=key("organization__community"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in head_rows:
        stats[row["group"]].building_heads = row["n"]
    # One row per group and linked member (a group's others in its row without a member), so
    # the area's distinct members are the union of the groups' (area_breakdown), not a second
    # pass over the records.
    for row in (
        _building_heads(on)
        .filter(area("building__estate__community"))
        .exclude(_flagged_member(on))
        .values("member_id", group=key("building__estate__community"))
        .annotate(n=Count("pk"))
        .order_by()
    ):
        s = stats[row["group"]]
        if row["member_id"] is None:
            s.building_heads += row["n"]  # heads outside the party: one person per record
        else:
            s.building_heads += 1
            s.head_members.add(row["member_id"])

    # 9. Volunteers: distinct people per team kind.
    for row in (
        _volunteers(on)
        .filter(area("team__community"))
        .values("team__kind", group=key("team__community"))
        .annotate(n=Count("person", distinct=True))
        .order_by()
    ):
        stats[row["group"]].volunteers_by_kind[row["team__kind"]] = row["n"]

    # 10. Owners' and self-management committees in office on the day.
    committee_rows = (
        OwnersCommittee.objects.filter(active_on_q(on, "established_on", "dissolved_on"))
        .filter(area("estate__community"))
        .values("kind", group=key("estate__community"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in committee_rows:
        s = stats[row["group"]]
        if row["kind"] == OwnersCommittee.Kind.SELF_MANAGEMENT:
            s.self_management_committees = row["n"]
        else:
            s.owners_committees = row["n"]

    # 11. Three-without estates on the day (no company, committee or supervising unit).
    three_without_rows = (
        Estate.objects.filter(area("community"))
        .three_without(on)
        .values(group=key("community"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in three_without_rows:
        stats[row["group"]].three_without_estates = row["n"]

    return dict(stats)


def _in_contact(on: datetime.date) -> QuerySet:
    """Assignments, on `on`, of the outer Household to a member who is a member on `on`."""
    return (
        HouseholdAssignment.objects.active_on(on)
        .filter(household_id=OuterRef("pk"))
        .filter(active_on_q(on, "member__joined_on", "member__left_on"))
    )


def households_in_contact_by_estate(*, on: datetime.date, estate_ids=None) -> dict[int, int]:
    """{estate id: households in contact on `on`} from the records, for the given estates (all
    estates when None); estates without such a household are left out. One grouped query."""
    households = Household.objects.filter(Exists(_in_contact(on)))
    if estate_ids is not None:
        households = households.filter(building__estate_id__in=list(estate_ids))
    return dict(
        households.values("building__estate_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("building__estate_id", "n")
    )


def _estate_households_in_contact(on: datetime.date) -> Case:
    """For an Estate queryset: its households in contact on `on`, from its EstateFigures row
    when that row is of `on`, else counted from its records."""
    return kept_or_counted(
        "party_figures",
        "households_in_contact",
        Household.objects.filter(Exists(_in_contact(on))),
        on,
    )


def _building_heads(on: datetime.date) -> QuerySet:
    return BuildingHead.objects.active_on(on)


def _flagged_member(on: datetime.date) -> Q:
    """BuildingHead rows whose linked member is a current member flagged as a building head:
    already counted by the flag, so left out of the records' count."""
    return Q(member__is_building_head=True) & active_on_q(
        on, "member__joined_on", "member__left_on"
    )


def _volunteers(on: datetime.date) -> QuerySet:
    """Volunteers in a team on `on`, annotated with `person`: the linked party member, else the
    name and phone recorded (regions.md: volunteers_by_kind counts distinct people)."""
    return (
        VolunteerTeamMember.objects.filter(active_on_q(on, "joined_on", "left_on"))
        .filter(active_on_q(on, "team__established_on", "team__dissolved_on"))
        .annotate(
            person=Coalesce(
                Cast("party_member_id", CharField()),
                Concat(Value("~"), "name", Value("|"), "phone", output_field=CharField()),
                output_field=CharField(),
            )
        )
    )


def area_breakdown(
    *,
    town_ids,
    on: datetime.date,
    visited_from: datetime.date | None = None,
    visited_to: datetime.date | None = None,
    from_records: bool = False,
) -> tuple[dict[int, PartyStatistics], PartyStatistics]:
    """(statistics per town id, the area's statistics) for a town, district or city (its towns'
    ids) on `on`. The area's counts are the sums of its towns' counts; distinct people
    (volunteers, building heads) are counted over the area's records and rates computed from the
    area's counts, never added or averaged (regions.md "Figures across a region").

    Twelve queries (thirteen with a visit period) whatever the size of the area."""
    town_ids = list(town_ids)
    period = visited_from is not None and visited_to is not None
    per_town = statistics_by_community(
        town_ids=town_ids,
        on=on,
        visited_from=visited_from,
        visited_to=visited_to,
        by_town=True,
        from_records=from_records,
    )
    total = PartyStatistics(households_visited=0 if period else None)
    for stats in per_town.values():
        total.add(stats)
    total.volunteers_by_kind = dict.fromkeys(VolunteerTeam.Kind.values, 0)
    for row in (
        _volunteers(on)
        .filter(team__community__town_id__in=town_ids)
        .values("team__kind")
        .annotate(n=Count("person", distinct=True))
        .order_by()
    ):
        total.volunteers_by_kind[row["team__kind"]] = row["n"]
    # Building heads: the towns' flagged members (one organisation each) and heads outside the
    # party (one per record) add up; linked members are counted once over the area.
    members = set().union(*(stats.head_members for stats in per_town.values()))
    total.building_heads += len(members) - sum(len(s.head_members) for s in per_town.values())
    return per_town, total


def area_statistics(
    *,
    town_ids,
    on: datetime.date,
    visited_from: datetime.date | None = None,
    visited_to: datetime.date | None = None,
    from_records: bool = False,
) -> PartyStatistics:
    """The statistics of a town, district or city (its towns' ids) on `on` (area_breakdown)."""
    return area_breakdown(
        town_ids=town_ids,
        on=on,
        visited_from=visited_from,
        visited_to=visited_to,
        from_records=from_records,
    )[1]


def party_statistics(
    *,
    town: Town,
    on: datetime.date,
    community: Community | None = None,
    visited_from: datetime.date | None = None,
    visited_to: datetime.date | None = None,
) -> PartyStatistics:
    """The statistics of a town, or of one of its communities, on `on`."""
    if community is None:
        return area_statistics(
            town_ids=[town.pk], on=on, visited_from=visited_from, visited_to=visited_to
        )
    per_community = statistics_by_community(
        town=town,
        community_ids=[community.pk],
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
    *,
    town: Town | None = None,
    community_ids=None,
    town_ids=None,
    start: datetime.date,
    end: datetime.date,
) -> list[tuple[datetime.date, int]]:
    """(first day of month, visits) for each month from start to end, empty months included."""
    rows = dict(
        Visit.objects.filter(visited_on__gte=start, visited_on__lte=end)
        .filter(
            _area_q(
                "household__building__estate__community",
                town=town,
                community_ids=community_ids,
                town_ids=town_ids,
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
