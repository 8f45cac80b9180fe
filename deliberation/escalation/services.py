"""Escalation: the three-level resolution (estate -> community -> town joint meeting), overdue
flagging, and the problem estates computed from what was raised (Chengdu).

Public names are stable (proposal_escalate, escalation_answer, flag_overdue,
problem_estates_compute, remediation_update); escalation is a case behind them (one escalation
path, cases.md)."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Estate, Town
from governance.periods import quarter_bounds

from .. import notifications, rules
from ..councils.services import _lock, _move
from ..models import (
    FollowUpAction,
    ProblemEstateList,
    Proposal,
    RemediationPlan,
)

S = Proposal.State

# --- Escalation: a proposal the estate cannot settle becomes a case --------------------------


def _category_for(town_id: int, category):
    from ..cases.models import CaseCategory
    from ..cases.services import responsibility_list_ensure

    if category is not None:
        if category.town_id != town_id:
            raise ValidationError({"category": _("The category is not in the estate's town.")})
        return category
    categories = CaseCategory.objects.filter(town_id=town_id)
    if not categories.exists():
        responsibility_list_ensure(town=Town.objects.get(pk=town_id))
    return categories.filter(code="C99").first() or categories.order_by("-code").first()


def proposal_escalate(
    *, proposal: Proposal, by, reason: str, category=None, at: datetime.datetime | None = None
):
    """One escalation path (cases.md): the first escalation turns the proposal into a case of
    the category the escalating staff pick (default: the town's "other"), at community level or
    higher as the responsibility list says, with the proposer as the reporter who rates and the
    proposal linked; the proposal becomes escalated. Escalating an escalated proposal again
    (community or township staff) moves its case one level up. Returns the case."""
    from ..cases import services as case_services
    from ..cases.models import Case, Level

    reason = (reason or "").strip()
    at = at or timezone.now()
    with transaction.atomic():
        locked = _lock(proposal)
        council = locked.council
        case = Case.objects.filter(proposal=locked).first()
        if locked.state == S.ESCALATED and case is not None and case.state != Case.State.CLOSED:
            if not rules.is_council_staff(by, council):
                raise PermissionDenied(_("Only community or township staff can escalate further."))
            if case.level == Level.JOINT_MEETING:
                raise ValidationError(_("The proposal is already before the town joint meeting."))
            case_services.case_escalate(case=case, by=by, reason=reason, at=at)
            case.refresh_from_db()
            return case
        if not rules.can_manage(by, council):
            raise PermissionDenied(_("Only the council's secretary or staff can escalate."))
        if case is not None:
            raise ValidationError(_("This proposal was escalated before; its case is closed."))
        _move(locked, S.ESCALATED, by=by, capacity="escalate", reason=reason)
        category = _category_for(council.estate.community.town_id, category)
        level = Level.COMMUNITY if category.first_level == Level.ESTATE else category.first_level
        case = case_services.case_receive(
            estate=locked.estate,
            household=locked.household,
            category=category,
            title=locked.title,
            description=f"{reason}\n\n{locked.description}".strip(),
            source=Case.Source.PROPOSAL,
            reporter=locked.proposer,
            received_at=at,
            by=by,
            level=level,
            proposal=locked,
        )
    return case


def escalation_answer(*, case, by, answer: str, settles: bool, return_to: str = S.IMPLEMENTING):
    """The handler of an escalated proposal's case answers it (a case reply, evidence of the
    result); an answer that settles it returns the proposal to implementing or done at once.
    Otherwise the proposal returns when the case closes (the proposer's rating of 3-5, no
    rating in time, or a closing decision of the joint meeting)."""
    from ..cases import services as case_services

    if not by.has_perm("deliberation.reply_case", case):
        raise PermissionDenied(_("You cannot answer at this level."))
    if not (answer or "").strip():
        raise ValidationError({"answer": _("Write the answer.")})
    if settles and return_to not in (S.IMPLEMENTING, S.DONE):
        raise ValidationError(
            {"return_to": _("A settled proposal returns to implementing or done.")}
        )
    with transaction.atomic():
        case_services.case_reply(case=case, by=by, text=answer)
        if settles and case.proposal_id:
            locked = _lock(case.proposal)
            if locked.state == S.ESCALATED:
                _move(locked, return_to, by=by, capacity="settle", reason=answer)
    return case


# --- Overdue flagging (daily beat task) -----------------------------------------------------------


def flag_overdue(*, today: datetime.date | None = None) -> dict:
    """Flag open follow-ups past their due date, once each: the conditional UPDATE claims a row,
    so a repeated run (or two beats at once) flags nothing twice. Escalated proposals are cases
    now: the hourly case pass escalates them when their reply deadline passes."""
    today = today or timezone.localdate()
    now = timezone.now()
    flagged = {"follow_ups": 0}
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


def _scored_estates(town_ids, year: int, quarter: int) -> tuple[str, list]:
    """SQL (a WITH clause ending in `scored`) and its parameters: the estates of the towns
    delivered by the quarter's end with registered households, each with the cases received in
    the quarter (a merged duplicate is the kept case's, so counted once) and its score, the
    cases per 100 households rounded half up to the cent, in integer cents so that every
    database computes it exactly. The parts are the ORM's querysets; only the ranking, which
    joins them and cuts by RANK() over the whole area, is written as SQL (the ORM cannot filter
    on a window over a grouped query).

    The registry keeps no registration date per household, so "households registered on the
    quarter's last day" is the estate's registered households when the list is computed."""
    from communities.selectors import estate_households

    from ..cases.models import Case

    start, end = quarter_bounds(year, quarter)
    tz = timezone.get_current_timezone()
    lo = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    hi = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    estates, estate_params = (
        Estate.objects.filter(community__town_id__in=town_ids)
        .delivered_on(end)
        .annotate(n_households=estate_households())
        .filter(n_households__gt=0)
        .order_by()
        .values_list("pk", "name", "community__town__name", "n_households")
        .query.sql_with_params()
    )
    received, received_params = (
        Case.objects.filter(
            town_id__in=town_ids,
            received_at__gte=lo,
            received_at__lt=hi,
            merged_into__isnull=True,
        )
        .order_by()
        .values("estate_id")
        .annotate(n=Count("pk"))
        .values_list("estate_id", "n")
        .query.sql_with_params()
    )
    # The ORM's own compiled SQL; every value is a parameter.
    sql = f"""
        WITH estates (id, name, town, households) AS ({estates}),
        received (estate_id, n) AS ({received}),
        scored AS (
            SELECT e.id, e.name, e.town, COALESCE(r.n, 0) AS cases, e.households,
                   (COALESCE(r.n, 0) * 20000 + e.households) / (e.households * 2) AS score
            FROM estates e LEFT JOIN received r ON r.estate_id = e.id
        )"""  # noqa: S608  # nosec B608: the ORM's compiled SQL, values as parameters
    return sql, [*estate_params, *received_params]


def _as_rows(sql: str, params: list) -> list[dict]:
    """The scored estates as dicts, `score` a Decimal of two places (Decimal("2.50"))."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            {
                "estate_id": pk,
                "name": name,
                "town": town,
                "cases": cases,
                "households": households,
                "score": Decimal(cents).scaleb(-2),
            }
            for pk, name, town, cases, households, cents in cursor.fetchall()
        ]


