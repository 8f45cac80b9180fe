"""Every spreadsheet the project reads or writes goes through here (issue 10).

Writing: `safe_cell` is the one place a value becomes spreadsheet-safe. A text cell that a
spreadsheet program would run as a formula (it begins with = + - @, a tab or a carriage
return) gets a leading apostrophe and is otherwise kept (OWASP "CSV injection"); numbers, dates
and booleans stay typed cells, and a plain negative number such as "-12.50" stays a number.
`write_csv`, `write_xlsx`, `write_table`, `csv_text` and `xlsx_bytes` apply it to every cell;
the admin's import-export formats (`governance.spreadsheets.admin_io`) do the same.

Reading (the reverse: `unescape_cell` drops such an apostrophe, so an exported file imports
to the same data): `read_table` reads CSV (UTF-8 with or without BOM, else GB18030/GBK) or XLSX under
caps (`IMPORT_MAX_BYTES`, `IMPORT_MAX_ROWS`, `IMPORT_MAX_UNPACKED_BYTES`) that are checked
before the file is parsed whole: the byte size first, an XLSX's unpacked size from the zip
central directory, then rows counted while streaming (openpyxl read-only). Every problem is a
`SpreadsheetError` whose message is meant for the user; nothing else escapes.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import os
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A plain decimal number written as text ("-12.50"): a spreadsheet reads it as a number, never
# as a formula, so it keeps its sign (payouts and scores are exported as text in CSV).
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z")
_TYPED = (bool, int, float, Decimal, datetime.date, datetime.time, datetime.timedelta)
# Characters XML 1.0 (and so XLSX) cannot hold; openpyxl raises on them.
_ILLEGAL_XML = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
MAX_COLUMNS = 100  # no import of this project has more than 20 columns
MAX_ZIP_MEMBERS = 10_000


class SpreadsheetError(ValueError):
    """A file that cannot be read, or is over a limit; str() is a translated user message."""


# --- writing -----------------------------------------------------------------------------------


def safe_cell(value):
    """The value to put in a spreadsheet cell: typed values as they are, text that could start a
    formula prefixed with an apostrophe, anything else as its (escaped) text."""
    if value is None or isinstance(value, _TYPED):
        return value
    text = str(value) if not isinstance(value, str) else value
    if text.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def unescape_cell(value):
    """The inverse of safe_cell for a value read back from a file: an apostrophe that precedes
    a formula character is removed, so a file exported here imports to the same data."""
    if (
        isinstance(value, str)
        and len(value) > 1
        and value[0] == "'"
        and value[1:].startswith(FORMULA_PREFIXES)
    ):
        return value[1:]
    return value


def safe_row(values) -> list:
    return [safe_cell(value) for value in values]


def _xlsx_cell(value):
    value = safe_cell(value)
    if isinstance(value, str):
        return _ILLEGAL_XML.sub("\N{REPLACEMENT CHARACTER}", value)
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        # Excel has no time zones: write the project's local time.
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    return value


def write_csv(handle, rows, *, header=None) -> int:
    """Write escaped rows (and the header) to a text file opened with newline=""."""
    writer = csv.writer(handle)
    if header is not None:
        writer.writerow(safe_row(header))
    count = 0
    for row in rows:
        writer.writerow(safe_row(row))
        count += 1
    return count


def csv_text(rows, *, header=None) -> str:
    out = io.StringIO()
    write_csv(out, rows, header=header)
    return out.getvalue()


# Number formats of typed cells: money and scores (Decimal) with thousands separators and two
# places, whole numbers plain (a year is never "2,021"), dates and times as dates.
MONEY_FORMAT = "#,##0.00"
INTEGER_FORMAT = "0"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def _number_format(value) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return MONEY_FORMAT
    if isinstance(value, int):
        return INTEGER_FORMAT
    if isinstance(value, datetime.datetime):
        return DATETIME_FORMAT
    if isinstance(value, datetime.date):
        return DATE_FORMAT
    return None


def sheet_title(title) -> str:
    """A worksheet name Excel accepts: no \\ * ? : / [ ], at most 31 characters."""
    return re.sub(r"[\\*?:/\[\]]", "-", str(title))[:31] or "Sheet1"


def write_xlsx(target, rows, *, header=None, title: str | None = None) -> int:
    """Write escaped rows to an XLSX workbook (a path or a binary file). Text is always a text
    cell: no value from data is ever written as a formula. Numbers and dates are typed cells
    with a number format (money `#,##0.00`), the sheet is named `title` and, with a header, the
    header row is bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.title = sheet_title(title)
    count = 0
    widths: dict[int, int] = {}
    if header is not None:
        sheet.append([_xlsx_cell(value) for value in header])
        bold = Font(bold=True)
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in row])
        count += 1
    for row in sheet.iter_rows():
        for cell in row:
            # Belt and braces: openpyxl turns any text starting with "=" into a formula.
            if cell.data_type == "f":
                cell.value = "'" + str(cell.value)
                cell.data_type = TYPE_STRING
            number_format = _number_format(cell.value)
            if number_format:
                cell.number_format = number_format
            if cell.value is not None and cell.row <= 200:
                # CJK characters take two character widths.
                text = str(cell.value)
                width = len(text) + sum(1 for ch in text if ord(ch) > 0x2E80)
                widths[cell.column] = max(widths.get(cell.column, 0), width)
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)
    workbook.save(target)
    return count


