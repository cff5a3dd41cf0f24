"""The committee's rules (CONTRACT section 7), in Python and as live Excel formulas side by side.

A score given directly wins and must be a number from 0 to 5; otherwise a verified result is
scored by the KPI's own rules; a reason is required for either. A row that breaks a rule is not
applied. The review workbook's live cells and the summary's compute exactly what :func:`judge`
computes; the tests recalculate both in LibreOffice to prove it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from ..harvesting.outcomes import KpiOutcome
from ..kinds import KpiKind
from ..master.format import Direction
from ..model import Assignment, Master, Settings, percent_unit
from ..problems import Code
from ..scoring import MAX_SCORE, excel_round, weighted_score
from ..values import to_decimal
from ..xlsx.reader import Cell

CHECK_OK = "ใช้ได้"
# each live check's text with the problem harvest reports for it
LIVE_CHECKS: dict[Code, str] = {
    Code.REVIEW_SCORE_INVALID: "คะแนนต้องเป็นตัวเลข 0 ถึง 5",
    Code.REVIEW_RESULT_INVALID: "ผลนี้ใช้คำนวณคะแนนไม่ได้",
    Code.REVIEW_REASON_MISSING: "ต้องระบุเหตุผล",
}
# why a verified result cannot be scored, by the finding the KPI's kind reports
_WHY = {Code.RESULT_MILESTONE_INVALID: "ระดับความสำเร็จต้องเป็นจำนวนเต็ม 0 ถึง 5",
        Code.RESULT_NEGATIVE_PERCENT: "ร้อยละติดลบไม่ได้"}


@dataclass(frozen=True)
class Scoring:
    """What scores one KPI of one office: its kind, direction, unit and criteria in the round,
    its weight, and the master's settings."""

    kind: KpiKind
    direction: Direction | None
    percent: bool
    criteria: tuple[Decimal, ...] | None
    weight: Decimal
    below_level1: int
    places: int

    @classmethod
    def of(cls, kpi: KpiOutcome, settings: Settings) -> Scoring:
        """What scores ``kpi`` as the harvest scored it, under the master's ``settings``."""
        return cls(kpi.kind, Direction(kpi.direction) if kpi.direction else None,
                   percent_unit(kpi.unit), kpi.criteria, kpi.weight,
                   settings.below_level1_score, settings.places)

    @classmethod
    def assigned(cls, master: Master, a: Assignment) -> Scoring:
        """What scores assignment ``a`` (in the round it was taken from)."""
        kpi = master.kpis[a.kpi]
        return cls(kpi.kind, kpi.direction, kpi.is_percent, a.criteria, a.weight,
                   master.settings.below_level1_score, master.settings.places)


@dataclass(frozen=True)
class Judged:
    """One row's entries judged: nothing typed (``entered`` False), applied (``score`` set),
    or not applied with the problem that says why."""

    entered: bool
    result: Decimal | None = None
    given: Decimal | None = None
    score: Decimal | None = None
    weighted: Decimal | None = None
    problem: Code | None = None
    why: str = ""
    doubt: str = ""        # why an applied verified result looks doubtful, if it does


def blank(cell: Cell | None) -> bool:
    """Nothing typed: no value, or empty text (text of spaces is something typed; a formula
    saved without its value is something, but not a number)."""
    return cell is None or (cell.value is None and cell.formula is None) or cell.value == ""


def number(cell: Cell | None) -> Decimal | None:
    """The cell's number, when it holds one (a number typed as text is not, as ISNUMBER says)."""
    if cell is None or cell.kind != "n" or not isinstance(cell.value, float) \
            or not math.isfinite(cell.value):
        return None
    return to_decimal(cell.value)


def reason_text(cell: Cell | None) -> str:
    """The reason as typed; empty when only spaces (as ``TRIM(x)=""`` says)."""
    if blank(cell):
        return ""
    assert cell is not None
    text = str(cell.value)
    return text if text.strip(" ") else ""


def judge(s: Scoring, result: Cell | None, given: Cell | None, reason: Cell | None) -> Judged:
    """The committee's entries on one row, judged by the rules."""
    if blank(result) and blank(given):
        return Judged(False)
    why = reason_text(reason)
    if not blank(given):
        value = number(given)
        if value is None or not Decimal(0) <= value <= MAX_SCORE:
            return Judged(True, problem=Code.REVIEW_SCORE_INVALID)
        if not why:
            return Judged(True, problem=Code.REVIEW_REASON_MISSING)
        verified = number(result)
        if _scored(s, verified).score is None:  # a result that could not be scored is not kept
            verified = None
        given_score = excel_round(value, s.places)
        return Judged(True, verified, value, given_score,
                      weighted_score(given_score, s.weight, s.places))
    value = number(result)
    scored = _scored(s, value)
    if scored.score is None:
        return Judged(True, problem=Code.REVIEW_RESULT_INVALID, why=scored.why)
    if not why:
        return Judged(True, problem=Code.REVIEW_REASON_MISSING)
    return Judged(True, value, None, scored.score,
                  weighted_score(scored.score, s.weight, s.places), doubt=scored.doubt)


