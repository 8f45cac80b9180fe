"""Writes of owners' assemblies (owners.md): announcing, opening with the register snapshot,
portal and paper ballots, closing with the exact tally. Each service owns its transaction."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Estate, Household, Owner, User
from governance.security import audit
from governance.tasks import enqueue_on_commit

from . import tally as counting
from .models import (
    QUALIFIED_KINDS,
    AssemblyVote,
    Ballot,
    Candidate,
    CandidateChoice,
    Choice,
    Kind,
    RegisterEntry,
    VoteResult,
)
from .selectors import voter_owners


def _audit(vote: AssemblyVote, by, summary: str, **details) -> None:
    audit.record(
        audit.Action.OTHER,
        actor=by,
        obj=vote,
        summary=summary,
        details={"estate": vote.estate_id, "kind": vote.kind, **details},
    )


def vote_announce(
    *,
    estate: Estate,
    kind: str,
    title: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    by: User | None,
    description: str = "",
    buildings=(),
    seats: int | None = None,
    candidates: list[tuple[Owner, str, bool]] = (),
    now: datetime.datetime | None = None,
    is_demo: bool = False,
) -> AssemblyVote:
    """Announce a vote in the system; it opens no sooner than 15 days later (物业管理条例
    art. 14). `candidates` (owner, name, party member) for a committee election."""
    now = now or timezone.now()
    with transaction.atomic():
        vote = AssemblyVote(
            estate=estate,
            kind=kind,
            title=title,
            description=description,
            announced_at=now,
            opens_at=opens_at,
            closes_at=closes_at,
            seats=seats,
            created_by=by,
            is_demo=is_demo,
        )
        vote.full_clean()
        vote.save()
        _set_scope(vote, buildings=buildings, candidates=candidates)
        _audit(vote, by, "assembly vote announced")
        enqueue_on_commit(_announce_task(), vote.pk, "announced")
    return vote


def vote_open_now(
    *,
    estate: Estate,
    kind: str,
    title: str,
    by: User | None = None,
    closes_at: datetime.datetime | None = None,
    buildings=(),
    seats: int | None = None,
    candidates=(),
    now: datetime.datetime | None = None,
    is_demo: bool = False,
) -> AssemblyVote:
    """Open a vote at once: its announcement happened outside the system (a paper vote), so
    the 15-day rule is not the system's to check."""
    now = now or timezone.now()
    with transaction.atomic():
        vote = AssemblyVote(
            estate=estate,
            kind=kind,
            title=title,
            opens_at=now,
            closes_at=closes_at,
            seats=seats,
            created_by=by,
            is_demo=is_demo,
        )
        vote.full_clean()
        vote.save()
        _set_scope(vote, buildings=buildings, candidates=candidates)
        _open(vote, by=by, now=now)
    return vote


def _set_scope(vote: AssemblyVote, *, buildings, candidates) -> None:
    buildings = list(buildings)
    if any(b.estate_id != vote.estate_id for b in buildings):
        raise ValidationError({"buildings": _("The buildings must be of the vote's estate.")})
    vote.buildings.set(buildings)
    if vote.kind == Kind.COMMITTEE and vote.seats and not candidates:
        raise ValidationError(_("A committee election needs candidates."))
    for owner, name, party in candidates:
        Candidate.objects.create(vote=vote, owner=owner, name=name, is_party_member=party)


def register_rows(vote: AssemblyVote) -> list[RegisterEntry]:
    """The register as it stands now, per owner and building (owners.md): units the developer
    has not sold or delivered count for the developer; units with no owner count for no one."""
    households = Household.objects.filter(building__estate_id=vote.estate_id).filter(
        floor_area__isnull=False
    )
    building_ids = list(vote.buildings.values_list("pk", flat=True))
    if building_ids:
        households = households.filter(building_id__in=building_ids)
    developer = None
    rows: dict[tuple[int, int], list] = {}
    for building_id, owner_id, delivered, area in households.values_list(
        "building_id", "owner_id", "delivered", "floor_area"
    ):
        if not delivered:
            if developer is None:
                developer = Owner.objects.developer_of(vote.estate.community.town)
            owner_id = developer.pk
        if owner_id is None:
            continue
        row = rows.setdefault((owner_id, building_id), [Decimal("0"), 0])
        row[0] += area
        row[1] += 1
    return [
        RegisterEntry(vote=vote, owner_id=owner, building_id=building, area=area, units=units)
        for (owner, building), (area, units) in sorted(rows.items())
    ]


