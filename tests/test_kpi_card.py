"""The KPI card, the per-KPI report and the report table people read and print (issue #15).

The master's card columns and organisation KPIs are read and checked; the office workbook shows
them on its cards (with a baseline table and chart), prints one A4 page per KPI with large text
areas, and prints the report table legibly; harvest finds the texts by name, also in returns
re-saved by LibreOffice.
"""

from __future__ import annotations

import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from workbook_engine.devkit.testing import fill_return, name_target
from workbook_engine.forms import layout as L
from workbook_engine.forms.generate import generate
from workbook_engine.harvesting.run import harvest, json_text
from workbook_engine.master import format as mf
from workbook_engine.master.reader import load_master, read_master
from workbook_engine.model import TEXT_INPUTS, KpiCard, Master, name_key
from workbook_engine.summary.workbook import DETAILS, write_summary

from .conftest import Converter, pdf_pages
from .inline import write_master

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "templates" / "master.xlsx"

KPIS = """
    | รหัสตัวชี้วัด | ชื่อตัวชี้วัด | กลุ่ม | หน่วยวัด | ประเภท | ทิศทาง | ตัวชี้วัดองค์กร | คำอธิบาย | สูตรการคำนวณ | ข้อมูลที่ต้องรายงาน |
    | '1.1' | คะแนนองค์กร | 1 | คะแนน | ใช้ผลคะแนนองค์กร | | ORG-1 | ตามกรม | ตามผลของกรม | - |
    | '2.1' | ร้อยละความสำเร็จ | 2 | ร้อยละ | เชิงปริมาณ | มากดี | ORG-2 | งานหลัก | (ทำได้ ÷ เป้าหมาย) × 100 | ทะเบียนงาน |
    | '2.2' | ระยะเวลาเฉลี่ย | 2 | วัน | เชิงปริมาณ | น้อยดี | ORG-2 | เร็วขึ้น | วันรวม ÷ เรื่อง | ทะเบียนเรื่อง |
    | '3.1' | ระดับความสำเร็จดิจิทัล | 3 | ระดับ | ระดับความสำเร็จ | | | ขั้นตอน | | |
"""
ASSIGNMENTS = """
    | รหัสหน่วยงาน | รหัสตัวชี้วัด | น้ำหนัก | ระดับ 1 | ระดับ 2 | ระดับ 3 | ระดับ 4 | ระดับ 5 | ค่าเป้าหมาย | ผู้กำกับดูแลตัวชี้วัด | ผู้จัดเก็บข้อมูล | ข้อมูลพื้นฐาน 2566 | ข้อมูลพื้นฐาน 2567 | ข้อมูลพื้นฐาน 2568 |
    | B01 | '1.1' | 20 | | | | | | | | | | | |
    | B01 | '2.1' | 40 | 60 | 70 | 80 | 90 | 100 | ร้อยละ 80 | นางหนึ่ง | นายสอง | 71.5 | - | 79 |
    | B01 | '2.2' | 20 | 5 | 4 | 3 | 2 | 1 | 3 วัน | นางหนึ่ง | นายห้า | | | 4.2 |
    | B01 | '3.1' | 20 | | | | | | ระดับ 3 | | | 2 | 3 | 3 |
    | B02 | '2.1' | 50 | 92.5 | 95 | 97.5 | 100 | 102.5 | | | | | | |
    | B02 | '3.1' | 50 | | | | | | | | | | | |
"""
ORG_KPIS = """
    | รหัสตัวชี้วัดองค์กร | ชื่อตัวชี้วัดองค์กร | หน่วยวัด | ค่าเป้าหมาย |
    | ORG-1 | ผลการประเมินของกรม | คะแนน | 4.0 |
    | ORG-2 | บริการดิจิทัล | ร้อยละ | ร้อยละ 90 |
"""


