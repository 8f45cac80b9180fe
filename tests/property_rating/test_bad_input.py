"""issue 10 item 6 (property_rating side): no input, however malformed, gets a 500 or a traceback.
API filters and ids answer 400/404 with a JSON body; commands answer one line and a non-zero
exit; years are 2000..2100 everywhere (property_rating.periods)."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from property_rating.models import Scheme

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def api(scheme, make_unit, manager_for):
    manager = manager_for(make_unit("糖果雅苑"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=manager).key}")
    return client


@pytest.mark.parametrize("endpoint", ["/api/v1/reports/", "/api/v1/report-units/"])
@pytest.mark.parametrize(
    "query",
    [
        "year=²",
        "year=99999",
        "year=0",
        "year=-5",
        "unit=²",
        "unit=99999999999999999999999",
        "status=%00",
        "status=nonsense",
        "quarter=5",
        "quarter=²",
    ],
)
def test_bad_list_filters_answer_400_with_field_messages(api, endpoint, query):
    response = api.get(f"{endpoint}?{query}")
    name = query.split("=")[0]
    if endpoint == "/api/v1/report-units/" and name != "year":
        assert response.status_code == 200  # the units list takes only ?year=
        return
    assert response.status_code == 400, response.content
    assert name in response.json()


@pytest.mark.parametrize("endpoint", ["/api/v1/reports/", "/api/v1/report-units/"])
@pytest.mark.parametrize("pk", ["null,null", "abc", "²", "99999999999999999999999"])
def test_malformed_ids_answer_404_with_a_json_body(api, endpoint, pk):
    response = api.get(f"{endpoint}{pk}/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_a_good_year_filter_still_works(api):
    response = api.get("/api/v1/report-units/?year=2021")
    assert response.status_code == 200
    assert len(response.json()["results"] if "results" in response.json() else response.json())


@pytest.mark.parametrize("year", ["0", "99999", "1999", "2101", "abc"])
@pytest.mark.parametrize(
    "command",
    [
        ["compute_scores", "--town", "里水镇"],
        ["publish_results", "--town", "里水镇"],
        ["export_results", "--town", "里水镇", "--output", "x.csv"],
    ],
)
def test_commands_refuse_a_bad_year_without_touching_the_database(town, command, year):
    with pytest.raises(CommandError, match="2000.*2100"):
        call_command(*command, "--year", year)
    assert not Scheme.objects.exists()


def test_import_refuses_a_bad_year(tmp_path, town):
    path = tmp_path / "in.csv"
    path.write_text("community,estate,company,q1,q2,q3,q4,satisfaction,inspection,veto_reason\n")
    with pytest.raises(CommandError, match="2000.*2100"):
        call_command("import_assessment", str(path), "--town", town.name, "--year", "0")
    assert not Scheme.objects.exists()


def test_export_to_a_missing_directory_is_a_one_line_error(town):
    with pytest.raises(CommandError, match="/no/such/dir/x.csv"):
        call_command(
            "export_results",
            "--town",
            town.name,
            "--year",
            "2021",
            "--output",
            "/no/such/dir/x.csv",
        )


def test_command_line_bad_year_is_a_usage_error_not_a_traceback():
    # The real command line: argparse answers with exit code 2 and one error line, no traceback.
    result = subprocess.run(
        [sys.executable, "manage.py", "compute_scores", "--town", "里水镇", "--year", "99999"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert "2000" in last and "2100" in last  # the message, in the site's language
