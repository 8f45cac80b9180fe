import datetime

import pytest

from communities.factories import EstateFactory, OwnersCommitteeFactory, ServiceContractFactory
from communities.models import Estate

pytestmark = pytest.mark.django_db
D = datetime.date
ON = D(2024, 6, 1)


def three_without_names(on=ON):
    return set(Estate.objects.three_without(on).values_list("name", flat=True))


@pytest.fixture
def bare_estate():
    return EstateFactory(name="无人管小区", supervising_unit="")


def test_estate_without_company_committee_or_supervisor_is_three_without(bare_estate):
    assert three_without_names() == {"无人管小区"}
    assert bare_estate.is_three_without(ON)


def test_a_service_contract_in_force_clears_it(bare_estate):
    ServiceContractFactory(estate=bare_estate, valid_from=D(2024, 1, 1))
    assert three_without_names() == set()


def test_a_contract_that_ended_before_the_date_does_not_count(bare_estate):
    ServiceContractFactory(estate=bare_estate, valid_from=D(2020, 1, 1), valid_to=D(2024, 5, 31))
    assert three_without_names() == {"无人管小区"}
    # ... but it did count on a day it was in force.
    assert three_without_names(D(2024, 5, 31)) == set()


def test_a_contract_starting_after_the_date_does_not_count(bare_estate):
    ServiceContractFactory(estate=bare_estate, valid_from=D(2024, 6, 2))
    assert three_without_names() == {"无人管小区"}


def test_an_owners_committee_clears_it(bare_estate):
    OwnersCommitteeFactory(estate=bare_estate, established_on=D(2023, 1, 1))
    assert three_without_names() == set()


def test_a_dissolved_committee_does_not_count(bare_estate):
    OwnersCommitteeFactory(
        estate=bare_estate, established_on=D(2020, 1, 1), dissolved_on=D(2023, 1, 1)
    )
    assert three_without_names() == {"无人管小区"}


def test_a_supervising_unit_clears_it(bare_estate):
    bare_estate.supervising_unit = "里水镇城治办"
    bare_estate.save()
    assert three_without_names() == set()


def test_an_estate_not_yet_delivered_is_never_three_without():
    EstateFactory(name="在建小区", status=Estate.Status.UNDER_CONSTRUCTION, delivery_date=None)
    EstateFactory(name="规划小区", status=Estate.Status.PLANNED, delivery_date=D(2030, 1, 1))
    assert three_without_names() == set()


def test_an_estate_delivered_after_the_date_does_not_count_on_that_date(bare_estate):
    bare_estate.delivery_date = D(2025, 1, 1)
    bare_estate.save()
    assert three_without_names() == set()
    assert three_without_names(D(2025, 1, 1)) == {"无人管小区"}
