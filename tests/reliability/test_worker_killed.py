"""Worker killed: SIGKILL the worker in the middle of an annual computation and run it again:
the stored scores, ranks, lists and payouts are those of a clean run. The same task delivered
twice leaves the same state (issue 7, item 2). One test, so the large town is built and
computed cleanly once.

A clean run computes the synthetic town in this process first; its digest (row counts, sums and
a hash of every computed value) is what every later state must equal.
"""

import signal
import uuid

import pytest

from property_rating.models import ComputationRun, QuarterScore
from property_rating.scoring import compute_all
from tests.builders import YEAR, bulk_town, clear_results, results_digest

from .conftest import wait_for

pytestmark = [pytest.mark.reliability, pytest.mark.django_db(transaction=True)]

UNITS = 1000  # a few seconds of computation on a busy 2-core machine: room to kill it mid-run


@pytest.fixture
def town():
    town = bulk_town(UNITS)
    compute_all(town_id=town.pk, year=YEAR)
    town.clean_digest = results_digest(town)
    assert town.clean_digest["annual_results"]["n"] == UNITS
    clear_results(town)
    return town


def test_annual_computation_killed_mid_run_then_rerun_or_delivered_twice_equals_a_clean_run(
    town, rel_celery, start_worker
):
    worker = start_worker()
    rel_celery.send_task("property_rating.compute_year", args=[town.pk, YEAR])

    # Mid-run: the first quarter's transaction has committed, the annual results have not.
    wait_for(
        lambda: QuarterScore.objects.filter(unit__town=town).exists(),
        timeout=120,
        interval=0.02,
        what="the first quarter to commit",
        details=worker.log,
    )
    worker.kill(signal.SIGKILL)
    worker.popen.wait(10)
    cut = results_digest(town)
    print(
        f"\n[worker killed] state at the kill: {cut['quarter_scores']['n']} quarter scores, "
        f"{cut['annual_results']['n']} annual results"
    )
    assert cut["annual_results"]["n"] == 0, "the kill came too late to be mid-run"
    assert cut != town.clean_digest
    killed = ComputationRun.objects.get(town=town)
    assert killed.status == ComputationRun.Status.RUNNING  # what staff see: it never finished

    start_worker(name="worker-again")
    outcome = rel_celery.send_task("property_rating.compute_year", args=[town.pk, YEAR]).get(
        timeout=180
    )
    assert outcome["units"] == UNITS
    assert results_digest(town) == town.clean_digest

    # The same task delivered twice (one message id, as after a lost acknowledgement), from
    # nothing computed: the state of one clean run, one row per unit and period.
    clear_results(town)
    task_id = str(uuid.uuid4())
    for _ in range(2):
        rel_celery.send_task("property_rating.compute_year", args=[town.pk, YEAR], task_id=task_id)

    def both_done():
        runs = ComputationRun.objects.filter(task_id=task_id)
        return runs.filter(status=ComputationRun.Status.SUCCEEDED).count() == 2

    wait_for(both_done, timeout=180, interval=0.2, what="both deliveries to finish")
    assert results_digest(town) == town.clean_digest
