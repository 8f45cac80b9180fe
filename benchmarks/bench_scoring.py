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
    parser.add_argument(
        "--repeat", type=int, default=3, help="side-by-side runs of computation and limit"
    )
    parser.add_argument(
        "--headroom",
        type=int,
        default=0,
        help="also time the annual computation of one town-year of this many units (100000)",
    )
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

    from property_rating.models import AnnualResult
    from property_rating.publication import results_publish
    from property_rating.scoring import compute_quarter, compute_year

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
    from property_rating.publication import results_reopen

    results_reopen(scheme=scheme, by=publisher, reason="benchmark")
    limit = against_the_limit(big, args.repeat)
    if args.headroom:
        headroom(args.headroom)
    return figures, api, limit


def _median(values):
    values = sorted(values)
    return values[len(values) // 2]


def against_the_limit(town, repeat: int) -> dict:
    """Issue 16: the computations next to one set-based SQL statement computing the same thing
    (benchmarks/scoring_limit.py), alternately, `repeat` times each; checks they agree."""
    from django.db import connection

    from benchmarks import scoring_limit
    from property_rating.models import AnnualResult, Payout, QuarterScore
    from property_rating.scoring import compute_quarter, compute_year

    scheme = town.rating_schemes.get(year=2021)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # statistics that know the computed rows, for both sides
    now = time.time
    times = {"quarter": [], "quarter_sql": [], "annual": [], "annual_sql": []}
    quarter, due = 2, scheme.due_at(2)
    for _ in range(repeat):
        with connection.cursor() as cursor:
            start = now()
            q_rows = scoring_limit.run_quarter(
                cursor, town_id=town.pk, year=2021, quarter=quarter, due=due, due_passed=True
            )
            times["quarter_sql"].append(now() - start)
        start = now()
        compute_quarter(town_id=town.pk, year=2021, quarter=quarter)
        times["quarter"].append(now() - start)
        with connection.cursor() as cursor:
            start = now()
            a_rows = scoring_limit.run_annual(cursor, town_id=town.pk, year=2021)
            times["annual_sql"].append(now() - start)
        start = now()
        compute_year(town_id=town.pk, year=2021)
        times["annual"].append(now() - start)

    # The statements compute what the computations stored.
    stored_q = {
        r[0]: r[1:]
        for r in QuarterScore.objects.filter(
            unit__town=town, unit__year=2021, quarter=quarter
        ).values_list("unit_id", "status", "score", "tier_percent", "accrual")
    }
    assert {r[0]: tuple(r[1:]) for r in q_rows} == stored_q, "quarter SQL disagrees"
    payouts = dict(
        Payout.objects.filter(unit__town=town, quarter=0).values_list("unit_id", "amount")
    )
    stored_a = {
        uid: (status, score, rank, stars, list_name, payouts.get(uid))
        for uid, status, score, rank, stars, list_name in AnnualResult.objects.filter(
            unit__town=town
        ).values_list("unit_id", "status", "annual_score", "rank", "stars", "list_name")
    }
    assert {r[0]: tuple(r[1:]) for r in a_rows} == stored_a, "annual SQL disagrees"

    medians = {k: _median(v) for k, v in times.items()}
    ratios = {
        "quarter": medians["quarter"] / medians["quarter_sql"],
        "annual": medians["annual"] / medians["annual_sql"],
    }
    n = len(a_rows)
    print()
    print(f"against the physical limit, {n} units, median of {repeat} alternating runs:")
    print(f"{'':<24}{'computation':>13}{'one SQL statement':>19}{'ratio':>8}")
    for kind, label in (("quarter", f"quarterly (Q{quarter})"), ("annual", "annual")):
        print(
            f"{label:<24}{medians[kind]:>12.3f}s{medians[kind + '_sql']:>18.3f}s"
            f"{ratios[kind]:>7.1f}x"
        )
    print("results identical to the statements' rows: True")
    breakdown(town)
    return {"medians": medians, "ratios": ratios}


def breakdown(town) -> None:
    """Where a computation's time goes: SQL reads, JSON of the explanations, SQL writes, and
    the rest (Python: building rows from the reads, decimal arithmetic, ranking, objects)."""
    from django.db import connection

    import governance.db as gdb
    from property_rating.scoring import compute_quarter, compute_year

    spent = {"read": 0.0, "write": 0.0, "json": 0.0}

    def timed_sql(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            kind = "read" if sql.lstrip().upper().startswith(("SELECT", "WITH")) else "write"
            spent[kind] += time.perf_counter() - start

    real_json = gdb.json

    class TimedJson:
        @staticmethod
        def dumps(*a, **kw):
            start = time.perf_counter()
            try:
                return real_json.dumps(*a, **kw)
            finally:
                spent["json"] += time.perf_counter() - start

    print()
    print(
        f"{'where the time goes':<20}{'total':>8}{'SQL reads':>11}{'JSON':>8}{'SQL writes':>12}"
        f"{'Python':>8}"
    )
    for label, func in (
        ("quarterly (Q2)", lambda: compute_quarter(town_id=town.pk, year=2021, quarter=2)),
        ("annual", lambda: compute_year(town_id=town.pk, year=2021)),
    ):
        spent.update(read=0.0, write=0.0, json=0.0)
        gdb.json = TimedJson
        try:
            with connection.execute_wrapper(timed_sql):
                start = time.perf_counter()
                func()
                total = time.perf_counter() - start
        finally:
            gdb.json = real_json
        rest = total - spent["read"] - spent["write"] - spent["json"]
        print(
            f"{label:<20}{total:>7.2f}s{spent['read']:>10.2f}s{spent['json']:>7.2f}s"
            f"{spent['write']:>11.2f}s{rest:>7.2f}s"
        )


def headroom(n_units: int) -> None:
    """Issue 16 item 2: the annual computation of one town-year of `n_units` units (imported
    quarter scores and annual inputs, tests/builders.bulk_town), time, peak Python memory and
    queries (the same as at 100 units)."""
    import resource
    import tracemalloc

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from property_rating.scoring import compute_all, compute_year
    from tests.builders import bulk_town

    figures = {}
    for size in (100, n_units):
        start = time.perf_counter()
        town = bulk_town(size, name=f"余量镇{int(time.time())}")
        print(f"built {size} units (imported inputs) in {time.perf_counter() - start:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        compute_all(town_id=town.pk, year=2021)  # the quarters, then a first annual run
        # Timed without tracemalloc (it slows the Python part about twice), then run once more
        # under it for the peak of Python allocations.
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            compute_year(town_id=town.pk, year=2021)
            elapsed = time.perf_counter() - start
        tracemalloc.start()
        traced_start = time.perf_counter()
        compute_year(town_id=town.pk, year=2021)
        traced = time.perf_counter() - traced_start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        figures[size] = (elapsed, traced, peak, len(ctx.captured_queries))
    print()
    print("headroom: annual computation of one town-year")
    for size, (elapsed, traced, peak, queries) in figures.items():
        print(
            f"{size:>8} units: {elapsed:6.2f} s ({traced:.2f} s under tracemalloc), "
            f"peak Python allocations {peak / 2**20:6.1f} MiB, {queries} queries"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"benchmark process max RSS (includes building the towns): {rss:.0f} MiB")


if __name__ == "__main__":
    main()
