import pytest

from communities.factories import EstateFactory, ResidentFactory
from communities.models import Household
from deliberation.assemblies import services
from deliberation.assemblies.factories import register, verify

# 糖果雅苑-like register: owner A owns two units (one in each building), the developer has two
# unsold units (one head together), B and C one unit each. 4 owners, 400 m².
ROWS = [
    ("1栋", "101", "100.00", "A", True),
    ("2栋", "101", "50.00", "A", True),
    ("1栋", "102", "80.00", "B", True),
    ("2栋", "102", "70.00", "C", True),
    ("1栋", "103", "60.00", "", False),
    ("2栋", "103", "40.00", "", False),
    ("2栋", "104", "90.00", "", True),  # no owner on the register: counts for no one
]


@pytest.fixture
def estate(db):
    return EstateFactory(name="糖果雅苑")


@pytest.fixture
def owners(estate):
    return register(estate, ROWS)


def household(estate, building, room):
    return Household.objects.get(building__estate=estate, building__name=building, room=room)


@pytest.fixture
def owner_a(estate, owners):
    user = ResidentFactory(username="owner_a")
    verify(user, household(estate, "1栋", "101"))
    return user


@pytest.fixture
def owner_b(estate, owners):
    user = ResidentFactory(username="owner_b")
    verify(user, household(estate, "1栋", "102"))
    return user


@pytest.fixture
def tenant(estate, owners):
    user = ResidentFactory(username="tenant")
    verify(user, household(estate, "2栋", "102"), relation="tenant")
    return user


@pytest.fixture
def open_vote(estate, owners):
    return services.vote_open_now(estate=estate, kind="manager", title="续聘物业")
