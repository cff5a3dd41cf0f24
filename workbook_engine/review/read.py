"""Reading the committee's filled review workbook and checking it (CONTRACT section 7).

:func:`read_review` never raises: whatever the file holds, it yields one :class:`ReviewOutcome`
with the committee's entries, judged by :mod:`.rules`, and every problem, located. The file is
untrusted as a return is (INTAKE.md 1-8) and is only ever read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from ..harvesting.checked import META_ROWS, FileCheck, FileOutcome, Rejected, same, show
from ..harvesting.intake import Archives, Candidate, collect
from ..master.format import ROUND_MONTHS
from ..model import Assignment, Master
from ..problems import Code, problem
from ..values import clean_text, exact_float, parse_number
from ..xlsx.reader import Cell, NotAWorkbook, XlsxReader
from . import layout as R
from .rules import Judged, Scoring, judge, reason_text

MAX_ROWS = 2_000_000      # more rows than _meta may claim: not a review workbook the engine made
SELF_ASSESSED = ("result", "score", "weighted")


@dataclass
class Entry:
    """One row of the table: whose KPI, the office's self-assessment as the row shows it, and
    the committee's entries judged."""

    office: str
    kpi: str
    row: int
    shown: dict[str, Cell | None]       # the locked cells of SELF_ASSESSED, as read
    judged: Judged
    reason: str


@dataclass
class ReviewOutcome(FileOutcome):
    """What the file turned out to be: its rows, and every office's return digest."""

    shas: dict[str, str] = field(default_factory=dict)     # office -> its return's SHA-256
    entries: list[Entry] = field(default_factory=list)     # every row of a known KPI
    refused: bool = True


