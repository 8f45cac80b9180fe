"""Who may do what, as one table: every permission registered with the `rules` library, in every
app, has a row here saying which roles it allows on an object of their own scope and on one of
another scope, checked against the real predicates with the users of the attack world
(tests/builders.py). A new permission without a row, or a rule that changes what it allows, fails
this test; so does an admin action that does not declare the permissions it needs.

Rows: permission -> (objects, roles allowed on the own-scope object, roles allowed on the
other-scope object). `objects` names the pair of world objects the permission is asked about
(_objects below); None asks about the model or action as a whole (obj=None: one answer). Roles are
the attack world's users: resident, representative, manager, assessor, community (community
staff of 同声社区), staff (township staff of 里水镇), department (staff of a department of 里水镇);
anonymous is allowed nothing. A superuser
passes every has_perm before any rule is asked and is not listed.
"""

import inspect
import re

import pytest
import rules
from django.contrib import admin
from rules.permissions import permissions as registered

from communities.factories import TownshipStaffFactory
from communities.rules import MODEL_RULES

pytestmark = pytest.mark.django_db

ROLES = ("resident", "representative", "manager", "assessor", "community", "staff", "department")
NONE: frozenset = frozenset()
STAFF_VIEW = frozenset({"assessor", "community", "staff"})
KEEPERS = frozenset({"community", "staff"})
TOWNSHIP = frozenset({"staff"})
STAFF_ROLES = STAFF_VIEW  # roles.STAFF_ROLES of the demo accounts


def _objects(world):
    """Pairs (own scope, other scope) of world objects, by name. "Own" lies in the community of
    the community staff (同声社区); "other" in another community of the same town (金溪社区) or,
    for town-level records, in another town (外镇)."""
    from communities.models import (
        Community,
        Estate,
        OwnersCommittee,
        PropertyCompany,
        ServiceContract,
        Town,
    )

    o, u = world.objects, world.users
    home, other = o["home_community"], Community.objects.get(name="金溪社区")
    home_estate = o["home_estate"]
    other_estate = Estate.objects.filter(community=other).order_by("pk").first()

    def first(qs_home, qs_other):
        return qs_home.order_by("pk").first(), qs_other.order_by("pk").first()

    return {
        **_case_objects(world, home, other, home_estate, other_estate),
        "town": (home.town, Town.objects.get(name="外镇")),
        "community": (home, other),
        "estate": (home_estate, other_estate),
        "building": (home_estate.buildings.first(), other_estate.buildings.first()),
        "household": (
            home_estate.buildings.first().households.first(),
            other_estate.buildings.first().households.first(),
        ),
        "company": (o["company_own"], PropertyCompany.objects.get(name="外镇物业")),
        "contract": first(
            ServiceContract.objects.filter(estate__community=home),
            ServiceContract.objects.filter(estate__community__town__name="外镇"),
        ),
        "committee": first(
            OwnersCommittee.objects.filter(estate__community=home),
            OwnersCommittee.objects.exclude(estate__community=home),
        ),
        "verification": (o["verification_own"], o["verification_other_community"]),
        "user": (u["resident"], TownshipStaffFactory(town=Town.objects.get(name="外镇"))),
        "proposal": (o["proposal_own"], o["proposal_other_community"]),
        "session": (o["session_own"], o["session_other_community"]),
        "council": (o["council_own"], o["council_other_community"]),
        "assembly_vote": (o["assembly_vote_own"], o["assembly_vote_other_community"]),
    }


