"""The checks of a proposed KPI row: each one's problem code, the short Thai text the proposal
workbook shows live as the coordinator types, and the same rule as an Excel condition.

collect-proposals reports the same checks as located problems (:mod:`.read`); a test recalculates
filled proposals with LibreOffice and compares the texts shown with the codes found.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..kinds import KINDS
from ..master import format as mf
from ..problems import Code
from . import layout as P

Refs = Mapping[str, str]        # a row's cell references by master header, and "rows_above"


@dataclass(frozen=True)
class LiveCheck:
    """One check: its problem code (and column, for codes shared by columns), the text shown
    in the row's check cell, and its Excel condition over the row's references."""

    code: Code
    column: str | None
    text: str
    condition: Callable[[Refs], str]


PROPOSABLE = tuple(k for k in KINDS if not k.needs_org_score)   # an office types its result
CRITERIA_LABELS = tuple(k.label for k in PROPOSABLE if k.uses_criteria)
LEVELS_LABEL = next(k.label for k in PROPOSABLE if k.needs_levels)


def _any(ref: str, values: tuple[str, ...]) -> str:
    return "OR(" + ",".join(f'{ref}="{v}"' for v in values) + ")"


def _quantitative(r: Refs) -> str:
    return _any(r[mf.COL_KIND], CRITERIA_LABELS)


def _in_order(r: Refs, op: str) -> str:
    c = [r[level] for level in mf.COL_LEVELS]
    return "AND(" + ",".join(f"{a}{op}{b}" for a, b in itertools.pairwise(c)) + ")"


def _levels(r: Refs) -> str:
    return f"{r[mf.COL_LEVELS[0]]}:{r[mf.COL_LEVELS[-1]]}"


def _texts(r: Refs) -> str:
    return f"{r[P.COL_LEVEL_TEXTS[0]]}:{r[P.COL_LEVEL_TEXTS[-1]]}"


def _worse(r: Refs, than: str) -> str:
    """The target is worse than ``than`` for the row's direction."""
    t, d = r[mf.COL_TARGET], r[mf.COL_DIRECTION]
    return (f'OR(AND({d}="{mf.DIRECTION_HIGHER}",{t}<{than}),'
            f'AND({d}="{mf.DIRECTION_LOWER}",{t}>{than}))')


def _blank_or_number(ref: str) -> str:
    return f'OR({ref}="",{ref}="-",ISNUMBER({ref}))'


