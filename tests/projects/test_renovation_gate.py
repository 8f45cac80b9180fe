"""The renovation gate (regions.md "Needs and projects": self-governance first): an old estate's
renovation enters a year's plan only with a committee or council, a passed `rebuild` vote
linked to the project within the two years before the plan year, and a `use_fund` vote where
the maintenance fund pays part. Each missing condition refuses with its own reason."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from communities.factories import EstateFactory, OwnersCommitteeFactory, TownshipStaffFactory
from communities.models import OwnersCommittee
from deliberation.factories import CouncilFactory
from deliberation.projects import services
from deliberation.projects.factories import closed_vote, need
from deliberation.projects.models import Project, ProjectTransition

pytestmark = pytest.mark.django_db

PLANNED_ON = datetime.date(2024, 11, 20)
YEAR = 2025


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def estate():
    return EstateFactory(
        name="老旧小区", is_old_estate=True, delivery_date=datetime.date(1998, 1, 1)
    )


@pytest.fixture
def staff(estate):
    return TownshipStaffFactory(town=estate.community.town)


def renovation(estate, *, rebuild_vote=None, fund_vote=None, fund=Decimal("0")):
    return services.project_create(
        town=estate.community.town,
        kind=Project.Kind.RENOVATION,
        estate=estate,
        title="外墙与管网改造",
        needs=[need(estate, "外墙脱落")],
        budget_residents=Decimal("300000.00"),
        budget_government=Decimal("900000.00"),
        maintenance_fund=fund,
        rebuild_vote=rebuild_vote,
        fund_vote=fund_vote,
    )


def refusal(project, staff, year=YEAR) -> dict:
    with pytest.raises(ValidationError) as error:
        services.plan_project(project, year, staff, on=PLANNED_ON)
    project.refresh_from_db()
    assert project.status == Project.Status.PROPOSED and project.plan_year is None
    return error.value.message_dict


def test_all_conditions_present_plans_the_renovation_and_records_who_and_why(estate, staff):
    OwnersCommitteeFactory(estate=estate)
    rebuild = closed_vote(estate, "rebuild", datetime.date(2024, 6, 1))
    fund = closed_vote(estate, "use_fund", datetime.date(2024, 6, 1))
    project = renovation(estate, rebuild_vote=rebuild, fund_vote=fund, fund=Decimal("100000"))

    services.plan_project(project, YEAR, staff, on=PLANNED_ON)

    project.refresh_from_db()
    assert project.status == Project.Status.PLANNED and project.plan_year == YEAR
    move = ProjectTransition.objects.filter(project=project).order_by("pk").last()
    assert (move.from_status, move.to_status, move.by) == ("proposed", "planned", staff)
    assert "2025" in move.reason


def test_self_management_committee_or_council_also_counts_as_self_governance(estate, staff):
    for make in (
        lambda e: OwnersCommitteeFactory(estate=e, kind=OwnersCommittee.Kind.SELF_MANAGEMENT),
        lambda e: CouncilFactory(estate=e),
    ):
        other = EstateFactory(community=estate.community)
        make(other)
        project = renovation(other, rebuild_vote=closed_vote(other, "rebuild", PLANNED_ON))
        services.plan_project(project, YEAR, staff, on=PLANNED_ON)
        assert Project.objects.get(pk=project.pk).status == Project.Status.PLANNED


def test_estate_without_committee_or_council_is_refused_with_that_reason(estate, staff):
    project = renovation(estate, rebuild_vote=closed_vote(estate, "rebuild", PLANNED_ON))

    errors = refusal(project, staff)

    assert list(errors) == ["estate"]
    assert "no owners' committee, self-management committee or council" in errors["estate"][0]


def test_dissolved_committee_does_not_count(estate, staff):
    OwnersCommitteeFactory(estate=estate, dissolved_on=datetime.date(2023, 1, 1))
    project = renovation(estate, rebuild_vote=closed_vote(estate, "rebuild", PLANNED_ON))

    assert list(refusal(project, staff)) == ["estate"]


def test_no_rebuild_vote_linked_is_refused(estate, staff):
    OwnersCommitteeFactory(estate=estate)
    closed_vote(estate, "rebuild", PLANNED_ON)  # taken, but not linked to this project
    project = renovation(estate)

    errors = refusal(project, staff)

    assert list(errors) == ["rebuild_vote"]
    assert "No owners' vote on rebuild is linked" in errors["rebuild_vote"][0]


def test_rebuild_vote_that_failed_is_refused(estate, staff):
    OwnersCommitteeFactory(estate=estate)
    project = renovation(
        estate, rebuild_vote=closed_vote(estate, "rebuild", PLANNED_ON, passed=False)
    )

    assert "did not pass" in refusal(project, staff)["rebuild_vote"][0]


def test_rebuild_vote_still_open_is_refused(estate, staff):
    OwnersCommitteeFactory(estate=estate)
    vote = closed_vote(estate, "rebuild", PLANNED_ON)
    type(vote).objects.filter(pk=vote.pk).update(state="open", closed_at=None)
    vote.refresh_from_db()
    project = renovation(estate, rebuild_vote=vote)

    assert "has not closed" in refusal(project, staff)["rebuild_vote"][0]


def test_rebuild_vote_three_years_old_is_refused(estate, staff):
    OwnersCommitteeFactory(estate=estate)
    project = renovation(
        estate, rebuild_vote=closed_vote(estate, "rebuild", datetime.date(2022, 6, 1))
    )

    errors = refusal(project, staff, year=YEAR + 1)  # plan 2026: votes from 2024-01-01

    assert list(errors) == ["rebuild_vote"]
    assert "more than two years before the plan year 2026" in errors["rebuild_vote"][0]


def test_rebuild_vote_on_the_first_day_of_the_window_plans(estate, staff):
    OwnersCommitteeFactory(estate=estate)
    project = renovation(
        estate, rebuild_vote=closed_vote(estate, "rebuild", datetime.date(YEAR - 2, 1, 1))
    )
    services.plan_project(project, YEAR, staff, on=PLANNED_ON)
    assert Project.objects.get(pk=project.pk).plan_year == YEAR


def test_rebuild_vote_the_day_before_the_window_is_refused(estate, staff):
    OwnersCommitteeFactory(estate=estate)
    project = renovation(
        estate, rebuild_vote=closed_vote(estate, "rebuild", datetime.date(YEAR - 3, 12, 31))
    )
    assert list(refusal(project, staff)) == ["rebuild_vote"]


def test_maintenance_fund_share_without_use_fund_vote_is_refused(estate, staff):
    OwnersCommitteeFactory(estate=estate)
    project = renovation(
        estate,
        rebuild_vote=closed_vote(estate, "rebuild", PLANNED_ON),
        fund=Decimal("50000.00"),
    )

    errors = refusal(project, staff)

    assert list(errors) == ["fund_vote"]
    assert "maintenance fund" in errors["fund_vote"][0]


def test_old_use_fund_vote_is_refused_like_an_old_rebuild_vote(estate, staff):
    OwnersCommitteeFactory(estate=estate)
    project = renovation(
        estate,
        rebuild_vote=closed_vote(estate, "rebuild", PLANNED_ON),
        fund_vote=closed_vote(estate, "use_fund", datetime.date(2021, 5, 1)),
        fund=Decimal("50000.00"),
    )
    assert list(refusal(project, staff)) == ["fund_vote"]


def test_no_fund_share_needs_no_use_fund_vote(estate, staff):
    OwnersCommitteeFactory(estate=estate)
    project = renovation(estate, rebuild_vote=closed_vote(estate, "rebuild", PLANNED_ON))
    services.plan_project(project, YEAR, staff, on=PLANNED_ON)
    assert Project.objects.get(pk=project.pk).status == Project.Status.PLANNED


def test_every_missing_condition_is_named_at_once(estate, staff):
    project = renovation(estate, fund=Decimal("1.00"))

    assert set(refusal(project, staff)) == {"estate", "rebuild_vote", "fund_vote"}


def test_vote_of_another_estate_cannot_be_linked(estate, staff):
    other = EstateFactory(community=estate.community)
    with pytest.raises(ValidationError) as error:
        renovation(estate, rebuild_vote=closed_vote(other, "rebuild", PLANNED_ON))
    assert "rebuild_vote" in error.value.message_dict
    assert not Project.objects.exists()


def test_vote_of_another_kind_cannot_be_linked(estate):
    with pytest.raises(ValidationError) as error:
        renovation(estate, rebuild_vote=closed_vote(estate, "manager", PLANNED_ON))
    assert "rebuild_vote" in error.value.message_dict


def test_vote_closed_after_the_planning_day_does_not_count(estate, staff):
    OwnersCommitteeFactory(estate=estate)
    project = renovation(
        estate, rebuild_vote=closed_vote(estate, "rebuild", PLANNED_ON + datetime.timedelta(1))
    )
    assert "had not closed by" in refusal(project, staff)["rebuild_vote"][0]


def test_plan_year_in_the_past_is_refused(estate, staff):
    OwnersCommitteeFactory(estate=estate)
    project = renovation(estate, rebuild_vote=closed_vote(estate, "rebuild", PLANNED_ON))
    assert list(refusal(project, staff, year=2023)) == ["year"]
    assert list(refusal(project, staff, year="abc")) == ["year"]


def test_works_other_than_renovation_are_planned_without_the_gate(estate, staff):
    project = services.project_create(
        town=estate.community.town, kind=Project.Kind.WORKS, title="路灯", estate=estate
    )
    services.plan_project(project, YEAR, staff, on=PLANNED_ON)
    assert Project.objects.get(pk=project.pk).status == Project.Status.PLANNED
