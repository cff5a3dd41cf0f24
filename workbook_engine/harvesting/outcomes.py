"""What a harvest produces: per-office outcomes, the files seen, and every problem.

:class:`HarvestReport` is written two ways: as the JSON of CONTRACT section 4
(:meth:`HarvestReport.as_json`) and as the summary workbook
(:mod:`workbook_engine.summary.workbook`).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ..errors import PROBLEMS_FOUND
from ..kinds import KpiKind
from ..model import OrgKpi
from ..problems import Problem, error_count
from ..scoring import GroupSubtotal, assessed, average_score, excel_round


class Status(StrEnum):
    """An office's outcome (CONTRACT section 4)."""

    ACCEPTED = "accepted"      # a valid return with every KPI scored
    INCOMPLETE = "incomplete"  # a valid return, but some result is missing or unusable
    REJECTED = "rejected"      # only returns that could not be accepted
    MISSING = "missing"        # no return at all


STATUS_THAI = {Status.ACCEPTED: "รับแล้ว", Status.INCOMPLETE: "ยังไม่ครบ",
               Status.REJECTED: "ไม่รับ", Status.MISSING: "ยังไม่ส่ง"}
OUTCOME_THAI = {**{s.value: text for s, text in STATUS_THAI.items()},
                "ignored": "ไม่ใช้ (มีไฟล์ที่ใหม่กว่าหรือซ้ำ)",
                "review": "แบบตรวจประเมินของคณะกรรมการ (ใช้แล้ว)",
                "review_refused": "แบบตรวจประเมินของคณะกรรมการ (ไม่ได้ใช้)"}


@dataclass(slots=True)       # 400,000 of them in a national harvest
class KpiOutcome:
    """One KPI of one office's return, scored."""

    kpi: str
    name: str
    group: int
    unit: str
    kind: KpiKind
    direction: str | None            # "มากดี" / "น้อยดี" / None
    org_kpi: str | None
    weight: Decimal
    criteria: tuple[Decimal, ...] | None
    result: Decimal | None           # None when missing or unusable
    score: Decimal | None
    weighted: Decimal | None
    texts: dict[str, str] = field(default_factory=dict)   # keys of TEXT_KEYS
    sheet: str | None = None         # where the result was read
    cell: str | None = None
    review: Verified | None = None   # the committee's entry, when one was applied

    @property
    def assessed(self) -> bool:
        """False for a KPI of weight 0 in the round: not scored, out of the total."""
        return assessed(self.weight)

    @property
    def final_weighted(self) -> Decimal | None:
        """The weighted score that counts: the committee's where it gave one."""
        return self.weighted if self.review is None else self.review.weighted

    def as_json(self) -> dict[str, Any]:
        """The ``kpis`` entry of CONTRACT sections 4 and 7."""
        r = self.review
        return {"kpi": self.kpi, "weight": _num(self.weight), "result": _num(self.result),
                "score": _num(self.score), "weighted_score": _num(self.weighted),
                "texts": {key: text for key, text in self.texts.items() if text},
                "verified_result": _num(r.result) if r else None,
                "verified_score": _num(r.score) if r else None,
                "verified_weighted_score": _num(r.weighted) if r else None,
                "review_reason": r.reason if r else None}


@dataclass(frozen=True)
class Verified:
    """The committee's entry on one KPI (CONTRACT section 7): the result it verified or the
    score it gave (which wins), the score and weighted score that follow, its reason, and the
    review workbook's row it came from."""

    result: Decimal | None
    given: Decimal | None
    score: Decimal
    weighted: Decimal
    reason: str
    row: int


