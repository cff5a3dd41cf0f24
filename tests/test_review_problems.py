"""Every problem of the committee's verification (issue #17), each from a review workbook built
at test time.

The shipped sample returns are harvested against the shipped master once per module and a
review workbook is written from that harvest (``ReviewWriter``); each test copies the review and
types into it as the committee would (:func:`fill_review`), or edits it as a user who removed
the protection would (openpyxl, :mod:`tests.hostile_files`), then applies it to a fresh copy of
the harvest (``harvest_review``) or runs the command line. Each problem is checked for its code,
severity, file, sheet and exact cell, its office, and a Thai message that says where and what
to do; a refused review must apply nothing at all, a refused row nothing of that row. The
hostile files of harvest (INTAKE.md 1-8) are given as the review, and must give the codes
harvest gives, never stop the harvest, and never change an input. The last tests read this
file to make sure every ``REVIEW_*`` code of the catalogue (and ``RETURN_IS_REVIEW``) is
asserted here.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

from workbook_engine.cli.commands import cli
from workbook_engine.devkit.review import fill_review, review_rows
from workbook_engine.devkit.testing import fill_return
from workbook_engine.harvesting.intake import OLE2_MAGIC
from workbook_engine.harvesting.outcomes import HarvestReport, KpiOutcome, OfficeOutcome, Status
from workbook_engine.harvesting.run import harvest
from workbook_engine.master.reader import load_master
from workbook_engine.master.writer import write_master
from workbook_engine.model import Master
from workbook_engine.problems import CATALOGUE, Code, Problem, Severity
from workbook_engine.proposals import layout as P
from workbook_engine.proposals.propose import propose
from workbook_engine.review import layout as R
from workbook_engine.review.apply import apply_review, harvest_review
from workbook_engine.review.read import read_review
from workbook_engine.review.workbook import ReviewWriter

from . import hostile_files as H
from .located import ANY, LockedCase, codes_used, digest, digests, errors, expect, expect_calls

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_MASTER = ROOT / "templates" / "master.xlsx"
SAMPLES = ROOT / "samples"
YEAR, ROUND = 2569, 12
TABLE, META, TOTALS, GUIDE = R.TABLE_SHEET, R.META_SHEET, R.TOTALS_SHEET, R.GUIDE_SHEET
E, W = Severity.ERROR, Severity.WARNING
RETURNED = [f"B{n:02d}" for n in range(1, 13)]      # B13 sends nothing
ROWS_IN_TABLE = 132                  # 12 offices x 11 KPIs assessed in round 12
LAST_ROW = R.FIRST_ROW + ROWS_IN_TABLE - 1
# the table rows the cases below name by their literal cells (checked by the first test)
ROW = {("B01", "1.1"): 4, ("B01", "1.2"): 5, ("B01", "2.1"): 6, ("B01", "2.2"): 7,
       ("B01", "3.1"): 9, ("B01", "3.6"): 14, ("B02", "2.4"): 17, ("B03", "2.7"): 28,
       ("B03", "2.8"): 29, ("B03", "3.2"): 32, ("B07", "2.19"): 72, ("B12", "3.6"): LAST_ROW}

Entries = Mapping[tuple[str, str], Mapping[str, object]]
REASON = "ตรวจหลักฐานแล้ว ผลจริงต่ำกว่าที่รายงาน"
# two valid entries on B01 (accepted): a verified result of a มากดี percentage KPI (weight 15,
# criteria 70..90: 82.5 scores 3.5) and a score given directly (weight 10) whose rounding
# tells half-up from half-even twice: 4.12245 -> 4.1225, x 10 / 100 = 0.41225 -> 0.4123
GOOD: Entries = {("B01", "2.1"): {"verified_result": 82.5, "reason": REASON},
                 ("B01", "3.1"): {"given_score": 4.12245, "reason": "หักคะแนนเพราะส่งหลักฐานช้า"}}
GOOD_SCORES = {"2.1": Decimal("3.5"), "3.1": Decimal("4.1225")}


# -- the module's workbooks ----------------------------------------------------------------------

@dataclass(frozen=True)
class World:
    """The shipped master, copies of the shipped returns, their harvest and its review
    workbook (blank), and a proposal workbook (not a review)."""

    root: Path
    master: Master
    returns: Path
    report: HarvestReport
    review: Path
    proposal: Path
    good: bytes          # the review with GOOD typed in (filled once: openpyxl is slow)

    def fresh(self) -> HarvestReport:
        """The harvest, copied: applying a review changes the report it is applied to."""
        return copy.deepcopy(self.report)

    def fill(self, target: Path, entries: Entries = GOOD, *changes: H.Change) -> Path:
        """The review with ``entries`` typed in, then ``changes`` made with the protection
        removed, saved at ``target``."""
        target.parent.mkdir(parents=True, exist_ok=True)
        if entries is GOOD:
            target.write_bytes(self.good)
        else:
            fill_review(self.review, target, entries)
        if changes:
            target.write_bytes(H.edit(target.read_bytes(), *changes))
        return target

    def applied(self, path: Path, report: HarvestReport | None = None,
                master: Master | None = None) -> tuple[HarvestReport, list[Problem]]:
        """``path`` applied to ``report`` (a fresh copy of the harvest by default): the report
        and the problems the review added; the review file is only read."""
        report = self.fresh() if report is None else report
        before = len(report.problems)
        stamp = digest(path)
        harvest_review(report, path, self.master if master is None else master)
        assert digest(path) == stamp, "harvest --review changed the review file"
        return report, report.problems[before:]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("review")
    master = load_master(SHIPPED_MASTER)
    returns = root / "returns"
    returns.mkdir()
    for sample in sorted(SAMPLES.glob("*.xlsx")):
        shutil.copy2(sample, returns / sample.name)
    report = harvest(sorted(returns.glob("*.xlsx")), master, ROUND, jobs=1)
    review = root / "form" / R.file_name(YEAR, ROUND)
    review.parent.mkdir()
    assert ReviewWriter(review).write(report, master) == ROWS_IN_TABLE
    propose(master, root / "proposals", offices=["B01"], jobs=1)
    good = fill_review(review, root / "good.xlsx", GOOD).read_bytes()
    return World(root, master, returns, report, review,
                 root / "proposals" / P.file_name(YEAR, "B01"), good)


# -- reading and checking ------------------------------------------------------------------------











def office_of(report: HarvestReport, code: str) -> OfficeOutcome:
    return next(o for o in report.offices if o.office == code)


def kpi_of(office: OfficeOutcome, code: str) -> KpiOutcome:
    return next(k for k in office.kpis if k.kpi == code)


def half_up(value: Decimal, places: int = 4) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def expected_total(office: OfficeOutcome, committee: Mapping[str, Decimal]) -> Decimal:
    """The office's weighted scores with the committee's scores replacing those KPIs' (each
    weighted and rounded half-up), summed and rounded half-up: computed here, not by the
    engine."""
    parts = []
    for k in office.kpis:
        if k.kpi in committee:
            parts.append(half_up(committee[k.kpi] * k.weight / 100))
        else:
            assert k.weighted is not None
            parts.append(k.weighted)
    return half_up(sum(parts, Decimal(0)))


def nothing_applied(report: HarvestReport) -> None:
    """The whole review was refused: no office, no KPI carries anything of it."""
    assert report.review is not None and not report.review.applied
    assert report.review.entries == 0 and report.review.offices == 0
    assert report.files[-1].outcome == "review_refused"
    for o in report.offices:
        assert o.verified_total is None and not o.reviewed, o.office
        assert all(k.review is None for k in o.kpis), o.office
        assert o.used_total == o.total_score
        assert o.as_json()["verified_total_score"] is None


def good_applied(report: HarvestReport, base: HarvestReport, stale: str = "") -> None:
    """GOOD's two rows applied to B01, and every other accepted office's total unchanged
    (but ``stale``'s, which has none)."""
    assert report.review is not None and report.review.applied
    b01 = office_of(report, "B01")
    for kpi, score in GOOD_SCORES.items():
        review = kpi_of(b01, kpi).review
        assert review is not None and review.score == score and review.row == ROW[("B01", kpi)]
    assert b01.verified_total == expected_total(office_of(base, "B01"), GOOD_SCORES)
    for o in report.offices[1:]:
        if o.office != stale:
            assert o.verified_total == (o.total_score if o.status is Status.ACCEPTED
                                        else None), o.office


# -- the layout the cells below are given in -----------------------------------------------------

def test_the_cells_named_here_are_the_reviews_cells(world: World) -> None:
    """The literal rows and columns of the cases are where the written review has them, and
    the inherited KPI's verified-result cell is locked where a quantitative one is not."""
    rows = review_rows(world.review)
    assert len(rows) == ROWS_IN_TABLE
    assert {key: rows[key] for key in ROW} == ROW
    assert (R.LETTER["office"], R.LETTER["office_name"], R.LETTER["kpi"], R.LETTER["name"],
            R.LETTER["weight"], R.LETTER["result"], R.LETTER["score"],
            R.LETTER["weighted"]) == tuple("ABCDEFGH")
    assert (R.LETTER["verified_result"], R.LETTER["given_score"],
            R.LETTER["reason"]) == ("I", "J", "K")
    wb = openpyxl.load_workbook(world.review)
    ws = wb[TABLE]
    assert [ws.cell(R.HEADER_ROW, n).value for n in range(1, 12)] == \
        [c.header for c in R.COLUMNS[:11]]
    assert ws.protection.sheet
    assert ws["I4"].protection.locked and ws["E6"].protection.locked
    assert not ws["I6"].protection.locked and not ws["J4"].protection.locked
    assert not ws["K4"].protection.locked
    assert wb[META].sheet_state == "veryHidden"
    assert {ws.title for ws in wb.worksheets} >= {TABLE, TOTALS, GUIDE, META}
    wb.close()


def test_a_blank_review_applies_and_changes_nothing(world: World, tmp_path: Path) -> None:
    """The baseline every case departs from: no problem, every covered office reviewed with
    its own total."""
    report, new = world.applied(world.review)
    assert new == []
    assert report.review is not None and report.review.applied
    assert report.review.entries == 0 and report.review.offices == len(RETURNED)
    assert report.files[-1].outcome == "review"
    for o in report.offices:
        assert o.reviewed is (o.office in RETURNED)
        assert o.verified_total == (o.total_score if o.status is Status.ACCEPTED else None)
        assert all(k.review is None for k in o.kpis)


def test_good_entries_apply(world: World, tmp_path: Path) -> None:
    path = world.fill(tmp_path / "review.xlsx")
    report, new = world.applied(path)
    assert new == []
    good_applied(report, world.report)
    b01 = office_of(report, "B01")
    verified = kpi_of(b01, "2.1").review
    given = kpi_of(b01, "3.1").review
    assert verified is not None and given is not None
    assert (verified.result, verified.given, verified.weighted, verified.reason) == \
        (Decimal("82.5"), None, Decimal("0.5250"), REASON)
    assert (given.result, given.given, given.score, given.weighted) == \
        (None, Decimal("4.12245"), Decimal("4.1225"), Decimal("0.4123"))
    assert b01.verified_total == expected_total(b01, GOOD_SCORES) != b01.total_score
    assert report.review is not None and report.review.entries == 2
    kpis = {k["kpi"]: k for k in b01.as_json()["kpis"]}
    assert kpis["2.1"]["verified_result"] == pytest.approx(82.5)
    assert kpis["2.1"]["verified_score"] == pytest.approx(3.5)
    assert kpis["2.1"]["review_reason"] == REASON
    assert kpis["2.2"]["verified_score"] is None and kpis["2.2"]["review_reason"] is None
    assert b01.as_json()["verified_total_score"] == pytest.approx(float(b01.verified_total or 0))


def test_a_percentage_typed_with_its_sign_is_applied_and_told(world: World,
                                                              tmp_path: Path) -> None:
    """78.2% typed into a verified result is stored as 0.782: a real number the KPI's rules
    score (below level 1), so it is applied, with a warning that says what it looks like."""
    path = world.fill(tmp_path / "review.xlsx", _one("B01", "2.1", verified_result=0.782,
                                                     reason=REASON))
    report, new = world.applied(path)
    expect(new, Code.REVIEW_RESULT_DOUBTFUL, W, path, TABLE, "I6", "B01",
           ("0.782", "เปอร์เซ็นต์", "78.2%"))
    assert errors(new) == []
    review = kpi_of(office_of(report, "B01"), "2.1").review
    assert review is not None and review.score == Decimal(1)


# -- one row's entries: every rule, alone ---------------------------------------------------------

@dataclass(frozen=True)
class RowCase:
    """The review with ``entries`` typed in (and ``changes`` made to locked cells); the one
    problem expected, on the row of ``row``."""

    code: Code
    cell: str
    row: tuple[str, str]
    entries: Entries
    changes: tuple[H.Change, ...] = ()
    says: tuple[str, ...] = ()


def _one(office: str, kpi: str, **values: object) -> Entries:
    return {(office, kpi): values}


ROW_CASES: dict[str, RowCase] = {
    "a given score of 7": RowCase(
        Code.REVIEW_SCORE_INVALID, "J6", ("B01", "2.1"),
        _one("B01", "2.1", given_score=7, reason=REASON), says=("'7'", "ต้องเป็นตัวเลข 0 ถึง 5")),
    "a given score of -1": RowCase(
        Code.REVIEW_SCORE_INVALID, "J6", ("B01", "2.1"),
        _one("B01", "2.1", given_score=-1, reason=REASON), says=("'-1'",)),
    "a given score just over 5": RowCase(
        Code.REVIEW_SCORE_INVALID, "J7", ("B01", "2.2"),
        _one("B01", "2.2", given_score=5.0001, reason=REASON), says=("'5.0001'",)),
    "a given score typed as the text 4.5": RowCase(
        Code.REVIEW_SCORE_INVALID, "J6", ("B01", "2.1"),
        _one("B01", "2.1", given_score="4.5", reason=REASON),
        says=("'4.5 (พิมพ์เป็นข้อความ)'",)),
    "a given score typed as words": RowCase(
        Code.REVIEW_SCORE_INVALID, "J4", ("B01", "1.1"),
        _one("B01", "1.1", given_score="สี่", reason=REASON), says=("'สี่'",)),
    "a given score without a reason is told as the bad score": RowCase(
        Code.REVIEW_SCORE_INVALID, "J6", ("B01", "2.1"), _one("B01", "2.1", given_score=9)),
    "a verified result that is not a number": RowCase(
        Code.REVIEW_RESULT_INVALID, "I6", ("B01", "2.1"),
        _one("B01", "2.1", verified_result="ประมาณ 80", reason=REASON),
        says=("'ประมาณ 80'", "ไม่ใช่ตัวเลข")),
    "a verified result typed as the text 85": RowCase(
        Code.REVIEW_RESULT_INVALID, "I6", ("B01", "2.1"),
        _one("B01", "2.1", verified_result="85", reason=REASON),
        says=("'85 (พิมพ์เป็นข้อความ)'", "ไม่ใช่ตัวเลข")),
    "a milestone verified as 70": RowCase(
        Code.REVIEW_RESULT_INVALID, "I5", ("B01", "1.2"),
        _one("B01", "1.2", verified_result=70, reason=REASON),
        says=("'70'", "ระดับความสำเร็จต้องเป็นจำนวนเต็ม 0 ถึง 5")),
    "a milestone verified as 3.5": RowCase(
        Code.REVIEW_RESULT_INVALID, "I5", ("B01", "1.2"),
        _one("B01", "1.2", verified_result=3.5, reason=REASON),
        says=("'3.5'", "ระดับความสำเร็จต้องเป็นจำนวนเต็ม 0 ถึง 5")),
    "a negative percentage": RowCase(
        Code.REVIEW_RESULT_INVALID, "I6", ("B01", "2.1"),
        _one("B01", "2.1", verified_result=-5, reason=REASON), says=("'-5'", "ร้อยละติดลบไม่ได้")),
    "a verified result on an inherited KPI (its cell is locked)": RowCase(
        Code.REVIEW_RESULT_INVALID, "I4", ("B01", "1.1"), _one("B01", "1.1", reason=REASON),
        (H.set_cell(TABLE, "I4", 4),), ("'4'", "ตัวชี้วัดนี้ไม่มีผลให้กรอก ให้คะแนนโดยตรงแทน")),
    "a given score without a reason": RowCase(
        Code.REVIEW_REASON_MISSING, "K6", ("B01", "2.1"), _one("B01", "2.1", given_score=4),
        says=("ไม่ได้ระบุเหตุผล",)),
    "a verified result without a reason": RowCase(
        Code.REVIEW_REASON_MISSING, "K7", ("B01", "2.2"), _one("B01", "2.2", verified_result=12),
        says=("ไม่ได้ระบุเหตุผล",)),
    "a reason of only spaces": RowCase(
        Code.REVIEW_REASON_MISSING, "K6", ("B01", "2.1"),
        _one("B01", "2.1", verified_result=85, reason="    ")),
    "a milestone verified without a reason": RowCase(
        Code.REVIEW_REASON_MISSING, "K5", ("B01", "1.2"), _one("B01", "1.2", verified_result=4,
                                                               reason="")),
}


@pytest.mark.parametrize("case", ROW_CASES.values(), ids=ROW_CASES.keys())
def test_row_problem(case: RowCase, world: World, tmp_path: Path) -> None:
    """One mistake on a row: its problem at its cell and no other error; the review is applied
    but that row is not (the office keeps its own score and total)."""
    path = world.fill(tmp_path / "review.xlsx", case.entries, *case.changes)
    report, new = world.applied(path)
    office, kpi = case.row
    expect(new, case.code, E, path, TABLE, case.cell, office,
           (f"ตัวชี้วัด {kpi}", f"หน่วยงาน {office}", *case.says))
    assert errors(new) == [(case.code.name, case.cell)]
    assert int(case.cell[1:]) == ROW[case.row]
    assert report.review is not None and report.review.applied and report.review.entries == 0
    o = office_of(report, office)
    assert kpi_of(o, kpi).review is None
    assert o.reviewed and o.verified_total == o.total_score is not None


def test_bad_rows_never_stop_the_good_ones(world: World, tmp_path: Path) -> None:
    """Several bad rows on two offices beside GOOD's two: each bad row told at its cell and
    not applied, the good ones applied, B01's total computed here from its weighted scores."""
    entries: dict[tuple[str, str], Mapping[str, object]] = {
        **GOOD,
        ("B01", "2.2"): {"given_score": 7, "reason": REASON},
        ("B01", "1.2"): {"verified_result": 3.5, "reason": REASON},
        ("B03", "2.7"): {"verified_result": "ไม่ทราบ", "reason": REASON},
        ("B03", "3.2"): {"given_score": 2},
        ("B12", "3.6"): {"given_score": "4.5", "reason": REASON},
    }
    path = world.fill(tmp_path / "review.xlsx", entries)
    report, new = world.applied(path)
    assert errors(new) == sorted([("REVIEW_SCORE_INVALID", "J7"), ("REVIEW_RESULT_INVALID", "I5"),
                                  ("REVIEW_RESULT_INVALID", "I28"),
                                  ("REVIEW_REASON_MISSING", "K32"),
                                  ("REVIEW_SCORE_INVALID", f"J{LAST_ROW}")])
    expect(new, Code.REVIEW_REASON_MISSING, E, path, TABLE, "K32", "B03")
    good_applied(report, world.report)
    b01, b03 = office_of(report, "B01"), office_of(report, "B03")
    assert [k.kpi for k in b01.kpis if k.review is not None] == ["2.1", "3.1"]
    assert all(k.review is None for k in b03.kpis)
    assert b03.verified_total == b03.total_score
    assert report.review is not None and report.review.entries == 2


def test_a_given_score_wins_over_the_verified_result(world: World, tmp_path: Path) -> None:
    """Both typed: the score given is used; a scoreable verified result is kept beside it, one
    that cannot be scored is dropped (the row still applies)."""
    path = world.fill(tmp_path / "review.xlsx", {
        ("B03", "2.8"): {"verified_result": 12, "given_score": 2.5, "reason": REASON},
        ("B03", "2.7"): {"verified_result": "ไม่ทราบ", "given_score": 0, "reason": REASON}})
    report, new = world.applied(path)
    assert new == []
    b03 = office_of(report, "B03")
    r28, r27 = kpi_of(b03, "2.8").review, kpi_of(b03, "2.7").review
    assert r28 is not None and r27 is not None
    assert (r28.result, r28.given, r28.score, r28.weighted) == \
        (Decimal(12), Decimal("2.5"), Decimal("2.5000"), Decimal("0.2500"))
    assert (r27.result, r27.given, r27.score, r27.weighted) == \
        (None, Decimal(0), Decimal("0.0000"), Decimal("0.0000"))
    assert b03.verified_total == expected_total(office_of(world.report, "B03"),
                                                {"2.8": Decimal("2.5"), "2.7": Decimal(0)})


def test_an_incomplete_office_gets_the_entry_but_no_total(world: World, tmp_path: Path) -> None:
    """B07 left 2.19 blank: the committee's verified result is kept on the KPI, and the office
    still has no total (CONTRACT 7: null unless the office is accepted)."""
    path = world.fill(tmp_path / "review.xlsx", _one("B07", "2.19", verified_result=90,
                                                     reason=REASON))
    report, new = world.applied(path)
    assert new == []
    b07 = office_of(report, "B07")
    review = kpi_of(b07, "2.19").review
    assert review is not None and review.score == Decimal("3.0000") and review.row == 72
    assert b07.status is Status.INCOMPLETE and b07.reviewed
    assert b07.verified_total is None and b07.as_json()["verified_total_score"] is None


def test_a_formula_with_its_value_counts_as_the_value(world: World, tmp_path: Path) -> None:
    """``=4-0.2`` typed as the given score and saved with its value (as Excel does) is 3.8."""
    path = world.fill(tmp_path / "review.xlsx", _one("B01", "2.1", reason=REASON))
    path.write_bytes(H.cell_xml(path.read_bytes(), "J6", b'<c r="J6"><f>4-0.2</f><v>3.8</v></c>',
                                TABLE))
    report, new = world.applied(path)
    assert new == []
    review = kpi_of(office_of(report, "B01"), "2.1").review
    assert review is not None and review.given == Decimal("3.8")


def test_a_formula_without_its_value_is_not_silently_dropped(world: World,
                                                             tmp_path: Path) -> None:
    """As a program that keeps no cached values saves it (INTAKE 20): the row cannot be used,
    and the committee must be told so (as a return's RESULT_FORMULA tells the office)."""
    path = world.fill(tmp_path / "review.xlsx", _one("B01", "2.1", given_score="=4-0.2",
                                                     reason=REASON))
    report, new = world.applied(path)
    expect(new, Code.REVIEW_SCORE_INVALID, E, path, TABLE, "J6", "B01",
           ("สูตรที่บันทึกโดยไม่มีค่า",))
    assert [p.cell for p in new if p.is_error] == ["J6"]
    assert kpi_of(office_of(report, "B01"), "2.1").review is None


# -- the review's identity ------------------------------------------------------------------------

@dataclass(frozen=True)
class IdentityCase:
    changes: tuple[H.Change, ...]
    code: Code
    sheet: str | None
    says: tuple[str, ...] = ()


IDENTITY_CASES: dict[str, IdentityCase] = {
    "no _meta sheet": IdentityCase((H.remove_sheet(META),), Code.REVIEW_NOT_OURS, None,
                                   ("ไม่พบข้อมูลกำกับ _meta",)),
    "_meta of another kind of workbook": IdentityCase(
        (H.set_meta("kind", "return"),), Code.REVIEW_NOT_OURS, META, ("เป็นไฟล์ชนิด 'return'",)),
    "_meta without its kind": IdentityCase((H.drop_meta_key("kind"),), Code.REVIEW_NOT_OURS,
                                           META, ("ไม่มีข้อมูลกำกับของแบบตรวจประเมิน",)),
    "_meta of another schema version": IdentityCase(
        (H.set_meta("schema_version", "9"),), Code.REVIEW_NOT_OURS, META, ("รุ่นอื่น",)),
    "_meta claiming too many rows": IdentityCase(
        (H.set_meta("rows", "99999999"),), Code.REVIEW_NOT_OURS, META),
    "_meta rows that are not a number": IdentityCase(
        (H.set_meta("rows", "สิบ"),), Code.REVIEW_NOT_OURS, META),
    "fiscal year 2568": IdentityCase(
        (H.set_meta("fiscal_year", "2568"),), Code.REVIEW_FOREIGN, META,
        ("ปีงบประมาณอื่น (2568)", "(2569)")),
    "round 6 in _meta": IdentityCase(
        (H.set_meta("round", "6"),), Code.REVIEW_FOREIGN, META, ("รอบการรายงานอื่น (6)", "(12)")),
    "fingerprint edited": IdentityCase(
        (H.set_meta("fingerprint", "0" * 64),), Code.REVIEW_FOREIGN, META,
        ("ไฟล์ต้นแบบอื่น", "(000000000000…)")),
    "the table sheet renamed": IdentityCase(
        (H.rename_sheet(TABLE, "ผลการตรวจ (2)"),), Code.REVIEW_SHEET_MISSING, None,
        (f"'{TABLE}'",)),
    "the totals sheet deleted": IdentityCase(
        (H.remove_sheet(TOTALS),), Code.REVIEW_SHEET_MISSING, None, (f"'{TOTALS}'",)),
    "the guide sheet deleted": IdentityCase(
        (H.remove_sheet(GUIDE),), Code.REVIEW_SHEET_MISSING, None, (f"'{GUIDE}'",)),
}


@pytest.mark.parametrize("case", IDENTITY_CASES.values(), ids=IDENTITY_CASES.keys())
def test_identity_problem(case: IdentityCase, world: World, tmp_path: Path) -> None:
    """A review that is not this harvest's (or not a review): one problem, nothing applied,
    not even GOOD's valid rows."""
    path = world.fill(tmp_path / "review.xlsx", GOOD, *case.changes)
    report, new = world.applied(path)
    expect(new, case.code, E, path, case.sheet, None, None, case.says)
    assert errors(new) == [(case.code.name, None)]
    nothing_applied(report)


def test_a_review_of_round_12_applied_to_a_round_6_harvest(world: World,
                                                            tmp_path: Path) -> None:
    path = world.fill(tmp_path / "review.xlsx")
    report = harvest(sorted(world.returns.glob("*.xlsx")), world.master, 6, jobs=1)
    report, new = world.applied(path, report)
    expect(new, Code.REVIEW_FOREIGN, E, path, META, None, None,
           ("รอบการรายงานอื่น (12)", "ของการรวบรวมครั้งนี้ (6)"))
    nothing_applied(report)
    outcome = read_review(path, world.master, 6)
    assert outcome.refused and not outcome.entries
    assert [p.code for p in outcome.problems] == ["REVIEW_FOREIGN"]


def _changed_master(world: World, tmp_path: Path, how: str) -> Master:
    """The shipped master with B01's 2.1 and 2.2 weights moved by 5 (still 100), or with the
    below-level-1 score 0: another master for the same year and round."""
    m = world.master
    if how == "weights":
        changed = dataclasses.replace(m, assignments=[
            dataclasses.replace(a, weight=a.weight + 5) if (a.office, a.kpi) == ("B01", "2.1")
            else dataclasses.replace(a, weight=a.weight - 5)
            if (a.office, a.kpi) == ("B01", "2.2") else a for a in m.assignments])
    else:
        changed = dataclasses.replace(m, settings=dataclasses.replace(
            m.settings, below_level1_score=1 - m.settings.below_level1_score))
    path = tmp_path / f"master-{how}.xlsx"
    write_master(changed, path)
    newer = load_master(path)
    assert R.master_fingerprint(newer, ROUND) != R.master_fingerprint(m, ROUND)
    if how == "weights":
        assert newer.fingerprint("B01", ROUND) != m.fingerprint("B01", ROUND)
        assert newer.fingerprint("B02", ROUND) == m.fingerprint("B02", ROUND)
    return newer


@pytest.mark.parametrize("how", ["weights", "settings"])
def test_a_review_made_from_another_master_is_foreign(how: str, world: World,
                                                      tmp_path: Path) -> None:
    """The master changed after the review form was made (one office's weights, or a scoring
    setting): the review is refused whole, even for the offices the change did not touch."""
    newer = _changed_master(world, tmp_path, how)
    path = world.fill(tmp_path / "review.xlsx")
    report = harvest(sorted(world.returns.glob("*.xlsx")), newer, ROUND, jobs=1)
    report, new = world.applied(path, report, newer)
    expect(new, Code.REVIEW_FOREIGN, E, path, META, None, None, ("ไฟล์ต้นแบบอื่น",))
    assert errors(new) == [("REVIEW_FOREIGN", None)]
    nothing_applied(report)


def test_a_return_given_as_the_review_is_not_ours(world: World, tmp_path: Path) -> None:
    path = tmp_path / "2569-R12-B01.xlsx"
    shutil.copy2(world.returns / path.name, path)
    report, new = world.applied(path)
    expect(new, Code.REVIEW_NOT_OURS, E, path, META, None, None,
           ("ไม่ใช่แบบตรวจประเมิน", "เป็นแบบรายงานผลของหน่วยงาน B01"))
    assert errors(new) == [("REVIEW_NOT_OURS", None)]
    nothing_applied(report)


def test_a_proposal_given_as_the_review_is_not_ours(world: World, tmp_path: Path) -> None:
    path = tmp_path / world.proposal.name
    shutil.copy2(world.proposal, path)
    report, new = world.applied(path)
    expect(new, Code.REVIEW_NOT_OURS, E, path, META, None, None, ("เป็นไฟล์ชนิด 'proposal'",))
    assert errors(new) == [("REVIEW_NOT_OURS", None)]
    nothing_applied(report)


def test_a_plain_workbook_given_as_the_review_is_not_ours(world: World, tmp_path: Path) -> None:
    path = tmp_path / "ผลการตรวจ.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = TABLE
    ws["A4"], ws["C4"], ws["J4"], ws["K4"] = "B01", "2.1", 5, REASON
    wb.save(path)
    report, new = world.applied(path)
    expect(new, Code.REVIEW_NOT_OURS, E, path, None, None, None, ("ไม่พบข้อมูลกำกับ _meta",))
    assert errors(new) == [("REVIEW_NOT_OURS", None)]
    nothing_applied(report)


def test_an_archive_of_two_files_given_as_the_review_is_not_ours(world: World,
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "reviews.zip"
    path.write_bytes(H.make_zip({"a.xlsx": world.good, "b.xlsx": world.review.read_bytes()}))
    report, new = world.applied(path)
    expect(new, Code.REVIEW_NOT_OURS, E, path, None, None, None, ("พบแบบตรวจประเมิน 2 ไฟล์",))
    nothing_applied(report)


def test_read_review_refuses_a_round_that_does_not_exist(world: World) -> None:
    with pytest.raises(ValueError, match="round must be one of"):
        read_review(world.review, world.master, 5)


# -- locked cells ----------------------------------------------------------------------------

LOCKED_CASES: dict[str, LockedCase] = {
    "an office's name": LockedCase((H.set_cell(TABLE, "B6", "สำนักงานอื่น"),), "B6",
                                   ("ควรเป็น 'สำนักงานเลขานุการกรม'", "พบ 'สำนักงานอื่น'")),
    "an office's name cleared": LockedCase((H.set_cell(TABLE, "B9", None),), "B9",
                                           ("พบ '(ว่าง)'",)),
    "a KPI's name": LockedCase((H.set_cell(TABLE, "D29", "ชื่อที่แก้"),), "D29",
                               ("พบ 'ชื่อที่แก้'",)),
    "a weight": LockedCase((H.set_cell(TABLE, "E6", 20),), "E6", ("ควรเป็น '15'", "พบ '20'")),
    "a weight typed as text": LockedCase((H.set_cell(TABLE, "E7", "10"),), "E7", ("พบ '10'",)),
    "the office's result": LockedCase((H.set_cell(TABLE, "F6", 99),), "F6",
                                      ("ควรเป็น '80.53'", "พบ '99'")),
    "the office's score": LockedCase((H.set_cell(TABLE, "G17", 5),), "G17",
                                     ("ควรเป็น '3.626'", "พบ '5'")),
    "the office's weighted score": LockedCase((H.set_cell(TABLE, "H28", 0.75),), "H28",
                                              ("ควรเป็น '0.6564'", "พบ '0.75'")),
    "a result typed where the office left none": LockedCase(
        (H.set_cell(TABLE, "F72", 80),), "F72", ("ควรเป็น '(ว่าง)'", "พบ '80'")),
    "a header": LockedCase((H.set_cell(TABLE, "C3", "รหัส"),), "C3",
                           ("ควรเป็น 'รหัสตัวชี้วัด'", "พบ 'รหัส'")),
    "the reason's header": LockedCase((H.set_cell(TABLE, "K3", None),), "K3",
                                      ("ควรเป็น 'เหตุผล'",)),
    "a row duplicated": LockedCase((H.set_cell(TABLE, "C6", "1.2"),), "C6",
                                   ("ควรเป็น '2.1'", "พบ '1.2'")),
    "a KPI code the master does not have": LockedCase((H.set_cell(TABLE, "C6", "9.9"),), "C6",
                                                      ("พบ '9.9'",)),
    "an office that sent no return": LockedCase((H.set_cell(TABLE, "A6", "B13"),), "A6",
                                                ("ควรเป็น 'B01'", "พบ 'B13'")),
    "an office the master does not have": LockedCase((H.set_cell(TABLE, "A6", "X99"),), "A6",
                                                     ("พบ 'X99'",)),
    "a KPI of another office": LockedCase((H.set_cell(TABLE, "C6", "2.4"),), "C6",
                                          ("พบ '2.4'",)),
    "a row's codes cleared": LockedCase((H.set_cell(TABLE, "A8", None),
                                         H.set_cell(TABLE, "C8", None)), "A8",
                                        ("พบ '(ว่าง)'",)),
    "a criterion": LockedCase((H.set_cell(TABLE, R.LETTER["c1"] + "6", 1),),
                              R.LETTER["c1"] + "6", ("ควรเป็น '70'", "พบ '1'")),
    "a kind": LockedCase((H.set_cell(TABLE, R.LETTER["kind"] + "6", "ระดับความสำเร็จ"),),
                         R.LETTER["kind"] + "6", ("ควรเป็น 'เชิงปริมาณ'",)),
    "a row appended": LockedCase((H.set_cell(TABLE, "A136", "B12"),
                                  H.set_cell(TABLE, "C136", "3.6")), "A136",
                                 ("ควรเป็น '(ว่าง)'", "พบ 'B12'")),
}


@pytest.mark.parametrize("case", LOCKED_CASES.values(), ids=LOCKED_CASES.keys())
def test_locked_cell_changed(case: LockedCase, world: World, tmp_path: Path) -> None:
    """A locked cell changed with the protection removed: the cell, what it should be, what it
    is; NOTHING of the review is applied (GOOD's rows included)."""
    path = world.fill(tmp_path / "review.xlsx", GOOD, *case.changes)
    report, new = world.applied(path)
    expect(new, Code.REVIEW_LOCKED_CHANGED, E, path, TABLE, case.cell, ANY, case.says)
    assert {p.code for p in new if p.is_error} == {"REVIEW_LOCKED_CHANGED"}
    nothing_applied(report)


def test_every_locked_cell_changed_is_reported(world: World, tmp_path: Path) -> None:
    changes = {"B6": "x", "E17": 99, "C3": "รหัส", "D40": "ชื่อ"}
    path = world.fill(tmp_path / "review.xlsx", GOOD,
                      *(H.set_cell(TABLE, c, v) for c, v in changes.items()))
    report, new = world.applied(path)
    assert errors(new) == sorted(("REVIEW_LOCKED_CHANGED", c) for c in changes)
    nothing_applied(report)


def test_a_row_inserted_refuses_the_review(world: World, tmp_path: Path) -> None:
    path = world.fill(tmp_path / "review.xlsx",
                      {**GOOD, ("B12", "3.6"): {"given_score": 1, "reason": REASON}},
                      H.insert_rows(TABLE, 6))
    report, new = world.applied(path)
    assert "REVIEW_LOCKED_CHANGED" in {p.code for p in new}
    nothing_applied(report)


def test_a_row_deleted_refuses_the_review(world: World, tmp_path: Path) -> None:
    path = world.fill(tmp_path / "review.xlsx", GOOD, H.delete_rows(TABLE, 7))
    report, new = world.applied(path)
    assert "REVIEW_LOCKED_CHANGED" in {p.code for p in new}
    nothing_applied(report)


# -- rows of offices the harvest does not have ---------------------------------------------------

def test_an_office_missing_from_meta_means_its_rows_are_not_the_reviews(world: World,
                                                                        tmp_path: Path) -> None:
    """``_meta`` without B01's digest: the table's first rows are not the rows review-form
    wrote for the offices ``_meta`` lists, so the review is refused as tampered."""
    path = world.fill(tmp_path / "review.xlsx", GOOD, H.drop_meta_key("sha256:B01"))
    report, new = world.applied(path)
    expect(new, Code.REVIEW_LOCKED_CHANGED, E, path, TABLE, "A4", ANY, ("ควรเป็น 'B02'",))
    nothing_applied(report)


def test_an_office_the_master_does_not_have_in_meta(world: World, tmp_path: Path) -> None:
    path = world.fill(tmp_path / "review.xlsx", GOOD, H.set_cell(META, "A60", "sha256:X99"),
                      H.set_cell(META, "B60", "0" * 64))
    report, new = world.applied(path)
    expect(new, Code.REVIEW_ROW_UNKNOWN, E, path, META, None, "X99",
           ("หน่วยงาน X99 ตัวชี้วัด ทุกตัว", "ไม่มีหน่วยงานนี้ในไฟล์ต้นแบบ"))
    assert errors(new) == [("REVIEW_ROW_UNKNOWN", None)]
    good_applied(report, world.report)


def test_a_row_without_codes_is_told_without_none(world: World, tmp_path: Path) -> None:
    path = world.fill(tmp_path / "review.xlsx", GOOD, H.set_cell(TABLE, "A8", None),
                      H.set_cell(TABLE, "C8", None))
    _report, new = world.applied(path)
    assert new and all("None" not in p.message for p in new), [p.message for p in new]


def test_a_lock_file_given_as_the_review_is_an_error(world: World, tmp_path: Path) -> None:
    path = tmp_path / "~$review.xlsx"
    path.write_bytes(b"\x0bnobody")
    report, new = world.applied(path)
    nothing_applied(report)
    assert [p for p in new if p.is_error and p.file == str(path)], new


# -- a review of other returns than the harvest's ------------------------------------------------

def _returns_with(world: World, tmp_path: Path,
                  change: Callable[[Path], None]) -> HarvestReport:
    """The harvest of a copy of the returns after ``change`` to that folder."""
    folder = tmp_path / "returns"
    shutil.copytree(world.returns, folder)
    change(folder)
    return harvest(sorted(folder.glob("*.xlsx")), world.master, ROUND, jobs=1)


def _refill_b02(folder: Path) -> None:
    name = folder / "2569-R12-B02.xlsx"
    fill_return(name, name, {"2.4": 90})


def _resave_b02(folder: Path) -> None:
    name = folder / "2569-R12-B02.xlsx"
    openpyxl.load_workbook(name).save(name)


@pytest.mark.parametrize("change", [_refill_b02, _resave_b02], ids=["re-filled", "re-saved"])
def test_a_return_changed_after_the_review_is_stale(change: Callable[[Path], None],
                                                    world: World, tmp_path: Path) -> None:
    """B02 sent a new file after the review form was made (other bytes, still accepted):
    REVIEW_STALE for B02 only; B02's entries are not applied, B01's are."""
    report = _returns_with(world, tmp_path, change)
    b02 = office_of(report, "B02")
    assert b02.status is Status.ACCEPTED
    assert b02.sha256 != office_of(world.report, "B02").sha256
    path = world.fill(tmp_path / "review.xlsx",
                      {**GOOD, ("B02", "2.4"): {"given_score": 1, "reason": REASON}})
    report, new = world.applied(path, report)
    expect(new, Code.REVIEW_STALE, E, path, None, None, "B02",
           (f"ไฟล์ {tmp_path / 'returns' / '2569-R12-B02.xlsx'}",
            f"SHA-256 {(b02.sha256 or '')[:12]}…", "ไม่ใช่ฉบับที่คณะกรรมการตรวจ"))
    assert errors(new) == [("REVIEW_STALE", None)]
    b02 = office_of(report, "B02")
    assert kpi_of(b02, "2.4").review is None and not b02.reviewed
    assert b02.verified_total is None and b02.used_total == b02.total_score
    good_applied(report, report, stale="B02")
    assert report.review is not None and report.review.offices == len(RETURNED) - 1


def test_an_office_without_a_return_now_is_not_in_the_harvest(world: World,
                                                              tmp_path: Path) -> None:
    """B05's return is gone from the new harvest: REVIEW_ROW_UNKNOWN for B05, nothing of
    B05."""
    report = _returns_with(world, tmp_path,
                           lambda folder: (folder / "2569-R12-B05.xlsx").unlink())
    path = world.fill(tmp_path / "review.xlsx",
                      {**GOOD, ("B05", "2.13"): {"given_score": 5, "reason": REASON}})
    report, new = world.applied(path, report)
    expect(new, Code.REVIEW_ROW_UNKNOWN, E, path, None, None, "B05",
           ("ไม่มีแบบรายงานของหน่วยงานนี้ในการรวบรวมครั้งนี้",))
    assert errors(new) == [("REVIEW_ROW_UNKNOWN", None)]
    b05 = office_of(report, "B05")
    assert b05.status is Status.MISSING and not b05.reviewed and b05.verified_total is None
    assert all(k.review is None for k in b05.kpis)
    good_applied(report, world.report, stale="B05")


# -- INTAKE 1-8 for the review file, through the command line ------------------------------------

def harvest_args(world: World, out: Path, *more: str) -> list[str]:
    return ["harvest", str(world.returns), "--master", str(SHIPPED_MASTER), "--round",
            str(ROUND), "--out", str(out / "summary.xlsx"), "--json", str(out / "result.json"),
            "--jobs", "1", *more]


def run_cli(args: Sequence[str]) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def json_problems(data: Mapping[str, Any]) -> list[Problem]:
    return [Problem(p["code"], Severity(p["severity"]), p["file"], p["office"], p["sheet"],
                    p["cell"], p["message"]) for p in data["problems"]]


@dataclass(frozen=True)
class HostileCase:
    """The review file (its name and bytes, from the filled review's bytes); the problem
    expected on ``file`` (the file itself when None)."""

    name: str
    build: Callable[[bytes], bytes]
    code: Code
    file: str | None = None


HOSTILE_CASES: dict[str, HostileCase] = {
    "empty file": HostileCase("review.xlsx", lambda d: b"", Code.FILE_EMPTY),
    "CSV renamed .xlsx": HostileCase("review.xlsx", lambda d: H.CSV, Code.FILE_NOT_WORKBOOK),
    "text renamed .xlsx": HostileCase("review.xlsx", lambda d: H.TEXT, Code.FILE_NOT_WORKBOOK),
    "HTML renamed .xlsx": HostileCase("review.xlsx", lambda d: H.HTML, Code.FILE_NOT_WORKBOOK),
    "truncated download": HostileCase("review.xlsx", H.truncated, Code.FILE_CORRUPT),
    "no central directory": HostileCase("review.xlsx", H.no_central_directory,
                                        Code.FILE_CORRUPT),
    "encrypted": HostileCase("review.xlsx", H.encrypted, Code.FILE_ENCRYPTED),
    "legacy .xls (OLE2, not encrypted)": HostileCase(
        "review.xls", lambda d: OLE2_MAGIC + bytes(2_048), Code.FILE_OTHER_FORMAT),
    "OpenDocument": HostileCase("review.ods", H.ods, Code.FILE_OTHER_FORMAT),
    "strict OOXML": HostileCase("review.xlsx", H.strict, Code.FILE_STRICT_OOXML),
    "Word document renamed .xlsx": HostileCase("review.xlsx", H.docx, Code.FILE_NOT_WORKBOOK),
    "zip bomb: 1,500 entries": HostileCase("review.xlsx", H.too_many_entries,
                                           Code.FILE_ZIP_BOMB),
    "zip bomb: 8 MB part at ratio 1000": HostileCase(
        "review.xlsx", lambda d: H.compressible_part(d, 8 << 20), Code.FILE_ZIP_BOMB),
    "a nested archive": HostileCase(
        "review.zip", lambda d: H.make_zip({"inner.zip": H.make_zip({"review.xlsx": d})}),
        Code.FILE_NESTED_ARCHIVE, "review.zip/inner.zip"),
    "billion laughs": HostileCase(
        "review.xlsx", lambda d: H.with_doctype(d, "xl/workbook.xml", b"workbook",
                                                H.billion_laughs(b"workbook")),
        Code.FILE_UNSAFE_XML),
    "an external entity": HostileCase(
        "review.xlsx", lambda d: H.with_doctype(d, "xl/workbook.xml", b"workbook",
                                                H.EXTERNAL % b"workbook", b"&xxe;"),
        Code.FILE_UNSAFE_XML),
}


def _file_problems(problems: Iterable[Problem]) -> set[tuple[str, str, str | None, str]]:
    return {(p.code, p.severity.value, p.file, p.message) for p in problems
            if p.code.startswith("FILE_")}


@pytest.mark.parametrize("case", HOSTILE_CASES.values(), ids=HOSTILE_CASES.keys())
def test_hostile_review_file(case: HostileCase, world: World, tmp_path: Path) -> None:
    """harvest --review with a damaged or disguised review: the FILE_* problem harvest gives
    the same file as a return (word for word), the harvest completes (summary and JSON
    written, exit 1, the offices as without a review), nothing applied, the review untouched."""
    path = tmp_path / "in" / case.name
    path.parent.mkdir()
    path.write_bytes(case.build(world.good))
    before = digests(path.parent)
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli(harvest_args(world, out, "--review", str(path)))
    assert result.exit_code == 1, result.output
    assert digests(path.parent) == before, "the review file was changed"
    assert (out / "summary.xlsx").is_file()
    data = json.loads((out / "result.json").read_text(encoding="utf-8"))
    problems = json_problems(data)
    file = path.parent / case.file if case.file else path
    expect(problems, case.code, case.code.severity, file, None, None, None)
    assert not [p for p in problems if p.code.startswith("REVIEW_")]
    as_return = harvest([path], world.master, ROUND, jobs=1)
    assert _file_problems(as_return.problems) == _file_problems(
        p for p in problems if p.file is not None and p.file.startswith(str(path)))
    assert [(o["office"], o["status"], o["total_score"]) for o in data["offices"]] == \
        [(o.office, o.status.value, float(o.total_score) if o.total_score is not None
          else None) for o in world.report.offices]
    assert all(o["verified_total_score"] is None for o in data["offices"])


def _lying_table(data: bytes) -> bytes:
    """The table sheet with a ``<dimension>`` of the whole sheet and a formatted cell in its
    very last one, and thousands of formatted empty rows (INTAKE 8)."""
    name = H.report_part(data, TABLE)
    xml = H.part(data, name)
    xml = re.sub(rb"<dimension [^>]*/>", b'<dimension ref="A1:XFD1048576"/>', xml)
    filler = b"".join(b'<row r="%d" s="1" customFormat="1"><c r="A%d" s="1"/></row>' % (r, r)
                      for r in range(LAST_ROW + 10, LAST_ROW + 20_000))
    xml = xml.replace(b"</sheetData>", filler + b'<row r="1048576"><c r="XFD1048576" s="1"/>'
                      b"</row></sheetData>")
    return H.rezip(data, {name: xml})


def test_a_lying_dimension_is_read_as_the_table(world: World, tmp_path: Path) -> None:
    path = tmp_path / "review.xlsx"
    path.write_bytes(_lying_table(world.good))
    report, new = world.applied(path)
    assert not errors(new)
    good_applied(report, world.report)


# -- a review among the returns -------------------------------------------------------------------

def test_a_review_among_the_returns_is_refused_as_a_return(world: World, tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    shutil.copytree(world.returns, folder)
    review = world.fill(folder / "ผลการตรวจประเมิน.xlsx")
    before = digests(folder)
    report = harvest([folder], world.master, ROUND, jobs=1)
    assert digests(folder) == before
    expect(report.problems, Code.RETURN_IS_REVIEW, E, review, None, None, None,
           ("harvest ทางตัวเลือก --review",))
    assert [(o.office, o.status, o.total_score) for o in report.offices] == \
        [(o.office, o.status, o.total_score) for o in world.report.offices]
    assert all(o.file != str(review) for o in report.offices)
    record = next(f for f in report.files if f.file == str(review))
    assert record.office is None and record.outcome == "rejected"


def test_the_review_given_with_review_is_not_read_as_a_return(world: World,
                                                              tmp_path: Path) -> None:
    """The same file among the returns and given to --review: excluded from the returns
    (no RETURN_IS_REVIEW), applied as the review."""
    folder = tmp_path / "returns"
    shutil.copytree(world.returns, folder)
    review = world.fill(folder / "ผลการตรวจประเมิน.xlsx")
    before = digests(folder)
    out = tmp_path / "out"
    out.mkdir()
    args = harvest_args(world, out, "--review", str(review))
    args[1] = str(folder)
    result = run_cli(args)
    assert result.exit_code == 1, result.output
    assert digests(folder) == before
    data = json.loads((out / "result.json").read_text(encoding="utf-8"))
    codes = {p["code"] for p in data["problems"]}
    assert "RETURN_IS_REVIEW" not in codes and not {c for c in codes if c.startswith("REVIEW_")}
    b01 = next(o for o in data["offices"] if o["office"] == "B01")
    assert b01["verified_total_score"] == pytest.approx(
        float(expected_total(office_of(world.report, "B01"), GOOD_SCORES)))


# -- the command line -----------------------------------------------------------------------------

def test_review_form_writes_the_review(world: World, tmp_path: Path) -> None:
    """review-form: exits as harvest does (1: offices incomplete or missing), writes a review
    with a row per KPI and every returned office's digest, reads its inputs only."""
    before = digests(world.returns)
    out = tmp_path / "form.xlsx"
    result = run_cli(["review-form", str(world.returns), "--master", str(SHIPPED_MASTER),
                      "--round", str(ROUND), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 1, result.output
    assert digests(world.returns) == before
    assert f"({ROWS_IN_TABLE} แถว)" in result.output and str(out) in result.output
    assert review_rows(out) == review_rows(world.review)
    outcome = read_review(out, world.master, ROUND)
    assert not outcome.problems and not outcome.refused
    assert len(outcome.entries) == ROWS_IN_TABLE
    assert not any(e.judged.entered for e in outcome.entries)
    assert outcome.shas == {o.office: o.sha256 for o in world.report.offices
                            if o.office in RETURNED}


def test_harvest_with_a_good_review(world: World, tmp_path: Path) -> None:
    review = world.fill(tmp_path / "in" / "review.xlsx")
    before = digests(review.parent), digests(world.returns)
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli(harvest_args(world, out, "--review", str(review)))
    assert result.exit_code == 1, result.output
    assert (digests(review.parent), digests(world.returns)) == before
    data = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert not [p for p in data["problems"] if p["code"].startswith("REVIEW_")]
    b01 = next(o for o in data["offices"] if o["office"] == "B01")
    assert b01["verified_total_score"] == pytest.approx(
        float(expected_total(office_of(world.report, "B01"), GOOD_SCORES)))
    kpis = {k["kpi"]: k for k in b01["kpis"]}
    assert (kpis["2.1"]["verified_result"], kpis["2.1"]["verified_score"],
            kpis["2.1"]["verified_weighted_score"]) == \
        (pytest.approx(82.5), pytest.approx(3.5), pytest.approx(0.525))
    assert kpis["3.1"]["verified_score"] == pytest.approx(4.1225)
    b07 = next(o for o in data["offices"] if o["office"] == "B07")
    assert b07["verified_total_score"] is None


def test_harvest_with_a_foreign_review_still_writes_the_summary(world: World,
                                                                tmp_path: Path) -> None:
    review = world.fill(tmp_path / "in" / "review.xlsx", GOOD,
                        H.set_meta("fiscal_year", "2570"))
    before = digest(review)
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli(harvest_args(world, out, "--review", str(review)))
    assert result.exit_code == 1, result.output
    assert digest(review) == before
    assert (out / "summary.xlsx").is_file()
    data = json.loads((out / "result.json").read_text(encoding="utf-8"))
    expect(json_problems(data), Code.REVIEW_FOREIGN, E, review, META, None, None,
           ("ปีงบประมาณอื่น (2570)",))
    assert all(o["verified_total_score"] is None for o in data["offices"])


def test_harvest_with_a_review_that_does_not_exist_is_a_usage_error(world: World,
                                                                    tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = CliRunner().invoke(cli, harvest_args(world, out, "--review",
                                                  str(tmp_path / "none.xlsx")))
    assert result.exit_code == 2, result.output
    assert "--review" in result.output
    assert not (out / "summary.xlsx").exists() and not (out / "result.json").exists()


# -- inputs are only read ------------------------------------------------------------------------

def test_inputs_are_never_modified(world: World, tmp_path: Path) -> None:
    """The returns, the master and a filled review (bad rows too): byte for byte and time for
    time the same after review-form and harvest --review."""
    inputs = tmp_path / "in"
    shutil.copytree(world.returns, inputs / "returns")
    shutil.copy2(SHIPPED_MASTER, inputs / "master.xlsx")
    review = world.fill(inputs / "review.xlsx",
                        {**GOOD, ("B03", "3.2"): {"given_score": 2}})
    before = digests(inputs)
    common = [str(inputs / "returns"), "--master", str(inputs / "master.xlsx"), "--round",
              str(ROUND), "--jobs", "1"]
    assert run_cli(["review-form", *common, "--out", str(tmp_path / "form.xlsx")]).exit_code == 1
    assert run_cli(["harvest", *common, "--out", str(tmp_path / "s.xlsx"),
                    "--review", str(review)]).exit_code == 1
    assert digests(inputs) == before
    report = harvest([inputs / "returns"], world.master, ROUND, jobs=1)
    apply_review(report, read_review(review, world.master, ROUND))
    assert digests(inputs) == before


# -- every review code is asserted above ----------------------------------------------------------

def test_every_review_code_is_asserted_here() -> None:
    """A new REVIEW_* code in the catalogue cannot go untested: each is named here as a
    ``Code`` member, where a case or an ``expect`` asserts it."""
    wanted = {name for name in CATALOGUE if name.startswith("REVIEW_")} | {"RETURN_IS_REVIEW"}
    assert len(wanted) >= 10
    missing = wanted - codes_used(Path(__file__))
    assert not missing, f"not asserted in {Path(__file__).name}: {sorted(missing)}"


def test_every_case_code_goes_through_expect() -> None:
    """The case tables' codes are asserted by the tests that run them (through ``expect``),
    and every expect call gives a code of the catalogue."""
    calls = expect_calls(Path(__file__), [c.code for c in (*ROW_CASES.values(),
                                                           *IDENTITY_CASES.values(),
                                                           *HOSTILE_CASES.values())])
    assert {c[5:] for c in calls if c != "case.code"} >= {
        "REVIEW_ROW_UNKNOWN", "REVIEW_STALE", "REVIEW_LOCKED_CHANGED", "REVIEW_FOREIGN",
        "REVIEW_NOT_OURS", "RETURN_IS_REVIEW", "REVIEW_REASON_MISSING"}
