"""One owner on two devices at once leaves one ballot (real PostgreSQL, threads)."""

import threading

import pytest
from django.db import connection

from communities.factories import EstateFactory, ResidentFactory
from communities.models import Household
from deliberation.assemblies import services
from deliberation.assemblies.factories import register, verify
from deliberation.assemblies.models import Ballot


@pytest.mark.django_db(transaction=True)
def test_concurrent_ballots_of_one_owner_leave_one_ballot():
    estate = EstateFactory()
    register(estate, [("1栋", "101", "100", "A", True), ("1栋", "102", "100", "B", True)])
    user = ResidentFactory()
    verify(user, Household.objects.get(room="101"))
    vote = services.vote_open_now(estate=estate, kind="other", title="加装电梯")
    barrier = threading.Barrier(4)
    errors = []

    def cast(choice):
        try:
            barrier.wait()
            services.ballot_cast(vote=vote, user=user, choice=choice)
        except Exception as error:  # noqa: BLE001  collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=cast, args=(c,)) for c in ("agree", "disagree") * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Ballot.objects.filter(vote=vote).count() == 1
