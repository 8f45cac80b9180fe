"""Who may do what with cases (merged into deliberation/rules.py by the integrator).

Built on communities.roles: township staff act in their town, community staff on their
community's estates, property managers on their company's estate-level assignments, department
staff on their department's assignments, reporters (and followers) on their own cases.
"""

import rules

from communities.departments import department_ids
from communities.roles import Role, community_ids, company_ids, holds, town_ids

from .models import Case, Level


def _case(obj) -> Case | None:
    return obj if isinstance(obj, Case) else None


def _open_assignment(case: Case):
    # Cached per case instance: a page asking several permissions queries once.
    if not hasattr(case, "_open_assignment_cache"):
        case._open_assignment_cache = case.assignments.filter(ended_at__isnull=True).first()
    return case._open_assignment_cache


@rules.predicate
def is_township_staff_of_case_town(user, case) -> bool:
    case = _case(case)
    return case is not None and case.town_id in town_ids(user, Role.TOWNSHIP_STAFF)


@rules.predicate
def is_community_staff_of_case(user, case) -> bool:
    case = _case(case)
    return case is not None and case.estate.community_id in community_ids(
        user, Role.COMMUNITY_STAFF
    )


@rules.predicate
def is_region_staff_of_case_town(user, case) -> bool:
    """District and city staff read the cases of the towns below their region (regions.md)."""
    from communities.scoping import region_read_town_ids

    case = _case(case)
    return case is not None and case.town_id in region_read_town_ids(user)


@rules.predicate
def is_reporter_or_follower(user, case) -> bool:
    case = _case(case)
    if case is None or not getattr(user, "is_authenticated", False):
        return False
    return case.reporter_id == user.pk or case.followers.filter(user_id=user.pk).exists()


@rules.predicate
def handled_by_users_company(user, case) -> bool:
    """Managers see estate-level cases their company handles or handled."""
    case = _case(case)
    companies = company_ids(user, Role.PROPERTY_MANAGER)
    return bool(
        case is not None
        and companies
        and case.assignments.filter(level=Level.ESTATE, company_id__in=companies).exists()
    )


@rules.predicate
def handled_by_users_department(user, case) -> bool:
    case = _case(case)
    departments = department_ids(user)
    return bool(
        case is not None
        and departments
        and case.assignments.filter(department_id__in=departments).exists()
    )


@rules.predicate
def is_current_handler(user, case) -> bool:
    """The user acts for the handler of the case's open assignment."""
    case = _case(case)
    assignment = _open_assignment(case) if case is not None else None
    if assignment is None:
        return False
    if assignment.company_id:
        return assignment.company_id in company_ids(user, Role.PROPERTY_MANAGER)
    if assignment.community_id:
        return assignment.community_id in community_ids(user, Role.COMMUNITY_STAFF)
    return assignment.department_id in department_ids(user)


@rules.predicate
def is_dispatcher(user, case) -> bool:
    """Community staff dispatch at estate and community level, township staff at every level."""
    case = _case(case)
    if case is None:
        return False
    if is_township_staff_of_case_town(user, case):
        return True
    return case.level in (Level.ESTATE, Level.COMMUNITY) and is_community_staff_of_case(user, case)


@rules.predicate
def is_reporter(user, case) -> bool:
    case = _case(case)
    return case is not None and case.reporter_id is not None and case.reporter_id == user.pk


@rules.predicate
def is_township_staff(user, town=None) -> bool:
    if town is None:
        return holds(user, Role.TOWNSHIP_STAFF)
    return getattr(town, "pk", town) in town_ids(user, Role.TOWNSHIP_STAFF)


can_view = (
    is_township_staff_of_case_town
    | is_region_staff_of_case_town
    | is_community_staff_of_case
    | handled_by_users_company
    | handled_by_users_department
    | is_reporter_or_follower
)

rules.add_perm("deliberation.view_case", can_view)
rules.add_perm("deliberation.accept_case", is_current_handler)
rules.add_perm("deliberation.return_case", is_current_handler)
rules.add_perm("deliberation.reply_case", is_current_handler)
rules.add_perm("deliberation.escalate_case", is_current_handler | is_dispatcher)
rules.add_perm("deliberation.dispatch_case", is_dispatcher)
rules.add_perm("deliberation.merge_case", is_dispatcher)
rules.add_perm("deliberation.rate_case", is_reporter)
rules.add_perm("deliberation.callback_case", is_dispatcher)
rules.add_perm("deliberation.case_to_proposal", is_dispatcher)
rules.add_perm("deliberation.hold_joint_meeting", is_township_staff)


@rules.predicate
def is_township_staff_anywhere(user) -> bool:
    return holds(user, Role.TOWNSHIP_STAFF)


@rules.predicate
def is_township_staff_of_key_town(user, key=None) -> bool:
    """Asked about no key (the admin action as a whole): township staff of some town; about a
    key: township staff of the key's town."""
    if key is None:
        return holds(user, Role.TOWNSHIP_STAFF)
    return key.town_id in town_ids(user, Role.TOWNSHIP_STAFF)


# The working-day calendar is the country's, shared by every town: township staff keep it.
rules.add_perm("deliberation.manage_calendar", is_township_staff_anywhere)
rules.add_perm("deliberation.revoke_open311_key", is_township_staff_of_key_town)


# Region defaults (regions.md, cases/region_defaults.py): district and city staff keep their own
# region's default categories and deadlines (the admin's scope limits objects to their regions).
def _region_default_rules():
    from communities.rules import add_model_perms, is_region_staff

    from .region_defaults import RegionCaseCategory, RegionCaseSettings

    for model in (RegionCaseCategory, RegionCaseSettings):
        add_model_perms(model, view=is_region_staff, change=is_region_staff, delete=is_region_staff)


_region_default_rules()
