"""PIPL for the owners' register: once the retention period is over, the anonymisation job also
removes the names of owners who left the register, of members of dissolved committees and of
committee candidates who are no longer owners; the tallies (keys, areas, counts) stay."""

import datetime

import pytest
import time_machine

from communities.factories import (
    EstateFactory,
    OwnersCommitteeFactory,
    OwnersCommitteeMemberFactory,
)
from communities.models import Owner
from communities.owners_import import register_import
from deliberation.assemblies import services
from deliberation.assemblies.factories import register
from governance.security.personal_data import ANONYMISED_NAME
from governance.tasks import anonymise_departed_residents

pytestmark = pytest.mark.django_db
TODAY = datetime.datetime(2026, 6, 1, 3, 45, tzinfo=datetime.UTC)  # cutoff 2023-06-01


@pytest.fixture
def estate(community):
    return EstateFactory(community=community, name="糖果雅苑")


def sell_everything_to_b(estate):
    """A later register without owner A: A leaves it on the day of the import."""
    rows = [(1, {"building": "1栋", "room": "101", "area": "100", "owner": "B", "delivered": "1"})]
    register_import(estate=estate, rows=rows)


@pytest.fixture
def election(estate):
    owners = register(estate, [("1栋", "101", "100.00", "A", True)])
    Owner.objects.filter(key="A").update(name="张三")
    vote = services.vote_open_now(
        estate=estate,
        kind="committee",
        title="选举",
        seats=1,
        candidates=[(owners["A"], "张三", False)],
        now=datetime.datetime(2022, 1, 1, tzinfo=datetime.UTC),
    )
    services.vote_close(vote=vote, by=None, now=datetime.datetime(2022, 1, 20, tzinfo=datetime.UTC))
    return vote


def test_owner_who_left_the_register_past_retention_loses_name_and_candidacy(estate, election):
    with time_machine.travel(datetime.datetime(2023, 5, 1, tzinfo=datetime.UTC), tick=False):
        sell_everything_to_b(estate)
    owner = Owner.objects.get(key="A")
    assert owner.left_register_on == datetime.date(2023, 5, 1)
    with time_machine.travel(TODAY, tick=False):
        counts = anonymise_departed_residents.delay().get()
    assert counts["owners"] == 1 and counts["assembly_candidates"] == 1
    owner.refresh_from_db()
    assert owner.name == ANONYMISED_NAME and owner.key == "A"  # the key keeps old tallies whole
    assert election.candidates.get().name == ANONYMISED_NAME
    assert election.result.data["election"]["candidates"][0]["agree_owners"] == 0


def test_owner_who_left_recently_or_still_owns_keeps_the_name(estate, election):
    with time_machine.travel(datetime.datetime(2023, 6, 2, tzinfo=datetime.UTC), tick=False):
        sell_everything_to_b(estate)
    Owner.objects.filter(key="B").update(name="李四")
    with time_machine.travel(TODAY, tick=False):
        counts = anonymise_departed_residents.delay().get()
    assert counts["owners"] == 0 and counts["assembly_candidates"] == 0
    assert set(Owner.objects.values_list("name", flat=True)) == {"张三", "李四"}
    assert election.candidates.get().name == "张三"


def test_owner_back_on_the_register_is_no_longer_dated(estate, election):
    with time_machine.travel(datetime.datetime(2020, 5, 1, tzinfo=datetime.UTC), tick=False):
        sell_everything_to_b(estate)
    rows = [(1, {"building": "1栋", "room": "101", "area": "100", "owner": "A", "delivered": "1"})]
    register_import(estate=estate, rows=rows)
    assert Owner.objects.get(key="A").left_register_on is None
    with time_machine.travel(TODAY, tick=False):
        assert anonymise_departed_residents.delay().get()["owners"] == 0


def test_members_of_a_dissolved_committee_are_anonymised_after_retention(estate):
    old = OwnersCommitteeFactory(estate=estate, dissolved_on=datetime.date(2023, 5, 31))
    recent = OwnersCommitteeFactory(estate=estate, dissolved_on=datetime.date(2023, 6, 2))
    gone = OwnersCommitteeMemberFactory(committee=old, name="王五", position="主任")
    kept = OwnersCommitteeMemberFactory(committee=recent, name="赵六")
    with time_machine.travel(TODAY, tick=False):
        assert anonymise_departed_residents.delay().get()["committee_members"] == 1
        assert anonymise_departed_residents.delay().get()["committee_members"] == 0
    gone.refresh_from_db()
    kept.refresh_from_db()
    assert (gone.name, gone.phone, gone.position) == (ANONYMISED_NAME, "", "主任")
    assert (kept.name, kept.phone) == ("赵六", "13800138000")
