"""Fixtures shared by the property_rating tests."""

import datetime

import pytest

from communities.factories import (
    AssessorFactory,
    CommunityFactory,
    EstateFactory,
    PropertyCompanyFactory,
    PropertyManagerFactory,
    ServiceContractFactory,
    TownFactory,
    TownshipStaffFactory,
)
from property_rating.factories import SchemeFactory
from property_rating.models import AssessmentUnit
from property_rating.units import units_sync_from_contracts


@pytest.fixture
def town(db):
    return TownFactory(name="里水镇")


@pytest.fixture
def scheme(town):
    return SchemeFactory(town=town, year=2021)


@pytest.fixture
def staff(town):
    return TownshipStaffFactory(town=town, username="staff")


@pytest.fixture
def staff2(town):
    return TownshipStaffFactory(town=town, username="staff2")


@pytest.fixture
def assessor(town):
    return AssessorFactory(town=town, username="assessor")


@pytest.fixture
def community(town):
    return CommunityFactory(town=town, name="海南洲社区")


@pytest.fixture
def make_unit(town, community):
    """make_unit(name, company=None, valid_from=2021-01-01, valid_to=None) -> AssessmentUnit."""

    def make(
        name="小区", company=None, valid_from=datetime.date(2021, 1, 1), valid_to=None, year=2021
    ):
        estate = EstateFactory(community=community, name=name)
        contract = ServiceContractFactory(
            estate=estate,
            company=company or PropertyCompanyFactory(),
            valid_from=valid_from,
            valid_to=valid_to,
        )
        units_sync_from_contracts(town=town, year=year)
        return AssessmentUnit.objects.get(estate=estate, company=contract.company, year=year)

    return make


@pytest.fixture
def manager_for():
    def make(unit, username="manager"):
        return PropertyManagerFactory(company=unit.company, username=username)

    return make


# The unit and managers most tests work with (shared here rather than copied per file).
@pytest.fixture
def unit(scheme, make_unit):
    return make_unit("糖果雅苑")


@pytest.fixture
def manager(unit, manager_for):
    return manager_for(unit)


@pytest.fixture
def other_unit(scheme, make_unit):
    return make_unit("金沙里")


@pytest.fixture
def other_manager(other_unit, manager_for):
    return manager_for(other_unit, username="other-manager")
