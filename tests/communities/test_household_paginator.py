"""The admin household list at city scale (regions.md "Scale"): no full COUNT per page view."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities import paginators
from communities.factories import HouseholdFactory

URL = "/admin/communities/household/"


def _household_counts(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if "COUNT(" in q["sql"].upper() and '"communities_household"' in q["sql"]
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the estimate is PostgreSQL's")
def test_a_large_household_list_is_paged_on_the_planners_estimate(
    client, township_staff, two_communities, monkeypatch
):
    HouseholdFactory.create_batch(3, building__estate__community=two_communities[0])
    client.force_login(township_staff)
    monkeypatch.setattr(paginators, "EXACT_BELOW", 0)  # every list counts as large
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL)
    assert response.status_code == 200
    assert _household_counts(ctx.captured_queries) == []


def test_a_small_household_list_shows_its_exact_count(client, township_staff, two_communities):
    HouseholdFactory.create_batch(3, building__estate__community=two_communities[0])
    client.force_login(township_staff)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 3
