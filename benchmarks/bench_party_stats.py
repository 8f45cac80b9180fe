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
    from tests.builders import party_town

    return party_town(
        communities_n=COMMUNITIES,
        estates_per_community=ESTATES_PER_COMMUNITY,
        buildings_per_estate=BUILDINGS_PER_ESTATE,
        households_per_building=HOUSEHOLDS_PER_BUILDING,
        joint_every=JOINT_EVERY,
        batch=BATCH,
        on=ON,
    )


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