class _Check(FileCheck[ReviewOutcome]):
    """Checks one candidate as a review workbook of ``master``'s round ``round_months``."""

    def __init__(self, candidate: Candidate, master: Master, round_months: int,
                 archives: Archives) -> None:
        super().__init__(candidate, archives, ReviewOutcome(
            candidate.name, "", candidate.size, candidate.modified))
        self.master, self.round_months = master, round_months

    def identity(self, meta: dict[str, str]) -> int:
        """Checks ``_meta`` against the master and the round; returns the table's rows."""
        expected = {"fiscal_year": (str(self.master.settings.fiscal_year), "ปีงบประมาณอื่น"),
                    "round": (str(self.round_months), "รอบการรายงานอื่น"),
                    "fingerprint": (R.master_fingerprint(self.master, self.round_months),
                                    "ไฟล์ต้นแบบอื่น (ตัวชี้วัด น้ำหนัก เกณฑ์ หรือการตั้งค่าไม่ตรงกัน)")}
        for key, (value, what) in expected.items():
            if meta.get(key) != value:
                raise self.reject(Code.REVIEW_FOREIGN, sheet=R.META_SHEET, what=what,
                                  found=_short(meta.get(key, "-")), expected=_short(value))
        rows = meta.get("rows", "")
        if meta.get("schema_version") != R.SCHEMA_VERSION or not rows.isdigit() \
                or int(rows) > MAX_ROWS:
            raise self.reject(Code.REVIEW_NOT_OURS, sheet=R.META_SHEET,
                              reason="ข้อมูลกำกับ _meta ไม่ครบหรือเป็นรุ่นอื่น")
        self.out.shas = {key[len(R.SHA_PREFIX):]: value for key, value in meta.items()
                         if key.startswith(R.SHA_PREFIX)}
        return int(rows)

    def table(self, reader: XlsxReader, rows: int) -> None:
        """Reads every row: the locked cells compared with what review-form wrote (the rows of
        the offices in ``_meta``, in order, as the master has them), the committee's entries
        judged. A row inserted, deleted or moved shows as locked cells changed."""
        for name in R.VISIBLE_SHEETS:
            if not any(s.name == name for s in reader.sheets):
                raise self.reject(Code.REVIEW_SHEET_MISSING, sheet_name=name)
        sheet = next(s for s in reader.sheets if s.name == R.TABLE_SHEET)
        cells = _Table(reader.read_rows(sheet, len(R.COLUMNS), _Table.UNSAVED))
        changed = sum(self.locked(cells, R.HEADER_ROW, c.key, c.header) for c in R.COLUMNS)
        expected = self.expected_rows()
        for row, a in enumerate(expected, start=R.FIRST_ROW):
            found = self.locked(cells, row, "office", a.office, a.office) \
                + self.locked(cells, row, "kpi", a.kpi, a.office)
            changed += found or self.identity_cells(cells, row, a)
            if not found:
                self.entry(cells, row, a)
        after = R.FIRST_ROW + len(expected)
        changed += sum(self.locked(cells, row, key, "") for key in ("office", "kpi")
                       for row in range(after, max(after + 1, R.FIRST_ROW + rows)))
        if changed:
            raise Rejected(Code.REVIEW_LOCKED_CHANGED)
        self.out.refused = False

    def expected_rows(self) -> list[Assignment]:
        """The table's rows as review-form wrote them: each office of ``_meta`` in order, its
        KPIs assessed in the round; an office the master does not have is a problem."""
        rows = []
        for office in self.out.shas:
            if office not in self.master.offices:
                self.add_about(office, Code.REVIEW_ROW_UNKNOWN, sheet=R.META_SHEET, kpi="ทุกตัว",
                               why="ไม่มีหน่วยงานนี้ในไฟล์ต้นแบบ")
                continue
            rows += [a for a in self.master.assignments_for(office, self.round_months)
                     if a.assessed]
        return rows

    def locked(self, cells: _Table, row: int, key: str, expected: object,
               office: str | None = None) -> int:
        """1 (and the problem, about ``office``) when the locked cell of column ``key`` on
        ``row`` does not show ``expected``, else 0."""
        if cells.shows(row, R.NUMBER[key], expected):
            return 0
        cell = cells.get(row, R.NUMBER[key])
        self.add_about(office, Code.REVIEW_LOCKED_CHANGED, sheet=R.TABLE_SHEET,
                       cell=f"{R.LETTER[key]}{row}", expected=show(expected or None),
                       found=show(cell.value if cell else None))
        return 1

    def identity_cells(self, cells: _Table, row: int, a: Assignment) -> int:
        """The row's office and KPI as the master has them: names, weight, unit, kind,
        direction and criteria in the round."""
        kpi = self.master.kpis[a.kpi]
        expected: dict[str, object] = {
            "office_name": self.master.offices[a.office].name, "name": kpi.name,
            "weight": a.weight, "unit": kpi.unit, "kind": kpi.kind.label,
            "direction": kpi.direction.value if kpi.direction else "",
            **dict(zip(("c1", "c2", "c3", "c4", "c5"), a.criteria or ("",) * 5, strict=True))}
        return sum(self.locked(cells, row, key, value, a.office)
                   for key, value in expected.items())

    def entry(self, cells: _Table, row: int, a: Assignment) -> None:
        """The row's entries, judged; a broken rule is a problem at the cell concerned."""
        inputs = {key: cells.get(row, R.NUMBER[key]) for key in R.INPUT_KEYS}
        judged = judge(Scoring.assigned(self.master, a), inputs["verified_result"],
                       inputs["given_score"], inputs["reason"])
        shown = {key: cells.get(row, R.NUMBER[key]) for key in SELF_ASSESSED}
        self.out.entries.append(Entry(a.office, a.kpi, row, shown, judged,
                                      reason_text(inputs["reason"])))
        if judged.doubt:
            self.add_about(a.office, Code.REVIEW_RESULT_DOUBTFUL, sheet=R.TABLE_SHEET,
                           cell=f"{R.LETTER['verified_result']}{row}", kpi=a.kpi,
                           value=_typed(inputs["verified_result"]), why=judged.doubt)
        if judged.problem is None:
            return
        column = {Code.REVIEW_SCORE_INVALID: "given_score",
                  Code.REVIEW_RESULT_INVALID: "verified_result"}.get(judged.problem, "reason")
        self.add_about(a.office, judged.problem, sheet=R.TABLE_SHEET,
                       cell=f"{R.LETTER[column]}{row}", kpi=a.kpi,
                       value=_typed(inputs.get(column)), why=judged.why or "ไม่ใช่ตัวเลข")

    def unusable(self) -> None:
        self.out.entries, self.out.refused = [], True

    def run(self) -> ReviewOutcome:
        try:
            reader = self.open()
            self.out.saved = reader.saved_time()
            meta = self.meta(reader, R.META_SHEET, Code.REVIEW_NOT_OURS, required=(),
                             rows=META_ROWS + len(self.master.offices),
                             reason="ไม่พบข้อมูลกำกับ _meta")
            kind = meta.get("kind")
            if kind != R.META_KIND:
                raise self.reject(Code.REVIEW_NOT_OURS, sheet=R.META_SHEET, reason=(
                    f"เป็นไฟล์ชนิด '{kind}'" if kind else
                    f"เป็นแบบรายงานผลของหน่วยงาน {meta['office']}" if meta.get("office")
                    else "ไม่มีข้อมูลกำกับของแบบตรวจประเมิน"))
            self.table(reader, self.identity(meta))
        except Rejected:
            pass
        except NotAWorkbook as exc:
            self.not_a_workbook(exc)
        if self.out.refused:
            self.out.entries = []
        self.omitted()
        return self.out


