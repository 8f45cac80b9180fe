import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from communities.factories import PropertyCompanyFactory, make_credit_code
from communities.models import PropertyCompany
from communities.validators import validate_credit_code


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L"])
def test_valid_credit_code_passes(code):
    validate_credit_code(code)


def test_generated_factory_codes_are_valid():
    for n in (0, 1, 30, 31, 12345, 10**9):
        validate_credit_code(make_credit_code(n))


def _error(code):
    with pytest.raises(ValidationError) as info:
        validate_credit_code(code)
    return info.value


def test_wrong_check_character_names_the_expected_one():
    error = _error("91350100M000100Y44")
    assert error.code == "check_character"
    assert "3" in error.messages[0] and "4" in error.messages[0]


@pytest.mark.parametrize("code", ["91350100M000100Y4", "91350100M000100Y433", ""])
def test_wrong_length_is_reported_with_the_length(code):
    error = _error(code)
    assert error.code == "length"
    assert str(len(code)) in error.messages[0]


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_letters_never_used_in_credit_codes_are_rejected(letter):
    code = "91350100M000100Y43"
    error = _error(code[:8] + letter + code[9:])
    assert error.code == "charset"
    assert letter in error.messages[0]


def test_lowercase_credit_code_is_rejected_not_silently_uppercased():
    error = _error("91350100m000100Y43")
    assert error.code == "lowercase"


@pytest.mark.django_db
def test_company_credit_code_is_optional():
    first = PropertyCompany(name="甲物业", credit_code="")
    first.full_clean()
    first.save()
    second = PropertyCompany(name="乙物业", credit_code="")
    second.full_clean()  # two companies without a code do not clash
    second.save()


@pytest.mark.django_db
def test_company_credit_code_is_unique_when_present():
    PropertyCompanyFactory(credit_code="91350100M000100Y43")
    duplicate = PropertyCompany(name="另一家物业", credit_code="91350100M000100Y43")
    with pytest.raises(ValidationError) as info:
        duplicate.full_clean()
    assert "credit_code" in str(info.value.error_dict) or info.value.error_dict.get("__all__")
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


@pytest.mark.django_db
def test_company_model_validation_runs_the_credit_code_check():
    company = PropertyCompany(name="丙物业", credit_code="91350100M000100Y44")
    with pytest.raises(ValidationError) as info:
        company.full_clean()
    assert info.value.error_dict["credit_code"][0].code == "check_character"