def _case_objects(world, home, other, home_estate, other_estate) -> dict:
    """Cases, escalations and remediation plans, own and other scope.

    "case": own is a case of 糖果雅苑 reported by the resident, handled at estate level by the
    manager's company, escalated twice and now with the department of the `department` account
    at town level; other is a case of 金溪社区 (another community of the same town), reported by
    someone else, handled by another department at town level. "plan": remediation plans of an
    estate of 同声社区 and of 金溪社区 on the town's problem-estate list."""
    from decimal import Decimal

    from deliberation.cases.models import CaseCategory
    from deliberation.cases.services import case_escalate, case_receive
    from deliberation.models import ProblemEstateList, RemediationPlan

    u = world.users
    town = home.town
    mine = CaseCategory.objects.get(town=town, code="C01")
    theirs = (
        CaseCategory.objects.filter(town=town, department__isnull=False)
        .exclude(department=mine.department_id)
        .order_by("code")
        .first()
    )
    assert u["department"].departments.filter(pk=mine.department_id).exists()
    assert not u["department"].departments.filter(pk=theirs.department_id).exists()

    def at_town_level(estate, category, reporter):
        case = case_receive(estate=estate, category=category, title="楼道漏水", source="portal",
                            reporter=reporter)  # fmt: skip
        while case.level != "town":
            case_escalate(case=case, by=u["staff"], reason="需上级协调")
            case.refresh_from_db()
        return case

    own_case = at_town_level(home_estate, mine, u["resident"])
    assert own_case.assignments.filter(company=world.objects["company_own"]).exists()
    other_case = at_town_level(other_estate, theirs, None)
    problem_list, _new = ProblemEstateList.objects.get_or_create(town=town, year=2026, quarter=1)

    def plan(estate):
        return RemediationPlan.objects.create(
            problem_list=problem_list, estate=estate, score=Decimal("5.00"), cases=5,
            households=100,
        )  # fmt: skip

    from communities.models import Town
    from deliberation.cases.models import Open311Key
    from deliberation.cases.open311 import key_issue

    key_issue(name="rules-table-home", town=town)
    key_issue(name="rules-table-other-town", town=Town.objects.get(name="外镇"))
    return {
        "open311key": (
            Open311Key.objects.get(name="rules-table-home"),
            Open311Key.objects.get(name="rules-table-other-town"),
        ),
        "case": (own_case, other_case),
        "plan": (plan(home_estate), plan(other_estate)),
    }


