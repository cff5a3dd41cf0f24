"""Typed model of a master workbook.

Settings, offices, KPIs, assignments, milestone levels and organisation scores.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from .kinds import KpiKind
from .master.format import Direction
from .scoring import assessed


@dataclass(frozen=True)
class Settings:
    """The master's ``ตั้งค่า`` sheet."""

    organisation: str
    fiscal_year: int
    receiver: str
    receiver_position: str
    below_level1_score: int = 1
    places: int = 4            # the decimals of every score (ทศนิยม: 4 or 2)


@dataclass(frozen=True)
class Office:
    """One bureau or division (สำนัก/กอง)."""

    code: str
    name: str
    maker: str
    maker_position: str
    coordinator: str
    email: str


@dataclass(frozen=True)
class Kpi:
    """One KPI of the catalogue."""

    code: str
    name: str
    group: int
    unit: str
    kind: KpiKind
    direction: Direction | None
    org_kpi: str | None
    description: str
    formula: str = ""          # how the result is computed (สูตรการคำนวณ)
    data_required: str = ""    # what the office must report (ข้อมูลที่ต้องรายงาน)

    @property
    def is_percent(self) -> bool:
        """True when the unit is a percentage (ร้อยละ or %)."""
        return percent_unit(self.unit)


@dataclass(frozen=True)
class OrgKpi:
    """One organisation-level KPI (sheet ``ตัวชี้วัดองค์กร``) that KPIs cascade from."""

    code: str
    name: str
    unit: str = ""
    target: str = ""


@dataclass(frozen=True)
class KpiCard:
    """What an office's KPI card adds to the assignment (columns of ``เกณฑ์``): the target,
    who owns the KPI and who collects its data, and the office's past results by BE year."""

    target: str = ""
    owner: str = ""
    collector: str = ""
    baseline: tuple[tuple[int, Decimal], ...] = ()     # (year, result), oldest first


NO_CARD = KpiCard()


Criteria = tuple[Decimal, Decimal, Decimal, Decimal, Decimal]
RUNNING_OFFICE = "พัฒนาระบบบริหาร"    # in the name of the office that runs the cycle (สพบ.)
NOT_ASSESSED = "ไม่ประเมินในรอบนี้"    # what a KPI of weight 0 in a round shows instead of a result


@dataclass(frozen=True, slots=True)    # 400,000 of them in a national master
class Assignment:
    """One KPI an office is held to, with its weight and criteria (one row of ``เกณฑ์``, or
    its values in one round after ``เกณฑ์รายรอบ``)."""

    office: str
    kpi: str
    weight: Decimal
    criteria: Criteria | None

    @property
    def assessed(self) -> bool:
        """False for a KPI not assessed in the round (weight 0): no result, out of the total."""
        return assessed(self.weight)


@dataclass(frozen=True)
class RoundOverride:
    """One row of ``เกณฑ์รายรอบ``: an assignment's weight and criteria in one round; None
    keeps the assignment's."""

    office: str
    kpi: str
    round_months: int
    weight: Decimal | None
    criteria: Criteria | None

    def applied(self, a: Assignment) -> Assignment:
        """``a`` as it is in this override's round."""
        return replace(a, weight=a.weight if self.weight is None else self.weight,
                       criteria=a.criteria if self.criteria is None else self.criteria)


def in_round(assignments: Iterable[Assignment],
             overrides: Mapping[tuple[str, str, int], RoundOverride],
             round_months: int) -> list[Assignment]:
    """``assignments`` as they are in round ``round_months``, after its per-round rows
    (``overrides`` by office, KPI and round)."""
    return [a if (o := overrides.get((a.office, a.kpi, round_months))) is None else o.applied(a)
            for a in assignments]


@dataclass(frozen=True)
class TextInput:
    """One text an office reports on each KPI: its key, Thai header, defined-name prefix
    (``<prefix>_<k>``, CONTRACT section 2) and longest length."""

    key: str
    header: str
    name_prefix: str
    max_length: int


TEXT_INPUTS = (
    TextInput("data", "ข้อมูลผลการดำเนินงาน", "DATA", 4000),
    TextInput("note", "คำชี้แจงการปฏิบัติงาน/มาตรการที่ได้ดำเนินการ", "NOTE", 4000),
    TextInput("support", "ปัจจัยสนับสนุน", "SUPPORT", 2000),
    TextInput("obstacle", "อุปสรรค", "OBSTACLE", 2000),
    TextInput("evidence", "เอกสาร/หลักฐานอ้างอิง", "EVIDENCE", 2000),
)
TEXT_KEYS = tuple(text.key for text in TEXT_INPUTS)


def percent_unit(unit: str) -> bool:
    """True when ``unit`` is a percentage (ร้อยละ or %)."""
    return "ร้อยละ" in unit or "%" in unit


@functools.lru_cache(maxsize=4096)
def name_key(code: str) -> str:
    """The defined-name suffix of a KPI code: every character outside A-Za-z0-9 becomes ``_``.

    >>> name_key("2.1")
    '2_1'
    """
    return re.sub(r"[^A-Za-z0-9]", "_", code)


