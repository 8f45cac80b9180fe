"""The assessment year as one staff workspace (issue 15.1): reads for the page per town and year.

Every read here runs a fixed number of queries whatever the number of units. The computation
preview runs the real computation (the same policy functions and the same code path) inside a
transaction that is rolled back, so it tells exactly what a run would do and keeps nothing.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import (
    QUARTERS,
    AnnualResult,
    AssessmentUnit,
    ComputationRun,
    ImportedQuarterScore,
    Payout,
    QuarterlyReport,
    QuarterScore,
    Scheme,
)
from .scoring import compute_all


def quarter_status(*, scheme: Scheme, now=None) -> list[dict]:
    """Per quarter: units assessed, reports filed, scores imported, missing (due passed, neither
    filed nor imported), late (first filed after the due time), pending review (filed, not yet
    reviewed), returned. Three queries."""
    now = now or timezone.now()
    units = AssessmentUnit.objects.filter(town_id=scheme.town_id, year=scheme.year)
    assessed = units.aggregate(
        **{f"q{q}": Count("pk", filter=Q(**{f"assessed_q{q}": True})) for q in QUARTERS}
    )
    reports = QuarterlyReport.objects.filter(unit__in=units)
    filed = Q(first_submitted_at__isnull=False)
    aggregates = {}
    for q in QUARTERS:
        in_q = Q(quarter=q, **{f"unit__assessed_q{q}": True})
        aggregates[f"filed{q}"] = Count("pk", filter=in_q & filed)
        aggregates[f"late{q}"] = Count(
            "pk", filter=in_q & Q(first_submitted_at__gt=scheme.due_at(q))
        )
        aggregates[f"review{q}"] = Count(
            "pk", filter=in_q & Q(status=QuarterlyReport.Status.SUBMITTED)
        )
        aggregates[f"returned{q}"] = Count(
            "pk", filter=in_q & Q(status=QuarterlyReport.Status.RETURNED)
        )
    counts = reports.aggregate(**aggregates)
    # An imported quarter score stands in for the report (scoring._quarter_row): not missing.
    imported = ImportedQuarterScore.objects.filter(unit__in=units).aggregate(
        **{
            f"q{q}": Count("pk", filter=Q(quarter=q, **{f"unit__assessed_q{q}": True}))
            for q in QUARTERS
        }
    )
    rows = []
    for q in QUARTERS:
        due = scheme.due_at(q)
        not_filed = max(0, assessed[f"q{q}"] - counts[f"filed{q}"] - imported[f"q{q}"])
        rows.append(
            {
                "quarter": q,
                "due_at": due,
                "due_passed": now > due,
                "assessed": assessed[f"q{q}"],
                "filed": counts[f"filed{q}"],
                "imported": imported[f"q{q}"],
                "missing": not_filed if now > due else 0,
                "not_yet_filed": 0 if now > due else not_filed,
                "late": counts[f"late{q}"],
                "pending_review": counts[f"review{q}"],
                "returned": counts[f"returned{q}"],
            }
        )
    return rows


def computation_preview(*, town_id: int, year: int, now=None) -> dict:
    """What "compute the year" would do now, without keeping anything: per quarter how many units
    get Q = 0 as missing, stay pending, are scored or imported; for the year how many are rated,
    pending, unrated, vetoed, red- and black-listed (and why black). Raises ValidationError like a
    run would (no scheme, published year)."""
    with transaction.atomic():
        outcome = compute_all(town_id=town_id, year=year, now=now)
        black_low = AnnualResult.objects.filter(
            unit__town_id=town_id,
            unit__year=year,
            list_name=AnnualResult.ListName.BLACK,
            vetoed=False,
        ).count()
        transaction.set_rollback(True)
    annual = outcome["annual"]
    quarters = []
    for quarter, row in sorted(outcome["quarters"].items()):
        quarters.append(
            {
                "quarter": quarter,
                "units": row["units"],
                "missing": row.get(QuarterScore.Status.MISSING, 0),
                # The outcome's "pending" is the list of pending units (it shadows the count).
                "pending": len(row["pending"]),
                "scored": row.get(QuarterScore.Status.SCORED, 0),
                "imported": row.get(QuarterScore.Status.IMPORTED, 0),
            }
        )
    black = annual.get("list_black", 0)
    return {
        "quarters": quarters,
        "units": annual["units"],
        "rated": annual.get(AnnualResult.Status.RATED, 0),
        "pending": len(annual["pending"]),
        "unrated": annual.get(AnnualResult.Status.UNRATED, 0),
        "vetoed": annual.get(AnnualResult.Status.VETOED, 0),
        "red": annual.get("list_red", 0),
        "black": black,
        "black_low_score": black_low,
        "missing_total": sum(q["missing"] for q in quarters),
        "pending_units": annual["pending"],
    }


def run_outcome_text(run: ComputationRun) -> str:
    """A finished run's outcome in the reader's language from its structured counts (the runs
    before issue 15 stored an English sentence: shown as stored)."""
    if run.status == ComputationRun.Status.FAILED:
        return _("Failed: %(error)s") % {"error": run.outcome}
    if run.status != ComputationRun.Status.SUCCEEDED:
        return ""
    counts = run.counts or {}
    if "units" not in counts:
        return run.outcome
    units = counts["units"]
    pending = len(run.pending_units or [])
    text = ngettext("%(n)d unit computed", "%(n)d units computed", units) % {"n": units}
    if run.kind == ComputationRun.Kind.ANNUAL:
        text += _(
            ", of them %(pending)d pending, %(black)d on the black list, %(red)d on the red list"
        ) % {
            "pending": pending,
            "black": counts.get("list_black", 0),
            "red": counts.get("list_red", 0),
        }
    else:
        text += _(", of them %(pending)d pending, %(missing)d missing (Q = 0)") % {
            "pending": pending,
            "missing": counts.get(QuarterScore.Status.MISSING, 0),
        }
    return text


def ranking(*, town_id: int, year: int) -> list[dict]:
    """The year's (draft or published) results with a readable explanation per unit. Three
    queries: results, quarter scores, annual payouts."""
    results = list(
        AnnualResult.objects.filter(unit__town_id=town_id, unit__year=year)
        .select_related("unit__estate", "unit__company")
        .order_by("rank", "unit__estate__name", "pk")
    )
    scheme = Scheme.objects.filter(town_id=town_id, year=year).first()
    quarters = defaultdict(list)
    for score in QuarterScore.objects.filter(unit__town_id=town_id, unit__year=year).order_by(
        "quarter"
    ):
        quarters[score.unit_id].append(score)
    payouts = {
        p.unit_id: p
        for p in Payout.objects.filter(unit__town_id=town_id, unit__year=year, quarter=0)
    }
    return [
        {
            "result": result,
            "payout": payouts.get(result.unit_id),
            "why": explain(result, quarters[result.unit_id], scheme),
        }
        for result in results
    ]


def _num(value) -> str:
    return "-" if value is None else f"{Decimal(value).quantize(Decimal('0.01'))}"


def explain(result: AnnualResult, quarter_scores: list, scheme: Scheme | None) -> dict:
    """ "Why this score": each quarter in words, the components with their weights, A, rank, list,
    stars and the payout with its cap (from the stored columns, not the raw inputs JSON)."""
    lines = []
    for qs in quarter_scores:
        label = _("Q%(q)d") % {"q": qs.quarter}
        if qs.status == QuarterScore.Status.MISSING:
            text = _("no report by the due time: Q = 0 (missing)")
        elif qs.status == QuarterScore.Status.PENDING:
            text = _("waiting: %(reason)s") % {"reason": _reason(qs.inputs.get("reason", ""))}
        elif qs.status == QuarterScore.Status.IMPORTED:
            text = _("imported score %(score)s") % {"score": _num(qs.score)}
        elif qs.late_days:
            text = _(
                "%(points)s points awarded, filed %(days)d days late: penalty %(penalty)s, "
                "Q = %(score)s"
            ) % {
                "points": _num(qs.raw_points),
                "days": qs.late_days,
                "penalty": _num(qs.penalty),
                "score": _num(qs.score),
            }
        else:
            text = _("%(points)s points awarded, filed on time: Q = %(score)s") % {
                "points": _num(qs.raw_points),
                "score": _num(qs.score),
            }
        tier = None
        if qs.tier_percent is not None:
            tier = _("tier %(percent)s%% of the quarter's cap: accrual %(amount)s") % {
                "percent": _num(qs.tier_percent),
                "amount": yuan(qs.accrual),
            }
        lines.append({"label": label, "text": text, "tier": tier})
    weights = scheme.weights() if scheme else {}
    used = (result.inputs or {}).get("weights_used", {})
    components = [
        (_("quarterly mean Q"), result.quarterly_mean, "Q"),
        (_("residents' satisfaction S"), result.satisfaction, "S"),
        (_("expert inspection E"), result.inspection, "E"),
    ]
    parts = []
    for name, value, key in components:
        if value is None:
            parts.append(
                {"name": name, "value": "-", "weight": _num(weights.get(key)), "used": False}
            )
        else:
            parts.append(
                {
                    "name": name,
                    "value": _num(value),
                    "weight": _num(used.get(key, weights.get(key))),
                    "used": True,
                }
            )
    payout_note = ""
    payout_inputs = (result.inputs or {}).get("payout") or {}
    if result.list_name == AnnualResult.ListName.BLACK:
        payout_note = _("black-listed: no payout")
    elif payout_inputs:
        payout_note = _("accruals %(total)s, capped at %(cap)s") % {
            "total": yuan(result.accrual_total),
            "cap": yuan(payout_inputs.get("cap")),
        }
        if payout_inputs.get("company_scale"):
            cap, total = payout_inputs["company_scale"].split("/")
            payout_note += _(
                "; the company's units together exceed the cap: scaled by %(cap)s / %(total)s"
            ) % {
                "cap": yuan(cap),
                "total": yuan(total),
            }
    return {
        "quarters": lines,
        "components": parts,
        "unrounded": (result.inputs or {}).get("unrounded"),
        "reason": _reason((result.inputs or {}).get("reason", "")),
        "payout": payout_note,
    }


def _reason(text: str) -> str:
    """The computation's stored reasons are English keys; say them in the reader's language."""
    if not text:
        return ""
    if text == "not submitted yet, not due yet":
        return _("not filed yet, not due yet")
    if text == "returned for correction":
        return _("returned for correction")
    if text.endswith("items not reviewed"):
        return _("%(n)s items not reviewed") % {"n": text.split()[0]}
    if text.startswith("quarters not computed or pending: "):
        return _("quarters not computed or pending: %(q)s") % {"q": text.split(": ", 1)[1]}
    return text


def publish_checklist(*, scheme: Scheme) -> list[dict]:
    """What results_publish requires, each with whether it holds now (two queries)."""
    units = AssessmentUnit.objects.filter(town_id=scheme.town_id, year=scheme.year)
    stats = AnnualResult.objects.filter(unit__in=units).aggregate(
        n=Count("pk"),
        pending=Count("pk", filter=Q(status=AnnualResult.Status.PENDING)),
        stale=Count("pk", filter=Q(computed_at__lt=scheme.updated_at)),
    )
    total = units.count()
    return [
        {
            "label": _("Every unit has an annual result (%(n)d of %(total)d)")
            % {"n": stats["n"], "total": total},
            "ok": total > 0 and stats["n"] == total,
        },
        {
            "label": _("No unit is pending review (%(n)d pending)") % {"n": stats["pending"]},
            "ok": stats["pending"] == 0,
        },
        {
            "label": _("Computed after the scheme's last change"),
            "ok": stats["stale"] == 0,
        },
        {"label": _("Not published yet"), "ok": not scheme.is_published},
    ]


def yuan(value) -> str:
    """¥120,000.00: money with thousands separators and two decimals (never float)."""
    if value is None or value == "":
        return "-"
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"