TABLE = {
    # communities: admin rules by model (communities.rules.add_model_perms) and named actions.
    "communities.add_accountaudit": (None, "community staff"),
    "communities.add_accountstatement": (None, ""),
    "communities.add_building": (None, "community staff"),
    "communities.add_community": (None, "staff"),
    "communities.add_department": (None, "staff"),
    "communities.add_estate": (None, "community staff"),
    "communities.add_household": (None, "community staff"),
    "communities.add_ownerscommittee": (None, "community staff"),
    "communities.add_ownerscommitteemember": (None, "community staff"),
    "communities.add_propertycompany": (None, "staff"),
    "communities.add_residentverification": (None, ""),
    "communities.add_rolegrant": (None, "staff"),
    "communities.add_servicecontract": (None, "community staff"),
    "communities.add_town": (None, ""),
    "communities.add_region": (None, ""),
    "communities.change_region": (None, ""),
    "communities.delete_region": (None, ""),
    "communities.view_region": (None, ""),
    "communities.add_user": (None, "staff"),
    "communities.change_accountaudit": (None, "community staff"),
    "communities.change_accountstatement": (None, ""),
    "communities.change_building": ("building", "community staff", "staff"),
    "communities.change_community": ("community", "staff", "staff"),
    "communities.change_department": (None, "staff"),
    "communities.change_estate": ("estate", "community staff", "staff"),
    "communities.change_household": ("household", "community staff", "staff"),
    "communities.change_ownerscommittee": ("committee", "community staff", "staff"),
    "communities.change_ownerscommitteemember": (None, "community staff"),
    "communities.change_propertycompany": ("company", "staff", ""),
    "communities.change_registry": (None, "community staff"),
    "communities.change_residentverification": ("verification", "community staff", "staff"),
    "communities.change_rolegrant": (None, "staff"),
    "communities.change_servicecontract": ("contract", "community staff", ""),
    "communities.change_town": ("town", "", ""),
    "communities.change_user": ("user", "staff", ""),
    "communities.decide_verification": ("verification", "community staff", "staff"),
    "communities.delete_accountaudit": (None, ""),
    "communities.delete_accountstatement": (None, ""),
    "communities.delete_building": ("building", "", ""),
    "communities.delete_community": ("community", "", ""),
    "communities.delete_department": (None, ""),
    "communities.delete_estate": ("estate", "", ""),
    "communities.delete_household": ("household", "", ""),
    "communities.delete_ownerscommittee": ("committee", "", ""),
    "communities.delete_ownerscommitteemember": (None, "community staff"),
    "communities.delete_propertycompany": ("company", "", ""),
    "communities.delete_residentverification": ("verification", "", ""),
    "communities.delete_rolegrant": (None, "staff"),
    "communities.delete_servicecontract": ("contract", "", ""),
    "communities.delete_town": ("town", "", ""),
    "communities.delete_user": ("user", "", ""),
    "communities.manage_accounts": (None, "staff"),
    "communities.request_verification": (None, "representative resident"),
    "communities.view_accountaudit": (None, "assessor community staff"),
    "communities.view_accountstatement": (None, "assessor community staff"),
    "communities.view_building": ("building", "assessor community staff", "assessor staff"),
    "communities.view_community": ("community", "assessor community staff", "assessor staff"),
    "communities.view_department": (None, "assessor community staff"),
    "communities.view_estate": ("estate", "assessor community staff", "assessor staff"),
    "communities.view_household": ("household", "assessor community staff", "assessor staff"),
    "communities.view_ownerscommittee": ("committee", "assessor community staff", "assessor staff"),
    "communities.view_ownerscommitteemember": (None, "assessor community staff"),
    "communities.view_propertycompany": (
        "company",
        "assessor community staff",
        "assessor community staff",
    ),
    "communities.view_registry": (None, "assessor community staff"),
    "communities.view_residentverification": (
        "verification",
        "assessor community staff",
        "assessor staff",
    ),
    "communities.view_rolegrant": (None, "staff"),
    "communities.view_servicecontract": ("contract", "assessor community staff", ""),
    "communities.view_staff_overview": (None, "assessor community staff"),
    "communities.view_town": ("town", "assessor community staff", ""),
    "communities.view_user": ("user", "staff", ""),
    # project-wide permissions defined by communities.rules for governance.
    "security.reveal_phone": (None, "community staff"),
    "security.staff": (None, "assessor community staff"),
    "security.second_factor": (None, "assessor community department staff"),
    # party_grid: records kept by township and community staff, read by every staff role.
    "party_grid.add_grid": (None, "community staff"),
    "party_grid.add_gridworker": (None, "community staff"),
    "party_grid.add_householdassignment": (None, "community staff"),
    "party_grid.add_partymember": (None, "community staff"),
    "party_grid.add_partyorganization": (None, "community staff"),
    "party_grid.add_servicestation": (None, "community staff"),
    "party_grid.add_visit": (None, "community staff"),
    "party_grid.add_buildinghead": (None, "community staff"),
    "party_grid.add_volunteerteam": (None, "community staff"),
    "party_grid.add_volunteerteammember": (None, "community staff"),
    "party_grid.change_grid": (None, "community staff"),
    "party_grid.change_gridworker": (None, "community staff"),
    "party_grid.change_householdassignment": (None, "community staff"),
    "party_grid.change_partymember": (None, "community staff"),
    "party_grid.change_partyorganization": (None, "community staff"),
    "party_grid.change_records": (None, "community staff"),
    "party_grid.change_servicestation": (None, "community staff"),
    "party_grid.change_visit": (None, "community staff"),
    "party_grid.change_buildinghead": (None, "community staff"),
    "party_grid.change_volunteerteam": (None, "community staff"),
    "party_grid.change_volunteerteammember": (None, "community staff"),
    "party_grid.delete_grid": (None, ""),
    "party_grid.delete_gridworker": (None, ""),
    "party_grid.delete_householdassignment": (None, ""),
    "party_grid.delete_partymember": (None, ""),
    "party_grid.delete_partyorganization": (None, ""),
    "party_grid.delete_servicestation": (None, ""),
    "party_grid.delete_visit": (None, ""),
    "party_grid.delete_buildinghead": (None, ""),
    "party_grid.delete_volunteerteam": (None, ""),
    "party_grid.delete_volunteerteammember": (None, ""),
    "party_grid.log_visit": (None, "resident"),
    "party_grid.view_dashboard": (None, "assessor community staff"),
    "party_grid.view_grid": (None, "assessor community staff"),
    "party_grid.view_gridworker": (None, "assessor community staff"),
    "party_grid.view_householdassignment": (None, "assessor community staff"),
    "party_grid.view_partymember": (None, "assessor community staff"),
    "party_grid.view_partyorganization": (None, "assessor community staff"),
    "party_grid.view_servicestation": (None, "assessor community staff"),
    "party_grid.view_visit": (None, "assessor community staff"),
    "party_grid.view_buildinghead": (None, "assessor community staff"),
    "party_grid.view_volunteerteam": (None, "assessor community staff"),
    "party_grid.view_volunteerteammember": (None, "assessor community staff"),
    # deliberation: proposals, councils, sessions, owners' votes asked about own/other objects.
    # deliberation/projects: needs and claims kept by township and community staff; partner
    # units and projects by township staff; nothing deleted (withdrawn or cancelled instead).
    "deliberation.add_need": (None, "community staff"),
    "deliberation.change_need": (None, "community staff"),
    "deliberation.delete_need": (None, ""),
    "deliberation.view_need": (None, "community staff"),
    "deliberation.add_claim": (None, "community staff"),
    "deliberation.change_claim": (None, "community staff"),
    "deliberation.delete_claim": (None, ""),
    "deliberation.view_claim": (None, "community staff"),
    "deliberation.add_partnerunit": (None, "staff"),
    "deliberation.change_partnerunit": (None, "staff"),
    "deliberation.delete_partnerunit": (None, ""),
    "deliberation.view_partnerunit": (None, "community staff"),
    "deliberation.add_project": (None, "staff"),
    "deliberation.change_project": (None, "staff"),
    "deliberation.delete_project": (None, ""),
    "deliberation.view_project": (None, "community staff"),
    "deliberation.accept_proposal": ("proposal", "community staff", "staff"),
    "deliberation.add_followup": ("proposal", "community staff", "staff"),
    "deliberation.cast_ballot": ("assembly_vote", "representative resident", ""),
    "deliberation.cast_vote": ("session", "representative", ""),
    # comments (issue 15): residents of the estate comment and report; its staff hide.
    "deliberation.comment_proposal": ("proposal", "representative resident", ""),
    "deliberation.report_comment": (None, ""),
    "deliberation.hide_comment": (None, ""),
    "deliberation.close_owners_vote": ("assembly_vote", "community staff", "staff"),
    "deliberation.close_proposal": ("proposal", "community staff", "staff"),
    "deliberation.compute_problem_estates": (None, "staff"),
    "deliberation.correct_resolution": ("proposal", "community staff", "staff"),
    "deliberation.enter_paper_ballot": ("assembly_vote", "community staff", "staff"),
    "deliberation.escalate_proposal": ("proposal", "community staff", "staff"),
    "deliberation.hold_joint_meeting": ("town", "staff", ""),
    "deliberation.manage_council": ("council", "community staff", "staff"),
    "deliberation.manage_session": ("session", "community staff", "staff"),
    "deliberation.rate_outcome": ("proposal", "resident", ""),
    "deliberation.record_vote": ("session", "community staff", "staff"),
    "deliberation.reject_proposal": ("proposal", "community staff", "staff"),
    "deliberation.schedule_proposal": ("proposal", "community staff", "staff"),
    "deliberation.see_all_ballots": ("assembly_vote", "community staff", "staff"),
    "deliberation.submit_proposal": (None, "representative resident"),
    "deliberation.support_proposal": ("proposal", "representative resident", ""),
    "deliberation.view_dashboard": (None, "community staff"),
    "deliberation.withdraw_proposal": ("proposal", "resident", ""),
    # deliberation: cases (issue 12), asked about a case now with the department account's
    # department at town level (own) and one of another community with another department.
    # Township staff dispatch at every level in their town; community staff only see (the own
    # case is above their level); the manager's company handled it once at estate level (it sees
    # it, no more); the resident reported it (sees and rates it).
    "deliberation.accept_case": ("case", "department", ""),
    "deliberation.answer_escalation": ("case", "department", ""),
    "deliberation.callback_case": ("case", "staff", "staff"),
    "deliberation.case_to_proposal": ("case", "staff", "staff"),
    "deliberation.dispatch_case": ("case", "staff", "staff"),
    "deliberation.escalate_case": ("case", "department staff", "staff"),
    "deliberation.merge_case": ("case", "staff", "staff"),
    "deliberation.rate_case": ("case", "resident", ""),
    "deliberation.reply_case": ("case", "department", ""),
    "deliberation.return_case": ("case", "department", ""),
    "deliberation.update_remediation_plan": ("plan", "community staff", "staff"),
    "deliberation.view_case": ("case", "community department manager resident staff", "staff"),
    # deliberation admin: the calendar (the country's, one for every town), Open311 keys of the
    # town, the bulk accept action, and deletion (records are kept: nobody but a superuser).
    "deliberation.manage_calendar": (None, "staff"),
    "deliberation.revoke_open311_key": ("open311key", "staff", ""),
    "deliberation.accept_proposals_in_bulk": (None, "community staff"),
    "deliberation.delete_owners_vote": ("assembly_vote", "", ""),
    "deliberation.delete_records": (None, ""),
    # property_rating (property_rating/rules.py).
    "property_rating.adjust_payout": (None, "staff"),
    "property_rating.approve_payout": (None, "staff"),
    "property_rating.compute_scores": (None, "staff"),
    "property_rating.copy_scheme": (None, "staff"),
    "property_rating.delete_records": (None, ""),
    "property_rating.export_results": (None, "assessor community staff"),
    "property_rating.file_report": (None, "manager"),
    "property_rating.import_assessment": (None, "staff"),
    "property_rating.manage_scheme": (None, "staff"),
    "property_rating.manage_units": (None, "staff"),
    "property_rating.mark_payout_paid": (None, "staff"),
    "property_rating.open_report": (None, "assessor manager staff"),
    "property_rating.open_satisfaction": (None, "representative resident"),
    "property_rating.publish_results": (None, "staff"),
    "property_rating.rate_satisfaction": (None, "representative resident"),
    "property_rating.record_veto": (None, "staff"),
    "property_rating.reopen_results": (None, "staff"),
    "property_rating.resolve_discrepancy": (None, "staff"),
    "property_rating.return_report": (None, "assessor staff"),
    "property_rating.review_report": (None, "assessor staff"),
    "property_rating.revoke_veto": (None, "staff"),
    "property_rating.score_inspection": (None, ""),
    "property_rating.sync_units": (None, "staff"),
    "property_rating.view_computation": (None, "assessor community staff"),
    "property_rating.view_records": (None, "assessor community staff"),
    # --- regions (issue 13): the region tree is the deployment's superuser's; region defaults
    # of cases are kept by district and city staff (none of the roles above). What district and
    # city staff may do is the REGION_TABLE below.
    "deliberation.add_regioncasecategory": (None, ""),
    "deliberation.add_regioncasesettings": (None, ""),
    "deliberation.change_regioncasecategory": (None, ""),
    "deliberation.change_regioncasesettings": (None, ""),
    "deliberation.delete_regioncasecategory": (None, ""),
    "deliberation.delete_regioncasesettings": (None, ""),
    "deliberation.view_regioncasecategory": (None, ""),
    "deliberation.view_regioncasesettings": (None, ""),
}


