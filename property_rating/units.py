"""Writes of the assessment units: the year's units synced from service contracts."""

from django.db import transaction

from communities.models import ServiceContract, Town

from .models import QUARTERS, AssessmentUnit, quarter_bounds
from .schemes import ensure_year_open


def units_sync_from_contracts(*, town: Town, year: int) -> dict:
    """Create or update the year's units from service contracts (one per estate and company),
    with the quarters each contract covers. Units that came from an import keep their quarters.
    Idempotent; set-based (one read, one bulk upsert)."""
    ensure_year_open(town.pk, year)
    year_start, year_end = quarter_bounds(year, 1)[0], quarter_bounds(year, 4)[1]
    contracts = ServiceContract.objects.filter(
        estate__community__town=town, valid_from__lte=year_end
    ).exclude(valid_to__lt=year_start)
    wanted: dict[tuple[int, int], dict] = {}
    for contract in contracts.order_by("valid_from"):
        key = (contract.estate_id, contract.company_id)
        row = wanted.setdefault(key, {"contract_id": contract.pk, "quarters": set()})
        row["contract_id"] = contract.pk
        for q in QUARTERS:
            if contract.covers(*quarter_bounds(year, q)):
                row["quarters"].add(q)
    imported = set(
        AssessmentUnit.objects.filter(
            town=town, year=year, source=AssessmentUnit.Source.IMPORT
        ).values_list("estate_id", "company_id")
    )
    units = [
        AssessmentUnit(
            town=town,
            estate_id=estate_id,
            company_id=company_id,
            year=year,
            contract_id=row["contract_id"],
            source=AssessmentUnit.Source.CONTRACT,
            **{f"assessed_q{q}": q in row["quarters"] for q in QUARTERS},
        )
        for (estate_id, company_id), row in wanted.items()
        if (estate_id, company_id) not in imported
    ]
    with transaction.atomic():
        # The year lock: a publication waits for this write, and this write for a publication.
        ensure_year_open(town.pk, year)
        AssessmentUnit.objects.bulk_create(
            units,
            update_conflicts=True,
            unique_fields=["estate", "company", "year"],
            update_fields=["contract", "assessed_q1", "assessed_q2", "assessed_q3", "assessed_q4"],
        )
    return {"units": len(units), "imported_kept": len(imported)}
