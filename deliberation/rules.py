"""Who may do what in deliberation: the one place (issue 11). Named permissions per action, built
on role grants (communities.roles, never `user.role`), with the queryset scopes beside them.

Views, the API, the admin and the services ask `user.has_perm("deliberation.<action>", obj)` or the
predicates below; nothing else in deliberation compares roles.

Objects each permission takes:
    submit_proposal          None            a resident verified to a household
    support_proposal         Proposal        a verified resident of the proposal's estate
    withdraw_proposal        Proposal        its proposer
    rate_outcome             Proposal        its proposer
    accept_proposal          Proposal        staff of the estate's community or town, or the secretary
    reject_proposal          Proposal        (same)
    schedule_proposal        Proposal        (same)
    add_followup             Proposal        (same)
    close_proposal           Proposal        (same)
    correct_resolution       Proposal        (same)
    manage_council           Council         (same)
    manage_session           Session         (same)
    record_vote              Session         (same): paper votes entered for representatives
    cast_vote                Session         a representative of the council whose term covers it
    escalate_proposal        Proposal        the secretary or staff; once escalated, staff only
    answer_escalation        Case            the current handler of the escalated proposal's case
    view_dashboard           None            township and community staff (not assessors)
    compute_problem_estates  None            township staff of a town
    update_remediation_plan  RemediationPlan staff of the estate's community or town
    accept_proposals_in_bulk None            deliberation staff (the admin action; each proposal
                                             is asked accept_proposal)
    delete_records           None            nobody: deliberation's records are kept
Cases (deliberation/cases/rules.py): view_case, accept_case, return_case, reply_case,
escalate_case, dispatch_case, merge_case, rate_case, callback_case, case_to_proposal,
hold_joint_meeting, manage_calendar, revoke_open311_key.
"""

import datetime

import rules
from django.db.models import Q, QuerySet
from django.utils import timezone

from communities import roles, scoping
from communities.models import User
from communities.roles import Role

from .models import (
    Council,
    ProblemEstateList,
    Proposal,
    RemediationPlan,
    Representative,
    Session,
)

DELIBERATION_STAFF = (Role.TOWNSHIP_STAFF, Role.COMMUNITY_STAFF)


# --- Plain predicates (also used by services and selectors) ---------------------------------------


def _council(obj) -> Council | None:
    if obj is None:
        return None
    if isinstance(obj, Council):
        return obj
    if isinstance(obj, Proposal | Session):
        return obj.council
    return getattr(obj, "council", None)


def _superuser(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) and user.is_active


def is_deliberation_staff(user) -> bool:
    """Township and community staff. Assessors score property companies and have no part in
    councils (domain.md), so they see no proposals, sessions or dashboards here."""
    return _superuser(user) or roles.holds(user, *DELIBERATION_STAFF)


def is_deliberation_reader(user) -> bool:
    """Deliberation staff, and district and city staff who read the proposals, councils,
    sessions and dashboards below their region (regions.md) and change nothing there."""
    return is_deliberation_staff(user) or scoping.is_region_reader(user)


def is_staff_of_estate(user, estate) -> bool:
    """Community staff of the estate's community, township staff of its town, or a superuser."""
    if not getattr(user, "is_authenticated", False):
        return False
    if _superuser(user):
        return True
    community = estate.community
    return roles.holds(user, Role.COMMUNITY_STAFF, community_id=community.pk) or roles.holds(
        user, Role.TOWNSHIP_STAFF, town_id=community.town_id
    )


def is_council_staff(user, council) -> bool:
    return council is not None and is_staff_of_estate(user, council.estate)


def is_town_staff(user, council) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return _superuser(user) or roles.holds(
        user, Role.TOWNSHIP_STAFF, town_id=council.estate.community.town_id
    )


def can_manage(user, council) -> bool:
    """Accept/reject, schedule, run sessions, enter paper votes, add follow-ups: staff of the
    estate's community or town, or the council's secretary."""
    if council is None or not getattr(user, "is_authenticated", False):
        return False
    return is_council_staff(user, council) or (
        council.secretary_id is not None and council.secretary_id == user.pk
    )


