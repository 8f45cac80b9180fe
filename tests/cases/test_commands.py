"""import_cases and export_cases keep cases.md's contract."""

import csv
import datetime
import io
import os
import subprocess
import sys

import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from communities.factories import BuildingFactory, HouseholdFactory
from communities.models import Region, Town
from deliberation.cases import services
from deliberation.cases.models import Case, Level
from governance.models import AuditEvent

from .conftest import sh

HEADER = "ticket,received_at,estate,building,room,category,title,description,caller_name,caller_phone,urgent"


@pytest.fixture
def place(estate, company):
    building = BuildingFactory(estate=estate, name="3栋")
    HouseholdFactory(building=building, room="101")
    return estate


def write(tmp_path, text, name="tickets.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except CommandError as error:
        code = error.returncode
    return code, out.getvalue(), err.getvalue()


def good_file(place, tmp_path, encoding="utf-8"):
    return write(
        tmp_path,
        f"{HEADER}\n"
        f"12345-001,2026-06-01 09:30,{place.name},3栋,101,C01,电梯停运,3栋电梯停运两天,张三,13800000001,0\n"
        f"12345-002,2026-06-02 10:00:05,{place.name},,,C07,夜间噪音,,李四,13800000002,1\n",
        encoding=encoding,
    )


@pytest.mark.django_db
class TestImport:
    def test_import_assigns_tickets_at_their_received_time_and_second_run_skips_all(
        self, place, tmp_path
    ):
        path = good_file(place, tmp_path)
        town = place.community.town.name
        with time_machine.travel(sh(2026, 6, 3, 10), tick=False):
            code, out, err = run("import_cases", path, "--town", town)
            assert (code, err) == (0, "")
            assert "imported 2, skipped 0" in out
            first = Case.objects.get(ticket="12345-001")
            assert first.source == Case.Source.HOTLINE
            assert first.household.room == "101"
            assignment = first.assignments.get()
            assert assignment.level == Level.ESTATE
            assert assignment.assigned_at == sh(2026, 6, 1, 9, 30)
            assert assignment.reply_due == sh(2026, 6, 4, 23, 59, 59)
            assert Case.objects.get(ticket="12345-002").urgent is True
            code, out, _err = run("import_cases", path, "--town", town)
        assert code == 0 and "imported 0, skipped 2" in out
        assert Case.objects.count() == 2
        assert AuditEvent.objects.filter(details__via="command_line").exists()

    def test_gb18030_csv_and_xlsx_with_date_cells_are_read(self, place, tmp_path):
        town = place.community.town.name
        code, out, err = run("import_cases", good_file(place, tmp_path, "gb18030"), "--town", town)
        assert code == 0, err
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(HEADER.split(","))
        sheet.append(
            [
                "X-1",
                datetime.datetime(2026, 6, 5, 8, 0),
                place.name,
                "",
                "",
                "C02",
                "垃圾未清",
                "",
                "",
                "",
                None,
            ]
        )
        path = tmp_path / "t.xlsx"
        workbook.save(path)
        code, out, err = run("import_cases", str(path), "--town", town)
        assert code == 0, err
        assert Case.objects.get(ticket="X-1").received_at == sh(2026, 6, 5, 8)

    def test_every_bad_row_is_listed_with_its_line_and_nothing_is_imported(self, place, tmp_path):
        e = place.name
        path = write(
            tmp_path,
            f"{HEADER}\n"
            f"OK-1,2026-06-01 09:30,{e},,,C01,正常,,,,\n"  # line 2: good
            f"B-3,2026-06-01 09:30,不存在小区,,,C01,标题,,,,\n"  # 3 unknown estate
            f"B-4,2026-06-01 09:30,{e},9栋,,C01,标题,,,,\n"  # 4 unknown building
            f"B-5,2026-06-01 09:30,{e},3栋,999,C01,标题,,,,\n"  # 5 unknown room
            f"B-6,2026-06-01 09:30,{e},,,C42,标题,,,,\n"  # 6 unknown category
            f"B-7,2026/06/01,{e},,,C01,标题,,,,\n"  # 7 bad time
            f"B-8,2099-01-01 00:00,{e},,,C01,标题,,,,\n"  # 8 future
            f"B-9,2026-06-01 09:30,{e},,,C01,,,,,\n"  # 9 missing title
            f"OK-1,2026-06-01 09:30,{e},,,C01,重复,,,,\n"  # 10 same ticket twice
            f"B-11,2026-06-01 09:30,{e},,,C01,标题,,,,yes\n"  # 11 bad urgent
            f",2026-06-01 09:30,{e},,,C01,标题,,,,\n"  # 12 no ticket
            f"B-13,2026-06-01 09:30,{e},,101,C01,标题,,,,\n",  # 13 room without building
        )
        code, out, err = run("import_cases", path, "--town", place.community.town.name)
        assert code == 1
        lines = err.strip().splitlines()
        assert [line.split(":")[0] for line in lines] == [f"line {n}" for n in range(3, 14)]
        for fragment in ("unknown estate", "unknown building", "unknown room", "unknown category",
                         "is not YYYY-MM-DD", "in the future", "title is missing",
                         "twice in the file (first on line 2)", "not 1, 0 or blank",
                         "ticket is missing", "a room needs its building"):  # fmt: skip
            assert fragment in err, fragment
        assert not Case.objects.exists()

    def test_missing_columns_and_unknown_town_are_bad_input(self, place, tmp_path):
        path = write(tmp_path, "ticket,estate\nA,B\n")
        code, _out, err = run("import_cases", path, "--town", place.community.town.name)
        assert code == 1 and "line 1: missing columns" in err
        code, _out, _err = run("import_cases", good_file(place, tmp_path), "--town", "无此镇")
        assert code == 1

    def test_town_by_district_and_name_when_names_repeat(self, place, tmp_path):
        town = place.community.town
        town.district = Region.objects.create(name="南海区", kind=Region.Kind.DISTRICT)
        town.save()
        Town.objects.create(
            name=town.name, district=Region.objects.create(name="顺德区", kind="district")
        )
        code, _out, err = run(
            "import_cases", good_file(place, tmp_path), "--town", f"南海区/{town.name}"
        )
        assert code == 0, err
        code, _out, err = run("import_cases", good_file(place, tmp_path), "--town", str(town.pk))
        assert code == 0, err


def test_usage_error_exits_2():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "governance.settings.test"}
    result = subprocess.run(
        [sys.executable, "manage.py", "import_cases", "x.csv"],
        capture_output=True,
        env=env,
        check=False,
    )
    assert result.returncode == 2
    assert b"--town" in result.stderr