def card_master(path: Path, **changes: str | None) -> Path:
    """The inline valid master with the KPI card columns and organisation KPIs."""
    tables: dict[str, str | None] = {mf.KPIS_SHEET: KPIS, mf.ASSIGNMENTS_SHEET: ASSIGNMENTS,
                                     mf.ORG_KPIS_SHEET: ORG_KPIS}
    return write_master(path, **{**tables, **changes})


def problems(path: Path) -> list[tuple[str, str | None, str | None]]:
    return [(p.code, p.sheet, p.cell) for p in read_master(path).problems]


# -- the master ------------------------------------------------------------------------------

def test_card_columns_and_organisation_kpis_are_read(tmp_path: Path) -> None:
    master = load_master(card_master(tmp_path / "m.xlsx"))
    kpi = master.kpis["2.1"]
    assert (kpi.formula, kpi.data_required) == ("(ทำได้ ÷ เป้าหมาย) × 100", "ทะเบียนงาน")
    assert master.card("B01", "2.1") == KpiCard(
        "ร้อยละ 80", "นางหนึ่ง", "นายสอง", ((2566, Decimal("71.5")), (2568, Decimal(79))))
    assert master.card("B01", "2.2").baseline == ((2568, Decimal("4.2")),)
    assert master.card("B02", "3.1") == KpiCard()          # nothing given: an empty card
    assert master.org_kpis["ORG-2"].name == "บริการดิจิทัล"
    assert master.org_kpis["ORG-1"].target == "4"           # a number shown as typed
    assert not read_master(tmp_path / "m.xlsx").problems


def test_a_master_without_the_card_columns_reads_as_before(tmp_path: Path) -> None:
    master = load_master(write_master(tmp_path / "m.xlsx"))
    assert master.cards == {} and master.org_kpis == {}
    assert master.kpis["2.1"].formula == ""


def test_an_organisation_kpi_not_listed_is_an_error_at_its_cell(tmp_path: Path) -> None:
    listed = ORG_KPIS.replace("| ORG-2 | บริการดิจิทัล | ร้อยละ | ร้อยละ 90 |", "")
    found = problems(card_master(tmp_path / "m.xlsx", **{mf.ORG_KPIS_SHEET: listed}))
    column = "G"      # ตัวชี้วัดองค์กร on ตัวชี้วัด
    assert found == [("MASTER_UNKNOWN_ORG_KPI", mf.KPIS_SHEET, f"{column}3"),
                     ("MASTER_UNKNOWN_ORG_KPI", mf.KPIS_SHEET, f"{column}4")]
    message = read_master(tmp_path / "m.xlsx").problems[0].message
    assert "ORG-2" in message and "ตัวชี้วัดองค์กร" in message


def test_duplicate_organisation_kpi_and_missing_name(tmp_path: Path) -> None:
    table = ORG_KPIS + "| ORG-1 | ซ้ำ | | |\n| ORG-3 | | | |\n"
    found = problems(card_master(tmp_path / "m.xlsx", **{mf.ORG_KPIS_SHEET: table}))
    assert ("MASTER_DUPLICATE_CODE", mf.ORG_KPIS_SHEET, "A4") in found
    assert ("MASTER_VALUE_MISSING", mf.ORG_KPIS_SHEET, "B5") in found


def test_baseline_problems_are_located(tmp_path: Path) -> None:
    table = ASSIGNMENTS.replace("ข้อมูลพื้นฐาน 2567", "ข้อมูลพื้นฐาน ปีที่แล้ว").replace(
        "| 71.5 |", "| ไม่มีข้อมูล |")
    path = card_master(tmp_path / "m.xlsx", **{mf.ASSIGNMENTS_SHEET: table})
    found = problems(path)
    assert ("MASTER_BASELINE_YEAR", mf.ASSIGNMENTS_SHEET, "M1") in found    # a warning
    assert ("MASTER_VALUE_INVALID", mf.ASSIGNMENTS_SHEET, "L3") in found    # an error
    assert read_master(path).master is None


# -- the office workbook -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped() -> Master:
    return load_master(SHIPPED)


