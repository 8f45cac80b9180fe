"""The staff dashboard: who may open it, its charts, and a constant number of queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.factories import AssessorFactory, TownshipStaffFactory, verified_resident
from party_grid.factories import (
    BranchFactory,
    GroupFactory,
    HouseholdAssignmentFactory,
    PartyMemberFactory,
    VisitFactory,
)

URL = "/party/dashboard/"


def test_residents_cannot_open_the_dashboard(client, crafted_town):
    client.force_login(verified_resident())
    assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302


def test_dashboard_shows_the_four_charts_and_every_community(client, crafted_town):
    client.force_login(AssessorFactory(town=crafted_town.town))
    response = client.get(URL, {"date": "2021-12-31"})
    html = response.content.decode()
    assert html.count('data-testid="chart"') == 4
    assert crafted_town.a.name in html and crafted_town.b.name in html
    months = {bar["label"]: bar["value"] for bar in response.context["charts"][3]["bars"]}
    assert months["2021-12"] == 3 and months["2021-11"] == 1


def test_dashboard_counts_households_visited_in_the_chosen_period(client, crafted_town):
    client.force_login(TownshipStaffFactory(town=crafted_town.town))
    response = client.get(
        URL, {"date": "2021-12-31", "visited_from": "2021-11-01", "visited_to": "2021-12-31"}
    )
    assert response.context["totals"].households_visited == 3  # h1, h2, h5


def test_dashboard_runs_a_constant_number_of_queries(client, crafted_town):
    client.force_login(TownshipStaffFactory(town=crafted_town.town))
    client.get(URL)
    with CaptureQueriesContext(connection) as small:
        client.get(URL, {"date": "2021-12-31"})
    committee = crafted_town.b1.parent
    for _ in range(10):
        branch = BranchFactory(parent=committee, estates=[])
        member = PartyMemberFactory(organization=GroupFactory(parent=branch))
        household = HouseholdAssignmentFactory(member=member).household
        VisitFactory(member=member, household=household)
    with CaptureQueriesContext(connection) as large:
        client.get(URL, {"date": "2021-12-31"})
    assert len(large.captured_queries) == len(small.captured_queries)


def test_home_page_links_staff_to_the_dashboard(client, crafted_town):
    client.force_login(TownshipStaffFactory(town=crafted_town.town))
    assert reverse("party_grid:dashboard") in client.get("/").content.decode()


def test_dashboard_period_defaults_to_the_current_year_and_shows_it(client, crafted_town):
    from django.utils import timezone

    client.force_login(TownshipStaffFactory(town=crafted_town.town))
    response = client.get(URL)
    today = timezone.localdate()
    assert response.context["visited_from"] == today.replace(month=1, day=1)
    assert response.context["visited_to"] == today
    html = response.content.decode()
    assert f'value="{today.year}-01-01"' in html  # the picker says the period it counts


def test_a_chosen_end_date_counts_from_january_of_its_year(client, crafted_town):
    client.force_login(TownshipStaffFactory(town=crafted_town.town))
    response = client.get(URL, {"date": "2021-12-31"})
    assert str(response.context["visited_from"]) == "2021-01-01"
    assert response.context["totals"].households_visited >= 3
