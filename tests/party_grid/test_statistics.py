"""Each statistic on the crafted town (tests/party_grid/conftest.py), on dates around the
branches' establishment and dissolution."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.factories import BuildingFactory, EstateFactory, HouseholdFactory
from communities.models import Estate
from party_grid.factories import (
    BranchFactory,
    GroupFactory,
    HouseholdAssignmentFactory,
    PartyMemberFactory,
    ServiceStationFactory,
    VolunteerTeamFactory,
)
from party_grid.selectors import party_statistics, statistics_by_community

D = datetime.date


def test_community_figures_at_end_of_2021(crafted_town):
    t = crafted_town
    s = party_statistics(town=t.town, community=t.a, on=D(2021, 12, 31))
    assert s.delivered_estates == 3  # e4 is under construction
    assert s.single_built_branches == 2  # b1 and b4; b2 dissolved on 2021-06-30
    assert s.joint_built_branches == 1
    assert s.single_built_rate == Decimal("0.3333")  # only e1 has its own branch
    assert s.coverage == Decimal("0.6667")  # e1 single, e3 joint
    assert s.complete_three_level_grids == 1  # e1
    assert s.households_in_contact == 2  # h1 (twice), h2; h3's member left, h4 ended
    assert s.service_stations == 1
    assert s.volunteer_teams_by_kind == {
        "party_mass": 2,
        "building": 1,
        "representative": 0,
        "lane_stewards": 0,
    }
    assert s.grid_workers == 1
    assert s.building_heads == 1  # m3 left


def test_town_figures_are_the_sum_of_its_communities(crafted_town):
    s = party_statistics(town=crafted_town.town, on=D(2021, 12, 31))
    assert s.delivered_estates == 4
    assert s.single_built_branches == 3
    assert s.joint_built_branches == 1
    assert s.single_built_rate == Decimal("0.5000")
    assert s.coverage == Decimal("0.7500")
    assert s.complete_three_level_grids == 2  # e1 and e5 (through a building group)
    assert s.households_in_contact == 3
    assert s.service_stations == 2
    assert s.volunteer_teams_by_kind["lane_stewards"] == 1
    assert s.grid_workers == 1  # b's grid was dissolved
    assert s.building_heads == 2


def test_before_a_branch_was_established_it_does_not_count(crafted_town):
    t = crafted_town
    s = party_statistics(town=t.town, community=t.a, on=D(2021, 2, 28))  # b1 from 2021-03-01
    assert s.single_built_branches == 2  # b2, b4
    assert s.single_built_rate == Decimal("0.3333")  # e2 only
    assert s.coverage == Decimal("0.6667")  # e2, e3
    assert s.complete_three_level_grids == 0
    assert s.households_in_contact == 0
    assert s.service_stations == 2
    assert s.building_heads == 2  # m1, and m3 who leaves on 2021-05-01
    s = party_statistics(town=t.town, community=t.a, on=D(2021, 3, 1))
    assert s.single_built_branches == 3
    assert s.single_built_rate == Decimal("0.6667")  # e1, e2
    assert s.coverage == Decimal("1.0000")
    assert s.complete_three_level_grids == 1
    assert s.households_in_contact == 4  # h1, h2, h3, h4


def test_after_a_branch_was_dissolved_it_does_not_count(crafted_town):
    t = crafted_town
    on_last_day = party_statistics(town=t.town, community=t.a, on=D(2021, 6, 30))
    day_after = party_statistics(town=t.town, community=t.a, on=D(2021, 7, 1))
    assert on_last_day.single_built_branches == 3
    assert day_after.single_built_branches == 2
    assert on_last_day.coverage == Decimal("1.0000")
    assert day_after.coverage == Decimal("0.6667")
    assert on_last_day.service_stations == 2 and day_after.service_stations == 1
    assert on_last_day.volunteer_teams_by_kind["representative"] == 1
    assert day_after.volunteer_teams_by_kind["representative"] == 0


def test_joint_branch_counts_toward_coverage_not_single_built_rate(crafted_town):
    t = crafted_town
    s = party_statistics(town=t.town, community=t.a, on=D(2021, 12, 31))
    # e3 is served only by the joint branch.
    assert s.covered_estates - s.single_built_estates == 1
    t.jb.dissolved_on = D(2021, 12, 1)
    t.jb.save()
    s = party_statistics(town=t.town, community=t.a, on=D(2021, 12, 31))
    assert s.coverage == Decimal("0.3333")
    assert s.single_built_rate == Decimal("0.3333")
    assert s.joint_built_branches == 0


def test_estate_under_construction_counts_in_neither_rate(crafted_town):
    t = crafted_town
    before = party_statistics(town=t.town, community=t.a, on=D(2021, 12, 31))
    # e4 has its own single-built branch and is in the joint branch, yet is not delivered.
    assert before.delivered_estates == 3
    assert before.single_built_estates == 1
    t.e4.status = Estate.Status.DELIVERED
    t.e4.delivery_date = D(2021, 1, 1)
    t.e4.save()
    after = party_statistics(town=t.town, community=t.a, on=D(2021, 12, 31))
    assert after.delivered_estates == 4
    assert after.single_built_estates == 2
    assert after.single_built_rate == Decimal("0.5000")
    assert after.coverage == Decimal("0.7500")


def test_group_under_a_dissolved_committee_does_not_make_a_complete_grid(crafted_town):
    t = crafted_town
    committee = t.b1.parent
    committee.dissolved_on = D(2021, 10, 1)
    committee.save()
    s = party_statistics(town=t.town, community=t.a, on=D(2021, 12, 31))
    assert s.complete_three_level_grids == 0
    assert s.coverage == Decimal("0.6667")  # the branches still cover their estates


def test_households_visited_in_a_period(crafted_town):
    t = crafted_town
    december = party_statistics(
        town=t.town, on=D(2021, 12, 31), visited_from=D(2021, 12, 1), visited_to=D(2021, 12, 31)
    )
    assert december.households_visited == 2  # h1 twice, h5
    autumn = party_statistics(
        town=t.town,
        community=t.a,
        on=D(2021, 12, 31),
        visited_from=D(2021, 11, 1),
        visited_to=D(2021, 12, 31),
    )
    assert autumn.households_visited == 2  # h1, h2
    assert party_statistics(town=t.town, on=D(2021, 12, 31)).households_visited is None


def test_a_town_without_delivered_estates_has_no_rates(db):
    from communities.factories import TownFactory

    s = party_statistics(town=TownFactory(), on=D(2021, 12, 31))
    assert s.delivered_estates == 0
    assert s.single_built_rate is None and s.coverage is None


def _grow(community, committee, n):
    """n more delivered estates, each with a branch, group, member, household and station."""
    for i in range(n):
        estate = EstateFactory(community=community)
        branch = BranchFactory(parent=committee, estates=[estate])
        member = PartyMemberFactory(
            organization=GroupFactory(parent=branch), is_building_head=i % 2 == 0
        )
        building = BuildingFactory(estate=estate)
        for room in ("101", "102"):
            HouseholdAssignmentFactory(
                member=member, household=HouseholdFactory(building=building, room=room)
            )
        ServiceStationFactory(estate=estate)
        VolunteerTeamFactory(community=community)


def _count_queries(**kwargs) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        stats = statistics_by_community(**kwargs)
    return len(ctx.captured_queries), stats


def test_statistics_run_a_fixed_number_of_queries_whatever_the_towns_size(crafted_town):
    t = crafted_town
    args = {
        "town": t.town,
        "on": D(2021, 12, 31),
        "visited_from": D(2021, 12, 1),
        "visited_to": D(2021, 12, 31),
    }
    small, _ = _count_queries(**args)
    _grow(t.a, t.b1.parent, 12)
    large, stats = _count_queries(**args)
    assert small == large == 12
    assert stats[t.a.pk].delivered_estates == 15
    assert stats[t.a.pk].households_in_contact == 2 + 24
    without_period, _ = _count_queries(town=t.town, on=D(2021, 12, 31))
    assert without_period == 11
