"""Score computation (property_rating.md "Quarterly score Q", "Annual score A", "Rank, lists,
stars", "Reward payouts").

Set-based: each computation reads a town's year with a fixed number of aggregate queries, does
the decimal arithmetic in memory and writes every row with one bulk upsert per table on its
unique key. So the number of queries does not depend on the number of units, and running a
computation twice (or again after a crash, the writes being one transaction) leaves the same rows.
"""

import json
import logging
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Count,
    Exists,
    FilteredRelation,
    OuterRef,
    Q,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.db import StagedUpsert, upsert_columns, upsert_rows

from .models import (
    QUARTERS,
    AnnualResult,
    AssessmentUnit,
    ComputationRun,
    ImportedQuarterScore,
    InspectionScore,
    Payout,
    PayoutDiscrepancy,
    QuarterlyReport,
    QuarterScore,
    SatisfactionRating,
    Scheme,
    Veto,
)
from .policy import (  # noqa: F401  (pure policy, re-exported for existing callers)
    accrual_for,
    annual_score,
    apply_company_cap,
    competition_ranks,
    half_up,
    late_days,
    late_penalty,
    s,
    stars_and_list,
    tier_percent,
)
from .schemes import scheme_validate

logger = logging.getLogger(__name__)
CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")
SECONDS_PER_DAY = 86400


# --------------------------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------------------------


def _locked_scheme(town_id, year) -> Scheme:
    scheme = Scheme.objects.select_for_update().filter(town_id=town_id, year=year).first()
    if scheme is None:
        raise ValidationError(_("There is no assessment scheme for %(year)s.") % {"year": year})
    if scheme.is_published:
        raise ValidationError(
            _("The results of %(year)s are published and frozen; reopen the year first.")
            % {"year": year}
        )
    return scheme


def _progress(run: ComputationRun | None, progress: int, **fields) -> None:
    if run is None:
        return
    run.progress = progress
    for name, value in fields.items():
        setattr(run, name, value)
    run.save(update_fields=["progress", *fields])


# --------------------------------------------------------------------------------------------
# Quarterly computation
# --------------------------------------------------------------------------------------------


