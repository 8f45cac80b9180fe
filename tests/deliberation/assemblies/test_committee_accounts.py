"""A committee member linked to their account (a verified owner of the estate) sees the
committee's work in the portal: every ballot of the estate's votes, paper-ballot entry, and the
open-accounts filing of a self-managed estate. Another estate's committee sees none of it."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from communities import accounts_services
from communities.factories import (
    EstateFactory,
    OwnersCommitteeFactory,
    OwnersCommitteeMemberFactory,
    ResidentFactory,
)
from deliberation.assemblies import services
from deliberation.assemblies.factories import register, verify
from deliberation.assemblies.models import Ballot

from .conftest import household

pytestmark = pytest.mark.django_db


def scan():
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buf, "PNG")
    return SimpleUploadedFile("ballot.png", buf.getvalue(), content_type="image/png")


def member_of(estate, user, **kw):
    committee = OwnersCommitteeFactory(
        estate=estate, established_on=datetime.date(2024, 1, 1), **kw
    )
    member = OwnersCommitteeMemberFactory(committee=committee, user=user, name="委员甲")
    member.full_clean()
    return member


@pytest.fixture
def committee_member(estate, owner_a):
    member_of(estate, owner_a)
    return owner_a


@pytest.fixture
def other_estate_member(estate):
    """An owner of another estate of the same community, on that estate's committee."""
    other = EstateFactory(community=estate.community, name="金溪花园")
    register(other, [("1栋", "101", "90.00", "Z", True)])
    user = ResidentFactory(username="other_committee")
    verify(user, household(other, "1栋", "101"))
    member_of(other, user)
    return user


def test_account_linked_to_a_member_must_be_an_owner_of_the_estate(estate, tenant, owners):
    committee = OwnersCommitteeFactory(estate=estate)
    member = OwnersCommitteeMemberFactory.build(committee=committee, user=tenant, name="租客")
    with pytest.raises(ValidationError) as error:
        member.full_clean()
    assert "user" in error.value.message_dict
    stranger = ResidentFactory(username="stranger")
    member.user = stranger
    with pytest.raises(ValidationError):
        member.full_clean()


def test_committee_member_sees_all_ballots_and_enters_paper(
    client, estate, open_vote, committee_member, owner_b
):
    services.ballot_cast(vote=open_vote, user=owner_b, choice="disagree")
    client.force_login(committee_member)
    page = client.get(reverse("assemblies:assembly-detail", args=[open_vote.pk]))
    assert page.status_code == 200
    assert page.context["sees_ballots"] and page.context["is_committee"]
    assert [b.owner.key for b in page.context["ballots"]] == ["B"]
    assert 'data-testid="close-form"' not in page.content.decode()  # closing stays with staff
    response = client.post(
        reverse("assemblies:assembly-paper", args=[open_vote.pk]),
        {"owner": "C", "choice": "agree", "scan": scan()},
    )
    assert response.status_code == 302
    ballot = Ballot.objects.get(owner__key="C")
    assert ballot.source == "paper" and ballot.entered_by == committee_member
    scan_url = reverse("assemblies:assembly-scan", args=[open_vote.pk, ballot.pk])
    assert client.get(scan_url).status_code == 200
    close = client.post(reverse("assemblies:assembly-close", args=[open_vote.pk]))
    assert close.status_code == 403


def test_an_owner_not_on_the_committee_sees_only_their_own_ballot(client, open_vote, owner_b):
    client.force_login(owner_b)
    page = client.get(reverse("assemblies:assembly-detail", args=[open_vote.pk]))
    assert not page.context["sees_ballots"] and list(page.context["ballots"]) == []
    response = client.post(
        reverse("assemblies:assembly-paper", args=[open_vote.pk]),
        {"owner": "C", "choice": "agree", "scan": scan()},
    )
    assert response.status_code == 403
    assert not Ballot.objects.exists()


def test_committee_of_a_dissolved_term_sees_nothing_more(client, estate, open_vote, owner_a):
    member_of(estate, owner_a, dissolved_on=datetime.date(2025, 1, 1))
    client.force_login(owner_a)
    page = client.get(reverse("assemblies:assembly-detail", args=[open_vote.pk]))
    assert not page.context["sees_ballots"]


def test_another_estates_committee_gets_404(
    client, estate, open_vote, other_estate_member, owner_b
):
    services.ballot_cast(vote=open_vote, user=owner_b, choice="agree")
    ballot = Ballot.objects.get()
    client.force_login(other_estate_member)
    urls = [
        reverse("assemblies:assembly-detail", args=[open_vote.pk]),
        reverse("assemblies:assembly-scan", args=[open_vote.pk, ballot.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("assemblies:assembly-paper", args=[open_vote.pk]),
        {"owner": "C", "choice": "agree", "scan": scan()},
    )
    assert response.status_code == 404
    assert Ballot.objects.count() == 1


def test_committee_files_the_open_accounts_of_a_self_managed_estate(
    client, estate, committee_member, other_estate_member
):
    estate.management_form = "self_managed"
    estate.save(update_fields=["management_form"])
    client.force_login(committee_member)
    page = client.get(reverse("statement-file"))
    assert page.status_code == 200
    assert list(page.context["form"].fields["estate"].queryset) == [estate]
    statement = accounts_services.statement_file(
        estate=estate,
        period_start=datetime.date(2026, 1, 1),
        fund_balance=Decimal("1000.00"),
        lines=[("fee_income", "物业费", Decimal("100.00"))],
        by=committee_member,
    )
    assert client.get(reverse("statement-detail", args=[statement.pk])).status_code == 200
    client.force_login(other_estate_member)
    assert client.get(reverse("statement-detail", args=[statement.pk])).status_code == 404
    assert client.get(reverse("statement-file")).status_code == 403  # their estate has a company


def test_home_tells_a_committee_member_of_the_committees_work(
    client, estate, committee_member, owner_b
):
    estate.management_form = "self_managed"
    estate.save(update_fields=["management_form"])
    client.force_login(committee_member)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="committee-work"' in page and reverse("statement-file") in page
    client.force_login(owner_b)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="committee-work"' not in page
    assert 'data-testid="statements-link"' in page
