"""The summary's organisation-KPI roll-up (``สรุปตัวชี้วัดองค์กร``): one row per organisation KPI,
live formulas over the cascade sheet whose cached values are Python's, and LibreOffice agreeing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.formula import ArrayFormula

from workbook_engine.harvesting.outcomes import HarvestReport, KpiOutcome, OfficeOutcome, Status
from workbook_engine.kinds import QUANTITATIVE
from workbook_engine.master.format import Direction
from workbook_engine.model import OrgKpi
from workbook_engine.scoring import total_score, weighted_score
from workbook_engine.summary.workbook import (
    CASCADE,
    ORG_ROLLUP,
    ROLLUP_COLUMNS,
    ROLLUP_INDEX,
    SHEETS,
    org_tallies,
    write_summary,
)
from workbook_engine.values import to_decimal
from workbook_engine.xlsx.writer import PREFIXED_FUNCTIONS

from .conftest import Converter

CRITERIA = tuple(Decimal(c) for c in (60, 70, 80, 90, 100))   # result 80 scores 3 exactly
HEADERS = ["รหัสตัวชี้วัดองค์กร", "ชื่อตัวชี้วัดองค์กร", "หน่วยวัด", "ค่าเป้าหมาย",
           "ถ่ายทอดให้ (หน่วยงาน)", "รายงานแล้ว (ตัวชี้วัด)", "คะแนนเฉลี่ย", "ต่ำสุด", "สูงสุด",
           "ต่ำกว่า 3.00 (ตัวชี้วัด)", "หน่วยงานที่ต่ำกว่า 3.00"]
FIGURES = ("reported", "mean", "lowest", "highest", "below")
LONG_NAME = "ร้อยละของหน่วยงานที่นำระบบบริการดิจิทัลไปใช้ในการให้บริการประชาชนอย่างครบถ้วนทุกขั้นตอน" * 2


def kpi(code: str, org: str | None, result: str | None, weight: int = 20,
        places: int = 4) -> KpiOutcome:
    """A quantitative KPI (criteria 60-100, higher is better) scored as harvest scores it;
    weight 0: not assessed in the round, so neither result nor score."""
    assessed = weight > 0 and result is not None
    value = Decimal(result) if assessed and result is not None else None
    score = QUANTITATIVE.score(value, CRITERIA, Direction.HIGHER, 1, None, places) \
        if value is not None else None
    return KpiOutcome(code, f"ตัวชี้วัด {code}", int(code[0]), "ร้อยละ", QUANTITATIVE,
                      Direction.HIGHER.value, org, Decimal(weight), CRITERIA, value, score,
                      None if score is None else weighted_score(score, Decimal(weight), places))


def office(code: str, name: str, status: Status, kpis: list[KpiOutcome]) -> OfficeOutcome:
    total = total_score(k.weighted for k in kpis if k.assessed) \
        if status is Status.ACCEPTED else None
    return OfficeOutcome(code, name, status, file=f"{code}.xlsx" if kpis else None,
                         total_score=total, kpis=kpis)


def build(places: int = 4) -> HarvestReport:
    """Four offices; ORG-1 reported by two (3.4000 and 1.5000), ORG-2 by two (3.0000 exactly,
    not below the bar, and 2.9990) beside two KPIs of weight 0, ORG-3 by nobody, ORG-8 only in the
    assignments (cascaded to an office that sent nothing), ORG-9 only on a KPI (3.0001 and
    3.0002: a mean of 3.00015, which ROUND takes away from zero)."""
    def k(code: str, org: str | None, result: str | None, weight: int = 20) -> KpiOutcome:
        return kpi(code, org, result, weight, places)

    offices = [
        office("B01", "สำนักงานเลขานุการกรม", Status.ACCEPTED,
               [k("1.1", "ORG-1", "84"), k("2.1", "ORG-2", "80"),
                k("2.2", "ORG-2", "95", weight=0), k("2.3", "ORG-9", "80.001"),
                k("3.1", None, "90", weight=40)]),
        office("B02", "กองคลัง", Status.ACCEPTED,
               [k("1.1", "ORG-1", "65"), k("2.1", "ORG-2", "79.99"),
                # weight 0 in the round, with a score left over: still not a report
                dataclasses.replace(k("2.2", "ORG-2", "95"), weight=Decimal(0)),
                k("2.3", "ORG-9", "80.002"), k("3.1", None, "70", weight=40)]),
        office("B03", "กองแผนงาน", Status.INCOMPLETE,
               [k("1.1", "ORG-1", None), k("4.1", "ORG-3", None, weight=80)]),
        office("B04", "กองการเจ้าหน้าที่", Status.MISSING, []),
    ]
    org_kpis = {"ORG-1": OrgKpi("ORG-1", LONG_NAME, "ร้อยละ", "80"),
                "ORG-2": OrgKpi("ORG-2", "ความพึงพอใจของผู้รับบริการ", "ร้อยละ", "85"),
                "ORG-3": OrgKpi("ORG-3", "ระดับความสำเร็จของการจัดการความรู้", "ระดับ", "3")}
    cascaded = {"ORG-1": ("B01", "B02", "B03"), "ORG-2": ("B01", "B02"), "ORG-3": ("B03",),
                "ORG-8": ("B04",)}
    return HarvestReport("กรมทดสอบระบบ", 2569, 12, dt.datetime(2026, 10, 15, 9, 0), "0.1.0", "1",
                         offices, [], [], places=places, org_kpis=org_kpis, cascaded=cascaded)


# the rows the roll-up must show: code, name, cascaded-to, reported, mean, lowest, highest,
# below the bar, offices below it ("" for a figure with nobody reporting)
EXPECTED = [
    ("ORG-1", LONG_NAME, 3, 2, "2.4500", "1.5000", "3.4000", 1, "B02 กองคลัง"),
    ("ORG-2", "ความพึงพอใจของผู้รับบริการ", 2, 2, "2.9995", "2.9990", "3.0000", 1, "B02 กองคลัง"),
    ("ORG-3", "ระดับความสำเร็จของการจัดการความรู้", 1, 0, "", "", "", "", ""),
    ("ORG-8", "", 1, 0, "", "", "", "", ""),
    ("ORG-9", "", 0, 2, "3.0002", "3.0001", "3.0002", 0, ""),
]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rollup") / "s.xlsx"
    write_summary(build(), path)
    return path


def figure(value: object) -> str:
    """A score cell's value to 4 decimals, as text; a blank as ""."""
    if value is None or value == "":
        return ""
    assert isinstance(value, int | float), value
    return str(to_decimal(value).quantize(Decimal("0.0001")))