def compute_quarter(
    *, town_id: int, year: int, quarter: int, run: ComputationRun | None = None, by=None, now=None
) -> dict:
    """Every assessed unit's Q and R_q for one town, year and quarter. Returns the outcome."""
    if quarter not in QUARTERS:
        raise ValidationError(_("The quarter is 1, 2, 3 or 4."))
    now = now or timezone.now()
    by = by or (run.started_by if run else None)
    by_id, run_id = (by.pk if by else None), (run.pk if run else None)
    _progress(run, 10)
    with transaction.atomic():
        scheme = _locked_scheme(town_id, year)
        tiers = scheme.tier_table()
        due = scheme.due_at(quarter)
        due_passed = now > due
        units = list(
            AssessmentUnit.objects.filter(town_id=town_id, year=year)
            .filter(**{f"assessed_q{quarter}": True})
            .values_list("pk", "estate__name")
        )
        imported = dict(
            ImportedQuarterScore.objects.filter(
                unit__town_id=town_id, unit__year=year, quarter=quarter
            ).values_list("unit_id", "score")
        )
        reports = {
            row["unit_id"]: row
            for row in QuarterlyReport.objects.filter(
                unit__town_id=town_id, unit__year=year, quarter=quarter
            )
            .annotate(
                points=Sum("items__awarded_points"),
                unreviewed=Count("items", filter=Q(items__awarded_points__isnull=True)),
            )
            .values("pk", "unit_id", "status", "first_submitted_at", "points", "unreviewed")
        }
        scores, accruals, pending = [], [], []
        counts = defaultdict(int)
        for unit_id, estate_name in units:
            row = _quarter_row(
                unit_id=unit_id,
                report=reports.get(unit_id),
                imported=imported.get(unit_id),
                scheme=scheme,
                tiers=tiers,
                due=due,
                due_passed=due_passed,
                quarter=quarter,
            )
            counts[row["status"]] += 1
            scores.append(
                {
                    "unit_id": unit_id,
                    "quarter": quarter,
                    "run_id": run_id,
                    "computed_at": now,
                    **row,
                }
            )
            if row["status"] == QuarterScore.Status.PENDING:
                pending.append(
                    {"unit": unit_id, "estate": estate_name, "reason": row["inputs"]["reason"]}
                )
            else:
                accruals.append(
                    {
                        "unit_id": unit_id,
                        "quarter": quarter,
                        "amount": row["accrual"],
                        "calculated_at": now,
                        "last_changed_by_id": by_id,
                    }
                )
        _progress(run, 60)
        upsert_rows(
            QuarterScore,
            scores,
            unique_fields=["unit", "quarter"],
            update_fields=[
                "status",
                "raw_points",
                "late_days",
                "penalty",
                "score",
                "tier_percent",
                "accrual",
                "inputs",
                "run",
                "computed_at",
            ],
        )
        # Units no longer assessed in this quarter (a contract changed) lose their old row.
        QuarterScore.objects.filter(
            unit__town_id=town_id, unit__year=year, quarter=quarter
        ).exclude(**{f"unit__assessed_q{quarter}": True}).delete()
        pending_ids = [p["unit"] for p in pending]
        Payout.objects.filter(unit__town_id=town_id, unit__year=year, quarter=quarter).filter(
            Q(unit_id__in=pending_ids) | Q(**{f"unit__assessed_q{quarter}": False})
        ).delete()
        upsert_rows(
            Payout,
            accruals,
            unique_fields=["unit", "quarter"],
            update_fields=["amount", "calculated_at", "last_changed_by"],
            update_only_where={"status": Payout.Status.CALCULATED},
        )
    outcome = {
        "kind": "quarter",
        "year": year,
        "quarter": quarter,
        "units": len(units),
        **{str(k): v for k, v in counts.items()},
        "pending": pending,
    }
    _progress(
        run, 100, pending_units=pending, counts={k: v for k, v in outcome.items() if k != "pending"}
    )
    return outcome


def _quarter_row(*, unit_id, report, imported, scheme, tiers, due, due_passed, quarter) -> dict:
    """One unit's quarter per property_rating.md "Task list and quarterly score Q"."""
    base = {
        "raw_points": None,
        "late_days": 0,
        "penalty": ZERO,
        "score": None,
        "tier_percent": None,
        "accrual": None,
    }
    inputs = {
        "quarter": quarter,
        "due_at": due.isoformat(),
        "quarter_cap": s(scheme.annual_cap / 4),
    }
    if imported is not None:
        # An imported quarter score stands in for the report-based Q.
        percent, accrual = accrual_for(imported, scheme, tiers)
        inputs.update(source="import", imported_score=s(imported), tier_percent=s(percent))
        return {
            **base,
            "status": QuarterScore.Status.IMPORTED,
            "score": imported,
            "tier_percent": percent,
            "accrual": accrual,
            "inputs": inputs,
        }
    submitted_at = report["first_submitted_at"] if report else None
    if submitted_at is None:
        if not due_passed:
            inputs.update(source="report", reason="not submitted yet, not due yet")
            return {**base, "status": QuarterScore.Status.PENDING, "inputs": inputs}
        # No report by the due time and none before the computation: Q = 0, missing.
        percent, accrual = accrual_for(ZERO, scheme, tiers)
        inputs.update(source="report", reason="no report submitted", tier_percent=s(percent))
        return {
            **base,
            "status": QuarterScore.Status.MISSING,
            "score": ZERO,
            "tier_percent": percent,
            "accrual": accrual,
            "inputs": inputs,
        }
    inputs.update(source="report", report=report["pk"], submitted_at=submitted_at.isoformat())
    if report["status"] != QuarterlyReport.Status.REVIEWED or report["unreviewed"]:
        inputs["reason"] = (
            "returned for correction"
            if report["status"] == QuarterlyReport.Status.RETURNED
            else f"{report['unreviewed']} items not reviewed"
        )
        return {**base, "status": QuarterScore.Status.PENDING, "inputs": inputs}
    raw = report["points"] or ZERO
    days = late_days(submitted_at, due)
    penalty = late_penalty(days, scheme)
    score = max(ZERO, raw - penalty)
    percent, accrual = accrual_for(score, scheme, tiers)
    inputs.update(
        awarded_points=s(raw),
        late_days=days,
        penalty_per_day=s(scheme.late_penalty_per_day),
        penalty_cap=s(scheme.late_penalty_cap),
        penalty=s(penalty),
        tier_percent=s(percent),
    )
    return {
        "status": QuarterScore.Status.SCORED,
        "raw_points": raw,
        "late_days": days,
        "penalty": penalty,
        "score": score,
        "tier_percent": percent,
        "accrual": accrual,
        "inputs": inputs,
    }


