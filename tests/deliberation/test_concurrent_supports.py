"""50 concurrent support requests from one household leave one support (PostgreSQL, threads)."""

import threading

import pytest
from django.db import connection, connections

from deliberation import services
from deliberation.factories import CouncilFactory, ProposalFactory, resident_of
from deliberation.models import Proposal, Support


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_supports_from_one_household_leave_one():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and real concurrency")
    council = CouncilFactory(supports_needed=1)
    proposal = ProposalFactory(council=council, state=Proposal.State.SUBMITTED)
    supporter = resident_of(council.estate, "3栋")
    barrier = threading.Barrier(50)
    results, errors = [], []

    def support():
        try:
            barrier.wait(timeout=30)
            results.append(services.proposal_support(proposal=proposal, user=supporter).pk)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=support) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Support.objects.filter(proposal=proposal).count() == 1
    assert set(results) == {Support.objects.get(proposal=proposal).pk}
    proposal.refresh_from_db()
    # Accepted once, by the system, not fifty times.
    assert proposal.state == Proposal.State.ACCEPTED
    assert proposal.transitions.filter(to_state=Proposal.State.ACCEPTED).count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_support_of_a_household():
    from django.db import IntegrityError, transaction

    council = CouncilFactory()
    proposal = ProposalFactory(council=council)
    supporter = resident_of(council.estate, "3栋")
    Support.objects.create(
        proposal=proposal, household=supporter.verified_household, user=supporter
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(
            proposal=proposal, household=supporter.verified_household, user=supporter
        )
