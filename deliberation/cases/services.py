"""Writes on cases (cases.md): intake, dispatch, moves, escalation, rating, joint meetings.

Every service is keyword-only, owns its transaction, locks the case it moves, records a CaseEvent
(who, when, why) and an audit event, and notifies the reporter and the new handler on commit.
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.departments import Department
from communities.models import Community, ServiceContract, Town
from governance.security import audit

from . import deadlines
from .defaults import DEFAULT_DUTIES
from .models import (
    NEXT_LEVEL,
    Assignment,
    CalendarDay,
    Case,
    CaseCategory,
    CaseEvent,
    CaseFollower,
    CasePhoto,
    CaseSettings,
    DutyItem,
    JointMeeting,
    Level,
    MeetingDecision,
    Reply,
)
from .notify import notify_case_event, notify_co_departments

logger = logging.getLogger(__name__)
State = Case.State
Kind = CaseEvent.Kind
End = Assignment.End
OPEN_ASSIGNMENT = Q(ended_at__isnull=True)


# --- settings and the responsibility list -------------------------------------------------


def settings_for(town_id: int) -> CaseSettings:
    """The town's case settings, or the spec's defaults when staff have not edited any."""
    return CaseSettings.objects.filter(town_id=town_id).first() or CaseSettings(town_id=town_id)


def responsibility_list_ensure(*, town: Town) -> int:
    """Create the default departments, categories (C01..C99), deadlines and duty lists the town
    lacks, from its district's or city's defaults where set (regions.md; cases/region_defaults.py);
    returns how many categories were created. Existing rows are left as staff edited them."""
    from .region_defaults import category_rows, settings_ensure

    created = 0
    with transaction.atomic():
        settings_ensure(town)
        for code, name, first_level, department_name in category_rows(town):
            department, _new = Department.objects.get_or_create(town=town, name=department_name)
            _category, is_new = CaseCategory.objects.get_or_create(
                town=town,
                code=code,
                defaults={"name": name, "first_level": first_level, "department": department},
            )
            created += is_new
        if not DutyItem.objects.filter(town=town).exists():
            DutyItem.objects.bulk_create(
                DutyItem(town=town, holder=holder, position=i, text=text)
                for holder, items in DEFAULT_DUTIES.items()
                for i, text in enumerate(items)
            )
    return created


# --- events ---------------------------------------------------------------------------------


def _event(case, kind, *, by=None, at=None, reason="", from_state="", assignment=None, via=""):
    event = CaseEvent.objects.create(
        case=case,
        kind=kind,
        at=at or timezone.now(),
        by=by,
        reason=reason,
        from_state=from_state,
        to_state=case.state,
        assignment=assignment,
    )
    details = {"case": case.pk, "kind": kind, "from": from_state, "to": case.state}
    if via:
        details["via"] = via
    audit.record(
        audit.Action.OTHER,
        actor=by,
        obj=case,
        summary=f"case {kind}",
        details=details,
        at=event.at,
    )
    notify_case_event(event)
    return event


# --- assignment -----------------------------------------------------------------------------


def _first_level_handler(case: Case, level: str, on: datetime.date):
    """(level, handler kwargs) by the responsibility list; an estate without a company on that
    day starts at community level (cases.md: three-without and self-managed estates)."""
    if level == Level.ESTATE:
        contract = (
            ServiceContract.objects.active_on(on)
            .filter(estate_id=case.estate_id)
            .order_by("-valid_from")
            .first()
        )
        if contract is not None:
            return Level.ESTATE, {"company_id": contract.company_id}
        level = Level.COMMUNITY
    if level == Level.COMMUNITY:
        return Level.COMMUNITY, {"community_id": case.estate.community_id}
    if level == Level.TOWN:
        if case.category.department_id is None:
            raise ValidationError(
                _("The responsibility list names no town department for category %(code)s.")
                % {"code": case.category.code}
            )
        return Level.TOWN, {"department_id": case.category.department_id}
    return Level.JOINT_MEETING, None


def _open_assignment(case: Case) -> Assignment | None:
    return case.assignments.filter(OPEN_ASSIGNMENT).first()


def _assign(case, *, level, handler, at, by=None, misroute=False, reply_due=None):
    """A new assignment of `case` at `at` (its deadlines computed now and stored)."""
    dl = deadlines.assignment_deadlines(
        settings=settings_for(case.town_id), level=level, assigned_at=at, urgent=case.urgent
    )
    assignment = Assignment.objects.create(
        case=case,
        level=level,
        assigned_at=at,
        assigned_by=by,
        accept_due=dl.accept_due if reply_due is None else min(dl.accept_due, reply_due),
        reply_due=reply_due or dl.reply_due,
        deadline_estimated=dl.estimated,
        misroute=misroute,
        **handler,
    )
    case.level = level
    case.state = State.ASSIGNED
    case.save(update_fields=["level", "state", *_note_first_handler(case, assignment)])
    return assignment


def _note_first_handler(case: Case, assignment: Assignment) -> list[str]:
    """Keep the case's first handlers (models.Case.first_*) as `assignment` is made; returns the
    fields it set. Only ever fills an empty field: the first stays the first."""
    changed = []
    if case.first_assignment_id is None:
        case.first_assignment_id = assignment.pk
        changed.append("first_assignment")
    if case.first_company_id is None and assignment.level == Level.ESTATE and assignment.company_id:
        case.first_company_id = assignment.company_id
        changed.append("first_company")
    if (
        case.first_department_id is None
        and assignment.level == Level.TOWN
        and assignment.department_id
    ):
        case.first_department_id = assignment.department_id
        changed.append("first_department")
    return changed


def first_handlers_fill(*, cases) -> int:
    """Fill the first handlers of `cases` from their assignments (for rows written in bulk, as
    the demo and the benchmark do; migration 0009 did the same for existing cases)."""
    from django.db.models import OuterRef, Subquery

    def first(field, **filters):
        return Subquery(
            Assignment.objects.filter(case=OuterRef("pk"), **filters)
            .order_by("assigned_at", "pk")
            .values(field)[:1]
        )

    return Case.objects.filter(pk__in=cases.values("pk")).update(
        first_assignment=first("pk"),
        first_company=first("company_id", level=Level.ESTATE, company__isnull=False),
        first_department=first("department_id", level=Level.TOWN, department__isnull=False),
    )


def _move_to_level(case, *, level, at, by=None, reason="", kind=Kind.ESCALATED, via=""):
    """Put `case` at `level` from `at`: an assignment, or the joint meeting's agenda."""
    from_state = case.state
    level, handler = _first_level_handler(case, level, timezone.localdate(at))
    if handler is None:
        case.level = level
        case.state = State.RECEIVED  # on the joint meeting's agenda, awaiting its decision
        case.save(update_fields=["level", "state"])
        _event(case, kind, by=by, at=at, reason=reason, from_state=from_state, via=via)
        return None
    assignment = _assign(case, level=level, handler=handler, at=at, by=by)
    _event(
        case,
        kind,
        by=by,
        at=at,
        reason=reason,
        from_state=from_state,
        assignment=assignment,
        via=via,
    )
    return assignment


