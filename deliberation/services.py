"""Writes for deliberation. Every state change of a proposal goes through `_move`, which checks
the one table of allowed moves (TRANSITIONS), locks the row, and records who, when and why."""

import datetime
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Estate, Household, Town, User
from governance.security import audit
from governance.tasks import enqueue_on_commit
from governance.uploads import IMAGE_ONLY, validate_uploads

from . import notifications, permissions
from .models import (
    AgendaItem,
    Attachment,
    Attendance,
    Council,
    Escalation,
    Follow,
    FollowUpAction,
    OutcomeRating,
    ProblemEstateList,
    Proposal,
    ProposalTransition,
    RemediationPlan,
    Representative,
    Resolution,
    ResponsibilityEntry,
    Session,
    Support,
    Vote,
)

S = Proposal.State


# --- The state machine (deliberation.md: Proposal lifecycle) ------------------------------------
#
# Capacities: who is moving the proposal.
#   proposer  - the resident who raised it
#   manager   - community/township staff of the estate, or the council's secretary
#   system    - automatic (enough supports)
#   agenda    - put on a session's agenda (agenda_add)
#   vote      - the tally when a session closes (session_close)
#   escalate  - proposal_escalate (creates the Escalation row)
#   settle    - a settling escalation answer (escalation_answer)


@dataclass(frozen=True)
class Move:
    capacities: frozenset
    reason_required: bool = False
    guard: Callable[[Proposal], str | None] | None = None  # returns an error message or None


def _passed_only(proposal: Proposal) -> str | None:
    if proposal.outcome != Proposal.Outcome.PASSED:
        return _("Only a proposal that was passed can be implemented.")
    return None


def _follow_ups_done(proposal: Proposal) -> str | None:
    if proposal.follow_ups.filter(done_at__isnull=True).exists():
        return _("All follow-up actions must be done before the proposal is closed.")
    return None


def _m(*capacities, **kwargs) -> Move:
    return Move(frozenset(capacities), **kwargs)


TRANSITIONS: dict[tuple[str, str], Move] = {
    (S.DRAFT, S.SUBMITTED): _m("proposer"),
    (S.DRAFT, S.WITHDRAWN): _m("proposer"),
    (S.SUBMITTED, S.WITHDRAWN): _m("proposer"),
    (S.SUBMITTED, S.ACCEPTED): _m("manager", "system"),
    (S.SUBMITTED, S.REJECTED): _m("manager", reason_required=True),
    (S.ACCEPTED, S.SCHEDULED): _m("agenda"),
    (S.SCHEDULED, S.DECIDED): _m("vote"),
    (S.DECIDED, S.IMPLEMENTING): _m("manager", guard=_passed_only),
    (S.IMPLEMENTING, S.DONE): _m("manager", "settle", reason_required=True, guard=_follow_ups_done),
    (S.ACCEPTED, S.ESCALATED): _m("escalate", reason_required=True),
    (S.DECIDED, S.ESCALATED): _m("escalate", reason_required=True),
    (S.IMPLEMENTING, S.ESCALATED): _m("escalate", reason_required=True),
    # community -> town joint meeting: the proposal stays escalated, the level goes up.
    (S.ESCALATED, S.ESCALATED): _m("escalate", reason_required=True),
    (S.ESCALATED, S.IMPLEMENTING): _m("settle", reason_required=True),
    (S.ESCALATED, S.DONE): _m("settle", reason_required=True),
}


def capacities_of(user, proposal: Proposal) -> set[str]:
    """The capacities in which `user` may move `proposal` through the public service."""
    if user is None:
        return {"system"}
    caps = set()
    if proposal.proposer_id and proposal.proposer_id == user.pk:
        caps.add("proposer")
    if permissions.can_manage(user, proposal.council):
        caps.add("manager")
    return caps


def _lock(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("council__estate__community")
        .get(pk=proposal.pk)
    )


