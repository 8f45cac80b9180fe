"""Quorum, majorities and abstentions by the council's rules; one vote per representative."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from deliberation import services
from deliberation.factories import CouncilFactory, ProposalFactory, representatives, resident_of
from deliberation.models import AgendaItem, Proposal, Vote

S = Proposal.State
pytestmark = pytest.mark.django_db


def _session_with_item(council, staff, *, important=False):
    proposal = ProposalFactory(council=council, state=S.ACCEPTED, is_important=important)
    session = services.session_create(council=council, date=timezone.localdate(), by=staff)
    item = services.agenda_add(session=session, proposal=proposal, by=staff)
    services.session_open(session=session, by=staff)
    return session, item, proposal


def _vote(item, reps, choices):
    for rep, choice in zip(reps, choices, strict=False):
        services.vote_cast(agenda_item=item, representative=rep, choice=choice, entered_by=rep.user)


def _close(session, staff, item):
    services.session_close(session=session, by=staff)
    item.refresh_from_db()
    item.proposal.refresh_from_db()
    return item


def test_quorum_exactly_two_thirds_present_counts(council, staff, reps):
    session, item, proposal = _session_with_item(council, staff)
    _vote(item, reps[:4], ["for"] * 4)  # 4 of 6 present = exactly 2/3
    item = _close(session, staff, item)
    assert (item.present, item.members, item.result) == (4, 6, "passed")
    assert item.proposal.state == S.DECIDED


def test_one_short_of_quorum_is_not_voted_and_stays_scheduled(council, staff, reps):
    session, item, proposal = _session_with_item(council, staff)
    _vote(item, reps[:3], ["for"] * 3)  # 3 of 6 < 2/3
    item = _close(session, staff, item)
    assert item.result == AgendaItem.Result.NO_QUORUM
    assert item.proposal.state == S.SCHEDULED and item.proposal.outcome == ""
    # It can go on the next session's agenda: round 2.
    nxt = services.session_create(council=council, date=timezone.localdate(), by=staff)
    assert services.agenda_add(session=nxt, proposal=item.proposal, by=staff).round_number == 2


def test_a_tie_does_not_pass(council, staff, reps):
    session, item, _ = _session_with_item(council, staff)
    _vote(item, reps, ["for", "for", "for", "against", "against", "against"])
    item = _close(session, staff, item)
    assert item.result == "not_passed"
    assert item.proposal.outcome == "not_passed" and item.proposal.state == S.DECIDED
    assert not hasattr(item.proposal, "resolution") or item.proposal.resolution is None


def test_special_majority_passes_at_exactly_two_thirds(council, staff, reps):
    session, item, _ = _session_with_item(council, staff, important=True)
    _vote(item, reps, ["for"] * 4 + ["against"] * 2)  # 4/6 = 2/3 exactly
    assert _close(session, staff, item).result == "passed"


def test_special_majority_fails_just_below_two_thirds(council, staff, reps):
    session, item, _ = _session_with_item(council, staff, important=True)
    _vote(item, reps[:5], ["for"] * 3 + ["against"] * 2)  # 3/5 < 2/3
    assert _close(session, staff, item).result == "not_passed"


def test_abstentions_are_cast_votes(council, staff, reps):
    """3 for, 1 against, 2 abstain: 3 of 6 cast is not more than half."""
    session, item, _ = _session_with_item(council, staff)
    _vote(item, reps, ["for"] * 3 + ["against"] + ["abstain"] * 2)
    item = _close(session, staff, item)
    assert (item.votes_for, item.votes_abstain, item.result) == (3, 2, "not_passed")


def test_ordinary_majority_is_more_than_half(council, staff, reps):
    session, item, _ = _session_with_item(council, staff)
    _vote(item, reps, ["for"] * 4 + ["against"] + ["abstain"])
    assert _close(session, staff, item).result == "passed"


def test_one_vote_per_representative_and_item(council, staff, reps):
    session, item, _ = _session_with_item(council, staff)
    _vote(item, reps[:1], ["for"])
    with pytest.raises(ValidationError):
        services.vote_cast(
            agenda_item=item, representative=reps[0], choice="against", entered_by=reps[0].user
        )
    with pytest.raises(ValidationError):  # nor a paper vote on top of it
        services.vote_cast(
            agenda_item=item, representative=reps[0], choice="against", entered_by=staff
        )
    assert Vote.objects.filter(agenda_item=item, representative=reps[0]).count() == 1


def test_secretary_enters_paper_votes_of_present_representatives(council, staff, reps):
    secretary = reps[0].user
    council.secretary = secretary
    council.save()
    session, item, _ = _session_with_item(council, staff)
    with pytest.raises(ValidationError):  # not marked present yet
        services.vote_cast(
            agenda_item=item, representative=reps[1], choice="for", entered_by=secretary
        )
    for rep in reps:
        services.attendance_record(session=session, representative=rep, present=True, by=secretary)
    for rep in reps:
        services.vote_cast(agenda_item=item, representative=rep, choice="for", entered_by=secretary)
    assert set(item.votes.values_list("entered_by", flat=True)) == {secretary.pk}
    assert _close(session, staff, item).result == "passed"


def test_a_representative_cannot_vote_for_another(council, staff, reps):
    _session, item, _ = _session_with_item(council, staff)
    with pytest.raises(PermissionDenied):
        services.vote_cast(
            agenda_item=item, representative=reps[1], choice="for", entered_by=reps[0].user
        )


def test_a_representative_of_another_council_cannot_vote(council, staff, reps):
    other_rep = representatives(CouncilFactory(), 1)[0]
    _session, item, _ = _session_with_item(council, staff)
    with pytest.raises(PermissionDenied):
        services.vote_cast(
            agenda_item=item, representative=other_rep, choice="for", entered_by=other_rep.user
        )
    assert not item.votes.exists()


def test_no_votes_after_the_session_closed(council, staff, reps):
    session, item, _ = _session_with_item(council, staff)
    _vote(item, reps[:4], ["for"] * 4)
    _close(session, staff, item)
    with pytest.raises(ValidationError):
        services.vote_cast(
            agenda_item=item, representative=reps[5], choice="for", entered_by=reps[5].user
        )


def test_representative_outside_their_term_cannot_vote(council, staff):
    rep = representatives(council, 1, term_start=timezone.localdate() + datetime.timedelta(1))[0]
    _session, item, _ = _session_with_item(council, staff)
    with pytest.raises(PermissionDenied):
        services.vote_cast(agenda_item=item, representative=rep, choice="for", entered_by=rep.user)


def test_rounds_are_counted_across_sessions(council, staff, reps):
    proposal = ProposalFactory(council=council, state=S.ACCEPTED)
    for expected in range(1, 4):
        session = services.session_create(council=council, date=timezone.localdate(), by=staff)
        item = services.agenda_add(
            session=session, proposal=proposal, by=staff, kind=AgendaItem.Kind.DELIBERATE
        )
        assert item.round_number == expected
        services.session_close(session=session, by=staff)
    proposal.refresh_from_db()
    assert proposal.state == S.SCHEDULED
    assert proposal.transitions.filter(to_state=S.SCHEDULED).count() == 1


def test_a_representative_must_live_in_the_estate(council):
    from deliberation.models import Representative

    outsider = resident_of(CouncilFactory().estate)
    rep = Representative(council=council, user=outsider, term_start=datetime.date(2021, 1, 1))
    with pytest.raises(ValidationError):
        rep.full_clean()
    neighbour = resident_of(council.estate)
    Representative(
        council=council,
        user=neighbour,
        term_start=datetime.date(2021, 1, 1),
        building=neighbour.verified_household.building,
    ).full_clean()
