"""The owners' portal pages: an owner votes and changes the ballot, sees it and the result;
tenants cannot vote; residents of another estate get 404; staff close and enter paper."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from communities.factories import CommunityStaffFactory, EstateFactory, ResidentFactory
from deliberation.assemblies import services
from deliberation.assemblies.factories import register, verify
from deliberation.assemblies.models import Ballot

from .conftest import household

pytestmark = pytest.mark.django_db


def test_owner_casts_changes_and_sees_own_ballot(client, open_vote, owner_a):
    client.force_login(owner_a)
    page = client.get(reverse("assemblies:assembly-detail", args=[open_vote.pk]))
    assert page.status_code == 200 and b'data-testid="ballot-form"' in page.content
    url = reverse("assemblies:assembly-cast", args=[open_vote.pk])
    assert client.post(url, {"choice": "disagree"}).status_code == 302
    assert client.post(url, {"choice": "agree"}).status_code == 302
    assert Ballot.objects.get().choice == "agree"
    page = client.get(reverse("assemblies:assembly-detail", args=[open_vote.pk])).content.decode()
    assert 'data-testid="my-ballot"' in page


def test_owner_sees_open_votes_of_their_estate_in_the_list(client, open_vote, owner_a):
    client.force_login(owner_a)
    page = client.get(reverse("assemblies:assembly-list")).content.decode()
    assert open_vote.title in page


def test_bad_choice_is_a_400_and_changes_nothing(client, open_vote, owner_a):
    client.force_login(owner_a)
    response = client.post(
        reverse("assemblies:assembly-cast", args=[open_vote.pk]), {"choice": "yes"}
    )
    assert response.status_code == 400 and not Ballot.objects.exists()


def test_tenant_sees_the_vote_but_cannot_vote(client, open_vote, tenant):
    client.force_login(tenant)
    page = client.get(reverse("assemblies:assembly-detail", args=[open_vote.pk]))
    assert page.status_code == 200 and b'data-testid="ballot-form"' not in page.content
    response = client.post(
        reverse("assemblies:assembly-cast", args=[open_vote.pk]), {"choice": "agree"}
    )
    assert response.status_code == 403 and not Ballot.objects.exists()


def test_owner_of_another_estate_gets_404(client, open_vote):
    other = EstateFactory(community=open_vote.estate.community)
    register(other, [("1栋", "101", "90", "Q", True)])
    user = ResidentFactory()
    verify(user, household(other, "1栋", "101"))
    client.force_login(user)
    assert client.get(reverse("assemblies:assembly-detail", args=[open_vote.pk])).status_code == 404
    response = client.post(
        reverse("assemblies:assembly-cast", args=[open_vote.pk]), {"choice": "agree"}
    )
    assert response.status_code == 404 and not Ballot.objects.exists()
    assert open_vote.title not in client.get(reverse("assemblies:assembly-list")).content.decode()


def test_ballot_after_close_is_refused_in_the_portal(client, open_vote, owner_a):
    services.vote_close(vote=open_vote, by=None)
    client.force_login(owner_a)
    response = client.post(
        reverse("assemblies:assembly-cast", args=[open_vote.pk]), {"choice": "agree"}
    )
    assert response.status_code in (400, 403) and not Ballot.objects.exists()


def test_resident_reads_the_announced_result(client, open_vote, owner_a, tenant):
    services.ballot_cast(vote=open_vote, user=owner_a, choice="agree")
    services.vote_close(vote=open_vote, by=None)
    client.force_login(tenant)
    page = client.get(reverse("assemblies:assembly-detail", args=[open_vote.pk])).content.decode()
    assert 'data-testid="vote-result"' in page and 'data-testid="failed-conditions"' in page


def png():
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buf, "PNG")
    return SimpleUploadedFile("ballot.png", buf.getvalue(), content_type="image/png")


def test_community_staff_enter_a_paper_ballot_with_scan_and_close(client, open_vote, owners):
    staff = CommunityStaffFactory(community=open_vote.estate.community)
    client.force_login(staff)
    url = reverse("assemblies:assembly-paper", args=[open_vote.pk])
    assert client.post(url, {"owner": "B", "choice": "spoiled", "scan": png()}).status_code == 302
    ballot = Ballot.objects.get()
    assert ballot.spoiled and ballot.entered_by == staff and ballot.scan
    scan = client.get(reverse("assemblies:assembly-scan", args=[open_vote.pk, ballot.pk]))
    assert scan.status_code == 200
    client.post(reverse("assemblies:assembly-close", args=[open_vote.pk]))
    open_vote.refresh_from_db()
    assert open_vote.is_closed and open_vote.closed_by == staff


def test_staff_of_another_community_get_404_and_owners_cannot_close(client, open_vote, owner_a):
    client.force_login(CommunityStaffFactory())
    assert client.get(reverse("assemblies:assembly-detail", args=[open_vote.pk])).status_code == 404
    assert client.post(reverse("assemblies:assembly-close", args=[open_vote.pk])).status_code == 404
    client.force_login(owner_a)
    assert client.post(reverse("assemblies:assembly-close", args=[open_vote.pk])).status_code == 403
    url = reverse("assemblies:assembly-paper", args=[open_vote.pk])
    assert client.post(url, {"owner": "B", "choice": "agree", "scan": png()}).status_code == 403
    open_vote.refresh_from_db()
    assert open_vote.is_open and not Ballot.objects.exists()


def test_owner_cannot_open_another_owners_scan(client, open_vote, owners, owner_a):
    services.paper_ballots_enter(
        vote=open_vote, rows=[{"owner": owners["B"], "choice": "agree", "scan": png()}], by=None
    )
    client.force_login(owner_a)
    ballot = Ballot.objects.get()
    assert (
        client.get(reverse("assemblies:assembly-scan", args=[open_vote.pk, ballot.pk])).status_code
        == 404
    )


def test_detail_page_runs_a_constant_number_of_queries(client, estate, owners, owner_a):
    vote = services.vote_open_now(estate=estate, kind="manager", title="续聘物业")
    client.force_login(owner_a)
    rows = [(f"{n % 3 + 1}栋", f"9{n:02d}", "60", f"K{n}", True) for n in range(30)]
    register(estate, rows)
    big = services.vote_open_now(estate=estate, kind="manager", title="再次")
    for key in ("B", "C"):
        services.paper_ballots_enter(
            vote=big, rows=[{"owner": owners[key], "choice": "agree"}], by=None
        )
    services.vote_close(vote=big, by=None)
    services.vote_close(vote=vote, by=None)
    url = reverse("assemblies:assembly-detail", args=[big.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    small_closed = reverse("assemblies:assembly-detail", args=[vote.pk])
    with CaptureQueriesContext(connection) as small2:
        client.get(small_closed)
    assert len(large) == len(small2)


def test_staff_announce_a_vote_15_days_ahead_and_not_sooner(client, estate, owners):
    import datetime

    from django.utils import timezone

    from deliberation.assemblies.models import AssemblyVote

    client.force_login(CommunityStaffFactory(community=estate.community))
    assert client.get(reverse("assemblies:assembly-list")).status_code == 200
    now = timezone.localtime()
    data = {
        "estate": estate.pk,
        "kind": "committee",
        "title": "选举业主委员会",
        "opens_at": (now + datetime.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
        "seats": 1,
        "candidates": "A,甲,1\nZ,乙",
    }
    url = reverse("assemblies:assembly-announce")
    assert client.post(url, data).status_code == 400  # unknown owner Z
    data["candidates"] = "A,甲,1\nB,乙"
    assert client.post(url, data).status_code == 400  # opens in 10 days
    assert not AssemblyVote.objects.exists()
    data["opens_at"] = (now + datetime.timedelta(days=16)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, data).status_code == 302
    vote = AssemblyVote.objects.get()
    assert vote.state == "announced" and vote.announced_at and vote.candidates.count() == 2
    client.force_login(ResidentFactory())
    assert client.get(url).status_code == 403
