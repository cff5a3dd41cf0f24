"""The history of a ledger: its pandas tables, its workbook and the ``history`` command.

The ledger is written here with sqlite3 from the schema's own migration, as :data:`RUNS`
describes it: four periods over three fiscal years, one of them harvested twice (only the
last run counts), an office that improves, one that falls, a committee's total that overrides
the self-assessed one, an incomplete office, a missing one and one that appears only lately.
"""

from __future__ import annotations

import contextlib
import math
import re
import sqlite3
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from workbook_engine.cli.commands import cli
from workbook_engine.cli.history import history_command
from workbook_engine.errors import OutputError
from workbook_engine.history import History, HistoryError, history, write_history
from workbook_engine.history.workbook import CHANGES, KPIS, OVERVIEW, SHEETS, TOTALS
from workbook_engine.ledger.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from workbook_engine.ledger.store import LedgerError

from .conftest import Converter, pdf_pages

NAN = math.nan
OFFICE_NAMES = {"B01": "กองกลาง", "B02": "กองคลัง", "B03": "กองแผนงาน",
                "B04": "กองการเจ้าหน้าที่", "B10": "ศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร"}
# KPI: name, group, weight; an office's two KPIs each score its total, so they add up to it
KPIS_HELD = {"2.1": ("ร้อยละของหนังสือที่ดำเนินการผ่านระบบสารบรรณอิเล็กทรอนิกส์", 2, 40.0),
             "10.1": ("ระดับความสำเร็จของการจัดทำแผนปฏิบัติราชการ", 3, 60.0)}
Offices = dict[str, tuple[str, float | None, float | None]]  # status, total, committee's total
# one harvest run a line, in the order harvested: fiscal year, round, when, and its offices
RUNS: list[tuple[int, int, str, Offices]] = [
    (2568, 12, "2025-10-10 09:00:00+07:00", {"B01": ("accepted", 3.5, None),
                                             "B02": ("accepted", 4.2, None),
                                             "B03": ("accepted", 3.9, None),
                                             "B04": ("incomplete", 1.16, None)}),
    (2569, 6, "2026-04-10 09:00:00+07:00", {"B01": ("accepted", 2.0, None)}),  # harvested again:
    (2569, 6, "2026-04-20 15:30:00+07:00", {"B01": ("accepted", 3.8, None),
                                            "B02": ("accepted", 4.0, None),
                                            "B03": ("accepted", 4.3, None),
                                            "B04": ("accepted", 3.6, None)}),
    (2567, 12, "2025-11-01 10:00:00+07:00", {"B01": ("accepted", 3.0, None)}),  # an older year
    (2569, 12, "2026-10-12 11:00:00+07:00", {"B01": ("accepted", 4.1, None),
                                             "B02": ("accepted", 3.7, None),
                                             "B03": ("accepted", 4.5, 4.3),
                                             "B04": ("missing", None, None),
                                             "B10": ("accepted", 3.0, None)}),
]
# the committee gave B03 4.0 instead of 4.5 on KPI 2.1 in 2569 R12 (run 5): 4.5 -> 4.3 in total
REVIEWED = (5, "B03", "2.1", "ไม่ได้รายงานความก้าวหน้า 1 ครั้ง หัก 0.5 คะแนน")
PERIODS = ["2567-R12", "2568-R12", "2569-R6", "2569-R12"]


def write_ledger(path: Path) -> Path:
    """A ledger of :data:`RUNS`, written as the schema lays it out."""
    con = sqlite3.connect(path)
    for migration in MIGRATIONS:
        con.executescript(migration)
    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    for fiscal_year, round_months, moment, offices in RUNS:
        run = insert(con, "runs", harvested_at=moment, organisation="กรมตัวอย่าง",
                     fiscal_year=fiscal_year, round=round_months, master_file="master.xlsx")
        for code, (status, total, verified) in offices.items():
            file = None if status == "missing" else f"{fiscal_year}-R{round_months}-{code}.xlsx"
            reading = None if file is None else _reading(con, file, code, status, total)
            insert(con, "offices", run=run, office=code, name=OFFICE_NAMES[code], status=status,
                   reading=reading, file=file, total_score=total, verified_total_score=verified)
    run, office, kpi, reason = REVIEWED
    insert(con, "verified", run=run, office=office, kpi=kpi, given=4.0, score=4.0,
           weighted_score=1.6, reason=reason, review_row=12)
    con.commit()
    con.close()
    return path


