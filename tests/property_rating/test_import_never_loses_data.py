"""issue 10 item 1: an import replaces only the year's imported inputs; it never deletes a unit
that has a contract, a report, a score or a payout, and a file without data rows is a bad file."""

import pytest
from django.core.management import CommandError, call_command

from property_rating.factories import (
    EvidenceFactory,
    PayoutFactory,
    QuarterlyReportFactory,
    QuarterScoreFactory,
    ReportItemFactory,
)
from property_rating.models import (
    AssessmentUnit,
    Evidence,
    ImportedQuarterScore,
    Payout,
    QuarterlyReport,
    QuarterScore,
)
from property_rating.schemes import scheme_create_default


@pytest.fixture(autouse=True)
def _english(settings):
    # These tests assert on the English source messages; the site itself defaults to zh-hans.
    settings.LANGUAGE_CODE = "en"


pytestmark = pytest.mark.django_db
HEADER = "community,estate,company,q1,q2,q3,q4,satisfaction,inspection,veto_reason\n"


def _write(tmp_path, body, name):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return str(path)


@pytest.fixture
def contract_unit_with_history(town, make_unit):
    scheme_create_default(town=town, year=2021)
    unit = make_unit("糖果雅苑")
    reviewed = QuarterlyReportFactory(unit=unit, quarter=1, status=QuarterlyReport.Status.REVIEWED)
    QuarterlyReportFactory(unit=unit, quarter=2)
    EvidenceFactory(item=ReportItemFactory(report=reviewed))
    QuarterScoreFactory(unit=unit, quarter=1)
    PayoutFactory(unit=unit, quarter=1)
    return unit


def _counts(unit):
    return (
        QuarterlyReport.objects.filter(unit=unit).count(),
        Evidence.objects.filter(item__report__unit=unit).count(),
        QuarterScore.objects.filter(unit=unit).count(),
        Payout.objects.filter(unit=unit).count(),
    )


def test_header_only_file_is_refused_and_changes_nothing(
    tmp_path, town, contract_unit_with_history, capsys
):
    unit = contract_unit_with_history
    one_row = _write(tmp_path, f",糖果雅苑,{unit.company.name},90,,,,,,\n", "one_row.csv")
    call_command("import_assessment", one_row, "--town", town.name, "--year", "2021")
    before = _counts(unit)

    header_only = _write(tmp_path, "", "header_only.csv")
    with pytest.raises(CommandError):
        call_command("import_assessment", header_only, "--town", town.name, "--year", "2021")

    assert "no data rows" in capsys.readouterr().err
    assert AssessmentUnit.objects.filter(pk=unit.pk).exists()
    assert _counts(unit) == before == (2, 1, 1, 1)
    assert ImportedQuarterScore.objects.filter(unit=unit).count() == 1


def test_import_that_no_longer_names_a_unit_keeps_its_contract_reports_scores_and_payouts(
    tmp_path, town, contract_unit_with_history, make_unit
):
    unit = contract_unit_with_history
    other = make_unit("时代家")
    first = _write(tmp_path, f",糖果雅苑,{unit.company.name},90,,,,,,\n", "first.csv")
    call_command("import_assessment", first, "--town", town.name, "--year", "2021")
    before = _counts(unit)

    second = _write(tmp_path, f",时代家,{other.company.name},80,,,,,,\n", "second.csv")
    call_command("import_assessment", second, "--town", town.name, "--year", "2021")

    assert AssessmentUnit.objects.filter(pk=unit.pk).exists()
    assert _counts(unit) == before
    # Only the imported inputs were replaced.
    assert not ImportedQuarterScore.objects.filter(unit=unit).exists()
    assert ImportedQuarterScore.objects.filter(unit=other).count() == 1


def test_import_still_drops_a_unit_only_a_previous_import_made(tmp_path, town, known_estates):
    estate, estate2, company = known_estates
    call_command(
        "import_assessment",
        _write(
            tmp_path,
            f",糖果雅苑,{company.name},90,,,,,,\n,时代家,{company.name},80,,,,,,\n",
            "a.csv",
        ),
        "--town",
        town.name,
        "--year",
        "2021",
    )
    call_command(
        "import_assessment",
        _write(tmp_path, f",糖果雅苑,{company.name},90,,,,,,\n", "b.csv"),
        "--town",
        town.name,
        "--year",
        "2021",
    )
    assert list(AssessmentUnit.objects.values_list("estate__name", flat=True)) == ["糖果雅苑"]


@pytest.fixture
def known_estates(town, community):
    from communities.factories import EstateFactory, PropertyCompanyFactory

    return (
        EstateFactory(community=community, name="糖果雅苑"),
        EstateFactory(community=community, name="时代家"),
        PropertyCompanyFactory(name="时代物业"),
    )
