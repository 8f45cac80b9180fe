"""The demo's party grid shows Lishui's December 2021 figures, and loading twice changes nothing."""

import datetime
import io
from decimal import Decimal

import pytest

from communities import demo as base_demo
from party_grid import demo
from party_grid.models import HouseholdAssignment, PartyMember, PartyOrganization, Visit
from party_grid.selectors import party_statistics


@pytest.fixture
def lishui(db):
    town, users = base_demo.load_base("demo-pass-123")
    demo.load(town=town, users=users, stdout=io.StringIO())
    return town, users


def test_demo_shows_lishuis_december_2021_figures(lishui):
    town, _users = lishui
    s = party_statistics(town=town, on=datetime.date(2021, 12, 31))
    assert s.delivered_estates == 43
    assert s.single_built_branches == 34
    assert s.joint_built_branches == 3
    assert s.single_built_rate == Decimal("0.7907")
    assert s.coverage == Decimal("1.0000")
    assert s.complete_three_level_grids == 15
    assert s.households_in_contact == 7367
    assert s.service_stations == 9
    assert s.volunteer_teams_by_kind == {
        "party_mass": 25,
        "building": 18,
        "representative": 7,
        "lane_stewards": 0,
    }


def test_joint_branches_of_the_demo_are_marked_as_demo(lishui):
    town, _users = lishui
    joint = PartyOrganization.objects.filter(
        community__town=town, build_type=PartyOrganization.BuildType.JOINT
    )
    assert joint.count() == 3
    assert all(branch.is_demo and branch.estates.count() == 3 for branch in joint)


def test_demo_resident_is_a_household_contact_member_of_tangguo_yayuan(lishui):
    _town, users = lishui
    member = PartyMember.objects.select_related("organization__parent").get(user=users["resident"])
    assert member.organization.level == PartyOrganization.Level.HOUSEHOLD_GROUP
    assert list(member.organization.parent.estates.values_list("name", flat=True)) == ["糖果雅苑"]
    households = HouseholdAssignment.objects.filter(member=member)
    assert households.count() == 25
    assert {a.household.building.name for a in households} == {"1栋"}


def test_loading_the_demo_twice_changes_nothing(lishui):
    town, users = lishui
    counts = (
        PartyOrganization.objects.count(),
        PartyMember.objects.count(),
        HouseholdAssignment.objects.count(),
        Visit.objects.count(),
    )
    out = io.StringIO()
    demo.load(town=town, users=users, stdout=out)
    assert "already loaded" in out.getvalue()
    assert counts == (
        PartyOrganization.objects.count(),
        PartyMember.objects.count(),
        HouseholdAssignment.objects.count(),
        Visit.objects.count(),
    )


def test_demo_resident_home_page_offers_log_a_visit(client, lishui):
    _town, users = lishui
    client.force_login(users["resident"])
    assert "/party/visits/new/" in client.get("/").content.decode()
    page = client.get("/party/visits/new/")
    assert page.status_code == 200
    assert page.context["form"].fields["household"].queryset.count() == 25
