"""The committee's verification end to end (issue #17): a review workbook made from the shipped
samples, filled as the committee would (openpyxl, then a LibreOffice re-save), harvested with
``--review``: the JSON and the summary (recalculated by LibreOffice) carry both assessments, and
they equal an independent computation. The review workbook's live cells, recalculated, say what
harvest says row by row."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from workbook_engine.cli.commands import cli
from workbook_engine.devkit.review import fill_review, review_rows
from workbook_engine.harvesting.outcomes import HarvestReport, Status
from workbook_engine.harvesting.run import harvest
from workbook_engine.master.reader import load_master
from workbook_engine.model import Master
from workbook_engine.problems import Code
from workbook_engine.review import layout as R
from workbook_engine.review.apply import harvest_review
from workbook_engine.review.read import read_review
from workbook_engine.review.rules import CHECK_OK, LIVE_CHECKS
from workbook_engine.review.workbook import ReviewWriter
from workbook_engine.summary.workbook import DETAIL_INDEX, DETAILS, OFFICES, OVERVIEW

from .conftest import Converter

ROOT = Path(__file__).resolve().parent.parent
MASTER = ROOT / "templates" / "master.xlsx"
SAMPLES = sorted((ROOT / "samples").glob("*.xlsx"))
ROUND = 12
FOUR = Decimal("0.0001")

# The committee's entries: (office, KPI) -> what it types.
ENTRIES: dict[tuple[str, str], dict[str, object]] = {
    ("B01", "1.1"): {"given_score": 4, "reason": "คะแนนองค์กรปรับตามผลอุทธรณ์"},      # inherited
    ("B01", "1.2"): {"given_score": 4.8, "reason": "ไม่ได้รายงาน 1 ครั้ง หัก 0.2"},   # milestone 5
    ("B01", "2.1"): {"verified_result": 77.3, "reason": "หลักฐานรองรับ 77.3%"},       # มากดี, %
    ("B01", "2.2"): {"verified_result": 12.5, "reason": "คำนวณใหม่จากระบบ"},          # น้อยดี
    ("B01", "3.6"): {"verified_result": 6, "reason": "นับรายการใหม่"},               # stepwise
    ("B02", "2.4"): {"given_score": 3.33335, "reason": "ปัดครึ่งขึ้น"},
    ("B03", "2.7"): {"given_score": 2},                                           # no reason
    ("B07", "1.2"): {"given_score": 3, "reason": "หน่วยงานที่ยังไม่ครบ"},           # incomplete
}
APPLIED = {key for key, entry in ENTRIES.items() if entry.get("reason")}


def interpolated(result: Decimal, c: list[Decimal], higher: bool) -> Decimal:
    """Linear interpolation between five criteria, written again here (not ``scoring``)."""
    sign = 1 if higher else -1
    if sign * (result - c[4]) >= 0:
        return Decimal(5)
    for level in (4, 3, 2, 1):
        low, high = c[level - 1], c[level]
        if sign * (result - low) >= 0:
            return level + (result - low) / (high - low)
    return Decimal(1)


def expected_score(kpi: dict[str, Any], entry: dict[str, object], master: Master,
                   office: str) -> Decimal:
    """The committee's score of one row, computed independently of the engine."""
    if "given_score" in entry:
        return Decimal(str(entry["given_score"])).quantize(FOUR, ROUND_HALF_UP)
    a = next(a for a in master.assignments_for(office, ROUND) if a.kpi == kpi["kpi"])
    k = master.kpis[a.kpi]
    result = Decimal(str(entry["verified_result"]))
    assert a.criteria is not None
    criteria = list(a.criteria)
    higher = k.direction is not None and k.direction.value == "มากดี"
    if k.kind.name == "STEPWISE":
        reached = [n for n, c in enumerate(criteria, 1)
                   if (result >= c if higher else result <= c)]
        return Decimal(max(reached, default=1))
    return interpolated(result, criteria, higher).quantize(FOUR, ROUND_HALF_UP)


def weighted(score: Decimal, weight: float | int) -> Decimal:
    return (score * Decimal(str(weight)) / 100).quantize(FOUR, ROUND_HALF_UP)


@pytest.fixture(scope="module")
def master() -> Master:
    return load_master(MASTER)


@pytest.fixture(scope="module")
def report(master: Master) -> HarvestReport:
    return harvest(SAMPLES, master, ROUND, jobs=1)


@pytest.fixture(scope="module")
def form(report: HarvestReport, master: Master, tmp_path_factory: pytest.TempPathFactory
         ) -> Path:
    path = tmp_path_factory.mktemp("review") / R.file_name(2569, ROUND)
    ReviewWriter(path).write(report, master)
    return path


def num(value: object) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value)).quantize(FOUR, ROUND_HALF_UP)


