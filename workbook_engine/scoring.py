"""The OPDC scoring rules (DOMAIN.md, "Scoring"), in exact decimal arithmetic.

Excel computes in binary floating point and then rounds with ROUND, which works on the value
as shown to 15 significant digits; so ``ROUND(3.3335*30/100, 4)`` gives 1.0001 in Excel although
the binary product is 1.0000499999999999, a hair under 1.00005. Decimal arithmetic on the
numbers as the user sees them gives the same answers, and rounds half away from zero exactly
as ROUND does.

The live formulas in the office and summary workbooks (see :mod:`workbook_engine.formulas`)
compute the same thing; the tests recalculate real files in LibreOffice to prove it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import NamedTuple

from .master.format import Direction

FOUR_PLACES = Decimal("0.0001")
PLACES = (2, 4)           # the decimals a master may score to (ตั้งค่า ทศนิยม); 4 by default
MAX_SCORE = Decimal(5)
MILESTONE_LEVELS = range(6)
# Scores are computed to 50 digits (far past any rounding that could matter) and then rounded,
# whatever the caller's decimal context: one context, passed explicitly.
_EXACT = Context(prec=50)
_QUANTA = {4: FOUR_PLACES, 2: Decimal("0.01")}


def excel_round(value: Decimal, places: int = 4) -> Decimal:
    """Round half away from zero, as Excel's and LibreOffice's ROUND do.

    >>> excel_round(Decimal("1.00005"))
    Decimal('1.0001')
    >>> excel_round(Decimal("-2.00005"))
    Decimal('-2.0001')
    """
    quantum = _QUANTA.get(places)
    if quantum is None:
        quantum = Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=ROUND_HALF_UP, context=_EXACT)


def _reaches(result: Decimal, threshold: Decimal, direction: Direction) -> bool:
    return result >= threshold if direction is Direction.HIGHER else result <= threshold


def score_quantitative(result: Decimal, criteria: Sequence[Decimal], direction: Direction,
                       below_level1: int = 1, places: int = 4) -> Decimal:
    """Score a quantitative result against five criteria by linear interpolation.

    Args:
        result: the office's result.
        criteria: c1..c5, strictly increasing for ``HIGHER``, strictly decreasing for ``LOWER``.
        direction: which way is better.
        below_level1: the score for a result that does not reach c1 (1 or 0).
        places: the decimals the score is rounded to (4 or 2).

    Returns:
        The rounded score, between ``below_level1`` and 5.

    Raises:
        ValueError: when there are not five criteria.
    """
    _five(criteria)
    if _reaches(result, criteria[4], direction):
        return excel_round(MAX_SCORE, places)
    for level in range(4, 0, -1):
        low, high = criteria[level - 1], criteria[level]
        if _reaches(result, low, direction):
            raw = _EXACT.add(level, _EXACT.divide(_EXACT.subtract(result, low),
                                                  _EXACT.subtract(high, low)))
            return excel_round(raw, places)
    return excel_round(Decimal(below_level1), places)


def score_stepwise(result: Decimal, criteria: Sequence[Decimal], direction: Direction,
                   below_level1: int = 1, places: int = 4) -> Decimal:
    """Score a stepwise result: the highest level whose criterion it meets (``>=`` for
    ``HIGHER``, ``<=`` for ``LOWER``), a whole number; ``below_level1`` under c1.

    >>> score_stepwise(Decimal(25), [Decimal(n) for n in (0, 15, 25, 35, 45)], Direction.HIGHER)
    Decimal('3.0000')

    Raises:
        ValueError: when there are not five criteria.
    """
    _five(criteria)
    for level in range(5, 0, -1):
        if _reaches(result, criteria[level - 1], direction):
            return excel_round(Decimal(level), places)
    return excel_round(Decimal(below_level1), places)


def _five(criteria: Sequence[Decimal]) -> None:
    if len(criteria) != 5:
        raise ValueError(f"five criteria are needed, got {len(criteria)}")


def score_milestone(level: Decimal, below_level1: int = 1, places: int = 4) -> Decimal:
    """Score a milestone KPI: the level reached (0-5); level 0 scores ``below_level1``.

    Raises:
        ValueError: when the level is not a whole number from 0 to 5.
    """
    if not is_milestone_level(level):
        raise ValueError(f"a milestone level is a whole number 0-5, got {level}")
    reached = int(level)
    return excel_round(Decimal(reached if reached > 0 else below_level1), places)


def is_milestone_level(value: Decimal) -> bool:
    """Whether ``value`` is a milestone level: a whole number from 0 to 5."""
    return value == value.to_integral_value() and int(value) in MILESTONE_LEVELS


def score_inherited(org_score: Decimal, places: int = 4) -> Decimal:
    """Score an inherited KPI: the organisation's score for it, rounded."""
    return excel_round(org_score, places)


