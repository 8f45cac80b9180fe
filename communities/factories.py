"""factory-boy factories for the communities app (test and benchmark data)."""

import datetime

import factory

from .models import (
    Building,
    Community,
    Estate,
    Household,
    OwnersCommittee,
    OwnersCommitteeMember,
    PropertyCompany,
    Region,
    ResidentVerification,
    ServiceContract,
    Town,
    User,
)
from .validators import CREDIT_CODE_CHARSET, credit_code_check_character


def make_credit_code(n: int) -> str:
    """A valid credit code derived from `n` (unique per n)."""
    body = "91440605"  # registration authority 9, type 1, Nanhai district 440605
    tail = ""
    for _ in range(9):
        n, r = divmod(n, 31)
        tail = CREDIT_CODE_CHARSET[r] + tail
    first17 = body + tail
    return first17 + credit_code_check_character(first17)


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Town
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试镇{n}")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    town = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"测试社区{n}")


class EstateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Estate

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"测试小区{n}")
    status = Estate.Status.DELIVERED
    delivery_date = datetime.date(2015, 1, 1)
    planned_households = 500
    residents = 1500


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    estate = factory.SubFactory(EstateFactory)
    name = factory.Sequence(lambda n: f"{n + 1}栋")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    building = factory.SubFactory(BuildingFactory)
    room = factory.Sequence(lambda n: f"{100 + n}")


class PropertyCompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PropertyCompany

    name = factory.Sequence(lambda n: f"测试物业服务有限公司{n}")
    credit_code = factory.Sequence(lambda n: make_credit_code(n + 1000))


class ServiceContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceContract

    estate = factory.SubFactory(EstateFactory)
    company = factory.SubFactory(PropertyCompanyFactory)
    valid_from = datetime.date(2020, 1, 1)
    valid_to = None


class OwnersCommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OwnersCommittee

    estate = factory.SubFactory(EstateFactory)
    kind = OwnersCommittee.Kind.OWNERS_COMMITTEE
    established_on = datetime.date(2019, 1, 1)


class OwnersCommitteeMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OwnersCommitteeMember

    committee = factory.SubFactory(OwnersCommitteeFactory)
    name = factory.Sequence(lambda n: f"委员{n}")
    phone = "13800138000"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests-1")
    role = User.Role.RESIDENT


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("name", "city")

    name = factory.Sequence(lambda n: f"测试区{n}")
    kind = Region.Kind.DISTRICT


class DistrictStaffFactory(UserFactory):
    """Staff of a district (regions.md): reads below the district, changes no town's records."""

    role = User.Role.DISTRICT_STAFF
    is_staff = True
    region = factory.SubFactory(RegionFactory)


class CityStaffFactory(UserFactory):
    role = User.Role.CITY_STAFF
    is_staff = True
    region = factory.SubFactory(RegionFactory, kind=Region.Kind.CITY, name="测试市")


class TownshipStaffFactory(UserFactory):
    role = User.Role.TOWNSHIP_STAFF
    is_staff = True
    town = factory.SubFactory(TownFactory)


class CommunityStaffFactory(UserFactory):
    role = User.Role.COMMUNITY_STAFF
    is_staff = True
    community = factory.SubFactory(CommunityFactory)
    town = factory.SelfAttribute("community.town")


class AssessorFactory(UserFactory):
    role = User.Role.ASSESSOR
    is_staff = True
    assessor_kind = User.AssessorKind.HOUSING_OFFICE
    town = factory.SubFactory(TownFactory)


class PropertyManagerFactory(UserFactory):
    role = User.Role.PROPERTY_MANAGER
    company = factory.SubFactory(PropertyCompanyFactory)


class ResidentFactory(UserFactory):
    role = User.Role.RESIDENT


class ResidentVerificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResidentVerification

    user = factory.SubFactory(ResidentFactory)
    household = factory.SubFactory(HouseholdFactory)
    resident_name = "张三"
    status = ResidentVerification.Status.APPROVED


def verified_resident(household=None, **kwargs) -> User:
    """A resident verified to `household` (a new one if not given)."""
    user = ResidentFactory(**kwargs)
    ResidentVerificationFactory(user=user, household=household or HouseholdFactory())
    return user