def quarters_with_inputs(*, town_id: int, year: int, now=None) -> list[int]:
    """Quarters whose due time has passed or that already have submitted reports or imported
    scores (compute_scores without --quarter computes these)."""
    now = now or timezone.now()
    scheme = Scheme.objects.filter(town_id=town_id, year=year).first()
    if scheme is None:
        return []
    submitted = set(
        QuarterlyReport.objects.filter(
            unit__town_id=town_id, unit__year=year, first_submitted_at__isnull=False
        )
        .values_list("quarter", flat=True)
        .distinct()
    )
    imported = set(
        ImportedQuarterScore.objects.filter(unit__town_id=town_id, unit__year=year)
        .values_list("quarter", flat=True)
        .distinct()
    )
    return [q for q in QUARTERS if now > scheme.due_at(q) or q in submitted or q in imported]


# --------------------------------------------------------------------------------------------
# Annual computation
# --------------------------------------------------------------------------------------------


def _counts_and_sums(model, field: str, town_id: int, year: int) -> dict[int, tuple]:
    """{unit id: (rows, sum of `field`)} of `model` for the town-year's units that have rows:
    one grouped query. Read apart from the units rather than as correlated subqueries of the
    units' read, which PostgreSQL ran as one scan per unit and subquery (6 of the 7 s of that
    read at 100,000 units, benchmarks/README.md "Issue 16")."""
    rows = (
        model.objects.filter(unit__town_id=town_id, unit__year=year)
        .values("unit")
        .annotate(n=Count("pk"), total=Sum(field))
        .order_by()
        .values_list("unit", "n", "total")
    )
    return {unit: (n, total) for unit, n, total in rows}


ANNUAL_FIELDS = [
    "unit",
    "status",
    "quarterly_mean",
    "satisfaction",
    "satisfaction_responses",
    "inspection",
    "inspection_count",
    "annual_score",
    "rank",
    "stars",
    "list_name",
    "vetoed",
    "accrual_total",
    "payout_amount",
    "inputs",
    "run",
    "computed_at",
]
QUARTER_COLUMNS = ("status", "score", "accrual")
READ_CHUNK = 2000


def _annual_units(town_id: int, year: int):
    """One row per unit of the town-year with what its annual result is computed from: the
    assessed quarters and their computed scores (one join per quarter), an active veto and the
    imported annual inputs (the satisfaction and inspection counts come from
    _counts_and_sums)."""
    quarters = {
        f"q{q}": FilteredRelation("quarter_scores", condition=Q(quarter_scores__quarter=q))
        for q in QUARTERS
    }
    return (
        AssessmentUnit.objects.filter(town_id=town_id, year=year)
        .annotate(
            vetoed=Exists(Veto.objects.active().filter(unit=OuterRef("pk"))),
            **quarters,
        )
        .values(
            "pk",
            "company_id",
            "estate__name",
            "assessed_q1",
            "assessed_q2",
            "assessed_q3",
            "assessed_q4",
            "vetoed",
            "imported_annual__satisfaction",
            "imported_annual__inspection",
            "imported_annual__pk",
            *(f"q{q}__{column}" for q in QUARTERS for column in QUARTER_COLUMNS),
        )
    )