def is_resident(user) -> bool:
    return roles.holds(user, Role.RESIDENT)


def resident_estate_id(user) -> int | None:
    """The estate of the household `user` is verified to, as a resident; else None."""
    if not getattr(user, "is_authenticated", False) or not roles.holds(user, Role.RESIDENT):
        return None
    household = user.verified_household
    return household.building.estate_id if household else None


def representative_for(user, council: Council, on: datetime.date | None = None):
    """The user's active Representative row on `council`, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    on = on or timezone.localdate()
    return Representative.objects.active_on(on).filter(council=council, user=user).first()


# --- rules predicates and the named permissions ---------------------------------------------------


@rules.predicate
def manages(user, obj) -> bool:
    return can_manage(user, _council(obj))


@rules.predicate
def is_council_staff_of(user, obj) -> bool:
    return is_council_staff(user, _council(obj))


@rules.predicate
def is_verified_resident(user) -> bool:
    return resident_estate_id(user) is not None


@rules.predicate
def is_resident_of_estate(user, proposal) -> bool:
    return proposal is not None and resident_estate_id(user) == proposal.estate_id


@rules.predicate
def is_proposer(user, proposal) -> bool:
    return proposal is not None and user.is_authenticated and proposal.proposer_id == user.pk


@rules.predicate
def is_representative(user, session) -> bool:
    return (
        session is not None and representative_for(user, session.council, session.date) is not None
    )


@rules.predicate
def may_escalate(user, proposal) -> bool:
    if proposal is None:
        return False
    if proposal.state == Proposal.State.ESCALATED:
        return is_council_staff(user, proposal.council)
    return can_manage(user, proposal.council)


@rules.predicate
def may_answer(user, case) -> bool:
    """An escalated proposal is answered on its case, by the case's current handler."""
    if case is None:
        return False
    return user.has_perm("deliberation.reply_case", case)


@rules.predicate
def is_deliberation_staff_predicate(user) -> bool:
    return is_deliberation_staff(user)


@rules.predicate
def is_deliberation_reader_predicate(user) -> bool:
    return is_deliberation_reader(user)


@rules.predicate
def is_township_staff(user) -> bool:
    return bool(roles.town_ids(user, Role.TOWNSHIP_STAFF))


@rules.predicate
def is_staff_of_plan_estate(user, plan) -> bool:
    return isinstance(plan, RemediationPlan) and is_staff_of_estate(user, plan.estate)


@rules.predicate
def may_comment(user, proposal) -> bool:
    """Residents of the proposal's estate who can see it (not a neighbour's draft)."""
    return (
        proposal is not None
        and resident_estate_id(user) == proposal.estate_id
        and (proposal.state != Proposal.State.DRAFT or proposal.proposer_id == user.pk)
    )


@rules.predicate
def may_report_comment(user, comment) -> bool:
    return (
        comment is not None and comment.author_id != user.pk and may_comment(user, comment.proposal)
    )


@rules.predicate
def may_moderate_comment(user, comment) -> bool:
    """Staff of the estate's community or town (not the resident secretary: moderation is an
    official's decision, recorded with their name)."""
    return comment is not None and is_council_staff(user, comment.proposal.council)


PERMISSIONS = {
    "submit_proposal": is_verified_resident,
    "support_proposal": is_resident_of_estate,
    "withdraw_proposal": is_proposer,
    "rate_outcome": is_proposer,
    "accept_proposal": manages,
    "reject_proposal": manages,
    "schedule_proposal": manages,
    "add_followup": manages,
    "close_proposal": manages,
    "correct_resolution": manages,
    "manage_council": manages,
    "manage_session": manages,
    "record_vote": manages,
    "cast_vote": is_representative,
    "escalate_proposal": may_escalate,
    "answer_escalation": may_answer,
    "view_dashboard": is_deliberation_reader_predicate,
    "comment_proposal": may_comment,
    "report_comment": may_report_comment,
    "hide_comment": may_moderate_comment,
    "compute_problem_estates": is_township_staff,
    "update_remediation_plan": is_staff_of_plan_estate,
    # The admin's "accept the selected proposals": offered to deliberation staff; each proposal
    # is then asked accept_proposal.
    "accept_proposals_in_bulk": is_deliberation_staff_predicate,
    # Deliberation's records (councils, proposals, votes, cases, meetings, keys) are kept: no
    # role deletes them (a superuser, who passes every has_perm, still may).
    "delete_records": rules.always_deny,
}

