"""Spreadsheet contract of property_rating.md "Bulk data": import_assessment and export_results.

Both CSV and XLSX. The import validates every row first and writes nothing unless every row is
good; then it replaces the year's imported inputs in one transaction.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.models import Community, Estate, PropertyCompany, Town
from communities.validators import validate_credit_code
from governance.spreadsheets import SpreadsheetError, read_table, write_table

from .models import (
    QUARTERS,
    AnnualResult,
    AssessmentUnit,
    ImportedAnnualInput,
    ImportedQuarterScore,
    InspectionScore,
    Payout,
    QuarterlyReport,
    QuarterScore,
    SatisfactionRating,
    Veto,
)
from .periods import parse_year
from .policy import parse_score
from .schemes import ensure_year_open, scheme_create_default

IMPORT_COLUMNS = [
    "community",
    "estate",
    "company",
    "q1",
    "q2",
    "q3",
    "q4",
    "satisfaction",
    "inspection",
    "veto_reason",
]
# The upload page's headers (the command keeps the English columns above, its contract).
IMPORT_COLUMN_LABELS = {
    "community": gettext_lazy("community"),
    "estate": gettext_lazy("estate"),
    "company": gettext_lazy("property company"),
    "q1": gettext_lazy("Q1 score"),
    "q2": gettext_lazy("Q2 score"),
    "q3": gettext_lazy("Q3 score"),
    "q4": gettext_lazy("Q4 score"),
    "satisfaction": gettext_lazy("satisfaction score"),
    "inspection": gettext_lazy("inspection score"),
    "veto_reason": gettext_lazy("veto reason"),
}


def import_column_aliases() -> dict[str, str]:
    """Every header the upload page accepts (English column, its label in English and in
    Chinese) mapped to the column."""
    aliases = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for column, label in IMPORT_COLUMN_LABELS.items():
                aliases[str(label).strip().casefold()] = column
    aliases.update({column: column for column in IMPORT_COLUMNS})
    return aliases


EXPORT_COLUMNS = ["estate", "company", "annual_score", "rank", "stars", "list", "payout"]
HUNDRED = Decimal("100")


class ImportFailed(Exception):
    """Raised with every bad row: `errors` is a list of (line number, reason)."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__("; ".join(f"line {line}: {reason}" for line, reason in errors))


@dataclass
class ImportResult:
    rows: int = 0
    created: dict = field(default_factory=lambda: {"community": 0, "estate": 0, "company": 0})
    units: int = 0
    vetoes: int = 0


def _text(cell) -> str:
    return "" if cell is None else str(cell).strip()


def read_rows(
    path_or_file, name: str | None = None, *, header_aliases: bool = False
) -> list[tuple[int, dict]]:
    """(line number, {column: text}) for each data row; line 1 is the header."""
    # governance.spreadsheets: encodings (UTF-8 or GBK), size/row caps, clear errors.
    try:
        table = read_table(path_or_file, name=name)
    except SpreadsheetError as error:
        raise ImportFailed([(1, str(error))]) from error
    raw = [[_text(h) for h in table.headers]]
    raw += [[_text(cell) for cell in values] for _line, values in table.rows]
    lines = [1] + [line for line, _values in table.rows]
    if not raw:
        raise ImportFailed([(1, _("The file is empty."))])
    header = [h.strip().lower() for h in raw[0]]
    if header_aliases:
        aliases = import_column_aliases()
        header = [aliases.get(h.casefold(), h) for h in header]
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        raise ImportFailed([(1, _("Missing columns: %(cols)s.") % {"cols": ", ".join(missing)})])
    rows = []
    for number, values in zip(lines[1:], raw[1:], strict=True):
        if not any(values):
            continue
        values = values + [""] * (len(header) - len(values))
        rows.append((number, {h: values[i] for i, h in enumerate(header) if h}))
    if not rows:
        # A header without rows is a bad file, not "replace the year with nothing": treating it
        # as an empty year would wipe every imported input of the year by accident.
        raise ImportFailed([(2, _("The file has no data rows."))])
    return rows


def _score(text: str, column: str) -> Decimal | None:
    """A blank cell is an absent value; otherwise the shared rule for a typed score, 0..100."""
    if text == "":
        return None
    return parse_score(text, maximum=HUNDRED, label=f"{column} {text!r}")


def _looks_like_credit_code(text: str) -> bool:
    if len(text) != 18:
        return False
    try:
        validate_credit_code(text)
    except ValidationError:
        return False
    return True