def compute_year(
    *, town_id: int, year: int, run: ComputationRun | None = None, by=None, now=None
) -> dict:
    """A, ranks, lists, stars and P of every unit of one town and year.

    The units are read through a server-side cursor and each one's result, with its
    explanation, is streamed to the database as it is computed (governance.db.StagedUpsert);
    only what ranking and the company cap need is kept per unit until the one write that adds
    ranks, lists, stars and payouts. So memory stays flat and the statements are constant in
    number whatever the size of the town."""
    now = now or timezone.now()
    by = by or (run.started_by if run else None)
    run_id = run.pk if run else None
    _progress(run, 10)
    with transaction.atomic():
        scheme = _locked_scheme(town_id, year)
        weights = scheme.weights()
        # Per unit: (unit, company, status, A, vetoed, sum of accruals).
        summary, pending = [], []
        ratings = _counts_and_sums(SatisfactionRating, "rating", town_id, year)
        inspections = _counts_and_sums(InspectionScore, "score", town_id, year)

        def results():
            for unit in _annual_units(town_id, year).iterator(chunk_size=READ_CHUNK):
                unit["sat_n"], unit["sat_sum"] = ratings.get(unit["pk"], (0, None))
                unit["insp_n"], unit["insp_sum"] = inspections.get(unit["pk"], (0, None))
                quarters = {
                    q: (unit[f"q{q}__status"], unit[f"q{q}__score"], unit[f"q{q}__accrual"])
                    for q in QUARTERS
                }
                r = _annual_components(unit, quarters, scheme, weights)
                if r["status"] == AnnualResult.Status.PENDING:
                    pending.append(
                        {
                            "unit": unit["pk"],
                            "estate": unit["estate__name"],
                            "reason": r["inputs"]["reason"],
                        }
                    )
                summary.append(
                    (
                        unit["pk"],
                        unit["company_id"],
                        r["status"],
                        r["annual_score"],
                        r["vetoed"],
                        r["accrual_total"],
                    )
                )
                # rank, stars, list and payout are added by the write, once all are known.
                yield {
                    "unit_id": unit["pk"],
                    "run_id": run_id,
                    "computed_at": now,
                    "rank": None,
                    "stars": 0,
                    "list_name": "",
                    **r,
                }

        staged = StagedUpsert(AnnualResult, ANNUAL_FIELDS, key="unit")
        staged.stage(results())
        _progress(run, 40)

        # Competition ranking of the rated, non-vetoed units by the rounded A.
        rated = AnnualResult.Status.RATED
        ranks = competition_ranks({u[0]: u[3] for u in summary if u[2] == rated})
        keys, rank_of, stars_of, list_of, before = [], [], [], [], []
        payouts, company_of = {}, {}
        counts = defaultdict(int)
        for uid, company_id, status, score, vetoed, accrual_total in summary:
            rank = ranks.get(uid)
            stars, list_name = stars_and_list(
                score=score if status == rated else None, rank=rank, vetoed=vetoed, scheme=scheme
            )
            keys.append(uid)
            rank_of.append(rank)
            stars_of.append(stars)
            list_of.append(list_name)
            counts[status] += 1
            counts[f"list_{list_name or 'none'}"] += 1
            counts[f"stars_{stars}"] += 1
            if status == AnnualResult.Status.PENDING:
                before.append(None)
                continue
            if list_name == AnnualResult.ListName.BLACK:
                amount = ZERO  # property_rating.md: 0 for a black-listed unit
            else:
                amount = min(scheme.annual_cap, accrual_total)
            payouts[uid] = amount
            company_of[uid] = company_id
            before.append(amount)
        n_units = len(keys)
        summary.clear()
        del ranks
        scale = {}
        if scheme.cap_scope == Scheme.CapScope.COMPANY:
            payouts, scale = apply_company_cap(payouts, company_of, scheme.annual_cap)
        cap, cap_scope = s(scheme.annual_cap), str(scheme.cap_scope)
        amounts, notes = [], []
        for uid, amount in zip(keys, before, strict=True):
            if amount is None:
                amounts.append(ZERO)
                notes.append(None)
                continue
            amounts.append(payouts[uid])
            note = {"cap": cap, "cap_scope": cap_scope, "before_scope": s(amount)}
            if uid in scale:
                note["company_scale"] = scale[uid]
            notes.append(json.dumps({"payout": note}))
        _progress(run, 70)
        staged.upsert(
            keys=keys,
            amend={
                "rank": rank_of,
                "stars": stars_of,
                "list_name": list_of,
                "payout_amount": amounts,
            },
            merge_json=("inputs", notes),
            unique_fields=["unit"],
            update_fields=[f for f in ANNUAL_FIELDS if f != "unit"],
        )
        del keys, rank_of, stars_of, list_of, before, amounts, notes
        discrepancies = _write_annual_payouts(
            town_id=town_id,
            year=year,
            payouts=payouts,
            pending=[p["unit"] for p in pending],
            run=run,
            by=by,
            now=now,
        )
    outcome = {
        "kind": "annual",
        "year": year,
        "units": n_units,
        **counts,
        "discrepancies": discrepancies,
        "pending": pending,
    }
    _progress(
        run, 100, pending_units=pending, counts={k: v for k, v in outcome.items() if k != "pending"}
    )
    return outcome


