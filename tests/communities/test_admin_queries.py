"""Admin list pages run a fixed number of queries whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.factories import (
    HouseholdFactory,
    OwnersCommitteeFactory,
    ServiceContractFactory,
    verified_resident,
)

pytestmark = pytest.mark.django_db

LISTS = [
    "estate",
    "building",
    "household",
    "servicecontract",
    "propertycompany",
    "ownerscommittee",
    "residentverification",
    "user",
    "community",
]


def grow(community, n):
    for _ in range(n):
        household = HouseholdFactory(building__estate__community=community)
        estate = household.building.estate
        ServiceContractFactory(estate=estate)
        OwnersCommitteeFactory(estate=estate)
        verified_resident(household=household, town=community.town)


def count(client, model):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(f"admin:communities_{model}_changelist"))
    assert response.status_code == 200
    return len(ctx)


@pytest.mark.parametrize("model", LISTS)
def test_admin_changelist_query_count_does_not_grow_with_rows(
    client, township_staff, two_communities, model
):
    client.force_login(township_staff)
    grow(two_communities[0], 2)
    small = count(client, model)
    grow(two_communities[1], 12)
    assert count(client, model) == small