def test_the_shipped_master_fills_every_card(shipped: Master) -> None:
    for a in shipped.assignments:
        card, kpi = shipped.card(a.office, a.kpi), shipped.kpis[a.kpi]
        assert card.target and card.owner and card.collector, (a.office, a.kpi)
        assert kpi.formula and kpi.data_required and kpi.org_kpi in shipped.org_kpis
    assert any(len(shipped.card(a.office, a.kpi).baseline) >= 2 for a in shipped.assignments)
    assert any(len(shipped.card(a.office, a.kpi).baseline) == 1 for a in shipped.assignments)


@pytest.fixture(scope="module")
def b01(shipped: Master, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("card")
    [made] = generate(shipped, 12, out, offices=["B01"], jobs=1)
    return out / made.file


def test_cards_show_the_new_facts_and_a_chart_per_baseline_of_two_years(shipped: Master,
                                                                       b01: Path) -> None:
    ws = load_workbook(b01)[L.DETAILS_SHEET]
    facts = {}
    for label, value in ws.iter_rows(values_only=True):
        facts.setdefault(label, []).append(value)
    for label in ("สูตรการคำนวณ", "ข้อมูลที่ต้องรายงาน", "ค่าเป้าหมาย", "ผู้กำกับดูแลตัวชี้วัด",
                  "ผู้จัดเก็บข้อมูล"):
        assert len(facts[label]) == len(shipped.assignments_for("B01"))
    card = shipped.card("B01", "2.1")
    assert facts["ค่าเป้าหมาย"][2] == card.target and facts["ผู้จัดเก็บข้อมูล"][2] == card.collector
    org = shipped.org_kpis[shipped.kpis["2.1"].org_kpi or ""]
    assert f"{org.code} {org.name}" in facts["ถ่ายทอดจากตัวชี้วัดองค์กร"]
    for year, value in card.baseline:
        assert facts[str(year)].count(value) >= 1
    charted = sum(len(shipped.card("B01", a.kpi).baseline) >= 2
                  for a in shipped.assignments_for("B01"))
    with zipfile.ZipFile(b01) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert charted and len(charts) == charted


def test_each_kpi_has_a_page_with_its_facts_live_result_and_named_text_areas(
        shipped: Master, b01: Path) -> None:
    book = load_workbook(b01)
    ws = book[L.KPI_REPORT_SHEET]
    for index, a in enumerate(shipped.assignments_for("B01", 12)):
        first = L.page_row(index)
        assert ws[f"A{first}"].value.startswith(f"ตัวชี้วัดที่ {a.kpi} ")
        card = shipped.card("B01", a.kpi)
        page = {ws[f"A{r}"].value: ws[f"B{r}"].value
                for r in range(first + 1, first + L.PAGE_TEXT_OFFSET["data"])}
        assert page["ค่าเป้าหมาย"] == card.target and page["ผู้จัดเก็บข้อมูล"] == card.collector
        row = first + L.PAGE_RESULT_OFFSET
        report_row = L.kpi_row(index)
        assert ws[f"B{row}"].value == (f"=IF(ISBLANK('{L.REPORT_SHEET}'!K{report_row}),\"\","
                                       f"'{L.REPORT_SHEET}'!K{report_row})")
        assert ws[f"B{row + 1}"].value == f"='{L.REPORT_SHEET}'!L{report_row}"
        for text in TEXT_INPUTS:
            name = f"{text.name_prefix}_{name_key(a.kpi)}"
            assert name_target(book, name) == (L.KPI_REPORT_SHEET, L.text_ref(index, text))
            cell = ws[L.text_ref(index, text)]
            assert cell.protection.locked is False and cell.alignment.wrap_text
            assert ws.row_dimensions[cell.row].height >= 60


def test_printed_one_page_per_kpi_and_a_report_table_that_fits_across(
        shipped: Master, b01: Path, tmp_path: Path, libreoffice: Converter) -> None:
    """Rendered by LibreOffice: every KPI's page is one A4 page of its own, and the report
    table's pages carry all its columns (none spills onto a page of its own)."""
    [pdf] = libreoffice([b01], tmp_path, "pdf")
    pages = pdf_pages(pdf)
    codes = [a.kpi for a in shipped.assignments_for("B01", 12)]
    own = [p for p in pages if "เกณฑ์การให้คะแนน" in p and "อุปสรรค" in p]
    assert len(own) == len(codes)
    for page, code in zip(own, codes, strict=True):
        assert f"{code}" in page[:100]
        for heading in ("ข้อมูลผลการดำเนินงาน", "มาตรการที่ได้ดำเนินการ", "ปัจจัยสนับสนุน",
                        "อุปสรรค", "หลักฐานอ้างอิง"):        # the five text areas' headings
            assert heading in page, (code, heading)
    report = [p for p in pages if "ค่าคะแนน" in p and "ระดับ5" in p and p not in own]
    assert report, "the report table was printed"
    for page in report:       # its first and last columns on every page it takes
        assert "กลุ่ม" in page and "คะแนนถ่วง" in page


def test_texts_typed_by_name_reach_the_summary_and_json_also_after_libreoffice(
        shipped: Master, b01: Path, tmp_path: Path, libreoffice: Converter) -> None:
    """Every text input of every KPI, filled by its defined name, then the file re-saved by
    LibreOffice as a coordinator using it would: harvest reads each text where its name leads,
    and it is in the summary's details and in the JSON."""
    codes = [a.kpi for a in shipped.assignments_for("B01", 12)]
    texts = {code: {t.name_prefix: f"{t.header} ของตัวชี้วัด {code}" for t in TEXT_INPUTS}
             for code in codes}
    results = {"1.2": 4, "2.1": 81, "2.2": 9, "2.3": 3, "3.1": 93, "3.2": 2, "3.3": 4,
               "3.4": 95, "3.6": 6}
    (tmp_path / "filled").mkdir()
    filled = fill_return(b01, tmp_path / "filled" / b01.name, results, texts)
    [resaved] = libreoffice([filled], tmp_path / "lo", "xlsx")
    report = harvest([resaved], shipped, 12, jobs=1)
    [office] = [o for o in report.offices if o.office == "B01"]
    assert office.status.value == "accepted"
    for kpi in office.kpis:
        assert kpi.texts == {t.key: texts[kpi.kpi][t.name_prefix] for t in TEXT_INPUTS}
    document = json.loads(json_text(report))
    [entry] = [o for o in document["offices"] if o["office"] == "B01"]
    for kpi in entry["kpis"]:
        assert kpi["texts"] == {t.key: texts[kpi["kpi"]][t.name_prefix] for t in TEXT_INPUTS}
    write_summary(report, tmp_path / "summary.xlsx")
    cells = {c for row in load_workbook(tmp_path / "summary.xlsx")[DETAILS].iter_rows(
        values_only=True) for c in row}
    assert all(text in cells for by_prefix in texts.values() for text in by_prefix.values())


def test_kpi_page_result_and_score_recalculate_as_the_report_table(
        shipped: Master, b01: Path, tmp_path: Path, libreoffice: Converter) -> None:
    (tmp_path / "in").mkdir()
    filled = fill_return(b01, tmp_path / "in" / b01.name, {"2.1": 81, "3.3": 4}, {})
    [done] = libreoffice([filled], tmp_path / "out")
    book = load_workbook(done, data_only=True)
    report, pages = book[L.REPORT_SHEET], book[L.KPI_REPORT_SHEET]
    for index, _a in enumerate(shipped.assignments_for("B01", 12)):
        row, page = L.kpi_row(index), L.page_row(index) + L.PAGE_RESULT_OFFSET
        typed = report[f"K{row}"].value
        assert pages[f"B{page}"].value in ((None, "") if typed is None else (typed,))
        assert pages[f"B{page + 1}"].value == report[f"L{row}"].value
