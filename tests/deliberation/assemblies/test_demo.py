"""The owners' demo in 糖果雅苑: a register with multi-unit owners and the developer's unsold
units, a passed manager vote, a raise_fund vote failing on the 3/4 headcount only, an elected
committee, an open vote the demo resident can take part in, four statements one late;
loading twice changes nothing."""

import io

import pytest
from django.db import transaction

from communities import demo as base
from communities.models import AccountStatement, Household, OwnersCommittee
from deliberation.assemblies import demo
from deliberation.assemblies.models import AssemblyVote, Ballot
from deliberation.assemblies.selectors import voter_owners

pytestmark = pytest.mark.django_db


def test_owners_demo_has_the_votes_the_issue_names_and_is_idempotent():
    town, users = base.load_base("pw-for-tests-1")
    with transaction.atomic():
        demo.load(town=town, users=users, stdout=io.StringIO())
    counts = (
        AssemblyVote.objects.count(),
        Ballot.objects.count(),
        AccountStatement.objects.count(),
    )
    with transaction.atomic():
        demo.load(town=town, users=users, stdout=io.StringIO())
    assert counts == (
        AssemblyVote.objects.count(),
        Ballot.objects.count(),
        AccountStatement.objects.count(),
    )

    estate = users["resident"].verified_estate
    assert estate.name == "糖果雅苑"
    units = Household.objects.filter(building__estate=estate)
    assert units.filter(delivered=False, owner__key="developer").count() == 5
    per_owner = {}
    for key in units.filter(delivered=True).values_list("owner__key", flat=True):
        per_owner[key] = per_owner.get(key, 0) + 1
    assert max(per_owner.values()) == 2

    votes = {v.kind: v for v in AssemblyVote.objects.filter(estate=estate)}
    manager = votes["manager"].result.data
    assert manager["passed"] and manager["failed"] == []
    raise_fund = votes["raise_fund"].result.data
    assert raise_fund["failed"] == ["agree_headcount"] and not raise_fund["passed"]
    committee = votes["committee"].committee
    assert committee.members.count() == 5
    assert (
        OwnersCommittee.objects.filter(estate=estate, dissolved_on__isnull=True).get() == committee
    )
    open_vote = votes["use_fund"]
    assert open_vote.is_open
    assert [o.key for o in voter_owners(users["resident"], open_vote)] == ["TG-0001"]

    statements = AccountStatement.objects.filter(estate=estate)
    assert statements.count() == 4 and statements.filter(is_late=True).count() == 1