def test_a_committee_review_is_applied_beside_the_self_assessment(
        master: Master, form: Path, tmp_path: Path, libreoffice: Converter) -> None:
    """Filled with openpyxl, re-saved by LibreOffice, harvested with --review through the
    command line: every JSON figure, the summary's recalculated formulas and the review
    workbook's own live totals equal an independent computation."""
    typed = fill_review(form, tmp_path / form.name, ENTRIES)
    [resaved] = libreoffice([typed], tmp_path / "committee")
    before = resaved.read_bytes()
    summary, result = tmp_path / "summary.xlsx", tmp_path / "summary.json"
    run = CliRunner().invoke(cli, ["harvest", *map(str, SAMPLES), "--master", str(MASTER),
                                   "--round", str(ROUND), "--out", str(summary), "--json",
                                   str(result), "--review", str(resaved), "--jobs", "1"])
    assert run.exit_code == 1, run.output        # the samples have incomplete offices
    assert resaved.read_bytes() == before        # the review workbook is only read
    assert "หลังตรวจ" in run.output and "คณะกรรมการให้ผลหรือคะแนน 7 รายการ" in run.output
    data = json.loads(result.read_text(encoding="utf-8"))
    offices = {o["office"]: o for o in data["offices"]}
    problems = [(p["code"], p["office"], p["cell"]) for p in data["problems"]
                if p["code"].startswith("REVIEW_")]
    row = review_rows(form)[("B03", "2.7")]
    assert problems == [(Code.REVIEW_REASON_MISSING.name, "B03", f"{R.LETTER['reason']}{row}")]

    totals: dict[str, Decimal] = {}
    for code, office in offices.items():
        for kpi in office["kpis"]:
            entry = ENTRIES.get((code, kpi["kpi"]))
            if (code, kpi["kpi"]) not in APPLIED:
                assert (kpi["verified_score"], kpi["verified_weighted_score"],
                        kpi["verified_result"], kpi["review_reason"]) == (None,) * 4
                continue
            assert entry is not None
            score = expected_score(kpi, entry, master, code)
            assert num(kpi["verified_score"]) == score, (code, kpi["kpi"])
            assert num(kpi["verified_weighted_score"]) == weighted(score, kpi["weight"])
            assert kpi["review_reason"] == entry["reason"]
            assert num(kpi["verified_result"]) == num(entry.get("verified_result"))
        if office["status"] == "accepted":
            total = sum((num(k["verified_weighted_score"]) if (code, k["kpi"]) in APPLIED
                         else num(k["weighted_score"]) or Decimal(0)
                         for k in office["kpis"] if k["weight"]), Decimal(0))
            totals[code] = total.quantize(FOUR, ROUND_HALF_UP)
            assert num(office["verified_total_score"]) == totals[code], code
        else:
            assert office["verified_total_score"] is None, code
    assert totals["B01"] != num(offices["B01"]["total_score"])
    assert totals["B05"] == num(offices["B05"]["total_score"])     # not touched by the review

    [lo_summary, lo_review] = libreoffice([summary, resaved], tmp_path / "lo")
    wb = openpyxl.load_workbook(lo_summary, data_only=True)
    details, col = wb[DETAILS], DETAIL_INDEX
    rows = list(details.iter_rows(min_row=2, values_only=True))
    by_kpi = {(r[col["office"]], r[col["kpi"]]): r for r in rows}
    for (code, kpi_code), entry in ENTRIES.items():
        r = by_kpi[(code, kpi_code)]
        kpi = next(k for k in offices[code]["kpis"] if k["kpi"] == kpi_code)
        assert num(r[col["verified_score"]]) == num(kpi["verified_score"])
        assert num(r[col["verified_weighted"]]) == num(kpi["verified_weighted_score"])
        if (code, kpi_code) in APPLIED:
            assert r[col["reason"]] == entry["reason"]
            assert r[col["review_row"]] == review_rows(form)[(code, kpi_code)]
    for r in rows:
        if r[col["office"]] in totals and r[col["weighted"]] not in (None, ""):
            want = r[col["verified_weighted"]] if r[col["verified_weighted"]] not in (None, "") \
                else r[col["weighted"]]
            assert num(r[col["final_weighted"]]) == num(want)
    sheet = {r[0]: r for r in wb[OFFICES].iter_rows(min_row=2, values_only=True)}
    for code, total in totals.items():
        assert num(sheet[code][4]) == total and num(sheet[code][5]) == total
        assert num(sheet[code][3]) == num(offices[code]["total_score"])
    ranked = sorted(totals.values(), reverse=True)
    assert all(sheet[c][6] == 1 + ranked.index(t) for c, t in totals.items())
    average = next(r[1] for r in wb[OVERVIEW].iter_rows(values_only=True)
                   if r[0] == "คะแนนเฉลี่ยของหน่วยงานที่รับแล้ว")
    assert num(average) == (sum(totals.values()) / len(totals)).quantize(FOUR, ROUND_HALF_UP)
    notes = [r[0] for r in wb[OVERVIEW].iter_rows(values_only=True) if r[0]]
    assert any("ใช้คะแนนรวมหลังตรวจของคณะกรรมการ" in n for n in notes)

    own = openpyxl.load_workbook(lo_review, data_only=True)
    table = own[R.TABLE_SHEET]
    for (code, kpi_code), row_number in review_rows(form).items():
        kpi = next(k for k in offices[code]["kpis"] if k["kpi"] == kpi_code)
        assert num(table.cell(row_number, R.NUMBER["verified_score"]).value) \
            == num(kpi["verified_score"]), (code, kpi_code)
    live = {r[0]: r for r in own[R.TOTALS_SHEET].iter_rows(min_row=2, values_only=True)}
    for code, total in totals.items():
        assert num(live[code][4]) == total
    assert live["B01"][5] == 5 and live["B03"][5] == 0 and live["B07"][4] in (None, "")