def _end(assignment: Assignment, end: str, at):
    assignment.ended_at = at
    assignment.end = end
    assignment.save(update_fields=["ended_at", "end"])


def _locked(case: Case) -> Case:
    # of=self: the estate and category rows are read, not locked (other cases share them).
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("estate", "category")
        .get(pk=case.pk)
    )


# --- intake ---------------------------------------------------------------------------------


def _one_line(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("A case needs a title.")})
    if "\n" in title or "\r" in title:
        raise ValidationError({"title": _("The title is one line.")})
    return title


def possible_duplicates(*, estate, category, at=None, exclude_pk=None):
    """Open cases of the same estate and category received less than the town's window ago."""
    at = at or timezone.now()
    window = settings_for(estate.community.town_id).duplicate_days
    return (
        Case.objects.open()
        .filter(
            estate=estate,
            category=category,
            merged_into__isnull=True,
            received_at__gt=at - datetime.timedelta(days=window),
            received_at__lte=at,
        )
        .exclude(pk=exclude_pk)
        .order_by("-received_at")
    )


def case_receive(
    *,
    estate,
    category: CaseCategory,
    title: str,
    source: str,
    description: str = "",
    reporter=None,
    building=None,
    household=None,
    caller_name: str = "",
    caller_phone: str = "",
    caller_email: str = "",
    lat=None,
    long=None,
    ticket: str = "",
    received_at: datetime.datetime | None = None,
    urgent: bool = False,
    photos=(),
    by=None,
    via: str = "",
    level: str | None = None,
    proposal=None,
) -> Case:
    """File a case and assign it on receipt by the responsibility list (a hotline ticket at its
    received time, so old tickets get their deadlines as of then and escalate as overdue).
    `level` overrides the category's first level (an escalated proposal starts above the
    estate); `proposal` links the council proposal the case came from."""
    from governance.uploads import IMAGE_ONLY, validate_uploads

    errors = {}
    town_id = estate.community.town_id
    try:
        title = _one_line(title)
    except ValidationError as error:
        errors.update(error.message_dict)
    if category.town_id != town_id:
        errors["category"] = [_("The category is not in the estate's town.")]
    if building is not None and building.estate_id != estate.pk:
        errors["building"] = [_("The building is not in the estate.")]
    if household is not None:
        if building is None:
            building = household.building
        if household.building_id != building.pk:
            errors["household"] = [_("The household is not in the building.")]
    now = timezone.now()
    received_at = received_at or now
    if received_at > now:
        errors["received_at"] = [_("The received time is in the future.")]
    if source not in Case.Source.values:
        errors["source"] = [_("Unknown source.")]
    if photos:
        try:
            validate_uploads(photos, allowed=IMAGE_ONLY)
        except ValidationError as error:
            errors["photos"] = error.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if ticket and Case.objects.filter(town_id=town_id, ticket=ticket).exists():
            raise ValidationError({"ticket": _("This ticket is already in the town's cases.")})
        case = Case.objects.create(
            town_id=town_id,
            estate=estate,
            building=building,
            household=household,
            category=category,
            title=title,
            description=description,
            source=source,
            reporter=reporter,
            caller_name=caller_name,
            caller_phone=caller_phone,
            caller_email=caller_email,
            lat=lat,
            long=long,
            ticket=ticket,
            received_at=received_at,
            urgent=urgent,
            level=level or category.first_level,
            proposal=proposal,
            is_demo=False,
        )
        for upload in photos:
            CasePhoto.objects.create(case=case, file=upload, original_name=upload.name[:200])
        _event(case, Kind.RECEIVED, by=by or reporter, at=received_at, via=via)
        _move_to_level(
            case,
            level=level or category.first_level,
            at=received_at,
            by=by,
            kind=Kind.ASSIGNED,
            via=via,
        )
    return case


