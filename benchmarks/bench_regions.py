"""Region-scale benchmark (regions.md "Scale"): a city of 20 districts and 200 towns, with
10,000 estates and 3,000,000 households at --scale 1 (fewer estates and households at a smaller
scale; the tree stays 20 x 10), generated in PostgreSQL with INSERT ... SELECT over
generate_series. Measures, with their query counts, the city's and a district's party
statistics today and on a past date, the party-statistics API with city=, and the town ranking
page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gov_bench \\
        .venv/bin/python benchmarks/bench_regions.py --scale 0.1

It creates its own throwaway database (test_regions_bench) and drops it at the end (--keepdb
keeps it for a second run, which then skips the generation).
"""

import argparse
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

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

DISTRICTS = 20
TOWNS_PER_DISTRICT = 10
COMMUNITIES_PER_TOWN = 5
BUILDINGS_PER_ESTATE = 10
PAST = datetime.date(2021, 6, 30)


def insert_select(model, columns: dict[str, str], from_sql: str, params=()) -> int:
    """INSERT INTO model's table the rows of `SELECT <columns> <from_sql>`; columns left out
    take the field's default (Django's defaults are not database defaults)."""
    names, exprs, values = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.column not in columns:
            continue
        if field.column in columns:
            names.append(f'"{field.column}"')
            exprs.append(columns[field.column])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            names.append(f'"{field.column}"')
            exprs.append("now()")
        elif field.null:
            continue
        elif field.get_default() is not None:  # a default, or "" for a text field
            names.append(f'"{field.column}"')
            exprs.append("%s")
            values.append(field.get_db_prep_save(field.get_default(), connection))
        else:
            raise ValueError(f"{model.__name__}.{field.name} needs a value")
    sql = (
        f'INSERT INTO "{model._meta.db_table}" ({", ".join(names)}) '
        f"SELECT {', '.join(exprs)} {from_sql}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, *params])
        return cursor.rowcount


def generate(scale: float) -> dict:
    from communities.models import (
        Building,
        Community,
        Estate,
        Household,
        OwnersCommittee,
        Region,
        Town,
    )
    from deliberation.cases.models import Case
    from party_grid.models import (
        BuildingHead,
        Grid,
        GridWorker,
        HouseholdAssignment,
        PartyMember,
        PartyOrganization,
        ServiceStation,
        VolunteerTeam,
        VolunteerTeamMember,
    )

    estates = max(int(10_000 * scale), 200)
    households_per_building = max(int(3_000_000 * scale / (estates * BUILDINGS_PER_ESTATE)), 1)
    city = Region.objects.create(name="基准市", kind=Region.Kind.CITY)
    districts = Region.objects.bulk_create(
        [Region(name=f"第{d + 1}区", city=city, kind="district") for d in range(DISTRICTS)]
    )
    towns = Town.objects.bulk_create(
        [
            Town(name=f"第{d + 1}区{t + 1}镇", district=district)
            for d, district in enumerate(districts)
            for t in range(TOWNS_PER_DISTRICT)
        ]
    )
    communities = Community.objects.bulk_create(
        [Community(town=t, name=f"{t.name}{c + 1}社区") for t in towns for c in range(5)]
    )
    ids = [c.pk for c in communities]
    n = len(ids)
    insert_select(
        Estate,
        {
            "community_id": f"p.ids[1 + g %% {n}]",
            "name": "'小区' || g",
            "status": "'delivered'",
            "delivery_date": "date '2005-01-01' + (g %% 6000)",
            "supervising_unit": "''",
            "management_form": "'company'",
        },
        "FROM (SELECT %s::bigint[] AS ids) p, generate_series(1, %s) g",
        [ids, estates],
    )
    insert_select(
        Building,
        {"estate_id": "e.id", "name": "b || '栋'", "floors": "18"},
        f"FROM communities_estate e CROSS JOIN generate_series(1, {BUILDINGS_PER_ESTATE}) b",
    )
    insert_select(
        Household,
        {"building_id": "b.id", "room": "r::text"},
        "FROM communities_building b CROSS JOIN generate_series(1, %s) r",
        [households_per_building],
    )
    committees = PartyOrganization.objects.bulk_create(
        [
            PartyOrganization(
                community=c, level="community_committee", name="党委", established_on=PAST
            )
            for c in communities
        ]
    )
    committee_of = {c.community_id: c.pk for c in committees}
    # Seven estates in ten have their own branch from 2020, one member each (a building head
    # in every other estate), who keeps contact with one household in twenty.
    insert_select(
        PartyOrganization,
        {
            "community_id": "e.community_id",
            "parent_id": "p.parents[array_position(p.communities, e.community_id)]",
            "level": "'estate_branch'",
            "name": "'支部' || e.id",
            "build_type": "'single'",
            "established_on": "date '2020-01-01'",
        },
        "FROM communities_estate e, "
        "(SELECT %s::bigint[] AS parents, %s::bigint[] AS communities) p "
        "WHERE e.id %% 10 < 7",
        [list(committee_of.values()), list(committee_of.keys())],
    )
    through = PartyOrganization.estates.through
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{through._meta.db_table}" (partyorganization_id, estate_id) '
            "SELECT o.id, substring(o.name from 3)::bigint FROM party_grid_partyorganization o "
            "WHERE o.level = 'estate_branch'"
        )
    insert_select(
        PartyMember,
        {
            "organization_id": "o.id",
            "name": "'党员' || o.id",
            "phone": "''",
            "employer": "''",
            "is_building_head": "o.id %% 2 = 0",
            "joined_on": "date '2020-01-01'",
        },
        "FROM party_grid_partyorganization o WHERE o.level = 'estate_branch'",
    )
    insert_select(
        HouseholdAssignment,
        {
            "member_id": "m.id",
            "household_id": "h.id",
            "valid_from": "date '2020-01-01'",
        },
        "FROM party_grid_partymember m "
        "JOIN party_grid_partyorganization o ON o.id = m.organization_id "
        "JOIN communities_building b ON b.estate_id = substring(o.name from 3)::bigint "
        "JOIN communities_household h ON h.building_id = b.id WHERE h.id %% 20 = 0",
    )
    insert_select(
        ServiceStation,
        {"estate_id": "e.id", "name": "'服务站'", "opened_on": "date '2019-01-01'"},
        "FROM communities_estate e WHERE e.id %% 10 < 3",
    )
    insert_select(
        OwnersCommittee,
        {"estate_id": "e.id", "kind": "'owners_committee'", "established_on": "'2018-01-01'"},
        "FROM communities_estate e WHERE e.id %% 10 < 6",
    )
    insert_select(
        BuildingHead,
        {
            "building_id": "b.id",
            "name": "'楼栋长' || b.id",
            "phone": "''",
            "started_on": "date '2020-01-01'",
        },
        "FROM communities_building b WHERE b.id %% 2 = 0",
    )
    grids = Grid.objects.bulk_create(
        [Grid(community=c, name="网格", established_on=PAST) for c in communities]
    )
    GridWorker.objects.bulk_create(
        [GridWorker(grid=g, name=f"网格员{i}", started_on=PAST) for g in grids for i in range(3)]
    )
    teams = VolunteerTeam.objects.bulk_create(
        [
            VolunteerTeam(community=c, kind="lane_stewards", name="小巷管家", established_on=PAST)
            for c in communities
        ]
    )
    VolunteerTeamMember.objects.bulk_create(
        [
            VolunteerTeamMember(
                team=t, name=f"管家{i}", phone=f"1{t.pk:05d}{i:05d}", joined_on=PAST
            )
            for t in teams
            for i in range(20)
        ]
    )
    generate_cases()
    return {
        "estates": Estate.objects.count(),
        "households": Household.objects.count(),
        "assignments": HouseholdAssignment.objects.count(),
        "cases": Case.objects.count(),
    }