def _roles(text: str) -> frozenset:
    return frozenset(text.split())


def test_every_permission_of_every_app_has_a_row_in_the_table():
    missing = sorted(set(registered) - set(TABLE))
    assert not missing, f"permissions without a row in the rules table: {missing}"
    stale = sorted(set(TABLE) - set(registered))
    assert not stale, f"rows of permissions no app registers: {stale}"


def test_each_role_is_allowed_exactly_what_its_row_says(world):
    from django.contrib.auth.models import AnonymousUser

    pairs = _objects(world)
    users = world.users
    wrong = []
    for perm, row in sorted(TABLE.items()):
        name, own = row[0], _roles(row[1])
        other = _roles(row[2]) if len(row) > 2 else own
        own_obj, other_obj = pairs[name] if name else (None, None)
        got_own = frozenset(r for r in ROLES if users[r].has_perm(perm, own_obj))
        got_other = frozenset(r for r in ROLES if users[r].has_perm(perm, other_obj))
        if (got_own, got_other) != (own, other):
            wrong.append(f"{perm}: own {sorted(got_own)}, other {sorted(got_other)}")
        if AnonymousUser().has_perm(perm, own_obj):
            wrong.append(f"{perm}: anonymous allowed")
    assert not wrong, "rules differ from the table:\n" + "\n".join(wrong)