def _open(vote: AssemblyVote, *, by, now) -> None:
    RegisterEntry.objects.bulk_create(register_rows(vote))
    vote.state = AssemblyVote.State.OPEN
    vote.opened_at = now
    vote.save(update_fields=["state", "opened_at"])
    _audit(vote, by, "assembly vote opened", owners=vote.register.count())
    enqueue_on_commit(_announce_task(), vote.pk, "opened")


def vote_open(*, vote: AssemblyVote, by: User | None = None, now=None) -> AssemblyVote:
    """Open an announced vote whose opening time has come, taking the register snapshot."""
    now = now or timezone.now()
    with transaction.atomic():
        vote = AssemblyVote.objects.select_for_update().get(pk=vote.pk)
        if vote.state != AssemblyVote.State.ANNOUNCED:
            return vote
        if vote.opens_at > now:
            raise ValidationError(_("This vote opens at %(at)s.") % {"at": vote.opens_at})
        _open(vote, by=by, now=now)
    return vote


def votes_open_due(*, now=None) -> int:
    """Open announced votes whose time has come and close open ones past their closing time;
    safe to repeat (each step checks the state under a row lock)."""
    now = now or timezone.now()
    done = 0
    for vote in AssemblyVote.objects.filter(state="announced", opens_at__lte=now):
        vote_open(vote=vote, now=now)
        done += 1
    for vote in AssemblyVote.objects.filter(state="open", closes_at__lte=now):
        vote_close(vote=vote, by=None, now=now)
        done += 1
    return done


def _check_accepting(vote: AssemblyVote, now) -> None:
    if vote.state != AssemblyVote.State.OPEN or (vote.closes_at and now >= vote.closes_at):
        raise ValidationError(_("This vote is not open for ballots."))


def _clean_lines(vote: AssemblyVote, lines) -> dict[int, str]:
    candidates = set(vote.candidates.values_list("pk", flat=True))
    lines = {int(k): v for k, v in (lines or {}).items()}
    if set(lines) != candidates or any(v not in Choice.values for v in lines.values()):
        raise ValidationError(_("Choose agree, disagree or abstain for every candidate."))
    return lines


def _write_lines(ballot: Ballot, lines: dict[int, str]) -> None:
    CandidateChoice.objects.filter(ballot=ballot).delete()
    CandidateChoice.objects.bulk_create(
        CandidateChoice(ballot=ballot, candidate_id=c, choice=v) for c, v in sorted(lines.items())
    )


def ballot_cast(
    *,
    vote: AssemblyVote,
    user: User,
    choice: str = "",
    owner: Owner | None = None,
    lines: dict | None = None,
    now=None,
) -> Ballot:
    """An owner casts or changes their ballot in the portal, until the vote closes. Co-owners
    share one ballot: the last cast before the close counts. Tenants are refused."""
    now = now or timezone.now()
    with transaction.atomic():
        # The vote row lock orders ballots against the close and against each other, so two
        # devices of one owner leave one ballot (the unique constraint backs this up).
        vote = AssemblyVote.objects.select_for_update().get(pk=vote.pk)
        _check_accepting(vote, now)
        owners = voter_owners(user, vote)
        if not owners:
            raise PermissionDenied(_("Only owners of this vote's units may vote."))
        if owner is None:
            owner = owners[0]
        elif owner.pk not in {o.pk for o in owners}:
            raise PermissionDenied(_("You do not vote for this owner."))
        if vote.is_election:
            lines = _clean_lines(vote, lines)
            choice = ""
        elif choice not in Choice.values:
            raise ValidationError({"choice": _("Choose agree, disagree or abstain.")})
        ballot = Ballot.objects.filter(vote=vote, owner=owner).first()
        if ballot is not None and ballot.source == Ballot.Source.PAPER:
            raise ValidationError(_("Your ballot was entered on paper and cannot be changed here."))
        if ballot is None:
            ballot = Ballot.objects.create(
                vote=vote,
                owner=owner,
                choice=choice,
                source=Ballot.Source.PORTAL,
                cast_by=user,
                cast_at=now,
            )
        else:
            ballot.choice, ballot.cast_by, ballot.changed_at = choice, user, now
            ballot.save(update_fields=["choice", "cast_by", "changed_at"])
        if vote.is_election:
            _write_lines(ballot, lines)
    return ballot


