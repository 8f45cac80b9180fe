"""Sessions and votes: sessions, agendas, attendance, votes and the tally, resolutions and the
follow-up actions of passed proposals (deliberation.md: Sessions and votes)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import rules
from ..councils.services import _lock, _move
from ..models import (
    AgendaItem,
    Attendance,
    Council,
    FollowUpAction,
    Proposal,
    Representative,
    Resolution,
    Session,
    Vote,
)

S = Proposal.State

# --- Sessions and votes ---------------------------------------------------------------------------


def _require_manager(user, council: Council) -> None:
    if not rules.can_manage(user, council):
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
    if not is_self and not rules.can_manage(entered_by, council):
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
