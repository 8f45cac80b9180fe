"""Each quarter's top 5 % of the town's estates by cases received per 100 households (cases.md).

These tests replaced the proposal-based proxy's (proposals + escalations per 100 households):
the list now comes from cases, so the crafted data are cases."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from communities.factories import (
    BuildingFactory,
    CommunityFactory,
    EstateFactory,
    HouseholdFactory,
    TownFactory,
)
from deliberation import services
from deliberation.cases.models import CaseCategory
from deliberation.cases.services import case_merge, case_receive, responsibility_list_ensure
from deliberation.models import ProblemEstateList, RemediationPlan

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
IN_Q2 = datetime.datetime(2026, 5, 10, 10, 0, tzinfo=TZ)
pytestmark = pytest.mark.django_db


def _estate(community, name, households):
    estate = EstateFactory(community=community, name=name)
    building = BuildingFactory(estate=estate, name="1栋")
    HouseholdFactory.create_batch(households, building=building)
    return estate


def _cases(estate, n, when=IN_Q2, code="C02"):
    category = CaseCategory.objects.get(town=estate.community.town, code=code)
    return [
        case_receive(
            estate=estate, category=category, title=f"问题{i}", source="staff", received_at=when
        )  # fmt: skip
        for i in range(n)
    ]


@pytest.fixture
def town():
    """40 estates of 10 households: 5 % is 2 places."""
    town = TownFactory(name="测试镇")
    responsibility_list_ensure(town=town)
    community = CommunityFactory(town=town)
    estates = [_estate(community, f"小区{i:02d}", 10) for i in range(40)]
    return town, estates


def test_top_five_percent_are_listed_with_one_plan_each(town):
    town, estates = town
    _cases(estates[0], 3)  # 30 per 100 households
    _cases(estates[1], 2)  # 20
    _cases(estates[2], 1)  # 10: third place, outside the top 5 %
    _cases(estates[3], 5, when=datetime.datetime(2026, 3, 31, 23, 0, tzinfo=TZ))  # Q1

    problem_list = services.problem_estates_compute(town=town, year=2026, quarter=2)
    plans = {plan.estate.name: plan for plan in problem_list.plans.all()}
    assert set(plans) == {"小区00", "小区01"}
    assert plans["小区00"].score == Decimal("30.00")
    assert (plans["小区01"].cases, plans["小区01"].households) == (2, 10)


def test_tie_at_the_boundary_includes_every_tied_estate(town):
    town, estates = town
    _cases(estates[0], 3)
    _cases(estates[1], 1)
    _cases(estates[2], 1)  # tied with the second place
    problem_list = services.problem_estates_compute(town=town, year=2026, quarter=2)
    assert problem_list.plans.count() == 3


def test_a_rate_of_zero_is_never_listed_even_inside_the_top_places(town):
    town, estates = town
    _cases(estates[0], 1)  # the only estate with a case: the second place has a rate of 0
    problem_list = services.problem_estates_compute(town=town, year=2026, quarter=2)
    assert [p.estate.name for p in problem_list.plans.all()] == ["小区00"]


def test_merged_duplicates_count_once(town):
    town, estates = town
    kept, duplicate = _cases(estates[0], 2)
    case_merge(duplicate=duplicate, into=kept, by=None, at=IN_Q2)
    _cases(estates[1], 2)
    rows = services.problem_estate_scores(town=town, year=2026, quarter=2)
    by_name = {r["name"]: r for r in rows}
    assert by_name["小区00"]["cases"] == 1 and by_name["小区01"]["cases"] == 2
    assert [p.estate.name for p in services.problem_estates_compute(
        town=town, year=2026, quarter=2).plans.all()] == ["小区01", "小区00"]  # fmt: skip


def test_estates_without_households_or_not_delivered_are_not_ranked(town):
    town, estates = town
    EstateFactory(community=estates[0].community, name="空小区")  # no household registered
    rows = services.problem_estate_scores(town=town, year=2026, quarter=2)
    assert len(rows) == 40 and "空小区" not in {r["name"] for r in rows}


def test_k_is_the_ceiling_of_five_per_cent_of_the_ranked_estates(town):
    town, estates = town
    for extra in range(1):  # 41 estates: ceil(2.05) = 3 places
        _estate(estates[0].community, f"新小区{extra}", 10)
    for i, n in enumerate((5, 4, 3, 2)):
        _cases(estates[i], n)
    problem_list = services.problem_estates_compute(town=town, year=2026, quarter=2)
    assert sorted(p.estate.name for p in problem_list.plans.all()) == ["小区00", "小区01", "小区02"]


def test_score_is_per_hundred_households(town):
    town, estates = town
    big = _estate(estates[0].community, "大小区", 400)
    _cases(big, 10)  # 2.5 per 100
    _cases(estates[0], 1)  # 10 per 100: higher despite fewer cases
    rows = services.problem_estate_scores(town=town, year=2026, quarter=2)
    assert [r["name"] for r in rows[:2]] == ["小区00", "大小区"]
    assert rows[1]["score"] == Decimal("2.50")


def test_recomputing_is_idempotent_and_plans_are_tracked_to_done(town):
    town, estates = town
    _cases(estates[0], 3)
    first = services.problem_estates_compute(town=town, year=2026, quarter=2)
    again = services.problem_estates_compute(town=town, year=2026, quarter=2)
    assert first.pk == again.pk and ProblemEstateList.objects.count() == 1
    assert RemediationPlan.objects.count() == 1
    from communities.factories import TownshipStaffFactory

    staff = TownshipStaffFactory(town=town)
    plan = first.plans.get()
    with pytest.raises(ValidationError):  # a plan needs its text before done
        services.remediation_update(plan=plan, by=staff, status="done")
    services.remediation_update(plan=plan, by=staff, status="done", text="物业整改、社区督导")
    plan.refresh_from_db()
    assert plan.status == "done" and plan.done_at and plan.updated_by == staff


def test_quiet_town_has_an_empty_list(town):
    town, _estates = town
    assert services.problem_estates_compute(town=town, year=2026, quarter=2).plans.count() == 0


def _staff():
    from communities.factories import UserFactory

    return UserFactory()


def test_quarter_bounds():
    assert services.quarter_bounds(2026, 4) == (
        datetime.date(2026, 10, 1),
        datetime.date(2026, 12, 31),
    )
    assert timezone.is_aware(IN_Q2)


def test_the_score_rounds_half_up_to_the_cent(town):
    town, estates = town
    from communities.models import Household

    big = EstateFactory(community=estates[0].community, name="大小区")
    building = BuildingFactory(estate=big, name="1栋")
    Household.objects.bulk_create(Household(building=building, room=str(r)) for r in range(800))
    _cases(big, 1)  # 0.125 per 100 households
    rows = {r["name"]: r for r in services.problem_estate_scores(town=town, year=2026, quarter=2)}
    assert rows["大小区"]["score"] == Decimal("0.13")
    assert (rows["大小区"]["cases"], rows["大小区"]["households"]) == (1, 800)


@pytest.mark.parametrize(
    ("cases", "listed_count"),
    [
        ((4, 4, 4, 1), 3),  # three tied above k = 2: all three
        ((3, 2, 2, 2, 1), 4),  # ties at the k-th place: all listed
        ((1,), 1),  # one estate scores, the second place is 0: only one listed
        ((), 0),  # nobody scores: an empty list
    ],
)
def test_the_list_is_the_definition_applied_to_the_ranked_scores(town, cases, listed_count):
    """The cut runs in the database; it must select what the definition says over the rows
    of the explanation: k = ceil(5 % of the ranked), every score >= the k-th highest, not 0."""
    town, estates = town
    for estate, n in zip(estates, cases, strict=False):
        _cases(estate, n)
    rows = services.problem_estate_scores(town=town, year=2026, quarter=2)
    k = -(-len(rows) * 5 // 100)
    boundary = rows[k - 1]["score"]
    expected = [r for r in rows if r["score"] >= boundary and r["score"] > 0]
    listed = services.problem_estates(town=town, year=2026, quarter=2)
    assert listed == expected
    assert len(listed) == listed_count
