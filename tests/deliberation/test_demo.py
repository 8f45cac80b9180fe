"""The deliberation demo: 7 pilot councils, proposals in every state, the 12-round facade tiles,
an open session for the demo representative; loading twice changes nothing."""

import io

import pytest
from django.db import transaction

from communities import demo as base
from deliberation import demo
from deliberation.models import (
    Council,
    Proposal,
    ProposalTransition,
    Session,
    Support,
    Vote,
)
from deliberation.sessions import selectors
from governance.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _counts():
    return [
        m.objects.count()
        for m in (Council, Proposal, ProposalTransition, Session, Support, Vote, Notification)
    ]


def test_demo_loads_every_state_and_is_idempotent():
    town, users = base.load_base("pw-for-tests-1")
    with transaction.atomic():
        demo.load(town=town, users=users, stdout=io.StringIO())
    first = _counts()
    with transaction.atomic():
        demo.load(town=town, users=users, stdout=io.StringIO())
    assert _counts() == first

    assert set(Council.objects.values_list("estate__name", flat=True)) == set(demo.PILOT_ESTATES)
    assert all(c.established for c in Council.objects.prefetch_related("steps"))
    assert set(Proposal.objects.values_list("state", flat=True)) == set(Proposal.State.values)

    tiles = Proposal.objects.get(estate__name="糖果雅苑", title="外墙瓷砖脱落")
    assert tiles.state == Proposal.State.DONE
    assert tiles.agenda_items.count() == 12 and tiles.resolution.agenda_item.round_number == 12
    assert tiles.proposer == users["resident"]

    agenda = selectors.open_agenda_for_representative(users["representative"])
    assert [item.proposal.title for item in agenda] == ["增设电动车集中充电桩"]
    assert Proposal.objects.filter(proposer=users["resident"]).count() >= 3
