"""Reading one returned office workbook and checking it against the master (INTAKE.md 1-20).

:func:`read_return` never raises: whatever the file holds, it yields one
:class:`ReturnOutcome` (accepted, incomplete or rejected) with its problems.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import NamedTuple

from ..forms import layout as L
from ..forms.meta import signature_ok
from ..model import TEXT_INPUTS, Assignment, Kpi, Master
from ..problems import Code
from ..proposals.layout import META_KIND as PROPOSAL_KIND
from ..review.layout import META_KIND as REVIEW_KIND
from ..scoring import GroupSubtotal, group_subtotals, total_score, weighted_score
from ..values import NumberStatus, cell_sized, exact_float, parse_number
from ..xlsx.reader import Cell, NotAWorkbook, SheetCells, XlsxReader, name_target, split_ref
from .checked import FileCheck, FileOutcome, Rejected, same, show
from .intake import Archives, Candidate
from .outcomes import KpiOutcome, Status


@dataclass
class ReturnOutcome(FileOutcome):
    """What one file turned out to be, as a return."""

    status: Status = Status.REJECTED
    kpis: list[KpiOutcome] = field(default_factory=list)
    groups: list[GroupSubtotal] = field(default_factory=list)     # of the kpis
    total: Decimal | None = None


class _Check(FileCheck[ReturnOutcome]):
    """Checks one candidate as a return; accumulates problems on its outcome."""

    def __init__(self, candidate: Candidate, master: Master, round_months: int,
                 key: bytes | None, archives: Archives) -> None:
        super().__init__(candidate, archives,
                         ReturnOutcome(candidate.name, "", candidate.size, candidate.modified))
        self.master = master
        self.round_months = round_months
        self.key = key
        self.names_broken = False

    # -- identity ----------------------------------------------------------------------------
    def identity(self, meta: dict[str, str]) -> None:
        office = meta["office"]
        if office not in self.master.offices:
            raise self.reject(Code.RETURN_UNKNOWN_OFFICE, sheet=L.META_SHEET, code=office)
        self.out.office = office
        year = str(self.master.settings.fiscal_year)
        if meta.get("fiscal_year") != year:
            raise self.reject(Code.RETURN_WRONG_YEAR, sheet=L.META_SHEET,
                              found=meta.get("fiscal_year", "-"), expected=year)
        if meta.get("round") != str(self.round_months):
            raise self.reject(Code.RETURN_WRONG_ROUND, sheet=L.META_SHEET,
                              found=meta.get("round", "-"), expected=self.round_months)
        if meta.get("schema_version") != L.SCHEMA_VERSION:
            raise self.reject(Code.RETURN_SCHEMA, sheet=L.META_SHEET,
                              found=meta.get("schema_version", "-"), expected=L.SCHEMA_VERSION)
        named = L.office_in_file_name(self.c.name)
        if named is not None and named != office:
            self.add(Code.RETURN_NAME_MISMATCH, named=named)
        if self.key is not None:
            if not meta.get("signature"):
                raise self.reject(Code.RETURN_SIGNATURE_MISSING, sheet=L.META_SHEET)
            if not signature_ok(self.key, meta):
                raise self.reject(Code.RETURN_SIGNATURE_INVALID, sheet=L.META_SHEET)
        if meta["fingerprint"] != self.master.fingerprint(office, self.round_months):
            raise self.reject(Code.RETURN_STALE, sheet=L.META_SHEET)

    def structure(self, reader: XlsxReader) -> None:
        present = {s.name: s for s in reader.sheets}
        missing = [name for name in L.VISIBLE_SHEETS if name not in present]
        for name in missing:
            self.add(Code.RETURN_SHEET_MISSING, sheet_name=name)
        if missing:
            raise Rejected(Code.RETURN_SHEET_MISSING)
        for sheet in reader.sheets:
            if sheet.name not in L.ALL_SHEETS:
                self.add(Code.RETURN_EXTRA_SHEET, sheet=sheet.name, sheet_name=sheet.name)
            elif sheet.name in L.VISIBLE_SHEETS and sheet.state != "visible":
                self.add(Code.RETURN_HIDDEN, sheet=sheet.name, what=f"ชีต '{sheet.name}'")
        if reader.external_links:
            self.add(Code.RETURN_EXTERNAL_LINKS)

    # -- the report form ---------------------------------------------------------------------
    def report(self, reader: XlsxReader) -> None:
        assert self.out.office is not None
        office, master = self.out.office, self.master
        items = [(a, master.kpis[a.kpi]) for a in master.assignments_for(office, self.round_months)]
        agreed = master.assignments_for(office)       # the year's, on the agreement
        agreement = self.read(reader, L.AGREEMENT_SHEET, L.AGREEMENT_FIRST_KPI_ROW + len(items),
                              L.COLUMN["c5"].index + 1)
        cells = self.read(reader, L.REPORT_SHEET, L.total_row(len(items)), len(L.REPORT_COLUMNS))
        changed = self.locked_values(agreement,
                                     [_locked_expectations(a, kpi)
                                      for a, (_, kpi) in zip(agreed, items, strict=True)],
                                     L.AGREEMENT_SHEET, L.AGREEMENT_FIRST_KPI_ROW,
                                     L.AGREEMENT_TOTAL_LABEL)
        changed += self.locked_values(cells, [_locked_expectations(a, kpi) for a, kpi in items],
                                      L.REPORT_SHEET, L.FIRST_KPI_ROW, L.REPORT_TOTAL_LABEL)
        if changed:
            raise Rejected(Code.RETURN_LOCKED_CHANGED)
        for index, (a, kpi) in enumerate(items):
            self.out.kpis.append(self.kpi(reader, cells, L.kpi_row(index), a, kpi))
        self.texts(reader, cells)
        if self.names_broken:
            self.add(Code.RETURN_NAMES_BROKEN, sheet=L.REPORT_SHEET)

    def locked_values(self, cells: SheetCells, expected: list[tuple[_Locked, ...]], sheet: str,
                      first_row: int, total_label: str) -> int:
        """Compare a KPI table's locked cells (group to criterion 5, the total's label) with the
        master; each difference is a problem with its cell. Returns how many differ."""
        changed = 0
        found = cells.cells
        for row, locked in enumerate(expected, start=first_row):
            for key, column, value, number in locked:
                cell = found.get((row, column))
                if cell is not None and cell.value == (value if number is None else number) \
                        and cell.kind == ("s" if number is None else "n"):
                    continue    # as stored (most cells): what same() would say, sooner
                if not same(cell, value, number):
                    changed += 1
                    self.add(Code.RETURN_LOCKED_CHANGED, sheet=sheet, cell=L.ref(key, row),
                             expected=show(value), found=show(cell.value if cell else None))
        row = first_row + len(expected)
        label = cells.get(row, 1)
        if not same(label, total_label):
            changed += 1
            self.add(Code.RETURN_LOCKED_CHANGED, sheet=sheet, cell=f"A{row}",
                     expected=total_label, found=show(label.value if label else None))
        return changed

    def locate(self, names: dict[str, str], cell: _Input,
               sheets: Collection[str] = (L.REPORT_SHEET,)) -> tuple[str, str, tuple[int, int]]:
        """The cell of a KPI input (its sheet, its reference, and its row and column): by its
        defined name when that leads to one of ``sheets``, else by the known layout."""
        target = name_target(names.get(cell.name, ""))
        if target is None or target[0] not in sheets:
            self.names_broken = True
            return cell.sheet, cell.ref, cell.at
        return target[0], target[1], split_ref(target[1])

    def texts(self, reader: XlsxReader, report: SheetCells) -> None:
        """Every KPI's text inputs, wherever their names lead (the per-KPI report, or the
        report table), each sheet read once."""
        located = []
        for index, outcome in enumerate(self.out.kpis):
            for key, cell in _text_inputs(outcome.kpi, index):
                located.append((outcome.texts, key,
                                self.locate(reader.names, cell, _TEXT_SHEETS)))
        extent: dict[str, tuple[int, int]] = {}
        for _, _, (sheet, _, (row, col)) in located:
            rows, cols = extent.get(sheet, (0, 0))
            extent[sheet] = (max(rows, row), max(cols, col))
        found = {sheet: report if sheet == L.REPORT_SHEET else self.read(reader, sheet, *size)
                 for sheet, size in extent.items()}
        for texts, key, (sheet, _, at) in located:
            texts[key] = _text(found[sheet].cells.get(at))

    def kpi(self, reader: XlsxReader, cells: SheetCells, row: int, a: Assignment,
            kpi: Kpi) -> KpiOutcome:
        outcome = KpiOutcome(kpi.code, kpi.name, kpi.group, kpi.unit, kpi.kind,
                             kpi.direction.value if kpi.direction else None, kpi.org_kpi,
                             a.weight, a.criteria, None, None, None)
        org = self.master.org_scores.get(kpi.code)
        if not a.assessed:          # weight 0 in this round: nothing to read or score
            return outcome
        if kpi.kind.has_result:
            _, ref, at = self.locate(reader.names, _result_input(kpi.code, row))
            outcome.sheet, outcome.cell = L.REPORT_SHEET, ref
            outcome.result = self.result(cells.cells.get(at), kpi, a, ref)
        else:
            outcome.sheet = self.master_sheet_name()
        if kpi.kind.needs_org_score and org is None:
            self.add(Code.RESULT_ORG_SCORE_MISSING, kpi=kpi.code)
        outcome.score = kpi.kind.score(outcome.result, a.criteria, kpi.direction,
                                       self.master.settings.below_level1_score, org,
                                       self.master.settings.places)
        if outcome.score is not None:
            outcome.weighted = weighted_score(outcome.score, a.weight,
                                              self.master.settings.places)
        return outcome

    def master_sheet_name(self) -> str:
        return "ผลองค์กร (ไฟล์ต้นแบบ)"

    def result(self, cell: Cell | None, kpi: Kpi, a: Assignment, ref: str) -> Decimal | None:
        """The result as a number, or None with a problem saying why."""
        where = {"sheet": L.REPORT_SHEET, "cell": ref, "kpi": kpi.code}
        if cell is not None and cell.formula is not None:
            self.add(Code.RESULT_FORMULA, **where)
            return None
        if cell is None or cell.value is None:
            self.add(Code.RESULT_MISSING, **where)
            return None
        if cell.is_error:
            self.add(Code.RESULT_ERROR_VALUE, value=cell.value, **where)
            return None
        parsed = parse_number(cell.value if cell.kind in ("n", "s") else object())
        if parsed.status is NumberStatus.BLANK:
            self.add(Code.RESULT_MISSING, **where)
            return None
        if parsed.status is NumberStatus.ERROR:
            self.add(Code.RESULT_ERROR_VALUE, value=cell.value, **where)
            return None
        if parsed.value is None or (parsed.percent and not kpi.is_percent):
            self.add(Code.RESULT_NOT_NUMBER, value=show(cell.value), **where)
            return None
        value = parsed.value
        if parsed.status is NumberStatus.COERCED:
            self.add(Code.RESULT_NUMBER_AS_TEXT, value=cell.value, number=show(value), **where)
        checked, findings = kpi.kind.check_result(value, kpi.is_percent, a.criteria)
        for code, params in findings:
            self.add(code, sheet=L.REPORT_SHEET, cell=ref, kpi=kpi.code, value=show(value),
                     **params)
        return checked

    # -- the whole file ----------------------------------------------------------------------
    def unusable(self) -> None:
        self.out.status = Status.REJECTED
        self.out.kpis, self.out.groups = [], []

    def run(self) -> ReturnOutcome:
        try:
            self.check()
        except Rejected:
            self.out.status = Status.REJECTED
        except NotAWorkbook as exc:
            self.not_a_workbook(exc)
            self.out.status = Status.REJECTED
        else:
            places = self.master.settings.places
            self.out.total = total_score((k.weighted for k in self.out.kpis if k.assessed), places)
            self.out.groups = group_subtotals(((k.group, k.weight, k.weighted)
                                               for k in self.out.kpis), places)
            self.out.status = Status.ACCEPTED if self.out.total is not None \
                else Status.INCOMPLETE
        self.omitted()
        return self.out

    def check(self) -> None:
        reader = self.open()
        self.out.saved = reader.saved_time()
        self.identity(self.meta(reader, L.META_SHEET, Code.RETURN_NOT_OURS, _OTHER_KINDS))
        self.structure(reader)
        self.report(reader)


def read_return(candidate: Candidate, master: Master, round_months: int,
                key: bytes | None = None, archives: Archives | None = None) -> ReturnOutcome:
    """Read and check one returned workbook; never raises for anything in the file.

    Args:
        candidate: where the file's bytes are, and its name.
        master: the valid master it is checked against.
        round_months: the round being harvested.
        key: the signing key, when one is configured.
        archives: the archives of returns open for a batch (else the file's own is opened
            and closed here).

    Returns:
        The outcome: accepted, incomplete or rejected, with every problem found.
    """
    if archives is None:
        with Archives() as own:
            return read_return(candidate, master, round_months, key, own)
    return _Check(candidate, master, round_months, key, archives).checked()


# the other workbooks the engine makes, refused as returns with a code that says what they are
_OTHER_KINDS = MappingProxyType({PROPOSAL_KIND: Code.RETURN_IS_PROPOSAL,
                                 REVIEW_KIND: Code.RETURN_IS_REVIEW})


class _Locked(NamedTuple):
    """One locked cell of a KPI row: its column, the master's value and, for a number that a
    stored float can show exactly, that float (so most comparisons need no decimal)."""

    key: str
    column: int               # 1-based
    value: object
    number: float | None


_COLUMN_NUMBER = {c.key: c.index + 1 for c in L.REPORT_COLUMNS}


def _locked(key: str, value: object) -> _Locked:
    number = exact_float(value) if isinstance(value, Decimal) else None
    return _Locked(key, _COLUMN_NUMBER[key], value, number)


def _locked_expectations(a: Assignment, kpi: Kpi) -> tuple[_Locked, ...]:
    """The locked cells of ``kpi``'s row for an office held to ``a``."""
    return _expectations(kpi, a.weight, a.criteria)


