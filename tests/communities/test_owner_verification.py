"""The verification flow asks whether the resident owns or rents the household; owners attach
their property certificate, which only the deciding staff can open."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from communities.factories import (
    BuildingFactory,
    CommunityStaffFactory,
    EstateFactory,
    HouseholdFactory,
    ResidentFactory,
)
from communities.models import ResidentVerification

pytestmark = pytest.mark.django_db


def png(name="certificate.png"):
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


@pytest.fixture
def household(two_communities):
    estate = EstateFactory(community=two_communities[0], name="糖果雅苑")
    return HouseholdFactory(building=BuildingFactory(estate=estate, name="1栋"), room="101")


def ask(client, household, **extra):
    client.force_login(ResidentFactory(username="owner1"))
    data = {
        "resident_name": "王小明",
        "estate": household.building.estate_id,
        "building": "1栋",
        "room": "101",
        **extra,
    }
    return client.post(reverse("verification-request"), data)


def test_owner_request_without_certificate_is_refused(client, household):
    response = ask(client, household, relation="owner")
    assert response.status_code == 200
    assert (
        "property certificate" in response.content.decode()
        or response.context["form"].errors["certificate"]
    )
    assert not ResidentVerification.objects.exists()


def test_owner_request_with_certificate_is_pending_as_owner(client, household):
    response = ask(client, household, relation="owner", certificate=png())
    assert response.status_code == 302
    verification = ResidentVerification.objects.get()
    assert verification.relation == "owner" and verification.certificate
    assert "certificate" not in verification.certificate.name.rsplit("/", 1)[-1]


def test_certificate_that_is_not_an_image_is_refused(client, household):
    fake = SimpleUploadedFile("certificate.png", b"<html>hi</html>", content_type="image/png")
    response = ask(client, household, relation="owner", certificate=fake)
    assert response.status_code == 200
    assert not ResidentVerification.objects.exists()


def test_tenant_request_needs_no_certificate(client, household):
    assert ask(client, household, relation="tenant").status_code == 302
    assert ResidentVerification.objects.get().relation == "tenant"


def test_request_without_relation_is_refused(client, household):
    assert ask(client, household).status_code == 200
    assert not ResidentVerification.objects.exists()


def test_staff_see_relation_and_open_certificate_other_community_gets_404(
    client, household, two_communities
):
    ask(client, household, relation="owner", certificate=png())
    verification = ResidentVerification.objects.get()
    staff = CommunityStaffFactory(community=two_communities[0])
    client.force_login(staff)
    page = client.get(reverse("verification-queue")).content.decode()
    assert 'data-testid="relation"' in page
    url = reverse("verification-certificate", args=[verification.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    client.force_login(CommunityStaffFactory(community=two_communities[1]))
    assert client.get(url).status_code == 404
    client.force_login(ResidentFactory(username="nosy"))
    assert client.get(url).status_code == 403
