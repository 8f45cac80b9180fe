"""District staff's list pages run a constant number of queries however many towns, estates and
records their district holds (regions.md; the project's rule for every page)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from communities.factories import (
    BuildingFactory,
    CommunityFactory,
    DistrictStaffFactory,
    EstateFactory,
    HouseholdFactory,
    RegionFactory,
    TownFactory,
)
from deliberation.factories import CouncilFactory, ProposalFactory, resident_of
from party_grid.factories import PartyMemberFactory

pytestmark = pytest.mark.django_db

PAGES = (
    "/admin/communities/town/",
    "/admin/communities/estate/",
    "/admin/communities/household/",
    "/admin/party_grid/partymember/",
    "/admin/deliberation/proposal/",
    "/admin/overview/",
    "/deliberation/dashboard/",
    "/api/v1/proposals/",
)


def _grow(district, towns: int, start: int) -> None:
    for t in range(start, start + towns):
        town = TownFactory(name=f"区镇{t}", district=district)
        community = CommunityFactory(town=town, name=f"区社区{t}")
        for e in range(2):
            estate = EstateFactory(community=community, name=f"区小区{t}-{e}")
            building = BuildingFactory(estate=estate, name="1栋")
            for room in ("101", "102"):
                HouseholdFactory(building=building, room=room)
            council = CouncilFactory(estate=estate)
            ProposalFactory(council=council, proposer=resident_of(estate, "2栋"))
        PartyMemberFactory(organization__parent__parent__community=community)


def _counts(client) -> dict:
    counts = {}
    for url in PAGES:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(queries)
    return counts


def test_district_staffs_list_pages_run_the_same_queries_at_two_sizes():
    district = RegionFactory(name="量测区", city=None)
    staff = DistrictStaffFactory(region=district)
    client = Client()
    client.force_login(staff)
    _grow(district, 1, 0)
    _counts(client)  # warm the caches (content types, sessions) once
    small = _counts(client)
    _grow(district, 3, 1)
    large = _counts(client)
    assert small == large
