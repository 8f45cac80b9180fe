import pytest

from communities import factories
from communities.models import (
    Building,
    Community,
    Estate,
    Household,
    OwnersCommittee,
    OwnersCommitteeMember,
    PropertyCompany,
    ResidentVerification,
    ServiceContract,
    Town,
    User,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("factory", "model"),
    [
        (factories.TownFactory, Town),
        (factories.CommunityFactory, Community),
        (factories.EstateFactory, Estate),
        (factories.BuildingFactory, Building),
        (factories.HouseholdFactory, Household),
        (factories.PropertyCompanyFactory, PropertyCompany),
        (factories.ServiceContractFactory, ServiceContract),
        (factories.OwnersCommitteeFactory, OwnersCommittee),
        (factories.OwnersCommitteeMemberFactory, OwnersCommitteeMember),
        (factories.ResidentVerificationFactory, ResidentVerification),
        (factories.TownshipStaffFactory, User),
        (factories.CommunityStaffFactory, User),
        (factories.AssessorFactory, User),
        (factories.PropertyManagerFactory, User),
        (factories.ResidentFactory, User),
    ],
)
def test_every_factory_builds_a_valid_saved_row(factory, model):
    obj = factory()
    assert model.objects.filter(pk=obj.pk).exists()
    obj.full_clean()


def test_verified_resident_is_verified_to_the_given_household():
    household = factories.HouseholdFactory()
    resident = factories.verified_resident(household=household)
    assert resident.verified_household == household
    assert resident.verified_estate == household.building.estate


def test_community_staff_town_follows_their_community():
    staff = factories.CommunityStaffFactory()
    assert staff.town_id == staff.community.town_id
