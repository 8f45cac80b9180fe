"""The exact tally of an assembly vote (owners.md "At close"), as pure functions.

Areas are Decimals from the register; every ratio is a `fractions.Fraction`, never a float.
Civil Code art. 1259: "以上" (at least) includes the boundary, "过半数" (more than half) does not.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

TWO_THIRDS = Fraction(2, 3)
THREE_QUARTERS = Fraction(3, 4)
HALF = Fraction(1, 2)

AGREE, DISAGREE, ABSTAIN = "agree", "disagree", "abstain"
CONDITIONS = ("participation_area", "participation_headcount", "agree_area", "agree_headcount")


@dataclass(frozen=True)
class Entry:
    """One owner's units in one building, as the register stood when the vote opened."""

    owner: int
    building: int
    area: Decimal
    units: int = 1


@dataclass(frozen=True)
class Tally:
    total_area: Decimal
    total_owners: int
    participating_area: Decimal
    participating_owners: int
    agree_area: Decimal
    agree_owners: int
    qualified: bool
    failed: tuple[str, ...] = field(default=())

    @property
    def participation_met(self) -> bool:
        return not {"participation_area", "participation_headcount"} & set(self.failed)

    @property
    def passed(self) -> bool:
        return not self.failed

    def as_dict(self) -> dict:
        """JSON-ready: areas as strings with 2 decimals, counts as integers, ratios exact."""
        return {
            "total_area": f"{self.total_area:.2f}",
            "total_owners": self.total_owners,
            "participating_area": f"{self.participating_area:.2f}",
            "participating_owners": self.participating_owners,
            "agree_area": f"{self.agree_area:.2f}",
            "agree_owners": self.agree_owners,
            "participation_met": self.participation_met,
            "passed": self.passed,
            "failed": list(self.failed),
            "threshold": "3/4" if self.qualified else ">1/2",
            "ratios": {
                "participation_area": _ratio(self.participating_area, self.total_area),
                "participation_headcount": _ratio(self.participating_owners, self.total_owners),
                "agree_area": _ratio(self.agree_area, self.participating_area),
                "agree_headcount": _ratio(self.agree_owners, self.participating_owners),
            },
        }


def _fraction(numerator, denominator) -> Fraction | None:
    if not denominator:
        return None
    return Fraction(numerator) / Fraction(denominator)


