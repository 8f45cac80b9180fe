"""Every admin action of every property_rating ModelAdmin, as every role: offered exactly when
property_rating/rules.py allows it, and a forged POST of a disallowed action changes nothing.

The table below names the rule of each action; it is checked against `admin.site._registry`,
so an action added without a rule (or without its entry here) fails this test."""

import datetime

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict

from communities.factories import (
    AssessorFactory,
    CommunityStaffFactory,
    EstateFactory,
    PropertyManagerFactory,
    ResidentFactory,
    ServiceContractFactory,
    TownshipStaffFactory,
)
from property_rating.factories import ExpertFactory, PayoutFactory, SchemeFactory
from property_rating.models import AssessmentUnit, Payout
from property_rating.units import units_sync_from_contracts

pytestmark = pytest.mark.django_db

# action name -> the rule that decides it (None: offered to nobody but a superuser).
ACTION_RULES = {
    "delete_selected": None,
    "copy_to_next_year": "property_rating.copy_scheme",
    "sync_units": "property_rating.sync_units",
    "start_annual": "property_rating.compute_scores",
    "start_q1": "property_rating.compute_scores",
    "start_q2": "property_rating.compute_scores",
    "start_q3": "property_rating.compute_scores",
    "start_q4": "property_rating.compute_scores",
    "publish": "property_rating.publish_results",
    "reopen": "property_rating.reopen_results",
    "approve": "property_rating.approve_payout",
    "mark_paid": "property_rating.mark_payout_paid",
}
ROLES = ("township_staff", "community_staff", "assessor", "expert", "manager", "resident")
# Who may take each rule's action (everyone else is refused).
ALLOWED = {
    None: set(),
    "property_rating.copy_scheme": {"township_staff"},
    "property_rating.sync_units": {"township_staff"},
    "property_rating.compute_scores": {"township_staff"},
    "property_rating.publish_results": {"township_staff"},
    "property_rating.reopen_results": {"township_staff"},
    "property_rating.approve_payout": {"township_staff"},
    "property_rating.mark_payout_paid": {"township_staff"},
}


def _rating_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "property_rating"
    ]


def _actions_of(model_admin):
    return {name: func for func, name, _desc in model_admin._get_base_actions()}


@pytest.fixture
def users(town, community):
    return {
        "township_staff": TownshipStaffFactory(town=town),
        "community_staff": CommunityStaffFactory(community=community),
        "assessor": AssessorFactory(town=town),
        "expert": ExpertFactory(town=town),
        "manager": PropertyManagerFactory(is_staff=True),
        "resident": ResidentFactory(),
    }


@pytest.fixture
def rating_world(town, community):
    SchemeFactory(town=town, year=2021)
    published = SchemeFactory(town=town, year=2020)
    published.published_at = datetime.datetime(2021, 3, 1, tzinfo=datetime.UTC)
    published.save()
    contract = ServiceContractFactory(
        estate=EstateFactory(community=community), valid_from=datetime.date(2020, 1, 1)
    )
    units_sync_from_contracts(town=town, year=2021)
    unit = AssessmentUnit.objects.get(contract=contract, year=2021)
    PayoutFactory(unit=unit, quarter=0)
    PayoutFactory(unit=unit, quarter=1, status=Payout.Status.APPROVED)
    # A unit-less contract for 2022 so that "sync units" would have something to create.
    ServiceContractFactory(estate=EstateFactory(community=community))


def _snapshot():
    """Every row of every property_rating model (what a forged action must leave unchanged)."""
    rows = {}
    for model, _model_admin in _rating_admins():
        rows[model._meta.label] = sorted(
            (repr(model_to_dict(obj)) for obj in model._default_manager.all()), key=str
        )
    return rows


def test_every_admin_action_has_a_rule():
    for _model, model_admin in _rating_admins():
        for name, func in _actions_of(model_admin).items():
            assert name in ACTION_RULES, f"{model_admin}: action {name} has no rule"
            rule = ACTION_RULES[name]
            if rule is not None:
                assert list(func.allowed_permissions) == [rule.split(".", 1)[1]], name


@pytest.mark.parametrize("role", ROLES)
def test_admin_actions_are_offered_exactly_when_the_rule_allows(client, role, users, rating_world):
    user = users[role]
    client.force_login(user)
    for model, model_admin in _rating_admins():
        actions = _actions_of(model_admin)
        if not actions:
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        response = client.get(url)
        page = response.content.decode() if response.status_code == 200 else ""
        for name in actions:
            rule = ACTION_RULES[name]
            expected = role in ALLOWED[rule]
            if rule is not None:
                assert user.has_perm(rule) == expected, (role, rule)
            offered = f'<option value="{name}"' in page
            assert offered == expected, (role, model._meta.model_name, name)


@pytest.mark.parametrize("role", ROLES)
def test_forged_post_of_a_disallowed_action_changes_nothing(client, role, users, rating_world):
    client.force_login(users[role])
    for model, model_admin in _rating_admins():
        selected = list(model._default_manager.values_list("pk", flat=True))
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for name in _actions_of(model_admin):
            if role in ALLOWED[ACTION_RULES[name]]:
                continue
            before = _snapshot()
            response = client.post(
                url,
                {
                    "action": name,
                    "_selected_action": selected,
                    "index": 0,
                    "select_across": 0,
                    "confirm": "1",
                    "text": "forged",
                    "post": "yes",
                },
            )
            assert response.status_code in (302, 403), (role, name, response.status_code)
            assert _snapshot() == before, (role, model._meta.model_name, name)


def test_a_forged_action_is_refused_with_a_message(client, users, rating_world):
    client.force_login(users["community_staff"])
    response = client.post(
        "/admin/property_rating/payout/",
        {
            "action": "approve",
            "_selected_action": list(Payout.objects.values_list("pk", flat=True)),
            "index": 0,
        },
        follow=True,
    )
    assert "You may not take this action." in response.content.decode()
    assert Payout.objects.filter(status=Payout.Status.APPROVED).count() == 1
