"""property_rating.md's scoring policy as pure functions: no database, no clock, decimal only.

Lateness, tiers and accruals, the annual score A, competition ranking, lists and stars, the
company cap, and the parsing of a score typed by a person (one rule for reviewers, experts and
spreadsheet imports). property_rating.scoring / computation apply them to the stored inputs."""

import math
from collections import defaultdict
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import AnnualResult, Scheme

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")
SECONDS_PER_DAY = 86400


def parse_score(value, *, maximum: Decimal, label: str) -> Decimal:
    """A score typed by a person: a finite decimal with at most two places, 0..maximum.
    Raises ValidationError naming `label` (a task item code, "inspection", a column)."""
    try:
        points = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as error:
        raise ValidationError(_("%(code)s: points must be a number.") % {"code": label}) from error
    if not points.is_finite() or points != points.quantize(CENT):
        raise ValidationError(_("%(code)s: points have at most two decimals.") % {"code": label})
    if not ZERO <= points <= maximum:
        raise ValidationError(
            _("%(code)s: points are between 0 and %(max)s.") % {"code": label, "max": maximum}
        )
    return points


def decimal_text(value) -> str | None:
    """Decimal -> exact text for stored inputs and audit details (never float); None stays None."""
    return None if value is None else str(value)


def half_up(value: Decimal, places: Decimal = CENT) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


s = decimal_text  # short name used throughout the computation's `inputs` JSON


# --------------------------------------------------------------------------------------------
# Pure policy functions (unit-tested directly)
# --------------------------------------------------------------------------------------------


def late_days(submitted_at, due_at) -> int:
    """property_rating.md: d counts started days after the due time."""
    if submitted_at is None or submitted_at <= due_at:
        return 0
    return math.ceil((submitted_at - due_at).total_seconds() / SECONDS_PER_DAY)


def late_penalty(days: int, scheme: Scheme) -> Decimal:
    return min(scheme.late_penalty_cap, days * scheme.late_penalty_per_day)


def tier_percent(score: Decimal, tiers: list[tuple[Decimal, Decimal]]) -> Decimal:
    """Share (%) of the quarter cap for Q; `tiers` is (min_score, percent), highest first."""
    for min_score, percent in tiers:
        if score >= min_score:
            return percent
    return ZERO


def accrual_for(score: Decimal, scheme: Scheme, tiers) -> tuple[Decimal, Decimal]:
    """R_q = (C/4) * tier(Q), half-up to the cent."""
    percent = tier_percent(score, tiers)
    return percent, half_up(scheme.annual_cap / 4 * percent / HUNDRED)


def annual_score(components: dict[str, Decimal | None], weights: dict[str, Decimal]):
    """A = sum(w_i C_i) / sum(w_i) over present components, rounded half-up once at the end.
    Returns (A or None when unrated, the unrounded value, the weights used)."""
    present = {k: v for k, v in components.items() if v is not None}
    weight_sum = sum((weights[k] for k in present), ZERO)
    if not present or weight_sum == 0:
        return None, None, {}
    exact = sum((weights[k] * v for k, v in present.items()), ZERO) / weight_sum
    return half_up(exact), exact, {k: weights[k] for k in present}


def competition_ranks(scores: dict[int, Decimal]) -> dict[int, int]:
    """Equal scores share a rank and the next rank skips (1, 2, 2, 4)."""
    ordered = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    ranks, previous, rank = {}, None, 0
    for position, (key, value) in enumerate(ordered, start=1):
        if value != previous:
            rank, previous = position, value
        ranks[key] = rank
    return ranks


def stars_and_list(*, score, rank, vetoed: bool, scheme: Scheme) -> tuple[int, str]:
    """property_rating.md: red = rank <= size and A >= min (not vetoed); black = vetoed or
    A < black_list_below; stars 5 red, 4 / 3 by thresholds, none for black."""
    if vetoed:
        return 0, AnnualResult.ListName.BLACK
    if score is None:
        return 0, AnnualResult.ListName.NONE
    if score < scheme.black_list_below:
        return 0, AnnualResult.ListName.BLACK
    if rank is not None and rank <= scheme.red_list_size and score >= scheme.red_list_min_score:
        return 5, AnnualResult.ListName.RED
    if score >= scheme.four_star_min:
        return 4, AnnualResult.ListName.NONE
    if score >= scheme.three_star_min:
        return 3, AnnualResult.ListName.NONE
    return 0, AnnualResult.ListName.NONE


def apply_company_cap(
    payouts: dict[int, Decimal], company_of: dict[int, int], cap: Decimal
) -> tuple[dict[int, Decimal], dict[int, str]]:
    """cap_scope company: when a company's units together exceed C, scale each by C / total and
    round down to the cent (so their sum never exceeds C). Returns new amounts and the scale used."""
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for unit_id, amount in payouts.items():
        totals[company_of[unit_id]] += amount
    scaled, scale_note = {}, {}
    for unit_id, amount in payouts.items():
        total = totals[company_of[unit_id]]
        if total > cap:
            scaled[unit_id] = (amount * cap / total).quantize(CENT, rounding=ROUND_DOWN)
            scale_note[unit_id] = f"{cap}/{total}"
        else:
            scaled[unit_id] = amount
    return scaled, scale_note