def rows_of(path: Path) -> list[tuple[object, ...]]:
    ws = load_workbook(path, data_only=True)[ORG_ROLLUP]
    col = ROLLUP_INDEX
    found = []
    for row in ws.iter_rows(min_row=2, values_only=True):
        counts = [int(row[col[key]]) if row[col[key]] not in (None, "") else ""
                  for key in ("reported", "below")]
        found.append((row[col["org"]], row[col["name"]] or "", row[col["cascaded"]], counts[0],
                      *(figure(row[col[key]]) for key in ("mean", "lowest", "highest")),
                      counts[1], row[col["below_offices"]] or ""))
    return found


def test_the_rollup_sheet_comes_after_the_cascade_and_looks_like_the_others(
        written: Path) -> None:
    wb = load_workbook(written)
    assert wb.sheetnames == list(SHEETS)
    assert SHEETS.index(ORG_ROLLUP) == SHEETS.index(CASCADE) + 1
    ws = wb[ORG_ROLLUP]
    assert [c.value for c in ws[1]] == HEADERS == [h for _, h, _ in ROLLUP_COLUMNS]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:K6"
    assert ws.protection.sheet and ws.protection.autoFilter is False    # filtering allowed
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$1:$1"
    name = ws.cell(2, ROLLUP_INDEX["name"] + 1)
    assert name.alignment.wrap_text and ws.row_dimensions[2].height > ws.row_dimensions[3].height


def test_one_row_per_organisation_kpi_with_python_values_cached(written: Path) -> None:
    """Every code of the master's organisation KPIs, of the assignments and of the KPIs, sorted;
    a score of exactly 3.00 is not below the bar, a KPI of weight 0 is not a report, and
    nobody reporting leaves the figures blank."""
    assert rows_of(written) == EXPECTED
    ws = load_workbook(written)[ORG_ROLLUP]
    assert [ws.cell(r, 3).value for r in range(2, 7)] == ["ร้อยละ", "ร้อยละ", "ระดับ", None, None]
    assert [ws.cell(r, 4).value for r in range(2, 7)] == ["80", "85", "3", None, None]


