"""Writes for deliberation, by concern: councils and proposals (deliberation.councils.services),
sessions and votes (deliberation.sessions.services), escalation and problem estates
(deliberation.escalation.services). This module re-exports their public functions so callers
(tests, the API, the admin, the demo) keep one import; new code may import the package module."""

from .councils.services import (  # noqa: F401
    SUPPORTABLE,
    TRANSITIONS,
    attachment_add,
    capacities_of,
    outcome_rate,
    proposal_accept,
    proposal_close,
    proposal_create,
    proposal_follow,
    proposal_reject,
    proposal_submit,
    proposal_support,
    proposal_transition,
    proposal_withdraw,
)
from .escalation.services import (  # noqa: F401
    escalation_answer,
    flag_overdue,
    problem_estate_scores,
    problem_estates,
    problem_estates_compute,
    proposal_escalate,
    quarter_bounds,
    remediation_update,
)
from .interface import proposal_from_problem  # noqa: F401
from .sessions.services import (  # noqa: F401
    agenda_add,
    attendance_record,
    followup_add,
    followup_complete,
    resolution_record,
    session_close,
    session_create,
    session_open,
    tally,
    vote_cast,
)
