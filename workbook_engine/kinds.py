"""The kinds of KPI, one class each: everything that differs between them lives here.

A kind knows its label in the master, which of the master's columns it needs, how it scores
(:mod:`workbook_engine.scoring`) and the same as an Excel formula
(:mod:`workbook_engine.formulas`), what its locked criteria cells show, what its result input
accepts, what a returned result must look like, and what its KPI card tells. Nothing outside this
module asks which kind a KPI is; adding a kind is one class here, listed in :data:`KINDS`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

import workbook_engine.formulas as formulas
import workbook_engine.scoring as scoring

from .master import format as mf
from .master.format import Direction
from .problems import Code

RESULT_LIMIT = 1e12       # the largest result magnitude a number input accepts
Criteria = tuple[Decimal, ...]
# a problem a returned result has: its catalogue code and the values its message needs
Finding = tuple[Code, dict[str, object]]


class KpiKind(ABC):
    """One kind of KPI; every kind is one instance of a subclass (see :data:`KINDS`)."""

    name: ClassVar[str]            # stable, in the forms' fingerprints
    label: ClassVar[str]           # the master's ประเภท, and what people read
    uses_criteria: ClassVar[bool] = False     # ระดับ 1-5 are its criteria
    needs_direction: ClassVar[bool] = False   # ทิศทาง is required
    needs_levels: ClassVar[bool] = False      # levels 1-5 described on ขั้นความสำเร็จ
    needs_org_score: ClassVar[bool] = False   # scored from ผลองค์กร, no result typed
    has_result: ClassVar[bool] = True         # the office types a result

    def __repr__(self) -> str:
        return f"<KPI kind {self.name}>"

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        """Pickled by name, so that a kind is the same object in every process."""
        return kind_named, (self.name,)

    def describe(self, direction: Direction | None) -> str:
        """The kind as a KPI card shows it: ``เชิงปริมาณ (มากดี)``."""
        return self.label if direction is None else f"{self.label} ({direction.value})"

    @abstractmethod
    def score(self, result: Decimal | None, criteria: Criteria | None,
              direction: Direction | None, below_level1: int,
              org_score: Decimal | None, places: int = 4) -> Decimal | None:
        """The score, rounded to ``places`` decimals; None while there is nothing to score."""

    @abstractmethod
    def score_formula(self, result: str, criteria: Sequence[str], direction: Direction | None,
                      below_level1: int, places: int = 4) -> str:
        """The live ``SCORE`` formula, from the references of the result (the organisation's
        score, for an inherited KPI) and of c1..c5."""

    def criteria_cells(self, criteria: Criteria | None) -> Criteria | None:
        """What the locked cells ระดับ 1-5 show; None when they say the kind's label instead."""
        return None

    def result_validation(self, unit: str, levels: str) -> dict[str, object] | None:
        """The data validation of the result input; None for a kind without one. ``unit`` is
        the KPI's; ``levels`` the range that lists the levels 0-5."""
        return None

    def check_result(self, value: Decimal, percent: bool,
                     criteria: Criteria | None) -> tuple[Decimal | None, list[Finding]]:
        """A returned result as it is scored (None when it cannot be), and its problems;
        ``percent`` says whether the KPI's unit is a percentage."""
        return value, []

    def card_facts(self, criteria: Criteria | None, levels: dict[int, str],
                   org_score: Decimal | None, places: int = 4) -> list[tuple[str, str]]:
        """The rows this kind adds to a KPI card, a label and a value each, from the office's
        criteria, the KPI's described levels and the organisation's score (scores shown to
        ``places`` decimals)."""
        return []


class Quantitative(KpiKind):
    """A measured result scored by linear interpolation between five criteria."""

    name = "QUANTITATIVE"
    label = mf.KIND_QUANTITATIVE
    uses_criteria = needs_direction = True

    def score(self, result: Decimal | None, criteria: Criteria | None,
              direction: Direction | None, below_level1: int,
              org_score: Decimal | None, places: int = 4) -> Decimal | None:
        if result is None:
            return None
        if criteria is None or direction is None:
            raise ValueError(f"a {self.name.lower()} KPI needs criteria and a direction")
        return self.scored(result, criteria, direction, below_level1, places)

    def scored(self, result: Decimal, criteria: Criteria, direction: Direction,
               below_level1: int, places: int) -> Decimal:
        """The score of a result against the criteria: interpolated between them."""
        return scoring.score_quantitative(result, criteria, direction, below_level1, places)

    def score_formula(self, result: str, criteria: Sequence[str], direction: Direction | None,
                      below_level1: int, places: int = 4) -> str:
        if direction is None:
            raise ValueError(f"a {self.name.lower()} KPI needs a direction")
        return self.formula(result, criteria, direction, below_level1, places)

    def formula(self, result: str, criteria: Sequence[str], direction: Direction,
                below_level1: int, places: int) -> str:
        """:meth:`scored` as a formula."""
        return formulas.quantitative_score(result, criteria, direction, below_level1, places)

    def criteria_cells(self, criteria: Criteria | None) -> Criteria | None:
        return criteria

    def result_validation(self, unit: str, levels: str) -> dict[str, object] | None:
        return {
            "validate": "decimal", "criteria": "between",
            "minimum": -RESULT_LIMIT, "maximum": RESULT_LIMIT,
            "input_title": "ผลการดำเนินงาน",
            "input_message": f"กรอกเป็นตัวเลข หน่วย: {unit}"[:255],
            "error_title": "ต้องเป็นตัวเลข",
            "error_message": "กรอกผลเป็นตัวเลขเท่านั้น ไม่ต้องพิมพ์หน่วยหรือเครื่องหมาย %",
        }

    def check_result(self, value: Decimal, percent: bool,
                     criteria: Criteria | None) -> tuple[Decimal | None, list[Finding]]:
        if not percent:
            return value, []
        if value < 0:
            return None, [(Code.RESULT_NEGATIVE_PERCENT, {})]
        if criteria and value > 100 and value > max(criteria):
            return value, [(Code.RESULT_IMPLAUSIBLE, {"why": "เกินร้อยละ 100"})]
        if criteria and 0 < value <= 1 and min(criteria) >= 10:
            return value, [(Code.RESULT_IMPLAUSIBLE,
                            {"why": "อาจพิมพ์เป็นรูปแบบเปอร์เซ็นต์ (เช่น 84% ถูกเก็บเป็น 0.84)"})]
        return value, []

    def card_facts(self, criteria: Criteria | None, levels: dict[int, str],
                   org_score: Decimal | None, places: int = 4) -> list[tuple[str, str]]:
        return [(f"เกณฑ์ระดับ {i} (ค่าที่ต้องได้)", format(c.normalize(), "f"))
                for i, c in enumerate(criteria or (), start=1)]