def _annual_components(unit: dict, quarters: dict, scheme: Scheme, weights) -> dict:
    """Components, A and accruals of one unit (property_rating.md "Annual score A")."""
    assessed = [q for q in QUARTERS if unit[f"assessed_q{q}"]]
    inputs = {"assessed_quarters": assessed, "weights": {k: s(v) for k, v in weights.items()}}
    result = {
        "quarterly_mean": None,
        "satisfaction": None,
        "satisfaction_responses": 0,
        "inspection": None,
        "inspection_count": 0,
        "annual_score": None,
        "vetoed": bool(unit["vetoed"]),
        "accrual_total": ZERO,
        "payout_amount": ZERO,
    }
    q_scores, accrual_total, waiting = {}, ZERO, []
    for q in assessed:
        status, score, accrual = quarters.get(q, (None, None, None))
        if status is None or status == QuarterScore.Status.PENDING:
            waiting.append(q)
            continue
        q_scores[q] = score
        accrual_total += accrual or ZERO
    inputs["quarters"] = {str(q): s(v) for q, v in q_scores.items()}
    result["accrual_total"] = accrual_total
    inputs["accrual_total"] = s(accrual_total)
    if q_scores and not waiting:
        result["quarterly_mean"] = sum(q_scores.values(), ZERO) / len(q_scores)

    # Satisfaction: imported value stands in; else (r - 1) * 25 averaged over households.
    if unit["imported_annual__pk"] is not None:
        result["satisfaction"] = unit["imported_annual__satisfaction"]
        result["inspection"] = unit["imported_annual__inspection"]
        inputs["satisfaction"] = {"source": "import", "value": s(result["satisfaction"])}
        inputs["inspection"] = {"source": "import", "value": s(result["inspection"])}
    else:
        n, total = unit["sat_n"], unit["sat_sum"]
        result["satisfaction_responses"] = n
        if n >= scheme.min_satisfaction_responses and n > 0:
            result["satisfaction"] = (Decimal(total) - n) * 25 / n
        inputs["satisfaction"] = {
            "source": "ratings",
            "responses": n,
            "sum_of_ratings": total,
            "min_responses": scheme.min_satisfaction_responses,
            "value": s(result["satisfaction"]),
        }
        m, total_e = unit["insp_n"], unit["insp_sum"]
        result["inspection_count"] = m
        if m:
            result["inspection"] = Decimal(total_e) / m
        inputs["inspection"] = {
            "source": "experts",
            "scores": m,
            "sum": s(total_e),
            "value": s(result["inspection"]),
        }
    inputs["quarterly_mean"] = s(result["quarterly_mean"])

    if result["vetoed"]:
        inputs["veto"] = True
    if waiting and not result["vetoed"]:
        inputs["reason"] = "quarters not computed or pending: " + ", ".join(
            f"Q{q}" for q in waiting
        )
        return {**result, "status": AnnualResult.Status.PENDING, "inputs": inputs}
    score, exact, used = annual_score(
        {"Q": result["quarterly_mean"], "S": result["satisfaction"], "E": result["inspection"]},
        weights,
    )
    result["annual_score"] = score
    inputs.update(
        weights_used={k: s(v) for k, v in used.items()}, unrounded=s(exact), annual_score=s(score)
    )
    if result["vetoed"]:
        status = AnnualResult.Status.VETOED
    elif score is None:
        status = AnnualResult.Status.UNRATED
    else:
        status = AnnualResult.Status.RATED
    return {**result, "status": status, "inputs": inputs}


