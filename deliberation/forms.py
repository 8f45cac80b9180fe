"""The forms of deliberation, by package; this module gathers them for the views and keeps the
old import paths (`from deliberation.forms import ProposalForm`)."""

from .councils import forms as councils_forms
from .councils.forms import (  # noqa: F401
    MultipleImageField,
    ProposalForm,
    RatingForm,
    ReasonForm,
)
from .escalation import forms as escalation_forms
from .escalation.forms import ProblemEstatesForm, RemediationForm  # noqa: F401
from .sessions import forms as sessions_forms
from .sessions.forms import SESSION_ACTIONS, SessionForm, VoteForm  # noqa: F401

# The staff page of a proposal: one form per action (the button's `action` value).
PROPOSAL_ACTIONS = {
    **councils_forms.PROPOSAL_ACTIONS,
    **sessions_forms.PROPOSAL_ACTIONS,
    **escalation_forms.PROPOSAL_ACTIONS,
}