@dataclass
class Master:
    """A master workbook read into memory. Build it with :func:`workbook_engine.read_master`."""

    settings: Settings
    offices: dict[str, Office] = field(default_factory=dict)
    kpis: dict[str, Kpi] = field(default_factory=dict)
    assignments: list[Assignment] = field(default_factory=list)
    milestone_levels: dict[str, dict[int, str]] = field(default_factory=dict)
    org_scores: dict[str, Decimal] = field(default_factory=dict)
    overrides: dict[tuple[str, str, int], RoundOverride] = field(default_factory=dict)
    org_kpis: dict[str, OrgKpi] = field(default_factory=dict)
    cards: dict[tuple[str, str], KpiCard] = field(default_factory=dict)   # by office, KPI
    source: str = ""             # the file it was read from, and that file's SHA-256
    source_sha256: str = ""

    def card(self, office: str, kpi: str) -> KpiCard:
        """The office's card facts for ``kpi`` (empty when the master gives none)."""
        return self.cards.get((office, kpi), NO_CARD)

    def running_office(self) -> Office | None:
        """The office that runs the cycle (สพบ.), whom the workbooks name for questions and
        the outbox writes from: the first with a coordinator named สำนักพัฒนาระบบบริหาร, else
        the first whose name says พัฒนาระบบบริหาร (a กลุ่ม or กอง of that name); None when the
        master has none."""
        named = [o for o in self.offices.values() if RUNNING_OFFICE in o.name and o.coordinator]
        return next((o for o in named if o.name.startswith(f"สำนัก{RUNNING_OFFICE}")),
                    named[0] if named else None)

    def assignments_for(self, office: str, round_months: int | None = None) -> list[Assignment]:
        """The office's assignments in master order: as the year's agreement has them, or as
        they are in round ``round_months`` (its per-round weights and criteria)."""
        found = self._by_office.get(office, ())
        if round_months is None or not self.overrides:
            return list(found)
        return in_round(found, self.overrides, round_months)

    @functools.cached_property
    def _by_office(self) -> dict[str, list[Assignment]]:
        """Assignments grouped by office, built once (a master is not changed after reading)."""
        grouped: dict[str, list[Assignment]] = {}
        for a in self.assignments:
            grouped.setdefault(a.office, []).append(a)
        return grouped

    def holders(self, kpi: str) -> tuple[str, ...]:
        """The offices held to ``kpi``, in master order."""
        return self._holders.get(kpi, ())

    @functools.cached_property
    def _holders(self) -> dict[str, tuple[str, ...]]:
        grouped: dict[str, list[str]] = {}
        for a in self.assignments:
            grouped.setdefault(a.kpi, []).append(a.office)
        return {kpi: tuple(offices) for kpi, offices in grouped.items()}

    def fingerprint(self, office: str, round_months: int | None = None) -> str:
        """SHA-256 of the office's canonical assignment in round ``round_months`` (its
        per-round weights and criteria).

        Covers KPI codes, weights, criteria, kinds, directions and the scores' places (when not
        4); names and texts are left out.

        Two masters give the same fingerprint for an office exactly when the office would be
        scored the same way by both.
        """
        key = (office, round_months)
        found = self._fingerprints.get(key)
        if found is None:
            found = self._fingerprints[key] = self._fingerprint(office, round_months)
        return found

    @functools.cached_property
    def _fingerprints(self) -> dict[tuple[str, int | None], str]:
        """Fingerprints computed so far (a master is not changed after reading)."""
        return {}

    def _fingerprint(self, office: str, round_months: int | None) -> str:
        rows = self._canonical(self.assignments_for(office, round_months))
        document: dict[str, object] = {"office": office, "kpis": rows}
        year = self._canonical(self.assignments_for(office))
        if year != rows:        # the round's form shows the year's agreement too (and only then
            document["year"] = year    # is it told apart, so a master without rounds keeps its
        if self.settings.places != 4:  # prints, as one of the default places does)
            document["places"] = self.settings.places
        payload = json.dumps(document, ensure_ascii=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode("ascii")).hexdigest()

    def _canonical(self, assignments: list[Assignment]) -> list[list[object]]:
        """The scoring facts of assignments, as the fingerprint covers them."""
        rows: list[list[object]] = []
        for a in assignments:
            kpi = self.kpis[a.kpi]
            rows.append([a.kpi, _canon(a.weight),
                         [_canon(c) for c in a.criteria] if a.criteria else None,
                         kpi.kind.name, kpi.direction.name if kpi.direction else None])
        return rows


def _canon(value: Decimal) -> str:
    """A canonical text for a number: ``20``, ``20.0`` and ``2E+1`` all give ``20``."""
    return _canon_of(value, value.is_signed())


@functools.lru_cache(maxsize=4096)    # weights and criteria repeat across offices; the sign is
def _canon_of(value: Decimal, signed: bool) -> str:    # in the key: 0 and -0 are equal numbers
    """:func:`_canon`, once for each number and sign."""
    text = format(value.normalize(), "f")
    return text