def _write_annual_payouts(*, town_id, year, payouts, pending, run, by, now) -> int:
    """Upsert the year's calculated payouts; approved / paid rows never change: a different
    recomputed amount becomes a PayoutDiscrepancy instead."""
    locked = {Payout.Status.APPROVED, Payout.Status.PAID}
    frozen, discrepancies = set(), []
    for pk, unit_id, recorded in Payout.objects.filter(
        unit__town_id=town_id, unit__year=year, quarter=0, status__in=locked
    ).values_list("pk", "unit_id", "amount"):
        frozen.add(unit_id)
        if unit_id in payouts and payouts[unit_id] != recorded:
            discrepancies.append(
                PayoutDiscrepancy(
                    payout_id=pk,
                    recorded_amount=recorded,
                    computed_amount=payouts[unit_id],
                    run=run,
                )
            )
    Payout.objects.filter(unit_id__in=pending, quarter=0).exclude(status__in=locked).delete()
    units = [unit_id for unit_id in payouts if unit_id not in frozen]
    upsert_columns(
        Payout,
        {
            "unit_id": units,
            "quarter": [0] * len(units),
            "amount": [payouts[unit_id] for unit_id in units],
            "calculated_at": [now] * len(units),
            "last_changed_by_id": [by.pk if by else None] * len(units),
        },
        unique_fields=["unit", "quarter"],
        update_fields=["amount", "calculated_at", "last_changed_by"],
        update_only_where={"status": Payout.Status.CALCULATED},
    )
    PayoutDiscrepancy.objects.bulk_create(discrepancies, ignore_conflicts=True)
    return len(discrepancies)


def compute_all(*, town_id: int, year: int, run=None, by=None, now=None) -> dict:
    """Every quarter of the year that has inputs, then the annual results (compute_scores)."""
    outcome = {"quarters": {}}
    for quarter in quarters_with_inputs(town_id=town_id, year=year, now=now):
        outcome["quarters"][quarter] = compute_quarter(
            town_id=town_id, year=year, quarter=quarter, by=by, now=now
        )
    outcome["annual"] = compute_year(town_id=town_id, year=year, run=run, by=by, now=now)
    return outcome


# --------------------------------------------------------------------------------------------
# ComputationRun lifecycle (property_rating.md "Computation": staff see each run's progress and
# outcome). The Celery tasks, the commands and the schedule all run through these.
# --------------------------------------------------------------------------------------------


def run_record(*, town_id, year, quarter=None, by=None, trigger="admin") -> ComputationRun:
    """A queued run (the admin enqueues its task with the run's id)."""
    return ComputationRun.objects.create(
        town_id=town_id,
        year=year,
        quarter=quarter,
        kind=ComputationRun.Kind.QUARTER if quarter else ComputationRun.Kind.ANNUAL,
        started_by=by,
        trigger=trigger,
    )


def _run_for(*, run_id, town_id, year, quarter, kind, started_by_id, trigger, task_id):
    if run_id:
        run = ComputationRun.objects.get(pk=run_id)
    else:
        run = ComputationRun.objects.create(
            town_id=town_id,
            year=year,
            quarter=quarter,
            kind=kind,
            started_by_id=started_by_id,
            trigger=trigger,
        )
    run.status = ComputationRun.Status.RUNNING
    run.started_at = timezone.now()
    run.task_id = task_id or ""
    run.save(update_fields=["status", "started_at", "task_id"])
    return run


