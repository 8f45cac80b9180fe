"""The exact tally (owners.md "At close") on its boundaries, as pure functions on fractions."""

from decimal import Decimal

from deliberation.assemblies.tally import Entry, count, election, owner_areas, tally


def areas(*values):
    return {i: Decimal(str(v)) for i, v in enumerate(values, start=1)}


def test_exactly_two_thirds_participation_by_area_and_headcount_is_met():
    # 3 owners of 100 m² each; two take part: exactly 2/3 of area and of owners.
    result = count(areas(100, 100, 100), {1: "agree", 2: "agree"}, qualified=False)
    assert result.participation_met and result.passed


def test_just_under_two_thirds_participating_area_fails_participation():
    result = count(areas("100.00", "100.00", "100.01"), {1: "agree", 2: "agree"}, qualified=False)
    assert not result.participation_met
    assert result.failed == ("participation_area",)
    assert not result.passed


def test_exactly_three_quarters_agree_passes_a_qualified_vote():
    # 4 owners of equal area, all take part, 3 agree: exactly 3/4 of area and of owners.
    choices = {1: "agree", 2: "agree", 3: "agree", 4: "disagree"}
    assert count(areas(90, 90, 90, 90), choices, qualified=True).passed


def test_under_three_quarters_headcount_fails_raise_fund_while_area_passes():
    # 5 owners: the two agreeing own 80% of the participating area but are 2/5 of the heads.
    choices = {1: "agree", 2: "agree", 3: "disagree", 4: "disagree", 5: "disagree"}
    result = count(areas(200, 200, 34, 33, 33), choices, qualified=True)
    assert result.failed == ("agree_headcount",)
    assert result.participation_met and not result.passed


def test_exactly_half_agree_fails_an_ordinary_vote():
    choices = {1: "agree", 2: "disagree"}
    result = count(areas(100, 100), choices, qualified=False)
    assert not result.passed
    assert result.failed == ("agree_area", "agree_headcount")


def test_more_than_half_by_a_hundredth_of_a_square_metre_passes():
    result = count(areas("100.01", "100.00"), {1: "agree", 2: "disagree"}, qualified=False)
    assert "agree_area" not in result.failed


def test_abstentions_take_part_but_do_not_agree():
    # All three take part; one agrees, two abstain: participation met, agreement not.
    result = count(areas(100, 100, 100), {1: "agree", 2: "abstain", 3: "abstain"}, qualified=False)
    assert result.participation_met
    assert result.participating_owners == 3 and result.agree_owners == 1
    assert set(result.failed) == {"agree_area", "agree_headcount"}


def test_owners_without_a_ballot_never_count_with_the_majority():
    result = count(areas(100, 100, 100), {1: "agree"}, qualified=False)
    assert result.participating_owners == 1
    assert not result.participation_met


def test_owner_of_several_units_in_several_buildings_is_one_head():
    entries = [
        Entry(1, 10, Decimal("80")),
        Entry(1, 20, Decimal("70")),
        Entry(2, 20, Decimal("90")),
    ]
    assert owner_areas(entries) == {1: Decimal("150"), 2: Decimal("90")}
    data = tally(entries, {1: "agree", 2: "agree"}, qualified=False)
    assert data["total_owners"] == 2 and data["total_area"] == "240.00"
    # Each building counted over the owners of units in it.
    assert data["buildings"]["10"]["total_owners"] == 1
    assert data["buildings"]["20"]["total_area"] == "160.00"


def test_result_keys_areas_as_two_decimal_strings_and_counts_as_integers():
    data = tally([Entry(1, 1, Decimal("88.5"))], {1: "agree"}, qualified=False)
    assert data["total_area"] == "88.50" and data["agree_owners"] == 1
    assert data["ratios"]["agree_area"]["exact"] == "1/1"
    assert data["failed"] == [] and data["passed"] is True


def test_empty_register_passes_nothing():
    result = count({}, {}, qualified=False)
    assert not result.passed and not result.participation_met


def test_election_fills_seats_by_agreeing_area_then_headcount():
    register = areas(100, 100, 100, 50, 50)  # five owners
    lines = {
        1: {"a": "agree", "b": "agree", "c": "agree"},
        2: {"a": "agree", "b": "agree", "c": "disagree"},
        3: {"a": "agree", "b": "disagree", "c": "agree"},
        4: {"a": "disagree", "b": "agree", "c": "agree"},
        5: {"a": "disagree", "b": "agree", "c": "abstain"},
    }
    # a: 300 m² 3 heads; b: 300 m² 4 heads; c: 250 m² 3 heads; b before a on headcount.
    result = election(register, lines, ["a", "b", "c"], seats=2)
    assert result["elected"] == ["b", "a"] and result["runoff"] == []


def test_election_candidate_without_own_majority_is_not_elected_even_with_a_free_seat():
    register = areas(100, 100)
    lines = {1: {"a": "agree", "b": "agree"}, 2: {"a": "agree", "b": "disagree"}}
    result = election(register, lines, ["a", "b"], seats=2)
    assert result["elected"] == ["a"]


def test_election_tie_on_area_and_headcount_for_the_last_seat_goes_to_a_runoff():
    register = areas(100, 100, 100)
    lines = {
        1: {"a": "agree", "b": "agree", "c": "agree"},
        2: {"a": "agree", "b": "agree", "c": "agree"},
        3: {"a": "agree", "b": "disagree", "c": "disagree"},
    }
    result = election(register, lines, ["a", "b", "c"], seats=2)
    assert result["elected"] == ["a"]
    assert result["runoff"] == ["b", "c"] and result["runoff_seats"] == 1
