"""Who may do what in the party-building grid, and the queryset scopes beside the rules.

Named permissions (`user.has_perm("party_grid.<action>", obj)`) are predicates over the user's
role grants (communities.roles) and over the party records linked to the account (a member or a
grid worker logs visits). The scopes limit the admin's choices of party records to the user's
communities (registered with communities.admin_mixins by party_grid.admin).
"""

import rules

from communities import roles
from communities.rules import (
    add_model_perms,
    is_community_staff,
    is_region_staff,
    is_staff_role,
    is_superuser,
    is_township_staff,
)
from communities.scoping import region_read_town_ids, scope_to_staff

from .models import (
    BuildingHead,
    Grid,
    GridWorker,
    HouseholdAssignment,
    PartyMember,
    PartyOrganization,
    ServiceStation,
    Visit,
    VolunteerTeam,
    VolunteerTeamMember,
)


@rules.predicate
def is_visitor(user) -> bool:
    """A current party member or grid worker linked to the account."""
    from .selectors import can_log_visits

    return bool(getattr(user, "is_authenticated", False)) and can_log_visits(user)


record_keepers = is_superuser | is_township_staff | is_community_staff

rules.add_perm("party_grid.view_dashboard", is_superuser | is_staff_role | is_region_staff)
rules.add_perm("party_grid.log_visit", is_visitor)
rules.add_perm("party_grid.change_records", record_keepers)

# Admin: every staff role reads the party records of its scope, township and community staff
# keep them, nobody deletes (records end with a date). `party_grid.<action>_<model>`.
for _model in (
    BuildingHead,
    PartyOrganization,
    PartyMember,
    Grid,
    GridWorker,
    HouseholdAssignment,
    Visit,
    VolunteerTeam,
    VolunteerTeamMember,
    ServiceStation,
):
    add_model_perms(_model)


def dashboard_community_ids(user, town) -> set[int] | None:
    """Communities of `town` whose figures `user` sees on the dashboard (None: all of them)."""
    if getattr(user, "is_superuser", False) or roles.holds(
        user, roles.Role.TOWNSHIP_STAFF, roles.Role.ASSESSOR, town_id=town.pk
    ):
        return None
    if town.pk in region_read_town_ids(user):  # district and city staff read the whole town
        return None
    return roles.community_ids(user, roles.Role.COMMUNITY_STAFF)


def _by_community(path):
    def scope(qs, user):
        return scope_to_staff(qs, user, community_path=path)

    return scope


# Related party model -> scope of its choices in admin forms.
CHOICE_SCOPES = {
    PartyOrganization: _by_community("community"),
    PartyMember: _by_community("organization__community"),
    Grid: _by_community("community"),
    GridWorker: _by_community("grid__community"),
    VolunteerTeam: _by_community("community"),
    ServiceStation: _by_community("estate__community"),
    BuildingHead: _by_community("building__estate__community"),
    HouseholdAssignment: _by_community("household__building__estate__community"),
    Visit: _by_community("household__building__estate__community"),
}
