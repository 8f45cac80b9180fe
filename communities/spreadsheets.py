"""Reading registers and paper-ballot lists: CSV (UTF-8 or GB18030) or XLSX (owners.md
"Scripts"). Rows come with their line number in the file (the header is line 1)."""

import csv
import io
from pathlib import Path

from django.core.management.base import CommandError


class BadFile(Exception):
    """The file as a whole cannot be read (encoding, format, header)."""


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadFile("the file is neither UTF-8 nor GB18030 text")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(
    path: str, *, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> list[tuple[int, dict[str, str]]]:
    """(line, row) pairs with lower-cased column names; blank rows are skipped. Raises
    FileNotFoundError, or BadFile when the file or its header cannot be used."""
    source = Path(path)
    content = source.read_bytes()
    if source.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise BadFile(f"not a readable XLSX workbook ({type(error).__name__})") from error
        raw = [
            (line, [_cell(v) for v in values])
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    else:
        reader = csv.reader(io.StringIO(_decode(content), newline=""))
        try:
            raw = [(reader.line_num, [c.strip() for c in values]) for values in reader]
        except csv.Error as error:
            raise BadFile(f"line {reader.line_num}: {error}") from error
    if not raw:
        raise BadFile("line 1: the file is empty; expected the header " + ", ".join(required))
    header = [h.strip().lower() for h in raw[0][1]]
    missing = [c for c in required if c not in header]
    if missing:
        raise BadFile("line 1: missing column(s) " + ", ".join(missing))
    known = set(required) | set(optional)
    rows = []
    for line, values in raw[1:]:
        if not any(values):
            continue
        row = {
            name: (values[i] if i < len(values) else "")
            for i, name in enumerate(header)
            if name in known
        }
        rows.append((line, row))
    return rows


def usage_error(message: str) -> CommandError:
    """A usage error (a wrong argument): exit status 2, as argparse gives."""
    return CommandError(message, returncode=2)
