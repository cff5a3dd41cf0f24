"""The OPDC scoring rules: hand-computed boundary cases and hypothesis properties."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbook_engine.master.format import Direction
from workbook_engine.scoring import (
    excel_round,
    score_inherited,
    score_milestone,
    score_quantitative,
    total_score,
    weighted_score,
)

UP, DOWN = Direction.HIGHER, Direction.LOWER
C_UP = [D(v) for v in (60, 70, 80, 90, 100)]
C_DOWN = [D(v) for v in (5, 4, 3, 2, 1)]


@pytest.mark.parametrize(("criteria", "direction", "result", "below", "score"), [
    (C_UP, UP, "84", 1, "3.4000"),          # DOMAIN.md's worked example
    (C_UP, UP, "60", 1, "1.0000"),          # exactly at each criterion
    (C_UP, UP, "70", 1, "2.0000"),
    (C_UP, UP, "80", 1, "3.0000"),
    (C_UP, UP, "90", 1, "4.0000"),
    (C_UP, UP, "100", 1, "5.0000"),
    (C_UP, UP, "150", 1, "5.0000"),         # above level 5 is capped
    (C_UP, UP, "59.99", 1, "1.0000"),       # below level 1
    (C_UP, UP, "59.99", 0, "0.0000"),
    (C_UP, UP, "-1000", 0, "0.0000"),
    (C_UP, UP, "99.99995", 1, "5.0000"),    # 4.999995 rounds half away from zero
    (C_UP, UP, "60.0005", 1, "1.0001"),     # 1.00005: a tie at the 5th decimal
    (C_DOWN, DOWN, "3.5", 1, "2.5000"),     # DOMAIN.md's lower-is-better example
    (C_DOWN, DOWN, "5", 1, "1.0000"),
    (C_DOWN, DOWN, "1", 1, "5.0000"),
    (C_DOWN, DOWN, "0.5", 1, "5.0000"),
    (C_DOWN, DOWN, "5.01", 1, "1.0000"),
    (C_DOWN, DOWN, "5.01", 0, "0.0000"),
    (C_DOWN, DOWN, "4.99995", 1, "1.0001"),
    ([D(v) for v in ("92.5", "95", "97.5", "100", "102.5")], UP, "96.3", 1, "2.5200"),
    ([D(v) for v in (0, 3, 6, 9, 12)], UP, "1", 1, "1.3333"),   # repeating fractions
    ([D(v) for v in (0, 3, 6, 9, 12)], UP, "2", 1, "1.6667"),
])
def test_quantitative_table(criteria: list[D], direction: Direction, result: str, below: int,
                            score: str) -> None:
    assert score_quantitative(D(result), criteria, direction, below) == D(score)


@pytest.mark.parametrize(("level", "below", "score"), [
    (0, 1, "1"), (0, 0, "0"), (1, 1, "1"), (2, 0, "2"), (3, 1, "3"), (4, 1, "4"), (5, 1, "5")])
def test_milestone_levels(level: int, below: int, score: str) -> None:
    assert score_milestone(D(level), below) == D(score)


@pytest.mark.parametrize("level", ["2.5", "6", "-1"])
def test_milestone_rejects_other_levels(level: str) -> None:
    with pytest.raises(ValueError):
        score_milestone(D(level))


def test_inherited_rounds_half_away_from_zero() -> None:
    assert score_inherited(D("4.21505")) == D("4.2151")


def test_weighted_tie_that_binary_floats_round_the_wrong_way() -> None:
    assert weighted_score(D("2.0001"), D(50)) == D("1.0001")
    assert weighted_score(D("1.0001"), D(50)) == D("0.5001")
    assert round(1.0001 * 50 / 100, 4) == 0.5  # binary floats get this tie wrong: hence Decimal
    assert weighted_score(D("3.4"), D(20)) == D("0.6800")


def test_excel_round_negative_ties() -> None:
    assert excel_round(D("-2.00005")) == D("-2.0001")


def test_total_is_none_when_any_part_is_missing() -> None:
    assert total_score([D("0.68"), None]) is None
    assert total_score([D("0.6800"), D("1.3600"), D("0.5")]) == D("2.5400")


def criteria_strategy() -> st.SearchStrategy[list[D]]:
    return st.lists(st.integers(-2000, 2000), min_size=5, max_size=5, unique=True).map(
        lambda xs: [D(x) / 4 for x in sorted(xs)])


RESULTS = st.integers(-4000, 4000).map(lambda x: D(x) / 8)


@settings(max_examples=200, deadline=None)
@given(criteria_strategy(), RESULTS, RESULTS, st.sampled_from([0, 1]))
def test_bounded_and_monotone(c: list[D], x: D, y: D, below: int) -> None:
    low, high = sorted((x, y))
    s_low = score_quantitative(low, c, UP, below)
    s_high = score_quantitative(high, c, UP, below)
    assert D(below) <= s_low <= s_high <= 5
    mirrored = [-v for v in c]
    assert score_quantitative(-high, mirrored, DOWN, below) >= \
        score_quantitative(-low, mirrored, DOWN, below)


@settings(max_examples=200, deadline=None)
@given(criteria_strategy(), st.integers(1, 5))
def test_continuous_at_the_criteria(c: list[D], level: int) -> None:
    at = score_quantitative(c[level - 1], c, UP)
    assert at == level
    if level >= 2:
        just_below = score_quantitative(c[level - 1] - D("0.000001"), c, UP)
        assert abs(just_below - at) <= D("0.0001")


@settings(max_examples=200, deadline=None)
@given(criteria_strategy(), RESULTS, st.sampled_from([0, 1]))
def test_directions_mirror_each_other(c: list[D], x: D, below: int) -> None:
    assert score_quantitative(x, c, UP, below) == \
        score_quantitative(-x, [-v for v in c], DOWN, below)


@settings(max_examples=200, deadline=None)
@given(criteria_strategy(), RESULTS, st.integers(1, 100))
def test_weighted_is_rounded_product(c: list[D], x: D, weight: int) -> None:
    score = score_quantitative(x, c, UP)
    assert weighted_score(score, D(weight)) == excel_round(score * weight / 100)


def test_scores_do_not_depend_on_the_callers_decimal_context() -> None:
    """A caller's own context (a low precision, other rounding) changes no score."""
    import decimal

    from workbook_engine.master.format import Direction
    from workbook_engine.scoring import score_quantitative, weighted_score

    criteria = [D(v) for v in ("60", "70", "80", "90", "100")]
    expected = (score_quantitative(D("84.5"), criteria, Direction.HIGHER),
                weighted_score(D("3.4567"), D("20")))
    with decimal.localcontext() as ctx:
        ctx.prec, ctx.rounding = 3, decimal.ROUND_DOWN
        assert (score_quantitative(D("84.5"), criteria, Direction.HIGHER),
                weighted_score(D("3.4567"), D("20"))) == expected
    assert expected == (D("3.4500"), D("0.6913"))
