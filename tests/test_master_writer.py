"""write_master: a master model written to a workbook that reads back as the same model, laid
out as new-master lays out an empty one."""

from __future__ import annotations

import dataclasses
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from workbook_engine.kinds import INHERITED, MILESTONE, QUANTITATIVE, STEPWISE
from workbook_engine.master import format as mf
from workbook_engine.master.format import Direction
from workbook_engine.master.new import LISTS_SHEET, write_new_master
from workbook_engine.master.reader import MasterReport, load_master, read_master
from workbook_engine.master.writer import GUIDE_SHEET, ROWS, write_master
from workbook_engine.model import (
    Assignment,
    Kpi,
    KpiCard,
    Master,
    Office,
    RoundOverride,
    Settings,
)
from workbook_engine.problems import Severity

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "templates" / "master.xlsx"
FIELDS = [f.name for f in dataclasses.fields(Master) if f.name not in ("source", "source_sha256")]
D = Decimal


def assert_same(written: Master, read: Master | None) -> None:
    """Every field of the model but where it was read from is the same."""
    assert read is not None
    for name in FIELDS:
        assert getattr(read, name) == getattr(written, name), name


def warnings(report: MasterReport) -> Counter[str]:
    return Counter(p.code for p in report.problems if p.severity is Severity.WARNING)


def round_trip(master: Master, path: Path) -> MasterReport:
    write_master(master, path)
    report = read_master(path)
    assert not [p for p in report.problems if p.is_error], report.problems
    assert_same(master, report.master)
    return report


def test_shipped_master_round_trips(tmp_path: Path) -> None:
    original = read_master(SHIPPED)
    assert original.master is not None
    copy = round_trip(original.master, tmp_path / "copy.xlsx")
    assert not warnings(copy) - warnings(original)
    # and once more: a written master written again is the same again
    assert_same(original.master, round_trip(load_master(tmp_path / "copy.xlsx"),
                                            tmp_path / "again.xlsx").master)


def awkward() -> Master:
    """Two decimals of score, 0 below level 1, numbers floats hold only approximately, a card
    with baselines in some years only, per-round rows without a weight or without criteria,
    a KPI naming an organisation KPI but no organisation KPIs listed."""
    text = "ข้อความ"
    kpis = [
        Kpi("Q1", "ร้อยละของงาน", 2, "ร้อยละ", QUANTITATIVE, Direction.HIGHER, "ORG-9",
            "คำอธิบาย", "(ก ÷ ข) × 100", "จำนวนงาน"),
        Kpi("Q2", "ระยะเวลา", 2, "วัน", QUANTITATIVE, Direction.LOWER, None, "", "", ""),
        Kpi("S1", "รายการตรวจสอบ", 3, "รายการ", STEPWISE, Direction.HIGHER, None, "", "", ""),
        Kpi("M1", "ระดับความสำเร็จ", 1, "ระดับ", MILESTONE, None, None, text, "", ""),
        Kpi("I1", "คะแนนกรม", 1, "คะแนน", INHERITED, None, None, "", "", "ไม่ต้องรายงาน"),
    ]
    up = (D("0.1"), D("33.3333"), D("1E+2"), D("100.5"), D("1000.25"))
    assignments = [
        Assignment("A1", "Q1", D("33.3333"), up),
        Assignment("A1", "Q2", D("0.1"), (D(15), D("12.5"), D("10.0"), D("7.25"), D("0.1"))),
        Assignment("A1", "M1", D("66.5667"), None),
        Assignment("A2", "S1", D(40), (D(1), D(3), D(5), D(6), D(7))),
        Assignment("A2", "I1", D("6E+1"), None),
    ]
    overrides = [
        RoundOverride("A1", "Q1", 6, None, (D("0.05"), D("0.1"), D("0.15"), D("0.2"), D("0.25"))),
        RoundOverride("A1", "Q1", 9, D("99.9"), None),
        RoundOverride("A1", "M1", 9, D(0), None),
    ]
    cards = {
        ("A1", "Q1"): KpiCard("ร้อยละ 90", "นายหนึ่ง", "นางสาวสอง",
                              ((2565, D("0.1")), (2567, D("33.3333")))),
        ("A1", "Q2"): KpiCard("", "", "", ((2566, D("1E+2")),)),
        ("A2", "I1"): KpiCard("ตามผลคะแนนของกรม", "", ""),
    }
    return Master(
        Settings("กรมทดสอบ", 2570, "นายผู้รับ", "อธิบดี", below_level1_score=0, places=2),
        {code: Office(code, f"กอง {code}", "นายผู้ทำ", "ผู้อำนวยการ", "" if code == "A2" else
                      "ผู้ประสาน", f"{code.lower()}@example.go.th") for code in ("A1", "A2")},
        {k.code: k for k in kpis}, assignments,
        {"M1": {level: f"ขั้นที่ {level}" for level in range(1, 6)}}, {"I1": D("4.215")},
        {(o.office, o.kpi, o.round_months): o for o in overrides}, {}, cards)