def _move(
    proposal: Proposal, to_state: str, *, by, reason: str = "", capacity: str | Iterable[str]
) -> ProposalTransition:
    """Move a LOCKED proposal; the caller holds the transaction. Raises ValidationError /
    PermissionDenied and changes nothing when the move is not allowed."""
    from_state = proposal.state
    move = TRANSITIONS.get((from_state, to_state))
    if move is None:
        raise ValidationError(
            _("A proposal that is %(from)s cannot become %(to)s.")
            % {"from": S(from_state).label, "to": S(to_state).label}
        )
    capacities = {capacity} if isinstance(capacity, str) else set(capacity)
    if not capacities & move.capacities:
        raise PermissionDenied(
            _("You may not move this proposal from %(from)s to %(to)s.")
            % {"from": S(from_state).label, "to": S(to_state).label}
        )
    reason = (reason or "").strip()
    if move.reason_required and not reason:
        raise ValidationError({"reason": _("Give a reason for this step.")})
    if move.guard and (message := move.guard(proposal)):
        raise ValidationError(message)
    now = timezone.now()
    proposal.state = to_state
    if to_state == S.SUBMITTED and not proposal.submitted_at:
        proposal.submitted_at = now
    if to_state in (S.ACCEPTED, S.REJECTED, S.DECIDED) and not proposal.decided_at:
        # "days to decision" on the dashboard: submitted -> first decision on it.
        proposal.decided_at = now
    if to_state == S.DONE:
        proposal.closed_at = now
        proposal.closing_note = reason
    proposal.save()
    transition = ProposalTransition.objects.create(
        proposal=proposal,
        from_state=from_state,
        to_state=to_state,
        by=by,
        at=now,
        reason=reason,
    )
    audit.record(audit.Action.PROPOSAL_STATE_CHANGED, actor=by, obj=proposal, details={"from": from_state, "to": to_state})  # fmt: skip
    enqueue_on_commit(notifications.notify_transition_task, transition.pk)
    return transition


def proposal_transition(*, proposal: Proposal, to_state: str, by, reason: str = "") -> Proposal:
    """Move a proposal as `by` (None: the system). The public entry point for the simple moves
    (submit, withdraw, accept, reject, implement, close)."""
    with transaction.atomic():
        locked = _lock(proposal)
        _move(locked, to_state, by=by, reason=reason, capacity=capacities_of(by, locked))
    return locked


# --- Proposals ------------------------------------------------------------------------------------


def _resident_household(user) -> Household:
    if not user.is_authenticated or not user.is_resident:
        raise PermissionDenied(_("Only residents can do this."))
    household = user.verified_household
    if household is None:
        raise PermissionDenied(_("You must be verified to a household first."))
    return household


def _council_of(estate: Estate) -> Council:
    council = Council.objects.filter(estate=estate).select_related("estate__community").first()
    if council is None:
        raise ValidationError(_("%(estate)s has no round-table council yet.") % {"estate": estate})
    return council


def proposal_create(
    *,
    user,
    title: str,
    description: str,
    category: str = "other",
    files: Iterable = (),
    submit: bool = True,
) -> Proposal:
    """A verified resident raises a proposal in their own estate, with photos."""
    household = _resident_household(user)
    estate = household.building.estate
    council = _council_of(estate)
    files = list(files)
    if files:
        validate_uploads(files, allowed=IMAGE_ONLY)
    with transaction.atomic():
        proposal = Proposal(
            estate=estate,
            council=council,
            proposer=user,
            household=household,
            title=title.strip(),
            description=description.strip(),
            category=category,
        )
        proposal.full_clean()
        proposal.save()
        ProposalTransition.objects.create(
            proposal=proposal,
            from_state="",
            to_state=S.DRAFT,
            by=user,
            reason=_("Created"),
        )
        for upload in files:
            Attachment.objects.create(
                proposal=proposal, file=upload, original_name=upload.name[:200], uploaded_by=user
            )
        Follow.objects.get_or_create(proposal=proposal, user=user)
        if submit:
            _move(proposal, S.SUBMITTED, by=user, capacity="proposer")
    return proposal


