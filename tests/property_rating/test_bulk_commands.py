"""The command-line contract of property_rating.md "Bulk data"."""

import csv
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from communities.factories import EstateFactory, PropertyCompanyFactory
from property_rating.models import (
    AnnualResult,
    AssessmentUnit,
    ImportedAnnualInput,
    ImportedQuarterScore,
    Scheme,
    Veto,
)

pytestmark = pytest.mark.django_db
HEADER = "community,estate,company,q1,q2,q3,q4,satisfaction,inspection,veto_reason\n"


@pytest.fixture
def known(town, community):
    estate = EstateFactory(community=community, name="糖果雅苑")
    estate2 = EstateFactory(community=community, name="时代家")
    company = PropertyCompanyFactory(name="广州市时代物业管理有限公司佛山分公司")
    return estate, estate2, company


def _write(tmp_path, body, name="in.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return str(path)


def test_import_creates_units_inputs_and_vetoes(tmp_path, town, known):
    estate, estate2, company = known
    path = _write(
        tmp_path,
        (
            f"海南洲社区,糖果雅苑,{company.name},90,85.5,,80,75,88,\n"
            f",时代家,{company.credit_code},70,70,70,70,,,消防事故\n"
        ),
    )
    call_command("import_assessment", path, "--town", town.name, "--year", "2021")
    unit = AssessmentUnit.objects.get(estate=estate, year=2021)
    assert unit.assessed_quarters == [1, 2, 4]
    assert list(unit.imported_quarter_scores.values_list("score", flat=True)) == [
        Decimal("90"),
        Decimal("85.5"),
        Decimal("80"),
    ]
    assert unit.imported_annual.satisfaction == Decimal("75")
    other = AssessmentUnit.objects.get(estate=estate2)
    assert other.imported_annual.satisfaction is None
    assert Veto.objects.get().unit == other
    assert Scheme.objects.filter(town=town, year=2021).exists()


def test_import_with_a_bad_row_changes_nothing_and_reports_every_bad_row(
    tmp_path, town, known, capsys
):
    estate, estate2, company = known
    good = _write(tmp_path, f",糖果雅苑,{company.name},90,90,90,90,80,80,\n", name="good.csv")
    call_command("import_assessment", good, "--town", town.name, "--year", "2021")
    before = (
        list(ImportedQuarterScore.objects.values_list("unit_id", "quarter", "score")),
        list(ImportedAnnualInput.objects.values_list("unit_id", "satisfaction")),
    )
    bad = _write(
        tmp_path,
        (
            f",糖果雅苑,{company.name},50,50,50,50,,,\n"  # line 2: fine
            f",不存在小区,{company.name},90,90,90,90,,,\n"  # line 3: unknown estate
            f",时代家,{company.name},101,90,x,90,,,\n"  # line 4: out of range, not a number
            f",时代家,没有这家公司,90,90,90,90,,,\n"  # line 5: unknown company
            f"金溪社区,时代家,{company.name},90,90,90,90,,,\n"  # line 6: wrong community
        ),
        name="bad.csv",
    )
    with pytest.raises(CommandError):
        call_command("import_assessment", bad, "--town", town.name, "--year", "2021")
    err = capsys.readouterr().err
    for line in (3, 4, 5, 6):
        assert f"line {line}:" in err
    assert "line 2:" not in err
    assert "不存在小区" in err and "q1" in err and "q3" in err and "没有这家公司" in err
    after = (
        list(ImportedQuarterScore.objects.values_list("unit_id", "quarter", "score")),
        list(ImportedAnnualInput.objects.values_list("unit_id", "satisfaction")),
    )
    assert after == before


def test_import_create_missing_creates_community_estate_and_company(tmp_path, town):
    path = _write(tmp_path, "新社区,新小区,新物业公司,80,80,80,80,,,\n")
    with pytest.raises(CommandError):
        call_command("import_assessment", path, "--town", town.name, "--year", "2021")
    call_command(
        "import_assessment", path, "--town", town.name, "--year", "2021", "--create-missing"
    )
    unit = AssessmentUnit.objects.get()
    assert (unit.estate.name, unit.estate.community.name, unit.company.name) == (
        "新小区",
        "新社区",
        "新物业公司",
    )


def test_import_unknown_town_fails(tmp_path, town):
    path = _write(tmp_path, "")
    with pytest.raises(CommandError):
        call_command("import_assessment", path, "--town", "不存在镇", "--year", "2021")


def test_import_reads_xlsx(tmp_path, town, known):
    from openpyxl import Workbook

    estate, _e2, company = known
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["", "糖果雅苑", company.name, 91, 92, 93, 94, None, None, None])
    path = tmp_path / "in.xlsx"
    workbook.save(path)
    call_command("import_assessment", str(path), "--town", town.name, "--year", "2021")
    assert ImportedQuarterScore.objects.filter(unit__estate=estate).count() == 4


def test_compute_publish_and_export_commands(tmp_path, town, known):
    estate, estate2, company = known
    path = _write(
        tmp_path,
        (f",糖果雅苑,{company.name},90,90,90,90,80,80,\n,时代家,{company.name},50,50,50,50,,,\n"),
    )
    call_command("import_assessment", path, "--town", town.name, "--year", "2021")
    call_command("compute_scores", "--town", town.name, "--year", "2021", "--quarter", "1")
    assert not AnnualResult.objects.exists()
    call_command("compute_scores", "--town", town.name, "--year", "2021")
    call_command("publish_results", "--town", town.name, "--year", "2021")
    assert Scheme.objects.get(town=town, year=2021).is_published
    out = tmp_path / "out.csv"
    call_command("export_results", "--town", town.name, "--year", "2021", "--output", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["estate", "company", "annual_score", "rank", "stars", "list", "payout"]
    assert rows[0] == {
        "estate": "糖果雅苑",
        "company": company.name,
        "annual_score": "85.00",
        "rank": "1",
        "stars": "5",
        "list": "red",
        "payout": "120000.00",
    }
    assert rows[1]["list"] == "black" and rows[1]["payout"] == "0.00"
    assert rows[1]["stars"] == "0"
    with pytest.raises(CommandError):  # frozen once published
        call_command("compute_scores", "--town", town.name, "--year", "2021")
