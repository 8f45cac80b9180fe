"""A landlord is verified to each household they own (owners.md: "a user may be verified to several
households"); a resident or tenant lives in one. The owner's area counts all their units and
their head counts once."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from PIL import Image

from communities import services as community_services
from communities.factories import CommunityStaffFactory, ResidentFactory
from communities.models import ResidentVerification
from deliberation.assemblies import services

from .conftest import household

pytestmark = pytest.mark.django_db


def certificate():
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buf, "PNG")
    return SimpleUploadedFile("cert.png", buf.getvalue(), content_type="image/png")


def verified(user, unit, staff, relation="owner"):
    request = community_services.verification_request(
        user=user,
        household=unit,
        resident_name="甲业主",
        relation=relation,
        certificate=certificate() if relation == "owner" else None,
    )
    return community_services.verification_decide(verification=request, by=staff, approve=True)


@pytest.fixture
def staff(estate):
    return CommunityStaffFactory(community=estate.community)


@pytest.fixture
def landlord(estate, owners, staff):
    """Owner A lives in 1栋101 and owns 2栋101 too: verified to both through the normal flow."""
    user = ResidentFactory(username="landlord")
    verified(user, household(estate, "1栋", "101"), staff)
    verified(user, household(estate, "2栋", "101"), staff)
    return user


def test_landlord_is_verified_to_both_flats_and_lives_in_the_first(estate, landlord):
    current = ResidentVerification.objects.current().filter(user=landlord).order_by("pk")
    assert [(v.household.room, v.household.building.name, v.resides) for v in current] == [
        ("101", "1栋", True),
        ("101", "2栋", False),
    ]
    assert landlord.verified_household == household(estate, "1栋", "101")


def test_two_flat_owner_counts_both_areas_and_one_head(estate, landlord):
    vote = services.vote_open_now(estate=estate, kind="manager", title="续聘物业")
    ballot = services.ballot_cast(vote=vote, user=landlord, choice="agree")
    assert ballot.owner.key == "A"
    result = services.vote_close(vote=vote, by=None).data
    assert result["agree_area"] == "150.00"  # 100 m² in 1栋 + 50 m² in 2栋
    assert result["agree_owners"] == 1
    assert result["participating_owners"] == 1
    assert Decimal(result["participating_area"]) == Decimal("150.00")


def test_tenant_cannot_be_verified_to_a_second_household(estate, owners, staff):
    user = ResidentFactory(username="renter")
    verified(user, household(estate, "2栋", "102"), staff, relation="tenant")
    with pytest.raises(ValidationError):
        community_services.verification_request(
            user=user,
            household=household(estate, "1栋", "102"),
            resident_name="租客",
            relation="tenant",
        )
    assert ResidentVerification.objects.filter(user=user).count() == 1


def test_owner_cannot_be_verified_twice_to_one_household(estate, landlord):
    with pytest.raises(ValidationError):
        community_services.verification_request(
            user=landlord,
            household=household(estate, "2栋", "101"),
            resident_name="甲业主",
            relation="owner",
            certificate=certificate(),
        )


def test_database_refuses_two_residences_and_a_tenant_living_elsewhere(estate, owners):
    user = ResidentFactory(username="twice")
    approved = {"user": user, "resident_name": "x", "status": "approved"}
    ResidentVerification.objects.create(household=household(estate, "1栋", "102"), **approved)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResidentVerification.objects.create(household=household(estate, "2栋", "102"), **approved)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResidentVerification.objects.create(
            household=household(estate, "2栋", "102"), relation="tenant", resides=False, **approved
        )
    ResidentVerification.objects.create(
        household=household(estate, "2栋", "102"), relation="owner", resides=False, **approved
    )
    assert ResidentVerification.objects.current().filter(user=user).count() == 2
