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


def test_visit_admin_no_longer_turns_a_problem_into_a_proposal_but_keeps_old_links(client, db):
    """A visit's problem becomes a case when the visit is logged (issue 12); the old admin action
    "problem -> proposal" is gone, and a visit converted before keeps its proposal reference."""
    from deliberation.factories import ProposalFactory

    visit = VisitFactory(problem="3栋电梯经常停运", visited_on=datetime.date(2021, 12, 3))
    proposal = ProposalFactory()
    staff = TownshipStaffFactory(town=visit.household.building.estate.community.town)
    Visit.objects.filter(pk=visit.pk).update(proposal_ref=proposal.pk, problem_converted_by=staff)
    client.force_login(staff)
    changelist = reverse("admin:party_grid_visit_changelist")
    response = client.post(
        changelist, {"action": "problem_to_proposal", "_selected_action": [visit.pk]}
    )
    assert response.status_code == 200  # the admin answers "no action selected"
    assert "problem_to_proposal" not in client.get(changelist).content.decode()
    visit.refresh_from_db()
    assert visit.proposal_ref == proposal.pk and visit.problem_converted_by == staff
    listed = client.get(changelist).content.decode()
    assert f'<td class="field-proposal_ref">{proposal.pk}</td>' in listed
