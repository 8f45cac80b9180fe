"""Case pages as each role: queues in constant queries, a case's page and actions from outside,
resident filing with a photo (a possible duplicate offered first)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from communities.departments import Department
from communities.factories import (
    EstateFactory,
    ResidentFactory,
    ResidentVerificationFactory,
)
from communities.models import ResidentVerification
from deliberation.cases import services
from deliberation.cases.models import Case, CasePhoto

from .conftest import category, department_staff

pytestmark = pytest.mark.django_db


def png(name="p.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def receive(estate, code, reporter=None, title="问题"):
    return services.case_receive(
        estate=estate, category=category(estate.community.town, code), title=title,
        source=Case.Source.STAFF, reporter=reporter,
    )  # fmt: skip


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_department_queue_runs_constant_queries_and_shows_only_its_cases(client, estate):
    town = estate.community.town
    housing = Department.objects.get(town=town, name="住建办")
    user = department_staff(housing)
    client.force_login(user)
    receive(estate, "C05", title="执法办的")  # another department
    for _ in range(2):
        case = receive(estate, "C11", title="住建办的")
        services.case_escalate(case=case, by=None, reason="升级")
    small = queries(client, "/cases/")
    for _ in range(5):
        case = receive(estate, "C11", title="住建办的")
        services.case_escalate(case=case, by=None, reason="升级")
    assert queries(client, "/cases/") == small
    page = client.get("/cases/").content.decode()
    assert page.count('data-testid="queue-row"') == 7
    assert "执法办的" not in page


def test_dispatcher_queue_runs_constant_queries(client, estate, company, manager, community_staff):
    client.force_login(community_staff)

    def returned():
        case = receive(estate, "C01")
        services.case_return(case=case, by=manager, reason="非物业职责")

    returned()
    small = queries(client, "/cases/")
    for _ in range(4):
        returned()
    assert queries(client, "/cases/") == small
    assert client.get("/cases/").content.decode().count('data-testid="case-row"') == 5


def test_case_page_answers_404_outside_scope_and_403_for_actions_not_theirs(
    client, estate, company, manager, community_staff, town_staff
):
    case = receive(estate, "C01")
    other = EstateFactory()
    services.responsibility_list_ensure(town=other.community.town)
    other_case = receive(other, "C01")
    client.force_login(manager)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert client.get(f"/cases/{other_case.pk}/").status_code == 404
    assert client.post(f"/cases/{other_case.pk}/action/", {"action": "accept"}).status_code == 404
    client.force_login(community_staff)
    assert (
        client.post(f"/cases/{case.pk}/action/", {"action": "reply", "text": "x"}).status_code
        == 403
    )
    assert not case.replies.exists()
    client.force_login(ResidentFactory())
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/cases/{case.pk}/").status_code == 302


def test_manager_replies_with_evidence_and_the_reporter_rates_it_closed(
    client, estate, company, manager, household
):
    resident = ResidentFactory()
    ResidentVerificationFactory(
        user=resident, household=household, status=ResidentVerification.Status.APPROVED
    )
    case = receive(estate, "C01", reporter=resident)
    client.force_login(manager)
    client.post(f"/cases/{case.pk}/action/", {"action": "accept"})
    response = client.post(
        f"/cases/{case.pk}/action/", {"action": "reply", "text": "已更换水泵", "evidence": [png()]}
    )
    assert response.status_code == 302
    reply = case.replies.get()
    assert reply.evidence.count() == 1
    evidence = reply.evidence.get()
    assert client.get(f"/cases/photos/{evidence.pk}/").status_code == 200
    client.force_login(ResidentFactory())
    assert client.get(f"/cases/photos/{evidence.pk}/").status_code == 404
    client.force_login(resident)
    client.post(f"/cases/{case.pk}/action/", {"action": "rate", "rating": "5"})
    case.refresh_from_db()
    assert (case.state, case.rating) == (Case.State.CLOSED, 5)


def test_resident_files_a_case_with_a_photo_after_seeing_a_possible_duplicate(
    client, estate, company, household
):
    resident = ResidentFactory()
    ResidentVerificationFactory(
        user=resident, household=household, status=ResidentVerification.Status.APPROVED
    )
    receive(estate, "C02", title="垃圾桶满了")
    client.force_login(resident)
    c02 = category(estate.community.town, "C02")
    data = {
        "category": c02.pk,
        "title": "垃圾没人收",
        "description": "三天没清运",
        "photos": [png()],
    }
    assert 'type="checkbox" name="file_anyway"' not in client.get("/cases/new/").content.decode()
    first = client.post("/cases/new/", data)
    assert first.status_code == 200 and "垃圾桶满了" in first.content.decode()
    # The box to file anyway is offered with the similar cases it refers to.
    assert 'type="checkbox" name="file_anyway"' in first.content.decode()
    assert Case.objects.filter(reporter=resident).count() == 0
    response = client.post("/cases/new/", {**data, "photos": [png()], "file_anyway": "on"})
    assert response.status_code == 302
    case = Case.objects.get(reporter=resident)
    assert (case.household, case.building, case.source) == (
        household,
        household.building,
        Case.Source.PORTAL,
    )
    assert CasePhoto.objects.filter(case=case, reply__isnull=True).count() == 1


def test_resident_cannot_upload_a_non_image_as_a_photo(client, estate, household):
    resident = ResidentFactory()
    ResidentVerificationFactory(
        user=resident, household=household, status=ResidentVerification.Status.APPROVED
    )
    client.force_login(resident)
    bad = SimpleUploadedFile("x.png", b"<html><script>alert(1)</script>", content_type="image/png")
    response = client.post("/cases/new/", {"category": category(estate.community.town, "C01").pk,
                                           "title": "t", "description": "d", "photos": [bad]})  # fmt: skip
    assert response.status_code == 200
    assert not Case.objects.exists()


def test_township_staff_see_figures(client, estate, town_staff):
    receive(estate, "C01")
    client.force_login(town_staff)
    page = client.get("/cases/figures/")
    assert page.status_code == 200 and 'data-testid="figures"' in page.content.decode()
    client.force_login(ResidentFactory())
    assert client.get("/cases/figures/").status_code == 403


def test_township_staff_record_a_joint_meeting_and_its_decision_from_the_page(
    client, estate, town_staff
):
    import datetime

    from communities.factories import TownshipStaffFactory

    town = estate.community.town
    case = receive(estate, "C05", title="违建久拖")
    services.case_escalate(case=case, by=None, reason="部门无法解决")
    lead = Department.objects.get(town=town, name="住建办")
    client.force_login(town_staff)
    response = client.post("/cases/meetings/", {"date": "2026-11-30", "chair": "李镇长",
                                                 "departments": [lead.pk], "minutes": "纪要"})  # fmt: skip
    assert response.status_code == 302
    meeting_url = response["Location"]
    assert "违建久拖" in client.get(meeting_url).content.decode()
    due = (datetime.date.today() + datetime.timedelta(days=20)).isoformat()
    response = client.post(
        meeting_url,
        {"case": case.pk, "text": "住建办牵头", "lead_department": lead.pk, "due_date": due},
    )
    assert response.status_code == 302
    assignment = case.assignments.get(ended_at__isnull=True)
    assert (assignment.level, assignment.department) == ("joint_meeting", lead)
    other_staff = TownshipStaffFactory()
    client.force_login(other_staff)
    assert client.get(meeting_url).status_code == 404