# The domain apps' admins (third-party and governance admins are superuser-only).
DOMAIN_APPS = ("communities", "party_grid", "deliberation", "property_rating")

# Admin actions that do not yet declare permissions asking a rule, by "app.model.action", each
# with its reason. A new action must not join them; one that gets fixed must leave the list.
# Admin actions allowed to skip the check (none: every action asks a named rule).
UNDECLARED_ACTIONS: frozenset[str] = frozenset()

_STANDARD = ("view", "add", "change", "delete")


def _maps_to_rule(model_admin, permission: str) -> bool:
    """The admin's has_<permission>_permission asks a registered rule: the model's own
    `<app>.<permission>_<model>` for the standard four of a model with model rules, else a
    `has_perm("<name>")` it calls (e.g. deliberation.delete_records)."""
    opts = model_admin.model._meta
    if (
        permission in _STANDARD
        and opts.model in MODEL_RULES
        and rules.perm_exists(f"{opts.app_label}.{permission}_{opts.model_name}")
    ):
        return True
    method = getattr(model_admin, f"has_{permission}_permission", None)
    if method is None:
        return False
    names = re.findall(r"has_perm\(\s*\"([\w.]+)\"", inspect.getsource(method))
    return bool(names) and all(rules.perm_exists(name) for name in names)