def attachment_add(*, proposal: Proposal, user, files: Iterable) -> list[Attachment]:
    files = list(files)
    if proposal.proposer_id != user.pk and not permissions.can_manage(user, proposal.council):
        raise PermissionDenied(_("Only the proposer or staff can add photos."))
    validate_uploads(files, allowed=IMAGE_ONLY)
    return [
        Attachment.objects.create(
            proposal=proposal, file=upload, original_name=upload.name[:200], uploaded_by=user
        )
        for upload in files
    ]


def proposal_from_problem(
    *, estate: Estate, title: str, description: str, raised_by, note: str = ""
) -> Proposal:
    """Turn a problem found elsewhere (e.g. a party member's household visit) into a submitted
    proposal of the estate's council. Raises ValidationError when the estate has no council."""
    note = str(note or "")
    council = _council_of(estate)
    household = None
    if raised_by is not None and getattr(raised_by, "is_resident", False):
        verified = raised_by.verified_household
        if verified is not None and verified.building.estate_id == estate.pk:
            household = verified
    with transaction.atomic():
        proposal = Proposal(
            estate=estate,
            council=council,
            proposer=raised_by,
            household=household,
            # The problem's text may span lines; a title is one line (e-mail subjects).
            title=" ".join(title.split())[:120],
            description=description.strip(),
            source_note=" ".join(note.split())[:200],
        )
        proposal.full_clean()
        proposal.save()
        ProposalTransition.objects.create(
            proposal=proposal,
            from_state="",
            to_state=S.DRAFT,
            by=raised_by,
            reason=note or _("Created from a reported problem"),
        )
        _move(proposal, S.SUBMITTED, by=raised_by, reason=note, capacity="proposer")
    return proposal


def proposal_submit(*, proposal: Proposal, by) -> Proposal:
    return proposal_transition(proposal=proposal, to_state=S.SUBMITTED, by=by)


def proposal_withdraw(*, proposal: Proposal, by, reason: str = "") -> Proposal:
    """The proposer withdraws before acceptance."""
    return proposal_transition(proposal=proposal, to_state=S.WITHDRAWN, by=by, reason=reason)


def proposal_accept(*, proposal: Proposal, by, reason: str = "") -> Proposal:
    return proposal_transition(proposal=proposal, to_state=S.ACCEPTED, by=by, reason=reason)


def proposal_reject(*, proposal: Proposal, by, reason: str) -> Proposal:
    return proposal_transition(proposal=proposal, to_state=S.REJECTED, by=by, reason=reason)


SUPPORTABLE = (S.SUBMITTED, S.ACCEPTED, S.SCHEDULED)


def proposal_support(*, proposal: Proposal, user) -> Support:
    """附议 once per household. A repeated or concurrent request from the same household returns
    the existing support (the database constraint decides); reaching the council's threshold of
    distinct households accepts a submitted proposal automatically."""
    household = _resident_household(user)
    if household.building.estate_id != proposal.estate_id:
        raise PermissionDenied(_("You can only support proposals of your own estate."))
    if proposal.household_id == household.pk:
        raise ValidationError(_("Your household raised this proposal."))
    try:
        with transaction.atomic():
            locked = _lock(proposal)
            existing = Support.objects.filter(proposal=locked, household=household).first()
            if existing is not None:
                return existing
            if locked.state not in SUPPORTABLE:
                raise ValidationError(
                    _("A proposal that is %(state)s cannot be supported.")
                    % {"state": S(locked.state).label}
                )
            support = Support.objects.create(proposal=locked, household=household, user=user)
            support.created_now = True  # this request created it (the API answers 201)
            Follow.objects.get_or_create(proposal=locked, user=user)
            count = locked.supports.count()
            if locked.state == S.SUBMITTED and count >= locked.council.supports_needed:
                _move(
                    locked,
                    S.ACCEPTED,
                    by=None,
                    capacity="system",
                    reason=_("%(count)d households supported it (%(needed)d needed).")
                    % {"count": count, "needed": locked.council.supports_needed},
                )
            return support
    except IntegrityError:
        # Another request of the same household won the race: return its support.
        return Support.objects.get(proposal=proposal, household=household)


