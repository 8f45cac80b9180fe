"""REST API: scoped to the caller's estate and council, 400 with field messages, in the schema."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from deliberation import services
from deliberation.factories import CouncilFactory, ProposalFactory, representatives, resident_of
from deliberation.models import Proposal, Support, Vote

S = Proposal.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_resident_creates_supports_and_withdraws_through_the_api(
    api, council, resident, neighbours
):
    api.force_authenticate(resident)
    response = api.post(
        "/api/v1/proposals/",
        {"title": "电梯异响", "description": "3栋电梯", "category": "facilities"},
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["state"] == "submitted" and response.json()["is_mine"] is True
    assert "proposer" not in response.json()

    api.force_authenticate(neighbours[0])
    first = api.post(f"/api/v1/proposals/{pk}/support/")
    again = api.post(f"/api/v1/proposals/{pk}/support/")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["support_count"] == 1

    api.force_authenticate(resident)
    withdrawn = api.post(f"/api/v1/proposals/{pk}/withdraw/", {"reason": "已解决"}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    illegal = api.post(f"/api/v1/proposals/{pk}/withdraw/", {}, format="json")
    assert illegal.status_code == 400 and "non_field_errors" in illegal.json()


def test_bad_input_gets_field_messages(api, council, resident):
    api.force_authenticate(resident)
    response = api.post("/api/v1/proposals/", {"title": "", "category": "nonsense"}, format="json")
    assert response.status_code == 400
    assert {"title", "description", "category"} <= set(response.json())


def test_other_estate_gets_404_and_cannot_support(api, council):
    proposal = ProposalFactory(council=council)
    api.force_authenticate(resident_of(CouncilFactory().estate))
    assert api.get(f"/api/v1/proposals/{proposal.pk}/").status_code == 404
    assert api.post(f"/api/v1/proposals/{proposal.pk}/support/").status_code == 404
    assert proposal.pk not in [p["id"] for p in api.get("/api/v1/proposals/").json()["results"]]
    assert not Support.objects.exists()


def test_anonymous_cannot_list_proposals(api, council):
    assert api.get("/api/v1/proposals/").status_code in (401, 403)


def test_representative_votes_once_and_outsiders_cannot(api, council, staff):
    reps = representatives(council, 3)
    other = representatives(CouncilFactory(), 1)[0]
    proposal = ProposalFactory(council=council, state=S.ACCEPTED)
    session = services.session_create(council=council, date=timezone.localdate(), by=staff)
    item = services.agenda_add(session=session, proposal=proposal, by=staff)
    services.session_open(session=session, by=staff)

    api.force_authenticate(reps[0].user)
    detail = api.get(f"/api/v1/sessions/{session.pk}/").json()
    assert detail["agenda"][0]["proposal_title"] == proposal.title
    url = f"/api/v1/sessions/{session.pk}/votes/"
    assert (
        api.post(url, {"agenda_item": item.pk, "choice": "for"}, format="json").status_code == 201
    )
    second = api.post(url, {"agenda_item": item.pk, "choice": "against"}, format="json")
    assert second.status_code == 400
    bad = api.post(url, {"agenda_item": item.pk, "choice": "maybe"}, format="json")
    assert bad.status_code == 400 and "choice" in bad.json()

    api.force_authenticate(other.user)  # another council's representative: not even visible
    assert (
        api.post(url, {"agenda_item": item.pk, "choice": "for"}, format="json").status_code == 404
    )
    neighbour = resident_of(council.estate)  # same estate, not a representative
    api.force_authenticate(neighbour)
    assert (
        api.post(url, {"agenda_item": item.pk, "choice": "for"}, format="json").status_code == 403
    )
    assert Vote.objects.count() == 1


def test_public_resolutions_endpoint_lists_only_published(api, council, staff):
    council.publishes_resolutions = True
    council.save()
    reps = representatives(council, 3)
    hidden = CouncilFactory()
    for c in (council, hidden):
        proposal = ProposalFactory(council=c, state=S.ACCEPTED)
        session = services.session_create(
            council=c, date=timezone.localdate(), by=staff if c == council else _staff(c)
        )
        item = services.agenda_add(session=session, proposal=proposal, by=session_by(c, staff))
        services.session_open(session=session, by=session_by(c, staff))
        voters = reps if c == council else representatives(c, 3)
        for rep in voters:
            services.vote_cast(
                agenda_item=item, representative=rep, choice="for", entered_by=rep.user
            )
        services.session_close(session=session, by=session_by(c, staff))
    results = api.get("/api/v1/resolutions/").json()["results"]
    assert [r["estate"] for r in results] == [council.estate.name]


_STAFF = {}


def _staff(c):
    from communities.factories import CommunityStaffFactory

    return _STAFF.setdefault(c.pk, CommunityStaffFactory(community=c.estate.community))


def session_by(c, staff):
    return staff if c.estate.community_id == staff.community_id else _staff(c)


@pytest.mark.parametrize("n", [2, 15])
def test_proposal_list_has_constant_queries(api, council, resident, n, django_assert_num_queries):
    ProposalFactory.create_batch(n, council=council)
    api.force_authenticate(resident)
    resident.verified_household  # noqa: B018 - cached like a request's user would be
    with django_assert_num_queries(2):
        response = api.get("/api/v1/proposals/")
    assert response.json()["count"] == n


@pytest.mark.parametrize("n", [2, 15])
def test_session_list_has_constant_queries(
    api, council, resident, staff, n, django_assert_num_queries
):
    for _ in range(n):
        services.session_create(council=council, date=timezone.localdate(), by=staff)
    api.force_authenticate(resident)
    resident.verified_household  # noqa: B018
    with django_assert_num_queries(2):
        response = api.get("/api/v1/sessions/")
    assert response.json()["count"] == n


def test_endpoints_are_in_the_openapi_schema(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    for path in [
        "/api/v1/proposals/",
        "/api/v1/proposals/{id}/support/",
        "/api/v1/proposals/{id}/withdraw/",
        "/api/v1/sessions/",
        "/api/v1/sessions/{id}/",
        "/api/v1/sessions/{id}/votes/",
    ]:
        assert path in schema["paths"], path


def test_a_proposal_with_a_photo_is_created_by_multipart(api, council, resident):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "PNG")
    buf.seek(0)
    buf.name = "crack.png"
    api.force_authenticate(resident)
    response = api.post(
        "/api/v1/proposals/",
        {"title": "墙体裂缝", "description": "d", "category": "safety", "photos": [buf]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert Proposal.objects.get(pk=response.json()["id"]).attachments.count() == 1
