"""load_demo's property_rating part: the real computation gives the seed table's 2021 outcome."""

import pytest
from django.core.management import call_command

from communities.demo import ratings_rows
from property_rating.models import (
    AnnualResult,
    AssessmentUnit,
    QuarterlyReport,
    QuarterScore,
    Scheme,
)

pytestmark = pytest.mark.django_db


def _seed():
    return ratings_rows()


def test_load_demo_2021_outcome_equals_the_seed_table_and_is_idempotent():
    call_command("load_demo", "--password", "demo-pass-1")
    seed = _seed()
    results = {
        (r.unit.estate.name, r.unit.company.name): r
        for r in AnnualResult.objects.filter(unit__year=2021).select_related(
            "unit__estate", "unit__company"
        )
    }
    assert len(results) == 39
    for row in seed:
        result = results[(row["estate"], row["company"])]
        assert result.stars == int(row["stars"]), row
        assert (result.list_name == "red") == (row["stars"] == "5"), row
        assert result.list_name != "black"
    red = sorted((r for r in results.values() if r.list_name == "red"), key=lambda r: r.rank)
    assert [r.unit.estate.name for r in red] == [row["estate"] for row in seed[:9]]
    counts = {n: sum(1 for r in results.values() if r.stars == n) for n in (5, 4, 3, 0)}
    assert counts == {5: 9, 4: 16, 3: 10, 0: 4}
    assert Scheme.objects.get(year=2021).is_published

    # 2022 in progress: every report state, the manager's company included, Q1-Q2 computed.
    statuses = set(QuarterlyReport.objects.filter(unit__year=2022).values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "returned", "reviewed"}
    manager_reports = QuarterlyReport.objects.filter(
        unit__year=2022, unit__company__name="广州市时代物业管理有限公司佛山分公司"
    )
    assert set(manager_reports.values_list("status", flat=True)) == statuses
    q2 = set(
        QuarterScore.objects.filter(unit__year=2022, quarter=2).values_list("status", flat=True)
    )
    assert {"scored", "missing", "pending"} <= q2
    assert not Scheme.objects.get(year=2022).is_published

    before = (
        AssessmentUnit.objects.count(),
        QuarterlyReport.objects.count(),
        QuarterScore.objects.count(),
        AnnualResult.objects.count(),
    )
    call_command("load_demo", "--password", "demo-pass-1")
    after = (
        AssessmentUnit.objects.count(),
        QuarterlyReport.objects.count(),
        QuarterScore.objects.count(),
        AnnualResult.objects.count(),
    )
    assert after == before