def proposal_follow(*, proposal: Proposal, user, follow: bool = True) -> bool:
    if follow:
        Follow.objects.get_or_create(proposal=proposal, user=user)
    else:
        Follow.objects.filter(proposal=proposal, user=user).delete()
    return follow


def outcome_rate(*, proposal: Proposal, user, stars: int, comment: str = "") -> OutcomeRating:
    """The proposer rates the outcome of a done proposal once, 1..5."""
    proposal = Proposal.objects.get(pk=proposal.pk)
    if proposal.proposer_id != user.pk:
        raise PermissionDenied(_("Only the proposer can rate the outcome."))
    if proposal.state != S.DONE:
        raise ValidationError(_("Only a done proposal can be rated."))
    if not 1 <= int(stars) <= 5:
        raise ValidationError({"stars": _("Give 1 to 5 stars.")})
    try:
        with transaction.atomic():
            return OutcomeRating.objects.create(
                proposal=proposal, user=user, stars=int(stars), comment=comment
            )
    except IntegrityError as error:
        raise ValidationError(_("You have already rated this outcome.")) from error


# --- Sessions and votes ---------------------------------------------------------------------------


def _require_manager(user, council: Council) -> None:
    if not permissions.can_manage(user, council):
        raise PermissionDenied(_("Only the council's secretary or staff can do this."))


def session_create(*, council: Council, date: datetime.date, place: str = "", by) -> Session:
    _require_manager(by, council)
    return Session.objects.create(council=council, date=date, place=place)


def agenda_add(
    *, session: Session, proposal: Proposal, by, kind: str = AgendaItem.Kind.VOTE
) -> AgendaItem:
    """Put an accepted (or already scheduled) proposal on a session's agenda; rounds are counted
    across sessions."""
    _require_manager(by, session.council)
    if proposal.council_id != session.council_id:
        raise ValidationError(_("The proposal belongs to another council."))
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.status == Session.Status.CLOSED:
            raise ValidationError(_("The session is closed."))
        locked = _lock(proposal)
        if locked.state not in (S.ACCEPTED, S.SCHEDULED):
            raise ValidationError(
                _("Only an accepted proposal can be put on the agenda (this one is %(state)s).")
                % {"state": S(locked.state).label}
            )
        if AgendaItem.objects.filter(session=session, proposal=locked).exists():
            raise ValidationError(_("The proposal is already on this session's agenda."))
        rounds = AgendaItem.objects.filter(proposal=locked).count()
        item = AgendaItem.objects.create(
            session=session, proposal=locked, round_number=rounds + 1, kind=kind
        )
        if locked.state == S.ACCEPTED:
            _move(
                locked,
                S.SCHEDULED,
                by=by,
                capacity="agenda",
                reason=_("On the agenda of the session of %(date)s.") % {"date": session.date},
            )
    return item


def session_open(*, session: Session, by) -> Session:
    _require_manager(by, session.council)
    updated = Session.objects.filter(pk=session.pk, status=Session.Status.PLANNED).update(
        status=Session.Status.OPEN
    )
    if not updated:
        raise ValidationError(_("Only a planned session can be opened."))
    session.refresh_from_db()
    return session


def attendance_record(
    *, session: Session, representative: Representative, present: bool, by
) -> Attendance:
    _require_manager(by, session.council)
    if representative.council_id != session.council_id:
        raise ValidationError(_("The representative is not on this council."))
    if session.status == Session.Status.CLOSED:
        raise ValidationError(_("The session is closed."))
    attendance, _created = Attendance.objects.update_or_create(
        session=session, representative=representative, defaults={"present": present}
    )
    return attendance