def generate_cases() -> None:
    """Residents' cases received in each measured quarter (today's and PAST's): ten per estate
    on average, 3 per 100 households, unevenly spread (one estate in fifty gets ten times its
    share), so the problem estates and the cases' figures rank real numbers."""
    from communities.models import Town
    from deliberation.cases.models import Case, CaseCategory

    categories = CaseCategory.objects.bulk_create(
        [
            CaseCategory(town=town, code="01", name="物业服务", first_level="estate")
            for town in Town.objects.order_by("pk")
        ]
    )
    town_ids = [c.town_id for c in categories]
    category_ids = [c.pk for c in categories]
    for on in (timezone.localdate(), PAST):
        start = on.replace(month=(on.month - 1) // 3 * 3 + 1, day=1)
        days = max((on - start).days, 1)
        insert_select(
            Case,
            {
                "town_id": "c.town_id",
                "estate_id": "e.id",
                "category_id": "p.categories[array_position(p.towns, c.town_id)]",
                "title": "'投诉' || g",
                "source": "'hotline'",
                "level": "'estate'",
                "received_at": "(p.start + (g %% p.days)::int + time '09:00') AT TIME ZONE 'Asia/Shanghai'",
            },
            "FROM communities_estate e "
            "JOIN communities_community c ON c.id = e.community_id "
            "CROSS JOIN (SELECT %s::bigint[] AS categories, %s::bigint[] AS towns, "
            "%s::date AS start, %s::int AS days) p "
            "CROSS JOIN LATERAL generate_series(1, CASE WHEN e.id %% 50 = 0 THEN 50 "
            "ELSE 1 + e.id %% 17 END) g",
            [category_ids, town_ids, start, days],
        )


def measure(label: str, func, repeat: int) -> dict:
    timings, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            begin = time.perf_counter()
            func()
            timings.append(time.perf_counter() - begin)
        queries = len(ctx.captured_queries)
    row = {"label": label, "best_s": min(timings), "median_s": statistics.median(timings)}
    row["queries"] = queries
    print(f"{label:<52} best {min(timings):7.3f} s  median {row['median_s']:7.3f} s  {queries} q")
    return row


def run(repeat: int) -> list[dict]:
    from communities.factories import CityStaffFactory
    from communities.models import Region
    from party_grid import selectors

    city = Region.objects.get(name="基准市")
    district = Region.objects.filter(city=city).order_by("pk").first()
    city_towns = list(city.towns().values_list("pk", flat=True))
    district_towns = list(district.towns().values_list("pk", flat=True))
    today = timezone.localdate()
    client = Client()
    client.force_login(CityStaffFactory(region=city))
    rows = []
    for on, when in ((today, "today"), (PAST, PAST.isoformat())):
        rows.append(
            measure(
                f"city statistics, {when}",
                lambda on=on: selectors.area_statistics(town_ids=city_towns, on=on),
                repeat,
            )
        )
        rows.append(
            measure(
                f"district statistics, {when}",
                lambda on=on: selectors.area_statistics(town_ids=district_towns, on=on),
                repeat,
            )
        )
        rows.append(
            measure(
                f"API party-statistics?city=, {when}",
                lambda on=on: client.get(
                    "/api/v1/party-statistics/", {"city": city.pk, "date": on.isoformat()}
                ),
                repeat,
            )
        )
        rows.append(
            measure(
                f"town ranking page (city), {when}",
                lambda on=on: client.get(
                    "/party/ranking/", {"city": city.pk, "date": on.isoformat()}
                ),
                repeat,
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 10,000 estates, 3M homes")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keepdb", action="store_true")
    parser.add_argument(
        "--regenerate", action="store_true", help="with --keepdb: drop the kept data first"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    setup_test_environment()
    connection.settings_dict.setdefault("TEST", {})["NAME"] = "test_regions_bench"
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keepdb)
    try:
        from communities.models import Region

        if args.regenerate:
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE communities_region CASCADE")
        if not Region.objects.filter(name="基准市").exists():
            begin = time.perf_counter()
            with transaction.atomic():
                sizes = generate(args.scale)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            print(f"generated {sizes} in {time.perf_counter() - begin:.1f} s")
        # The generator writes with INSERT ... SELECT (no signals): build today's per-estate
        # figures and household counts as the nightly tasks do, and time them.
        from communities.services import refresh_estate_households
        from party_grid.services import refresh_estate_figures

        for refresh in (refresh_estate_figures, refresh_estate_households):
            begin = time.perf_counter()
            rows = refresh()
            print(f"{refresh.__name__}: {rows} rows in {time.perf_counter() - begin:.1f} s")
        run(args.repeat)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=args.keepdb)


if __name__ == "__main__":
    main()