def import_assessment(
    *,
    source,
    town_name: str,
    year: int,
    create_missing: bool = False,
    by=None,
    name: str | None = None,
    header_aliases: bool = False,
) -> ImportResult:
    """Replace the year's imported inputs from a CSV/XLSX file; raise ImportFailed listing every
    bad row (with its line number) and change nothing when any row is bad."""
    try:
        year = parse_year(year)
    except ValidationError as error:
        raise ImportFailed([(0, " ".join(error.messages))]) from error
    town = Town.objects.filter(name=town_name).first()
    if town is None:
        raise ImportFailed([(0, _("There is no town named %(name)s.") % {"name": town_name})])
    try:
        ensure_year_open(town.pk, year)
    except ValidationError as error:
        raise ImportFailed([(0, " ".join(error.messages))]) from error
    rows = read_rows(source, name, header_aliases=header_aliases)

    communities = {c.name: c for c in Community.objects.filter(town=town)}
    estates = {
        e.name: e for e in Estate.objects.filter(community__town=town).select_related("community")
    }
    companies_by_name = {c.name: c for c in PropertyCompany.objects.all()}
    companies_by_code = {c.credit_code: c for c in PropertyCompany.objects.exclude(credit_code="")}

    errors: list[tuple[int, str]] = []
    parsed = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows:
        reasons = []
        community_name, estate_name = row["community"], row["estate"]
        company_text = row["company"]
        if not estate_name:
            reasons.append(_("the estate is blank"))
        if not company_text:
            reasons.append(_("the company is blank"))
        estate = estates.get(estate_name)
        if estate_name and estate is None:
            if not create_missing:
                reasons.append(_("the town has no estate named %(name)s") % {"name": estate_name})
            elif not community_name:
                reasons.append(
                    _("the new estate %(name)s needs a community") % {"name": estate_name}
                )
        if estate is not None and community_name and estate.community.name != community_name:
            reasons.append(
                _("estate %(estate)s is in %(actual)s, not %(given)s")
                % {"estate": estate_name, "actual": estate.community.name, "given": community_name}
            )
        company = companies_by_name.get(company_text) or companies_by_code.get(company_text)
        if company_text and company is None:
            if not create_missing:
                reasons.append(
                    _("no company has the name or credit code %(text)s") % {"text": company_text}
                )
            elif _looks_like_credit_code(company_text):
                reasons.append(_("a new company needs its name, not only a credit code"))
        values = {}
        for column in ("q1", "q2", "q3", "q4", "satisfaction", "inspection"):
            try:
                values[column] = _score(row[column], column)
            except ValidationError as error:
                reasons.extend(error.messages)
        key = (estate_name, company.name if company else company_text)
        if estate_name and company_text:
            if key in seen:
                reasons.append(
                    _("the same estate and company are on line %(line)d") % {"line": seen[key]}
                )
            else:
                seen[key] = line
        if reasons:
            errors.append((line, "; ".join(str(r) for r in reasons)))
            continue
        parsed.append(
            {
                "line": line,
                "community": community_name,
                "estate": estate_name,
                "company": company_text,
                "veto_reason": row["veto_reason"],
                **values,
            }
        )
    if errors:
        raise ImportFailed(errors)

    result = ImportResult(rows=len(parsed))
    with transaction.atomic():
        scheme_create_default(town=town, year=year, by=by)
        # Holds the year's scheme row until the import commits (publication waits for it).
        ensure_year_open(town.pk, year)
        for row in parsed:
            estate = estates.get(row["estate"])
            if estate is None:
                community = communities.get(row["community"])
                if community is None:
                    community = Community.objects.create(town=town, name=row["community"])
                    communities[community.name] = community
                    result.created["community"] += 1
                estate = Estate.objects.create(
                    community=community,
                    name=row["estate"],
                    status=Estate.Status.DELIVERED,
                    delivery_date=datetime.date(year, 1, 1),
                )
                estates[estate.name] = estate
                result.created["estate"] += 1
            company = companies_by_name.get(row["company"]) or companies_by_code.get(row["company"])
            if company is None:
                company = PropertyCompany.objects.create(name=row["company"])
                companies_by_name[company.name] = company
                result.created["company"] += 1
            row["estate_obj"], row["company_obj"] = estate, company

        # Replace the year's imported inputs.
        year_units = AssessmentUnit.objects.filter(town=town, year=year)
        ImportedQuarterScore.objects.filter(unit__in=year_units).delete()
        ImportedAnnualInput.objects.filter(unit__in=year_units).delete()
        Veto.objects.filter(unit__in=year_units, imported=True).delete()
        keys = {(r["estate_obj"].pk, r["company_obj"].pk) for r in parsed}
        # property_rating.md "Bulk data": an import replaces only the imported inputs. A unit
        # the file no longer names is removed only when nothing but the import made it: never
        # one with a contract, a report, a score, a result, a payout, a rating or a veto.
        stale = [
            pk
            for pk, estate_id, company_id in _disposable_units(year_units).values_list(
                "pk", "estate_id", "company_id"
            )
            if (estate_id, company_id) not in keys
        ]
        AssessmentUnit.objects.filter(pk__in=stale).delete()
        AssessmentUnit.objects.bulk_create(
            [
                AssessmentUnit(
                    town=town,
                    estate=r["estate_obj"],
                    company=r["company_obj"],
                    year=year,
                    source=AssessmentUnit.Source.IMPORT,
                    **{f"assessed_q{q}": r[f"q{q}"] is not None for q in QUARTERS},
                )
                for r in parsed
            ],
            update_conflicts=True,
            unique_fields=["estate", "company", "year"],
            update_fields=["source", "assessed_q1", "assessed_q2", "assessed_q3", "assessed_q4"],
        )
        unit_ids = {
            (estate_id, company_id): pk
            for pk, estate_id, company_id in AssessmentUnit.objects.filter(
                town=town, year=year
            ).values_list("pk", "estate_id", "company_id")
        }
        quarter_rows, annual_rows, vetoes = [], [], []
        for r in parsed:
            unit_id = unit_ids[(r["estate_obj"].pk, r["company_obj"].pk)]
            quarter_rows.extend(
                ImportedQuarterScore(unit_id=unit_id, quarter=q, score=r[f"q{q}"], imported_by=by)
                for q in QUARTERS
                if r[f"q{q}"] is not None
            )
            annual_rows.append(
                ImportedAnnualInput(
                    unit_id=unit_id,
                    satisfaction=r["satisfaction"],
                    inspection=r["inspection"],
                    imported_by=by,
                )
            )
            if r["veto_reason"]:
                vetoes.append(
                    Veto(unit_id=unit_id, reason=r["veto_reason"], recorded_by=by, imported=True)
                )
        ImportedQuarterScore.objects.bulk_create(quarter_rows)
        ImportedAnnualInput.objects.bulk_create(annual_rows)
        Veto.objects.bulk_create(vetoes)
        result.units = len(parsed)
        result.vetoes = len(vetoes)
    return result


