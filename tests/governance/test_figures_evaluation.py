"""governance.figures: a computation several figures share runs once per evaluation (a ranking
page or a bulletin), never across evaluations; and the database connection's settings that the
region figures rely on."""

import pytest
from django.db import connection

from governance import figures


def _counting():
    calls = []

    @figures.shared
    def breakdown(town_ids, on):
        calls.append((tuple(town_ids), on))
        return {"towns": list(town_ids), "on": on}

    return breakdown, calls


def test_a_shared_computation_runs_once_per_evaluation_for_the_same_arguments():
    breakdown, calls = _counting()
    with figures.one_evaluation():
        first = breakdown([1, 2], "2026-12-01")
        assert breakdown([1, 2], "2026-12-01") is first
        breakdown([1, 3], "2026-12-01")
        breakdown([1, 2], "2021-06-30")
    assert len(calls) == 3


def test_results_are_forgotten_when_the_evaluation_ends():
    breakdown, calls = _counting()
    with figures.one_evaluation():
        breakdown([1], "d")
    with figures.one_evaluation():
        breakdown([1], "d")
    breakdown([1], "d")
    breakdown([1], "d")  # outside an evaluation, every call computes
    assert len(calls) == 4


@pytest.mark.django_db
def test_postgresql_connections_do_not_jit_compile_queries():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