def test_the_figures_are_formulas_over_the_cascade_sheet(written: Path) -> None:
    ws = load_workbook(written)[ORG_ROLLUP]
    col = {key: ROLLUP_INDEX[key] + 1 for key in FIGURES}
    cascade = f"'{CASCADE}'!$A$2:$A$11"         # 10 cascade rows: every KPI with an org KPI
    reported = ws.cell(2, col["reported"]).value
    assert reported == f"=SUMPRODUCT(({cascade}=$A2)*ISNUMBER('{CASCADE}'!$G$2:$G$11))"
    mean = ws.cell(2, col["mean"]).value
    assert mean.startswith("=IF(F2>0,ROUND(SUMPRODUCT(") and mean.endswith(",4),\"\")")
    for key, function in (("lowest", "MIN(IF("), ("highest", "MAX(IF(")):
        cell = ws.cell(3, col[key]).value
        assert isinstance(cell, ArrayFormula) and cell.ref == ws.cell(3, col[key]).coordinate
        assert function in cell.text and "$A3" in cell.text
    below = ws.cell(4, col["below"]).value
    assert below.startswith("=IF(F4>0,SUMPRODUCT(") and "<3))" in below
    texts = [c.text if isinstance(c, ArrayFormula) else c
             for row in ws.iter_rows(min_row=2) for c in (cell.value for cell in row)
             if isinstance(c, ArrayFormula) or (isinstance(c, str) and c.startswith("="))]
    assert len(texts) == 5 * len(EXPECTED)
    assert [t for t in texts if PREFIXED_FUNCTIONS.search(t) or "_xlfn" in t] == []
    assert ws.cell(2, ROLLUP_INDEX["cascaded"] + 1).value == 3          # a written count


def test_tallies_count_assessed_scores_once_per_kpi() -> None:
    tallies = org_tallies(build())
    assert list(tallies) == ["ORG-1", "ORG-2", "ORG-3", "ORG-8", "ORG-9"]
    assert tallies["ORG-2"].scores == [Decimal("3.0000"), Decimal("2.9990")]   # not the weight 0
    assert [o.office for o in tallies["ORG-2"].below] == ["B02"]
    assert tallies["ORG-2"].below_offices() == "B02 กองคลัง"
    assert tallies["ORG-3"].scores == [] and tallies["ORG-8"].scores == []


def test_a_master_without_organisation_kpis_gives_a_header_only_sheet(tmp_path: Path) -> None:
    report = build()
    plain = [dataclasses.replace(o, kpis=[dataclasses.replace(k, org_kpi=None) for k in o.kpis])
             for o in report.offices]
    write_summary(dataclasses.replace(report, offices=plain, org_kpis={}, cascaded={}),
                  tmp_path / "s.xlsx")
    ws = load_workbook(tmp_path / "s.xlsx")[ORG_ROLLUP]
    assert ws.max_row == 1 and [c.value for c in ws[1]] == HEADERS


def test_two_places_round_to_two(tmp_path: Path) -> None:
    write_summary(build(places=2), tmp_path / "s.xlsx")
    ws = load_workbook(tmp_path / "s.xlsx")[ORG_ROLLUP]
    assert ws.cell(2, ROLLUP_INDEX["mean"] + 1).value.endswith(",2),\"\")")
    assert ws.cell(2, ROLLUP_INDEX["mean"] + 1).number_format == "0.00"


def with_cached(source: Path, target: Path, value: str) -> Path:
    """A copy of the summary ``source`` whose roll-up formulas all cache ``value``."""
    sheet = f"xl/worksheets/sheet{SHEETS.index(ORG_ROLLUP) + 1}.xml"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == sheet:
                text = re.sub(r'( t="str")?(><f[^>]*>[^<]*</f>)<v>[^<]*</v>', rf"\2<v>{value}</v>",
                              data.decode())
                data = text.encode()
            new.writestr(item, data)
    return target


def test_libreoffice_recalculates_what_python_cached(written: Path, tmp_path: Path,
                                                    libreoffice: Converter) -> None:
    """LibreOffice recalculating every formula gives the cached values to 4 decimals: the
    blank of nobody reporting, the tie at 3.00 (not below), the weight-0 KPI left out, and the
    mean 3.00015 rounded half away from zero. A copy caching 9 everywhere comes out the same,
    so the values are LibreOffice's, not the caches read back."""
    stale = with_cached(written, tmp_path / "stale.xlsx", "9")
    assert {row[3:8] for row in rows_of(stale)} == {(9, "9.0000", "9.0000", "9.0000", 9)}
    recalculated, from_stale = libreoffice([written, stale], tmp_path / "lo")
    assert rows_of(recalculated) == EXPECTED == rows_of(written)
    assert rows_of(from_stale) == EXPECTED
    ws = load_workbook(recalculated)[ORG_ROLLUP]      # still formulas after the round trip
    assert str(ws.cell(2, ROLLUP_INDEX["mean"] + 1).value).startswith("=IF(")
    lowest = ws.cell(2, ROLLUP_INDEX["lowest"] + 1).value
    assert isinstance(lowest, ArrayFormula) and "MIN(IF(" in lowest.text