for _action, _predicate in PERMISSIONS.items():
    rules.add_perm(f"deliberation.{_action}", _predicate)


def allowed(user, action: str, obj=None) -> bool:
    """`user.has_perm("deliberation.<action>", obj)` without the auth backends' round trip."""
    return PERMISSIONS[action].test(user, obj)


# --- Queryset scopes ------------------------------------------------------------------------------


def councils_for_staff(user) -> QuerySet:
    """Councils a staff member or secretary may manage (and, reading, those below the
    region of district and city staff, who manage none: can_manage says so per council)."""
    if not getattr(user, "is_authenticated", False):
        return Council.objects.none()
    qs = Council.objects.select_related("estate__community")
    if _superuser(user):
        return qs
    scope = Q(secretary=user)
    if communities := roles.community_ids(user, Role.COMMUNITY_STAFF):
        scope |= Q(estate__community_id__in=communities)
    if towns := scoping.reader_town_ids(user, Role.TOWNSHIP_STAFF):
        scope |= Q(estate__community__town_id__in=towns)
    return qs.filter(scope)


def scope_to_deliberation_staff(qs: QuerySet, user, *, community_path: str) -> QuerySet:
    """Limit `qs` (reached from a community by `community_path`) to the community and town
    staff's scope: superusers all, community staff their community, township staff their town,
    district and city staff (reading) the towns below their region."""
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if _superuser(user):
        return qs
    scope = Q(pk__in=[])
    if communities := roles.community_ids(user, Role.COMMUNITY_STAFF):
        scope |= Q(**{f"{community_path}_id__in": communities})
    if towns := scoping.reader_town_ids(user, Role.TOWNSHIP_STAFF):
        scope |= Q(**{f"{community_path}__town_id__in": towns})
    return qs.filter(scope)


def problem_lists_for(user) -> QuerySet:
    """Problem-estate lists of the towns where `user` is township or community staff."""
    towns = scoping.reader_town_ids(user, *DELIBERATION_STAFF)
    qs = ProblemEstateList.objects.all()
    return qs if _superuser(user) else qs.filter(town_id__in=towns)


def remediation_plans_for(user) -> QuerySet:
    """Plans `user` may update: of estates in their community (community staff) or town
    (township staff); the permission update_remediation_plan says the same per plan."""
    with scoping.writing():
        return scope_to_deliberation_staff(
            RemediationPlan.objects.select_related("estate__community"),
            user,
            community_path="estate__community",
        )


def staff_to_tell(council: Council, *, town_level: bool) -> list:
    """Who answers for a council's overdue work: township staff of its town (town level), or its
    community's staff, township staff and the secretary (estate and community level)."""
    community = council.estate.community
    # Grants are scoped by town or community: only users placed there can hold one.
    candidates = User.objects.filter(
        Q(town_id=community.town_id) | Q(community_id=community.pk), is_active=True
    ).order_by("pk")
    users = [
        user
        for user in candidates
        if (
            roles.holds(user, Role.TOWNSHIP_STAFF, town_id=community.town_id)
            or (
                not town_level
                and roles.holds(user, Role.COMMUNITY_STAFF, community_id=community.pk)
            )
        )
    ]
    if council.secretary_id and not town_level:
        users.append(council.secretary)
    return list({u.pk: u for u in users}.values())


# The cases package keeps its own rules module; importing it registers deliberation.*_case.
from .cases import rules as cases_rules  # noqa: E402, F401