# --- handler moves --------------------------------------------------------------------------


def case_accept(*, case: Case, by, at=None) -> Assignment:
    """签收: accepting after the acceptance deadline is allowed, counted late, and moves nothing."""
    at = at or timezone.now()
    with transaction.atomic():
        case = _locked(case)
        assignment = _open_assignment(case)
        if assignment is None or assignment.accepted_at is not None:
            raise ValidationError(_("There is nothing to accept on this case."))
        from_state = case.state
        assignment.accepted_at = at
        assignment.accepted_late = at > assignment.accept_due
        assignment.save(update_fields=["accepted_at", "accepted_late"])
        case.state = State.ACCEPTED
        case.save(update_fields=["state"])
        _event(case, Kind.ACCEPTED, by=by, at=at, from_state=from_state, assignment=assignment)
    return assignment


def case_return(*, case: Case, by, reason: str, at=None) -> Assignment:
    """A wrongly assigned case goes back to the dispatcher, within the acceptance deadline."""
    at = at or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the case is returned.")})
    with transaction.atomic():
        case = _locked(case)
        assignment = _open_assignment(case)
        if assignment is None or assignment.accepted_at is not None:
            raise ValidationError(_("Only a case not yet accepted can be returned."))
        if at > assignment.accept_due:
            raise ValidationError(
                _("The acceptance deadline has passed: the case cannot be returned.")
            )
        from_state = case.state
        assignment.return_reason = reason[:300]
        _end(assignment, End.RETURNED, at)
        assignment.save(update_fields=["return_reason"])
        case.state = State.RECEIVED
        case.save(update_fields=["state"])
        _event(
            case, Kind.RETURNED, by=by, at=at, reason=reason, from_state=from_state,
            assignment=assignment,
        )  # fmt: skip
    return assignment