def _disposable_units(units):
    """Units that only an import made and that nothing refers to."""
    related = (
        QuarterlyReport,
        QuarterScore,
        AnnualResult,
        Payout,
        SatisfactionRating,
        InspectionScore,
    )
    units = units.filter(source=AssessmentUnit.Source.IMPORT, contract__isnull=True)
    for model in related:
        units = units.exclude(Exists(model.objects.filter(unit=OuterRef("pk"))))
    return units.exclude(Exists(Veto.objects.filter(unit=OuterRef("pk"), imported=False)))


def export_rows(*, town: Town, year: int) -> list[list]:
    """One row per unit: estate, company, annual_score, rank, stars, list, payout."""
    payouts = dict(
        Payout.objects.filter(unit__town=town, unit__year=year, quarter=0).values_list(
            "unit_id", "amount"
        )
    )
    results = (
        AnnualResult.objects.filter(unit__town=town, unit__year=year)
        .select_related("unit__estate", "unit__company")
        .order_by("rank", "unit__estate__name")
    )
    rows = []
    for r in results:
        rows.append(
            [
                r.unit.estate.name,
                r.unit.company.name,
                # Decimals, not text: numeric cells in XLSX (CSV writes the same digits).
                r.annual_score,
                r.rank,
                r.stars,
                r.list_name,
                payouts.get(r.unit_id, r.payout_amount),
            ]
        )
    # Units without a computed result still appear (blank score and rank).
    computed = set(results.values_list("unit_id", flat=True))
    for unit in (
        AssessmentUnit.objects.filter(town=town, year=year)
        .exclude(pk__in=computed)
        .select_related("estate", "company")
        .order_by("estate__name")
    ):
        rows.append([unit.estate.name, unit.company.name, None, None, 0, "", Decimal("0.00")])
    return rows


def write_export(*, town: Town, year: int, path: str) -> int:
    rows = export_rows(town=town, year=year)
    # Formula-safe cells (issue 10): names are written as text, never as formulas.
    return write_table(path, rows, header=EXPORT_COLUMNS, title=str(year))


def town_by_name(name: str) -> Town:
    town = Town.objects.filter(Q(name=name)).first()
    if town is None:
        raise ValidationError(_("There is no town named %(name)s.") % {"name": name})
    return town