def insert(con: sqlite3.Connection, table: str, **values: object) -> int:
    """A row of ``table`` with ``values``; its other required columns get a blank of their
    type (what they hold does not matter to the history)."""
    for _, column, kind, required, default, _ in con.execute(f"PRAGMA table_info({table})"):
        if required and default is None and column not in values:
            values[column] = 0 if kind in ("INTEGER", "REAL") else ""
    marks = ", ".join("?" * len(values))
    row = con.execute(f"INSERT INTO {table} ({', '.join(values)}) VALUES ({marks})",
                      tuple(values.values())).lastrowid
    assert row is not None
    return row


def _reading(con: sqlite3.Connection, file: str, code: str, status: str,
             total: float | None) -> int:
    """A reading of ``file`` with its KPIs' results: an incomplete return lacks KPI 10.1's."""
    reading = insert(con, "readings", sha256=f"{file} {total}", file=file, office=code,
                     status=status, total_score=total, outcome=status)
    for kpi, (name, group, weight) in KPIS_HELD.items():
        score = 2.9 if status == "incomplete" and kpi == "2.1" else \
            None if status == "incomplete" else total
        insert(con, "results", reading=reading, kpi=kpi, name=name, kpi_group=group,
               weight=weight, result=None if score is None else round(score * 20, 4),
               score=score, sheet="รายงานผล", cell="K8",
               weighted_score=None if score is None else round(score * weight / 100, 4))
    return reading


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return write_ledger(tmp_path / "ledger.sqlite")


@pytest.fixture
def h(ledger: Path) -> History:
    return history(ledger)


# -- the tables -----------------------------------------------------------------------------

def test_each_period_is_its_last_run_in_time_order(h: History) -> None:
    p = h.periods
    assert list(p.index) == PERIODS
    assert list(p["run"]) == [4, 1, 3, 5]          # 2569 R6 harvested twice: run 3 counts
    assert p.loc["2569-R6", "harvested_at"] == pd.Timestamp("2026-04-20 15:30")
    assert list(p["organisation"]) == ["กรมตัวอย่าง"] * 4
    assert list(p["offices"]) == [1, 4, 4, 5]
    assert list(p["accepted"]) == [1, 3, 4, 4]
    # ROUND(AVERAGE(...), 4): 11.6 / 3 = 3.86666...
    assert list(p["average"]) == [3.0, 3.8667, 3.925, 3.775]


def test_totals_count_the_committees_total_and_only_accepted_offices(h: History) -> None:
    expected = pd.DataFrame(
        {"name": list(OFFICE_NAMES.values()),
         "2567-R12": [3.0, NAN, NAN, NAN, NAN],
         "2568-R12": [3.5, 4.2, 3.9, NAN, NAN],      # B04 incomplete: its 1.16 does not count
         "2569-R6": [3.8, 4.0, 4.3, 3.6, NAN],       # not run 2's 2.0
         "2569-R12": [4.1, 3.7, 4.3, NAN, 3.0]},     # B03: the committee's 4.3, not 4.5
        index=pd.Index(list(OFFICE_NAMES), name="office"))      # B10 after B04
    pd.testing.assert_frame_equal(h.totals, expected)
    assert h.statuses.loc["B04"].tolist()[1:] == ["incomplete", "accepted", "missing"]
    assert pd.isna(h.statuses.loc["B04", "2567-R12"])             # not in that run at all


