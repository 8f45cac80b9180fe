"""Malformed input on the staff pages is a form error in Chinese, never a 500 (issue 10, item 6),
and changes nothing."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from deliberation import services
from deliberation.factories import ProposalFactory, representatives
from deliberation.models import AgendaItem, Attendance, ProblemEstateList, Proposal, Vote

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _errors(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error")


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture
def session(council, staff):
    return services.session_create(council=council, date="2026-06-01", by=staff)


@pytest.mark.parametrize(
    "data",
    [
        {"action": "attendance", "present": "abc"},
        {"action": "attendance", "present": ["1", "abc"]},
        {"action": "paper_vote", "item": "abc", "representative": "1", "choice": "for"},
        {"action": "paper_vote", "item": "", "representative": "x", "choice": "maybe"},
        {"action": "agenda", "proposal": "abc"},
        {"action": "agenda", "proposal": "99999999999999999999"},
        {"action": "no-such-action"},
        {},
    ],
)
def test_malformed_session_actions_answer_a_chinese_form_error(
    client, council, staff, session, data
):
    representatives(council, 2)
    client.force_login(staff)
    response = client.post(
        reverse("deliberation:manage-session-action", args=[session.pk]), data, **ZH
    )
    assert response.status_code == 302
    errors = _errors(response)
    assert errors and _has_chinese(errors), errors
    assert not Attendance.objects.exists() and not AgendaItem.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "schedule", "session": "abc"},
        {"action": "followup", "description": "维修", "responsible_party": "物业", "due_date": "x"},
        {"action": "complete", "follow_up": "abc"},
        {"action": "answer", "escalation": "abc", "reason": "r"},
        {"action": "resolution", "reason": "r"},
    ],
)
def test_malformed_proposal_actions_answer_a_chinese_form_error(client, council, staff, data):
    proposal = ProposalFactory(council=council, state=Proposal.State.ACCEPTED)
    client.force_login(staff)
    response = client.post(
        reverse("deliberation:manage-proposal-action", args=[proposal.pk]), data, **ZH
    )
    assert response.status_code == 302
    errors = _errors(response)
    assert errors and _has_chinese(errors), errors
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.ACCEPTED


def test_a_paper_vote_for_another_sessions_item_is_refused(client, council, staff, session):
    reps = representatives(council, 2)
    other = services.session_create(council=council, date="2026-07-01", by=staff)
    proposal = ProposalFactory(council=council, state=Proposal.State.ACCEPTED)
    item = services.agenda_add(session=other, proposal=proposal, by=staff)
    client.force_login(staff)
    response = client.post(
        reverse("deliberation:manage-session-action", args=[session.pk]),
        {"action": "paper_vote", "item": item.pk, "representative": reps[0].pk, "choice": "for"},
        **ZH,
    )
    assert response.status_code == 302 and _errors(response)
    assert not Vote.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"year": "abc", "quarter": "1"},
        {"year": "-5", "quarter": "1"},
        {"year": "99999999999", "quarter": "1"},
        {"year": "2026", "quarter": "x"},
        {"year": "2026", "quarter": "5"},
    ],
)
def test_malformed_problem_estate_quarters_answer_a_chinese_form_error(client, town_staff, data):
    client.force_login(town_staff)
    response = client.post(reverse("deliberation:problem-estates"), data, **ZH)
    assert response.status_code == 302
    errors = _errors(response)
    assert errors and _has_chinese(errors), errors
    assert not ProblemEstateList.objects.exists()


def test_problem_estates_computes_the_current_quarter_when_left_empty(client, town_staff):
    client.force_login(town_staff)
    response = client.post(reverse("deliberation:problem-estates"), {}, **ZH)
    assert response.status_code == 302 and not _errors(response)
    assert ProblemEstateList.objects.filter(town=town_staff.town).exists()
