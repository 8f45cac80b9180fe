"""Personal data of owners' assemblies (registered into governance.registry): candidates' names.

Ballots store no voter's name (an owner key and the accounts that cast or entered them, which
the accounts' own anonymisation covers); a committee election's candidates are named."""

import datetime

from governance import registry
from governance.security.personal_data import ANONYMISED_NAME

from .models import Candidate


def anonymise_departed_candidates(cutoff: datetime.date, cutoff_start: datetime.datetime) -> int:
    """Candidates of votes closed before the cutoff whose owner left the register on or before
    it: the name goes, the tally (by candidate id and owner key) stays."""
    from communities.personal_data import departed_owners

    return (
        Candidate.objects.filter(
            vote__closed_at__lt=cutoff_start, owner__in=departed_owners(cutoff).values("pk")
        )
        .exclude(name=ANONYMISED_NAME)
        .update(name=ANONYMISED_NAME)
    )


def register() -> None:
    registry.register_anonymiser("assembly_candidates", anonymise_departed_candidates)