# Of n ranked estates those whose RANK() is at most k = ceil(n / 20), with a score above 0.
_TOP_FIVE_PERCENT = """,
    ranked AS (
        SELECT scored.*, RANK() OVER (ORDER BY score DESC) AS place, COUNT(*) OVER () AS n
        FROM scored
    )
    SELECT id, name, town, cases, households, score FROM ranked
    WHERE place <= (n + 19) / 20 AND score > 0
    ORDER BY score DESC, name"""


def _ranked_rows(town: Town | None, town_ids, year: int, quarter: int, select: str) -> list[dict]:
    """The scored estates of the town or towns, read by `select` (SQL following the WITH clause
    of _scored_estates); none for a region without towns yet."""
    town_ids = [town.pk] if town is not None else list(town_ids)
    if not town_ids:
        return []
    scored, params = _scored_estates(town_ids, year, quarter)
    return _as_rows(f"{scored} {select}", params)  # noqa: S608  # nosec B608: the ORM's compiled SQL, values as parameters


def problem_estate_scores(
    *, town: Town | None = None, town_ids=None, year: int, quarter: int
) -> list[dict]:
    """Every ranked estate of the town (or of the towns `town_ids`: a district or a city,
    regions.md) with its cases, households and score (Decimal, 2 places, half up), highest
    first: the explanation of a problem-estate list. One query."""
    return _ranked_rows(
        town, town_ids, year, quarter, "SELECT * FROM scored ORDER BY score DESC, name"
    )


def problem_estates(*, town: Town | None = None, town_ids=None, year: int, quarter: int):
    """The problem estates of a town (or of the towns of a district or city) in a quarter
    (cases.md, regions.md): of the n ranked estates, k = ceil(5 % of n); every estate whose
    score is at least the k-th highest (ties at the boundary all listed, so the list may be
    longer); a score of 0 never. Cut in the database: an estate is in when fewer than k estates
    score higher, i.e. its RANK() is at most k = (n + 19) div 20. One query, the rows as
    problem_estate_scores'."""
    return _ranked_rows(town, town_ids, year, quarter, _TOP_FIVE_PERCENT)


def problem_estates_compute(*, town: Town, year: int, quarter: int, by=None) -> ProblemEstateList:
    """Build the quarter's list with one remediation plan per estate. Idempotent: recomputing
    adds newly qualifying estates and refreshes figures, never removes a plan."""
    selected = problem_estates(town=town, year=year, quarter=quarter)
    with transaction.atomic():
        problem_list, _created = ProblemEstateList.objects.get_or_create(
            town=town, year=year, quarter=quarter, defaults={"computed_by": by}
        )
        for row in selected:
            RemediationPlan.objects.update_or_create(
                problem_list=problem_list,
                estate_id=row["estate_id"],
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