class _Scored(NamedTuple):
    score: Decimal | None
    why: str = ""          # why there is no score
    doubt: str = ""        # why the result looks doubtful (it is scored all the same)


def _scored(s: Scoring, value: Decimal | None) -> _Scored:
    """A verified result's score by the KPI's rules, or None and why not."""
    if not s.kind.has_result:
        return _Scored(None, "ตัวชี้วัดนี้ไม่มีผลให้กรอก ให้คะแนนโดยตรงแทน")
    if value is None:
        return _Scored(None, "ไม่ใช่ตัวเลข")
    checked, findings = s.kind.check_result(value, s.percent, s.criteria)
    if checked is None:
        return _Scored(None, _WHY.get(findings[0][0], "") if findings else "")
    doubt = "; ".join(str(params.get("why", "")) for _, params in findings)
    return _Scored(s.kind.score(checked, s.criteria, s.direction, s.below_level1, None,
                                s.places), doubt=doubt)


# -- the same as live formulas ------------------------------------------------------------------
def _given_ok(given: str) -> str:
    return f"AND(ISNUMBER({given}),{given}>=0,{given}<=5)"


def _result_score(s: Scoring, refs: Mapping[str, str]) -> str:
    """The verified result's score by the KPI's rules, "" when it has none (no "="): the cell
    ``refs["result_score"]`` when the row has one, else the rules written out."""
    if "result_score" in refs:
        return refs["result_score"]
    if not s.kind.has_result:
        return '""'
    result = refs["verified_result"]
    criteria = [refs[f"c{n}"] for n in range(1, 6)]
    body = s.kind.score_formula(result, criteria, s.direction, s.below_level1,
                                s.places).lstrip("=")
    if s.percent and s.kind.uses_criteria:    # a negative percentage is refused, as in Python
        body = f'IF(AND(ISNUMBER({result}),{result}<0),"",{body})'
    return body


def result_score_formula(s: Scoring, refs: Mapping[str, str]) -> str:
    """``คะแนนจากผลที่รับรอง``: the verified result's score by the KPI's own rules, whatever
    the rest of the row says ("" when it cannot be scored)."""
    return "=" + _result_score(s, {k: v for k, v in refs.items() if k != "result_score"})


def _no_reason(refs: Mapping[str, str]) -> str:
    return f'TRIM({refs["reason"]})=""'


def score_formula(s: Scoring, refs: Mapping[str, str]) -> str:
    """``คะแนนของคณะกรรมการ``: what :func:`judge` gives as the score, "" where nothing applies.

    ``refs`` holds the references of verified_result, given_score, reason and c1..c5, and
    that of result_score (:func:`result_score_formula`) when the row has that cell.
    """
    given, result = refs["given_score"], refs["verified_result"]
    by_given = f'IF({_given_ok(given)},ROUND({given},{s.places}),"")'
    return (f'=IF(OR(AND({result}="",{given}=""),{_no_reason(refs)}),"",'
            f'IF({given}<>"",{by_given},{_result_score(s, refs)}))')


def check_formula(s: Scoring, refs: Mapping[str, str]) -> str:
    """``ผลตรวจการกรอก``: "" while nothing is typed, else the first rule the row breaks (the
    texts of :data:`LIVE_CHECKS`) or :data:`CHECK_OK`."""
    given, result = refs["given_score"], refs["verified_result"]
    reason = (f'IF({_no_reason(refs)},"{LIVE_CHECKS[Code.REVIEW_REASON_MISSING]}",'
              f'"{CHECK_OK}")')
    return (f'=IF(AND({result}="",{given}=""),"",IF({given}<>"",'
            f'IF({_given_ok(given)},{reason},"{LIVE_CHECKS[Code.REVIEW_SCORE_INVALID]}"),'
            f'IF(ISNUMBER({_result_score(s, refs)}),{reason},'
            f'"{LIVE_CHECKS[Code.REVIEW_RESULT_INVALID]}")))')


def final_weighted_formula(verified_weighted: str, weighted: str) -> str:
    """``คะแนนถ่วงน้ำหนักหลังตรวจ``: the committee's weighted score where it gave one, else the
    office's."""
    return f'=IF(ISNUMBER({verified_weighted}),{verified_weighted},{weighted})'