def xlsx_bytes(rows, *, header=None, title: str | None = None) -> bytes:
    out = io.BytesIO()
    write_xlsx(out, rows, header=header, title=title)
    return out.getvalue()


def write_table(path, rows, *, header=None, title: str | None = None) -> int:
    """Write a CSV, or an XLSX workbook when the path ends in .xlsx; returns the row count."""
    if str(path).lower().endswith(".xlsx"):
        return write_xlsx(str(path), rows, header=header, title=title)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        return write_csv(handle, rows, header=header)


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    max_rows: int
    max_bytes: int
    max_unpacked_bytes: int
    max_columns: int = MAX_COLUMNS

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_rows=settings.IMPORT_MAX_ROWS,
            max_bytes=settings.IMPORT_MAX_BYTES,
            max_unpacked_bytes=settings.IMPORT_MAX_UNPACKED_BYTES,
        )


@dataclass
class Table:
    """The header and the data rows (with their 1-based line numbers; line 1 is the header).
    Blank rows are left out. CSV values are text; XLSX values are as the workbook stores them."""

    headers: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)


def _mb(size: int) -> str:
    return f"{size / 1048576:.1f}"


def check_size(size: int, limits: Limits | None = None) -> None:
    limits = limits or Limits.from_settings()
    if size > limits.max_bytes:
        raise SpreadsheetError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": _mb(size), "limit": _mb(limits.max_bytes)}
        )


def _too_many_rows(limits: Limits) -> SpreadsheetError:
    return SpreadsheetError(
        _("The file has more than %(max)d rows; split it into files of at most %(max)d rows.")
        % {"max": limits.max_rows}
    )


