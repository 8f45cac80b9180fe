"""Who may do what in owners' assemblies (named permissions, `user.has_perm(name, vote)`)."""

import rules

from communities import roles


@rules.predicate
def is_voting_owner(user, vote) -> bool:
    from .selectors import voter_owners

    return vote is not None and vote.is_open and bool(voter_owners(user, vote))


@rules.predicate
def is_staff_of_vote(user, vote) -> bool:
    """Township staff of the vote's town, community staff of its community."""
    if vote is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    community = vote.estate.community
    return roles.holds(user, roles.Role.TOWNSHIP_STAFF, town_id=community.town_id) or roles.holds(
        user, roles.Role.COMMUNITY_STAFF, community_id=community.pk
    )


@rules.predicate
def is_committee_of_vote(user, vote) -> bool:
    """A member of the estate's committee in office, linked to their account (owners.md: "the
    committee and staff see all ballots"; paper ballots are "entered by staff or the committee")."""
    from communities.selectors import committee_estate_ids

    return vote is not None and vote.estate_id in committee_estate_ids(user)


rules.add_perm("deliberation.cast_ballot", is_voting_owner)
rules.add_perm("deliberation.enter_paper_ballot", is_staff_of_vote | is_committee_of_vote)
rules.add_perm("deliberation.close_owners_vote", is_staff_of_vote)
rules.add_perm("deliberation.see_all_ballots", is_staff_of_vote | is_committee_of_vote)
# Owners' votes and their results are kept as the record of the decision: no role deletes one in
# the admin (a superuser, who passes every has_perm, still may).
rules.add_perm("deliberation.delete_owners_vote", rules.always_deny)
