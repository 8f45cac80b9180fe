"""Councils and proposals: the proposal state machine and the residents' writes (create, support,
follow, withdraw, rate). Every state change of a proposal goes through `_move`, which checks the one
table of allowed moves (TRANSITIONS), locks the row, and records who, when and why; the
notification is enqueued through the outbox (deliberation.notifications)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Estate, Household
from governance.security import audit
from governance.tasks import enqueue_on_commit
from governance.uploads import IMAGE_ONLY, validate_uploads

from .. import notifications, rules
from ..models import (
    Attachment,
    Council,
    Follow,
    OutcomeRating,
    Proposal,
    ProposalTransition,
    Support,
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
    if rules.can_manage(user, proposal.council):
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
    if not user.is_authenticated or not rules.is_resident(user):
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
    if proposal.proposer_id != user.pk and not rules.can_manage(user, proposal.council):
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
    if raised_by is not None and rules.is_resident(raised_by):
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
            transaction.on_commit(
                lambda: notifications.notify_proposer(
                    locked, actor=user, event="support", key=f"support:{support.pk}"
                )
            )
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


def proposal_close(*, proposal: Proposal, by, closing_note: str) -> Proposal:
    """Implementing -> done when every follow-up is done, with a public closing note."""
    return proposal_transition(proposal=proposal, to_state=S.DONE, by=by, reason=closing_note)
