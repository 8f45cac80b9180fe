"""What other apps may call in deliberation: the one documented entry point (issue 11, item 5).

    proposal_from_problem(*, estate, title, description, raised_by, note="") -> Proposal
        Turn a problem found elsewhere (e.g. a party member's household visit in party_grid) into a
        submitted proposal of the estate's council. The title is made one line (at most 120
        characters). Raises django.core.exceptions.ValidationError when the estate has no council.

Other apps import only this module (`from deliberation.interface import proposal_from_problem`);
`deliberation.services.proposal_from_problem` is the same function, kept for existing callers.
"""

from .councils.services import proposal_from_problem

__all__ = ["proposal_from_problem"]
