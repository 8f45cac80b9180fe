"""Logging household visits from the portal, and turning a raised problem into a proposal."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.factories import (
    BuildingFactory,
    HouseholdFactory,
    ResidentFactory,
    TownshipStaffFactory,
    verified_resident,
)
from party_grid.factories import (
    GridFactory,
    GridWorkerFactory,
    HouseholdAssignmentFactory,
    PartyMemberFactory,
    VisitFactory,
)
from party_grid.models import Visit

NEW = "/party/visits/new/"


@pytest.fixture
def member_user(db):
    user = ResidentFactory()
    member = PartyMemberFactory(user=user)
    assignment = HouseholdAssignmentFactory(member=member)
    return user, member, assignment.household


def test_member_logs_a_visit_to_an_assigned_household(client, member_user):
    user, member, household = member_user
    client.force_login(user)
    assert client.get(NEW).status_code == 200
    today = timezone.localdate()
    response = client.post(
        NEW,
        {
            "household": household.pk,
            "visited_on": today.isoformat(),
            "channel": "door",
            "note": "老人独居，身体尚好",
            "problem": "电梯经常停运",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.member, visit.grid_worker, visit.household) == (member, None, household)
    assert visit.recorded_by == user and visit.problem == "电梯经常停运"
    assert visit.visited_on == today


def test_member_cannot_log_a_visit_to_a_household_not_assigned(client, member_user):
    user, _member, _household = member_user
    client.force_login(user)
    other = HouseholdFactory()
    response = client.post(
        NEW,
        {"household": other.pk, "visited_on": timezone.localdate().isoformat(), "channel": "door"},
    )
    assert response.status_code == 200
    assert "household" in response.context["form"].errors
    assert not Visit.objects.exists()


def test_a_visit_cannot_be_dated_in_the_future(client, member_user):
    user, _member, household = member_user
    client.force_login(user)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        NEW, {"household": household.pk, "visited_on": tomorrow.isoformat(), "channel": "door"}
    )
    assert "visited_on" in response.context["form"].errors
    assert not Visit.objects.exists()


def test_visit_before_the_assignment_started_is_refused(client, db):
    user = ResidentFactory()
    member = PartyMemberFactory(user=user)
    household = HouseholdAssignmentFactory(
        member=member, valid_from=timezone.localdate() - datetime.timedelta(days=3)
    ).household
    client.force_login(user)
    long_ago = timezone.localdate() - datetime.timedelta(days=30)
    response = client.post(
        NEW, {"household": household.pk, "visited_on": long_ago.isoformat(), "channel": "phone"}
    )
    assert "household" in response.context["form"].errors
    assert not Visit.objects.exists()


def test_grid_worker_logs_a_visit_in_their_grids_buildings(client, db):
    user = ResidentFactory()
    building = BuildingFactory()
    grid = GridFactory(community=building.estate.community)
    grid.buildings.add(building)
    worker = GridWorkerFactory(grid=grid, user=user)
    household = HouseholdFactory(building=building)
    client.force_login(user)
    response = client.post(
        NEW,
        {
            "household": household.pk,
            "visited_on": timezone.localdate().isoformat(),
            "channel": "wechat",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.grid_worker == worker and visit.member is None


def test_people_who_are_not_members_or_grid_workers_cannot_log_visits(client, db):
    client.force_login(ResidentFactory())
    assert client.get(NEW).status_code == 403
    assert client.get(reverse("party_grid:visit-list")).status_code == 403
    client.logout()
    assert client.get(NEW).status_code == 302  # to the login page


def test_home_page_offers_log_a_visit_only_to_members(client, member_user):
    user, _member, _household = member_user
    client.force_login(user)
    assert reverse("party_grid:visit-new") in client.get("/").content.decode()
    client.force_login(verified_resident())
    assert reverse("party_grid:visit-new") not in client.get("/").content.decode()


def test_staff_turn_a_visits_problem_into_a_proposal_of_the_estate(client, db):
    from deliberation.factories import CouncilFactory
    from deliberation.models import Proposal

    visit = VisitFactory(
        problem="3栋电梯经常停运\n请物业尽快维修", visited_on=datetime.date(2021, 12, 3)
    )
    estate = visit.household.building.estate
    CouncilFactory(estate=estate)
    staff = TownshipStaffFactory(town=estate.community.town)
    client.force_login(staff)
    response = client.post(
        reverse("admin:party_grid_visit_changelist"),
        {"action": "problem_to_proposal", "_selected_action": [visit.pk]},
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    proposal = Proposal.objects.get(pk=visit.proposal_ref)
    assert proposal.estate == estate
    assert proposal.title == "3栋电梯经常停运"
    assert visit.problem_converted_by == staff and visit.problem_converted_at is not None
    # A second conversion does not make a second proposal.
    client.post(
        reverse("admin:party_grid_visit_changelist"),
        {"action": "problem_to_proposal", "_selected_action": [visit.pk]},
    )
    assert Proposal.objects.filter(estate=estate).count() == 1