def case_reassign(
    *,
    case: Case,
    by,
    level: str,
    reason: str = "",
    company=None,
    community: Community | None = None,
    department: Department | None = None,
    at=None,
) -> Assignment:
    """The dispatcher's new assignment of a returned case: new deadlines, counted as a misroute."""
    at = at or timezone.now()
    handlers = [h for h in (company, community, department) if h is not None]
    if len(handlers) != 1:
        raise ValidationError(_("Choose exactly one handler."))
    if department is not None and department.town_id != case.town_id:
        raise ValidationError({"department": _("The department is not in the case's town.")})
    if community is not None and community.town_id != case.town_id:
        raise ValidationError({"community": _("The community is not in the case's town.")})
    with transaction.atomic():
        case = _locked(case)
        if case.state != State.RECEIVED or _open_assignment(case) is not None:
            raise ValidationError(_("Only a returned case awaiting dispatch can be reassigned."))
        handler = {
            "company_id": company and company.pk,
            "community_id": community and community.pk,
            "department_id": department and department.pk,
        }
        handler = {k: v for k, v in handler.items() if v}
        from_state = case.state
        assignment = _assign(case, level=level, handler=handler, at=at, by=by, misroute=True)
        _event(
            case, Kind.REASSIGNED, by=by, at=at, reason=reason, from_state=from_state,
            assignment=assignment,
        )  # fmt: skip
    return assignment


def case_reply(*, case: Case, by, text: str, evidence=(), at=None) -> Reply:
    from governance.uploads import validate_uploads

    at = at or timezone.now()
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the result.")})
    if evidence:
        validate_uploads(evidence)
    with transaction.atomic():
        case = _locked(case)
        assignment = _open_assignment(case)
        if assignment is None:
            raise ValidationError(_("The case has no open assignment to reply to."))
        from_state = case.state
        reply = Reply.objects.create(
            case=case, assignment=assignment, text=text, by=by, at=at,
            on_time=at <= assignment.reply_due,
        )  # fmt: skip
        for upload in evidence:
            CasePhoto.objects.create(
                case=case, reply=reply, file=upload, original_name=upload.name[:200]
            )
        if assignment.accepted_at is None:  # replying is accepting
            assignment.accepted_at = at
            assignment.accepted_late = at > assignment.accept_due
            assignment.save(update_fields=["accepted_at", "accepted_late"])
        _end(assignment, End.REPLIED, at)
        case.state = State.REPLIED
        case.replied_at = at
        case.rating_due = deadlines.rating_deadline(
            settings=settings_for(case.town_id), replied_at=at
        )
        case.save(update_fields=["state", "replied_at", "rating_due"])
        _event(case, Kind.REPLIED, by=by, at=at, from_state=from_state, assignment=assignment)
    return reply


def case_escalate(*, case: Case, by, reason: str, at=None) -> Assignment | None:
    """The handler hands the case one level up, with a reason."""
    at = at or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the case is escalated.")})
    with transaction.atomic():
        case = _locked(case)
        assignment = _open_assignment(case)
        if assignment is None or case.level == Level.JOINT_MEETING:
            raise ValidationError(_("This case cannot be escalated."))
        _end(assignment, End.ESCALATED, at)
        return _move_to_level(case, level=NEXT_LEVEL[case.level], at=at, by=by, reason=reason)


def escalate_overdue(*, now=None, batch: int = 500, cases=None) -> int:
    """The hourly pass: every open assignment below the joint meeting whose reply deadline has
    passed goes one level up, assigned at the missed deadline (so deadlines never depend on when
    the pass runs). Repeats until nothing is overdue, so an old ticket climbs every level it
    missed. Safe to rerun: each case is locked and its assignment re-read before it moves.
    Set-based: a batch of cases moves in a fixed number of queries (_escalate_batch), whatever
    its size. `cases` limits the pass to those cases (the demo settles its own generated year)."""
    now = now or timezone.now()
    moved = 0
    stuck: set[int] = set()  # cases that cannot move (no department named): left for staff
    overdue = Assignment.objects.filter(OPEN_ASSIGNMENT, reply_due__lt=now).exclude(
        level=Level.JOINT_MEETING
    )
    if cases is not None:
        overdue = overdue.filter(case__in=cases)
    while True:
        case_ids = list(
            overdue.exclude(case_id__in=stuck)
            .order_by("reply_due", "pk")
            .values_list("case_id", flat=True)[:batch]
        )
        if not case_ids:
            return moved
        done, failed = _escalate_batch(case_ids=case_ids, now=now)
        moved += done
        stuck |= failed
        if not done and not failed:
            return moved  # every listed case is locked by another worker


