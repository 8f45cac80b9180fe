import pytest
from django.utils import timezone

from communities.factories import CommunityStaffFactory, TownshipStaffFactory
from deliberation.factories import CouncilFactory, representatives, resident_of


@pytest.fixture
def council(db):
    return CouncilFactory()


@pytest.fixture
def estate(council):
    return council.estate


@pytest.fixture
def staff(council):
    return CommunityStaffFactory(community=council.estate.community)


@pytest.fixture
def town_staff(council):
    return TownshipStaffFactory(town=council.estate.community.town)


@pytest.fixture
def resident(estate):
    return resident_of(estate)


@pytest.fixture
def neighbours(estate):
    return [resident_of(estate, "2栋") for _ in range(6)]


@pytest.fixture
def reps(council):
    return representatives(council, 6)


@pytest.fixture
def today():
    return timezone.localdate()
