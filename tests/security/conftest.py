import pytest
from django.core.cache import cache

from communities.factories import (
    CommunityFactory,
    CommunityStaffFactory,
    ResidentFactory,
    TownFactory,
    TownshipStaffFactory,
)

PASSWORD = "pw-for-tests-1"  # communities.factories.UserFactory's password


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttle histories and axes state live in the cache / database: no test inherits another's.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def town(db):
    return TownFactory(name="里水镇")


@pytest.fixture
def community(town):
    return CommunityFactory(town=town, name="海南洲社区")


@pytest.fixture
def township_staff(town):
    return TownshipStaffFactory(username="township", town=town)


@pytest.fixture
def community_staff(community):
    return CommunityStaffFactory(username="hainanzhou", community=community)


@pytest.fixture
def resident(db):
    return ResidentFactory(username="resident1", phone="13812345678")


def login(client, username, password=PASSWORD, path="/accounts/login/", **extra):
    return client.post(path, {"username": username, "password": password}, **extra)
