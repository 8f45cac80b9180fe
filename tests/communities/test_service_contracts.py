import datetime

import pytest
from django.core.exceptions import ValidationError

from communities import services
from communities.factories import EstateFactory, PropertyCompanyFactory, ServiceContractFactory
from communities.models import ServiceContract

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def estate():
    return EstateFactory()


@pytest.fixture
def company():
    return PropertyCompanyFactory()


def test_overlapping_contract_is_rejected_by_model_clean(estate, company):
    ServiceContractFactory(estate=estate, valid_from=D(2020, 1, 1), valid_to=D(2022, 12, 31))
    contract = ServiceContract(
        estate=estate, company=company, valid_from=D(2022, 6, 1), valid_to=D(2023, 12, 31)
    )
    with pytest.raises(ValidationError):
        contract.full_clean()


def test_overlapping_contract_is_rejected_by_contract_create(estate, company):
    services.contract_create(
        estate=estate, company=company, valid_from=D(2020, 1, 1), valid_to=D(2022, 12, 31)
    )
    with pytest.raises(ValidationError):
        services.contract_create(
            estate=estate, company=company, valid_from=D(2022, 12, 31), valid_to=None
        )
    assert ServiceContract.objects.filter(estate=estate).count() == 1


def test_adjacent_contracts_are_accepted(estate, company):
    services.contract_create(
        estate=estate, company=company, valid_from=D(2020, 1, 1), valid_to=D(2022, 12, 31)
    )
    other = PropertyCompanyFactory()
    services.contract_create(estate=estate, company=other, valid_from=D(2023, 1, 1))
    assert ServiceContract.objects.filter(estate=estate).count() == 2


def test_open_ended_contract_overlaps_any_later_one(estate, company):
    services.contract_create(estate=estate, company=company, valid_from=D(2020, 1, 1))
    with pytest.raises(ValidationError):
        services.contract_create(
            estate=estate, company=company, valid_from=D(2030, 1, 1), valid_to=D(2031, 1, 1)
        )


def test_new_open_ended_contract_overlaps_an_earlier_one_still_running(estate, company):
    services.contract_create(
        estate=estate, company=company, valid_from=D(2021, 1, 1), valid_to=D(2025, 1, 1)
    )
    with pytest.raises(ValidationError):
        services.contract_create(estate=estate, company=company, valid_from=D(2019, 1, 1))


def test_contracts_of_different_estates_never_clash(estate, company):
    services.contract_create(estate=estate, company=company, valid_from=D(2020, 1, 1))
    services.contract_create(estate=EstateFactory(), company=company, valid_from=D(2020, 1, 1))


def test_contract_cannot_end_before_it_starts(estate, company):
    contract = ServiceContract(
        estate=estate, company=company, valid_from=D(2022, 1, 1), valid_to=D(2021, 1, 1)
    )
    with pytest.raises(ValidationError) as info:
        contract.full_clean()
    assert "valid_to" in info.value.error_dict


def test_editing_a_contract_does_not_clash_with_itself(estate, company):
    contract = services.contract_create(estate=estate, company=company, valid_from=D(2020, 1, 1))
    contract.valid_to = D(2024, 12, 31)
    contract.full_clean()


def test_covers_is_true_when_one_day_of_the_period_is_covered(estate, company):
    contract = ServiceContract(
        estate=estate, company=company, valid_from=D(2021, 3, 1), valid_to=D(2021, 3, 31)
    )
    assert contract.covers(D(2021, 1, 1), D(2021, 3, 1))
    assert not contract.covers(D(2021, 4, 1), D(2021, 6, 30))
