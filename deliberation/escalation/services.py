"""Escalation: the three-level resolution (estate -> community -> town joint meeting), overdue
flagging, and the problem estates computed from what was raised (Chengdu).

Public names are stable (proposal_escalate, escalation_answer, flag_overdue,
problem_estates_compute, remediation_update): the cases package will make escalation a case
behind them."""

import datetime
import math
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Estate, Town

from .. import notifications, rules
from ..councils.services import _lock, _move
from ..models import (
    Escalation,
    FollowUpAction,
    ProblemEstateList,
    Proposal,
    RemediationPlan,
    ResponsibilityEntry,
)

S = Proposal.State

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
            if not rules.is_council_staff(by, council):
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
            if not rules.can_manage(by, council):
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
        rules.is_council_staff(by, council)
        if escalation.level == Escalation.Level.COMMUNITY
        else rules.is_town_staff(by, council)
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
            escalation, rules.staff_to_tell(escalation.proposal.council, town_level=town_level)
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
            action, rules.staff_to_tell(action.proposal.council, town_level=False)
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
    """Every delivered estate of the town with registered households, with its cases received in
    the quarter (a merged duplicate is the kept case's, so counted once) per 100 households
    (Decimal, 2 places, half up), highest first. Two queries whatever the town's size.

    The registry keeps no registration date per household, so "households registered on the
    quarter's last day" is the estate's registered households when the list is computed."""
    from ..cases.models import Case

    start, end = quarter_bounds(year, quarter)
    tz = timezone.get_current_timezone()
    lo = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    hi = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    estates = list(
        Estate.objects.for_town(town)
        .delivered_on(end)
        .annotate(n_households=Count("buildings__households", distinct=True))
        .filter(n_households__gt=0)
        .select_related("community")
        .order_by("name")
    )
    received = dict(
        Case.objects.filter(
            estate__in=[e.pk for e in estates],
            received_at__gte=lo,
            received_at__lt=hi,
            merged_into__isnull=True,
        )
        .values("estate")
        .annotate(n=Count("pk"))
        .values_list("estate", "n")
    )
    rows = []
    for estate in estates:
        cases = received.get(estate.pk, 0)
        score = (Decimal(cases) * 100 / Decimal(estate.n_households)).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
        rows.append(
            {"estate": estate, "cases": cases, "households": estate.n_households, "score": score}
        )
    rows.sort(key=lambda row: (-row["score"], row["estate"].name))
    return rows


def select_problem_estates(rows: list[dict]) -> list[dict]:
    """k = ceil(5 % of the estates ranked); every estate whose rate is at least the k-th highest
    (ties at the boundary all listed, so the list may be longer); a rate of 0 never."""
    if not rows:
        return []
    places = math.ceil(len(rows) * Decimal("0.05"))
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
                    "cases": row["cases"],
                    "households": row["households"],
                },
            )
    return problem_list


def remediation_update(
    *, plan: RemediationPlan, by, status: str, text: str | None = None
) -> RemediationPlan:
    if not rules.allowed(by, "update_remediation_plan", plan):
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