class Stepwise(Quantitative):
    """A measured result scored by bands: the highest level whose criterion it meets, a whole
    number (checklist counts with uneven steps too)."""

    name = "STEPWISE"
    label = mf.KIND_STEPWISE

    def scored(self, result: Decimal, criteria: Criteria, direction: Direction,
               below_level1: int, places: int) -> Decimal:
        """The score of a result against the criteria: the band it reaches."""
        return scoring.score_stepwise(result, criteria, direction, below_level1, places)

    def formula(self, result: str, criteria: Sequence[str], direction: Direction,
                below_level1: int, places: int) -> str:
        return formulas.stepwise_score(result, criteria, direction, below_level1)

    def card_facts(self, criteria: Criteria | None, levels: dict[int, str],
                   org_score: Decimal | None, places: int = 4) -> list[tuple[str, str]]:
        return [(f"ได้ {i} คะแนนเมื่อถึง", format(c.normalize(), "f"))
                for i, c in enumerate(criteria or (), start=1)]


LEVELS = tuple(Decimal(level) for level in range(1, 6))


class Milestone(KpiKind):
    """The level 0-5 reached of five described steps."""

    name = "MILESTONE"
    label = mf.KIND_MILESTONE
    needs_levels = True

    def score(self, result: Decimal | None, criteria: Criteria | None,
              direction: Direction | None, below_level1: int,
              org_score: Decimal | None, places: int = 4) -> Decimal | None:
        return None if result is None else scoring.score_milestone(result, below_level1, places)

    def score_formula(self, result: str, criteria: Sequence[str], direction: Direction | None,
                      below_level1: int, places: int = 4) -> str:
        return formulas.milestone_score(result, below_level1)

    def criteria_cells(self, criteria: Criteria | None) -> Criteria | None:
        return LEVELS

    def result_validation(self, unit: str, levels: str) -> dict[str, object] | None:
        return {
            "validate": "list", "source": levels,
            "input_title": "ระดับความสำเร็จ",
            "input_message": "เลือกระดับที่ทำได้ 0-5 (ดูความหมายในชีตรายละเอียดตัวชี้วัด)",
            "error_title": "ระดับไม่ถูกต้อง",
            "error_message": "กรอกได้เฉพาะเลขจำนวนเต็ม 0 ถึง 5",
        }

    def check_result(self, value: Decimal, percent: bool,
                     criteria: Criteria | None) -> tuple[Decimal | None, list[Finding]]:
        if not scoring.is_milestone_level(value):
            return None, [(Code.RESULT_MILESTONE_INVALID, {})]
        return value, []

    def card_facts(self, criteria: Criteria | None, levels: dict[int, str],
                   org_score: Decimal | None, places: int = 4) -> list[tuple[str, str]]:
        return [(f"ระดับ {level}", text) for level, text in sorted(levels.items())]


class Inherited(KpiKind):
    """The organisation's own score for the KPI, given in the master; nothing to type."""

    name = "INHERITED"
    label = mf.KIND_INHERITED
    needs_org_score = True
    has_result = False

    def score(self, result: Decimal | None, criteria: Criteria | None,
              direction: Direction | None, below_level1: int,
              org_score: Decimal | None, places: int = 4) -> Decimal | None:
        return None if org_score is None else scoring.score_inherited(org_score, places)

    def score_formula(self, result: str, criteria: Sequence[str], direction: Direction | None,
                      below_level1: int, places: int = 4) -> str:
        return formulas.inherited_score(result, places)

    def card_facts(self, criteria: Criteria | None, levels: dict[int, str],
                   org_score: Decimal | None, places: int = 4) -> list[tuple[str, str]]:
        return [("คะแนนองค์กร", "ยังไม่ประกาศ" if org_score is None
                 else format(scoring.score_inherited(org_score, places), "f"))]


QUANTITATIVE, STEPWISE = Quantitative(), Stepwise()
MILESTONE, INHERITED = Milestone(), Inherited()
KINDS: tuple[KpiKind, ...] = (QUANTITATIVE, STEPWISE, MILESTONE, INHERITED)
BY_LABEL = {kind.label: kind for kind in KINDS}
_BY_NAME = {kind.name: kind for kind in KINDS}


def kind_named(name: str) -> KpiKind:
    """The kind whose :attr:`KpiKind.name` is ``name``."""
    return _BY_NAME[name]
