"""Reading and checking a master workbook (CONTRACT section 1) into a :class:`Master`.

Sheets are found by name and columns by their trimmed header text in row 1; extra sheets and
columns are ignored. Every problem is collected with its sheet and cell; nothing stops at the
first one.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import InvalidMasterError
from ..fiscal import FISCAL_YEARS
from ..kinds import BY_LABEL
from ..master.format import Direction
from ..model import (
    Assignment,
    Criteria,
    Kpi,
    KpiCard,
    Master,
    Office,
    OrgKpi,
    RoundOverride,
    Settings,
    in_round,
    name_key,
)
from ..problems import Code, Problem, error_count, problem
from ..scoring import PLACES
from ..values import NumberStatus, clean_text, parse_number
from ..xlsx.cells import column_letter
from ..xlsx.reader import NotAWorkbook, PiecesFailed, XlsxReader
from ..xlsx.zips import MASTER_CAPS, damage_reason
from . import format as mf

MAX_COLUMNS = 64         # headers are searched in the first 64 columns

NO_DATA = frozenset({"", "-", "–", "—"})     # a baseline year without a result
ORDER_WORDS = {Direction.HIGHER: "เพิ่มขึ้น", Direction.LOWER: "ลดลง"}


class _Sheets:
    """The master's sheets as rows of values, read with the fast, safe return reader."""

    def __init__(self, reader: XlsxReader, pieces: bool = True) -> None:
        """``pieces``: big sheets are read in pieces (see :meth:`XlsxReader.row_pieces`)."""
        self.reader = reader
        self.pieces = pieces
        self.sheetnames = [s.name for s in reader.sheets]

    def rows(self, name: str, max_col: int = MAX_COLUMNS) -> Iterator[tuple[Any, ...]]:
        """Rows 1..last of sheet ``name`` as tuples of values (gaps become empty rows), numbers
        that are whole as ints, as openpyxl gives them; a big sheet read in pieces, and each
        row let go once it is given.

        Raises:
            PiecesFailed: when a piece of a big sheet does not read alone (read the master
                again without pieces).
        """
        sheet = next(s for s in self.reader.sheets if s.name == name)
        pieces = self.reader.row_pieces(sheet, max_col) if self.pieces else None
        for read in pieces or (self.reader.read_rows(sheet, max_col),):
            read.reverse()
            while read:
                yield tuple(map(_plain, read.pop()))


# Weights and criteria repeat across a master's thousands of rows: each distinct value is
# parsed once (by type as well, so that 1 and 1.0 stay apart).
_parse_number = functools.lru_cache(maxsize=65_536, typed=True)(parse_number)
_CACHED_TYPES = frozenset({int, float, str})


@functools.lru_cache(maxsize=4096)
def _plain_criteria(raw: tuple[object, ...], types: tuple[type, ...], direction: Direction | None
                    ) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal] | None:
    """Five criteria stored as numbers, in order for ``direction``: as :meth:`_Reader.criteria`
    reads them, with no problem to tell; None for anything else, which it then reads itself.
    Criteria repeat across offices, so each distinct row is judged once (by the values' types
    as well, so that True and 1 stay apart)."""
    if direction is None or not all(t is int or t is float for t in types):
        return None
    parsed = [parse_number(value) for value in raw]
    if any(p.status is not NumberStatus.OK or p.value is None for p in parsed):
        return None
    c = tuple(p.value for p in parsed if p.value is not None)
    if not in_order(c, direction):
        return None
    return (c[0], c[1], c[2], c[3], c[4])


def in_order(criteria: tuple[Decimal, ...], direction: Direction) -> bool:
    """Whether each criterion is better than the one before, for ``direction``."""
    higher = direction is Direction.HIGHER
    return all((b > a) if higher else (b < a) for a, b in itertools.pairwise(criteria))


_BASELINE = re.compile(rf"^{mf.BASELINE_PREFIX}\s*(?:ปี\s*)?(?:พ\.ศ\.\s*)?(\d{{4}})$")


def _baseline_year(header: str) -> int | None:
    """The BE year of a baseline column's header (``ข้อมูลพื้นฐาน 2566``), else None."""
    match = _BASELINE.match(header)
    year = int(match.group(1)) if match else None
    return year if year is not None and 2400 <= year <= 2800 else None