def vote_cast(
    *, agenda_item: AgendaItem, representative: Representative, choice: str, entered_by
) -> Vote:
    """One vote per representative and item. A representative votes for themself in the portal
    while the session is open (which records them present); the secretary or staff enter
    paper votes of present representatives before the session closes."""
    session = agenda_item.session
    council = session.council
    if representative.council_id != council.pk:
        raise PermissionDenied(_("You are not a representative of this council."))
    if not Representative.objects.active_on(session.date).filter(pk=representative.pk).exists():
        raise PermissionDenied(_("The representative's term does not cover this session."))
    is_self = representative.user_id == entered_by.pk
    if not is_self and not permissions.can_manage(entered_by, council):
        raise PermissionDenied(_("Only the representative or the secretary can enter this vote."))
    if choice not in Vote.Choice.values:
        raise ValidationError({"choice": _("Choose for, against or abstain.")})
    if agenda_item.kind != AgendaItem.Kind.VOTE:
        raise ValidationError(_("This agenda item is not put to a vote."))
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.status == Session.Status.CLOSED:
            raise ValidationError(_("The session is closed."))
        if is_self:
            if session.status != Session.Status.OPEN:
                raise ValidationError(_("Voting has not opened for this session."))
            Attendance.objects.update_or_create(
                session=session, representative=representative, defaults={"present": True}
            )
        elif not Attendance.objects.filter(
            session=session, representative=representative, present=True
        ).exists():
            raise ValidationError(_("Only a present representative can vote."))
        try:
            with transaction.atomic():
                return Vote.objects.create(
                    agenda_item=agenda_item,
                    representative=representative,
                    choice=choice,
                    entered_by=entered_by,
                )
        except IntegrityError as error:
            raise ValidationError(
                _("This representative has already voted on this item.")
            ) from error


def tally(*, agenda_item: AgendaItem) -> dict:
    """Count an item by the council's rules (deliberation.md: Sessions and votes)."""
    session = agenda_item.session
    council = session.council
    members = council.active_representatives(session.date).count()
    present = Attendance.objects.filter(session=session, present=True).count()
    counts = dict(
        agenda_item.votes.values_list("choice").annotate(n=Count("pk")).values_list("choice", "n")
    )
    votes_for = counts.get(Vote.Choice.FOR, 0)
    votes_against = counts.get(Vote.Choice.AGAINST, 0)
    votes_abstain = counts.get(Vote.Choice.ABSTAIN, 0)
    cast = votes_for + votes_against + votes_abstain  # abstentions are cast votes
    if not council.has_quorum(present=present, members=members):
        result = AgendaItem.Result.NO_QUORUM
    elif council.passes(
        votes_for=votes_for, votes_cast=cast, important=agenda_item.proposal.is_important
    ):
        result = AgendaItem.Result.PASSED
    else:
        result = AgendaItem.Result.NOT_PASSED
    return {
        "members": members,
        "present": present,
        "votes_for": votes_for,
        "votes_against": votes_against,
        "votes_abstain": votes_abstain,
        "result": result,
    }


def session_close(
    *, session: Session, by, minutes: str = "", resolutions: dict[int, str] | None = None
) -> Session:
    """Close the session: count every item; a passed or failed vote decides the proposal, a
    passed one gets its resolution; without quorum the proposal stays scheduled."""
    _require_manager(by, session.council)
    resolutions = resolutions or {}
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("council").get(pk=session.pk)
        if session.status == Session.Status.CLOSED:
            raise ValidationError(_("The session is already closed."))
        for item in session.agenda.select_related("proposal").order_by("pk"):
            if item.kind == AgendaItem.Kind.DELIBERATE:
                item.result = AgendaItem.Result.DELIBERATED
                item.save(update_fields=["result"])
                continue
            counted = tally(agenda_item=item)
            for field, value in counted.items():
                setattr(item, field, value)
            item.save()
            if item.result == AgendaItem.Result.NO_QUORUM:
                continue
            proposal = _lock(item.proposal)
            passed = item.result == AgendaItem.Result.PASSED
            proposal.outcome = Proposal.Outcome.PASSED if passed else Proposal.Outcome.NOT_PASSED
            summary = _(
                "Round %(round)d: %(for)d for, %(against)d against, %(abstain)d "
                "abstaining of %(present)d present."
            ) % {
                "round": item.round_number,
                "for": item.votes_for,
                "against": item.votes_against,
                "abstain": item.votes_abstain,
                "present": item.present,
            }
            _move(
                proposal,
                S.DECIDED,
                by=by,
                capacity="vote",
                reason=(_("Passed. ") if passed else _("Not passed. ")) + summary,
            )
            if passed:
                text = (resolutions.get(item.pk) or "").strip() or _(
                    "The council resolved to carry out: %(title)s"
                ) % {"title": proposal.title}
                Resolution.objects.create(
                    proposal=proposal, agenda_item=item, text=text, created_by=by
                )
        session.status = Session.Status.CLOSED
        session.closed_at = timezone.now()
        session.closed_by = by
        if minutes:
            session.minutes = minutes
        session.save()
    return session


