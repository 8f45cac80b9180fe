"""Each quarter's top 5 % of the town's estates by proposals + escalations per 100 households."""

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
from deliberation.factories import CouncilFactory, ProposalFactory
from deliberation.models import Escalation, ProblemEstateList, RemediationPlan

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
IN_Q2 = datetime.datetime(2026, 5, 10, 10, 0, tzinfo=TZ)
pytestmark = pytest.mark.django_db


def _estate(community, name, households):
    estate = EstateFactory(community=community, name=name)
    building = BuildingFactory(estate=estate, name="1栋")
    HouseholdFactory.create_batch(households, building=building)
    return estate


def _proposals(estate, n, when=IN_Q2):
    council = getattr(estate, "council", None) or CouncilFactory(estate=estate)
    return [ProposalFactory(council=council, submitted_at=when) for _ in range(n)]


@pytest.fixture
def town():
    """40 estates of 10 households: 5 % is 2 places."""
    town = TownFactory(name="测试镇")
    community = CommunityFactory(town=town)
    estates = [_estate(community, f"小区{i:02d}", 10) for i in range(40)]
    return town, estates


def test_top_five_percent_are_listed_with_one_plan_each(town):
    town, estates = town
    _proposals(estates[0], 3)  # 30 per 100 households
    p = _proposals(estates[1], 1)[0]  # 1 proposal + 1 escalation = 20
    Escalation.objects.create(
        proposal=p,
        level="community",
        reason="r",
        due_date=datetime.date(2026, 5, 17),
        raised_by_id=_staff().pk,
        raised_at=IN_Q2,
    )
    _proposals(estates[2], 1)  # 10: third place, outside the top 5 %
    _proposals(estates[3], 5, when=datetime.datetime(2026, 3, 31, 23, 0, tzinfo=TZ))  # Q1

    problem_list = services.problem_estates_compute(town=town, year=2026, quarter=2)
    plans = {plan.estate.name: plan for plan in problem_list.plans.all()}
    assert set(plans) == {"小区00", "小区01"}
    assert plans["小区00"].score == Decimal("30.00")
    assert (plans["小区01"].proposals, plans["小区01"].escalations) == (1, 1)


def test_tie_at_the_boundary_includes_every_tied_estate(town):
    town, estates = town
    _proposals(estates[0], 3)
    _proposals(estates[1], 1)
    _proposals(estates[2], 1)  # tied with the second place
    problem_list = services.problem_estates_compute(town=town, year=2026, quarter=2)
    assert problem_list.plans.count() == 3


def test_score_is_per_hundred_households(town):
    town, estates = town
    big = _estate(estates[0].community, "大小区", 400)
    _proposals(big, 10)  # 2.5 per 100
    _proposals(estates[0], 1)  # 10 per 100: higher despite fewer proposals
    rows = services.problem_estate_scores(town=town, year=2026, quarter=2)
    assert [r["estate"].name for r in rows[:2]] == ["小区00", "大小区"]
    assert rows[1]["score"] == Decimal("2.50")


def test_recomputing_is_idempotent_and_plans_are_tracked_to_done(town):
    town, estates = town
    _proposals(estates[0], 3)
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