def _filled(value: object) -> bool:
    """Whether a cell value is not empty, as ``clean_text`` judges it (only None and blank
    text are)."""
    return value is not None and (type(value) is not str or (not value.isspace() and value != ""))


def _plain(value: object) -> object:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)
    return value


@dataclass
class MasterReport:
    """What :func:`read_master` found: the master (None when it has errors) and every problem."""

    path: Path
    master: Master | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return self.master is not None


@dataclass
class _Row:
    sheet: str
    number: int
    values: dict[str, Any]
    columns: dict[str, int]

    def ref(self, column: str) -> str:
        return f"{column_letter(self.columns[column])}{self.number}"

    def text(self, column: str) -> str:
        return clean_text(self.values.get(column))


def _filled_rows(sheet: str, rows: Iterator[tuple[Any, ...]],
                 wanted: dict[str, int]) -> Iterator[_Row]:
    """The rows after the header that hold anything in the ``wanted`` columns."""
    at = [(c, i - 1) for c, i in wanted.items()]
    for number, values in enumerate(rows, start=2):
        size = len(values)
        picked = {c: values[i] if i < size else None for c, i in at}
        if any(map(_filled, picked.values())):
            yield _Row(sheet, number, picked, wanted)


class _Reader:
    """Reads one master, accumulating problems."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = path.name
        self.problems: list[Problem] = []
        self.baselines: list[tuple[int, str]] = []    # (BE year, header) of เกณฑ์, by year

    def add(self, kind: Code, row: _Row | None = None, column: str | None = None, /, *,
            sheet: str | None = None, cell: str | None = None, office: str | None = None,
            **params: object) -> None:
        if row is not None:
            sheet = row.sheet
            cell = row.ref(column) if column else f"A{row.number}"
        self.problems.append(problem(kind, file=self.file, office=office, sheet=sheet,
                                     cell=cell, **params))

    # -- tables -----------------------------------------------------------------------------
    def table(self, wb: _Sheets, sheet: str) -> list[_Row] | None:
        """The rows of ``sheet`` that hold anything, with their header checked; None when the
        sheet or a required column is missing (said)."""
        rows = self.table_rows(wb, sheet)
        return None if rows is None else list(rows)

    def table_rows(self, wb: _Sheets, sheet: str) -> Iterator[_Row] | None:
        """:meth:`table`, its header checked now and its rows read as they are taken (a
        national ``เกณฑ์`` has 400,000)."""
        if sheet not in wb.sheetnames:
            if sheet in mf.OPTIONAL_SHEETS:
                return iter(())
            self.add(Code.MASTER_SHEET_MISSING, sheet=sheet, sheet_name=sheet)
            return None
        rows = wb.rows(sheet)
        header = next(rows, ())
        columns: dict[str, int] = {}
        for index, value in enumerate(header, start=1):
            name = clean_text(value)
            if name and name not in columns:
                columns[name] = index
        missing = [c for c in mf.REQUIRED_COLUMNS[sheet] if c not in columns]
        for column in missing:
            self.add(Code.MASTER_COLUMN_MISSING, sheet=sheet, cell="A1", column=column)
        if missing:
            return None
        wanted = {c: columns[c] for c in mf.ALL_COLUMNS[sheet] if c in columns}
        if sheet == mf.ASSIGNMENTS_SHEET:
            wanted.update(self.baseline_columns(columns))
        return _filled_rows(sheet, rows, wanted)

    def baseline_columns(self, columns: dict[str, int]) -> dict[str, int]:
        """The baseline columns of ``เกณฑ์`` (``ข้อมูลพื้นฐาน <BE year>``) by header, oldest
        year first, noted in :attr:`baselines`; one whose header has no year is said and left
        out."""
        found: dict[int, tuple[str, int]] = {}
        for name, index in columns.items():
            if not name.startswith(mf.BASELINE_PREFIX):
                continue
            year = _baseline_year(name)
            if year is None:
                self.add(Code.MASTER_BASELINE_YEAR, sheet=mf.ASSIGNMENTS_SHEET,
                         cell=f"{column_letter(index)}1", column=name)
            elif year not in found:
                found[year] = (name, index)
        self.baselines = [(year, found[year][0]) for year in sorted(found)]
        return dict(found[year] for year in sorted(found))

    def required_text(self, row: _Row, column: str) -> str:
        text = row.text(column)
        if not text:
            self.add(Code.MASTER_VALUE_MISSING, row, column, column=column)
        return text

    def number(self, row: _Row, column: str,
               expected: str = "กรอกเป็นตัวเลข") -> Decimal | None:
        raw = row.values.get(column)
        parsed = _parse_number(raw) if type(raw) in _CACHED_TYPES else parse_number(raw)
        if parsed.status is NumberStatus.COERCED and not parsed.percent:
            self.add(Code.MASTER_NUMBER_AS_TEXT, row, column, value=raw, number=parsed.value)
            return parsed.value
        if parsed.status is NumberStatus.OK:
            return parsed.value
        if parsed.status is not NumberStatus.BLANK:
            self.add(Code.MASTER_VALUE_INVALID, row, column, value=raw, column=column,
                     expected=expected)
        return None

    def unique(self, rows: list[_Row], column: str) -> dict[str, _Row]:
        seen: dict[str, _Row] = {}
        for row in rows:
            code = self.required_text(row, column)
            if not code:
                continue
            if code in seen:
                self.add(Code.MASTER_DUPLICATE_CODE, row, column, code=code,
                         other_row=seen[code].number)
                continue
            seen[code] = row
        return seen

    def name_clashes(self, by_code: dict[str, _Row]) -> None:
        """KPI codes that give the same defined name (``2.1`` and ``2-1``; ``a.1`` and
        ``A.1``, as Excel compares names without case)."""
        seen: dict[str, tuple[str, _Row]] = {}
        for code, row in by_code.items():
            key = name_key(code).upper()
            if key in seen:
                other, first = seen[key]
                self.add(Code.MASTER_KPI_NAME_CLASH, row, mf.COL_KPI, code=code, other=other,
                         other_row=first.number, name=f"RESULT_{name_key(code)}")
            else:
                seen[key] = (code, row)

    # -- sheets -----------------------------------------------------------------------------
    def settings(self, wb: _Sheets) -> Settings | None:
        sheet = mf.SETTINGS_SHEET
        if sheet not in wb.sheetnames:
            self.add(Code.MASTER_SHEET_MISSING, sheet=sheet, sheet_name=sheet)
            return None
        found: dict[str, tuple[Any, int]] = {}
        for number, values in enumerate(wb.rows(sheet, max_col=2), 1):
            label = clean_text(values[0] if values else None)
            if label in mf.SETTINGS_LABELS and label not in found:
                found[label] = (values[1] if len(values) > 1 else None, number)
        texts: dict[str, str] = {}
        for label in mf.REQUIRED_SETTINGS:
            value, number = found.get(label, (None, 0))
            texts[label] = clean_text(value)
            if not texts[label]:
                self.add(Code.MASTER_SETTING_MISSING, sheet=sheet,
                         cell=f"B{number}" if number else None, label=label)
        year = self._fiscal_year(found)
        below = self._below_level1(found)
        places = self._places(found)
        if year is None or below is None or places is None or not all(texts.values()):
            return None
        return Settings(texts[mf.SET_ORGANISATION], year, texts[mf.SET_RECEIVER],
                        texts[mf.SET_RECEIVER_POSITION], below, places)

    def _setting_number(self, found: dict[str, tuple[Any, int]], label: str,
                        allowed: Collection[int], expected: str) -> int | None:
        value, number = found.get(label, (None, 0))
        parsed = parse_number(value)
        if parsed.status is NumberStatus.BLANK:
            return None
        if parsed.value is not None and parsed.value == parsed.value.to_integral_value() \
                and int(parsed.value) in allowed:
            return int(parsed.value)
        self.add(Code.MASTER_SETTING_INVALID, sheet=mf.SETTINGS_SHEET, cell=f"B{number}",
                 label=label, value=value, expected=expected)
        return None

    def _fiscal_year(self, found: dict[str, tuple[Any, int]]) -> int | None:
        return self._setting_number(found, mf.SET_FISCAL_YEAR, FISCAL_YEARS,
                                    "กรอกปีงบประมาณเป็นพุทธศักราช 4 หลัก เช่น 2569")

    def _below_level1(self, found: dict[str, tuple[Any, int]]) -> int | None:
        if not clean_text(found.get(mf.SET_BELOW_LEVEL1, (None, 0))[0]):
            return 1
        return self._setting_number(found, mf.SET_BELOW_LEVEL1, range(2),
                                    "กรอก 1 หรือ 0 (หรือเว้นว่างเพื่อใช้ค่าเริ่มต้น 1)")

    def _places(self, found: dict[str, tuple[Any, int]]) -> int | None:
        if not clean_text(found.get(mf.SET_PLACES, (None, 0))[0]):
            return 4
        return self._setting_number(found, mf.SET_PLACES, PLACES,
                                    "กรอก 4 หรือ 2 (จำนวนตำแหน่งทศนิยมของคะแนน "
                                    "หรือเว้นว่างเพื่อใช้ค่าเริ่มต้น 4)")

    def offices(self, rows: list[_Row]) -> dict[str, Office]:
        offices = {}
        for code, row in self.unique(rows, mf.COL_OFFICE).items():
            name = self.required_text(row, mf.COL_OFFICE_NAME)
            maker = self.required_text(row, mf.COL_MAKER)
            position = self.required_text(row, mf.COL_MAKER_POSITION)
            offices[code] = Office(code, name, maker, position, row.text(mf.COL_COORDINATOR),
                                   row.text(mf.COL_EMAIL))
        return offices

    def kpis(self, rows: list[_Row]) -> tuple[dict[str, Kpi], dict[str, _Row]]:
        kpis = {}
        by_code = self.unique(rows, mf.COL_KPI)
        self.name_clashes(by_code)
        for code, row in by_code.items():
            name = self.required_text(row, mf.COL_KPI_NAME)
            unit = self.required_text(row, mf.COL_UNIT)
            group = self.number(row, mf.COL_GROUP)
            if group is None or group not in mf.GROUPS:
                self.add(Code.MASTER_VALUE_INVALID, row, mf.COL_GROUP,
                         value=row.text(mf.COL_GROUP), column=mf.COL_GROUP,
                         expected="กรอกกลุ่มตัวชี้วัดเป็น 1, 2 หรือ 3")
            kind = BY_LABEL.get(row.text(mf.COL_KIND))
            if kind is None:
                self.add(Code.MASTER_VALUE_INVALID, row, mf.COL_KIND, value=row.text(mf.COL_KIND),
                         column=mf.COL_KIND, expected="เลือก " + ", ".join(BY_LABEL))
                continue
            direction = None
            if kind.needs_direction:
                direction_text = row.text(mf.COL_DIRECTION)
                if direction_text not in mf.DIRECTIONS:
                    self.add(Code.MASTER_VALUE_INVALID, row, mf.COL_DIRECTION,
                             value=direction_text, column=mf.COL_DIRECTION,
                             expected="ตัวชี้วัดเชิงปริมาณต้องระบุทิศทาง มากดี หรือ น้อยดี")
                    continue
                direction = Direction(direction_text)
            if group is None or group not in mf.GROUPS:
                continue
            kpis[code] = Kpi(code, name, int(group), unit, kind, direction,
                             row.text(mf.COL_ORG_KPI) or None, row.text(mf.COL_DESCRIPTION),
                             row.text(mf.COL_FORMULA), row.text(mf.COL_DATA_REQUIRED))
        return kpis, by_code

    def assignments(self, rows: Iterable[_Row], offices: dict[str, Office], kpi_codes: set[str],
                    kpis: dict[str, Kpi], cards: dict[tuple[str, str], KpiCard]
                    ) -> tuple[list[Assignment], dict[tuple[str, str], int]]:
        """The rows of ``เกณฑ์``, checked; each usable row's card facts go into ``cards``.
        Also gives the row of every office and KPI the sheet lists. No row is kept: a national
        master has 400,000, and each assignment holds the office's and KPI's own codes."""
        result = []
        seen: dict[tuple[str, str], int] = {}
        weights: dict[str, tuple[Decimal, str]] = {}    # office: its sum, its first weight cell
        for row in rows:
            office = self.required_text(row, mf.COL_OFFICE)
            code = self.required_text(row, mf.COL_KPI)
            if office and office not in offices:
                self.add(Code.MASTER_UNKNOWN_OFFICE, row, mf.COL_OFFICE, code=office)
            if code and code not in kpi_codes:
                self.add(Code.MASTER_UNKNOWN_KPI, row, mf.COL_KPI, code=code)
            weight = self.number(row, mf.COL_WEIGHT)
            if weight is None and row.text(mf.COL_WEIGHT) == "":
                self.add(Code.MASTER_VALUE_MISSING, row, mf.COL_WEIGHT, column=mf.COL_WEIGHT)
            elif weight is not None and not Decimal(0) < weight <= 100:
                self.add(Code.MASTER_VALUE_INVALID, row, mf.COL_WEIGHT, value=weight,
                         column=mf.COL_WEIGHT, expected="น้ำหนักต้องมากกว่า 0 และไม่เกิน 100")
                weight = None
            if office in offices:
                office = offices[office].code
            if code in kpis:
                code = kpis[code].code
            if (office, code) in seen:
                self.add(Code.MASTER_DUPLICATE_ASSIGNMENT, row, mf.COL_KPI, office=office,
                         kpi=code, other_row=seen[(office, code)])
                continue
            seen[(office, code)] = row.number
            if weight is not None and office in offices:
                total, cell = weights.get(office) or (Decimal(0), row.ref(mf.COL_WEIGHT))
                weights[office] = (total + weight, cell)
            if office not in offices or code not in kpis or weight is None:
                continue
            kpi = kpis[code]
            criteria = self.criteria(row, kpi, office)
            if kpi.kind.uses_criteria and criteria is None:
                continue
            result.append(Assignment(office, code, weight, criteria))
            card = self.card(row)
            if card is not None:
                cards[(office, code)] = card
        self.weight_sums(weights, offices)
        return result, seen

    def card(self, row: _Row) -> KpiCard | None:
        """An assignment row's KPI card facts (target, owner, data collector, baseline by
        year); None when the row gives none."""
        target, owner, collector = (row.text(column) for column in mf.CARD_COLUMNS)
        baseline = []
        for year, column in self.baselines:
            if row.text(column) in NO_DATA:
                continue
            value = self.number(row, column, "กรอกเป็นตัวเลข หรือใส่ - ถ้าไม่มีข้อมูลของปีนั้น")
            if value is not None:
                baseline.append((year, value))
        if not baseline and not (target or owner or collector):
            return None
        return KpiCard(target, owner, collector, tuple(baseline))

    def criteria(self, row: _Row, kpi: Kpi, office: str,
                 round_months: int | None = None) -> Criteria | None:
        """A row's five criteria for ``kpi`` (the problems of a per-round row name its round);
        None when the kind uses none or they are not usable."""
        if not kpi.kind.uses_criteria:
            if any(map(_filled, map(row.values.get, mf.COL_LEVELS))):
                self.add(Code.MASTER_CRITERIA_IGNORED, row, mf.COL_LEVELS[0], office=office,
                         kpi=kpi.code, kind=kpi.kind.label)
            return None
        raw = tuple(map(row.values.get, mf.COL_LEVELS))
        plain = _plain_criteria(raw, tuple(map(type, raw)), kpi.direction)
        if plain is not None:
            return plain
        where = {"office": office, "kpi": kpi.code}
        if round_months is not None:
            where["round"] = str(round_months)
        values = []
        for column in mf.COL_LEVELS:
            value = self.number(row, column)
            if value is None and not row.text(column):
                self.add(Code.MASTER_CRITERIA_MISSING if round_months is None
                         else Code.MASTER_ROUND_CRITERIA_MISSING, row, column, column=column,
                         **where)
            values.append(value)
        if any(v is None for v in values):
            return None
        c = tuple(v for v in values if v is not None)
        assert kpi.direction is not None
        if not in_order(c, kpi.direction):
            self.add(Code.MASTER_CRITERIA_ORDER if round_months is None
                     else Code.MASTER_ROUND_CRITERIA_ORDER, row, mf.COL_LEVELS[0],
                     direction=kpi.direction.value, order=ORDER_WORDS[kpi.direction],
                     values=" / ".join(format(v, "f") for v in c), **where)
            return None
        return (c[0], c[1], c[2], c[3], c[4])

    def overrides(self, rows: list[_Row], listed: Collection[tuple[str, str]],
                  assignments: list[Assignment],
                  kpis: dict[str, Kpi]) -> dict[tuple[str, str, int], RoundOverride]:
        """The rows of ``เกณฑ์รายรอบ``, checked; then an office's weights in each round it has
        rows for must sum to 100 (its other rounds are the year's, checked already). A row for
        an assignment that has a problem of its own is left to that problem; one for an office
        and KPI that ``เกณฑ์`` does not list (``listed``) is said."""
        held = {(a.office, a.kpi) for a in assignments}
        found: dict[tuple[str, str, int], RoundOverride] = {}
        seen: dict[tuple[str, str, int], int] = {}
        first: dict[tuple[str, int], _Row] = {}           # an office's first row in a round
        unsure: set[tuple[str, int]] = set()   # a round whose weights a problem leaves unknown
        for row in rows:
            office = self.required_text(row, mf.COL_OFFICE)
            code = self.required_text(row, mf.COL_KPI)
            round_months = self.round_of(row)
            if not office or not code or round_months is None:
                continue
            if (office, code) not in listed:
                self.add(Code.MASTER_ROUND_UNKNOWN_ASSIGNMENT, row, mf.COL_KPI, office=office,
                         kpi=code)
                continue
            first.setdefault((office, round_months), row)
            key = (office, code, round_months)
            if key in seen:
                self.add(Code.MASTER_ROUND_DUPLICATE, row, mf.COL_ROUND, office=office,
                         kpi=code, round=round_months, other_row=seen[key])
                continue
            seen[key] = row.number
            override = self.override(row, key, kpis) if (office, code) in held else None
            if override is None:
                unsure.add((office, round_months))
            else:
                found[key] = override
        self.round_weight_sums(found, assignments, first, unsure)
        return found

    def override(self, row: _Row, key: tuple[str, str, int],
                 kpis: dict[str, Kpi]) -> RoundOverride | None:
        """One per-round row's weight and criteria; None, with its problems, when unusable."""
        office, code, round_months = key
        weight = self.number(row, mf.COL_WEIGHT)
        if weight is None and row.text(mf.COL_WEIGHT):
            return None                         # not a number: said by self.number
        if weight is not None and not Decimal(0) <= weight <= 100:
            self.add(Code.MASTER_VALUE_INVALID, row, mf.COL_WEIGHT, value=weight,
                     column=mf.COL_WEIGHT,
                     expected="น้ำหนักรายรอบต้องอยู่ระหว่าง 0 ถึง 100 (0 คือไม่ประเมินในรอบนั้น)")
            return None
        given = any(map(_filled, map(row.values.get, mf.COL_LEVELS)))
        criteria = self.criteria(row, kpis[code], office, round_months) if given else None
        if given and criteria is None and kpis[code].kind.uses_criteria:
            return None
        return RoundOverride(office, code, round_months, weight, criteria)

    def round_of(self, row: _Row) -> int | None:
        """A per-round row's round: 6, 9 or 12 (None, with one problem, for anything else)."""
        raw = row.values.get(mf.COL_ROUND)
        if not row.text(mf.COL_ROUND):
            self.add(Code.MASTER_VALUE_MISSING, row, mf.COL_ROUND, column=mf.COL_ROUND)
            return None
        value = parse_number(raw).value
        if value is not None and value == value.to_integral_value() \
                and int(value) in mf.ROUND_MONTHS:
            return int(value)
        self.add(Code.MASTER_ROUND_INVALID, row, mf.COL_ROUND, value=row.text(mf.COL_ROUND))
        return None

    def round_weight_sums(self, overrides: dict[tuple[str, str, int], RoundOverride],
                          assignments: list[Assignment], first: dict[tuple[str, int], _Row],
                          unsure: set[tuple[str, int]]) -> None:
        """Each office's weights in each round it has rows for sum to 100; an office whose
        year's weights do not (said already) or whose round has a row with a problem (its
        weight unknown) is not judged again."""
        year: dict[str, Decimal] = {}
        for a in assignments:
            year[a.office] = year.get(a.office, Decimal(0)) + a.weight
        for (office, round_months), row in first.items():
            if (office, round_months) in unsure or year.get(office) != 100:
                continue
            mine = (a for a in assignments if a.office == office)
            total = sum((a.weight for a in in_round(mine, overrides, round_months)), Decimal(0))
            if total != 100:
                self.add(Code.MASTER_ROUND_WEIGHT_SUM, row, mf.COL_WEIGHT, office=office,
                         round=round_months, total=format(total.normalize(), "f"))

    def weight_sums(self, weights: dict[str, tuple[Decimal, str]],
                    offices: dict[str, Office]) -> None:
        """Each office's weights sum to 100 (said at its first weight's cell)."""
        for code in offices:
            if code not in weights:
                self.add(Code.MASTER_OFFICE_WITHOUT_KPI, sheet=mf.ASSIGNMENTS_SHEET, office=code)
                continue
            total, cell = weights[code]
            if total != 100:
                self.add(Code.MASTER_WEIGHT_SUM, sheet=mf.ASSIGNMENTS_SHEET, cell=cell,
                         office=code, total=format(total.normalize(), "f"))

    def milestones(self, rows: list[_Row], kpis: dict[str, Kpi], kpi_codes: set[str],
                   kpi_rows: dict[str, _Row]) -> dict[str, dict[int, str]]:
        levels: dict[str, dict[int, str]] = defaultdict(dict)
        seen: dict[tuple[str, int], int] = {}
        for row in rows:
            code = self.required_text(row, mf.COL_KPI)
            level = self.number(row, mf.COL_LEVEL)
            text = self.required_text(row, mf.COL_DESCRIPTION)
            if code and code not in kpi_codes:
                self.add(Code.MASTER_UNKNOWN_KPI, row, mf.COL_KPI, code=code)
                continue
            if level is None or level not in range(1, 6):
                self.add(Code.MASTER_VALUE_INVALID, row, mf.COL_LEVEL,
                         value=row.text(mf.COL_LEVEL), column=mf.COL_LEVEL,
                         expected="ขั้นความสำเร็จเป็นเลขจำนวนเต็ม 1 ถึง 5")
                continue
            if (code, int(level)) in seen:
                self.add(Code.MASTER_DUPLICATE_CODE, row, mf.COL_LEVEL,
                         code=f"{code} ขั้น {int(level)}", other_row=seen[(code, int(level))])
                continue
            seen[(code, int(level))] = row.number
            if code and text:
                levels[code][int(level)] = text
        for code, kpi in kpis.items():
            if kpi.kind.needs_levels:
                absent = [str(n) for n in range(1, 6) if n not in levels.get(code, {})]
                if absent:
                    self.add(Code.MASTER_MILESTONE_LEVELS_MISSING, kpi_rows[code], mf.COL_KPI,
                             kpi=code, levels=", ".join(absent))
        return dict(levels)

    def org_scores(self, rows: list[_Row], kpis: dict[str, Kpi], kpi_codes: set[str],
                   kpi_rows: dict[str, _Row]) -> dict[str, Decimal]:
        scores: dict[str, Decimal] = {}
        for row in self.unique(rows, mf.COL_KPI).values():
            code = row.text(mf.COL_KPI)
            if code not in kpi_codes:
                self.add(Code.MASTER_UNKNOWN_KPI, row, mf.COL_KPI, code=code)
                continue
            score = self.number(row, mf.COL_SCORE)
            if score is None or not Decimal(0) <= score <= 5:
                self.add(Code.MASTER_VALUE_INVALID, row, mf.COL_SCORE, value=row.text(mf.COL_SCORE),
                         column=mf.COL_SCORE, expected="คะแนนองค์กรเป็นตัวเลข 0 ถึง 5")
                continue
            scores[code] = score
        for code, kpi in kpis.items():
            if kpi.kind.needs_org_score and code not in scores:
                self.add(Code.MASTER_ORG_SCORE_MISSING, kpi_rows[code], mf.COL_KPI, kpi=code)
        return scores

    def org_kpis(self, rows: list[_Row], kpis: dict[str, Kpi],
                 kpi_rows: dict[str, _Row]) -> dict[str, OrgKpi]:
        """The organisation KPIs of ``ตัวชี้วัดองค์กร``; when the sheet lists any, every KPI's
        ``ตัวชี้วัดองค์กร`` must be one of them."""
        found = {code: OrgKpi(code, self.required_text(row, mf.COL_ORG_NAME),
                              row.text(mf.COL_UNIT), row.text(mf.COL_TARGET))
                 for code, row in self.unique(rows, mf.COL_ORG_CODE).items()}
        if rows:
            for code, kpi in kpis.items():
                if kpi.org_kpi and kpi.org_kpi not in found:
                    self.add(Code.MASTER_UNKNOWN_ORG_KPI, kpi_rows[code], mf.COL_ORG_KPI,
                             code=kpi.org_kpi)
        return found

    # -- the whole workbook -----------------------------------------------------------------
    def read(self, wb: _Sheets) -> Master | None:
        settings = self.settings(wb)
        tables: dict[str, list[_Row] | None] = {}
        assignment_rows = None          # read as they are checked: 400,000 in a national master
        for sheet in mf.REQUIRED_COLUMNS:
            if sheet == mf.ASSIGNMENTS_SHEET:
                assignment_rows = self.table_rows(wb, sheet)
            else:
                tables[sheet] = self.table(wb, sheet)
        office_rows = tables[mf.OFFICES_SHEET]
        kpi_rows_list = tables[mf.KPIS_SHEET]
        offices = self.offices(office_rows) if office_rows is not None else {}
        kpis, kpi_rows = self.kpis(kpi_rows_list) if kpi_rows_list is not None else ({}, {})
        kpi_codes = set(kpi_rows)
        cards: dict[tuple[str, str], KpiCard] = {}
        assignments, listed = (self.assignments(assignment_rows, offices, kpi_codes, kpis, cards)
                               if assignment_rows is not None and office_rows is not None
                               else ([], {}))
        org_kpi_rows = tables[mf.ORG_KPIS_SHEET]
        org_kpis = (self.org_kpis(org_kpi_rows, kpis, kpi_rows)
                    if org_kpi_rows is not None else {})
        milestone_rows = tables[mf.MILESTONES_SHEET]
        levels = (self.milestones(milestone_rows, kpis, kpi_codes, kpi_rows)
                  if milestone_rows is not None else {})
        score_rows = tables[mf.ORG_SCORES_SHEET]
        scores = (self.org_scores(score_rows, kpis, kpi_codes, kpi_rows)
                  if score_rows is not None else {})
        round_rows = tables[mf.ROUNDS_SHEET]
        overrides = (self.overrides(round_rows, listed, assignments, kpis)
                     if round_rows else {})
        for sheet, rows in ((mf.OFFICES_SHEET, office_rows), (mf.KPIS_SHEET, kpi_rows_list)):
            if rows == []:
                self.add(Code.MASTER_SHEET_EMPTY, sheet=sheet, cell="A2")
        if settings is None or error_count(self.problems):
            return None
        return Master(settings, offices, kpis, assignments, levels, scores, overrides, org_kpis,
                      cards)


def read_master(path: str | Path) -> MasterReport:
    """Read and check a master workbook, collecting every problem.

    Args:
        path: the master ``.xlsx``.

    Returns:
        A :class:`MasterReport`; its ``master`` is None when any problem is an error.
    """
    path = Path(path)
    reader = _Reader(path)
    try:
        data = path.read_bytes()
        workbook = XlsxReader(data, path.name, MASTER_CAPS)
        try:
            master = reader.read(_Sheets(workbook))
        except PiecesFailed:        # a big sheet written unlike any program writes one
            reader = _Reader(path)
            master = reader.read(_Sheets(workbook, pieces=False))
    except OSError as exc:
        reader.add(Code.MASTER_UNREADABLE, reason=exc.strerror or damage_reason(exc))
        return MasterReport(path, None, reader.problems)
    except NotAWorkbook as exc:
        reader.add(Code.MASTER_UNREADABLE, reason=exc.reason)
        return MasterReport(path, None, reader.problems)
    if master is not None:
        master.source, master.source_sha256 = str(path), hashlib.sha256(data).hexdigest()
    return MasterReport(path, master, reader.problems)


def load_master(path: str | Path) -> Master:
    """Read a master workbook that must be valid.

    Raises:
        InvalidMasterError: when the master has errors; its ``problems`` lists them all.
    """
    report = read_master(path)
    if report.master is None:
        raise InvalidMasterError(report.problems)
    return report.master
