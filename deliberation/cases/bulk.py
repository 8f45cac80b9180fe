"""Hotline tickets in and cases out (cases.md "Hotline tickets and scripts").

import_cases: CSV (UTF-8 or GB18030) or XLSX, idempotent by ticket, all or nothing with every bad
row listed by its file line (the header is line 1). export_cases: CSV (UTF-8 with BOM) or XLSX.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from communities.models import Building, Estate, Household, Town
from governance.security import audit

from .deadlines import SHANGHAI
from .models import Assignment, Case, CaseCategory, Reply

IMPORT_COLUMNS = [
    "ticket",
    "received_at",
    "estate",
    "building",
    "room",
    "category",
    "title",
    "description",
    "caller_name",
    "caller_phone",
    "urgent",
]
EXPORT_COLUMNS = [
    "ticket",
    "estate",
    "category",
    "first_level",
    "first_accept_due",
    "first_reply_due",
    "level",
    "handler",
    "state",
    "received_at",
    "replied_at",
    "on_time",
    "rating",
]
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
VIA = "command_line"


class ImportFailed(Exception):
    """Every bad row: `errors` is a list of (line number, reason)."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__("; ".join(f"line {line}: {reason}" for line, reason in errors))


@dataclass
class ImportResult:
    imported: int = 0
    skipped: int = 0


# --- reading --------------------------------------------------------------------------------


def _cell_text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime.datetime):
        return cell.strftime(TIME_FORMAT)
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def read_rows(path: str) -> list[tuple[int, dict]]:
    """(line number, {column: text}) per non-empty data row; XLSX date cells become text.
    Read through governance.spreadsheets (caps, UTF-8 or GB18030, an exported apostrophe undone)."""
    from governance.spreadsheets import SpreadsheetError, read_table, unescape_cell

    try:
        table = read_table(path)
    except SpreadsheetError as error:
        raise ImportFailed([(1, str(error))]) from error
    header = [h.strip().lower() for h in table.headers]
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        raise ImportFailed([(1, f"missing columns: {', '.join(missing)}")])
    rows = []
    for number, values in table.rows:
        values = [unescape_cell(_cell_text(v)) for v in values]
        if not any(values):
            continue
        values = values + [""] * (len(header) - len(values))
        rows.append((number, {h: values[i] for i, h in enumerate(header) if h}))
    return rows


def _parse_time(text: str) -> datetime.datetime | None:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.datetime.strptime(text, fmt).replace(tzinfo=SHANGHAI)
        except ValueError:
            continue
    return None


# --- import ---------------------------------------------------------------------------------