class _Table:
    """A sheet's rows of values (:meth:`XlsxReader.read_rows`: a big table read at once, in C
    when it can be), asked for cells as :class:`SheetCells` is."""

    KINDS: ClassVar[dict[type, str]] = {float: "n", bool: "b"}   # else text (errors too)
    UNSAVED: ClassVar[object] = object()      # a formula saved without its value

    def __init__(self, rows: list[tuple[object, ...]]) -> None:
        self.rows = rows

    def shows(self, row: int, col: int, expected: object) -> bool:
        """Whether the cell at ``row`` and ``col`` shows ``expected`` (as :func:`same` judges
        it); a cell holding it as written is told without making a :class:`Cell`."""
        values = self.rows[row - 1] if row <= len(self.rows) else ()
        value = values[col - 1] if col <= len(values) else None
        if type(expected) is Decimal:
            number = exact_float(expected)
            if type(value) is float and value == number:
                return True
            return same(self.get(row, col), expected, number)
        if type(value) is str and value == expected and not value[-1:].isspace() \
                and not value[:1].isspace():
            return True
        return same(self.get(row, col), expected)

    def get(self, row: int, col: int) -> Cell | None:
        """The cell at 1-based ``row`` and ``col``, or None when it is empty or absent."""
        values = self.rows[row - 1] if row <= len(self.rows) else ()
        value = values[col - 1] if col <= len(values) else None
        if value is self.UNSAVED:
            return Cell(None, "n", "")       # a formula, but not what it computed
        return None if value is None else Cell(value, self.KINDS.get(type(value), "s"), None)


def _typed(cell: Cell | None) -> str:
    """A committee's input as a message quotes it; text is said to be text."""
    if cell is None or cell.value is None:
        return "สูตรที่บันทึกโดยไม่มีค่า" if cell is not None and cell.formula is not None \
            else show(None)
    as_text = cell.kind == "s" and parse_number(cell.value).value is not None
    return f"{show(cell.value)} (พิมพ์เป็นข้อความ)" if as_text else show(cell.value)


def _text(cell: Cell | None) -> str:
    return "" if cell is None or cell.value is None else clean_text(cell.value)


def _short(value: str) -> str:
    """A fingerprint cut to what a person compares; other values whole."""
    return value[:12] + "…" if len(value) == 64 else value


def read_review(path: Path, master: Master, round_months: int) -> ReviewOutcome:
    """Read and check the review workbook at ``path``; never raises for anything in the file.

    Raises:
        ValueError: for a round that is not 6, 9 or 12.
    """
    if round_months not in ROUND_MONTHS:
        raise ValueError(f"round must be one of {ROUND_MONTHS}, got {round_months}")
    candidates, problems = collect([path])
    if len(candidates) != 1:
        out = ReviewOutcome(str(path), "", 0, None, problems=problems)
        if not any(p.is_error for p in problems):     # a lock file is only skipped, say
            out.problems.append(problem(Code.REVIEW_NOT_OURS, file=str(path),
                                        reason=f"พบแบบตรวจประเมิน {len(candidates)} ไฟล์ "
                                               "ต้องเป็นไฟล์เดียว"))
        return out
    with Archives() as archives:
        check = _Check(candidates[0], master, round_months, archives)
        check.out.problems.extend(problems)
        return check.checked()
