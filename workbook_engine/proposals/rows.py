"""One row of a proposal table as values: what the master holds for an office's KPI, and what
an office proposes (CONTRACT section 6).

The proposal workbook is written from :func:`current` and read back into :class:`Proposed`;
comparing the two tells a changed KPI from an unchanged one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..kinds import KpiKind
from ..master import format as mf
from ..master.format import Direction
from ..model import Assignment, Criteria, Master
from ..values import NumberStatus, parse_number
from . import layout as P


@dataclass(frozen=True)
class Proposed:
    """A KPI as a proposal row gives it (or as the master holds it, for comparison)."""

    row: int                           # the 1-based sheet row
    code: str                          # "" for a new KPI
    name: str
    group: int
    unit: str
    kind: KpiKind | None
    direction: Direction | None
    weight: Decimal | None
    target: str
    criteria: Criteria | None
    org_kpi: str
    description: str
    formula: str
    data_required: str
    owner: str
    collector: str
    baseline: tuple[tuple[int, Decimal], ...]     # (BE year, result), oldest first
    level_texts: tuple[str, str, str, str, str] = ("", "", "", "", "")
    reason: str = ""
    flags: list[str] = field(default_factory=list, compare=False)   # codes of its warnings

    @property
    def target_number(self) -> Decimal | None:
        """The target when it reads as a number."""
        return number(self.target)

    def catalogue(self) -> tuple[object, ...]:
        """The facts the KPI catalogue holds (sheet ``ตัวชี้วัด``, and the milestone levels):
        shared by every office that holds the KPI."""
        return (self.name, self.unit, self.kind, self.direction, self.org_kpi,
                self.description, self.formula, self.data_required, self.level_texts)

    def differs(self, other: Proposed) -> bool:
        """Whether this row proposes anything ``other`` (the master's) does not have; its
        reason alone is not a change."""
        return (self.catalogue(), self.assignment()) != (other.catalogue(), other.assignment())

    def assignment(self) -> tuple[object, ...]:
        """The facts of the office's own assignment and card."""
        return (self.weight, self.criteria, self.target, self.owner, self.collector,
                self.baseline)


_ONE_NUMBER = re.compile(r"^[^0-9๐-๙]*?(-?[0-9๐-๙][0-9๐-๙,]*(?:\.[0-9๐-๙]+)?)[^0-9๐-๙]*$")


def number(text: str) -> Decimal | None:
    """``text`` as a number, when it reads as one without doubt: a number, or a text with one
    number in it (a target such as ``ร้อยละ 90`` or ``12 วัน``)."""
    parsed = parse_number(text)
    if parsed.status not in (NumberStatus.OK, NumberStatus.COERCED):
        match = _ONE_NUMBER.match(text)
        parsed = parse_number(match.group(1)) if match else parsed
    return parsed.value if parsed.status in (NumberStatus.OK, NumberStatus.COERCED) else None


def with_unit(target: str, previous: str) -> str:
    """A proposed target written as the master wrote the previous one: its number in place of
    the previous text's one number (``ร้อยละ 95`` and ``90`` give ``ร้อยละ 90``)."""
    match = _ONE_NUMBER.match(previous)
    if match is None or number(target) is None or target != target_text(target):
        return target
    return previous[:match.start(1)] + target + previous[match.end(1):]


def target_text(target: str) -> str:
    """A target as a proposal shows it: its number alone when it has one (the unit is in its
    own column), else as it is."""
    value = number(target)
    return target if value is None else format(value.normalize(), "f")


def current(master: Master, a: Assignment, row: int) -> Proposed:
    """What the master holds for assignment ``a``, as a proposal row shows it."""
    kpi = master.kpis[a.kpi]
    card = master.card(a.office, a.kpi)
    years = P.baseline_years(master.settings.fiscal_year)
    levels = master.milestone_levels.get(a.kpi, {})
    return Proposed(
        row, kpi.code, kpi.name, kpi.group, kpi.unit, kpi.kind, kpi.direction, a.weight,
        target_text(card.target), a.criteria, kpi.org_kpi or "", kpi.description, kpi.formula,
        kpi.data_required, card.owner, card.collector,
        tuple((y, v) for y, v in card.baseline if y in years),
        (levels.get(1, ""), levels.get(2, ""), levels.get(3, ""), levels.get(4, ""),
         levels.get(5, "")) if kpi.kind.needs_levels else ("", "", "", "", ""))


def cells(p: Proposed, fiscal_year: int) -> dict[str, object]:
    """The row's values by master header, as the proposal workbook writes them: numbers as
    Decimals, texts as str, nothing as ``""``."""
    years = dict(p.baseline)
    values: dict[str, object] = {
        mf.COL_KPI: p.code, mf.COL_KPI_NAME: p.name, mf.COL_GROUP: Decimal(p.group),
        mf.COL_UNIT: p.unit, mf.COL_KIND: p.kind.label if p.kind else "",
        mf.COL_DIRECTION: p.direction.value if p.direction else "",
        mf.COL_WEIGHT: p.weight if p.weight is not None else "",
        mf.COL_TARGET: p.target_number if p.target_number is not None else p.target,
        mf.COL_ORG_KPI: p.org_kpi, mf.COL_DESCRIPTION: p.description,
        mf.COL_FORMULA: p.formula, mf.COL_DATA_REQUIRED: p.data_required,
        mf.COL_OWNER: p.owner, mf.COL_COLLECTOR: p.collector, P.COL_REASON: p.reason,
    }
    for i, level in enumerate(mf.COL_LEVELS):
        values[level] = p.criteria[i] if p.criteria else ""
    for year in P.baseline_years(fiscal_year):
        values[mf.baseline_column(year)] = years.get(year, "")
    for header, text in zip(P.COL_LEVEL_TEXTS, p.level_texts, strict=True):
        values[header] = text
    return values
