"""A portal form submitted twice (a double-click, a browser retry) stores one submission
(issue 10, item 11): the create forms carry a one-time token, and a repeat of a token that
already succeeded gets the first answer's redirect."""

import io
import re
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from PIL import Image

from communities.factories import PropertyManagerFactory
from deliberation.factories import CouncilFactory, resident_of
from deliberation.models import Proposal
from property_rating.models import AssessmentUnit, Evidence
from property_rating.reports import report_get_or_create

pytestmark = pytest.mark.django_db

PROPOSAL = {"title": "外墙瓷砖脱落", "description": "3栋外墙瓷砖脱落。", "category": "other"}


def token_in(html: str) -> str:
    found = re.search(r'name="once_token" value="([0-9a-f]{32})"', html)
    assert found, "the form carries no one-time token"
    return found.group(1)


@pytest.fixture
def resident_client():
    council = CouncilFactory()
    client = Client()
    client.force_login(resident_of(council.estate))
    return client


def test_a_double_submitted_proposal_form_stores_one_proposal(resident_client):
    token = token_in(resident_client.get("/deliberation/proposals/new/").content.decode())
    first = resident_client.post("/deliberation/proposals/new/", {**PROPOSAL, "once_token": token})
    second = resident_client.post("/deliberation/proposals/new/", {**PROPOSAL, "once_token": token})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]  # the repeat lands on the same proposal
    assert Proposal.objects.count() == 1


def test_each_form_shown_gets_a_new_token_so_a_second_real_proposal_is_stored(resident_client):
    for _ in range(2):
        token = token_in(resident_client.get("/deliberation/proposals/new/").content.decode())
        resident_client.post("/deliberation/proposals/new/", {**PROPOSAL, "once_token": token})
    assert Proposal.objects.count() == 2


def test_a_form_shown_again_with_errors_keeps_its_token_usable(resident_client):
    token = token_in(resident_client.get("/deliberation/proposals/new/").content.decode())
    invalid = resident_client.post(
        "/deliberation/proposals/new/", {**PROPOSAL, "title": "", "once_token": token}
    )
    assert invalid.status_code in (200, 400)
    fixed = resident_client.post("/deliberation/proposals/new/", {**PROPOSAL, "once_token": token})
    assert fixed.status_code == 302
    assert Proposal.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_true_double_click_two_requests_at_once_stores_one_proposal():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    council = CouncilFactory()
    resident = resident_of(council.estate)
    barrier = threading.Barrier(2)
    answers = []

    def click():
        from django.db import connections

        try:
            client = Client()
            client.force_login(resident)
            barrier.wait()
            answer = client.post(
                "/deliberation/proposals/new/", {**PROPOSAL, "once_token": "a" * 32}
            )
            answers.append((answer.status_code, answer["Location"]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert Proposal.objects.count() == 1
    assert len(answers) == 2 and answers[0] == answers[1]


def test_the_support_form_carries_a_token_and_a_double_click_answers_the_same_page():
    council = CouncilFactory()
    author, neighbour = Client(), Client()
    author.force_login(resident_of(council.estate))
    neighbour.force_login(resident_of(council.estate))
    proposal_url = author.post(
        "/deliberation/proposals/new/", {**PROPOSAL, "once_token": "b" * 32}
    )["Location"]
    html = neighbour.get(proposal_url).content.decode()
    support_form = html[html.index("/support/") :]
    token = token_in(support_form[: support_form.index("</form>")])
    support_url = f"{proposal_url}support/"
    first = neighbour.post(support_url, {"once_token": token})
    second = neighbour.post(support_url, {"once_token": token})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == proposal_url
    assert Proposal.objects.get().supports.count() == 1


def test_a_double_submitted_report_with_evidence_stores_one_evidence_row():
    from tests.builders import bulk_town as build_town

    town = build_town(1)
    unit = AssessmentUnit.objects.get(town=town)
    manager = PropertyManagerFactory(company=unit.company)
    report = report_get_or_create(unit=unit, quarter=1, by=manager)
    client = Client()
    client.force_login(manager)
    url = f"/rating/manager/reports/{report.pk}/"
    token = token_in(client.get(url).content.decode())
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    codes = [line.task_item.code for line in report.items.select_related("task_item")]
    data = {}
    for code in codes:
        data[f"{code}-description"] = ""
        data[f"{code}-count"] = ""
    data[f"{codes[0]}-description"] = "联合执法3次"
    data[f"{codes[0]}-count"] = "3"
    for _ in range(2):
        upload = SimpleUploadedFile("a.png", buffer.getvalue(), content_type="image/png")
        answer = client.post(url, {**data, f"{codes[0]}-files": upload, "once_token": token})
        assert answer.status_code == 302, answer.content[:1500]
    assert Evidence.objects.filter(item__report=report).count() == 1