@functools.lru_cache(maxsize=4096)     # offices share KPIs, weights and often criteria
def _expectations(kpi: Kpi, weight: Decimal,
                  criteria: tuple[Decimal, ...] | None) -> tuple[_Locked, ...]:
    expected: list[tuple[str, object]] = [("group", Decimal(kpi.group)), ("code", kpi.code),
                                          ("name", kpi.name), ("unit", kpi.unit),
                                          ("weight", weight)]
    expected += zip(L.CRITERIA_KEYS, kpi.kind.criteria_cells(criteria) or (), strict=False)
    return tuple(_locked(key, value) for key, value in expected)


class _Input(NamedTuple):
    """One input cell of a KPI: its defined name, and its place by the layout (used when the
    name does not lead to one)."""

    name: str
    sheet: str
    ref: str
    at: tuple[int, int]         # that cell's row and column


_TEXT_SHEETS = (L.KPI_REPORT_SHEET, L.REPORT_SHEET)   # where a text input's name may lead


@functools.lru_cache(maxsize=8192)     # the same KPIs on the same rows, return after return
def _result_input(code: str, row: int) -> _Input:
    """The result input of KPI ``code`` on report row ``row``."""
    ref = L.ref("result", row)
    prefix = L.COLUMN["result"].name_prefix
    assert prefix is not None
    return _Input(L.defined_name(prefix, code), L.REPORT_SHEET, ref, split_ref(ref))


@functools.lru_cache(maxsize=8192)
def _text_inputs(code: str, index: int) -> tuple[tuple[str, _Input], ...]:
    """The text inputs of KPI ``code``, the ``index``-th, by key: on its per-KPI page."""
    return tuple((text.key, _Input(L.defined_name(text.name_prefix, code), L.KPI_REPORT_SHEET,
                                   ref := L.text_ref(index, text), split_ref(ref)))
                 for text in TEXT_INPUTS)


def _text(cell: Cell | None) -> str:
    """A text input as plain text; a formula typed there is kept as the text the user typed."""
    if cell is not None and cell.value is None and cell.formula:
        return cell_sized(f"={cell.formula}")
    if cell is None or cell.value is None:
        return ""
    if isinstance(cell.value, float):
        return show(cell.value)
    return cell_sized(str(cell.value))