def _escalate_batch(*, case_ids, now) -> tuple[int, set[int]]:
    """Move the overdue cases of `case_ids` one level up in one transaction and a constant
    number of queries: lock the cases (skipping those another worker holds), re-read their
    overdue assignments, end them at their missed deadline, create the next level's assignments
    with deadlines from one calendar, save the cases, and record the events, their audit rows
    and one outbox message for all their notifications. Returns (moved, failed case ids)."""
    from governance.models import AuditEvent
    from governance.tasks import enqueue_on_commit

    from .notify import notify_case_events_task

    reason = _("The reply deadline passed.")
    with transaction.atomic():
        # The cases first, as every other service locks them: no lock-order deadlock.
        locked = list(
            Case.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("estate", "category")
            .filter(pk__in=case_ids)
            .order_by("pk")
        )
        if not locked:
            return 0, set()
        # Replied, returned or escalated since listed: no longer open and overdue, not moved.
        overdue = {
            a.case_id: a
            for a in Assignment.objects.filter(
                OPEN_ASSIGNMENT, case__in=[c.pk for c in locked], reply_due__lt=now
            ).exclude(level=Level.JOINT_MEETING)
        }
        town_settings = {
            s.town_id: s
            for s in CaseSettings.objects.filter(town_id__in={c.town_id for c in locked})
        }
        moving, failed = [], set()
        for case in locked:
            assignment = overdue.get(case.pk)
            if assignment is None:
                continue
            level = NEXT_LEVEL[assignment.level]
            if level == Level.TOWN and case.category.department_id is None:
                # The case stays where it is (still overdue, on the queues) until staff name a
                # department for the category in the responsibility list.
                logger.warning(
                    "case %s not escalated: no town department for category %s",
                    case.pk,
                    case.category.code,
                )
                failed.add(case.pk)
                continue
            moving.append((case, assignment, level))
        if not moving:
            return 0, failed

        def settings_of(case):
            return town_settings.get(case.town_id) or CaseSettings(town_id=case.town_id)

        # One calendar (one query) for every deadline of the batch.
        days = [timezone.localtime(a.reply_due, deadlines.SHANGHAI).date() for _c, a, _l in moving]
        longest = (
            max(
                max(settings_of(c).reply_days(lv), settings_of(c).accept_days)
                for c, _a, lv in moving
                if lv != Level.JOINT_MEETING
            )
            if any(lv != Level.JOINT_MEETING for _c, _a, lv in moving)
            else 0
        )
        calendar = deadlines.Calendar.load(min(days), deadlines.span_end(max(days), longest))
        Assignment.objects.filter(pk__in=[a.pk for _c, a, _l in moving]).update(
            ended_at=F("reply_due"), end=End.AUTO_ESCALATED
        )
        new_assignments = []
        for case, assignment, level in moving:
            if level == Level.JOINT_MEETING:
                continue  # on the joint meeting's agenda, awaiting its decision
            handler = (
                {"community_id": case.estate.community_id}
                if level == Level.COMMUNITY
                else {"department_id": case.category.department_id}
            )
            dl = deadlines.assignment_deadlines(
                settings=settings_of(case),
                level=level,
                assigned_at=assignment.reply_due,
                urgent=case.urgent,
                calendar=calendar,
            )
            new_assignments.append(
                Assignment(
                    case=case,
                    level=level,
                    assigned_at=assignment.reply_due,
                    accept_due=dl.accept_due,
                    reply_due=dl.reply_due,
                    deadline_estimated=dl.estimated,
                    **handler,
                )  # fmt: skip
            )
        Assignment.objects.bulk_create(new_assignments)
        new_of = {a.case_id: a for a in new_assignments}
        events, audits = [], []
        for case, assignment, level in moving:
            from_state = case.state
            new = new_of.get(case.pk)
            case.level = level
            case.state = State.ASSIGNED if new is not None else State.RECEIVED
            if new is not None:
                _note_first_handler(case, new)
            events.append(
                CaseEvent(
                    case=case,
                    kind=Kind.AUTO_ESCALATED,
                    at=assignment.reply_due,
                    reason=reason,
                    from_state=from_state,
                    to_state=case.state,
                    assignment=new,
                )  # fmt: skip
            )
            audits.append(
                AuditEvent(
                    at=assignment.reply_due,
                    action=audit.Action.OTHER,
                    object_type="deliberation.case",
                    object_id=str(case.pk),
                    summary=f"case {Kind.AUTO_ESCALATED}",
                    details={
                        "case": case.pk,
                        "kind": Kind.AUTO_ESCALATED,
                        "from": from_state,
                        "to": case.state,
                    },
                )  # fmt: skip
            )
        Case.objects.bulk_update(
            [case for case, _a, _l in moving],
            ["level", "state", "first_assignment", "first_company", "first_department"],
        )
        CaseEvent.objects.bulk_create(events)
        AuditEvent.objects.bulk_create(audits)
        # One outbox message tells everyone of the whole batch (notify.send per event, each
        # idempotent per user and event).
        enqueue_on_commit(notify_case_events_task, [e.pk for e in events])
    return len(moving), failed