def _action_gaps() -> set[str]:
    gaps = set()
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in DOMAIN_APPS:
            continue
        for func, name, _description in model_admin._get_base_actions():
            declared = getattr(func, "allowed_permissions", None)
            if not declared or not all(_maps_to_rule(model_admin, p) for p in declared):
                gaps.add(f"{model._meta.label_lower}.{name}")
    return gaps


def test_every_admin_action_declares_permissions_that_ask_a_rule():
    gaps = _action_gaps()
    assert sorted(gaps - UNDECLARED_ACTIONS) == [], "admin actions without a rule"
    fixed = UNDECLARED_ACTIONS - gaps
    assert sorted(fixed) == [], "listed actions that now ask a rule: take them off the list"


# --- District and city staff (regions.md, issue 13) ---------------------------------------------
# What staff of 南海区 (the district of the world's 里水镇) and of 佛山市 (its city) are allowed:
# permission -> (objects, allowed on the own-scope object, allowed on the other-scope one), the
# objects named as in TABLE ("other" of a town-level record lies in 外镇, a town of no district).
# Every permission not listed here is refused to them, on either object: they read below their
# region and change nothing there; they keep their region's case defaults.
REGION_TABLE = {
    "communities.view_accountaudit": (None, True, True),
    "communities.view_accountstatement": (None, True, True),
    "communities.view_building": ("building", True, True),
    "communities.view_community": ("community", True, True),
    "communities.view_department": (None, True, True),
    "communities.view_estate": ("estate", True, True),
    "communities.view_household": ("household", True, True),
    "communities.view_ownerscommittee": ("committee", True, True),
    "communities.view_ownerscommitteemember": (None, True, True),
    "communities.view_propertycompany": ("company", True, True),
    "communities.view_registry": (None, True, True),
    "communities.view_servicecontract": ("contract", True, False),
    "communities.view_staff_overview": (None, True, True),
    "communities.view_town": ("town", True, False),
    "security.staff": (None, True, True),
    "security.second_factor": (None, True, True),
    "party_grid.view_buildinghead": (None, True, True),
    "party_grid.view_dashboard": (None, True, True),
    "party_grid.view_grid": (None, True, True),
    "party_grid.view_gridworker": (None, True, True),
    "party_grid.view_householdassignment": (None, True, True),
    "party_grid.view_partymember": (None, True, True),
    "party_grid.view_partyorganization": (None, True, True),
    "party_grid.view_servicestation": (None, True, True),
    "party_grid.view_visit": (None, True, True),
    "party_grid.view_volunteerteam": (None, True, True),
    "party_grid.view_volunteerteammember": (None, True, True),
    "deliberation.view_dashboard": (None, True, True),
    "deliberation.view_case": ("case", True, False),
    "deliberation.add_regioncasecategory": (None, True, True),
    "deliberation.add_regioncasesettings": (None, True, True),
    "deliberation.change_regioncasecategory": (None, True, True),
    "deliberation.change_regioncasesettings": (None, True, True),
    "deliberation.delete_regioncasecategory": (None, True, True),
    "deliberation.delete_regioncasesettings": (None, True, True),
    "deliberation.view_regioncasecategory": (None, True, True),
    "deliberation.view_regioncasesettings": (None, True, True),
    "property_rating.export_results": (None, True, True),
    "property_rating.view_computation": (None, True, True),
    "property_rating.view_records": (None, True, True),
}


def test_district_and_city_staff_are_allowed_exactly_what_the_region_table_says(world):
    from communities.factories import CityStaffFactory, DistrictStaffFactory

    nanhai = world.objects["home_community"].town.district
    users = {
        "district": DistrictStaffFactory(username="table-district", region=nanhai),
        "city": CityStaffFactory(username="table-city", region=nanhai.city),
    }
    pairs = _objects(world) | {
        "case": (world.objects["case_own"], world.objects["case_other_town"])
    }
    wrong = []
    for perm in sorted(registered):
        name, own, other = REGION_TABLE.get(perm, (TABLE[perm][0], False, False))
        own_obj, other_obj = pairs[name] if name else (None, None)
        for label, user in users.items():
            got = (user.has_perm(perm, own_obj), user.has_perm(perm, other_obj))
            if got != (own, other):
                wrong.append(f"{perm} ({label}): own {got[0]}, other {got[1]}")
    assert not wrong, "region staff's rules differ from the table:\n" + "\n".join(wrong)
