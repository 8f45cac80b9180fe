"""The four commands of owners.md "Scripts", keeping their contract: all or nothing, every bad
row with its line on stderr, exit 1 on bad input and 2 on a usage error."""

import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook
from PIL import Image

from communities.factories import EstateFactory
from communities.models import Household, Owner
from deliberation.assemblies.models import AssemblyVote, Ballot

pytestmark = pytest.mark.django_db

REGISTER = """building,room,area,owner,delivered
1栋,101,100.00,A,1
2栋,101,50,A,
1栋,102,80.5,B,1
2栋,102,69.5,C,1
1栋,103,60,,0
2栋,103,40,X,0
"""


@pytest.fixture
def estate(db):
    return EstateFactory(name="糖果雅苑", community__town__name="里水镇")


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except CommandError as error:
        code = error.returncode
        err.write(str(error))
    return code, out.getvalue(), err.getvalue()


def write(tmp_path, text, name="file.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def import_register(tmp_path, text=REGISTER, **kw):
    return run(
        "import_owners", write(tmp_path, text, **kw), "--town", "里水镇", "--estate", "糖果雅苑"
    )


def test_import_owners_creates_units_areas_and_owners(estate, tmp_path):
    code, out, _err = import_register(tmp_path)
    assert code == 0, _err
    a = Owner.objects.get(key="A")
    assert a.households.count() == 2
    undelivered = Household.objects.filter(delivered=False)
    assert {h.owner.key for h in undelivered} == {"developer"}  # the X on line 7 is ignored
    assert Household.objects.get(room="102", building__name="1栋").floor_area == 80.5


def test_import_owners_reads_gb18030(estate, tmp_path):
    code, _out, err = import_register(tmp_path, REGISTER, encoding="gb18030")
    assert code == 0, err
    assert estate.buildings.filter(name="1栋").exists()


def test_import_owners_reads_xlsx(estate, tmp_path):
    book = Workbook()
    for row in [line.split(",") for line in REGISTER.strip().splitlines()]:
        book.active.append(row)
    path = tmp_path / "register.xlsx"
    book.save(path)
    code, _out, err = run("import_owners", str(path), "--town", "里水镇", "--estate", "糖果雅苑")
    assert code == 0, err
    assert Household.objects.count() == 6


def test_import_owners_lists_every_bad_row_and_changes_nothing(estate, tmp_path):
    bad = (
        "building,room,area,owner,delivered\n"
        "1栋,101,100,A,1\n"
        "1栋,102,0,B,1\n"  # line 3: area 0
        "1栋,103,12.345,C,1\n"  # line 4: three decimals
        "1栋,104,abc,D,1\n"  # line 5: not a number
        "1栋,105,50,,1\n"  # line 6: no owner
        "1栋,106,50,E,yes\n"  # line 7: delivered
        "1栋,101,60,F,1\n"  # line 8: same unit twice
        ",107,60,G,1\n"  # line 9: no building
        "1栋,108,-5,H,1\n"  # line 10: negative
    )
    code, _out, err = import_register(tmp_path, bad)
    assert code == 1
    lines = [int(x.split(":")[0].split()[1]) for x in err.splitlines() if x.startswith("line ")]
    assert lines == [3, 4, 5, 6, 7, 8, 9, 10]
    assert not Household.objects.exists() and not Owner.objects.exists()


def test_import_owners_missing_column_is_line_one(estate, tmp_path):
    code, _out, err = import_register(tmp_path, "building,room,area,owner\n1栋,101,10,A\n")
    assert code == 1 and "line 1" in err and "delivered" in err


def test_import_owners_units_absent_from_the_file_count_for_no_one(estate, tmp_path):
    import_register(tmp_path)
    import_register(tmp_path, "building,room,area,owner,delivered\n1栋,101,100,A,1\n")
    assert Household.objects.filter(owner__isnull=False).count() == 1
    assert Household.objects.filter(floor_area__isnull=True).count() == 5


def test_import_owners_unknown_estate_is_a_usage_error(estate, tmp_path):
    path = write(tmp_path, REGISTER)
    code, _o, err = run("import_owners", path, "--town", "里水镇", "--estate", "无此小区")
    assert code == 2 and "无此小区" in err


def test_commands_without_their_arguments_exit_2():
    for command in ("import_owners", "open_owners_vote", "import_ballots", "close_owners_vote"):
        done = subprocess.run(
            [sys.executable, "manage.py", command], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 2, (command, done.stderr)


def open_vote(kind="manager"):
    code, out, err = run(
        "open_owners_vote", "--town", "里水镇", "--estate", "糖果雅苑", "--kind", kind,
        "--title", "续聘物业",
    )  # fmt: skip
    assert code == 0, err
    return AssemblyVote.objects.get(pk=int(out.strip().splitlines()[-1]))


def test_open_owners_vote_prints_the_id_alone_on_the_last_line(estate, tmp_path):
    import_register(tmp_path)
    vote = open_vote()
    assert vote.is_open and vote.announced_at is None
    assert vote.register.values("owner").distinct().count() == 4


def test_open_owners_vote_unknown_kind_exits_2():
    done = subprocess.run(
        [sys.executable, "manage.py", "open_owners_vote", "--town", "t", "--estate", "e",
         "--kind", "nonsense", "--title", "x"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2


def png_file(path):
    Image.new("RGB", (20, 20), "white").save(path, "PNG")


def test_import_ballots_and_close_prints_the_spec_keys(estate, tmp_path):
    import_register(tmp_path)
    vote = open_vote()
    png_file(tmp_path / "a.png")
    ballots = "owner,choice,scan\nA,agree,a.png\nB,spoiled,\ndeveloper,agree,\n"
    code, out, err = run(
        "import_ballots", write(tmp_path, ballots, "b.csv"), "--vote", str(vote.pk)
    )
    assert code == 0, err
    assert Ballot.objects.get(owner__key="A").scan
    assert Ballot.objects.get(owner__key="B").choice == "abstain"
    code, out, err = run("close_owners_vote", "--vote", str(vote.pk), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert list(data)[:9] == [
        "total_area", "total_owners", "participating_area", "participating_owners",
        "agree_area", "agree_owners", "participation_met", "passed", "failed",
    ]  # fmt: skip
    assert data["total_area"] == "400.00" and data["total_owners"] == 4
    assert data["participating_area"] == "330.50" and data["participating_owners"] == 3
    assert data["agree_area"] == "250.00" and data["agree_owners"] == 2
    assert data["participation_met"] is True and data["passed"] is True and data["failed"] == []
    again = run("close_owners_vote", "--vote", str(vote.pk), "--json")[1]
    assert again == out


def test_close_reports_each_failed_condition(estate, tmp_path):
    import_register(tmp_path)
    vote = open_vote("raise_fund")
    run(
        "import_ballots",
        write(tmp_path, "owner,choice\nA,agree\n", "b.csv"),
        "--vote",
        str(vote.pk),
    )
    data = json.loads(run("close_owners_vote", "--vote", str(vote.pk), "--json")[1])
    assert data["failed"] == ["participation_area", "participation_headcount"]
    assert data["passed"] is False and data["participation_met"] is False


def test_import_ballots_lists_every_bad_row_and_enters_none(estate, tmp_path):
    import_register(tmp_path)
    vote = open_vote()
    run(
        "import_ballots",
        write(tmp_path, "owner,choice\nC,agree\n", "first.csv"),
        "--vote",
        str(vote.pk),
    )
    (tmp_path / "evil.png").write_bytes(b"<html><script>x</script></html>")
    bad = (
        "owner,choice,scan\n"
        "A,agree,\n"  # line 2: fine
        "Z,agree,\n"  # line 3: not in the register
        "C,agree,\n"  # line 4: already has a ballot (earlier file)
        "A,disagree,\n"  # line 5: twice
        "B,maybe,\n"  # line 6: unknown choice
        "developer,agree,missing.png\n"  # line 7: scan not found
    )
    (tmp_path / "ok.png").write_bytes(b"")
    bad += "B,agree,evil.png\n"  # line 8: B twice and a scan that is not an image
    code, _out, err = run("import_ballots", write(tmp_path, bad, "bad.csv"), "--vote", str(vote.pk))
    assert code == 1
    lines = [int(x.split(":")[0].split()[1]) for x in err.splitlines() if x.startswith("line ")]
    assert lines == [3, 4, 5, 6, 7, 8]
    assert Ballot.objects.filter(vote=vote).count() == 1  # only the earlier file's


def test_import_ballots_for_an_owner_who_voted_in_the_portal_is_a_bad_row(estate, tmp_path):
    from communities.factories import ResidentFactory
    from deliberation.assemblies import services
    from deliberation.assemblies.factories import verify

    import_register(tmp_path)
    vote = open_vote()
    user = ResidentFactory()
    verify(user, Household.objects.get(building__name="1栋", room="101"))
    services.ballot_cast(vote=vote, user=user, choice="agree")
    code, _o, err = run(
        "import_ballots", write(tmp_path, "owner,choice\nA,disagree\n"), "--vote", str(vote.pk)
    )
    assert code == 1 and "line 2" in err
    assert Ballot.objects.get().choice == "agree"


def test_import_ballots_into_a_closed_vote_exits_1(estate, tmp_path):
    import_register(tmp_path)
    vote = open_vote()
    run("close_owners_vote", "--vote", str(vote.pk))
    code, _o, _e = run(
        "import_ballots", write(tmp_path, "owner,choice\nA,agree\n"), "--vote", str(vote.pk)
    )
    assert code == 1 and not Ballot.objects.exists()


def test_unknown_vote_is_a_usage_error(db):
    assert run("close_owners_vote", "--vote", "999999", "--json")[0] == 2
