import pytest

from communities.factories import (
    CommunityFactory,
    CommunityStaffFactory,
    TownFactory,
    TownshipStaffFactory,
)


@pytest.fixture
def town(db):
    return TownFactory(name="里水镇")


@pytest.fixture
def two_communities(town):
    return CommunityFactory(town=town, name="海南洲社区"), CommunityFactory(
        town=town, name="金溪社区"
    )


@pytest.fixture
def township_staff(town):
    return TownshipStaffFactory(username="township", town=town)


@pytest.fixture
def community_staff(two_communities):
    return CommunityStaffFactory(username="hainanzhou", community=two_communities[0])
