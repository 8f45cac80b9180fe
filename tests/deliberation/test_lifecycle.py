"""The whole proposal lifecycle, and the one table of allowed moves."""

import datetime
import itertools

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from communities.factories import UserFactory
from deliberation import services
from deliberation.factories import ProposalFactory, resident_of
from deliberation.models import (
    AgendaItem,
    Escalation,
    Proposal,
    ProposalTransition,
    ResponsibilityEntry,
)
from deliberation.services import TRANSITIONS
from governance.notifications.models import Notification

S = Proposal.State
pytestmark = pytest.mark.django_db


def test_whole_lifecycle_from_submission_to_rated_outcome(
    council, staff, resident, neighbours, reps, today, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        resident.email = "proposer@example.com"
        resident.save()
        proposal = services.proposal_create(
            user=resident,
            title="外墙瓷砖脱落",
            description="2栋外墙瓷砖掉落，危及行人。",
            category="safety",
        )
        assert proposal.state == S.SUBMITTED and proposal.submitted_at

        for neighbour in neighbours[:4]:
            services.proposal_support(proposal=proposal, user=neighbour)
        proposal.refresh_from_db()
        assert proposal.state == S.SUBMITTED  # 4 of 5 households
        services.proposal_support(proposal=proposal, user=neighbours[4])
        proposal.refresh_from_db()
        assert proposal.state == S.ACCEPTED
        auto = proposal.transitions.get(to_state=S.ACCEPTED)
        assert auto.by is None and "5" in auto.reason

        first = services.session_create(council=council, date=today, by=staff)
        services.agenda_add(
            session=first, proposal=proposal, by=staff, kind=AgendaItem.Kind.DELIBERATE
        )
        services.session_close(session=first, by=staff, minutes="First reading.")
        proposal.refresh_from_db()
        assert proposal.state == S.SCHEDULED

        second = services.session_create(council=council, date=today, by=staff)
        item = services.agenda_add(session=second, proposal=proposal, by=staff)
        assert item.round_number == 2
        services.session_open(session=second, by=staff)
        for rep, choice in zip(
            reps, ["for", "for", "for", "for", "against", "abstain"], strict=True
        ):
            services.vote_cast(
                agenda_item=item, representative=rep, choice=choice, entered_by=rep.user
            )
        services.session_close(session=second, by=staff, resolutions={item.pk: "由物业维修外墙。"})
        proposal.refresh_from_db()
        item.refresh_from_db()
        assert (item.result, item.votes_for, item.votes_against, item.votes_abstain) == (
            "passed",
            4,
            1,
            1,
        )
        assert proposal.state == S.DECIDED and proposal.outcome == "passed"
        assert proposal.resolution.text == "由物业维修外墙。"

        action = services.followup_add(
            proposal=proposal,
            description="搭脚手架维修",
            responsible_party="物业公司",
            due_date=today + datetime.timedelta(days=30),
            by=staff,
        )
        proposal.refresh_from_db()
        assert proposal.state == S.IMPLEMENTING
        with pytest.raises(ValidationError):
            services.proposal_close(proposal=proposal, by=staff, closing_note="done")
        services.followup_complete(action=action, by=staff)
        services.proposal_close(proposal=proposal, by=staff, closing_note="外墙已修复。")
        proposal.refresh_from_db()
        assert proposal.state == S.DONE and proposal.closing_note == "外墙已修复。"

        rating = services.outcome_rate(proposal=proposal, user=resident, stars=5)
        assert rating.stars == 5
        with pytest.raises(ValidationError):
            services.outcome_rate(proposal=proposal, user=resident, stars=4)

    states = list(proposal.transitions.values_list("to_state", flat=True))
    assert states == [
        "draft",
        "submitted",
        "accepted",
        "scheduled",
        "decided",
        "implementing",
        "done",
    ]
    # The proposer is told of every move made by someone else, once each, in the inbox and
    # by e-mail.
    # by e-mail; and of each household's support (issue 15.3).
    inbox = Notification.objects.filter(user=resident)
    assert inbox.filter(kind="deliberation.transition").count() == 5
    supports = inbox.filter(kind="deliberation.proposal_activity").count()
    assert supports == proposal.supports.count() == 5
    assert len([m for m in mail.outbox if "proposer@example.com" in m.to]) == 5 + supports


def test_notification_task_is_idempotent(council, staff, resident, neighbours):
    from deliberation.tasks import notify_transition_task

    proposal = services.proposal_create(user=resident, title="t", description="d")
    services.proposal_support(proposal=proposal, user=neighbours[0])
    transition = services.proposal_accept(proposal=proposal, by=staff).transitions.last()
    assert notify_transition_task(transition.pk) == 2  # the proposer and the supporter
    assert notify_transition_task(transition.pk) == 0  # a retry adds nothing
    assert Notification.objects.filter(key=f"transition:{transition.pk}").count() == 2


def test_proposer_withdraws_before_acceptance_but_not_after(council, staff, resident):
    proposal = services.proposal_create(user=resident, title="t", description="d")
    services.proposal_withdraw(proposal=proposal, by=resident, reason="已自行解决")
    proposal.refresh_from_db()
    assert proposal.state == S.WITHDRAWN

    other = services.proposal_create(user=resident, title="t2", description="d")
    services.proposal_accept(proposal=other, by=staff)
    with pytest.raises(ValidationError):
        services.proposal_withdraw(proposal=other, by=resident)
    other.refresh_from_db()
    assert other.state == S.ACCEPTED


def test_only_the_proposer_can_withdraw(council, resident, neighbours):
    proposal = services.proposal_create(user=resident, title="t", description="d")
    with pytest.raises(PermissionDenied):
        services.proposal_withdraw(proposal=proposal, by=neighbours[0])


def test_rejection_needs_a_reason(council, staff, resident):
    proposal = services.proposal_create(user=resident, title="t", description="d")
    with pytest.raises(ValidationError):
        services.proposal_reject(proposal=proposal, by=staff, reason=" ")
    services.proposal_reject(proposal=proposal, by=staff, reason="不属于议事范围")
    assert proposal.transitions.last().reason == "不属于议事范围"


def test_a_resident_cannot_accept_a_proposal(council, resident, neighbours):
    proposal = services.proposal_create(user=resident, title="t", description="d")
    with pytest.raises(PermissionDenied):
        services.proposal_accept(proposal=proposal, by=neighbours[0])


ALL_PAIRS = [(a, b) for a, b in itertools.product(S.values, S.values) if (a, b) not in TRANSITIONS]


@pytest.mark.parametrize(("from_state", "to_state"), ALL_PAIRS)
def test_every_move_outside_the_table_is_refused_and_changes_nothing(from_state, to_state):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    proposal = ProposalFactory(state=from_state)
    with pytest.raises(ValidationError) as error:
        services.proposal_transition(
            proposal=proposal, to_state=to_state, by=superuser, reason="why"
        )
    assert "cannot become" in str(error.value) or "不能" in str(error.value)
    proposal.refresh_from_db()
    assert proposal.state == from_state
    assert not ProposalTransition.objects.filter(proposal=proposal).exists()


RESERVED = sorted(
    pair
    for pair, move in TRANSITIONS.items()
    if not move.capacities & {"manager", "proposer", "system"}
)


@pytest.mark.parametrize(("from_state", "to_state"), RESERVED)
def test_moves_reserved_to_their_service_are_refused_through_the_generic_entry(
    from_state, to_state
):
    """Scheduling, deciding, escalating and settling need their own records (agenda item, tally,
    escalation), so the generic entry refuses them even to a superuser."""
    superuser = UserFactory(is_superuser=True, is_staff=True)
    proposal = ProposalFactory(state=from_state)
    with pytest.raises(PermissionDenied):
        services.proposal_transition(
            proposal=proposal, to_state=to_state, by=superuser, reason="why"
        )
    proposal.refresh_from_db()
    assert proposal.state == from_state


def test_implementing_needs_a_passed_vote(council, staff):
    proposal = ProposalFactory(council=council, state=S.DECIDED, outcome="not_passed")
    with pytest.raises(ValidationError):
        services.proposal_transition(proposal=proposal, to_state=S.IMPLEMENTING, by=staff)


def test_escalation_goes_estate_community_town_and_settles(council, staff, town_staff, today):
    ResponsibilityEntry.objects.create(
        town=council.estate.community.town, category="safety", department="镇住建办"
    )
    proposal = ProposalFactory(council=council, state=S.ACCEPTED, category="safety")
    first = services.proposal_escalate(proposal=proposal, by=staff, reason="物业无力解决")
    assert first.level == Escalation.Level.COMMUNITY
    assert first.due_date == today + datetime.timedelta(days=7)
    proposal.refresh_from_db()
    assert proposal.state == S.ESCALATED

    second = services.proposal_escalate(proposal=proposal, by=staff, reason="社区协调未果")
    first.refresh_from_db()
    assert first.answered_at is not None and not first.settled
    assert second.level == Escalation.Level.TOWN_JOINT_MEETING
    assert second.due_date == today + datetime.timedelta(days=15)
    assert second.department == "镇住建办"

    with pytest.raises(PermissionDenied):  # community staff cannot answer for the town
        services.escalation_answer(escalation=second, by=staff, answer="x", settles=True)
    services.escalation_answer(
        escalation=second,
        by=town_staff,
        answer="住建办督促维修",
        settles=True,
        return_to=S.IMPLEMENTING,
    )
    proposal.refresh_from_db()
    assert proposal.state == S.IMPLEMENTING
    assert list(proposal.transitions.values_list("to_state", flat=True)) == [
        "escalated",
        "escalated",
        "implementing",
    ]


def test_an_answer_that_does_not_settle_leaves_it_escalated(council, staff):
    proposal = ProposalFactory(council=council, state=S.IMPLEMENTING)
    escalation = services.proposal_escalate(proposal=proposal, by=staff, reason="r")
    services.escalation_answer(escalation=escalation, by=staff, answer="still open", settles=False)
    proposal.refresh_from_db()
    assert proposal.state == S.ESCALATED


def test_proposal_from_problem_creates_a_submitted_proposal(council, staff):
    proposal = services.proposal_from_problem(
        estate=council.estate,
        title="楼道堆物",
        description="入户走访发现",
        raised_by=staff,
        note="户联系走访",
    )
    assert proposal.state == S.SUBMITTED and proposal.source_note == "户联系走访"


def test_proposal_from_problem_refuses_an_estate_without_council(db, staff):
    from communities.factories import EstateFactory

    with pytest.raises(ValidationError):
        services.proposal_from_problem(
            estate=EstateFactory(), title="t", description="d", raised_by=staff, note=""
        )


def test_support_from_own_household_or_other_estate_is_refused(council, resident):
    from deliberation.factories import CouncilFactory

    proposal = services.proposal_create(user=resident, title="t", description="d")
    same_household = resident_of(council.estate)
    from communities.factories import ResidentVerificationFactory

    flatmate = UserFactory()
    ResidentVerificationFactory(user=flatmate, household=resident.verified_household)
    with pytest.raises(ValidationError):
        services.proposal_support(proposal=proposal, user=flatmate)
    outsider = resident_of(CouncilFactory().estate)
    with pytest.raises(PermissionDenied):
        services.proposal_support(proposal=proposal, user=outsider)
    assert services.proposal_support(proposal=proposal, user=same_household).pk