def resolution_record(*, resolution: Resolution, text: str, by) -> Resolution:
    """Correct a resolution's wording (the vote itself is fixed)."""
    _require_manager(by, resolution.proposal.council)
    if not text.strip():
        raise ValidationError({"text": _("The resolution needs its text.")})
    resolution.text = text.strip()
    resolution.save(update_fields=["text"])
    return resolution


# --- Follow-up ------------------------------------------------------------------------------------


def followup_add(
    *, proposal: Proposal, description: str, responsible_party: str, due_date: datetime.date, by
) -> FollowUpAction:
    """A follow-up action; the first one starts implementing a passed proposal."""
    _require_manager(by, proposal.council)
    with transaction.atomic():
        locked = _lock(proposal)
        if locked.state == S.DECIDED:
            _move(
                locked,
                S.IMPLEMENTING,
                by=by,
                capacity="manager",
                reason=_("Follow-up started: %(action)s") % {"action": description},
            )
        elif locked.state not in (S.IMPLEMENTING, S.ESCALATED):
            raise ValidationError(_("Follow-up actions belong to passed proposals."))
        action = FollowUpAction(
            proposal=locked,
            description=description,
            responsible_party=responsible_party,
            due_date=due_date,
            created_by=by,
        )
        action.full_clean()
        action.save()
    return action


def followup_complete(*, action: FollowUpAction, by) -> FollowUpAction:
    _require_manager(by, action.proposal.council)
    FollowUpAction.objects.filter(pk=action.pk, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=by
    )
    action.refresh_from_db()
    return action


def proposal_close(*, proposal: Proposal, by, closing_note: str) -> Proposal:
    """Implementing -> done when every follow-up is done, with a public closing note."""
    return proposal_transition(proposal=proposal, to_state=S.DONE, by=by, reason=closing_note)


# --- Escalation (three-level resolution) ---------------------------------------------------------


def proposal_escalate(
    *, proposal: Proposal, by, reason: str, due_date: datetime.date | None = None
) -> Escalation:
    """Estate -> community (7 days), or community -> town joint meeting (15 days) with the
    department that the responsibility list names for the proposal's category."""
    with transaction.atomic():
        locked = _lock(proposal)
        council = locked.council
        today = timezone.localdate()
        if locked.state == S.ESCALATED:
            if not permissions.is_council_staff(by, council):
                raise PermissionDenied(_("Only community or township staff can escalate further."))
            open_community = locked.escalations.filter(
                level=Escalation.Level.COMMUNITY, answered_at__isnull=True
            ).first()
            if locked.escalations.filter(
                level=Escalation.Level.TOWN_JOINT_MEETING, answered_at__isnull=True
            ).exists():
                raise ValidationError(_("The proposal is already before the town joint meeting."))
            level = Escalation.Level.TOWN_JOINT_MEETING
            department = (
                ResponsibilityEntry.objects.filter(
                    town_id=council.estate.community.town_id, category=locked.category
                )
                .values_list("department", flat=True)
                .first()
                or ""
            )
            if open_community is not None:
                open_community.answer = _("Referred to the town joint meeting: %(reason)s") % {
                    "reason": reason
                }
                open_community.answered_by = by
                open_community.answered_at = timezone.now()
                open_community.save()
        else:
            if not permissions.can_manage(by, council):
                raise PermissionDenied(_("Only the council's secretary or staff can escalate."))
            level = Escalation.Level.COMMUNITY
            department = ""
        _move(locked, S.ESCALATED, by=by, capacity="escalate", reason=reason)
        escalation = Escalation.objects.create(
            proposal=locked,
            level=level,
            reason=reason.strip(),
            department=department,
            due_date=due_date or today + datetime.timedelta(days=Escalation.DEFAULT_DAYS[level]),
            raised_by=by,
        )
    return escalation