CASES: dict[str, tuple[dict[str, object], Code | None]] = {
    "given score 4.8": ({"given_score": 4.8, "reason": "หัก 0.2"}, None),
    "given score 0": ({"given_score": 0, "reason": "ไม่มีหลักฐาน"}, None),
    "given score 5.01": ({"given_score": 5.01, "reason": "x"}, Code.REVIEW_SCORE_INVALID),
    "given score -1": ({"given_score": -1, "reason": "x"}, Code.REVIEW_SCORE_INVALID),
    "given score as text": ({"given_score": "4.5", "reason": "x"}, Code.REVIEW_SCORE_INVALID),
    "given score no reason": ({"given_score": 4}, Code.REVIEW_REASON_MISSING),
    "reason of spaces": ({"given_score": 4, "reason": "   "}, Code.REVIEW_REASON_MISSING),
    "result not a number": ({"verified_result": "ร้อยละ 80", "reason": "x"},
                            Code.REVIEW_RESULT_INVALID),
    "result no reason": ({"verified_result": 81}, Code.REVIEW_REASON_MISSING),
    "reason alone": ({"reason": "ตรวจแล้ว ไม่แก้"}, None),
}


def test_the_live_checks_say_what_harvest_says(master: Master, report: HarvestReport,
                                               form: Path, tmp_path: Path,
                                               libreoffice: Converter) -> None:
    """Each rule broken on a row of its own (and the kinds' own rules: a milestone level 3.5,
    a negative percentage, a stepwise count): the check column recalculated by LibreOffice
    shows the text of the problem harvest reports for that row, and the committee's score the
    score harvest applies."""
    keys = [k for k in review_rows(form) if k[0] in ("B02", "B04", "B05", "B06", "B08")]
    entries = {key: case for key, (case, _) in zip(keys, CASES.values(), strict=False)}
    expected = {key: code for key, (_, code) in zip(keys, CASES.values(), strict=False)}
    kinds = {("B01", "1.2"): ({"verified_result": 3.5, "reason": "x"}, Code.REVIEW_RESULT_INVALID),
             ("B01", "2.1"): ({"verified_result": -3, "reason": "x"}, Code.REVIEW_RESULT_INVALID),
             ("B01", "3.6"): ({"verified_result": 5, "reason": "x"}, None),
             ("B01", "1.1"): ({"given_score": 3.5, "reason": "x"}, None)}
    entries.update({k: v[0] for k, v in kinds.items()})
    expected.update({k: v[1] for k, v in kinds.items()})
    typed = fill_review(form, tmp_path / form.name, entries)
    rows = review_rows(form)
    review = read_review(typed, master, ROUND)
    assert not review.refused
    by_row = {p.cell: p.code for p in review.problems}
    judged = {(e.office, e.kpi): e.judged for e in review.entries}
    [recalculated] = libreoffice([typed], tmp_path / "lo")
    table = openpyxl.load_workbook(recalculated, data_only=True)[R.TABLE_SHEET]
    for key, code in expected.items():
        row = rows[key]
        shown = table.cell(row, R.NUMBER["check"]).value
        found = [c for cell, c in by_row.items() if cell and cell[len(cell.rstrip("0123456789")):]
                 == str(row)]
        entered = any(k in entries[key] for k in ("verified_result", "given_score"))
        if code is None:
            assert found == [] and shown == (CHECK_OK if entered else None), (key, shown)
        else:
            assert found == [code.name] and shown == LIVE_CHECKS[code], (key, shown, found)
        score = table.cell(row, R.NUMBER["verified_score"]).value
        assert num(score) == judged[key].score, key
    applied = report
    harvest_review(applied, typed, master)     # applied to the module's report last
    assert applied.review is not None and applied.review.applied