LIVE_CHECKS: tuple[LiveCheck, ...] = (
    LiveCheck(Code.PROPOSAL_NAME_MISSING, None, "ยังไม่มีชื่อตัวชี้วัด",
              lambda r: f'{r[mf.COL_KPI_NAME]}=""'),
    LiveCheck(Code.PROPOSAL_DUPLICATE_KPI, None, "ชื่อซ้ำกับแถวก่อนหน้า",
              lambda r: (f'AND({r[mf.COL_KPI_NAME]}<>"",'
                         f'SUMPRODUCT(--({r["rows_above"]}={r[mf.COL_KPI_NAME]}))>0)')
              if r["rows_above"] else "FALSE"),
    LiveCheck(Code.PROPOSAL_VALUE_MISSING, mf.COL_UNIT, "ยังไม่มีหน่วยวัด",
              lambda r: f'{r[mf.COL_UNIT]}=""'),
    LiveCheck(Code.PROPOSAL_VALUE_MISSING, mf.COL_KIND, "ยังไม่เลือกประเภท",
              lambda r: f'{r[mf.COL_KIND]}=""'),
    LiveCheck(Code.PROPOSAL_VALUE_INVALID, mf.COL_KIND, "ประเภทไม่อยู่ในรายการ",
              lambda r: (f'AND({r[mf.COL_KIND]}<>"",NOT('
                         f'{_any(r[mf.COL_KIND], tuple(k.label for k in PROPOSABLE))}))')),
    LiveCheck(Code.PROPOSAL_VALUE_MISSING, mf.COL_DIRECTION, "ยังไม่เลือกทิศทาง",
              lambda r: f'AND({_quantitative(r)},{r[mf.COL_DIRECTION]}="")'),
    LiveCheck(Code.PROPOSAL_VALUE_INVALID, mf.COL_DIRECTION, "ทิศทางไม่อยู่ในรายการ",
              lambda r: (f'AND({_quantitative(r)},{r[mf.COL_DIRECTION]}<>"",'
                         f'NOT({_any(r[mf.COL_DIRECTION], mf.DIRECTIONS)}))')),
    LiveCheck(Code.PROPOSAL_VALUE_MISSING, mf.COL_WEIGHT, "ยังไม่มีน้ำหนัก",
              lambda r: f'{r[mf.COL_WEIGHT]}=""'),
    LiveCheck(Code.PROPOSAL_VALUE_INVALID, mf.COL_WEIGHT, "น้ำหนักต้องเป็นตัวเลขมากกว่า 0 ไม่เกิน 100",
              lambda r: (f'AND({r[mf.COL_WEIGHT]}<>"",OR(NOT(ISNUMBER({r[mf.COL_WEIGHT]})),'
                         f'{r[mf.COL_WEIGHT]}<=0,{r[mf.COL_WEIGHT]}>100))')),
    LiveCheck(Code.PROPOSAL_CRITERIA_MISSING, None, "เกณฑ์ระดับ 1-5 ไม่ครบหรือไม่ใช่ตัวเลข",
              lambda r: f"AND({_quantitative(r)},COUNT({_levels(r)})<5)"),
    LiveCheck(Code.PROPOSAL_CRITERIA_ORDER, None, "เกณฑ์ไม่เรียงตามทิศทาง",
              lambda r: (f"AND({_quantitative(r)},COUNT({_levels(r)})=5,"
                         f'OR(AND({r[mf.COL_DIRECTION]}="{mf.DIRECTION_HIGHER}",'
                         f'NOT({_in_order(r, "<")})),'
                         f'AND({r[mf.COL_DIRECTION]}="{mf.DIRECTION_LOWER}",'
                         f'NOT({_in_order(r, ">")}))))')),
    LiveCheck(Code.PROPOSAL_LEVELS_MISSING, None, "คำอธิบายระดับ 1-5 ไม่ครบ",
              lambda r: f'AND({r[mf.COL_KIND]}="{LEVELS_LABEL}",COUNTA({_texts(r)})<5)'),
    LiveCheck(Code.PROPOSAL_VALUE_INVALID, "baseline", "ข้อมูลพื้นฐานต้องเป็นตัวเลขหรือ -",
              lambda r: "NOT(AND(" + ",".join(_blank_or_number(ref) for ref in
                                              r["baselines"].split(",")) + "))"),
    LiveCheck(Code.PROPOSAL_UNKNOWN_ORG_KPI, None, "ไม่มีตัวชี้วัดองค์กรรหัสนี้",
              lambda r: (f'AND({r[mf.COL_ORG_KPI]}<>"",'
                         f'COUNTIF({r["org_list"]},{r[mf.COL_ORG_KPI]})=0)')
              if r["org_list"] else "FALSE"),
    LiveCheck(Code.PROPOSAL_TARGET_NOT_LEVEL3, None, "ค่าเป้าหมายไม่ใช่เกณฑ์ระดับ 3",
              lambda r: (f"AND({_quantitative(r)},ISNUMBER({r[mf.COL_TARGET]}),"
                         f"ISNUMBER({r[mf.COL_LEVELS[2]]}),"
                         f"{r[mf.COL_TARGET]}<>{r[mf.COL_LEVELS[2]]})")),
    LiveCheck(Code.PROPOSAL_SOFT_TARGET, None, "ค่าเป้าหมายด้อยกว่าผลปีก่อน",
              lambda r: (f"AND({_quantitative(r)},ISNUMBER({r[mf.COL_TARGET]}),"
                         f"ISNUMBER({r['last_baseline']}),{_worse(r, r['last_baseline'])})")),
)
SEPARATOR = "; "


def live_text(code: Code, column: str | None) -> str | None:
    """The live text of a problem code (and its column), when the workbook shows one."""
    if column is not None and column.startswith(mf.BASELINE_PREFIX):
        column = "baseline"
    for check in LIVE_CHECKS:
        if check.code is code and check.column in (None, column):
            return check.text
    return None


def row_formula(refs: Refs) -> str:
    """The check cell's formula of one row: empty for an empty row, else every failing check's
    text, or ``ครบถ้วน``."""
    messages = "&".join(f'IF({c.condition(refs)},"{SEPARATOR}{c.text}","")'
                        for c in LIVE_CHECKS)
    return (f'=IF(COUNTA({refs["typed"]})=0,"",'
            f'IF(({messages})="","{P.CHECK_OK}",MID({messages},{len(SEPARATOR) + 1},4000)))')