def decode_text(content: bytes) -> str:
    """CSV text: UTF-8 (with or without BOM), else GB18030 (a superset of GBK and GB2312), the
    encodings Excel and WPS save in on Chinese Windows."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(
        _("The file is not text in UTF-8 or GBK; save it as CSV (UTF-8) or as an Excel workbook.")
    )


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _headers(raw, limits: Limits) -> list[str]:
    headers = ["" if value is None else str(value).strip() for value in raw]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise SpreadsheetError(_("The file is empty: its first row must name the columns."))
    if len(headers) > limits.max_columns:
        raise SpreadsheetError(
            _("The file has more than %(max)d columns.") % {"max": limits.max_columns}
        )
    for number, name in enumerate(headers, start=1):
        if not name:
            raise SpreadsheetError(
                _("Column %(number)d has no name in the first row.") % {"number": number}
            )
    seen = set()
    for name in headers:
        if name in seen:
            raise SpreadsheetError(_("The column “%(name)s” appears twice.") % {"name": name})
        seen.add(name)
    return headers


def _collect(raw_rows, limits: Limits) -> Table:
    """Header plus data rows from an iterator of raw rows, stopping as soon as a cap is passed
    (blank rows count against a second, looser cap so a sheet of empty rows is cut short too)."""
    raw_rows = iter(raw_rows)
    try:
        first = next(raw_rows)
    except StopIteration:
        raise SpreadsheetError(_("The file is empty.")) from None
    headers = _headers(first, limits)
    width = len(headers)
    table = Table(headers=headers)
    seen = 0
    for line, raw in enumerate(raw_rows, start=2):
        seen += 1
        if seen > 2 * limits.max_rows:
            raise _too_many_rows(limits)
        values = list(raw)
        if all(_blank(v) for v in values):
            continue
        if any(not _blank(v) for v in values[width:]):
            raise SpreadsheetError(
                _("Line %(line)d has more cells than the first row has column names.")
                % {"line": line}
            )
        values = [unescape_cell(v) for v in values[:width]] + [None] * (width - len(values))
        table.rows.append((line, values))
        if len(table.rows) > limits.max_rows:
            raise _too_many_rows(limits)
    return table


def read_csv_bytes(content: bytes, limits: Limits | None = None) -> Table:
    limits = limits or Limits.from_settings()
    check_size(len(content), limits)
    if content.startswith(_ZIP_MAGIC):
        raise SpreadsheetError(_("This is an Excel workbook, not a CSV file: choose XLSX."))
    if content.startswith(_OLE_MAGIC):
        raise SpreadsheetError(
            _("This is an old Excel .xls (or encrypted) file: save it as .xlsx or CSV.")
        )
    if b"\x00" in content:
        raise SpreadsheetError(_("The file is not a CSV text file."))
    text = decode_text(content)
    try:
        table = _collect(
            ([cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))), limits
        )
    except csv.Error as error:
        raise SpreadsheetError(
            _("The file is not valid CSV (%(reason)s).") % {"reason": str(error)}
        ) from error
    for _line, values in table.rows:
        values[:] = ["" if v is None else v for v in values]
    return table


def check_xlsx_archive(content: bytes, limits: Limits | None = None) -> None:
    """Refuse a file that is not a zip, or whose members unpack past the cap, from the zip's
    central directory alone (nothing is decompressed)."""
    limits = limits or Limits.from_settings()
    if content.startswith(_OLE_MAGIC):
        raise SpreadsheetError(
            _("This is an old Excel .xls (or encrypted) file: save it as .xlsx or CSV.")
        )
    if not content.startswith(_ZIP_MAGIC):
        raise SpreadsheetError(
            _("The file is not an Excel workbook (.xlsx); if it is a CSV file, choose CSV.")
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise SpreadsheetError(_("The Excel workbook is damaged and cannot be read.")) from error
    if len(members) > MAX_ZIP_MEMBERS:
        raise SpreadsheetError(_("The Excel workbook is damaged and cannot be read."))
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked_bytes:
        raise SpreadsheetError(
            _("The workbook unpacks to %(size)s MB; the limit is %(limit)s MB.")
            % {"size": _mb(unpacked), "limit": _mb(limits.max_unpacked_bytes)}
        )
    _count_sheet_rows(content, members, limits)


def _count_sheet_rows(content: bytes, members, limits: Limits) -> None:
    """Count each worksheet's rows with a streaming parser, stopping at the cap. openpyxl, even
    read-only, parses every sheet whole on opening when a sheet declares no dimensions (the
    shape of a small file that unpacks to 300,000 rows), so this runs first."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, iterparse

    ceiling = 2 * limits.max_rows + 1  # header, data rows and as many blank rows
    sheets = [
        m.filename
        for m in members
        if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml")
    ]
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in sheets:
                count = 0
                with archive.open(name) as source:
                    for _event, element in iterparse(source):
                        if element.tag.endswith("}row") or element.tag == "row":
                            count += 1
                            element.clear()
                            if count > ceiling:
                                raise _too_many_rows(limits)
    except SpreadsheetError:
        raise
    except (
        DefusedXmlException,
        ParseError,
        zipfile.BadZipFile,
        OSError,
        ValueError,
        EOFError,
    ) as error:
        raise SpreadsheetError(_("The Excel workbook is damaged and cannot be read.")) from error


