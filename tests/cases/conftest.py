import datetime

import pytest

from communities.departments import Department
from communities.factories import (
    BuildingFactory,
    CommunityStaffFactory,
    EstateFactory,
    HouseholdFactory,
    PropertyCompanyFactory,
    PropertyManagerFactory,
    ResidentFactory,
    ServiceContractFactory,
    TownshipStaffFactory,
    UserFactory,
)
from communities.models import User
from deliberation.cases.deadlines import SHANGHAI
from deliberation.cases.models import CaseCategory
from deliberation.cases.services import responsibility_list_ensure


def sh(*args) -> datetime.datetime:
    """An aware Asia/Shanghai datetime."""
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def estate(db):
    estate = EstateFactory()
    responsibility_list_ensure(town=estate.community.town)
    return estate


@pytest.fixture
def town(estate):
    return estate.community.town


@pytest.fixture
def company(estate):
    company = PropertyCompanyFactory()
    ServiceContractFactory(estate=estate, company=company, valid_from=datetime.date(2020, 1, 1))
    return company


@pytest.fixture
def manager(company):
    return PropertyManagerFactory(company=company)


@pytest.fixture
def community_staff(estate):
    return CommunityStaffFactory(community=estate.community)


@pytest.fixture
def town_staff(town):
    return TownshipStaffFactory(town=town)


@pytest.fixture
def household(estate):
    return HouseholdFactory(building=BuildingFactory(estate=estate))


@pytest.fixture
def resident(household):
    return ResidentFactory()


def category(town, code):
    return CaseCategory.objects.get(town=town, code=code)


def department_staff(department: Department) -> User:
    user = UserFactory(role=User.Role.DEPARTMENT_STAFF, town=department.town)
    department.staff.add(user)
    return user
