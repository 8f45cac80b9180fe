"""Today's party figures read maintained per-estate rows (EstateFigures) instead of passing
over every household; they must equal the figures computed from the records at every level
(town, district, city) after any series of writes, and past dates keep counting the records."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.factories import (
    BuildingFactory,
    CommunityFactory,
    EstateFactory,
    HouseholdFactory,
    OwnersCommitteeFactory,
    RegionFactory,
    TownFactory,
)
from communities.models import Region
from party_grid import services
from party_grid.factories import (
    BranchFactory,
    BuildingHeadFactory,
    CommitteeFactory,
    GroupFactory,
    HouseholdAssignmentFactory,
    PartyMemberFactory,
    VolunteerFactory,
    VolunteerTeamFactory,
)
from party_grid.models import EstateFigures, HouseholdAssignment
from party_grid.schedule import PERIODIC_TASKS
from party_grid.selectors import area_statistics

D = datetime.date


def _town(district, name, estates=2, households=3):
    town = TownFactory(name=name, district=district)
    community = CommunityFactory(town=town)
    committee = CommitteeFactory(community=community)
    homes = []
    for i in range(estates):
        estate = EstateFactory(community=community, name=f"{name}{i}号小区")
        BranchFactory(parent=committee, estates=[estate])
        building = BuildingFactory(estate=estate)
        homes += [HouseholdFactory(building=building) for _ in range(households)]
    return town, committee, homes


@pytest.fixture
def city(db):
    city = RegionFactory(name="测试市", kind=Region.Kind.CITY, city=None)
    d1 = RegionFactory(name="一区", city=city)
    d2 = RegionFactory(name="二区", city=city)
    t1, c1, homes1 = _town(d1, "一镇")
    t2, c2, homes2 = _town(d1, "二镇")
    t3, c3, homes3 = _town(d2, "三镇")
    return city, d1, [t1, t2, t3], [c1, c2, c3], homes1 + homes2 + homes3


def _levels(city, d1, towns):
    return {
        "town": [towns[0].pk],
        "district": [towns[0].pk, towns[1].pk],
        "city": [t.pk for t in towns],
    }


def _assert_rows_equal_records(city, d1, towns):
    today = timezone.localdate()
    for level, town_ids in _levels(city, d1, towns).items():
        from_rows = area_statistics(town_ids=town_ids, on=today).as_api_dict()
        from_records = area_statistics(town_ids=town_ids, on=today, from_records=True)
        assert from_rows == from_records.as_api_dict(), level


def test_todays_figures_equal_the_records_after_a_series_of_writes(
    city, django_capture_on_commit_callbacks
):
    city, d1, towns, committees, homes = city
    today = timezone.localdate()
    services.refresh_estate_figures()
    with django_capture_on_commit_callbacks(execute=True):
        member = PartyMemberFactory(organization=GroupFactory(parent=BranchFactory(estates=[])))
        other = PartyMemberFactory(is_building_head=True)
        assignments = [HouseholdAssignmentFactory(member=member, household=h) for h in homes[:7]]
        HouseholdAssignmentFactory(member=other, household=homes[8])
        HouseholdAssignmentFactory(member=other, household=homes[14])
        # a new household, then contacted; one assignment ends yesterday, one is removed
        added = HouseholdFactory(building=homes[0].building)
        HouseholdAssignmentFactory(member=member, household=added)
        ended = assignments[1]
        ended.valid_to = today - datetime.timedelta(days=1)
        ended.save()
        assignments[2].delete()
        # a household moves to another town's estate, keeping its contact
        moved = homes[3]
        moved.building = homes[15].building
        moved.save()
        # the second member leaves the party: their households drop out of contact
        other.left_on = today - datetime.timedelta(days=1)
        other.save()
        # heads, volunteers, a committee dissolved
        BuildingHeadFactory(building=homes[0].building)
        BuildingHeadFactory(building=homes[9].building, member=member)
        team = VolunteerTeamFactory(community=committees[0].community)
        VolunteerFactory(team=team, party_member=member)
        committee = OwnersCommitteeFactory(estate=homes[0].building.estate)
        committee.dissolved_on = today - datetime.timedelta(days=1)
        committee.save()
    # 7 assigned - 1 ended - 1 removed + the added one; the leaver's two no longer count
    city_stats = area_statistics(town_ids=[t.pk for t in towns], on=today)
    assert city_stats.households_in_contact == 6
    assert not EstateFigures.objects.exclude(as_of=today).exists()
    _assert_rows_equal_records(city, d1, towns)
    # the rows hold what a rebuild from the records writes
    kept = dict(EstateFigures.objects.values_list("estate_id", "households_in_contact"))
    services.refresh_estate_figures()
    assert dict(EstateFigures.objects.values_list("estate_id", "households_in_contact")) == kept


def test_todays_figures_are_read_from_the_estate_rows(city):
    city, d1, towns, committees, homes = city
    today = timezone.localdate()
    HouseholdAssignmentFactory(household=homes[0])
    call_command("refresh_estate_figures", stdout=io.StringIO())
    figures = EstateFigures.objects.get(estate=homes[0].building.estate)
    assert figures.households_in_contact == 1
    EstateFigures.objects.filter(pk=figures.pk).update(households_in_contact=40)
    ids = [towns[0].pk]
    assert area_statistics(town_ids=ids, on=today).households_in_contact == 40
    # records on any other day, and for today when asked
    past = today - datetime.timedelta(days=1)
    assert area_statistics(town_ids=ids, on=past).households_in_contact == 1
    assert area_statistics(town_ids=ids, on=today, from_records=True).households_in_contact == 1


def test_an_estate_whose_row_is_stale_or_missing_is_counted_from_its_records(city):
    city, d1, towns, committees, homes = city
    today = timezone.localdate()
    services.refresh_estate_figures()
    # written without signals (as a bulk import would): the rows of today miss them...
    HouseholdAssignment.objects.bulk_create(
        [
            HouseholdAssignment(member=PartyMemberFactory(), household=h, valid_from=D(2020, 1, 1))
            for h in homes[:4]
        ]
    )
    # ...so age one estate's row to yesterday and drop another's: those two count the records
    first, second = homes[0].building.estate_id, homes[3].building.estate_id
    EstateFigures.objects.filter(estate_id=first).update(as_of=today - datetime.timedelta(days=1))
    EstateFigures.objects.filter(estate_id=second).delete()
    assert area_statistics(town_ids=[towns[0].pk], on=today).households_in_contact == 4
    services.refresh_estate_figures()
    _assert_rows_equal_records(city, d1, towns)


def test_a_rolled_back_write_leaves_the_rows_alone(city):
    from django.db import transaction

    city, d1, towns, committees, homes = city
    services.refresh_estate_figures()
    with pytest.raises(RuntimeError), transaction.atomic():
        HouseholdAssignmentFactory(household=homes[0])
        raise RuntimeError
    assert EstateFigures.objects.get(estate=homes[0].building.estate).households_in_contact == 0


def test_todays_city_figures_run_the_same_queries_at_two_sizes(city):
    city, d1, towns, committees, homes = city
    today = timezone.localdate()
    ids = [t.pk for t in towns]
    HouseholdAssignmentFactory(household=homes[0])
    services.refresh_estate_figures()
    with CaptureQueriesContext(connection) as small:
        area_statistics(town_ids=ids, on=today)
    for i in range(4):
        town, _committee, more = _town(d1, f"新{i}镇", estates=3, households=4)
        ids.append(town.pk)
        HouseholdAssignmentFactory(household=more[0])
    services.refresh_estate_figures()
    with CaptureQueriesContext(connection) as large:
        stats = area_statistics(town_ids=ids, on=today)
    assert stats.households_in_contact == 5
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_rebuild_runs_every_night():
    entry = next(t for t in PERIODIC_TASKS if t["task"] == "party_grid.refresh_estate_figures")
    assert (entry["hour"], entry["minute"]) == ("0", "5")
    from party_grid.tasks import refresh_estate_figures

    assert refresh_estate_figures.name == entry["task"]
