"""Benchmark: party-grid statistics for a town of 1,000 estates and 100,000 households.

Runs on PostgreSQL (DATABASE_URL) in a throw-away database, test_party_stats_bench, which it creates,
migrates, fills with bulk inserts and drops again; the development data is never touched.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gov_bench .venv/bin/python benchmarks/bench_party_stats.py

Prints the size of the town, the time and the number of queries of:
  - the town's statistics on a day (what the API serves),
  - the per-community statistics with a visit period (what the dashboard shows),
  - one community's statistics.
"""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

COMMUNITIES = 20
ESTATES_PER_COMMUNITY = 50  # 1,000 estates
BUILDINGS_PER_ESTATE = 4
HOUSEHOLDS_PER_BUILDING = 25  # 100 per estate: 100,000 households
JOINT_EVERY = 10  # every 10th estate shares a joint branch with the next 3 estates
ON = datetime.date(2021, 12, 31)
RUNS = 7
BATCH = 5000


def build_town():
    from communities.models import Building, Community, Estate, Household, Town, User
    from party_grid.models import (
        Grid,
        GridWorker,
        HouseholdAssignment,
        PartyMember,
        PartyOrganization,
        ServiceStation,
        Visit,
        VolunteerTeam,
    )

    Level, BuildType = PartyOrganization.Level, PartyOrganization.BuildType
    start = datetime.date(2020, 1, 1)
    town = Town.objects.create(name="基准镇")
    recorder = User.objects.create(
        username="bench-recorder", role=User.Role.TOWNSHIP_STAFF, town=town
    )
    communities = Community.objects.bulk_create(
        Community(town=town, name=f"基准社区{c:02d}") for c in range(COMMUNITIES)
    )
    estates = Estate.objects.bulk_create(
        (
            Estate(
                community=community,
                name=f"基准小区{c:02d}-{e:03d}",
                status=Estate.Status.DELIVERED if e % 25 else Estate.Status.UNDER_CONSTRUCTION,
                delivery_date=datetime.date(2015, 1, 1),
            )
            for c, community in enumerate(communities)
            for e in range(ESTATES_PER_COMMUNITY)
        ),
        batch_size=BATCH,
    )
    buildings = Building.objects.bulk_create(
        (
            Building(estate=estate, name=f"{b + 1}栋")
            for estate in estates
            for b in range(BUILDINGS_PER_ESTATE)
        ),
        batch_size=BATCH,
    )
    households = Household.objects.bulk_create(
        (
            Household(building=building, room=f"{100 + r}")
            for building in buildings
            for r in range(HOUSEHOLDS_PER_BUILDING)
        ),
        batch_size=BATCH,
    )
    committees = {
        community.pk: PartyOrganization(
            community=community, level=Level.COMMUNITY_COMMITTEE, name="党委", established_on=start
        )
        for community in communities
    }
    PartyOrganization.objects.bulk_create(committees.values())
    branches, links = [], []
    for i, estate in enumerate(estates):
        position = i % ESTATES_PER_COMMUNITY
        if position % JOINT_EVERY in (1, 2, 3):
            continue  # covered by the joint branch started at position % JOINT_EVERY == 0
        joint = position % JOINT_EVERY == 0
        branches.append(
            PartyOrganization(
                community_id=estate.community_id,
                parent=committees[estate.community_id],
                level=Level.ESTATE_BRANCH,
                build_type=BuildType.JOINT if joint else BuildType.SINGLE,
                name=f"{estate.name}支部",
                established_on=start,
                dissolved_on=datetime.date(2021, 6, 30) if i % 97 == 0 else None,
            )
        )
        links.append(estates[i : i + 4] if joint else [estate])
    PartyOrganization.objects.bulk_create(branches, batch_size=BATCH)
    through = PartyOrganization.estates.through
    through.objects.bulk_create(
        (
            through(partyorganization_id=b.pk, estate_id=e.pk)
            for b, group in zip(branches, links, strict=True)
            for e in group
        ),
        batch_size=BATCH,
    )
    groups = PartyOrganization.objects.bulk_create(
        (
            PartyOrganization(
                community_id=b.community_id,
                parent=b,
                level=Level.HOUSEHOLD_GROUP,
                name="户联系党小组",
                established_on=start,
            )
            for n, b in enumerate(branches)
            if n % 2 == 0
        ),
        batch_size=BATCH,
    )
    group_of_estate = {}
    branch_index = {b.pk: n for n, b in enumerate(branches)}
    for group in groups:
        for estate in links[branch_index[group.parent_id]]:
            group_of_estate[estate.pk] = group
    branch_of_estate = {e.pk: b for b, group in zip(branches, links, strict=True) for e in group}
    # One member per building, contacting its 25 households.
    members = PartyMember.objects.bulk_create(
        (
            PartyMember(
                organization=group_of_estate.get(building.estate_id)
                or branch_of_estate[building.estate_id],
                name=f"党员{n}",
                phone=f"139{n:08d}",
                is_building_head=n % 3 == 0,
                joined_on=start,
            )
            for n, building in enumerate(buildings)
        ),
        batch_size=BATCH,
    )
    member_of_building = {b.pk: m for b, m in zip(buildings, members, strict=True)}
    HouseholdAssignment.objects.bulk_create(
        (
            HouseholdAssignment(
                member=member_of_building[h.building_id],
                household=h,
                valid_from=datetime.date(2021, 1, 1) if n % 10 else ON + datetime.timedelta(days=1),
            )
            for n, h in enumerate(households)
        ),
        batch_size=BATCH,
    )
    Visit.objects.bulk_create(
        (
            Visit(
                member=member_of_building[h.building_id],
                household=h,
                visited_on=datetime.date(2021, 1 + n % 12, 1 + n % 28),
                channel="door",
                recorded_by=recorder,
            )
            for n, h in enumerate(households)
            if n % 2 == 0
        ),
        batch_size=BATCH,
    )
    ServiceStation.objects.bulk_create(
        (
            ServiceStation(estate=e, name="党群服务站", opened_on=start)
            for n, e in enumerate(estates)
            if n % 3 == 0
        ),
        batch_size=BATCH,
    )
    kinds = list(VolunteerTeam.Kind.values)
    VolunteerTeam.objects.bulk_create(
        (
            VolunteerTeam(
                community_id=e.community_id,
                estate=e,
                kind=kinds[(n // 2) % 4],
                name=f"志愿队{n}",
                established_on=start,
            )
            for n, e in enumerate(estates)
            if n % 2 == 0
        ),
        batch_size=BATCH,
    )
    grids = Grid.objects.bulk_create(
        Grid(community=c, name=f"网格{g}", established_on=start)
        for c in communities
        for g in range(10)
    )
    GridWorker.objects.bulk_create(
        GridWorker(
            grid=grid,
            name=f"网格员{n}",
            member=members[n] if n % 2 else None,
            is_part_time=bool(n % 2),
            started_on=start,
        )
        for n, grid in enumerate(grids)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return town, communities


def measure(label, func):
    timings, queries, result = [], 0, None
    func()  # warm the connection and plan caches once
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as ctx:
            begin = time.perf_counter()
            result = func()
            timings.append((time.perf_counter() - begin) * 1000)
        queries = len(ctx.captured_queries)
    if os.environ.get("BENCH_VERBOSE"):
        for query in ctx.captured_queries:
            print(f"    {query['time']}s  {query['sql'][:110]}")
    print(
        f"{label:<58} median {statistics.median(timings):7.1f} ms  "
        f"min {min(timings):7.1f} ms  {queries} queries"
    )
    return result


def explain_contacts(town):
    """EXPLAIN ANALYZE of the heaviest statistic (households in contact)."""
    from django.db.models import Exists, OuterRef

    from communities.models import Household, active_on_q
    from party_grid.models import HouseholdAssignment

    in_contact = (
        HouseholdAssignment.objects.active_on(ON)
        .filter(household_id=OuterRef("pk"))
        .filter(active_on_q(ON, "member__joined_on", "member__left_on"))
    )
    qs = (
        Household.objects.filter(building__estate__community__town=town)
        .filter(Exists(in_contact))
        .values("building__estate__community_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    print(qs.explain(analyze=True))


def main():
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    from party_grid import selectors

    # Its own database name, so it never clobbers another benchmark's test database.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = "test_party_stats_bench"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        begin = time.perf_counter()
        town, communities = build_town()
        from communities.models import Estate, Household
        from party_grid.models import HouseholdAssignment, Visit

        print(
            f"PostgreSQL {connection.cursor().connection.server_version}; built in "
            f"{time.perf_counter() - begin:.1f} s: {Estate.objects.count()} estates, "
            f"{Household.objects.count()} households, "
            f"{HouseholdAssignment.objects.count()} assignments, {Visit.objects.count()} visits"
        )
        stats = measure(
            "town statistics on 2021-12-31 (API)",
            lambda: selectors.party_statistics(town=town, on=ON),
        )
        measure(
            "per-community statistics + visits in 2021 (dashboard)",
            lambda: selectors.statistics_by_community(
                town=town,
                community_ids=[c.pk for c in communities],
                on=ON,
                visited_from=datetime.date(2021, 1, 1),
                visited_to=ON,
            ),
        )
        measure(
            "visits per month, 12 months (dashboard chart)",
            lambda: selectors.visits_per_month(town=town, start=datetime.date(2021, 1, 1), end=ON),
        )
        measure(
            "one community's statistics",
            lambda: selectors.party_statistics(town=town, on=ON, community=communities[0]),
        )
        if os.environ.get("BENCH_EXPLAIN"):
            explain_contacts(town)
        print("figures:", {k: str(v) for k, v in stats.as_api_dict().items()})
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
