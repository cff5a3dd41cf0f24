"""Excel formulas that compute exactly what :mod:`workbook_engine.scoring` computes.

Both the office workbook and the summary workbook build their live scores here, from cell
references, so the formula text has one author. Every formula returns ``""`` while its input is
missing or not a number, never 0.
"""

from __future__ import annotations

from collections.abc import Sequence

from .master.format import Direction


def quantitative_score(result: str, criteria: Sequence[str], direction: Direction,
                       below_level1: int) -> str:
    """``SCORE`` of a quantitative KPI: linear interpolation between the five criteria.

    Args:
        result: reference of the result cell, e.g. ``K7``.
        criteria: references of c1..c5.
        direction: ``HIGHER`` compares with ``>=``, ``LOWER`` with ``<=``.
        below_level1: the score under level 1 (1 or 0).
    """
    op = ">=" if direction is Direction.HIGHER else "<="
    c = list(criteria)
    inner = str(below_level1)
    for level in range(1, 5):
        low, high = c[level - 1], c[level]
        inner = (f"IF({result}{op}{low},{level}+({result}-{low})/({high}-{low}),{inner})")
    body = f"IF({result}{op}{c[4]},5,{inner})"
    return f"=IF(ISNUMBER({result}),ROUND({body},4),\"\")"


def milestone_score(result: str, below_level1: int) -> str:
    """``SCORE`` of a milestone KPI: the whole level 0-5 reached; 0 gives ``below_level1``."""
    valid = f"AND({result}>=0,{result}<=5,{result}=INT({result}))"
    return (f"=IF(ISNUMBER({result}),IF({valid},IF({result}=0,{below_level1},{result}),\"\"),"
            f"\"\")")


def inherited_score(org_score: str) -> str:
    """``SCORE`` of an inherited KPI: the organisation's score, or blank when it has none."""
    return f"=IF(ISNUMBER({org_score}),ROUND({org_score},4),\"\")"


def weighted_score(score: str, weight: str) -> str:
    """``ROUND(score x weight / 100, 4)``, blank while the score is."""
    return f"=IF(ISNUMBER({score}),ROUND({score}*{weight}/100,4),\"\")"


def missing_count(scores: str) -> str:
    """How many cells of the range ``scores`` are still blank (no score)."""
    return f"SUMPRODUCT(--({scores}=\"\"))"


def total_score(scores: str, weighted: str) -> str:
    """The office total: blank while any score is missing, else ROUND(SUM(weighted), 4)."""
    return f"=IF({missing_count(scores)}>0,\"\",ROUND(SUM({weighted}),4))"


def completeness(scores: str) -> str:
    """A Thai line saying how many KPIs still have no usable result."""
    n = missing_count(scores)
    return (f"=IF({n}=0,\"กรอกผลครบทุกตัวชี้วัดแล้ว\","
            f"\"ยังไม่มีผลที่คำนวณคะแนนได้ \"&{n}&\" ตัวชี้วัด\")")
