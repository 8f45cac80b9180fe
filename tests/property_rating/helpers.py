"""Helpers for the property_rating tests: give units inputs and run the real computation."""

from decimal import Decimal

from property_rating.models import AnnualResult, ImportedAnnualInput, ImportedQuarterScore
from property_rating.scoring import compute_all


def give_inputs(unit, *, quarters=(80, 80, 80, 80), satisfaction=None, inspection=None):
    """Imported quarter scores (None: not assessed that quarter) and annual components."""
    for q, score in enumerate(quarters, start=1):
        setattr(unit, f"assessed_q{q}", score is not None)
        if score is not None:
            ImportedQuarterScore.objects.update_or_create(
                unit=unit, quarter=q, defaults={"score": Decimal(str(score))}
            )
    unit.save()
    ImportedAnnualInput.objects.update_or_create(
        unit=unit,
        defaults={
            "satisfaction": None if satisfaction is None else Decimal(str(satisfaction)),
            "inspection": None if inspection is None else Decimal(str(inspection)),
        },
    )
    return unit


def publish(town, year=2021):
    """Publish the year's results (payouts are approved only after that)."""
    from property_rating.models import Scheme
    from property_rating.publication import results_publish

    return results_publish(scheme=Scheme.objects.get(town=town, year=year), by=None, system=True)


def reopen(town, by, year=2021):
    from property_rating.models import Scheme
    from property_rating.publication import results_reopen

    return results_reopen(scheme=Scheme.objects.get(town=town, year=year), by=by, reason="更正")


def compute(town, year=2021):
    compute_all(town_id=town.pk, year=year)
    return {r.unit_id: r for r in AnnualResult.objects.filter(unit__town=town, unit__year=year)}
