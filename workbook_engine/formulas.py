"""Excel formulas that compute exactly what :mod:`workbook_engine.scoring` computes.

Both the office workbook and the summary workbook build their live scores here, from cell
references, so the formula text has one author. Every formula returns ``""`` while its input is
missing or not a number, never 0.
"""

from __future__ import annotations

from collections.abc import Sequence

from .master.format import Direction


def quantitative_score(result: str, criteria: Sequence[str], direction: Direction,
                       below_level1: int, places: int = 4) -> str:
    """``SCORE`` of a quantitative KPI: linear interpolation between the five criteria.

    Args:
        result: reference of the result cell, e.g. ``K7``.
        criteria: references of c1..c5.
        direction: ``HIGHER`` compares with ``>=``, ``LOWER`` with ``<=``.
        below_level1: the score under level 1 (1 or 0).
        places: the decimals the score is rounded to.
    """
    op = _at_least(direction)
    c = list(criteria)
    inner = str(below_level1)
    for level in range(1, 5):
        low, high = c[level - 1], c[level]
        inner = (f"IF({result}{op}{low},{level}+({result}-{low})/({high}-{low}),{inner})")
    body = f"IF({result}{op}{c[4]},5,{inner})"
    return f"=IF(ISNUMBER({result}),ROUND({body},{places}),\"\")"


def stepwise_score(result: str, criteria: Sequence[str], direction: Direction,
                   below_level1: int) -> str:
    """``SCORE`` of a stepwise KPI: the highest level whose criterion the result meets, a whole
    number (no rounding needed at any number of places)."""
    op = _at_least(direction)
    body = str(below_level1)
    for level, criterion in enumerate(criteria, start=1):
        body = f"IF({result}{op}{criterion},{level},{body})"
    return f"=IF(ISNUMBER({result}),{body},\"\")"


def _at_least(direction: Direction) -> str:
    """The comparison that says a result reaches a criterion."""
    return ">=" if direction is Direction.HIGHER else "<="


def milestone_score(result: str, below_level1: int) -> str:
    """``SCORE`` of a milestone KPI: the whole level 0-5 reached; 0 gives ``below_level1``."""
    valid = f"AND({result}>=0,{result}<=5,{result}=INT({result}))"
    return (f"=IF(ISNUMBER({result}),IF({valid},IF({result}=0,{below_level1},{result}),\"\"),"
            f"\"\")")


def inherited_score(org_score: str, places: int = 4) -> str:
    """``SCORE`` of an inherited KPI: the organisation's score, or blank when it has none."""
    return f"=IF(ISNUMBER({org_score}),ROUND({org_score},{places}),\"\")"


def weighted_score(score: str, weight: str, places: int = 4) -> str:
    """``ROUND(score x weight / 100, places)``, blank while the score is."""
    return f"=IF(ISNUMBER({score}),ROUND({score}*{weight}/100,{places}),\"\")"


def missing_count(scores: str) -> str:
    """How many cells of the range ``scores`` are still blank (no score)."""
    return f"SUMPRODUCT(--({scores}=\"\"))"


def total_score(scores: str, weighted: str, places: int = 4) -> str:
    """The office total: blank while any score is missing, else ROUND(SUM(weighted), places)."""
    return f"=IF({missing_count(scores)}>0,\"\",ROUND(SUM({weighted}),{places}))"


def group_weight(groups: str, group: int, weights: str) -> str:
    """The weight of group ``group``: the sum of its KPIs' weights."""
    return f"=SUMIF({groups},{group},{weights})"


def group_weighted(groups: str, group: int, scores: str, weighted: str, group_weight: str,
                   places: int = 4) -> str:
    """``GROUP_SCORE_<g>``: the sum of group ``group``'s weighted scores (``groups`` is the
    KPI rows' group column), blank while any of the group's scores is missing, and when the
    group weighs nothing in the round (its weight in the cell ``group_weight``)."""
    missing = f"SUMPRODUCT(({groups}={group})*({scores}=\"\"))"
    return (f"=IF(OR({missing}>0,{group_weight}=0),\"\","
            f"ROUND(SUMIF({groups},{group},{weighted}),{places}))")


def group_score(weighted_sum: str, group_weight: str, places: int = 4) -> str:
    """A group's score on the 1-5 scale: weighted sum x 100 / group weight, rounded."""
    return (f"=IF(AND(ISNUMBER({weighted_sum}),{group_weight}>0),"
            f"ROUND({weighted_sum}*100/{group_weight},{places}),\"\")")


def completeness(scores: str) -> str:
    """A Thai line saying how many KPIs still have no usable result."""
    n = missing_count(scores)
    return (f"=IF({n}=0,\"กรอกผลครบทุกตัวชี้วัดแล้ว\","
            f"\"ยังไม่มีผลที่คำนวณคะแนนได้ \"&{n}&\" ตัวชี้วัด\")")