def test_changes_compare_the_last_period_with_the_one_before(h: History) -> None:
    c = h.changes
    assert list(c.index) == ["B01", "B03", "B02", "B04", "B10"]   # most improved first
    assert c["trend"].tolist() == ["ดีขึ้น", "คงที่", "ลดลง", "เทียบไม่ได้", "เทียบไม่ได้"]
    assert c["change"].tolist()[:3] == [0.3, 0.0, -0.3]            # rounded: not 0.29999...
    assert c.loc["B03", ["previous", "last"]].tolist() == [4.3, 4.3]
    assert c.loc["B04", ["previous", "last"]].isna().tolist() == [False, True]


def test_kpis_give_each_periods_result_and_the_score_that_counts(h: History) -> None:
    k = h.kpis
    assert len(k) == 2 * (1 + 4 + 4 + 4)            # B04 missing in 2569 R12: no KPI rows
    assert k[["period", "office", "kpi"]].head(4).values.tolist() == [
        ["2567-R12", "B01", "2.1"], ["2567-R12", "B01", "10.1"],    # 2.1 before 10.1
        ["2568-R12", "B01", "2.1"], ["2568-R12", "B01", "10.1"]]
    b01 = k[(k["office"] == "B01") & (k["kpi"] == "2.1")]
    assert b01["score"].tolist() == [3.0, 3.5, 3.8, 4.1]          # run 2's 2.0 is not there
    reviewed = k[(k["period"] == "2569-R12") & (k["office"] == "B03")].set_index("kpi")
    assert reviewed.loc["2.1", ["result", "score", "weighted_score", "verified_score",
                                "verified_weighted_score", "used_score",
                                "used_weighted_score"]].tolist() == [
        90.0, 4.5, 1.8, 4.0, 1.6, 4.0, 1.6]
    assert reviewed.loc["2.1", "review_reason"] == REVIEWED[3]
    assert reviewed.loc["10.1", ["used_score", "used_weighted_score"]].tolist() == [4.5, 2.7]
    incomplete = k[(k["period"] == "2568-R12") & (k["office"] == "B04")].set_index("kpi")
    assert incomplete["status"].tolist() == ["incomplete", "incomplete"]
    assert incomplete.loc["10.1", ["result", "used_score"]].isna().all()
    assert incomplete.loc["2.1", "office_name"] == "กองการเจ้าหน้าที่"
    assert k["verified_result"].dtype == float                     # null throughout, a number
    # periods are ordered, so that a pivot keeps them in time order (not 2569-R12 before -R6)
    assert list(k.pivot(index=["office", "kpi"], columns="period", values="score").columns) == \
        PERIODS


def test_a_fiscal_year_keeps_it_and_the_year_before(ledger: Path) -> None:
    h = history(ledger, 2569)
    assert list(h.periods.index) == PERIODS[1:]
    assert list(h.totals.columns) == ["name", *PERIODS[1:]]
    assert set(h.kpis["fiscal_year"]) == {2568, 2569}
    earlier = history(ledger, 2568)
    assert list(earlier.periods.index) == PERIODS[:2]
    assert earlier.changes.loc["B01", ["change", "trend"]].tolist() == [0.5, "ดีขึ้น"]
    assert earlier.changes["trend"].tolist()[1:] == ["เทียบไม่ได้"] * 3
    assert history(ledger, 2600).periods.empty


def test_one_period_has_no_changes(ledger: Path) -> None:
    h = history(ledger, 2567)           # 2566 has none: 2567 R12 alone
    assert list(h.periods.index) == ["2567-R12"]
    assert h.changes.empty and list(h.changes.columns) == ["name", "previous", "last", "change",
                                                           "trend"]


