"""Annual score A, ranking, lists and stars (property_rating.md)."""

from decimal import Decimal

import pytest

from property_rating.factories import InspectionScoreFactory, SatisfactionRatingFactory
from property_rating.models import AnnualResult
from property_rating.reports import veto_record
from property_rating.scoring import annual_score, competition_ranks

from .helpers import compute, give_inputs

pytestmark = pytest.mark.django_db
D = Decimal
RED, BLACK, NONE = "red", "black", ""


def test_competition_ranking_shares_rank_and_skips():
    ranks = competition_ranks({1: D("90"), 2: D("85"), 3: D("85"), 4: D("80")})
    assert ranks == {1: 1, 2: 2, 3: 2, 4: 4}


def test_competition_ranking_through_the_computation(scheme, make_unit):
    units = [
        give_inputs(make_unit(f"u{i}"), quarters=(q,) * 4) for i, q in enumerate([90, 85, 85, 80])
    ]
    results = compute(scheme.town)
    assert [results[u.pk].rank for u in units] == [1, 2, 2, 4]


def test_tie_on_rank_nine_puts_ten_units_on_red_list(scheme, make_unit):
    scores = [99, 98, 97, 96, 95, 94, 93, 92, 90, 90, 89]
    units = [give_inputs(make_unit(f"u{i}"), quarters=(q,) * 4) for i, q in enumerate(scores)]
    results = compute(scheme.town)
    assert results[units[8].pk].rank == results[units[9].pk].rank == 9
    assert sum(1 for r in results.values() if r.list_name == RED) == 10
    assert results[units[10].pk].rank == 11
    assert results[units[10].pk].list_name == NONE
    assert results[units[10].pk].stars == 4


@pytest.mark.parametrize(("score", "listed", "stars"), [("80.00", RED, 5), ("79.99", NONE, 3)])
def test_a_exactly_80_is_red_and_79_99_is_not(scheme, make_unit, score, listed, stars):
    unit = give_inputs(make_unit(), quarters=(score,) * 4)
    result = compute(scheme.town)[unit.pk]
    assert result.annual_score == D(score)
    assert (result.list_name, result.stars) == (listed, stars)


def test_a_exactly_80_without_red_rank_gets_four_stars(scheme, make_unit):
    scheme.red_list_size = 1
    scheme.save()
    top = give_inputs(make_unit("top"), quarters=(95,) * 4)
    unit = give_inputs(make_unit("eighty"), quarters=("80.00",) * 4)
    results = compute(scheme.town)
    assert results[top.pk].stars == 5
    assert (results[unit.pk].list_name, results[unit.pk].stars) == (NONE, 4)


@pytest.mark.parametrize(
    ("score", "listed", "stars"), [("60.00", NONE, 0), ("59.99", BLACK, 0), ("70.00", NONE, 3)]
)
def test_a_exactly_60_is_not_black_and_59_99_is(scheme, make_unit, score, listed, stars):
    unit = give_inputs(make_unit(), quarters=(score,) * 4)
    result = compute(scheme.town)[unit.pk]
    assert (result.list_name, result.stars, result.annual_score) == (listed, stars, D(score))


def test_half_up_rounding_happens_once_at_the_end(scheme, make_unit):
    # 0.5 * 80.01 + 0.2 * 80 + 0.3 * 80 = 80.005 -> 80.01 (rounding S or E first would not).
    assert annual_score(
        {"Q": D("80.01"), "S": D("80"), "E": D("80")}, {"Q": D("0.5"), "S": D("0.2"), "E": D("0.3")}
    )[0] == D("80.01")
    unit = give_inputs(make_unit(), quarters=("80.01",) * 4, satisfaction=80, inspection=80)
    result = compute(scheme.town)[unit.pk]
    assert result.annual_score == D("80.01")
    assert result.inputs["unrounded"] == "80.005"


def test_half_up_rounding_of_a_quarterly_mean_with_thirds(scheme, make_unit):
    # Qbar = (80 + 80 + 80.01) / 3 = 80.00333..; A rounds to 80.00, not a rounded Qbar chain.
    unit = give_inputs(make_unit(), quarters=(80, 80, "80.01", None))
    assert compute(scheme.town)[unit.pk].annual_score == D("80.00")


def test_absent_satisfaction_shares_its_weight(scheme, make_unit):
    # S absent: A = (0.5 * 90 + 0.3 * 70) / 0.8 = 82.5
    unit = give_inputs(make_unit(), quarters=(90,) * 4, inspection=70)
    result = compute(scheme.town)[unit.pk]
    assert result.annual_score == D("82.50")
    assert result.inputs["weights_used"] == {"Q": "0.500", "E": "0.300"}


def test_absent_inspection_shares_its_weight(scheme, make_unit):
    # E absent: A = (0.5 * 90 + 0.2 * 60) / 0.7 = 81.428.. -> 81.43
    unit = give_inputs(make_unit(), quarters=(90,) * 4, satisfaction=60)
    assert compute(scheme.town)[unit.pk].annual_score == D("81.43")


def test_satisfaction_needs_the_minimum_number_of_households(scheme, make_unit):
    unit = make_unit()
    for _ in range(9):
        SatisfactionRatingFactory(unit=unit, rating=5)
    InspectionScoreFactory(unit=unit, score=D("70"))
    InspectionScoreFactory(unit=unit, score=D("80"))
    give_inputs(unit, quarters=(90,) * 4)
    unit.imported_annual.delete()
    result = compute(scheme.town)[unit.pk]
    assert result.satisfaction is None and result.satisfaction_responses == 9
    assert result.inspection == D("75")
    SatisfactionRatingFactory(unit=unit, rating=1)  # 10th household: S = (9*100 + 0) / 10 = 90
    result = compute(scheme.town)[unit.pk]
    assert result.satisfaction == D("90")
    # A = 0.5 * 90 + 0.2 * 90 + 0.3 * 75 = 85.5
    assert result.annual_score == D("85.50")


def test_unit_with_no_component_is_unrated(scheme, make_unit):
    rated = give_inputs(make_unit("rated"), quarters=(70,) * 4)
    unrated = give_inputs(make_unit("unrated"), quarters=(None,) * 4)
    results = compute(scheme.town)
    result = results[unrated.pk]
    assert result.status == AnnualResult.Status.UNRATED
    assert (result.annual_score, result.rank, result.stars, result.list_name) == (None, None, 0, "")
    assert results[rated.pk].rank == 1


def test_veto_black_lists_a_top_unit_without_rank_stars_or_reward(scheme, make_unit, staff):
    top = give_inputs(make_unit("top"), quarters=(99,) * 4)
    second = give_inputs(make_unit("second"), quarters=(90,) * 4)
    veto_record(unit=top, by=staff, reason="重大安全事故")
    results = compute(scheme.town)
    result = results[top.pk]
    assert (result.list_name, result.stars, result.rank) == (BLACK, 0, None)
    assert result.payout_amount == D("0")
    assert top.payouts.get(quarter=0).amount == D("0")
    assert results[second.pk].rank == 1
    assert results[second.pk].list_name == RED
