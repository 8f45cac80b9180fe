"""Benchmark of the property_rating computations and the ratings API (issue 3).

Synthetic towns of 100 and 10,000 assessment units, 4 quarters, 9 task items: every unit has a
reviewed report per quarter (360,000 report lines at 10,000 units), two expert inspection
scores, and one unit in ten has 10 households' satisfaction ratings. Measures the wall time and
SQL query count of the quarterly and the annual computation at both sizes (the counts must be
equal: the computation is set-based), and the query count of one /api/v1/ratings/ page at page
sizes 10 and 100.

Run on PostgreSQL (it creates a throwaway test database next to the configured one and drops
it at the end):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gov_bench .venv/bin/python benchmarks/bench_scoring.py
    (options: --units 10000 --small 100 --keepdb)
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings.test")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--keepdb", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    if connection.vendor != "postgresql":
        print("warning: not PostgreSQL; set DATABASE_URL=postgres://...", file=sys.stderr)
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keepdb)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=args.keepdb)


def build_town(name: str, n_units: int, year: int = 2021):
    """The benchmark's town: tests/builders.py reported_town (one builder for tests and
    benchmarks)."""
    from tests.builders import reported_town

    return reported_town(name, n_units, year)


def measure(label, func):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        func()
        elapsed = time.perf_counter() - start
    return {"label": label, "seconds": elapsed, "queries": len(ctx.captured_queries)}


def run(args):
    from django.db import connection
    from django.test import Client

    from property_rating.computation import compute_quarter, compute_year
    from property_rating.models import AnnualResult
    from property_rating.services import results_publish

    figures = []
    towns = {}
    for size in (args.small, args.units):
        start = time.perf_counter()
        town = build_town(f"基准镇{size}", size)
        towns[size] = town
        print(f"built {size} units in {time.perf_counter() - start:.1f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        for quarter in (1, 2, 3, 4):
            figures.append(
                (
                    size,
                    measure(
                        f"quarterly Q{quarter}",
                        lambda q=quarter, t=town: compute_quarter(
                            town_id=t.pk, year=2021, quarter=q
                        ),
                    ),
                )
            )
        figures.append(
            (size, measure("annual", lambda t=town: compute_year(town_id=t.pk, year=2021)))
        )
        figures.append(
            (size, measure("annual (rerun)", lambda t=town: compute_year(town_id=t.pk, year=2021)))
        )
        assert AnnualResult.objects.filter(unit__town=town).count() == size

    print()
    print(f"{'computation':<18}{'units':>8}{'seconds':>10}{'queries':>10}")
    for size, fig in figures:
        print(f"{fig['label']:<18}{size:>8}{fig['seconds']:>10.2f}{fig['queries']:>10}")
    by_label = {}
    for size, fig in figures:
        by_label.setdefault(fig["label"], {})[size] = fig["queries"]
    equal = all(len(set(sizes.values())) == 1 for sizes in by_label.values())
    print(f"query counts equal at {args.small} and {args.units} units: {equal}")

    # The ratings API: one published page at page sizes 10 and 100.
    big = towns[args.units]
    scheme = big.rating_schemes.get(year=2021)
    from communities.models import User

    publisher = User.objects.create(
        username="bench-staff", role=User.Role.TOWNSHIP_STAFF, town=big, is_staff=True
    )
    results_publish(scheme=scheme, by=publisher)
    client = Client()
    api = []
    for page_size in (10, 100):

        def fetch(ps=page_size):
            from django.core.cache import cache

            cache.clear()  # the computed answer, not the cached one anonymous readers mostly get
            response = client.get(
                "/api/v1/ratings/", {"town": big.pk, "year": 2021, "page_size": ps}
            )
            assert response.status_code == 200, response.status_code
            assert len(response.json()["results"]) == ps

        api.append((page_size, measure(f"api page {page_size}", fetch)))
    print()
    for page_size, fig in api:
        print(
            f"/api/v1/ratings/ page_size={page_size:<4} {fig['queries']} queries "
            f"{fig['seconds'] * 1000:.0f} ms"
        )
    print(f"API query counts equal: {api[0][1]['queries'] == api[1][1]['queries']}")
    return figures, api


if __name__ == "__main__":
    main()