def test_a_file_that_is_not_a_ledger_is_refused_in_thai(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).close()
    with pytest.raises(LedgerError, match="สมุดบันทึกผล"):
        history(other)
    (tmp_path / "text.sqlite").write_text("ไม่ใช่ฐานข้อมูล", encoding="utf-8")
    with pytest.raises(LedgerError, match="ไม่ใช่ฐานข้อมูล SQLite"):
        history(tmp_path / "text.sqlite")


def test_an_unreadable_record_is_refused_in_thai(ledger: Path) -> None:
    with contextlib.closing(sqlite3.connect(ledger)) as con, con:
        con.execute("UPDATE runs SET harvested_at = 'เมื่อวาน' WHERE run = 3")
    with pytest.raises(LedgerError, match=r"อ่านสมุดบันทึกผล .* ไม่ได้"):
        history(ledger)


# -- the workbook ---------------------------------------------------------------------------

def test_workbook_sheets_values_and_number_formats(h: History, tmp_path: Path) -> None:
    write_history(h, tmp_path / "history.xlsx")
    wb = load_workbook(tmp_path / "history.xlsx")
    assert wb.sheetnames == list(SHEETS)
    totals = wb[TOTALS]
    rows = list(totals.iter_rows(min_row=1, max_row=6, max_col=6, values_only=True))
    assert rows[0] == ("รหัสหน่วยงาน", "หน่วยงาน", "ปี 2567 รอบ 12 เดือน", "ปี 2568 รอบ 12 เดือน",
                       "ปี 2569 รอบ 6 เดือน", "ปี 2569 รอบ 12 เดือน")
    assert rows[1] == ("B01", "กองกลาง", 3.0, 3.5, 3.8, 4.1)
    assert rows[3] == ("B03", "กองแผนงาน", None, 3.9, 4.3, 4.3)
    assert rows[4] == ("B04", "กองการเจ้าหน้าที่", None, None, 3.6, None)
    assert totals["G5"].value == "ปี 2568 รอบ 12: ยังไม่ครบ\nปี 2569 รอบ 12: ยังไม่ส่ง"
    assert totals["D5"].fill.fgColor.rgb.endswith("F2F2F2")        # not accepted: grey
    assert totals["C5"].fill.fgColor.rgb in (None, "00000000")     # not in that run: nothing
    assert [c.value for c in totals[8][:6]] == ["คะแนนเฉลี่ยของหน่วยงานที่รับแล้ว", None, 3.0,
                                                3.8667, 3.925, 3.775]
    assert {totals.cell(r, c).number_format for r in (2, 8) for c in (3, 6)} == {"0.0000"}
    assert totals["F2"].data_type == "n"

    kpis = wb[KPIS]
    assert [kpis.cell(1, c).value for c in (5, 7, 9, 11)] == [
        "ปี 2567 รอบ 12 เดือน", "ปี 2568 รอบ 12 เดือน", "ปี 2569 รอบ 6 เดือน", "ปี 2569 รอบ 12 เดือน"]
    assert [kpis.cell(2, c).value for c in range(1, 7)] == [
        "รหัสหน่วยงาน", "หน่วยงาน", "รหัสตัวชี้วัด", "ตัวชี้วัด", "ผลการดำเนินงาน", "ค่าคะแนนที่ได้"]
    b03 = [r for r in kpis.iter_rows(min_row=3, values_only=True) if r[:3] == ("B03", "กองแผนงาน",
                                                                          "2.1")]
    assert b03 == [("B03", "กองแผนงาน", "2.1", KPIS_HELD["2.1"][0], None, None, 78.0, 3.9,
                    86.0, 4.3, 90.0, 4.0)]        # the committee's 4.0 in 2569 R12
    cell = next(c for c in kpis["L"] if c.value == 4.0)
    assert cell.font.b and cell.number_format == "0.0000"
    assert "ประเมินตนเอง 4.5000" in cell.comment.text and REVIEWED[3] in cell.comment.text
    assert kpis["K3"].number_format == "#,##0.####"

    changes = wb[CHANGES]
    assert [r[:6] for r in changes.iter_rows(min_row=2, max_row=6, values_only=True)] == [
        ("B01", "กองกลาง", 3.8, 4.1, 0.3, "ดีขึ้น"), ("B03", "กองแผนงาน", 4.3, 4.3, 0.0, "คงที่"),
        ("B02", "กองคลัง", 4.0, 3.7, -0.3, "ลดลง"),
        ("B04", "กองการเจ้าหน้าที่", 3.6, None, None, "เทียบไม่ได้"),
        ("B10", OFFICE_NAMES["B10"], None, 3.0, None, "เทียบไม่ได้")]
    assert changes["E2"].number_format == "+0.0000;-0.0000;0.0000"
    assert changes["G5"].value == "ปี 2569 รอบ 12: ยังไม่ส่ง"
    assert changes["C1"].value == "คะแนนรวม ปี 2569 รอบ 6 เดือน"

    overview = wb[OVERVIEW]
    texts = [c.value for row in overview.iter_rows() for c in row if isinstance(c.value, str)]
    assert "กรมตัวอย่าง" in texts and str(h.ledger) in texts
    assert "ปี 2567 รอบ 12 เดือน ถึง ปี 2569 รอบ 12 เดือน (4 รอบ)" in texts


