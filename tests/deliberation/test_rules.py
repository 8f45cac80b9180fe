"""Who may do what is one table (deliberation/rules.py), asked by every staff action; the layout
has no import cycle; governance's notifications import no domain app (issue 11)."""

import ast
import pathlib

import pytest
from django.utils import timezone

from communities.factories import (
    AssessorFactory,
    CommunityFactory,
    CommunityStaffFactory,
    TownshipStaffFactory,
    UserFactory,
)
from deliberation import rules, services
from deliberation.factories import ProposalFactory, representatives, resident_of
from deliberation.forms import PROPOSAL_ACTIONS, SESSION_ACTIONS
from deliberation.models import Proposal

pytestmark = pytest.mark.django_db
ROOT = pathlib.Path(__file__).resolve().parents[2]

# Who, of the people around one council, holds each proposal-level permission.
PROPOSAL_MATRIX = {
    #                     staff  town   other  assessor secretary proposer neighbour
    "accept_proposal": (True, True, False, False, True, False, False),
    "reject_proposal": (True, True, False, False, True, False, False),
    "schedule_proposal": (True, True, False, False, True, False, False),
    "add_followup": (True, True, False, False, True, False, False),
    "close_proposal": (True, True, False, False, True, False, False),
    "correct_resolution": (True, True, False, False, True, False, False),
    "escalate_proposal": (True, True, False, False, True, False, False),
    # The secretary here is a resident of the estate too.
    "support_proposal": (False, False, False, False, True, True, True),
    "withdraw_proposal": (False, False, False, False, False, True, False),
}


@pytest.fixture
def people(council):
    estate = council.estate
    secretary = resident_of(estate, "9栋")
    council.secretary = secretary
    council.save()
    proposer = resident_of(estate)
    return {
        "staff": CommunityStaffFactory(community=estate.community),
        "town": TownshipStaffFactory(town=estate.community.town),
        "other": CommunityStaffFactory(community=CommunityFactory(town=estate.community.town)),
        "assessor": AssessorFactory(town=estate.community.town),
        "secretary": secretary,
        "proposer": proposer,
        "neighbour": resident_of(estate, "2栋"),
    }


@pytest.mark.parametrize("action", sorted(PROPOSAL_MATRIX))
def test_each_proposal_permission_is_held_by_exactly_the_people_the_table_names(
    council, people, action
):
    proposal = ProposalFactory(council=council, proposer=people["proposer"])
    expected = dict(zip(people, PROPOSAL_MATRIX[action], strict=True))
    actual = {
        who: user.has_perm(f"deliberation.{action}", proposal) for who, user in people.items()
    }
    assert actual == expected


def test_every_staff_action_form_asks_a_registered_permission():
    for form_class in [*PROPOSAL_ACTIONS.values(), *SESSION_ACTIONS.values()]:
        app, _dot, action = form_class.permission.partition(".")
        assert app == "deliberation" and action in rules.PERMISSIONS, form_class


def test_an_escalated_proposal_is_answered_by_its_cases_handler_only(council, people):
    """Changed with issue 12: the answer is a reply on the escalation's case, so at town level
    the department's staff answer it (before: township staff on the joint meeting's row)."""
    from deliberation.cases.models import Case
    from tests.cases.conftest import department_staff

    proposal = ProposalFactory(council=council, state=Proposal.State.ACCEPTED)
    services.proposal_escalate(proposal=proposal, by=people["staff"], reason="r")
    proposal.refresh_from_db()
    case = Case.objects.get(proposal=proposal)
    assert people["staff"].has_perm("deliberation.answer_escalation", case)
    services.proposal_escalate(proposal=proposal, by=people["staff"], reason="r2")
    case = Case.objects.get(pk=case.pk)  # a fresh instance: permission checks cache per case
    assert case.level == "town"
    department = case.assignments.get(ended_at__isnull=True).department
    assert not people["staff"].has_perm("deliberation.answer_escalation", case)
    assert not people["town"].has_perm("deliberation.answer_escalation", case)
    assert department_staff(department).has_perm("deliberation.answer_escalation", case)
    # Once escalated, the secretary can no longer escalate further; staff can.
    assert not people["secretary"].has_perm("deliberation.escalate_proposal", proposal)


def test_staff_of_another_community_cannot_record_a_vote_through_the_session_page(
    client, council, people
):
    reps = representatives(council, 2)
    session = services.session_create(
        council=council, date=timezone.localdate(), by=people["staff"]
    )
    assert not people["other"].has_perm("deliberation.record_vote", session)
    assert people["secretary"].has_perm("deliberation.record_vote", session)
    assert reps[0].user.has_perm("deliberation.cast_vote", session)
    assert not people["neighbour"].has_perm("deliberation.cast_vote", session)


def test_council_scope_follows_role_grants(council, people):
    assert list(rules.councils_for_staff(people["staff"])) == [council]
    assert list(rules.councils_for_staff(people["town"])) == [council]
    assert list(rules.councils_for_staff(people["secretary"])) == [council]
    assert not rules.councils_for_staff(people["other"]).exists()
    assert not rules.councils_for_staff(people["assessor"]).exists()
    assert not rules.councils_for_staff(UserFactory(role="property_manager")).exists()


def _imports(path: pathlib.Path, package: str) -> set[str]:
    """Modules `path` imports, anywhere in it (function-level imports included)."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
                names = [f"{module}.{a.name}" for a in node.names] if not node.module else []
                found |= {module, *names}
            else:
                found.add(node.module)
    return found


def _module_graph(app: str) -> dict[str, set[str]]:
    modules = {}
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        rel = path.relative_to(ROOT).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        modules[name] = path, package
    return {
        name: {m for m in _imports(path, package) if m in modules and m != name}
        for name, (path, package) in modules.items()
    }


def test_deliberation_has_no_import_cycle():
    graph = _module_graph("deliberation")
    state: dict[str, int] = {}

    def visit(node, trail):
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                raise AssertionError(" -> ".join([*trail, node, nxt]))
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [])


def test_governance_notifications_import_no_domain_app():
    domain = ("communities", "deliberation", "party_grid", "property_rating")
    for path in (ROOT / "governance" / "notifications").rglob("*.py"):
        for module in _imports(path, "governance.notifications"):
            assert not module.startswith(domain), (path.name, module)


def test_the_estates_community_staff_track_its_remediation_plan_and_others_cannot(
    client, council, people
):
    from decimal import Decimal

    from django.urls import reverse

    from deliberation.models import ProblemEstateList, RemediationPlan

    problem_list = ProblemEstateList.objects.create(
        town=council.estate.community.town, year=2026, quarter=1
    )
    plan = RemediationPlan.objects.create(
        problem_list=problem_list, estate=council.estate, score=Decimal("3.00")
    )
    url = reverse("deliberation:remediation-update", args=[plan.pk])
    client.force_login(people["other"])
    assert client.post(url, {"status": "in_progress", "plan": "x"}).status_code == 404
    client.force_login(people["staff"])
    page = client.get(reverse("deliberation:problem-estates")).content.decode()
    assert council.estate.name in page
    client.post(url, {"status": "done", "plan": "整改外墙"})
    plan.refresh_from_db()
    assert (plan.status, plan.plan, plan.updated_by) == ("done", "整改外墙", people["staff"])