def paper_ballots_enter(*, vote: AssemblyVote, rows: list[dict], by: User | None, now=None):
    """Enter paper ballots all or nothing. Each row: owner (Owner), choice (agree, disagree,
    abstain or spoiled), optional scan (a File) and, for elections, lines {candidate id:
    choice} (without lines an election ballot abstains on every candidate). Raises
    ValidationError listing each bad row by its index when any row is bad."""
    now = now or timezone.now()
    with transaction.atomic():
        vote = AssemblyVote.objects.select_for_update().get(pk=vote.pk)
        _check_accepting(vote, now)
        in_register = set(vote.register.values_list("owner_id", flat=True))
        has_ballot = set(vote.ballots.values_list("owner_id", flat=True))
        errors, seen = [], set()
        for index, row in enumerate(rows):
            owner = row["owner"]
            if owner.pk not in in_register:
                errors.append((index, _("owner %(key)s is not in this vote's register")))
            elif owner.pk in has_ballot:
                errors.append((index, _("owner %(key)s already has a ballot")))
            elif owner.pk in seen:
                errors.append((index, _("owner %(key)s appears twice")))
            elif row["choice"] not in (*Choice.values, "spoiled"):
                errors.append((index, _("choice must be agree, disagree, abstain or spoiled")))
            seen.add(owner.pk)
        if errors:
            raise ValidationError(
                [
                    f"{index}: {message % {'key': rows[index]['owner'].key}}"
                    for index, message in errors
                ]
            )
        ballots = []
        for row in rows:
            spoiled = row["choice"] == "spoiled"
            ballot = Ballot(
                vote=vote,
                owner=row["owner"],
                choice=Choice.ABSTAIN if spoiled else row["choice"],
                spoiled=spoiled,
                source=Ballot.Source.PAPER,
                entered_by=by,
                cast_at=now,
            )
            if row.get("scan") is not None:
                ballot.scan.save(row["scan"].name, row["scan"], save=False)
            ballot.save()
            if vote.is_election and row.get("lines") and not spoiled:
                _write_lines(ballot, _clean_lines(vote, row["lines"]))
            ballots.append(ballot)
        _audit(vote, by, "paper ballots entered", count=len(ballots))
    return ballots


def compute_result(vote: AssemblyVote) -> dict:
    """The tally of the vote's ballots over its register snapshot (owners.md "At close")."""
    entries = [
        counting.Entry(owner=o, building=b, area=a, units=u)
        for o, b, a, u in vote.register.values_list("owner_id", "building_id", "area", "units")
    ]
    ballots = list(vote.ballots.values_list("pk", "owner_id", "choice", "spoiled"))
    choices = {
        owner: (Choice.ABSTAIN if spoiled else choice) for _pk, owner, choice, spoiled in ballots
    }
    data = counting.tally(entries, choices, qualified=vote.kind in QUALIFIED_KINDS)
    if vote.is_election:
        lines: dict[int, dict[int, str]] = {owner: {} for _pk, owner, _c, _s in ballots}
        by_ballot = {pk: owner for pk, owner, _c, _s in ballots}
        for ballot_id, candidate_id, choice in CandidateChoice.objects.filter(
            ballot__vote=vote
        ).values_list("ballot_id", "candidate_id", "choice"):
            lines[by_ballot[ballot_id]][candidate_id] = choice
        spoiled = {owner for _pk, owner, _c, s in ballots if s}
        for owner in spoiled:  # a spoiled paper ballot takes part and abstains on every line
            lines[owner] = {}
        candidates = list(vote.candidates.values_list("pk", flat=True))
        data["election"] = counting.election(
            counting.owner_areas(entries), lines, candidates, seats=vote.seats
        )
        data["passed"] = data["election"]["participation_met"] and bool(data["election"]["elected"])
        # An election has no single agree line: only participation can fail as a whole.
        data["failed"] = [c for c in data["failed"] if c.startswith("participation")]
    return data


def vote_close(*, vote: AssemblyVote, by: User | None, now=None) -> VoteResult:
    """Close the vote and store its result once; closing a closed vote returns the stored
    result unchanged."""
    now = now or timezone.now()
    with transaction.atomic():
        vote = AssemblyVote.objects.select_for_update().get(pk=vote.pk)
        if vote.state == AssemblyVote.State.CLOSED:
            return vote.result
        if vote.state != AssemblyVote.State.OPEN:
            raise ValidationError(_("Only an open vote can be closed."))
        data = compute_result(vote)
        result = VoteResult.objects.create(vote=vote, data=data, passed=data["passed"])
        vote.state = AssemblyVote.State.CLOSED
        vote.closed_at = now
        vote.closed_by = by
        vote.save(update_fields=["state", "closed_at", "closed_by"])
        if vote.is_election:
            from .committees import committee_from_election

            committee_from_election(vote=vote, on=timezone.localdate(now))
        _audit(vote, by, "assembly vote closed", passed=data["passed"], failed=data["failed"])
        enqueue_on_commit(_announce_task(), vote.pk, "closed")
    return result


def _announce_task():
    from .notify import announce_vote

    return announce_vote