def test_the_review_workbook_is_locked_bound_and_printable(report: HarvestReport, form: Path
                                                          ) -> None:
    wb = openpyxl.load_workbook(form)
    assert wb.sheetnames == [*R.VISIBLE_SHEETS, R.META_SHEET]
    assert wb.security is not None and wb.security.lockStructure
    meta_sheet = wb[R.META_SHEET]
    assert meta_sheet.sheet_state == "veryHidden" and meta_sheet.protection.sheet
    meta = {r[0]: r[1] for r in meta_sheet.iter_rows(min_row=2, values_only=True)}
    assert (meta["kind"], meta["fiscal_year"], meta["round"]) == ("review", "2569", "12")
    shas = {k[len(R.SHA_PREFIX):]: v for k, v in meta.items() if k.startswith(R.SHA_PREFIX)}
    with_rows = {o.office: o.sha256 for o in report.offices
                 if o.status in (Status.ACCEPTED, Status.INCOMPLETE)}
    assert shas == with_rows and len(shas) == 12          # B13 sent nothing
    table = wb[R.TABLE_SHEET]
    assert table.protection.sheet and table.protection.autoFilter is False  # filters allowed
    rows = int(meta["rows"])
    assert rows == sum(1 for o in report.offices for k in o.kpis if k.assessed
                       and o.status in (Status.ACCEPTED, Status.INCOMPLETE))
    [(sheet, ref)] = list(wb.defined_names[R.TABLE_NAME].destinations)
    assert sheet == R.TABLE_SHEET and ref == R.table_ref(rows)
    assert [c.value for c in table[R.HEADER_ROW]] == [c.header for c in R.COLUMNS]
    assert table.auto_filter.ref == R.table_ref(rows).replace("$", "")
    first = R.FIRST_ROW
    for column in R.COLUMNS:
        cell = table.cell(first + 1, R.NUMBER[column.key])     # B01 1.2, a milestone
        assert cell.protection.locked is (column.key not in R.INPUT_KEYS), column.key
    inherited = table.cell(first, R.NUMBER["verified_result"])   # B01 1.1: nothing to verify
    assert inherited.protection.locked
    validated = {str(v.sqref): v for v in table.data_validations.dataValidation}
    given = next(v for ref, v in validated.items() if ref.startswith(R.LETTER["given_score"]))
    assert (given.type, given.operator or "between", given.formula1, given.formula2) == \
        ("decimal", "between", "0", "5") and given.promptTitle
    assert table.page_setup.orientation == "landscape" and table.page_setup.paperSize == 9
    assert table.sheet_properties.pageSetUpPr.fitToPage and table.print_title_rows
    totals = wb[R.TOTALS_SHEET]
    assert [c.value for c in totals[1]] == [c.header for c in R.TOTALS_COLUMNS]
    assert totals.protection.sheet and totals.max_row == 1 + len(shas)


def test_without_a_review_the_summary_hides_the_committee_columns(
        report: HarvestReport, tmp_path: Path) -> None:
    from workbook_engine.summary.workbook import REVIEW_COLUMNS, write_summary

    plain = harvest(SAMPLES[:2], load_master(MASTER), ROUND, jobs=1)
    write_summary(plain, tmp_path / "s.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "s.xlsx")
    hidden: set[int] = set()           # 1-based columns, from the <col> ranges written
    for dim in wb[DETAILS].column_dimensions.values():
        if dim.hidden:
            hidden.update(range(dim.min, dim.max + 1))
    assert hidden == {DETAIL_INDEX[key] + 1 for key, _, _ in REVIEW_COLUMNS}
    assert wb[OFFICES].column_dimensions["E"].hidden


def test_the_published_committee_deductions_are_a_score_given_directly() -> None:
    """The published rows whose figures are a committee's deduction (tests/data: OPEC's
    milestone KPIs printed 4.8000 and 1.6000 for levels 5 and 2) come out of the committee's
    rules as they were printed, weighted score included, when the committee gives that score
    with its reason."""
    import csv

    from workbook_engine.kinds import MILESTONE
    from workbook_engine.review.rules import Scoring, judge
    from workbook_engine.xlsx.reader import Cell

    path = ROOT / "tests" / "data" / "published_scores.csv"
    with path.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["note"].startswith("committee-verified")]
    assert len(rows) == 2
    for r in rows:
        scoring = Scoring(MILESTONE, None, False, None, Decimal(r["weight"]), 1, 4)
        given = Cell(float(r["published_score"]), "n", None)
        reason = Cell(r["note"][:60], "s", None)
        judged = judge(scoring, Cell(float(r["result"]), "n", None), given, reason)
        assert judged.problem is None
        assert judged.score == Decimal(r["published_score"])
        assert judged.weighted == Decimal(r["published_weighted"])
        assert judged.result == Decimal(r["result"])      # the level the office reported