def _finish(run, outcome=None, error=None):
    run.finished_at = timezone.now()
    if error is None:
        run.status = ComputationRun.Status.SUCCEEDED
        # The counts and pending units are stored by _progress; the page words them through
        # gettext (ComputationRun.outcome_text), so no English sentence is stored.
        run.outcome = ""
    else:
        run.status = ComputationRun.Status.FAILED
        run.outcome = str(error)
    run.save(update_fields=["status", "outcome", "finished_at"])


def _tell_computed(town_id, year, quarters) -> None:
    """Managers hear of their units' computed quarters; a notification failure is logged, the
    computation stands."""
    from . import notices

    for quarter in quarters:
        try:
            notices.quarter_computed(town_id=town_id, year=year, quarter=quarter)
        except Exception:
            logger.exception("telling managers of %s %s Q%s failed", town_id, year, quarter)


def _validate_scheme(town_id, year) -> None:
    """A scheme whose points, weights or tiers are invalid is not computed (the run says why)."""
    scheme = Scheme.objects.filter(town_id=town_id, year=year).first()
    if scheme is not None:
        scheme_validate(scheme=scheme)


def run_quarter(
    *, town_id, year, quarter, run_id=None, started_by_id=None, trigger="admin", task_id=None
) -> dict:
    """Compute a quarter under a ComputationRun (shared by the task and the command)."""
    run = _run_for(
        run_id=run_id,
        town_id=town_id,
        year=year,
        quarter=quarter,
        kind=ComputationRun.Kind.QUARTER,
        started_by_id=started_by_id,
        trigger=trigger,
        task_id=task_id,
    )
    try:
        _validate_scheme(town_id, year)
        outcome = compute_quarter(town_id=town_id, year=year, quarter=quarter, run=run)
    except ValidationError as error:
        _finish(run, error=" ".join(error.messages))
        raise
    except Exception as error:
        _finish(run, error=repr(error))
        raise
    _finish(run, outcome)
    _tell_computed(town_id, year, [quarter])
    return {
        "run": run.pk,
        **{k: v for k, v in outcome.items() if k != "pending"},
        "pending": len(outcome["pending"]),
    }


def run_year(
    *, town_id, year, run_id=None, started_by_id=None, trigger="admin", task_id=None
) -> dict:
    """Compute every quarter with inputs, then the year, under one ComputationRun."""
    run = _run_for(
        run_id=run_id,
        town_id=town_id,
        year=year,
        quarter=None,
        kind=ComputationRun.Kind.ANNUAL,
        started_by_id=started_by_id,
        trigger=trigger,
        task_id=task_id,
    )
    try:
        _validate_scheme(town_id, year)
        outcome = compute_all(town_id=town_id, year=year, run=run, by=run.started_by)
    except ValidationError as error:
        _finish(run, error=" ".join(error.messages))
        raise
    except Exception as error:
        _finish(run, error=repr(error))
        raise
    _finish(run, outcome["annual"])
    _tell_computed(town_id, year, list(outcome["quarters"]))
    annual = outcome["annual"]
    return {
        "run": run.pk,
        **{k: v for k, v in annual.items() if k != "pending"},
        "pending": len(annual["pending"]),
    }


def due_quarters_compute() -> list:
    """Compute the quarters whose due time has passed and that are not computed yet, in
    unpublished years (the daily schedule; tasks.compute_due_quarters serialises it)."""
    now = timezone.now()
    done = []
    for scheme in Scheme.objects.unpublished().select_related("town"):
        computed = set(
            QuarterScore.objects.filter(unit__town_id=scheme.town_id, unit__year=scheme.year)
            .values_list("quarter", flat=True)
            .distinct()
        )
        for quarter in QUARTERS:
            if now > scheme.due_at(quarter) and quarter not in computed:
                try:
                    run_quarter(
                        town_id=scheme.town_id,
                        year=scheme.year,
                        quarter=quarter,
                        trigger="schedule",
                    )
                except ValidationError:
                    logger.exception("scheduled computation of %s Q%s failed", scheme, quarter)
                    continue
                done.append([scheme.town_id, scheme.year, quarter])
    return done