def escalation_answer(
    *, escalation: Escalation, by, answer: str, settles: bool, return_to: str = S.IMPLEMENTING
) -> Escalation:
    """The community (its staff) or the town joint meeting (township staff) answers; an answer
    that settles it returns the proposal to implementing or done."""
    council = escalation.proposal.council
    allowed = (
        permissions.is_council_staff(by, council)
        if escalation.level == Escalation.Level.COMMUNITY
        else permissions.is_town_staff(by, council)
    )
    if not allowed:
        raise PermissionDenied(_("You cannot answer at this level."))
    if not answer.strip():
        raise ValidationError({"answer": _("Write the answer.")})
    if settles and return_to not in (S.IMPLEMENTING, S.DONE):
        raise ValidationError(
            {"return_to": _("A settled proposal returns to implementing or done.")}
        )
    with transaction.atomic():
        locked = _lock(escalation.proposal)
        escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
        if escalation.answered_at is not None:
            raise ValidationError(_("This escalation has already been answered."))
        escalation.answer = answer.strip()
        escalation.answered_by = by
        escalation.answered_at = timezone.now()
        escalation.settled = settles
        escalation.save()
        if settles:
            _move(locked, return_to, by=by, capacity="settle", reason=answer)
    return escalation


# --- Overdue flagging (daily beat task) -----------------------------------------------------------


def _staff_for(council: Council, *, town_level: bool) -> list[User]:
    community = council.estate.community
    qs = User.objects.filter(is_active=True)
    if town_level:
        qs = qs.filter(role=User.Role.TOWNSHIP_STAFF, town_id=community.town_id)
    else:
        qs = qs.filter(
            Q(role=User.Role.COMMUNITY_STAFF, community_id=community.pk)
            | Q(role=User.Role.TOWNSHIP_STAFF, town_id=community.town_id)
        )
    users = list(qs)
    if council.secretary_id and not town_level:
        users.append(council.secretary)
    return list({u.pk: u for u in users}.values())


def flag_overdue(*, today: datetime.date | None = None) -> dict:
    """Flag unanswered escalations and open follow-ups past their due date, once each: the
    conditional UPDATE claims a row, so a repeated run (or two beats at once) flags nothing twice."""
    today = today or timezone.localdate()
    now = timezone.now()
    flagged = {"escalations": 0, "follow_ups": 0}
    overdue = Escalation.objects.filter(
        answered_at__isnull=True, overdue_flagged_at__isnull=True, due_date__lt=today
    ).select_related("proposal__council__estate__community", "proposal__council__secretary")
    for escalation in overdue.iterator(chunk_size=200):
        if not Escalation.objects.filter(pk=escalation.pk, overdue_flagged_at__isnull=True).update(
            overdue_flagged_at=now
        ):
            continue
        town_level = escalation.level == Escalation.Level.TOWN_JOINT_MEETING
        notifications.notify_escalation_overdue(
            escalation, _staff_for(escalation.proposal.council, town_level=town_level)
        )
        flagged["escalations"] += 1
    actions = FollowUpAction.objects.filter(
        done_at__isnull=True, overdue_flagged_at__isnull=True, due_date__lt=today
    ).select_related("proposal__council__estate__community", "proposal__council__secretary")
    for action in actions.iterator(chunk_size=200):
        if not FollowUpAction.objects.filter(pk=action.pk, overdue_flagged_at__isnull=True).update(
            overdue_flagged_at=now
        ):
            continue
        notifications.notify_followup_overdue(
            action, _staff_for(action.proposal.council, town_level=False)
        )
        flagged["follow_ups"] += 1
    return flagged


