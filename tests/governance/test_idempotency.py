"""Retries never duplicate what users submit (issue 10, item 11): creating API endpoints honour
an `Idempotency-Key` header, per user and endpoint, kept in PostgreSQL for 24 hours."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.client import encode_multipart
from django.utils import timezone
from rest_framework.test import APIClient

from communities.factories import PropertyManagerFactory
from deliberation.factories import CouncilFactory, resident_of
from deliberation.models import Proposal
from governance.models import IdempotencyKey
from property_rating.models import Evidence, QuarterlyReport

pytestmark = pytest.mark.django_db

PROPOSAL = {"title": "楼道灯不亮", "description": "2栋楼道灯坏了。", "category": "other"}


@pytest.fixture
def resident():
    council = CouncilFactory()
    return resident_of(council.estate)


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_fifty_retries_of_a_proposal_with_one_key_store_one_and_answer_it_each_time(resident):
    api = api_as(resident)
    answers = [
        api.post("/api/v1/proposals/", PROPOSAL, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        for _ in range(50)
    ]
    assert Proposal.objects.count() == 1
    assert {a.status_code for a in answers} == {201}
    assert {a.json()["id"] for a in answers} == {Proposal.objects.get().pk}
    assert answers[0].get("Idempotent-Replayed") is None
    assert all(a["Idempotent-Replayed"] == "true" for a in answers[1:])
    assert answers[1].json() == answers[0].json()


def test_the_same_key_with_another_body_answers_422_and_stores_nothing_more(resident):
    api = api_as(resident)
    api.post("/api/v1/proposals/", PROPOSAL, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    other = {**PROPOSAL, "title": "另一件事"}
    answer = api.post("/api/v1/proposals/", other, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert answer.status_code == 422
    assert "detail" in answer.json()
    assert Proposal.objects.count() == 1


def test_a_key_is_per_user_and_per_endpoint():
    council = CouncilFactory()
    resident, neighbour = resident_of(council.estate), resident_of(council.estate)
    api = api_as(resident)
    mine = api.post("/api/v1/proposals/", PROPOSAL, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    theirs = api_as(neighbour).post(
        "/api/v1/proposals/", PROPOSAL, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert mine.status_code == theirs.status_code == 201
    assert Proposal.objects.count() == 2
    # Another endpoint of the same user: the key is new there, so it runs (not a 422).
    withdraw = api.post(
        f"/api/v1/proposals/{mine.json()['id']}/withdraw/",
        {"reason": "重复提交"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert withdraw.status_code == 200, withdraw.content[:500]
    assert withdraw.get("Idempotent-Replayed") is None


def test_without_a_key_requests_run_as_before(resident):
    api = api_as(resident)
    api.post("/api/v1/proposals/", PROPOSAL, format="json")
    api.post("/api/v1/proposals/", PROPOSAL, format="json")
    assert Proposal.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


def test_an_empty_or_overlong_key_is_a_400(resident):
    api = api_as(resident)
    for key in ("  ", "x" * 256):
        answer = api.post("/api/v1/proposals/", PROPOSAL, format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert answer.status_code == 400
        assert "Idempotency-Key" in answer.json()
    assert not Proposal.objects.exists()


def test_a_key_older_than_24_hours_runs_again_and_the_periodic_task_prunes_it(resident):
    from governance.tasks import prune_idempotency_keys

    api = api_as(resident)
    api.post("/api/v1/proposals/", PROPOSAL, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    api.post("/api/v1/proposals/", PROPOSAL, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert Proposal.objects.count() == 2
    api.post("/api/v1/proposals/", PROPOSAL, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    IdempotencyKey.objects.filter(key="k-2").update(created_at=timezone.now() - timedelta(hours=25))
    assert prune_idempotency_keys() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["k-1"]


@pytest.fixture
def manager_report():
    from property_rating.models import AssessmentUnit
    from tests.builders import bulk_town as build_town

    town = build_town(1)
    unit = AssessmentUnit.objects.filter(town=town).get()
    manager = PropertyManagerFactory(company=unit.company)
    return manager, unit


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_retried_report_creation_and_evidence_upload_store_one_each(manager_report):
    from django.core.files.uploadedfile import SimpleUploadedFile

    manager, unit = manager_report
    api = api_as(manager)
    body = {"unit": unit.pk, "quarter": 1, "items": [{"code": "T1", "description": "联合执法3次"}]}
    first = api.post("/api/v1/reports/", body, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    again = api.post("/api/v1/reports/", body, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert first.status_code == again.status_code == 201, first.content[:500]
    assert QuarterlyReport.objects.count() == 1
    report, code = first.json(), "T1"
    png = _png()
    url = f"/api/v1/reports/{report['id']}/evidence/"
    answers = []
    for boundary in ("first-boundary", "retry-boundary"):  # a client's retry: a new boundary
        payload = encode_multipart(
            boundary, {"item": code, "files": SimpleUploadedFile("a.png", png, "image/png")}
        )
        answers.append(
            api.generic(
                "POST",
                url,
                payload,
                content_type=f"multipart/form-data; boundary={boundary}",
                HTTP_IDEMPOTENCY_KEY="e-1",
            )
        )
    assert [a.status_code for a in answers] == [201, 201], answers[0].content[:500]
    assert Evidence.objects.count() == 1
    assert answers[1]["Idempotent-Replayed"] == "true"


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_run_once_and_all_get_its_answer(resident):
    """Five threads (five PostgreSQL connections) send the same key at once: the first runs,
    the others wait on the key's row and answer the first's answer."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    barrier = threading.Barrier(5)
    answers = []

    def send():
        from django.db import connections

        try:
            api = api_as(resident)
            barrier.wait()
            answer = api.post(
                "/api/v1/proposals/", PROPOSAL, format="json", HTTP_IDEMPOTENCY_KEY="same"
            )
            answers.append((answer.status_code, answer.json().get("id")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert Proposal.objects.count() == 1
    assert answers == [(201, Proposal.objects.get().pk)] * 5


def test_the_schema_documents_the_header_on_the_creating_endpoints(client):
    schema = client.get("/api/schema/?format=json").json()

    def takes_key(path, method):
        parameters = schema["paths"][path][method].get("parameters", [])
        return any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in parameters)

    assert takes_key("/api/v1/proposals/", "post")
    assert takes_key("/api/v1/reports/", "post")
    assert takes_key("/api/v1/reports/{id}/evidence/", "post")
    assert takes_key("/api/v1/proposals/{id}/support/", "post")
    assert not takes_key("/api/v1/proposals/", "get")
    assert "422" in schema["paths"]["/api/v1/proposals/"]["post"]["responses"]