def flag_overdue_meeting_assignments(*, now=None) -> int:
    """Joint-meeting assignments past their deadline go no higher: flagged to township staff once."""
    now = now or timezone.now()
    flagged = 0
    for pk in Assignment.objects.filter(
        OPEN_ASSIGNMENT,
        level=Level.JOINT_MEETING,
        reply_due__lt=now,
        overdue_flagged_at__isnull=True,
    ).values_list("pk", flat=True):
        with transaction.atomic():
            # Claimed by a conditional UPDATE: a rerun flags nothing twice.
            if not Assignment.objects.filter(pk=pk, overdue_flagged_at__isnull=True).update(
                overdue_flagged_at=now
            ):
                continue
            assignment = Assignment.objects.select_related("case").get(pk=pk)
            # Its notification goes to the town's township staff (notify.recipients).
            _event(
                assignment.case,
                Kind.OVERDUE_FLAGGED,
                at=now,
                reason=_("The joint meeting's deadline passed."),
                from_state=assignment.case.state,
                assignment=assignment,
            )
            flagged += 1
    return flagged


# --- rating and closing ---------------------------------------------------------------------


def _settle_proposal(case: Case, *, by=None) -> None:
    """A closed case returns the escalated proposal it came from to implementing."""
    if not case.proposal_id:
        return
    from ..councils.services import _lock, _move
    from ..models import Proposal

    proposal = _lock(Proposal.objects.get(pk=case.proposal_id))
    if proposal.state == Proposal.State.ESCALATED:
        _move(
            proposal,
            Proposal.State.IMPLEMENTING,
            by=by,
            capacity="settle",
            reason=_("Case %(number)s closed.") % {"number": case.number},
        )


def case_rate(*, case: Case, by, rating: int, comment: str = "", callback: bool = False, at=None):
    """The reporter's rating (or staff's record of it on a callback); 1-2 reopens one level up."""
    at = at or timezone.now()
    if rating not in (1, 2, 3, 4, 5):
        raise ValidationError({"rating": _("A rating is 1 to 5.")})
    with transaction.atomic():
        case = _locked(case)
        if case.state != State.REPLIED:
            raise ValidationError(_("Only a replied case can be rated."))
        from_state = case.state
        case.rating = rating
        case.rating_comment = (comment or "")[:300]
        case.rated_at = at
        case.rated_by_callback = callback
        if rating <= 2:
            case.reopened_count += 1
            case.rating_due = None
            case.save()
            _event(case, Kind.RATED, by=by, at=at, reason=str(rating), from_state=from_state)
            _move_to_level(
                case,
                level=NEXT_LEVEL[case.level],
                at=at,
                by=by,
                reason=comment or _("Rated %(rating)s.") % {"rating": rating},
                kind=Kind.REOPENED,
            )
        else:
            case.state = State.CLOSED
            case.closed_at = at
            case.close_reason = Case.CloseReason.RATED
            case.save()
            _event(case, Kind.RATED, by=by, at=at, reason=str(rating), from_state=from_state)
            _settle_proposal(case, by=by)
    return case


