"""Spreadsheets as Chinese offices use them (issue 15): GB18030 files with Chinese headers import,
the admin's exports carry Chinese headers, typed and formatted cells, a Chinese sheet name and a
frozen header row, while the commands keep their English columns."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from communities.factories import (
    CommunityFactory,
    CommunityStaffFactory,
    EstateFactory,
    TownFactory,
    UserFactory,
)
from communities.models import Estate
from property_rating.factories import AnnualResultFactory, AssessmentUnitFactory, PayoutFactory

pytestmark = pytest.mark.django_db

CHINESE_HEADERS = ["社区", "名称", "状态", "交付日期", "规划户数", "居民人数"]


@pytest.fixture
def staff(db):
    community = CommunityFactory(town=TownFactory(name="里水镇"), name="海南洲社区")
    return CommunityStaffFactory(username="hainanzhou", community=community)


def format_choice(client, url, fmt):
    form = client.get(url).context["form"]
    return {str(label).upper(): value for value, label in form.fields["format"].choices}[fmt]


def preview(client, content, name, fmt, model="communities_estate"):
    url = reverse(f"admin:{model}_import")
    upload = SimpleUploadedFile(name, content)
    return client.post(url, {"import_file": upload, "format": format_choice(client, url, fmt)})


def confirm(client, response, model="communities_estate"):
    assert not response.context["form"].errors, response.context["form"].errors
    confirm_form = response.context["confirm_form"]
    assert confirm_form, "the preview must offer the confirmation"
    data = {name: confirm_form.initial.get(name, "") for name in confirm_form.fields}
    return client.post(reverse(f"admin:{model}_process_import"), data)


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8-sig", "utf-8"])
def test_a_csv_with_chinese_headers_imports_in_every_office_encoding(client, staff, encoding):
    text = ",".join(CHINESE_HEADERS) + "\n海南洲社区,糖果雅苑,delivered,2015-01-01,100,300\n"
    client.force_login(staff)
    confirm(client, preview(client, text.encode(encoding), "小区.csv", "CSV"))
    estate = Estate.objects.get()
    assert (estate.name, estate.delivery_date, estate.planned_households) == (
        "糖果雅苑",
        datetime.date(2015, 1, 1),
        100,
    )


def test_an_xlsx_with_chinese_headers_imports(client, staff):
    workbook = openpyxl.Workbook()
    workbook.active.append(CHINESE_HEADERS)
    workbook.active.append(
        ["海南洲社区", "糖果雅苑", "delivered", datetime.date(2015, 1, 1), 100, 3]
    )
    out = io.BytesIO()
    workbook.save(out)
    client.force_login(staff)
    confirm(client, preview(client, out.getvalue(), "小区.xlsx", "XLSX"))
    assert Estate.objects.get().residents == 3


def test_english_and_chinese_headers_may_be_mixed(client, staff):
    text = "community,名称,status,交付日期\n海南洲社区,糖果雅苑,delivered,2015-01-01\n"
    client.force_login(staff)
    confirm(client, preview(client, text.encode("gbk"), "小区.csv", "CSV"))
    assert Estate.objects.filter(name="糖果雅苑").exists()


def test_unknown_chinese_headers_are_named_in_the_error(client, staff):
    text = "社区,小区名字\n海南洲社区,糖果雅苑\n"
    client.force_login(staff)
    response = preview(client, text.encode("gbk"), "小区.csv", "CSV")
    assert response.context["form"].errors
    assert "小区名字" in response.content.decode()
    assert not Estate.objects.exists()


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def export(client, label, fmt):
    app_label, model_name = label.split(".")
    url = reverse(f"admin:{app_label}_{model_name}_export")
    form = client.get(url).context["form"]
    data = {"format": format_choice(client, url, fmt), "resource": 0}
    for name in form.fields:
        if name not in ("format", "resource", "export_items"):
            data[name] = "on"
    response = client.post(url, data)
    assert response.status_code == 200
    return response


def in_language(response, text):
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        return gettext(text)


@pytest.fixture
def ledger(db):
    town = TownFactory(name="里水镇")
    estate = EstateFactory(
        community=CommunityFactory(town=town), name="糖果雅苑", delivery_date="2015-03-01"
    )
    unit = AssessmentUnitFactory(estate=estate, town=town, year=2021)
    AnnualResultFactory(unit=unit, annual_score=Decimal("80.50"), rank=1)
    PayoutFactory(unit=unit, amount=Decimal("120000.00"), approved_at=timezone.now())
    return unit


def test_the_payout_export_has_money_cells_date_cells_a_chinese_sheet_and_frozen_header(
    superuser_client, ledger
):
    response = export(superuser_client, "property_rating.payout", "XLSX")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == in_language(response, "payouts")
    assert sheet.freeze_panes == "A2"
    headers = [c.value for c in sheet[1]]
    assert in_language(response, "amount") in headers or "金额" in headers
    cells = dict(zip(headers, sheet[2], strict=True))
    amount = cells[headers[6]]
    assert amount.data_type == "n" and amount.value == 120000
    assert amount.number_format == "#,##0.00"
    year = cells[headers[0]]
    assert year.value == 2021 and year.number_format == "0"
    approved = next(c for c in sheet[2] if isinstance(c.value, datetime.datetime))
    assert approved.is_date


def test_the_estate_export_has_date_cells_and_chinese_headers(superuser_client, ledger):
    response = export(superuser_client, "communities.estate", "XLSX")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == in_language(response, "estates")
    headers = [c.value for c in sheet[1]]
    assert in_language(response, "delivery date") in headers
    delivered = sheet.cell(row=2, column=headers.index(in_language(response, "delivery date")) + 1)
    assert delivered.is_date and delivered.value.date() == datetime.date(2015, 3, 1)
    assert delivered.number_format == "yyyy-mm-dd"


def test_the_admin_export_in_chinese_has_chinese_headers(superuser_client, ledger):
    with translation.override("zh-hans"):
        superuser_client.cookies["django_language"] = "zh-hans"
        response = export(superuser_client, "communities.estate", "CSV")
    if response.wsgi_request.LANGUAGE_CODE != "zh-hans":
        pytest.skip("the site did not render in Chinese")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["社区", "名称", "状态", "交付日期"]


def test_export_results_command_keeps_its_english_columns(tmp_path, ledger):
    out = tmp_path / "results.xlsx"
    call_command("export_results", "--town", "里水镇", "--year", "2021", "--output", str(out))
    sheet = openpyxl.load_workbook(out).active
    assert [c.value for c in sheet[1]][:3] == ["estate", "company", "annual_score"]
    assert sheet.freeze_panes == "A2"
    assert sheet.cell(row=2, column=3).number_format == "#,##0.00"


# --- the template each import page offers ----------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_import_template_downloads_with_chinese_headers_and_imports_back(client, staff, fmt):
    EstateFactory(community=staff.community, name="糖果雅苑", delivery_date="2015-03-01")
    client.force_login(staff)
    page = client.get(reverse("admin:communities_estate_import"))
    url = reverse("admin:communities_estate_import_template", args=[fmt])
    assert url in page.content.decode()  # the link is on the import page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
        assert sheet.freeze_panes == "A2"
    else:
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2  # the header and one example row
    assert rows[0][0] == in_language(response, "community")
    assert "糖果雅苑" in rows[1]

    before = list(Estate.objects.values())
    confirm(client, preview(client, response.content, f"template.{fmt}", fmt.upper()))
    assert list(Estate.objects.values()) == before  # imported back cleanly, unchanged


def test_the_template_of_an_empty_registry_still_has_the_headers(client, staff):
    client.force_login(staff)
    response = client.get(reverse("admin:communities_building_import_template", args=["csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [in_language(response, t) for t in ("estate", "name", "floors")]
    assert len(rows) == 2


def test_only_who_may_import_gets_the_template(client, staff):
    client.force_login(UserFactory(username="resident"))
    response = client.get(reverse("admin:communities_estate_import_template", args=["csv"]))
    assert response.status_code in (302, 403)
