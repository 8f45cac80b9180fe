"""Benchmark of a large household import (issue 15): rows per second through the admin's
background job (the same resource, checks and single transaction as the admin import) next to
PostgreSQL's own `COPY` of the same rows.

A town with 100 estates of 10 buildings each; the file is a GB18030 CSV with Chinese headers
(小区,楼栋,房号), one household per row, spread over the 1,000 buildings. Timed:

- reading the file (`read_table`: decoding, caps, blank rows),
- the import job (`run_import_job`: every row looked up in the user's scope, validated with
  full_clean and inserted, all in one transaction), as township staff,
- `COPY communities_household (building_id, room, delivered) FROM STDIN` of the same rows (building ids
  resolved beforehand, no validation), after the job's rows are deleted.

Memory: the process's peak resident set (`ru_maxrss`) after each step, and with
`--trace-memory` the peak of Python allocations during each step (tracemalloc; it slows the
Python code down, so its times are not the figures to quote).

Run on PostgreSQL (it creates a throwaway test database next to the configured one and drops it):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gov_ibench .venv/bin/python benchmarks/bench_import.py
    (options: --rows 100000 --keepdb --trace-memory)
"""

import argparse
import contextlib
import io
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings.test")

ESTATES = 100
BUILDINGS_PER_ESTATE = 10


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keepdb", action="store_true")
    parser.add_argument(
        "--trace-memory", action="store_true", help="peak Python allocations per step (slower)"
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
    connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=args.keepdb, serialize=False
    )
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=args.keepdb)


def rss_mb() -> float:
    """Peak resident set of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextlib.contextmanager
def measured(trace: bool, peaks: dict, name: str):
    """Time the block; with `trace`, record the peak of Python allocations during it."""
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    try:
        yield
    finally:
        peaks[name] = {"s": time.perf_counter() - start, "rss": rss_mb()}
        if trace:
            peaks[name]["heap"] = tracemalloc.get_traced_memory()[1] / 1048576
            tracemalloc.stop()


def build_town():
    from communities.models import Building, Community, Estate, Town, User

    town = Town.objects.create(name="基准镇")
    communities = Community.objects.bulk_create(
        Community(town=town, name=f"基准社区{i}") for i in range(10)
    )
    estates = Estate.objects.bulk_create(
        Estate(
            community=communities[i % 10],
            name=f"基准小区{i}",
            status="delivered",
            delivery_date="2015-01-01",
        )
        for i in range(ESTATES)
    )
    Building.objects.bulk_create(
        Building(estate=estate, name=f"{b + 1}栋")
        for estate in estates
        for b in range(BUILDINGS_PER_ESTATE)
    )
    user = User.objects.create(
        username="bench", role=User.Role.TOWNSHIP_STAFF, is_staff=True, town=town
    )
    return user


def rows(n):
    buildings = ESTATES * BUILDINGS_PER_ESTATE
    for i in range(n):
        b = i % buildings
        yield (
            f"基准小区{b // BUILDINGS_PER_ESTATE}",
            f"{b % BUILDINGS_PER_ESTATE + 1}栋",
            str(1000 + i // buildings),
        )


def run(args):
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.db import connection, reset_queries

    from communities.models import Building, Household
    from governance.models import ImportJob
    from governance.spreadsheets import Limits, csv_text, read_table
    from governance.spreadsheets.jobs import run_import_job

    settings.IMPORT_MAX_ROWS = max(settings.IMPORT_MAX_ROWS, args.rows)
    settings.IMPORT_MAX_BYTES = max(settings.IMPORT_MAX_BYTES, args.rows * 100)
    settings.DEBUG = False
    user = build_town()
    content = csv_text(rows(args.rows), header=["小区", "楼栋", "房号"]).encode("gb18030")
    print(f"households: {args.rows:,}; file: {len(content) / 1048576:.1f} MB (GB18030 CSV)")

    steps: dict[str, dict] = {}
    baseline = rss_mb()
    with measured(args.trace_memory, steps, "read"):
        table = read_table(content, name="households.csv", limits=Limits.from_settings())
    read_s = steps["read"]["s"]
    assert len(table.rows) == args.rows
    del table

    job = ImportJob(
        created_by=user,
        model_label="communities.household",
        original_name="households.csv",
        file_format="csv",
    )
    job.file.save("households.csv", ContentFile(content), save=False)
    job.save()
    reset_queries()
    with measured(args.trace_memory, steps, "job"):
        status = run_import_job(job.pk)
    job_s = steps["job"]["s"]
    job.refresh_from_db()
    assert status == "done", job.errors[:5]
    assert Household.objects.count() == args.rows

    ids = {
        (estate, name): pk
        for pk, estate, name in Building.objects.values_list("pk", "estate__name", "name")
    }
    with connection.cursor() as cursor:
        # Raw: nothing refers to the new households, and a cascade collector is not measured.
        cursor.execute("DELETE FROM communities_household")
    buffer = io.StringIO()
    for estate, building, room in rows(args.rows):
        buffer.write(f"{ids[(estate, building)]},{room},t\n")
    start = time.perf_counter()
    with connection.cursor() as cursor:
        buffer.seek(0)
        cursor.cursor.copy_expert(
            "COPY communities_household (building_id, room, delivered) FROM STDIN WITH (FORMAT csv)",
            buffer,
        )
    copy_s = time.perf_counter() - start
    assert Household.objects.count() == args.rows

    def line(what, seconds):
        print(f"| {what} | {seconds:,.2f} s | {args.rows / seconds:,.0f} rows/s |")

    print("| step | time | rate |")
    print("|---|---:|---:|")
    line("read the GB18030 CSV (read_table)", read_s)
    line("import job (lookups, full_clean, insert; one transaction)", job_s)
    line("PostgreSQL COPY of the same rows", copy_s)
    print(f"job / COPY: {job_s / copy_s:,.0f}x; load average: {os.getloadavg()[0]:.1f}")
    print(f"peak RSS: {baseline:,.0f} MB before reading the file", end="")
    for name in ("read", "job"):
        print(f", {steps[name]['rss']:,.0f} MB after {name}", end="")
    print()
    if args.trace_memory:
        for name in ("read", "job"):
            print(f"peak Python allocations during {name}: {steps[name]['heap']:,.0f} MB")


if __name__ == "__main__":
    main()