def test_awkward_master_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "m.xlsx"
    assert round_trip(awkward(), path).problems == []
    wb = load_workbook(path)
    assert mf.ORG_KPIS_SHEET not in wb.sheetnames     # written only when there are any
    settings = wb[mf.SETTINGS_SHEET]
    assert [(c.value, v.value) for c, v in settings.iter_rows(max_col=2)] == list(zip(
        mf.SETTINGS_LABELS, ["กรมทดสอบ", 2570, "นายผู้รับ", "อธิบดี", 0, 2], strict=True))
    rules = wb[mf.ASSIGNMENTS_SHEET]
    headers = [c.value for c in rules[1]]
    assert headers[-3:] == [mf.baseline_column(y) for y in (2565, 2566, 2567)]
    rows = [[c.value for c in row] for row in rules.iter_rows(min_row=2)]
    assert rows[0][2:8] == [33.3333, 0.1, 33.3333, 100, 100.5, 1000.25]    # numbers, not text
    assert rows[0][-3:] == [0.1, "-", 33.3333]           # a year the card lacks says so
    assert rows[1][-3:] == ["-", 100, "-"]
    assert rows[2][8:] == [None] * 6                      # an assignment without a card
    assert rows[4][8:] == ["ตามผลคะแนนของกรม", None, None, "-", "-", "-"]
    rounds = [[c.value for c in row] for row in wb[mf.ROUNDS_SHEET].iter_rows(min_row=2)]
    assert rounds == [["A1", "Q1", 6, None, 0.05, 0.1, 0.15, 0.2, 0.25],
                      ["A1", "Q1", 9, 99.9, None, None, None, None, None],
                      ["A1", "M1", 9, 0, None, None, None, None, None]]


def test_a_number_no_float_holds_is_written_as_its_text(tmp_path: Path) -> None:
    master = awkward()
    exact = D("0.12345678901234567890123")
    master.org_scores["I1"] = exact
    report = round_trip(master, tmp_path / "m.xlsx")
    assert report.master is not None and report.master.org_scores["I1"].as_tuple() == \
        exact.as_tuple()
    assert [p.code for p in report.problems] == ["MASTER_NUMBER_AS_TEXT"]
    assert load_workbook(tmp_path / "m.xlsx")[mf.ORG_SCORES_SHEET]["B2"].value == str(exact)


def test_extra_adds_a_sheet_before_the_file_is_closed(tmp_path: Path) -> None:
    def record(wb: xlsxwriter.Workbook) -> None:
        wb.add_worksheet("บันทึกการเจรจา").write_string(0, 0, "ตกลงแล้ว")

    master = awkward()
    write_master(master, tmp_path / "m.xlsx", extra=record)
    wb = load_workbook(tmp_path / "m.xlsx")
    assert wb.sheetnames[-1] == "บันทึกการเจรจา"
    assert wb["บันทึกการเจรจา"]["A1"].value == "ตกลงแล้ว"
    assert_same(master, read_master(tmp_path / "m.xlsx").master)


def test_nothing_is_written_when_extra_raises(tmp_path: Path) -> None:
    def broken(wb: xlsxwriter.Workbook) -> None:
        raise RuntimeError("ล้มเหลว")

    with pytest.raises(RuntimeError):
        write_master(awkward(), tmp_path / "m.xlsx", extra=broken)
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "old.xlsx").write_bytes(b"before")       # a file already there stays as it was
    with pytest.raises(RuntimeError):
        write_master(awkward(), tmp_path / "old.xlsx", extra=broken)
    assert [p.name for p in tmp_path.iterdir()] == ["old.xlsx"]
    assert (tmp_path / "old.xlsx").read_bytes() == b"before"


def validations(ws: Worksheet) -> set[tuple[str, str, str | None, str | None]]:
    return {(str(dv.sqref), dv.type, dv.formula1, dv.formula2)
            for dv in ws.data_validations.dataValidation}


def test_laid_out_as_new_master(tmp_path: Path) -> None:
    write_new_master(tmp_path / "new.xlsx", 2569)
    write_master(load_master(SHIPPED), tmp_path / "full.xlsx")
    new, full = load_workbook(tmp_path / "new.xlsx"), load_workbook(tmp_path / "full.xlsx")
    assert full.sheetnames == new.sheetnames
    assert full.sheetnames[0] == GUIDE_SHEET
    assert full[LISTS_SHEET].sheet_state == "hidden"
    assert [c.value for c in full[GUIDE_SHEET]["A"]] == [c.value for c in new[GUIDE_SHEET]["A"]]
    for name in new.sheetnames:
        ours, theirs = full[name], new[name]
        assert validations(ours) == validations(theirs), name
        assert ours.freeze_panes == theirs.freeze_panes, name
        for col, width in theirs.column_dimensions.items():
            assert ours.column_dimensions[col].width == width.width, (name, col)
        if name in mf.ALL_COLUMNS:
            first = ours["A1"]
            assert first.font.b and first.fill.fgColor.rgb == theirs["A1"].fill.fgColor.rgb
            assert first.border.left.style == "thin"


def test_validation_reaches_every_row(tmp_path: Path) -> None:
    shipped = load_master(SHIPPED)
    base = list(shipped.offices.values())
    offices, assignments = {}, []
    for n in range(200):       # 200 offices of 11 KPIs: more rows than new-master validates
        office, code = base[n % len(base)], f"X{n:03d}"
        offices[code] = dataclasses.replace(office, code=code)
        assignments += [dataclasses.replace(a, office=code)
                        for a in shipped.assignments_for(office.code)]
    master = dataclasses.replace(shipped, offices=offices, assignments=assignments, cards={},
                                 overrides={})
    assert len(assignments) > ROWS
    round_trip(master, tmp_path / "m.xlsx")
    ws = load_workbook(tmp_path / "m.xlsx")[mf.ASSIGNMENTS_SHEET]
    assert {sqref for sqref, *_ in validations(ws)} == {f"C2:C{len(assignments) + 1}"}
