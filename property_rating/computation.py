"""Former home of the computations, now property_rating.scoring; these names stay importable
for the callers and tests that use this path."""

from .scoring import (  # noqa: F401
    accrual_for,
    annual_score,
    apply_company_cap,
    competition_ranks,
    compute_all,
    compute_quarter,
    compute_year,
    late_days,
    late_penalty,
    quarters_with_inputs,
    stars_and_list,
    tier_percent,
)
