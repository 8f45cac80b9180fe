"""import_ballots for a committee election: a paper ballot carries a choice per candidate, one
column per candidate; every bad row is listed with its line, and a bad file enters nothing."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from deliberation.assemblies import services
from deliberation.assemblies.models import Ballot, CandidateChoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def election(estate, owners):
    return services.vote_open_now(
        estate=estate,
        kind="committee",
        title="选举第一届业主委员会",
        seats=2,
        candidates=[
            (owners["A"], "张三", True),
            (owners["B"], "李四", False),
            (owners["C"], "王五", False),
        ],
    )


def run(path, vote):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_ballots", str(path), "--vote", str(vote.pk), stdout=out, stderr=err)
        code = 0
    except CommandError as error:
        code = error.returncode
    return code, out.getvalue(), err.getvalue()


def write(tmp_path, text, name="ballots.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def lines_of(key):
    return {
        line.candidate.name: line.choice
        for line in CandidateChoice.objects.filter(ballot__owner__key=key).select_related(
            "candidate"
        )
    }


def test_per_candidate_ballots_are_entered_and_elect_in_seat_order(election, tmp_path):
    text = (
        "owner,张三,李四,王五,choice\n"
        "A,agree,agree,disagree,\n"
        "B,agree,abstain,agree,\n"
        "developer,agree,disagree,agree,\n"
        "C,,,,spoiled\n"
    )
    code, out, err = run(write(tmp_path, text), election)
    assert code == 0, err
    assert "Entered 4" in out
    assert lines_of("A") == {"张三": "agree", "李四": "agree", "王五": "disagree"}
    assert Ballot.objects.get(owner__key="C").spoiled and lines_of("C") == {}
    result = services.vote_close(vote=election, by=None).data
    elected = result["election"]["elected"]
    names = dict(election.candidates.values_list("pk", "name"))
    # 张三: three of four agree (C's spoiled paper abstains); 王五: two of four is not more
    # than half; 李四: one.
    assert [names[c] for c in elected] == ["张三"]
    assert result["election"]["participating_owners"] == 4


def test_candidate_column_may_be_headed_by_owner_key(election, tmp_path):
    code, _out, err = run(write(tmp_path, "owner,a,b,c\nA,agree,abstain,disagree\n"), election)
    assert code == 0, err
    assert lines_of("A") == {"张三": "agree", "李四": "abstain", "王五": "disagree"}


def test_every_bad_row_is_listed_with_its_line_and_nothing_is_entered(election, tmp_path):
    text = (
        "owner,张三,李四,王五,choice\n"
        "A,agree,agree,agree,\n"  # line 2: fine
        "B,yes,agree,,\n"  # line 3: unknown choice and a blank cell
        "Z,agree,agree,agree,\n"  # line 4: not in the register
        "A,agree,agree,agree,\n"  # line 5: A twice
        "C,agree,agree,agree,agree\n"  # line 6: choice column is only for spoiled papers
    )
    code, _out, err = run(write(tmp_path, text), election)
    assert code == 1
    assert not [line for line in err.splitlines() if line.startswith("line 2:")]
    assert "line 3: 张三: 'yes' must be one of agree, disagree, abstain" in err
    assert "王五: no choice" in err.split("line 3:")[1].split("\n")[0]
    assert "line 4: owner 'Z' is not in this vote's register" in err
    assert "line 5: owner 'A' is already on line 2" in err
    assert "line 6: choice 'agree'" in err
    assert not Ballot.objects.exists() and not CandidateChoice.objects.exists()


def test_file_missing_a_candidate_column_is_refused_on_line_1(election, tmp_path):
    code, _out, err = run(write(tmp_path, "owner,张三,李四\nA,agree,agree\n"), election)
    assert code == 1
    assert "line 1: no column for candidate '王五'" in err
    assert not Ballot.objects.exists()


def test_xlsx_election_ballots_are_read(election, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["owner", "张三", "李四", "王五"])
    sheet.append(["B", "agree", "agree", "abstain"])
    path = tmp_path / "ballots.xlsx"
    book.save(path)
    code, _out, err = run(path, election)
    assert code == 0, err
    assert lines_of("B") == {"张三": "agree", "李四": "agree", "王五": "abstain"}