def close_unrated(*, now=None) -> int:
    """Replied cases with no rating by their rating deadline close as not rated (idempotent:
    the state condition of the UPDATE claims each case once)."""
    now = now or timezone.now()
    closed = 0
    for pk in Case.objects.filter(state=State.REPLIED, rating_due__lt=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            case = Case.objects.filter(pk=pk).first()
            if not Case.objects.filter(pk=pk, state=State.REPLIED).update(
                state=State.CLOSED,
                closed_at=case.rating_due,
                close_reason=Case.CloseReason.NOT_RATED,
            ):
                continue
            case.refresh_from_db()
            _event(case, Kind.CLOSED, at=case.closed_at, from_state=State.REPLIED,
                   reason=_("Not rated in time."))  # fmt: skip
            _settle_proposal(case)
            closed += 1
    return closed


# --- duplicates and proposals ---------------------------------------------------------------


def case_merge(*, duplicate: Case, into: Case, by, at=None) -> Case:
    """The dispatcher merges a duplicate: it closes, its reporter follows the kept case."""
    at = at or timezone.now()
    if duplicate.pk == into.pk:
        raise ValidationError(_("A case cannot be merged into itself."))
    if duplicate.estate_id != into.estate_id:
        raise ValidationError(_("Only cases of the same estate can be merged."))
    with transaction.atomic():
        kept = _locked(into)
        duplicate = _locked(duplicate)
        if kept.state == State.CLOSED or duplicate.state == State.CLOSED:
            raise ValidationError(_("Closed cases cannot be merged."))
        assignment = _open_assignment(duplicate)
        if assignment is not None:
            _end(assignment, End.CLOSED, at)
        from_state = duplicate.state
        duplicate.state = State.CLOSED
        duplicate.closed_at = at
        duplicate.close_reason = Case.CloseReason.MERGED
        duplicate.merged_into = kept
        duplicate.save(update_fields=["state", "closed_at", "close_reason", "merged_into"])
        followers = {duplicate.reporter_id} | set(
            duplicate.followers.values_list("user_id", flat=True)
        )
        followers.discard(None)
        followers.discard(kept.reporter_id)
        for user_id in followers:
            CaseFollower.objects.get_or_create(case=kept, user_id=user_id)
        _event(duplicate, Kind.MERGED, by=by, at=at, from_state=from_state,
               reason=_("Merged into case %(number)s.") % {"number": kept.number})  # fmt: skip
    return kept


def case_follow(*, case: Case, user, household=None) -> bool:
    """A visitor who finds the household's problem already open as `case` follows it instead of
    filing a duplicate (told of every move, like a merged duplicate's reporter). Returns True
    when the user was not following it yet."""
    if case.state == State.CLOSED:
        raise ValidationError(_("The case is closed."))
    if household is not None and household.building.estate_id != case.estate_id:
        raise ValidationError(_("The case is not in the household's estate."))
    with transaction.atomic():
        _follower, created = CaseFollower.objects.get_or_create(case=case, user=user)
        if created:
            audit.record(audit.Action.OTHER, actor=user, obj=case,
                         summary="follows the case (same problem raised in a visit)")  # fmt: skip
    return created


def case_to_proposal(*, case: Case, by, council=None):
    """A matter for the residents' own decision becomes a council proposal; the link is kept."""
    from deliberation.models import Council, Proposal

    with transaction.atomic():
        case = _locked(case)
        if case.proposal_id:
            raise ValidationError(_("This case is already a proposal."))
        council = council or Council.objects.filter(estate_id=case.estate_id).first()
        if council is None:
            raise ValidationError(_("The estate has no round-table council."))
        proposal = Proposal.objects.create(
            estate_id=case.estate_id,
            council=council,
            proposer=case.reporter,
            household=case.household,
            title=case.title,
            description=case.description or case.title,
            source_note=_("Case %(number)s") % {"number": case.number},
        )
        case.proposal = proposal
        case.save(update_fields=["proposal"])
        _event(case, Kind.PROPOSAL, by=by, from_state=case.state)
    return proposal


# --- joint meetings -------------------------------------------------------------------------


def meeting_agenda(*, town_id: int):
    """Escalated cases awaiting the joint meeting's decision."""
    return (
        Case.objects.filter(town_id=town_id, level=Level.JOINT_MEETING, state=State.RECEIVED)
        .select_related("estate", "category")
        .order_by("received_at")
    )


def meeting_record(*, town: Town, date: datetime.date, chair: str, by, departments=(),
                   minutes: str = "") -> JointMeeting:  # fmt: skip
    if any(d.town_id != town.pk for d in departments):
        raise ValidationError({"departments": _("A department is not in the town.")})
    with transaction.atomic():
        meeting = JointMeeting.objects.create(
            town=town, date=date, chair=chair, minutes=minutes, recorded_by=by
        )
        meeting.departments.set(departments)
        audit.record(audit.Action.OTHER, actor=by, obj=meeting, summary="joint meeting recorded")
    return meeting


def meeting_decide(
    *,
    meeting: JointMeeting,
    case: Case,
    by,
    text: str,
    closes: bool = False,
    lead_department: Department | None = None,
    co_departments=(),
    due_date: datetime.date | None = None,
    at=None,
) -> MeetingDecision:
    """A decision on a case of the agenda: close it, or assign it to a lead department with a
    deadline (23:59:59 of the due date)."""
    at = at or timezone.now()
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = [_("Write the decision.")]
    if not closes:
        if lead_department is None:
            errors["lead_department"] = [_("Name the lead department.")]
        elif lead_department.town_id != meeting.town_id:
            errors["lead_department"] = [_("The department is not in the town.")]
        if due_date is None:
            errors["due_date"] = [_("Give the deadline.")]
        elif due_date < timezone.localdate(at):
            errors["due_date"] = [_("The deadline is in the past.")]
    if case.town_id != meeting.town_id:
        errors["case"] = [_("The case is not in the meeting's town.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = _locked(case)
        if case.level != Level.JOINT_MEETING or case.state != State.RECEIVED:
            raise ValidationError(_("The case is not on the joint meeting's agenda."))
        decision = MeetingDecision.objects.create(
            meeting=meeting, case=case, closes=closes, text=text,
            lead_department=None if closes else lead_department,
            due_date=None if closes else due_date,
        )  # fmt: skip
        from_state = case.state
        if closes:
            case.state = State.CLOSED
            case.closed_at = at
            case.close_reason = Case.CloseReason.MEETING
            case.save(update_fields=["state", "closed_at", "close_reason"])
            _event(case, Kind.MEETING_DECISION, by=by, at=at, reason=text, from_state=from_state)
            _settle_proposal(case, by=by)
            return decision
        decision.co_departments.set(co_departments)
        reply_due = datetime.datetime.combine(
            due_date, deadlines.END_OF_DAY, tzinfo=deadlines.SHANGHAI
        )
        assignment = _assign(
            case,
            level=Level.JOINT_MEETING,
            handler={"department_id": lead_department.pk},
            at=at,
            by=by,
            reply_due=reply_due,
        )
        decision.assignment = assignment
        decision.save(update_fields=["assignment"])
        notify_co_departments(decision)
        _event(case, Kind.MEETING_DECISION, by=by, at=at, reason=text, from_state=from_state,
               assignment=assignment)  # fmt: skip
    return decision


# --- the calendar ---------------------------------------------------------------------------


def calendar_day_set(*, date: datetime.date, is_workday: bool, note: str = "", by=None) -> int:
    """Add or correct a day of the calendar; recomputes open deadlines not yet passed."""
    with transaction.atomic():
        CalendarDay.objects.update_or_create(
            date=date, defaults={"is_workday": is_workday, "note": note}
        )
        audit.record(audit.Action.OTHER, actor=by, object_type="deliberation.calendarday",
                     object_id=str(date), summary="calendar day set")  # fmt: skip
        return recompute_open_deadlines(by=by)


def calendar_day_remove(*, date: datetime.date, by=None) -> int:
    with transaction.atomic():
        CalendarDay.objects.filter(date=date).delete()
        audit.record(audit.Action.OTHER, actor=by, object_type="deliberation.calendarday",
                     object_id=str(date), summary="calendar day removed")  # fmt: skip
        return recompute_open_deadlines(by=by)


def recompute_open_deadlines(*, by=None, now=None) -> int:
    """Recompute the working-day deadlines of open assignments that have not yet passed (joint
    meeting deadlines are dates the meeting chose, and urgent ones calendar hours: both kept)."""
    now = now or timezone.now()
    changed = 0
    open_assignments = (
        Assignment.objects.filter(OPEN_ASSIGNMENT, case__urgent=False)
        .exclude(level=Level.JOINT_MEETING)
        .filter(Q(accept_due__gte=now) | Q(reply_due__gte=now))
        .select_related("case")
        .select_for_update(of=("self",))
    )
    for assignment in open_assignments:
        dl = deadlines.assignment_deadlines(
            settings=settings_for(assignment.case.town_id),
            level=assignment.level,
            assigned_at=assignment.assigned_at,
            urgent=False,
        )
        fields = []
        if assignment.accept_due >= now and dl.accept_due != assignment.accept_due:
            assignment.accept_due = dl.accept_due
            fields.append("accept_due")
        if assignment.reply_due >= now and dl.reply_due != assignment.reply_due:
            assignment.reply_due = dl.reply_due
            fields.append("reply_due")
        if fields:
            assignment.deadline_estimated = dl.estimated
            assignment.save(update_fields=[*fields, "deadline_estimated"])
            CaseEvent.objects.create(
                case=assignment.case,
                kind=Kind.DEADLINES_RECOMPUTED,
                by=by,
                reason=_("The working-day calendar changed."),
                from_state=assignment.case.state,
                to_state=assignment.case.state,
                assignment=assignment,
            )
            changed += 1
    return changed
