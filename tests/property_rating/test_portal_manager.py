"""Property-manager portal: own units only, reports from draft to resubmission, evidence rules
and private downloads, scores and payouts, 404 for everything of another company."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from communities.factories import AssessorFactory, TownFactory, verified_resident
from property_rating.factories import PayoutFactory, QuarterScoreFactory
from property_rating.models import Evidence, QuarterlyReport, ReportItem
from property_rating.reports import report_get_or_create, report_return, report_submit

pytestmark = pytest.mark.django_db

FAKE_PNG = b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_bytes(color="red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, format="PNG")
    return buffer.getvalue()


def line_data(**overrides):
    """POST data for every line T1..T9 (empty), overridden per code: T1=("text", 3)."""
    data = {}
    for i in range(1, 10):
        data[f"T{i}-description"] = ""
        data[f"T{i}-count"] = ""
    for code, (text, count) in overrides.items():
        data[f"{code}-description"] = text
        data[f"{code}-count"] = "" if count is None else str(count)
    return data


@pytest.fixture
def report(unit, manager):
    return report_get_or_create(unit=unit, quarter=1, by=manager)


def test_manager_lists_only_own_units(client, unit, manager, other_unit):
    client.force_login(manager)
    response = client.get(reverse("property_rating:manager-home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "糖果雅苑" in body
    assert "金沙里" not in body
    assert body.count('data-testid="quarter-row"') == 4


def test_manager_home_shows_due_date_and_status(client, report, manager):
    client.force_login(manager)
    body = client.get(reverse("property_rating:manager-home")).content.decode()
    assert "2021-04-15 23:59" in body  # Q1 due 15 days after 31 March, Shanghai time
    assert report.get_status_display() in body


def test_non_manager_cannot_open_the_portal(client, assessor):
    client.force_login(assessor)
    assert client.get(reverse("property_rating:manager-home")).status_code == 403


def test_start_creates_the_draft_once(client, unit, manager):
    client.force_login(manager)
    url = reverse("property_rating:manager-report-start", args=[unit.pk, 2])
    first = client.post(url)
    second = client.post(url)
    report = QuarterlyReport.objects.get(unit=unit, quarter=2)
    assert first.url == second.url == reverse("property_rating:manager-report", args=[report.pk])
    assert report.items.count() == 9


def test_manager_gets_404_for_another_companys_report_unit_evidence_scores_and_payouts(
    client, report, manager, other_unit, other_manager
):
    evidence = Evidence.objects.create(
        item=report.items.first(),
        file=SimpleUploadedFile("a.png", png_bytes()),
        original_name="a.png",
        uploaded_by=manager,
    )
    report_submit(report=report, by=manager)
    QuarterScoreFactory(unit=report.unit, quarter=1)
    PayoutFactory(unit=report.unit, quarter=1, amount=Decimal("30000.00"))
    client.force_login(other_manager)
    urls = [
        reverse("property_rating:manager-report", args=[report.pk]),
        reverse("property_rating:manager-submission", args=[report.pk, 1]),
        reverse("property_rating:manager-unit", args=[report.unit.pk]),
        reverse("property_rating:evidence-download", args=[evidence.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("property_rating:manager-evidence-delete", args=[evidence.pk])
        ).status_code
        == 404
    )
    start = reverse("property_rating:manager-report-start", args=[report.unit.pk, 2])
    assert client.post(start).status_code == 404
    assert (
        client.post(
            reverse("property_rating:manager-report", args=[report.pk]), line_data(T1=("x", 1))
        ).status_code
        == 404
    )
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert not QuarterlyReport.objects.filter(unit=report.unit, quarter=2).exists()


def test_draft_submit_return_resubmit_keeps_every_submission(client, report, manager, assessor):
    client.force_login(manager)
    url = reverse("property_rating:manager-report", args=[report.pk])
    response = client.post(url, {**line_data(T1=("巡查三次", 3)), "action": "save"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.DRAFT
    assert report.items.get(task_item__code="T1").description == "巡查三次"

    client.post(url, {**line_data(T1=("巡查三次", 3)), "action": "submit"})
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.SUBMITTED

    report_return(report=report, by=assessor, reason="缺少现场照片")
    page = client.get(url).content.decode()
    assert "缺少现场照片" in page
    assert 'data-testid="report-form"' in page

    client.post(url, {**line_data(T1=("巡查三次，补充照片", 3)), "action": "submit"})
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.SUBMITTED
    assert list(report.submissions.values_list("number", flat=True)) == [1, 2]
    first = client.get(reverse("property_rating:manager-submission", args=[report.pk, 1]))
    second = client.get(reverse("property_rating:manager-submission", args=[report.pk, 2]))
    assert "巡查三次" in first.content.decode()
    assert "补充照片" not in first.content.decode()
    assert "补充照片" in second.content.decode()


def test_submitted_report_is_read_only_to_its_manager(client, report, manager):
    report_submit(report=report, by=manager)
    client.force_login(manager)
    url = reverse("property_rating:manager-report", args=[report.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="read-only"' in page
    assert 'data-testid="report-form"' not in page
    upload = SimpleUploadedFile("late.png", png_bytes(), content_type="image/png")
    client.post(url, {**line_data(T1=("改过了", 9)), "T1-files": upload, "action": "save"})
    line = report.items.get(task_item__code="T1")
    assert line.description == ""
    assert not Evidence.objects.exists()
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.SUBMITTED
    assert report.submissions.count() == 1


def test_fake_png_with_html_is_rejected_and_nothing_is_stored(client, report, manager, settings):
    client.force_login(manager)
    url = reverse("property_rating:manager-report", args=[report.pk])
    good = SimpleUploadedFile("site.png", png_bytes(), content_type="image/png")
    bad = SimpleUploadedFile("photo.png", FAKE_PNG, content_type="image/png")
    response = client.post(
        url, {**line_data(T1=("说明", 1)), "T1-files": good, "T2-files": bad, "action": "submit"}
    )
    assert response.status_code == 400
    assert "photo.png" in response.content.decode()
    assert not Evidence.objects.exists()
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.DRAFT
    assert report.items.get(task_item__code="T1").description == ""  # nothing half-saved
    media = settings.MEDIA_ROOT
    assert not any(p.is_file() for p in media.rglob("*")) if media.exists() else True


def test_pdf_is_accepted_and_served_as_attachment_with_nosniff(client, report, manager):
    client.force_login(manager)
    url = reverse("property_rating:manager-report", args=[report.pk])
    pdf = SimpleUploadedFile("消防巡查.pdf", PDF, content_type="application/pdf")
    photo = SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png")
    response = client.post(
        url, {**line_data(T2=("消防巡查", 4)), "T2-files": [pdf, photo], "action": "save"}
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(original_name="消防巡查.pdf")
    assert evidence.item.task_item.code == "T2"
    assert "消防巡查" not in evidence.file.name  # stored under a generated name
    assert evidence.file.name.endswith(".pdf")
    download = client.get(reverse("property_rating:evidence-download", args=[evidence.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF


def test_evidence_download_only_for_own_manager_and_the_towns_reviewers(
    client, report, manager, other_manager, assessor, staff
):
    evidence = Evidence.objects.create(
        item=report.items.first(),
        file=SimpleUploadedFile("a.png", png_bytes()),
        original_name="a.png",
        uploaded_by=manager,
    )
    url = reverse("property_rating:evidence-download", args=[evidence.pk])
    foreign_assessor = AssessorFactory(town=TownFactory(name="别的镇"), username="far")
    resident = verified_resident(username="resident")
    for user, expected in (
        (manager, 200),
        (assessor, 200),
        (staff, 200),
        (other_manager, 404),
        (foreign_assessor, 404),
        (resident, 404),
    ):
        client.force_login(user)
        assert client.get(url).status_code == expected, user.username
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_manager_deletes_evidence_only_while_editable(client, report, manager):
    client.force_login(manager)
    client.post(
        reverse("property_rating:manager-report", args=[report.pk]),
        {**line_data(), "T3-files": SimpleUploadedFile("a.png", png_bytes()), "action": "save"},
    )
    evidence = Evidence.objects.get()
    report_submit(report=report, by=manager)
    client.post(reverse("property_rating:manager-evidence-delete", args=[evidence.pk]))
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_manager_reads_computed_scores_and_payouts_of_own_unit(client, unit, manager):
    QuarterScoreFactory(
        unit=unit,
        quarter=1,
        score=Decimal("86.50"),
        raw_points=Decimal("86.50"),
        accrual=Decimal("24000.00"),
    )
    PayoutFactory(unit=unit, quarter=1, amount=Decimal("24000.00"))
    PayoutFactory(unit=unit, quarter=0, amount=Decimal("99999.00"))  # year not published: hidden
    client.force_login(manager)
    body = client.get(reverse("property_rating:manager-unit", args=[unit.pk])).content.decode()
    assert "86.50" in body
    assert "24000.00" in body
    assert "99999.00" not in body


def test_count_must_be_a_whole_non_negative_number(client, report, manager):
    client.force_login(manager)
    response = client.post(
        reverse("property_rating:manager-report", args=[report.pk]),
        {**line_data(T1=("说明", -2)), "action": "save"},
    )
    assert response.status_code == 400
    assert 'data-testid="errors"' in response.content.decode()
    assert ReportItem.objects.filter(report=report, count__isnull=False).count() == 0


def test_manager_home_query_count_is_constant(
    client, scheme, make_unit, manager_for, django_assert_max_num_queries
):
    from communities.factories import PropertyCompanyFactory

    company = PropertyCompanyFactory()
    first = make_unit("一号", company=company)
    manager = manager_for(first)
    client.force_login(manager)
    url = reverse("property_rating:manager-home")

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for i in range(6):
        unit = make_unit(f"{i}号", company=company)
        report_get_or_create(unit=unit, quarter=1, by=manager)
        QuarterScoreFactory(unit=unit, quarter=2)
    assert count() == small


def test_home_panel_lists_overdue_reports(client, unit, manager):
    client.force_login(manager)
    body = client.get(reverse("home")).content.decode()
    assert 'data-testid="rating-panel"' in body
    assert "糖果雅苑 Q1" in body
    assert reverse("property_rating:manager-home") in body


def test_oversized_photo_is_rejected_with_the_limit(client, report, manager, settings):
    settings.UPLOAD_MAX_BYTES = 100
    client.force_login(manager)
    big = SimpleUploadedFile("big.png", png_bytes() + b"\0" * 200, content_type="image/png")
    response = client.post(
        reverse("property_rating:manager-report", args=[report.pk]),
        {**line_data(), "T1-files": big, "action": "save"},
    )
    assert response.status_code == 400
    assert "big.png" in response.content.decode()
    assert not Evidence.objects.exists()


def test_manager_makes_and_replaces_an_api_token(client, unit, manager):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client.force_login(manager)
    url = reverse("property_rating:manager-api-token")
    assert 'data-testid="token-exists"' not in client.get(url).content.decode()
    first = client.post(url)
    assert 'data-testid="new-token"' in first.content.decode()
    old_key = Token.objects.get(user=manager).key
    assert old_key in first.content.decode()
    assert old_key not in client.get(url).content.decode()  # shown once only
    client.post(url)
    new_key = Token.objects.get(user=manager).key
    assert new_key != old_key
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {old_key}")
    assert api.get("/api/v1/reports/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Token {new_key}")
    assert api.get("/api/v1/reports/").status_code == 200


def test_only_managers_get_report_api_tokens(client, assessor):
    client.force_login(assessor)
    assert client.post(reverse("property_rating:manager-api-token")).status_code == 403