@pytest.mark.django_db
class TestExport:
    def test_export_writes_bom_csv_with_first_and_current_assignment(
        self, place, tmp_path, manager
    ):
        with time_machine.travel(sh(2026, 6, 1, 10), tick=False):
            case = services.case_receive(
                estate=place, category=place.community.town.case_categories.get(code="C01"),
                title="=HYPERLINK(1)", source=Case.Source.HOTLINE, ticket="-T1",
            )  # fmt: skip
            services.case_reply(case=case, by=manager, text="ok")
            other = services.case_receive(
                estate=place, category=place.community.town.case_categories.get(code="C04"),
                title="邻里", source=Case.Source.PORTAL,
            )  # fmt: skip
        with time_machine.travel(sh(2026, 7, 1, 10), tick=False):
            services.case_receive(
                estate=place, category=place.community.town.case_categories.get(code="C04"),
                title="later", source=Case.Source.PORTAL,
            )  # fmt: skip
        out = tmp_path / "cases.csv"
        code, stdout, err = run("export_cases", "--town", place.community.town.name, "--output",
                                str(out), "--from", "2026-06-01", "--to", "2026-06-30")  # fmt: skip
        assert code == 0, err
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
        assert [r["ticket"] for r in rows] == ["'-T1", str(other.pk)]
        first = rows[0]
        assert first["first_level"] == "estate"
        assert first["first_accept_due"] == "2026-06-02 23:59:59"
        assert first["first_reply_due"] == "2026-06-04 23:59:59"
        assert (first["state"], first["on_time"], first["replied_at"]) == (
            "replied",
            "1",
            "2026-06-01 10:00:00",
        )
        assert first["handler"] == place.contracts.get().company.name
        assert rows[1]["level"] == "community" and rows[1]["on_time"] == ""

    def test_export_xlsx_and_bad_dates_are_usage_errors(self, place, tmp_path):
        out = tmp_path / "cases.xlsx"
        code, _o, err = run(
            "export_cases", "--town", place.community.town.name, "--output", str(out)
        )
        assert code == 0, err
        assert openpyxl.load_workbook(out).active["A1"].value == "ticket"
        code, _o, _e = run("export_cases", "--town", place.community.town.name, "--output",
                           str(out), "--from", "2026-13-01")  # fmt: skip
        assert code == 2