def test_workbook_prints_on_a4_with_headers_repeated(h: History, tmp_path: Path) -> None:
    write_history(h, tmp_path / "history.xlsx")
    wb = load_workbook(tmp_path / "history.xlsx")
    titles = {TOTALS: "$1:$1", KPIS: "$1:$2", CHANGES: "$1:$1"}
    panes = {TOTALS: "C2", KPIS: "E3", CHANGES: "C2"}
    for name in SHEETS:
        ws = wb[name]
        assert ws.page_setup.paperSize == 9, name
        assert ws.page_setup.orientation == "landscape", name       # all are wide
        assert ws.protection.sheet and ws.protection.autoFilter is False, name
        assert "&P/&N" in ws.oddFooter.right.text, name
        if name in titles:
            assert ws.print_title_rows == titles[name], name
            assert ws.freeze_panes == panes[name], name
            assert ws.auto_filter.ref, name
    breaks = [b.id for b in wb[TOTALS].row_breaks.brk]
    assert breaks[0] == 10 and len(breaks) == 2             # a page for each chart
    assert 10 <= wb[TOTALS].page_setup.scale <= 100


def test_workbook_has_line_charts_of_the_average_and_the_movers(h: History,
                                                               tmp_path: Path) -> None:
    write_history(h, tmp_path / "history.xlsx")
    with zipfile.ZipFile(tmp_path / "history.xlsx") as archive:
        names = archive.namelist()
        charts = [archive.read(f"xl/charts/chart{n}.xml").decode() for n in (1, 2)]
    assert "xl/charts/chart3.xml" not in names
    assert all("<c:lineChart>" in chart for chart in charts)
    average, movers = charts
    assert re.findall(r"<c:f>([^<]+)</c:f>", average) == [
        f"{TOTALS}!$C$1:$F$1", f"{TOTALS}!$C$8:$F$8"]
    assert "<c:v>3.775</c:v>" in average                    # cached, for previews
    # B01 rose most, B02 fell: B03 (no change) and the offices without both totals are left out
    series = re.findall(r"<c:tx><c:v>([^<]+)</c:v>", movers)
    assert series == ["B01 กองกลาง", "B02 กองคลัง"]
    assert f"{TOTALS}!$C$2:$F$2" in movers and f"{TOTALS}!$C$3:$F$3" in movers
    assert '<a:prstDash val="dash"/>' in movers             # the fallen office's line