# --- Problem estates (Chengdu) --------------------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, 3 * quarter - 2, 1)
    end = (
        datetime.date(year + 1, 1, 1) if quarter == 4 else datetime.date(year, 3 * quarter + 1, 1)
    ) - datetime.timedelta(days=1)
    return start, end


def problem_estate_scores(*, town: Town, year: int, quarter: int) -> list[dict]:
    """Every delivered estate of the town with its proposals submitted and escalations raised in
    the quarter per 100 households (Decimal, 2 places), highest first."""
    start, end = quarter_bounds(year, quarter)
    tz = timezone.get_current_timezone()
    lo = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    hi = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    estates = (
        Estate.objects.for_town(town)
        .delivered_on(end)
        .annotate(
            n_proposals=Count(
                "proposals",
                filter=Q(proposals__submitted_at__gte=lo, proposals__submitted_at__lt=hi),
                distinct=True,
            ),
            n_escalations=Count(
                "proposals__escalations",
                filter=Q(
                    proposals__escalations__raised_at__gte=lo,
                    proposals__escalations__raised_at__lt=hi,
                ),
                distinct=True,
            ),
            n_households=Count("buildings__households", distinct=True),
        )
        .order_by("name")
    )
    rows = []
    for estate in estates:
        households = estate.n_households or estate.planned_households
        events = estate.n_proposals + estate.n_escalations
        score = (
            (Decimal(events) * 100 / Decimal(households)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            if households
            else Decimal("0.00")
        )
        rows.append(
            {
                "estate": estate,
                "proposals": estate.n_proposals,
                "escalations": estate.n_escalations,
                "households": households,
                "score": score,
            }
        )
    rows.sort(key=lambda row: (-row["score"], row["estate"].name))
    return rows


def select_problem_estates(rows: list[dict]) -> list[dict]:
    """Top 5 % of the town's estates: ceil(5 % of the estate count) places (at least one).
    Ties at the boundary are all included (an estate is not left off for sharing the last
    score), so the list may be longer; estates with no proposal or escalation are never on it."""
    if not rows:
        return []
    places = max(1, math.ceil(len(rows) * Decimal("0.05")))
    boundary = rows[min(places, len(rows)) - 1]["score"]
    return [row for row in rows if row["score"] >= boundary and row["score"] > 0]


def problem_estates_compute(*, town: Town, year: int, quarter: int, by=None) -> ProblemEstateList:
    """Build the quarter's list with one remediation plan per estate. Idempotent: recomputing
    adds newly qualifying estates and refreshes figures, never removes a plan."""
    selected = select_problem_estates(problem_estate_scores(town=town, year=year, quarter=quarter))
    with transaction.atomic():
        problem_list, _created = ProblemEstateList.objects.get_or_create(
            town=town, year=year, quarter=quarter, defaults={"computed_by": by}
        )
        for row in selected:
            RemediationPlan.objects.update_or_create(
                problem_list=problem_list,
                estate=row["estate"],
                defaults={
                    "score": row["score"],
                    "proposals": row["proposals"],
                    "escalations": row["escalations"],
                    "households": row["households"],
                },
            )
    return problem_list


def remediation_update(
    *, plan: RemediationPlan, by, status: str, text: str | None = None
) -> RemediationPlan:
    if not permissions.is_council_staff(by, _PlanCouncilProxy(plan)):
        raise PermissionDenied(_("Only staff of the estate's community or town can do this."))
    if status not in RemediationPlan.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if text is not None:
        plan.plan = text
    if status == RemediationPlan.Status.DONE and not plan.plan.strip():
        raise ValidationError({"plan": _("Write the plan before marking it done.")})
    plan.status = status
    plan.updated_by = by
    plan.updated_at = timezone.now()
    plan.done_at = plan.updated_at if status == RemediationPlan.Status.DONE else None
    plan.save()
    return plan


class _PlanCouncilProxy:
    """Lets permissions.is_council_staff check an estate that may have no council."""

    def __init__(self, plan: RemediationPlan):
        self.estate = plan.estate
