"""Benchmark: case figures and the hourly escalation pass for a town with 100,000 cases a year.

Runs on PostgreSQL (DATABASE_URL) in a throw-away database, test_<database>_cases_bench, which it
creates, migrates, fills with bulk inserts and drops again; the development data is never touched.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gov_cbench .venv/bin/python benchmarks/bench_cases.py
    # --cases 100000 --overdue 500 (defaults)

Prints the time (median and minimum of 5 runs after a warm-up) and the number of queries of:
  - the dashboard's figures (deliberation.cases.figures.case_figures) per town and month, per
    estate and quarter, per department and month, per company and quarter, over the year;
  - the hourly escalation pass (escalate_overdue) with `--overdue` assignments past their reply
    deadline, and the same pass again with nothing to move.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

COMMUNITIES = 10
ESTATES_PER_COMMUNITY = 20  # 200 estates, 500 cases each a year
COMPANIES = 40
RUNS = 5
BATCH = 5000


def build_town(n_cases: int, n_overdue: int, now):
    from communities.models import Community, Estate, PropertyCompany, ServiceContract, Town
    from deliberation.cases.deadlines import SHANGHAI
    from deliberation.cases.models import Assignment, Case, CaseCategory, Reply
    from deliberation.cases.services import first_handlers_fill, responsibility_list_ensure

    rng = random.Random(7)  # noqa: S311  # nosec B311: benchmark data
    town = Town.objects.create(name="基准镇")
    responsibility_list_ensure(town=town)
    categories = list(CaseCategory.objects.filter(town=town).order_by("code"))
    communities = Community.objects.bulk_create(
        Community(town=town, name=f"基准社区{c:02d}") for c in range(COMMUNITIES)
    )
    estates = Estate.objects.bulk_create(
        Estate(
            community=community,
            name=f"基准小区{c:02d}-{e:02d}",
            status=Estate.Status.DELIVERED,
            delivery_date=datetime.date(2015, 1, 1),
        )  # fmt: skip
        for c, community in enumerate(communities)
        for e in range(ESTATES_PER_COMMUNITY)
    )
    companies = PropertyCompany.objects.bulk_create(
        PropertyCompany(name=f"基准物业{i:02d}") for i in range(COMPANIES)
    )
    ServiceContract.objects.bulk_create(
        ServiceContract(
            estate=e, company=companies[i % COMPANIES], valid_from=datetime.date(2020, 1, 1)
        )  # fmt: skip
        for i, e in enumerate(estates)
    )
    company_of = {e.pk: companies[i % COMPANIES].pk for i, e in enumerate(estates)}
    year_start = datetime.datetime(now.year, 1, 1, tzinfo=SHANGHAI)
    span = (now - year_start).total_seconds() - 86400 * 20
    cases = []
    for i in range(n_cases):
        estate = estates[i % len(estates)]
        category = categories[i % len(categories)]
        overdue = i < n_overdue
        received = (
            now - datetime.timedelta(days=7, hours=i % 24)
            if overdue
            else year_start + datetime.timedelta(seconds=rng.random() * span)
        )
        cases.append(Case(town=town, estate=estate, category=category, title="基准诉求",
                          source="staff", received_at=received, level="estate",
                          state="assigned" if overdue else "closed",
                          closed_at=None if overdue else received + datetime.timedelta(days=4),
                          close_reason="" if overdue else "rated",
                          rating=None if overdue else rng.choice((2, 3, 4, 5, 5)),
                          replied_at=None if overdue else received + datetime.timedelta(days=2)))  # fmt: skip
    Case.objects.bulk_create(cases, batch_size=BATCH)
    assignments = [
        Assignment(
            case=c,
            level="estate",
            company_id=company_of[c.estate_id],
            assigned_at=c.received_at,
            accept_due=c.received_at + datetime.timedelta(days=1),
            reply_due=c.received_at + datetime.timedelta(days=5),
            accepted_at=c.received_at + datetime.timedelta(hours=rng.randint(1, 40)),
            ended_at=c.replied_at,
            end="replied" if c.replied_at else "",
        )  # fmt: skip
        for c in cases
    ]
    for a in assignments:
        a.accepted_late = a.accepted_at > a.accept_due
    Assignment.objects.bulk_create(assignments, batch_size=BATCH)
    # As the services would have left them: the first handlers stored on each case.
    first_handlers_fill(cases=Case.objects.filter(town=town))
    from communities.models import User

    replier = User.objects.create(username="bench-manager", role=User.Role.PROPERTY_MANAGER,
                                  company=companies[0])  # fmt: skip
    Reply.objects.bulk_create(
        (
            Reply(
                case=a.case,
                assignment=a,
                text="ok",
                by=replier,
                at=a.ended_at,
                on_time=a.ended_at <= a.reply_due,
            )  # fmt: skip
            for a in assignments
            if a.ended_at
        ),
        batch_size=BATCH,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return town


def measure(label, func, runs=RUNS):
    func()
    timings, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            func()
            timings.append(time.perf_counter() - started)
        queries = len(ctx)
    print(f"| {label} | {queries} | {statistics.median(timings) * 1000:.0f} ms "
          f"| {min(timings) * 1000:.0f} ms |")  # fmt: skip


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--overdue", type=int, default=500)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    from django.utils import timezone

    from deliberation.cases.figures import case_figures
    from deliberation.cases.models import Case
    from deliberation.cases.services import escalate_overdue

    # One throw-away database per DATABASE_URL, so helpers benchmarking at once do not collide.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = (
        f"test_{connection.settings_dict['NAME']}_cases_bench"
    )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        now = timezone.now()
        begin = time.perf_counter()
        town = build_town(args.cases, args.overdue, now)
        print(f"built {Case.objects.count()} cases in {time.perf_counter() - begin:.0f} s")
        start = datetime.date(now.year, 1, 1)
        end = timezone.localdate(now)
        print("| what | queries | median | min |\n|---|---:|---:|---:|")
        for scope, period in (("town", "month"), ("estate", "quarter"),
                              ("department", "month"), ("company", "quarter")):  # fmt: skip
            measure(f"figures per {scope} and {period}, the year",
                    lambda s=scope, p=period: case_figures(scope=s, period=p, start=start,
                                                           end=end, town_id=town.pk))  # fmt: skip
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            moved = escalate_overdue()
            elapsed = time.perf_counter() - started
        print(f"| hourly escalation pass, {moved} overdue cases moved | {len(ctx)} "
              f"| {elapsed * 1000:.0f} ms | |")  # fmt: skip
        measure("hourly escalation pass, nothing overdue", escalate_overdue)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