def test_one_period_writes_no_movers_chart(ledger: Path, tmp_path: Path) -> None:
    write_history(history(ledger, 2567), tmp_path / "one.xlsx")
    with zipfile.ZipFile(tmp_path / "one.xlsx") as archive:
        assert [n for n in archive.namelist() if n.startswith("xl/charts/")] == [
            "xl/charts/chart1.xml"]
    ws = load_workbook(tmp_path / "one.xlsx")[CHANGES]
    assert ws["A2"].value == "มีผลเพียงรอบเดียว ยังไม่มีรอบก่อนหน้าให้เปรียบเทียบ"


def test_nothing_to_show_is_refused_and_nothing_written(ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "history.xlsx"
    with pytest.raises(HistoryError, match=r"ไม่มีผลการรวบรวมของปีงบประมาณ 2570$"):
        write_history(history(ledger, 2570), out)     # 2569 only, not the year asked for
    with pytest.raises(HistoryError, match=r"ไม่มีผลการรวบรวมของปีงบประมาณ 2600$"):
        write_history(history(ledger, 2600), out)
    assert list(tmp_path.iterdir()) == [ledger]


def test_written_atomically(h: History, tmp_path: Path) -> None:
    out = tmp_path / "history.xlsx"
    out.write_bytes(b"the previous file")
    with pytest.raises(OutputError, match="เขียนไฟล์ประวัติผล"):
        write_history(h, tmp_path / "no such folder" / "history.xlsx")
    write_history(h, out)
    assert zipfile.is_zipfile(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.xlsx", "ledger.sqlite"]


def test_libreoffice_opens_and_prints_the_workbook(h: History, tmp_path: Path,
                                                   libreoffice: Converter) -> None:
    write_history(h, tmp_path / "history.xlsx")
    [pdf] = libreoffice([tmp_path / "history.xlsx"], tmp_path / "pdf", "pdf")
    pages = pdf_pages(pdf)
    words = "".join(pages)
    # (pdftotext may reorder a Thai word's marks: words without stacked marks)
    for expected in ("ประวัติผลการดำเนินงาน", "3.7750", "+0.3000", "ลดลง", "4.0000"):
        assert expected in words, expected
    assert len(pages) >= 5              # each sheet, and the charts on a page of their own


# -- the command ----------------------------------------------------------------------------

def test_history_command_writes_the_workbook(ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "history.xlsx"
    result = CliRunner().invoke(history_command, [str(ledger), "--out", str(out),
                                                  "--fiscal-year", "2569"])
    assert result.exit_code == 0, result.output
    assert result.output == (f"เขียนไฟล์ประวัติผล {out} แล้ว: 5 หน่วยงาน 3 รอบ "
                             "(ปี 2568 รอบ 12 เดือน ถึง ปี 2569 รอบ 12 เดือน)\n")
    assert load_workbook(out)[TOTALS]["C1"].value == "ปี 2568 รอบ 12 เดือน"


def test_history_command_errors_are_thai_lines_not_tracebacks(ledger: Path,
                                                               tmp_path: Path) -> None:
    commands = type(cli)(commands=[history_command])      # the command line's error handling
    other = tmp_path / "other.sqlite"
    with contextlib.closing(sqlite3.connect(other)) as con:
        con.execute("CREATE TABLE notes (text)")
    out = tmp_path / "history.xlsx"
    for args, message in (
            ([str(other)], "เป็นฐานข้อมูลของโปรแกรมอื่น"),
            ([str(ledger), "--fiscal-year", "2575"], "ไม่มีผลการรวบรวมของปีงบประมาณ"),
            ([str(ledger)], "ไม่มีโฟลเดอร์")):
        target = tmp_path / "missing" / "h.xlsx" if message == "ไม่มีโฟลเดอร์" else out
        result = CliRunner().invoke(commands, ["history", *args, "--out", str(target)])
        assert result.exit_code == 2, result.output
        assert message in result.stderr and "Traceback" not in result.output
    usage = CliRunner().invoke(history_command, [str(ledger), "--out", str(out),
                                                 "--fiscal-year", "69"])
    assert usage.exit_code == 2 and "--fiscal-year" in usage.output
    assert not out.exists()
