"""Assembly votes end to end through the services: snapshot, ballots, close."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from communities.models import Household, Owner
from deliberation.assemblies import services
from deliberation.assemblies.models import AssemblyVote, Ballot, VoteResult
from governance.notifications.models import Notification

from .conftest import household

pytestmark = pytest.mark.django_db


def test_register_snapshot_counts_developer_units_as_one_owner_and_skips_unowned(open_vote):
    entries = {(e.owner.key, e.building.name): (e.area, e.units) for e in open_vote.register.all()}
    assert entries[("developer", "1栋")] == (Decimal("60.00"), 1)
    assert entries[("developer", "2栋")] == (Decimal("40.00"), 1)
    assert ("A", "1栋") in entries and ("A", "2栋") in entries
    result = services.compute_result(open_vote)
    assert result["total_owners"] == 4  # A, B, C and the developer once
    assert result["total_area"] == "400.00"  # 2栋104 has no owner and counts for no one


def test_later_register_changes_do_not_change_an_open_vote(estate, open_vote, owners):
    Household.objects.filter(owner=owners["B"]).update(floor_area=Decimal("500"))
    other = Owner.objects.create(town=estate.community.town, key="D")
    Household.objects.filter(building__estate=estate, room="104").update(owner=other)
    assert services.compute_result(open_vote)["total_area"] == "400.00"


def test_owner_ballot_changed_before_close_and_refused_after(open_vote, owner_a):
    services.ballot_cast(vote=open_vote, user=owner_a, choice="disagree")
    services.ballot_cast(vote=open_vote, user=owner_a, choice="agree")
    ballot = Ballot.objects.get()
    assert ballot.choice == "agree" and ballot.changed_at and ballot.owner.key == "A"
    services.vote_close(vote=open_vote, by=None)
    with pytest.raises(ValidationError):
        services.ballot_cast(vote=open_vote, user=owner_a, choice="disagree")
    assert Ballot.objects.get().choice == "agree"


def test_ballot_after_closing_time_is_refused(open_vote, owner_a):
    now = timezone.now()
    AssemblyVote.objects.filter(pk=open_vote.pk).update(
        opens_at=now - datetime.timedelta(days=1), closes_at=now - datetime.timedelta(minutes=1)
    )
    open_vote.refresh_from_db()
    with pytest.raises(ValidationError):
        services.ballot_cast(vote=open_vote, user=owner_a, choice="agree")


def test_tenant_is_refused_a_ballot(open_vote, tenant):
    with pytest.raises(PermissionDenied):
        services.ballot_cast(vote=open_vote, user=tenant, choice="agree")
    assert not Ballot.objects.exists()


def test_owner_of_another_estate_is_refused(open_vote, db):
    from communities.factories import EstateFactory, ResidentFactory
    from deliberation.assemblies.factories import register, verify

    elsewhere = EstateFactory(community=open_vote.estate.community)
    register(elsewhere, [("1栋", "101", "99", "A", True)])  # same key, same town
    user = ResidentFactory()
    verify(user, household(elsewhere, "1栋", "101"))
    with pytest.raises(PermissionDenied):
        services.ballot_cast(vote=open_vote, user=user, choice="agree")


def test_co_owners_share_one_ballot_the_last_counts(estate, open_vote, owner_a):
    from communities.factories import ResidentFactory
    from deliberation.assemblies.factories import verify

    spouse = ResidentFactory(username="spouse")
    verify(spouse, household(estate, "2栋", "101"))  # another unit of owner A
    services.ballot_cast(vote=open_vote, user=owner_a, choice="agree")
    services.ballot_cast(vote=open_vote, user=spouse, choice="disagree")
    assert Ballot.objects.get().choice == "disagree"


def test_database_refuses_a_second_ballot_of_one_owner(open_vote, owners):
    Ballot.objects.create(
        vote=open_vote, owner=owners["A"], choice="agree", source="portal", cast_at=timezone.now()
    )
    with pytest.raises(IntegrityError):
        Ballot.objects.create(
            vote=open_vote,
            owner=owners["A"],
            choice="agree",
            source="paper",
            cast_at=timezone.now(),
        )


def test_paper_ballot_cannot_be_changed_in_the_portal(open_vote, owner_a, owners):
    services.paper_ballots_enter(
        vote=open_vote, rows=[{"owner": owners["A"], "choice": "spoiled"}], by=None
    )
    with pytest.raises(ValidationError):
        services.ballot_cast(vote=open_vote, user=owner_a, choice="agree")
    ballot = Ballot.objects.get()
    assert ballot.choice == "abstain" and ballot.spoiled


def test_close_passes_with_multi_unit_owner_and_developer_counted_once(estate, open_vote, owners):
    developer = Owner.objects.get(town=estate.community.town, key="developer")
    rows = [
        {"owner": owners["A"], "choice": "agree"},  # 150 m²
        {"owner": developer, "choice": "agree"},  # 100 m², one head for two units
        {"owner": owners["B"], "choice": "disagree"},  # 80 m²
    ]
    services.paper_ballots_enter(vote=open_vote, rows=rows, by=None)
    result = services.vote_close(vote=open_vote, by=None)
    data = result.data
    assert (data["participating_owners"], data["participating_area"]) == (3, "330.00")
    assert (data["agree_owners"], data["agree_area"]) == (2, "250.00")
    assert data["passed"] and data["failed"] == [] and result.passed
    assert set(data["buildings"]) == {str(b.pk) for b in estate.buildings.all()}


def test_closing_a_closed_vote_returns_the_same_stored_result(open_vote, owner_a):
    first = services.vote_close(vote=open_vote, by=None)
    again = services.vote_close(vote=open_vote, by=None)
    assert first.pk == again.pk and first.data == again.data
    assert first.data["failed"] == [
        "participation_area",
        "participation_headcount",
        "agree_area",
        "agree_headcount",
    ]


def test_stored_result_cannot_be_rewritten_or_deleted(open_vote):
    result = services.vote_close(vote=open_vote, by=None)
    result.passed = True
    with pytest.raises(ValidationError):
        result.save()
    with pytest.raises(ValidationError):
        result.delete()
    assert VoteResult.objects.get().passed is False


def test_vote_announced_in_system_opens_no_sooner_than_15_days_later(estate, owners):
    now = timezone.now()
    with pytest.raises(ValidationError):
        services.vote_announce(
            estate=estate,
            kind="rules",
            title="议事规则",
            opens_at=now + datetime.timedelta(days=14, hours=23),
            closes_at=now + datetime.timedelta(days=30),
            by=None,
            now=now,
        )
    vote = services.vote_announce(
        estate=estate,
        kind="rules",
        title="议事规则",
        opens_at=now + datetime.timedelta(days=15),
        closes_at=now + datetime.timedelta(days=30),
        by=None,
        now=now,
    )
    assert vote.state == "announced" and not vote.register.exists()
    with pytest.raises(ValidationError):
        services.vote_open(vote=vote, now=now + datetime.timedelta(days=14))
    services.votes_open_due(now=now + datetime.timedelta(days=15))
    vote.refresh_from_db()
    assert vote.state == "open" and vote.register.count() == 6
    services.votes_open_due(now=now + datetime.timedelta(days=31))
    vote.refresh_from_db()
    assert vote.state == "closed" and vote.result


def test_close_announces_the_result_to_the_estate_residents(
    open_vote, owner_a, tenant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.vote_close(vote=open_vote, by=None)
    keys = set(Notification.objects.values_list("user__username", "key"))
    assert ("owner_a", f"assembly:{open_vote.pk}:closed") in keys
    assert ("tenant", f"assembly:{open_vote.pk}:closed") in keys
