"""Region figures read each estate's registered households from a kept row (EstateHouseholds)
instead of counting millions of households; the rows must equal the records at every level
(town, district, city) after any series of writes, including a background spreadsheet import
that inserts in batches, and an estate whose row is missing or not of today counts its records."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities import services
from communities.factories import (
    BuildingFactory,
    CommunityFactory,
    EstateFactory,
    HouseholdFactory,
    RegionFactory,
    TownFactory,
)
from communities.models import Estate, EstateHouseholds, Household, Region
from communities.schedule import PERIODIC_TASKS
from communities.selectors import households_per_estate, registered_households_by_estate
from governance.db import on_commit_batched


def _town(district, name, estates=2, households=3):
    town = TownFactory(name=name, district=district)
    community = CommunityFactory(town=town)
    homes = []
    for i in range(estates):
        building = BuildingFactory(estate=EstateFactory(community=community, name=f"{name}{i}"))
        homes += [HouseholdFactory(building=building) for _ in range(households)]
    return town, homes


@pytest.fixture
def city(db, django_capture_on_commit_callbacks):
    # Committed as it would be (the recounts run), so each test's own writes start new batches.
    with django_capture_on_commit_callbacks(execute=True):
        city = RegionFactory(name="测试市", kind=Region.Kind.CITY, city=None)
        d1 = RegionFactory(name="一区", city=city)
        d2 = RegionFactory(name="二区", city=city)
        t1, homes1 = _town(d1, "一镇")
        t2, homes2 = _town(d1, "二镇")
        t3, homes3 = _town(d2, "三镇")
    return [t1, t2, t3], homes1 + homes2 + homes3


def _from_records(town_ids):
    counts = registered_households_by_estate()
    return {
        pk: (town, counts[pk])
        for pk, town in Estate.objects.filter(community__town_id__in=town_ids).values_list(
            "pk", "community__town_id"
        )
        if counts.get(pk)
    }


def _assert_rows_equal_records(towns):
    today = timezone.localdate()
    assert not EstateHouseholds.objects.exclude(as_of=today).exists()
    for level, town_ids in {
        "town": [towns[0].pk],
        "district": [towns[0].pk, towns[1].pk],
        "city": [t.pk for t in towns],
    }.items():
        # every estate of the level has today's row, so this reads rows only
        assert households_per_estate(town_ids) == _from_records(town_ids), level


def test_the_rows_equal_the_records_after_a_series_of_writes(
    city, django_capture_on_commit_callbacks
):
    towns, homes = city
    services.refresh_estate_households()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        HouseholdFactory(building=homes[0].building)  # added
        homes[1].delete()  # removed
        moved = homes[3]  # to another town's estate
        moved.building = homes[15].building
        moved.save()
        building = homes[6].building  # a whole building to another estate
        building.estate = homes[0].building.estate
        building.save()
        HouseholdFactory(building=BuildingFactory(estate=homes[12].building.estate))
    # one recount for all the writes of the block's transaction (of the buildings' estates,
    # and of the estates a moved building named)
    batches = [getattr(getattr(c, "__self__", None), "name", "") for c in callbacks]
    assert sorted(b for b in batches if b.startswith("communities.")) == [
        "communities.estate_households",
        "communities.estate_households.buildings",
    ]
    _assert_rows_equal_records(towns)
    first = homes[0].building.estate_id
    assert EstateHouseholds.objects.get(estate_id=first).households == 3 + 1 - 1 + 3
    kept = dict(EstateHouseholds.objects.values_list("estate_id", "households"))
    services.refresh_estate_households()
    assert dict(EstateHouseholds.objects.values_list("estate_id", "households")) == kept


def test_rows_are_read_for_today_and_a_stale_or_missing_row_counts_the_records(city):
    towns, homes = city
    call_command("refresh_estate_households", stdout=io.StringIO())
    first, second, third = (homes[i].building.estate_id for i in (0, 3, 6))
    EstateHouseholds.objects.filter(estate_id=first).update(households=40)
    # written past the signals, as a bulk import would: today's rows miss them...
    Household.objects.bulk_create(
        [Household(building=homes[3].building, room=f"B{i}") for i in range(2)]
        + [Household(building=homes[6].building, room="C1")]
    )
    # ...so age one row to yesterday and drop another: those two estates count their records
    EstateHouseholds.objects.filter(estate_id=second).update(
        as_of=timezone.localdate() - datetime.timedelta(days=1)
    )
    EstateHouseholds.objects.filter(estate_id=third).delete()
    found = households_per_estate([towns[0].pk, towns[1].pk])
    assert found[first][1] == 40  # today's row, read as kept
    assert found[second][1] == 5 and found[third][1] == 4


def test_a_rolled_back_write_leaves_the_rows_alone(city):
    towns, homes = city
    services.refresh_estate_households()
    with pytest.raises(RuntimeError), transaction.atomic():
        HouseholdFactory(building=homes[0].building)
        raise RuntimeError
    assert EstateHouseholds.objects.get(estate=homes[0].building.estate).households == 3


def test_a_background_import_recounts_the_estates_of_its_rows(
    db, django_capture_on_commit_callbacks
):
    """The job inserts households in batches, past the signals; its commit recounts."""
    from django.core.files.base import ContentFile

    from communities.factories import CommunityStaffFactory
    from governance.models import ImportJob
    from governance.spreadsheets.jobs import run_import_job

    with django_capture_on_commit_callbacks(execute=True):
        town, homes = _town(None, "四镇", estates=1, households=2)
    estate, building = homes[0].building.estate, homes[0].building
    assert EstateHouseholds.objects.get(estate=estate).households == 2
    staff = CommunityStaffFactory(community=estate.community)
    body = "小区,楼栋,房号\n" + "".join(f"{estate.name},{building.name},R{i}\n" for i in range(5))
    job = ImportJob(
        created_by=staff,
        model_label="communities.household",
        original_name="h.csv",
        file_format="csv",
    )
    job.file.save("h.csv", ContentFile(body.encode("gb18030")), save=False)
    job.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert run_import_job(job.pk) == "done"
    assert EstateHouseholds.objects.get(estate=estate).households == 7
    assert households_per_estate([town.pk]) == {estate.pk: (town.pk, 7)}


def test_region_counts_run_one_query_at_two_sizes(city):
    towns, homes = city
    services.refresh_estate_households()
    ids = [t.pk for t in towns]
    with CaptureQueriesContext(connection) as small:
        households_per_estate(ids)
    for i in range(3):
        town, _homes = _town(None, f"新{i}镇", estates=4, households=2)
        ids.append(town.pk)
    with CaptureQueriesContext(connection) as large:
        found = households_per_estate(ids)
    assert len(found) == 6 + 12
    assert len(large.captured_queries) == len(small.captured_queries) == 1


def test_the_recount_runs_every_night():
    entry = next(t for t in PERIODIC_TASKS if t["task"] == "communities.refresh_estate_households")
    assert (entry["hour"], entry["minute"]) == ("0", "5")
    from communities.tasks import refresh_estate_households

    assert refresh_estate_households.name == entry["task"]


def test_batched_calls_run_once_per_transaction_and_not_after_a_rollback(
    db, django_capture_on_commit_callbacks
):
    calls = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        on_commit_batched("test", [1, 2], calls.append)
        on_commit_batched("test", [2, 3, None], calls.append)
    assert (len(callbacks), calls) == (1, [{1, 2, 3}])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            on_commit_batched("test", [9], calls.append)
            raise RuntimeError
        on_commit_batched("test", [4], calls.append)  # a new batch: the first was dropped
    assert (len(callbacks), calls) == (1, [{1, 2, 3}, {4}])
