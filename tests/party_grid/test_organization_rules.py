"""The tree's shape and the dated records' rules, in clean() and in the database."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from communities.factories import EstateFactory
from party_grid.factories import BranchFactory, CommitteeFactory, GroupFactory, PartyMemberFactory
from party_grid.models import PartyOrganization
from party_grid.services import branch_set_estates

D = datetime.date
Level = PartyOrganization.Level


def test_database_refuses_a_branch_without_build_type(db):
    committee = CommitteeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PartyOrganization.objects.create(
            community=committee.community,
            parent=committee,
            level=Level.ESTATE_BRANCH,
            name="无类型支部",
            established_on=D(2021, 1, 1),
        )


def test_database_refuses_dissolution_before_establishment(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitteeFactory(established_on=D(2021, 1, 1), dissolved_on=D(2020, 1, 1))


def test_database_refuses_an_in_service_member_without_employer(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        PartyMemberFactory(is_registered_in_service=True, employer="")


def test_a_household_group_cannot_sit_directly_under_a_committee(db):
    committee = CommitteeFactory()
    group = PartyOrganization(
        community=committee.community,
        parent=committee,
        level=Level.HOUSEHOLD_GROUP,
        name="小组",
        established_on=D(2021, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        group.full_clean()
    assert "parent" in error.value.message_dict


def test_an_organisation_cannot_sit_under_its_own_descendant(db):
    group = GroupFactory()
    branch = group.parent
    branch.parent = group
    with pytest.raises(ValidationError):
        branch.full_clean()


def test_single_built_branch_serves_exactly_one_estate_of_its_community(db):
    branch = BranchFactory()
    mine = EstateFactory(community=branch.community)
    with pytest.raises(ValidationError):
        branch_set_estates(branch=branch, estates=[mine, EstateFactory(community=branch.community)])
    with pytest.raises(ValidationError):
        branch_set_estates(branch=branch, estates=[EstateFactory()])  # another community
    branch_set_estates(branch=branch, estates=[mine])
    assert list(branch.estates.all()) == [mine]


def test_joint_built_branch_needs_two_estates(db):
    branch = BranchFactory(build_type=PartyOrganization.BuildType.JOINT)
    with pytest.raises(ValidationError):
        branch_set_estates(branch=branch, estates=[EstateFactory(community=branch.community)])
