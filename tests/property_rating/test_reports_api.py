"""/api/v1/reports/ for property companies' own systems: token auth, company scoping (404),
field messages, mass assignment ignored, state conflicts, evidence rules, constant query counts."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from communities.factories import PropertyCompanyFactory
from property_rating.factories import PayoutFactory, QuarterScoreFactory
from property_rating.models import Evidence, QuarterlyReport, ReportItem
from property_rating.reports import report_get_or_create, report_return, report_submit

pytestmark = pytest.mark.django_db

FAKE_PNG = b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, format="PNG")
    return buffer.getvalue()


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def api(manager):
    return token_client(manager)


@pytest.fixture
def other_report(other_unit, manager_for):
    other = manager_for(other_unit, username="other-manager")
    return report_get_or_create(unit=other_unit, quarter=1, by=other)


def test_token_auth_required(unit):
    response = APIClient().get("/api/v1/reports/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_non_managers_are_refused(assessor):
    assert token_client(assessor).get("/api/v1/reports/").status_code == 403


def test_session_auth_works_too(client, manager, unit):
    client.force_login(manager)
    assert client.get("/api/v1/reports/").status_code == 200


def test_create_gets_or_creates_the_draft(api, unit):
    first = api.post("/api/v1/reports/", {"unit": unit.pk, "quarter": 2}, format="json")
    assert first.status_code == 201
    body = first.json()
    assert body["status"] == "draft"
    assert [item["code"] for item in body["items"]] == [f"T{i}" for i in range(1, 10)]
    assert body["due_at"].startswith("2021-07-15T23:59:59")
    again = api.post("/api/v1/reports/", {"unit": unit.pk, "quarter": 2}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert QuarterlyReport.objects.filter(unit=unit, quarter=2).count() == 1


def test_create_with_items_saves_them(api, unit):
    response = api.post(
        "/api/v1/reports/",
        {
            "unit": unit.pk,
            "quarter": 1,
            "items": [{"code": "T2", "description": "巡查", "count": 4}],
        },
        format="json",
    )
    assert response.status_code == 201
    line = ReportItem.objects.get(report__unit=unit, task_item__code="T2")
    assert (line.description, line.count) == ("巡查", 4)


def test_create_for_another_companys_unit_is_refused_as_unknown(api, other_unit):
    response = api.post("/api/v1/reports/", {"unit": other_unit.pk, "quarter": 1}, format="json")
    assert response.status_code == 400
    assert "unit" in response.json()
    assert not QuarterlyReport.objects.filter(unit=other_unit).exists()


def test_bad_input_answers_400_with_field_messages(api, unit):
    response = api.post("/api/v1/reports/", {"unit": unit.pk, "quarter": 5}, format="json")
    assert response.status_code == 400
    assert "quarter" in response.json()
    report = api.post("/api/v1/reports/", {"unit": unit.pk, "quarter": 1}, format="json").json()
    url = f"/api/v1/reports/{report['id']}/"
    negative = api.patch(url, {"items": [{"code": "T1", "count": -1}]}, format="json")
    assert negative.status_code == 400
    assert "count" in negative.json()["items"]["0"]
    unknown = api.patch(url, {"items": [{"code": "T99", "description": "x"}]}, format="json")
    assert unknown.status_code == 400
    assert "items" in unknown.json()
    missing = api.patch(url, {}, format="json")
    assert missing.status_code == 400
    assert "items" in missing.json()


def test_mass_assignment_of_status_points_and_company_is_ignored(api, unit, other_unit):
    report = api.post("/api/v1/reports/", {"unit": unit.pk, "quarter": 1}, format="json").json()
    response = api.patch(
        f"/api/v1/reports/{report['id']}/",
        {
            "status": "reviewed",
            "unit": other_unit.pk,
            "company": other_unit.company_id,
            "submitted_at": "2021-01-01T00:00:00Z",
            "items": [{"code": "T1", "description": "正常填写", "awarded_points": "15"}],
        },
        format="json",
    )
    assert response.status_code == 200
    stored = QuarterlyReport.objects.get(pk=report["id"])
    assert stored.status == QuarterlyReport.Status.DRAFT
    assert stored.unit == unit
    assert stored.submitted_at is None
    line = stored.items.get(task_item__code="T1")
    assert line.description == "正常填写"
    assert line.awarded_points is None


def test_another_companys_report_answers_404_everywhere(api, other_report):
    base = f"/api/v1/reports/{other_report.pk}/"
    evidence = Evidence.objects.create(
        item=other_report.items.first(),
        file=SimpleUploadedFile("a.png", png_bytes()),
        original_name="a.png",
        uploaded_by=other_report.created_by,
    )
    assert api.get(base).status_code == 404
    assert (
        api.patch(base, {"items": [{"code": "T1", "description": "x"}]}, format="json").status_code
        == 404
    )
    assert api.post(base + "submit/").status_code == 404
    upload = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    assert (
        api.post(
            base + "evidence/", {"item": "T1", "files": [upload]}, format="multipart"
        ).status_code
        == 404
    )
    assert api.get(f"{base}evidence/{evidence.pk}/").status_code == 404
    assert other_report.pk not in [r["id"] for r in api.get("/api/v1/reports/").json()["results"]]
    other_report.refresh_from_db()
    assert other_report.status == QuarterlyReport.Status.DRAFT
    assert Evidence.objects.count() == 1


def test_another_companys_scores_and_payouts_answer_404(api, unit, other_unit):
    QuarterScoreFactory(unit=other_unit, quarter=1, score=Decimal("77.00"))
    PayoutFactory(unit=other_unit, quarter=1)
    assert api.get(f"/api/v1/report-units/{other_unit.pk}/").status_code == 404
    ids = [u["id"] for u in api.get("/api/v1/report-units/").json()["results"]]
    assert ids == [unit.pk]


def test_own_scores_and_accruals_are_listed_year_payout_only_when_published(api, unit):
    QuarterScoreFactory(unit=unit, quarter=1, score=Decimal("91.00"), accrual=Decimal("30000.00"))
    PayoutFactory(unit=unit, quarter=1, amount=Decimal("30000.00"))
    PayoutFactory(unit=unit, quarter=0, amount=Decimal("30000.00"))
    body = api.get(f"/api/v1/report-units/{unit.pk}/").json()
    assert [s["score"] for s in body["quarter_scores"]] == ["91.00"]
    assert [p["quarter"] for p in body["payouts"]] == [1]


def test_submit_then_edit_or_resubmit_conflicts_until_returned(api, unit, assessor):
    report = api.post("/api/v1/reports/", {"unit": unit.pk, "quarter": 1}, format="json").json()
    url = f"/api/v1/reports/{report['id']}/"
    submitted = api.post(url + "submit/")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    assert api.post(url + "submit/").status_code == 409
    edit = api.patch(url, {"items": [{"code": "T1", "description": "改"}]}, format="json")
    assert edit.status_code == 409
    assert ReportItem.objects.get(report_id=report["id"], task_item__code="T1").description == ""
    report_return(report=QuarterlyReport.objects.get(pk=report["id"]), by=assessor, reason="补充")
    body = api.get(url).json()
    assert body["status"] == "returned"
    assert body["returns"][0]["reason"] == "补充"
    assert (
        api.patch(url, {"items": [{"code": "T1", "description": "改"}]}, format="json").status_code
        == 200
    )
    assert api.post(url + "submit/").status_code == 200
    assert [s["number"] for s in api.get(url).json()["submissions"]] == [1, 2]


def test_fake_png_is_rejected_and_nothing_stored(api, unit, settings):
    report = api.post("/api/v1/reports/", {"unit": unit.pk, "quarter": 1}, format="json").json()
    bad = SimpleUploadedFile("photo.png", FAKE_PNG, content_type="image/png")
    response = api.post(
        f"/api/v1/reports/{report['id']}/evidence/",
        {"item": "T1", "files": [bad]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "files" in response.json()
    assert not Evidence.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_pdf_is_accepted_and_downloadable_as_attachment(api, unit):
    report = api.post("/api/v1/reports/", {"unit": unit.pk, "quarter": 1}, format="json").json()
    pdf = SimpleUploadedFile("记录.pdf", PDF, content_type="application/pdf")
    response = api.post(
        f"/api/v1/reports/{report['id']}/evidence/",
        {"item": "T2", "files": [pdf]},
        format="multipart",
    )
    assert response.status_code == 201
    created = response.json()[0]
    assert created["name"] == "记录.pdf"
    download = api.get(created["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    detail = api.get(f"/api/v1/reports/{report['id']}/").json()
    t2 = next(i for i in detail["items"] if i["code"] == "T2")
    assert t2["evidence"][0]["id"] == created["id"]


def test_evidence_for_an_unknown_item_is_a_field_error(api, unit):
    report = api.post("/api/v1/reports/", {"unit": unit.pk, "quarter": 1}, format="json").json()
    upload = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    response = api.post(
        f"/api/v1/reports/{report['id']}/evidence/",
        {"item": "T42", "files": [upload]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "item" in response.json()


def test_points_are_hidden_until_the_review_is_complete(api, unit, manager, assessor):
    from property_rating.reports import report_review

    report = report_get_or_create(unit=unit, quarter=1, by=manager)
    report_submit(report=report, by=manager)
    report_review(report=report, by=assessor, scores={"T1": {"points": "12"}})
    items = api.get(f"/api/v1/reports/{report.pk}/").json()["items"]
    assert items[0]["awarded_points"] is None
    report_review(
        report=report,
        by=assessor,
        scores={f"T{i}": {"points": "5", "note": "ok"} for i in range(1, 10)},
    )
    items = api.get(f"/api/v1/reports/{report.pk}/").json()["items"]
    assert items[0]["awarded_points"] == "5.00"


def test_list_query_count_is_constant(scheme, make_unit, manager_for):
    company = PropertyCompanyFactory()
    units = [make_unit(f"小区{i}", company=company) for i in range(8)]
    manager = manager_for(units[0])
    api = token_client(manager)

    def fill(start, end):
        for unit in units[start:end]:
            report = report_get_or_create(unit=unit, quarter=1, by=manager)
            for line in report.items.all()[:2]:
                Evidence.objects.create(
                    item=line,
                    file=SimpleUploadedFile("a.png", png_bytes()),
                    original_name="a.png",
                    uploaded_by=manager,
                )
            report_submit(report=report, by=manager)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = api.get("/api/v1/reports/")
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    fill(0, 2)
    small, n_small = count()
    fill(2, 8)
    large, n_large = count()
    assert (n_small, n_large) == (2, 8)
    assert large == small


def test_report_units_query_count_is_constant(scheme, make_unit, manager_for):
    company = PropertyCompanyFactory()
    units = [make_unit(f"单元{i}", company=company) for i in range(6)]
    api = token_client(manager_for(units[0]))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/report-units/").status_code == 200
        return len(ctx.captured_queries)

    QuarterScoreFactory(unit=units[0], quarter=1)
    small = count()
    for unit in units[1:]:
        QuarterScoreFactory(unit=unit, quarter=1)
        PayoutFactory(unit=unit, quarter=1)
    assert count() == small


def test_reports_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in (
        "/api/v1/reports/",
        "/api/v1/reports/{id}/",
        "/api/v1/reports/{id}/submit/",
        "/api/v1/reports/{id}/evidence/",
        "/api/v1/report-units/",
    ):
        assert path in schema["paths"], path
    assert (
        "multipart/form-data"
        in schema["paths"]["/api/v1/reports/{id}/evidence/"]["post"]["requestBody"]["content"]
    )


def test_evidence_can_be_removed_only_while_editable(api, unit, manager):
    report = api.post("/api/v1/reports/", {"unit": unit.pk, "quarter": 1}, format="json").json()
    base = f"/api/v1/reports/{report['id']}/evidence/"
    upload = lambda name: SimpleUploadedFile(name, png_bytes(), content_type="image/png")  # noqa: E731
    first, second = api.post(
        base, {"item": "T1", "files": [upload("a.png"), upload("b.png")]}, format="multipart"
    ).json()
    assert api.delete(f"{base}{first['id']}/").status_code == 204
    assert list(Evidence.objects.values_list("original_name", flat=True)) == ["b.png"]
    report_submit(report=QuarterlyReport.objects.get(pk=report["id"]), by=manager)
    assert api.delete(f"{base}{second['id']}/").status_code == 409
    assert Evidence.objects.count() == 1