def _sheet_rows(sheet, limits: Limits):
    """The header row, then the data rows cut to one column past the header: whatever size the
    sheet declares (or a stray cell far to the right), a row never costs more than that."""
    first = next(sheet.iter_rows(max_row=1, max_col=limits.max_columns + 1, values_only=True), None)
    if first is None:
        return
    yield first
    width = len(_headers(first, limits))
    yield from sheet.iter_rows(min_row=2, max_col=width + 1, values_only=True)


def read_xlsx_bytes(content: bytes, limits: Limits | None = None) -> Table:
    limits = limits or Limits.from_settings()
    check_size(len(content), limits)
    check_xlsx_archive(content, limits)
    from openpyxl import load_workbook

    workbook = None
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not know; not the user's concern.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = workbook.active
            if sheet is None or not hasattr(sheet, "iter_rows"):
                raise SpreadsheetError(_("The Excel workbook has no worksheet."))
            return _collect(_sheet_rows(sheet, limits), limits)
    except SpreadsheetError:
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged workbook
        logger.info("unreadable workbook: %s", type(error).__name__)
        raise SpreadsheetError(_("The Excel workbook is damaged and cannot be read.")) from error
    finally:
        if workbook is not None:
            workbook.close()


def _format_of(name: str, content: bytes) -> str:
    suffix = Path(name).suffix.lower() if name else ""
    if suffix == ".xlsx":
        return "xlsx"
    if suffix in (".csv", ".txt"):
        return "csv"
    return "xlsx" if content.startswith(_ZIP_MAGIC) else "csv"


def read_bytes(source, limits: Limits) -> bytes:
    """The content of a path, an uploaded file or a binary file, refusing it by size before
    reading when the size is known, and never reading more than the cap plus one byte."""
    if isinstance(source, bytes):
        check_size(len(source), limits)
        return source
    if isinstance(source, (str, os.PathLike)):
        try:
            check_size(os.path.getsize(source), limits)
            with open(source, "rb") as handle:
                return handle.read(limits.max_bytes + 1)
        except FileNotFoundError:
            raise
        except IsADirectoryError as error:
            raise SpreadsheetError(_("%(name)s is a directory.") % {"name": source}) from error
        except OSError as error:
            raise SpreadsheetError(
                _("%(name)s cannot be read: %(reason)s.")
                % {"name": source, "reason": error.strerror or type(error).__name__}
            ) from error
    size = getattr(source, "size", None)
    if size is not None:
        check_size(size, limits)
    if hasattr(source, "seek"):
        source.seek(0)
    content = source.read(limits.max_bytes + 1)
    if isinstance(content, str):
        content = content.encode("utf-8")
    check_size(len(content), limits)
    return content


def read_table(source, *, name: str | None = None, fmt: str | None = None, limits=None) -> Table:
    """Read a CSV or XLSX file (a path, an uploaded file, a binary file or bytes). The format is
    `fmt` ("csv"/"xlsx"), else the name's extension, else sniffed. Raises SpreadsheetError
    (FileNotFoundError for a missing path)."""
    limits = limits or Limits.from_settings()
    content = read_bytes(source, limits)
    if name is None:
        name = (
            str(source) if isinstance(source, (str, os.PathLike)) else getattr(source, "name", "")
        )
    fmt = fmt or _format_of(name or "", content)
    if fmt == "xlsx":
        return read_xlsx_bytes(content, limits)
    return read_csv_bytes(content, limits)