@dataclass
class OfficeOutcome:
    """One office of the master, with its chosen return (if any)."""

    office: str
    name: str
    status: Status
    file: str | None = None
    sha256: str | None = None
    saved: dt.datetime | None = None
    total_score: Decimal | None = None
    kpis: list[KpiOutcome] = field(default_factory=list)
    groups: list[GroupSubtotal] = field(default_factory=list)   # of the kpis, in group order
    coordinator: str = ""
    email: str = ""
    reviewed: bool = False            # the committee's review applies to this return
    verified_total: Decimal | None = None   # accepted and reviewed: the committee's total

    @property
    def used_total(self) -> Decimal | None:
        """The total that counts: the committee's where there is one, else the office's."""
        return self.verified_total if self.verified_total is not None else self.total_score

    def as_json(self) -> dict[str, Any]:
        """The ``offices`` entry of CONTRACT section 4."""
        return {"office": self.office, "name": self.name, "status": self.status.value,
                "file": self.file, "sha256": self.sha256,
                "total_score": _num(self.total_score) if self.status is Status.ACCEPTED else None,
                "verified_total_score": _num(self.verified_total),
                "kpis": [k.as_json() for k in self.kpis],
                "groups": [{"group": g.group, "weight": _num(g.weight),
                            "weighted_score": _num(g.weighted_score), "score": _num(g.score)}
                           for g in self.groups]}


@dataclass
class FileRecord:
    """One file given to harvest (the summary's ``ที่มาข้อมูล`` sheet)."""

    file: str
    size: int
    sha256: str
    saved: dt.datetime | None
    office: str | None
    outcome: str          # accepted / incomplete / rejected / ignored (a duplicate)


@dataclass
class ReviewSource:
    """The committee's review workbook a harvest applied (or refused)."""

    file: str
    sha256: str
    applied: bool            # False when the whole workbook was refused
    offices: int = 0         # offices whose entries apply
    entries: int = 0         # KPI rows the committee filled and that apply


@dataclass(frozen=True)
class LedgerRun:
    """The ledger a harvest was recorded in, and the run's number there."""

    file: str
    run: int


@dataclass
class HarvestReport:
    """Everything one harvest found."""

    organisation: str
    fiscal_year: int
    round_months: int
    harvested_at: dt.datetime
    engine_version: str
    schema_version: str
    offices: list[OfficeOutcome]
    files: list[FileRecord]
    problems: list[Problem]
    below_level1: int = 1
    places: int = 4            # the decimals of every score
    master_file: str = ""
    master_sha256: str = ""
    org_kpis: dict[str, OrgKpi] = field(default_factory=dict)   # the master's, by code
    # the offices each organisation KPI is cascaded to (the year's assignments), in master order
    cascaded: dict[str, tuple[str, ...]] = field(default_factory=dict)
    review: ReviewSource | None = None    # the committee's review workbook, when one was given
    ledger: LedgerRun | None = None       # where the run is recorded, when it is

    def count(self, status: Status) -> int:
        """How many offices have ``status``."""
        return sum(1 for o in self.offices if o.status is status)

    @property
    def average_score(self) -> Decimal | None:
        """The mean total of accepted offices (the committee's where there is one), rounded
        (None when none is accepted)."""
        return average_score([total for o in self.offices
                              if o.status is Status.ACCEPTED and (total := o.used_total)
                              is not None], self.places)

    @property
    def exit_code(self) -> int:
        """0 when every office is accepted and nothing is wrong, else 1 (CONTRACT section 3)."""
        clean = all(o.status is Status.ACCEPTED for o in self.offices)
        return 0 if clean and not error_count(self.problems) else PROBLEMS_FOUND

    def json_head(self) -> dict[str, Any]:
        """What the JSON document of CONTRACT section 4 says before its lists."""
        return {"organisation": self.organisation, "fiscal_year": self.fiscal_year,
                "round": self.round_months}

    def as_json(self) -> dict[str, Any]:
        """The JSON document of CONTRACT section 4."""
        return {**self.json_head(), "offices": [o.as_json() for o in self.offices],
                "problems": [p.as_dict() for p in self.problems]}


@functools.lru_cache(maxsize=65_536)     # weights, criteria and scores recur in every office
def _num(value: Decimal | None) -> float | int | None:
    """A JSON number: an int when whole, else a float of at most 4 decimals."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(excel_round(value).normalize())