def _ratio(numerator, denominator) -> dict | None:
    value = _fraction(numerator, denominator)
    if value is None:
        return None
    # The percentage is for display only; decisions compare the exact fraction.
    percent = (Decimal(value.numerator * 100) / Decimal(value.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return {"exact": f"{value.numerator}/{value.denominator}", "percent": str(percent)}


def _at_least(numerator, denominator, bound: Fraction) -> bool:
    value = _fraction(numerator, denominator)
    return value is not None and value >= bound


def _more_than(numerator, denominator, bound: Fraction) -> bool:
    value = _fraction(numerator, denominator)
    return value is not None and value > bound


def owner_areas(entries: Iterable[Entry]) -> dict[int, Decimal]:
    """Area per owner: one owner of several units (in several buildings) is one head."""
    areas: dict[int, Decimal] = {}
    for entry in entries:
        areas[entry.owner] = areas.get(entry.owner, Decimal("0")) + entry.area
    return areas


def count(areas: Mapping[int, Decimal], choices: Mapping[int, str], *, qualified: bool) -> Tally:
    """Tally owners' `choices` (owner -> agree/disagree/abstain) over the register `areas`
    (owner -> area). Owners with no ballot, or not in the register, never count."""
    total_area = sum(areas.values(), Decimal("0"))
    participants = [owner for owner in areas if owner in choices]
    agreeing = [owner for owner in participants if choices[owner] == AGREE]
    participating_area = sum((areas[o] for o in participants), Decimal("0"))
    agree_area = sum((areas[o] for o in agreeing), Decimal("0"))
    failed = []
    # Participation: at least 2/3 of the area AND at least 2/3 of the owners ("以上" includes).
    if not _at_least(participating_area, total_area, TWO_THIRDS):
        failed.append("participation_area")
    if not _at_least(len(participants), len(areas), TWO_THIRDS):
        failed.append("participation_headcount")
    if qualified:  # art. 278: at least three quarters of the participating area and owners
        area_ok = _at_least(agree_area, participating_area, THREE_QUARTERS)
        head_ok = _at_least(len(agreeing), len(participants), THREE_QUARTERS)
    else:  # "过半数": more than half, half itself fails
        area_ok = _more_than(agree_area, participating_area, HALF)
        head_ok = _more_than(len(agreeing), len(participants), HALF)
    if not area_ok:
        failed.append("agree_area")
    if not head_ok:
        failed.append("agree_headcount")
    return Tally(
        total_area=total_area,
        total_owners=len(areas),
        participating_area=participating_area,
        participating_owners=len(participants),
        agree_area=agree_area,
        agree_owners=len(agreeing),
        qualified=qualified,
        failed=tuple(failed),
    )


def tally(entries: Iterable[Entry], choices: Mapping[int, str], *, qualified: bool) -> dict:
    """The whole result: the estate (or buildings) tally and a per-building breakdown, each
    building counted the same way over the owners of units in it."""
    entries = list(entries)
    result = count(owner_areas(entries), choices, qualified=qualified).as_dict()
    buildings: dict[int, list[Entry]] = {}
    for entry in entries:
        buildings.setdefault(entry.building, []).append(entry)
    result["buildings"] = {
        str(building): count(owner_areas(rows), choices, qualified=qualified).as_dict()
        for building, rows in sorted(buildings.items())
    }
    return result


@dataclass(frozen=True)
class CandidateLine:
    candidate: int
    agree_area: Decimal
    agree_owners: int
    passed: bool


def election(
    areas: Mapping[int, Decimal],
    lines: Mapping[int, Mapping[int, str]],
    candidates: Iterable[int],
    *,
    seats: int,
) -> dict:
    """A committee election (owners.md "Owners' committees"). `lines`: owner -> {candidate ->
    choice}; an owner with a ballot takes part once, whatever lines it carries. Each candidate
    needs the ordinary majority on their own line; those who pass fill the seats by agreeing
    area, then agreeing headcount; a tie on both for the last seat goes to a run-off."""
    participation = count(areas, dict.fromkeys(lines, ABSTAIN), qualified=False)
    participation_met = participation.participation_met
    rows = []
    for candidate in candidates:
        choices = {owner: line.get(candidate, ABSTAIN) for owner, line in lines.items()}
        result = count(areas, choices, qualified=False)
        rows.append(
            CandidateLine(
                candidate=candidate,
                agree_area=result.agree_area,
                agree_owners=result.agree_owners,
                passed=participation_met and result.passed,
            )
        )
    passing = sorted(
        (row for row in rows if row.passed),
        key=lambda row: (-row.agree_area, -row.agree_owners, row.candidate),
    )
    elected, runoff = passing[:seats], []
    if len(passing) > seats:
        last = passing[seats - 1]
        tied = [
            row
            for row in passing
            if (row.agree_area, row.agree_owners) == (last.agree_area, last.agree_owners)
        ]
        if len(tied) > 1:
            elected = [row for row in elected if row not in tied]
            runoff = tied
    return {
        "participation_met": participation_met,
        "participating_area": f"{participation.participating_area:.2f}",
        "participating_owners": participation.participating_owners,
        "total_area": f"{participation.total_area:.2f}",
        "total_owners": participation.total_owners,
        "seats": seats,
        "candidates": [
            {
                "candidate": row.candidate,
                "agree_area": f"{row.agree_area:.2f}",
                "agree_owners": row.agree_owners,
                "passed": row.passed,
            }
            for row in rows
        ],
        "elected": [row.candidate for row in elected],
        "runoff": [row.candidate for row in runoff],
        "runoff_seats": seats - len(elected) if runoff else 0,
    }