def import_cases(*, path: str, town: Town) -> ImportResult:
    """Import hotline tickets into `town`; raises ImportFailed listing every bad row."""
    from .services import case_receive

    rows = read_rows(path)
    estates = {e.name: e for e in Estate.objects.filter(community__town=town)}
    categories = {c.code: c for c in CaseCategory.objects.filter(town=town)}
    buildings = {
        (b.estate_id, b.name): b for b in Building.objects.filter(estate__community__town=town)
    }
    households = {
        (h.building_id, h.room): h
        for h in Household.objects.filter(building__estate__community__town=town)
    }
    known = set(Case.objects.filter(town=town).exclude(ticket="").values_list("ticket", flat=True))
    now = timezone.now()
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    parsed = []
    result = ImportResult()
    for line, row in rows:
        reasons = []
        ticket = row["ticket"]
        if not ticket:
            reasons.append("ticket is missing")
        elif ticket in seen:
            reasons.append(
                f"ticket {ticket} appears twice in the file (first on line {seen[ticket]})"
            )
        else:
            seen[ticket] = line
        received_at = _parse_time(row["received_at"])
        if received_at is None:
            reasons.append(
                f"received_at {row['received_at']!r} is not YYYY-MM-DD HH:MM[:SS] or a date cell"
            )
        elif received_at > now:
            reasons.append(f"received_at {row['received_at']} is in the future")
        estate = estates.get(row["estate"])
        if estate is None:
            reasons.append(f"unknown estate {row['estate']!r}")
        building = household = None
        if row["building"] and estate is not None:
            building = buildings.get((estate.pk, row["building"]))
            if building is None:
                reasons.append(f"unknown building {row['building']!r} in {estate.name}")
        if row["room"]:
            if not row["building"]:
                reasons.append("a room needs its building")
            elif building is not None:
                household = households.get((building.pk, row["room"]))
                if household is None:
                    reasons.append(f"unknown room {row['room']!r} in {building.name}")
        category = categories.get(row["category"])
        if category is None:
            reasons.append(f"unknown category {row['category']!r}")
        title = row["title"]
        if not title:
            reasons.append("title is missing")
        elif "\n" in title or "\r" in title:
            reasons.append("the title is one line")
        elif len(title) > 120:
            reasons.append("the title is longer than 120 characters")
        if row["urgent"] not in ("", "0", "1"):
            reasons.append(f"urgent {row['urgent']!r} is not 1, 0 or blank")
        if len(row["caller_name"]) > 50 or len(row["caller_phone"]) > 20:
            reasons.append("caller name or phone too long")
        if reasons:
            errors.append((line, "; ".join(reasons)))
            continue
        if ticket in known:
            result.skipped += 1
            continue
        parsed.append((line, row, received_at, estate, building, household, category))
    if errors:
        raise ImportFailed(errors)
    with transaction.atomic():
        # Oldest first, so each case's deadlines and duplicate offers follow the order of receipt.
        for line, row, received_at, estate, building, household, category in sorted(
            parsed, key=lambda p: (p[2], p[0])
        ):
            try:
                case_receive(
                    estate=estate,
                    category=category,
                    title=row["title"],
                    description=row["description"],
                    source=Case.Source.HOTLINE,
                    building=building,
                    household=household,
                    caller_name=row["caller_name"],
                    caller_phone=row["caller_phone"],
                    ticket=row["ticket"],
                    received_at=received_at,
                    urgent=row["urgent"] == "1",
                    via=VIA,
                )
            except ValidationError as error:
                errors.append((line, "; ".join(error.messages)))
        if errors:
            transaction.set_rollback(True)
            raise ImportFailed(errors)
        result.imported = len(parsed)
        audit.record(
            audit.Action.OTHER,
            object_type="communities.town",
            object_id=town.pk,
            summary="cases imported from the command line",
            details={"via": VIA, "imported": result.imported, "skipped": result.skipped},
        )
    return result


# --- export ---------------------------------------------------------------------------------


def _time(value) -> str:
    return timezone.localtime(value, SHANGHAI).strftime(TIME_FORMAT) if value else ""


def export_rows(*, town: Town, start: datetime.date | None, end: datetime.date | None):
    """One row per case received in [start, end] (inclusive, Asia/Shanghai), constant queries."""
    cases = Case.objects.filter(town=town)
    if start:
        cases = cases.filter(
            received_at__gte=datetime.datetime.combine(start, datetime.time(), tzinfo=SHANGHAI)
        )
    if end:
        cases = cases.filter(
            received_at__lt=datetime.datetime.combine(
                end + datetime.timedelta(days=1), datetime.time(), tzinfo=SHANGHAI
            )
        )
    cases = (
        cases.select_related("estate", "category")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related(
                    "company", "community", "department"
                ).order_by("assigned_at", "pk"),
            ),
            Prefetch("replies", queryset=Reply.objects.order_by("at", "pk")),
        )
        .order_by("received_at", "pk")
    )
    for case in cases:
        assignments = list(case.assignments.all())
        replies = list(case.replies.all())
        first = assignments[0] if assignments else None
        current = next((a for a in assignments if a.ended_at is None), None) or (
            assignments[-1] if assignments else None
        )
        last_reply = replies[-1] if replies else None
        yield [
            case.number,
            case.estate.name,
            case.category.code,
            first.level if first else "",
            _time(first.accept_due) if first else "",
            _time(first.reply_due) if first else "",
            case.level,
            str(current.handler) if current else "",
            case.state,
            _time(case.received_at),
            _time(last_reply.at) if last_reply else "",
            ("1" if last_reply.on_time else "0") if last_reply else "",
            case.rating or "",
        ]


def write_export(*, town: Town, path: str, start=None, end=None) -> int:
    from governance.spreadsheets import write_csv, write_xlsx

    rows = list(export_rows(town=town, start=start, end=end))
    if path.lower().endswith(".xlsx"):
        write_xlsx(path, rows, header=EXPORT_COLUMNS, title="cases")
    else:
        with open(path, "w", newline="", encoding="utf-8-sig") as handle:
            write_csv(handle, rows, header=EXPORT_COLUMNS)
    audit.record(
        audit.Action.OTHER,
        object_type="communities.town",
        object_id=town.pk,
        summary="cases exported from the command line",
        details={"via": VIA, "rows": len(rows)},
    )
    return len(rows)