def weighted_score(score: Decimal, weight: Decimal, places: int = 4) -> Decimal:
    """``ROUND(score x weight / 100, places)``.

    >>> weighted_score(Decimal("3.4"), Decimal(20))
    Decimal('0.6800')
    """
    return excel_round(_EXACT.divide(_EXACT.multiply(score, weight), 100), places)


def total_score(weighted: Iterable[Decimal | None], places: int = 4) -> Decimal | None:
    """The office total (or a group's weighted sum): the sum of the rounded weighted scores,
    rounded, or None when any of them is missing."""
    parts = list(weighted)
    if any(p is None for p in parts):
        return None
    return excel_round(sum((p for p in parts if p is not None), Decimal(0)), places)


def assessed(weight: Decimal) -> bool:
    """Whether a KPI of ``weight`` in a round is assessed in it: weight 0 (``เกณฑ์รายรอบ``)
    means it has no result that round and counts toward no total."""
    return weight > 0


def group_score(weighted_sum: Decimal | None, group_weight: Decimal,
                places: int = 4) -> Decimal | None:
    """A KPI group's score on the 1-5 scale: ``ROUND(weighted sum x 100 / group weight)``;
    None while the weighted sum is missing or when the group weighs nothing.

    >>> group_score(Decimal("1.2300"), Decimal(30))
    Decimal('4.1000')
    """
    if weighted_sum is None or group_weight <= 0:
        return None
    return excel_round(_EXACT.divide(_EXACT.multiply(weighted_sum, 100), group_weight), places)


class GroupSubtotal(NamedTuple):
    """One KPI group of an office: its weight, weighted sum and score on the 1-5 scale."""

    group: int
    weight: Decimal
    weighted_score: Decimal | None     # None while any of its KPIs has no score, or none counts
    score: Decimal | None


def group_subtotals(kpis: Iterable[tuple[int, Decimal, Decimal | None]],
                    places: int = 4) -> list[GroupSubtotal]:
    """The subtotals of the groups of ``kpis`` (group, weight, weighted score each), in group
    order; a KPI of weight 0 (not assessed in the round) counts toward neither sum, and a group
    of such KPIs alone has neither sum nor score."""
    groups: dict[int, list[tuple[Decimal, Decimal | None]]] = {}
    for group, weight, weighted in kpis:
        groups.setdefault(group, []).append((weight, weighted))
    subtotals = []
    for group in sorted(groups):
        scored = [(w, ws) for w, ws in groups[group] if assessed(w)]
        weight = sum((w for w, _ in scored), Decimal(0))
        weighted_sum = total_score((ws for _, ws in scored), places) if scored else None
        subtotals.append(GroupSubtotal(group, weight, weighted_sum,
                                       group_score(weighted_sum, weight, places)))
    return subtotals


def average_score(totals: Sequence[Decimal], places: int = 4) -> Decimal | None:
    """``ROUND(AVERAGE(totals), places)``; None for no totals.

    >>> average_score([Decimal("3.0002"), Decimal("3.0003")])
    Decimal('3.0003')
    """
    if not totals:
        return None
    return excel_round(_EXACT.divide(sum(totals, Decimal(0)), len(totals)), places)
