"""Admin imports attacked with bad and oversized files (issue 10): a GBK CSV imports; a corrupt
XLSX, a CSV named .xlsx, wrong columns, too many rows, too many bytes and a workbook that unpacks
too far each get a clear form error (never a traceback or a server path) and change nothing."""

import io
import zipfile

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from communities.factories import CommunityFactory, CommunityStaffFactory, TownFactory
from communities.models import Estate

pytestmark = pytest.mark.django_db

HEADERS = ["community", "name", "status", "delivery_date", "planned_households", "residents"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows(n, community="海南洲社区"):
    return [[community, f"导入小区{i}", "delivered", "2015-01-01", 100, 300] for i in range(n)]


def csv_bytes(n=1, encoding="utf-8", headers=HEADERS):
    return tablib.Dataset(*rows(n), headers=headers).export("csv").encode(encoding)


def xlsx_bytes(n=1, headers=HEADERS):
    return tablib.Dataset(*rows(n), headers=headers).export("xlsx")


@pytest.fixture
def staff(db):
    town = TownFactory(name="里水镇")
    community = CommunityFactory(town=town, name="海南洲社区")
    return CommunityStaffFactory(username="hainanzhou", community=community)


def post_import(client, content, name, fmt):
    url = reverse("admin:communities_estate_import")
    form = client.get(url).context["form"]
    choices = {str(label).upper(): value for value, label in form.fields["format"].choices}
    upload = SimpleUploadedFile(name, content, XLSX_TYPE if fmt == "XLSX" else "text/csv")
    return client.post(url, {"import_file": upload, "format": choices[fmt], "resource": 0})


def says(response, msgid, **params):
    """The page shows `msgid` in the language it was rendered in (Chinese on the site; these
    tests run in English, see conftest)."""
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        text = gettext(msgid) % params if params else gettext(msgid)
    body = response.content.decode()
    assert escape(text) in body, (text, body[-3000:])


def refused(response):
    assert response.status_code == 200
    body = response.content.decode()
    assert "Traceback" not in body and 'File "/' not in body and ".py" not in body
    assert response.context["form"].errors, "the form must say why"
    assert "confirm_form" not in response.context or not response.context["confirm_form"]
    assert not Estate.objects.exists()


def confirm(client, response):
    confirm_form = response.context["confirm_form"]
    data = {name: confirm_form.initial.get(name, "") for name in confirm_form.fields}
    return client.post(reverse("admin:communities_estate_process_import"), data)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_chinese_windows_encodings_and_utf8_imports(client, staff, encoding):
    client.force_login(staff)
    response = post_import(client, csv_bytes(2, encoding), "小区.csv", "CSV")
    assert response.status_code == 200
    assert not response.context["form"].errors, response.context["form"].errors
    assert response.context["confirm_form"]
    confirm(client, response)
    assert set(Estate.objects.values_list("name", flat=True)) == {"导入小区0", "导入小区1"}


def test_corrupt_xlsx_is_a_form_error(client, staff):
    client.force_login(staff)
    broken = xlsx_bytes(3)[:-200]  # a truncated download
    response = post_import(client, broken, "小区.xlsx", "XLSX")
    refused(response)
    says(response, "The Excel workbook is damaged and cannot be read.")


def test_garbage_behind_a_zip_signature_is_a_form_error(client, staff):
    client.force_login(staff)
    response = post_import(client, b"PK\x03\x04" + b"\x00garbage" * 50, "x.xlsx", "XLSX")
    refused(response)
    says(response, "The Excel workbook is damaged and cannot be read.")


def test_a_zip_that_is_no_workbook_is_a_form_error(client, staff):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    client.force_login(staff)
    refused(post_import(client, buffer.getvalue(), "x.xlsx", "XLSX"))


def test_csv_named_xlsx_is_a_form_error(client, staff):
    client.force_login(staff)
    response = post_import(client, csv_bytes(2), "小区.xlsx", "XLSX")
    refused(response)
    says(response, "The file is not an Excel workbook (.xlsx); if it is a CSV file, choose CSV.")


def test_xlsx_chosen_as_csv_is_a_form_error(client, staff):
    client.force_login(staff)
    response = post_import(client, xlsx_bytes(2), "小区.csv", "CSV")
    refused(response)
    says(response, "This is an Excel workbook, not a CSV file: choose XLSX.")


def test_binary_garbage_as_csv_is_a_form_error(client, staff):
    client.force_login(staff)
    refused(post_import(client, bytes(range(256)) * 4, "x.csv", "CSV"))


@pytest.mark.parametrize("fmt", ["CSV", "XLSX"])
def test_wrong_columns_are_a_form_error_naming_them(client, staff, fmt):
    client.force_login(staff)
    headers = ["estate", "building", "room"]
    data = tablib.Dataset(["糖果雅苑", "1栋", "101"], headers=headers)
    content = data.export("csv").encode() if fmt == "CSV" else data.export("xlsx")
    response = post_import(client, content, f"households.{fmt.lower()}", fmt)
    refused(response)
    body = response.content.decode()
    assert "estate, building, room" in body  # the unknown columns are named
    assert "community" in body and "name" in body  # and the expected ones


def test_duplicate_and_ragged_columns_are_form_errors(client, staff):
    client.force_login(staff)
    refused(post_import(client, b"community,name,name\n\xe6\xb5\xb7,a,b\n", "x.csv", "CSV"))
    refused(post_import(client, b"community,name\nx,y,z\n", "x.csv", "CSV"))


@pytest.mark.parametrize("fmt", ["CSV", "XLSX"])
def test_more_rows_than_the_cap_are_refused(client, staff, settings, fmt):
    settings.IMPORT_MAX_ROWS = 5
    client.force_login(staff)
    content = csv_bytes(6) if fmt == "CSV" else xlsx_bytes(6)
    response = post_import(client, content, f"big.{fmt.lower()}", fmt)
    refused(response)
    says(
        response,
        "The file has more than %(max)d rows; split it into files of at most %(max)d rows.",
        max=5,
    )


def test_rows_up_to_the_cap_import(client, staff, settings):
    settings.IMPORT_MAX_ROWS = 5
    client.force_login(staff)
    response = post_import(client, xlsx_bytes(5), "ok.xlsx", "XLSX")
    assert response.context["confirm_form"]


def test_a_file_over_the_byte_cap_is_refused_before_it_is_read(client, staff, settings):
    settings.IMPORT_MAX_BYTES = 1000
    client.force_login(staff)
    response = post_import(client, csv_bytes(50), "big.csv", "CSV")
    refused(response)
    says(response, "The file is %(size)s MB; the limit is %(limit)s MB.", size="0.0", limit="0.0")


def test_a_workbook_that_unpacks_past_the_cap_is_refused(client, staff, settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 20_000
    client.force_login(staff)
    response = post_import(client, xlsx_bytes(300), "bomb.xlsx", "XLSX")
    refused(response)
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        message = gettext("The workbook unpacks to %(size)s MB; the limit is %(limit)s MB.")
    assert escape(message.split("%(size)s")[0]) in response.content.decode()


def test_a_forged_confirmation_file_name_is_a_message_not_a_500(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("admin:communities_estate_process_import"),
        {
            "import_file_name": "no-such-file",
            "original_file_name": "x.csv",
            "format": "1",
            "resource": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("admin:communities_estate_import"))
    assert not Estate.objects.exists()


# --- the assessment import page (property_rating admin) runs the same reader -------------------


@pytest.fixture
def scheme_page(db):
    from communities.factories import TownshipStaffFactory
    from property_rating.factories import SchemeFactory

    town = TownFactory(name="里水镇")
    scheme = SchemeFactory(town=town, year=2021)
    return TownshipStaffFactory(username="township", town=town), scheme


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("broken.xlsx", b"PK\x03\x04garbage"),
        ("csv.xlsx", "community,estate\n海南洲社区,糖果雅苑\n".encode()),
        ("bytes.csv", bytes(range(256))),
    ],
)
def test_bad_files_on_the_assessment_import_page_are_errors_not_500s(
    client, scheme_page, name, content
):
    staff, scheme = scheme_page
    client.force_login(staff)
    url = reverse("admin:property_rating_scheme_import", args=[scheme.pk])
    response = client.post(url, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Traceback" not in body and 'File "/' not in body


def test_assessment_import_page_caps_rows(client, scheme_page, settings):
    settings.IMPORT_MAX_ROWS = 3
    staff, scheme = scheme_page
    client.force_login(staff)
    header = "community,estate,company,q1,q2,q3,q4,satisfaction,inspection,veto_reason\n"
    body = header + "".join(f"c,e{i},co,90,90,90,90,80,80,\n" for i in range(4))
    url = reverse("admin:property_rating_scheme_import", args=[scheme.pk])
    response = client.post(url, {"file": SimpleUploadedFile("a.csv", body.encode("gbk"))})
    says(
        response,
        "The file has more than %(max)d rows; split it into files of at most %(max)d rows.",
        max=3,
    )


# --- the import_assessment command reads through the same reader ------------------------------


def test_import_assessment_command_reads_gbk_and_refuses_too_many_rows(tmp_path, settings):
    from django.core.management import CommandError, call_command

    from communities.factories import EstateFactory, PropertyCompanyFactory

    town = TownFactory(name="里水镇")
    EstateFactory(community=CommunityFactory(town=town, name="海南洲社区"), name="糖果雅苑")
    PropertyCompanyFactory(name="时代物业")
    header = "community,estate,company,q1,q2,q3,q4,satisfaction,inspection,veto_reason\n"
    good = tmp_path / "gbk.csv"
    good.write_bytes((header + "海南洲社区,糖果雅苑,时代物业,90,90,90,90,80,80,\n").encode("gbk"))
    call_command("import_assessment", str(good), "--town", "里水镇", "--year", "2021")

    settings.IMPORT_MAX_ROWS = 1
    big = tmp_path / "big.csv"
    big.write_bytes((header + "海南洲社区,糖果雅苑,时代物业,90,90,90,90,80,80,\n" * 2).encode())
    with pytest.raises(CommandError):
        call_command("import_assessment", str(big), "--town", "里水镇", "--year", "2021")
