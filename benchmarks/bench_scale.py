"""Scale benchmark (issue 7, item 7): the scoring benchmark's synthetic town (bench_scoring.py:
four reviewed reports of nine lines per unit, two inspection scores, satisfaction ratings for one
unit in ten) at 100, 1,000 and 10,000 units. Prints, per size, the wall time and SQL query count
of the four quarterly computations and of the annual computation, how time grows from one size
to the next (linear or better means the ratio stays at or below the size ratio, 10), whether
the query counts stay constant (each computation runs --repeat times, the fastest is kept), and
the memory peak of the annual computation at the largest
size (tracemalloc, measured on a separate rerun so tracing does not slow the timed run; plus the
process's maximum resident set size).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gov_bench .venv/bin/python benchmarks/bench_scale.py
    (options: --sizes 100,1000,10000 --repeat 3 --keepdb --json FILE)

Like bench_scoring.py it creates a throwaway test database next to the configured one and drops
it at the end.
"""

import argparse
import json
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings.test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeat", type=int, default=3, help="runs per computation; best kept")
    parser.add_argument("--keepdb", action="store_true")
    parser.add_argument("--json", help="also write the figures to this file")
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
        figures = run([int(s) for s in args.sizes.split(",")], args.repeat)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=args.keepdb)
    report(figures)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


def best_of(repeat: int, label: str, func) -> dict:
    """The fastest of `repeat` runs (a computation run again leaves the same rows): on a shared
    machine the minimum is the figure least disturbed by other jobs."""
    from bench_scoring import measure  # the property-rating issue's benchmark

    runs = [measure(label, func) for _ in range(repeat)]
    return min(runs, key=lambda r: r["seconds"])


def run(sizes: list[int], repeat: int) -> dict:
    from bench_scoring import build_town
    from django.db import connection

    from property_rating.models import AnnualResult
    from property_rating.scoring import compute_quarter, compute_year

    figures = {"sizes": {}, "memory": {}}
    for size in sizes:
        started = time.perf_counter()
        town = build_town(f"规模镇{size}", size)
        built = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        quarters = [
            best_of(
                repeat,
                f"Q{q}",
                lambda q=q, t=town.pk: compute_quarter(town_id=t, year=2021, quarter=q),
            )
            for q in (1, 2, 3, 4)
        ]
        annual = best_of(repeat, "annual", lambda t=town.pk: compute_year(town_id=t, year=2021))
        assert AnnualResult.objects.filter(unit__town=town).count() == size
        figures["sizes"][size] = {
            "build_s": built,
            "quarterly_s": sum(q["seconds"] for q in quarters),
            "quarterly_queries": [q["queries"] for q in quarters],
            "annual_s": annual["seconds"],
            "annual_queries": annual["queries"],
        }
        print(
            f"{size} units: built in {built:.1f} s, quarters "
            f"{figures['sizes'][size]['quarterly_s']:.2f} s, annual {annual['seconds']:.2f} s",
            flush=True,
        )
    largest = max(sizes)
    town_id = (
        AnnualResult.objects.filter(unit__town__name=f"规模镇{largest}")
        .values_list("unit__town_id", flat=True)
        .first()
    )
    tracemalloc.start()
    compute_year(town_id=town_id, year=2021)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    figures["memory"] = {
        "units": largest,
        "annual_tracemalloc_peak_mib": peak / 2**20,
        "process_max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    return figures


def report(figures: dict) -> None:
    sizes = sorted(figures["sizes"], key=int)
    print()
    print(
        f"{'units':>8}{'quarterly s':>13}{'annual s':>10}{'total s':>9}{'ms/unit':>9}"
        f"{'queries (Q1-Q4 | annual)':>28}"
    )
    for size in sizes:
        f = figures["sizes"][size]
        total = f["quarterly_s"] + f["annual_s"]
        queries = f"{'/'.join(map(str, f['quarterly_queries']))} | {f['annual_queries']}"
        print(
            f"{size:>8}{f['quarterly_s']:>13.2f}{f['annual_s']:>10.2f}{total:>9.2f}"
            f"{total / int(size) * 1000:>9.2f}{queries:>28}"
        )
    for small, big in zip(sizes, sizes[1:], strict=False):
        fs, fb = figures["sizes"][small], figures["sizes"][big]
        ratio = (fb["quarterly_s"] + fb["annual_s"]) / (fs["quarterly_s"] + fs["annual_s"])
        print(
            f"{small} -> {big} units (x{int(big) // int(small)}): time x{ratio:.1f} "
            f"({'linear or better' if ratio <= int(big) / int(small) * 1.1 else 'WORSE than linear'})"
        )
    constant = (
        len(
            {
                (
                    tuple(figures["sizes"][s]["quarterly_queries"]),
                    figures["sizes"][s]["annual_queries"],
                )
                for s in sizes
            }
        )
        == 1
    )
    print(f"query counts constant across sizes: {constant}")
    m = figures["memory"]
    print(
        f"annual computation at {m['units']} units: tracemalloc peak "
        f"{m['annual_tracemalloc_peak_mib']:.1f} MiB; process max RSS "
        f"{m['process_max_rss_mib']:.0f} MiB (includes building the towns)"
    )


if __name__ == "__main__":
    main()
