"""A large synthetic town for the fault tests and the scale benchmark, written with bulk_create
(thousands of units in a second or two), and digests of what a computation stores.

Inputs are imported quarter scores and annual components (the bulk path of property_rating.md
"Bulk data"), varied deterministically: scores spread over every tier, some quarters not
assessed, some units without satisfaction or inspection, a few vetoes, several units per company
(so cap_scope=company has work to do).
"""

import hashlib
import random
from decimal import Decimal

from django.db.models import Count, Sum

from communities.factories import make_credit_code
from communities.models import Community, Estate, PropertyCompany, Town
from property_rating.factories import SchemeFactory
from property_rating.models import (
    AnnualResult,
    AssessmentUnit,
    ImportedAnnualInput,
    ImportedQuarterScore,
    Payout,
    QuarterScore,
    Scheme,
    Veto,
)

YEAR = 2021
UNITS_PER_COMPANY = 4


def build_town(
    units: int,
    *,
    name: str = "压测镇",
    seed: int = 7,
    year: int = YEAR,
    cap_scope: str = Scheme.CapScope.UNIT,
    batch: int = 2000,
) -> Town:
    """A town with `units` assessment units of `year` and their imported inputs."""
    rng = random.Random(seed)
    town = Town.objects.create(name=f"{name}{seed}-{units}")
    SchemeFactory(town=town, year=year)
    Scheme.objects.filter(town=town, year=year).update(cap_scope=cap_scope)
    community = Community.objects.create(town=town, name=f"{town.name}社区")
    estates = Estate.objects.bulk_create(
        [Estate(community=community, name=f"{town.name}小区{i:05d}") for i in range(units)],
        batch_size=batch,
    )
    n_companies = max(1, units // UNITS_PER_COMPANY)
    companies = PropertyCompany.objects.bulk_create(
        [
            PropertyCompany(
                name=f"{town.name}物业{i:05d}", credit_code=make_credit_code(town.pk * 100_000 + i)
            )
            for i in range(n_companies)
        ],
        batch_size=batch,
    )
    unit_rows = []
    for i, estate in enumerate(estates):
        assessed = [rng.random() > 0.05 for _ in range(4)]
        if not any(assessed):
            assessed[0] = True
        unit_rows.append(
            AssessmentUnit(
                town=town,
                estate=estate,
                company=companies[i % n_companies],
                year=year,
                source=AssessmentUnit.Source.IMPORT,
                assessed_q1=assessed[0],
                assessed_q2=assessed[1],
                assessed_q3=assessed[2],
                assessed_q4=assessed[3],
            )
        )
    unit_rows = AssessmentUnit.objects.bulk_create(unit_rows, batch_size=batch)
    scores, annual, vetoes = [], [], []
    for unit in unit_rows:
        base = rng.uniform(50, 100)
        for q in (1, 2, 3, 4):
            if getattr(unit, f"assessed_q{q}"):
                value = Decimal(str(round(min(100, max(0, base + rng.uniform(-8, 8))), 2)))
                scores.append(ImportedQuarterScore(unit=unit, quarter=q, score=value))
        satisfaction = None if rng.random() < 0.1 else Decimal(str(round(rng.uniform(40, 100), 2)))
        inspection = None if rng.random() < 0.1 else Decimal(str(round(rng.uniform(50, 100), 2)))
        annual.append(
            ImportedAnnualInput(unit=unit, satisfaction=satisfaction, inspection=inspection)
        )
        if rng.random() < 0.01:
            vetoes.append(Veto(unit=unit, reason="重大安全事故", imported=True))
    ImportedQuarterScore.objects.bulk_create(scores, batch_size=batch)
    ImportedAnnualInput.objects.bulk_create(annual, batch_size=batch)
    Veto.objects.bulk_create(vetoes, batch_size=batch)
    return town


def clear_results(town: Town, year: int = YEAR) -> None:
    """Back to inputs only: what a never-computed year looks like."""
    Payout.objects.filter(unit__town=town, unit__year=year).delete()
    AnnualResult.objects.filter(unit__town=town, unit__year=year).delete()
    QuarterScore.objects.filter(unit__town=town, unit__year=year).delete()


def _digest(rows) -> str:
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()[:16]


def results_digest(town: Town, year: int = YEAR) -> dict:
    """Row counts, sums and a digest of every stored value that a computation decides
    (scores, inputs, ranks, lists, stars, payouts), without timestamps or run ids."""
    quarters = QuarterScore.objects.filter(unit__town=town, unit__year=year)
    annual = AnnualResult.objects.filter(unit__town=town, unit__year=year)
    payouts = Payout.objects.filter(unit__town=town, unit__year=year)
    return {
        "quarter_scores": quarters.aggregate(
            n=Count("pk"), score=Sum("score"), accrual=Sum("accrual")
        ),
        "annual_results": annual.aggregate(
            n=Count("pk"),
            score=Sum("annual_score"),
            rank=Sum("rank"),
            stars=Sum("stars"),
            payout=Sum("payout_amount"),
        ),
        "lists": dict(annual.values_list("list_name").annotate(n=Count("pk")).order_by()),
        "payouts": payouts.aggregate(n=Count("pk"), amount=Sum("amount")),
        "quarter_digest": _digest(
            quarters.order_by("unit_id", "quarter").values_list(
                "unit_id",
                "quarter",
                "status",
                "score",
                "penalty",
                "tier_percent",
                "accrual",
                "inputs",
            )
        ),
        "annual_digest": _digest(
            annual.order_by("unit_id").values_list(
                "unit_id",
                "status",
                "quarterly_mean",
                "satisfaction",
                "inspection",
                "annual_score",
                "rank",
                "stars",
                "list_name",
                "vetoed",
                "accrual_total",
                "payout_amount",
                "inputs",
            )
        ),
        "payout_digest": _digest(
            payouts.order_by("unit_id", "quarter").values_list(
                "unit_id", "quarter", "amount", "status"
            )
        ),
    }
