"""Reading one returned proposal workbook and checking it against the master (CONTRACT 6).

:func:`read_proposal` never raises: whatever the file holds, it yields one
:class:`ProposalOutcome` with the office's proposed rows and every problem, located.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..harvesting.checked import FileCheck, FileOutcome, Rejected, same, show
from ..harvesting.intake import Archives, Candidate
from ..kinds import BY_LABEL, KpiKind
from ..master import format as mf
from ..master.format import Direction
from ..master.reader import ORDER_WORDS, in_order
from ..model import Master
from ..problems import Code, error_count
from ..values import NumberStatus, clean_text, parse_number
from ..xlsx.cells import column_letter
from ..xlsx.reader import Cell, NotAWorkbook, SheetCells, XlsxReader
from . import checks
from . import layout as P
from .rows import Proposed
from .rows import cells as row_cells
from .workbook import SCHEMA_VERSION, ProposalContext


@dataclass
class ProposalOutcome(FileOutcome):
    """What one file turned out to be, and what its office proposes."""

    rows: list[Proposed] = field(default_factory=list)   # its group-2 rows, as typed
    read: bool = False                                    # the table was read to the end

    @property
    def valid(self) -> bool:
        """Read to the end with no error: its rows can go into the draft master."""
        return self.read and error_count(self.problems) == 0


# what a cascaded KPI's locked row is compared on: what scores it (its texts are not read)
SCORING_FACTS = frozenset({mf.COL_KPI, mf.COL_KPI_NAME, mf.COL_GROUP, mf.COL_UNIT, mf.COL_KIND,
                           mf.COL_DIRECTION, mf.COL_WEIGHT, *mf.COL_LEVELS})


class _Check(FileCheck[ProposalOutcome]):
    """Checks one candidate as a proposal."""

    def __init__(self, candidate: Candidate, master: Master, archives: Archives) -> None:
        super().__init__(candidate, archives, ProposalOutcome(
            candidate.name, "", candidate.size, candidate.modified))
        self.master = master
        self.year = master.settings.fiscal_year
        self.columns = P.columns(self.year)

    def identity(self, meta: dict[str, str]) -> int:
        """Checks ``_meta`` against the master; returns the number of blank rows."""
        if meta.get("kind") != P.META_KIND:
            raise self.reject(Code.PROPOSAL_NOT_OURS)
        office = meta["office"]
        if office not in self.master.offices:
            raise self.reject(Code.PROPOSAL_UNKNOWN_OFFICE, sheet=P.META_SHEET, code=office)
        self.out.office = office
        if meta.get("fiscal_year") != str(self.year):
            raise self.reject(Code.PROPOSAL_WRONG_YEAR, sheet=P.META_SHEET,
                              found=meta.get("fiscal_year", "-"), expected=self.year)
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise self.reject(Code.RETURN_SCHEMA, sheet=P.META_SHEET,
                              found=meta.get("schema_version", "-"), expected=SCHEMA_VERSION)
        named = P.office_in_file_name(self.c.name)
        if named is not None and named != office:
            self.add(Code.RETURN_NAME_MISMATCH, named=named)
        if meta["fingerprint"] != self.master.fingerprint(office):
            raise self.reject(Code.PROPOSAL_STALE, sheet=P.META_SHEET)
        blank = meta.get("blank_rows", "")
        if not blank.isdigit() or int(blank) > P.MAX_BLANK_ROWS:
            raise self.reject(Code.PROPOSAL_NOT_OURS)
        return int(blank)

    def table(self, reader: XlsxReader, blank_rows: int) -> None:
        """Reads the table: locked cells compared with the master, each group-2 row checked."""
        assert self.out.office is not None
        if not any(s.name == P.TABLE_SHEET for s in reader.sheets):
            raise self.reject(Code.PROPOSAL_SHEET_MISSING, sheet_name=P.TABLE_SHEET)
        ctx = ProposalContext.build(self.master, self.out.office, blank_rows)
        cells = self.read(reader, P.TABLE_SHEET, ctx.last_row,
                          P.FIRST_TABLE_COLUMN + len(self.columns) - 1)
        if self.locked(cells, ctx):
            raise Rejected(Code.PROPOSAL_LOCKED_CHANGED)
        names: dict[str, int] = {}
        weights: list[Decimal | None] = []
        for row in range(P.FIRST_ROW, ctx.last_row + 1):
            index = row - P.FIRST_ROW
            held = ctx.rows[index] if index < len(ctx.rows) else None
            if held is not None and held.group != 2:
                weights.append(held.weight)
                self.duplicate(names, held.name, row)
                continue
            proposed = _Row(self, cells, row, held).read()
            if proposed is None:
                continue
            weights.append(proposed.weight)
            self.duplicate(names, proposed.name, row)
            self.out.rows.append(proposed)
        if all(w is not None for w in weights):
            total = sum((w for w in weights if w is not None), Decimal(0))
            if total != 100:
                self.add(Code.PROPOSAL_WEIGHT_SUM, sheet=P.TABLE_SHEET, cell=f"B{P.TOTAL_ROW}",
                         total=format(total.normalize(), "f"))
        self.out.read = True

    def locked(self, cells: SheetCells, ctx: ProposalContext) -> int:
        """Compares the headers and the locked cells that matter with what was written (a
        cascaded KPI's scoring facts, a group-2 row's code, group and shared catalogue, a
        blank row's code and group); each difference is a problem with its cell. Returns how
        many differ."""
        changed = 0
        expected: list[tuple[int, dict[str, object]]] = [
            (P.HEADER_ROW, {c.header: c.header for c in self.columns})]
        for p in ctx.rows:
            values = row_cells(p, self.year)
            expected.append((p.row, {h: v for h, v in values.items()
                                     if not ctx.editable(p, h)
                                     and (p.group == 2 or h in SCORING_FACTS)}))
        expected += [(row, {mf.COL_KPI: "", mf.COL_GROUP: Decimal(2)})
                     for row in range(P.FIRST_ROW + len(ctx.rows), ctx.last_row + 1)]
        numbers = P.numbers(self.year)
        for row, values in expected:
            for header, value in values.items():
                cell = cells.get(row, numbers[header])
                if not same(cell, value):
                    changed += 1
                    self.add(Code.PROPOSAL_LOCKED_CHANGED, sheet=P.TABLE_SHEET,
                             cell=f"{column_letter(numbers[header])}{row}",
                             expected=show(value or None),
                             found=show(cell.value if cell else None))
        return changed

    def duplicate(self, names: dict[str, int], name: str, row: int) -> None:
        """A name seen on a row above is the same KPI proposed twice."""
        key = name.casefold()
        if not key:
            return
        if key in names:
            self.add(Code.PROPOSAL_DUPLICATE_KPI, sheet=P.TABLE_SHEET,
                     cell=f"{P.letters(self.year)[mf.COL_KPI_NAME]}{row}", kpi=name,
                     other_row=names[key])
        else:
            names[key] = row

    def unusable(self) -> None:
        self.out.rows, self.out.read = [], False

    def run(self) -> ProposalOutcome:
        try:
            reader = self.open()
            self.out.saved = reader.saved_time()
            blank_rows = self.identity(self.meta(reader, P.META_SHEET, Code.PROPOSAL_NOT_OURS))
            self.table(reader, blank_rows)
        except Rejected:
            pass
        except NotAWorkbook as exc:
            self.not_a_workbook(exc)
        self.omitted()
        return self.out


class _Row:
    """Reads and checks one editable row of the table."""

    def __init__(self, check: _Check, cells: SheetCells, row: int, held: Proposed | None
                 ) -> None:
        self.check, self.cells, self.row, self.held = check, cells, row, held
        self.letters = P.letters(check.year)
        self.numbers = P.numbers(check.year)
        self.kpi = ""

    def cell(self, header: str) -> Cell | None:
        return self.cells.get(self.row, self.numbers[header])

    def text(self, header: str) -> str:
        cell = self.cell(header)
        if cell is None or cell.value is None:
            return ""
        return show(cell.value) if isinstance(cell.value, float) else clean_text(cell.value)

    def number(self, header: str) -> tuple[Decimal | None, bool]:
        """The cell as a number (a number cell only: text that reads as one is refused, as
        the live check, which counts only numbers, shows it), and whether it is blank."""
        cell = self.cell(header)
        raw = None if cell is None else cell.value if cell.kind in ("n", "s") else object()
        parsed = parse_number(raw)
        if parsed.status is NumberStatus.BLANK:
            return None, True
        return (parsed.value if parsed.status is NumberStatus.OK else None), False

    def add(self, code: Code, header: str, /, **params: object) -> None:
        self.check.add(code, sheet=P.TABLE_SHEET, cell=f"{self.letters[header]}{self.row}",
                       kpi=self.kpi, **params)

    def typed(self) -> bool:
        """Whether anything was typed in the row's editable cells."""
        return any(self.text(c.header) for c in P.columns(self.check.year)
                   if c.editable)

    def read(self) -> Proposed | None:
        """The row as proposed (None for a blank row left empty), its problems added."""
        if self.held is None and not self.typed():
            return None
        name = self.text(mf.COL_KPI_NAME)
        self.kpi = name or f"แถว {self.row}"
        if not name:
            self.check.add(Code.PROPOSAL_NAME_MISSING, sheet=P.TABLE_SHEET,
                           cell=f"{self.letters[mf.COL_KPI_NAME]}{self.row}")
        unit = self.required(mf.COL_UNIT)
        kind = self.kind()
        direction = self.direction() if kind is not None and kind.needs_direction else None
        weight = self.weight()
        criteria = self.criteria(direction) if kind is not None and kind.uses_criteria else None
        level_texts = tuple(self.text(h) for h in P.COL_LEVEL_TEXTS)
        if kind is not None and kind.needs_levels:
            absent = [str(n) for n, t in enumerate(level_texts, start=1) if not t]
            if absent:
                self.add(Code.PROPOSAL_LEVELS_MISSING, P.COL_LEVEL_TEXTS[0],
                         levels=", ".join(absent))
        org = self.text(mf.COL_ORG_KPI)
        if org and self.check.master.org_kpis and org not in self.check.master.org_kpis:
            self.add(Code.PROPOSAL_UNKNOWN_ORG_KPI, mf.COL_ORG_KPI, code=org)
        proposed = Proposed(
            self.row, self.held.code if self.held else "", name, 2, unit, kind, direction,
            weight, self.text(mf.COL_TARGET), criteria, org, self.text(mf.COL_DESCRIPTION),
            self.text(mf.COL_FORMULA), self.text(mf.COL_DATA_REQUIRED), self.text(mf.COL_OWNER),
            self.text(mf.COL_COLLECTOR), self.baseline(),
            (level_texts[0], level_texts[1], level_texts[2], level_texts[3], level_texts[4])
            if kind is not None and kind.needs_levels else ("", "", "", "", ""),
            self.text(P.COL_REASON))
        if kind is not None and kind.uses_criteria:
            self.flags(proposed)
        return proposed

    def required(self, header: str) -> str:
        text = self.text(header)
        if not text:
            self.add(Code.PROPOSAL_VALUE_MISSING, header, column=header)
        return text

    def kind(self) -> KpiKind | None:
        text = self.required(mf.COL_KIND)
        kind = BY_LABEL.get(text)
        if text and (kind is None or kind not in checks.PROPOSABLE):
            self.add(Code.PROPOSAL_VALUE_INVALID, mf.COL_KIND, value=text, column=mf.COL_KIND,
                     expected="เลือก " + ", ".join(k.label for k in checks.PROPOSABLE))
            return None
        return kind

    def direction(self) -> Direction | None:
        text = self.required(mf.COL_DIRECTION)
        if text and text not in mf.DIRECTIONS:
            self.add(Code.PROPOSAL_VALUE_INVALID, mf.COL_DIRECTION, value=text,
                     column=mf.COL_DIRECTION, expected="เลือก มากดี หรือ น้อยดี")
            return None
        return Direction(text) if text else None

    def weight(self) -> Decimal | None:
        value, blank = self.number(mf.COL_WEIGHT)
        if blank:
            self.add(Code.PROPOSAL_VALUE_MISSING, mf.COL_WEIGHT, column=mf.COL_WEIGHT)
            return None
        if value is None or not Decimal(0) < value <= 100:
            self.add(Code.PROPOSAL_VALUE_INVALID, mf.COL_WEIGHT,
                     value=self.text(mf.COL_WEIGHT), column=mf.COL_WEIGHT,
                     expected="น้ำหนักเป็นตัวเลขร้อยละ มากกว่า 0 ไม่เกิน 100")
            return None
        return value

    def criteria(self, direction: Direction | None
                 ) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal] | None:
        values = []
        for header in mf.COL_LEVELS:
            value, _ = self.number(header)
            if value is None:
                self.add(Code.PROPOSAL_CRITERIA_MISSING, header, column=header)
            values.append(value)
        c = tuple(v for v in values if v is not None)
        if len(c) < 5 or direction is None:
            return None
        if not in_order(c, direction):
            self.add(Code.PROPOSAL_CRITERIA_ORDER, mf.COL_LEVELS[0], direction=direction.value,
                     order=ORDER_WORDS[direction],
                     values=" / ".join(format(v.normalize(), "f") for v in c))
            return None
        return (c[0], c[1], c[2], c[3], c[4])

    def baseline(self) -> tuple[tuple[int, Decimal], ...]:
        found = []
        for year in P.baseline_years(self.check.year):
            header = mf.baseline_column(year)
            value, blank = self.number(header)
            if blank or self.text(header) in ("-", "–", "—"):
                continue
            if value is None:
                self.add(Code.PROPOSAL_VALUE_INVALID, header, value=self.text(header),
                         column=header, expected="กรอกผลของปีนั้นเป็นตัวเลข หรือใส่ - ถ้าไม่มีข้อมูล")
                continue
            found.append((year, value))
        return tuple(found)

    def flags(self, p: Proposed) -> None:
        """The soft-target flags: a target that is not the level-3 criterion, and a target
        worse than last year's result; only for numbers typed as numbers, as the live check."""
        target, level3 = self.numeric(mf.COL_TARGET), self.numeric(mf.COL_LEVELS[2])
        if target is None:
            return
        if level3 is not None and target != level3:
            p.flags.append(Code.PROPOSAL_TARGET_NOT_LEVEL3.name)
            self.add(Code.PROPOSAL_TARGET_NOT_LEVEL3, mf.COL_TARGET, target=show(target),
                     level3=show(level3))
        year = P.baseline_years(self.check.year)[-1]
        last = self.numeric(mf.baseline_column(year))
        direction = self.text(mf.COL_DIRECTION)
        if last is not None and ((direction == mf.DIRECTION_HIGHER and target < last)
                                 or (direction == mf.DIRECTION_LOWER and target > last)):
            p.flags.append(Code.PROPOSAL_SOFT_TARGET.name)
            self.add(Code.PROPOSAL_SOFT_TARGET, mf.COL_TARGET, target=show(target),
                     year=year, baseline=show(last), direction=direction)

    def numeric(self, header: str) -> Decimal | None:
        """The cell's value when it is a number cell."""
        cell = self.cell(header)
        if cell is None or cell.kind != "n" or not isinstance(cell.value, float):
            return None
        value, _ = self.number(header)
        return value


def read_proposal(candidate: Candidate, master: Master, archives: Archives | None = None
                  ) -> ProposalOutcome:
    """Read and check one returned proposal; never raises for anything in the file."""
    if archives is None:
        with Archives() as own:
            return read_proposal(candidate, master, own)
    return _Check(candidate, master, archives).checked()

