"""The summary workbook: sheets, plain coordinator text, atomic write, formulas equal Python."""

from __future__ import annotations

import dataclasses
import os
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from workbook_engine.devkit.testing import fill_return
from workbook_engine.errors import OutputError
from workbook_engine.forms.generate import generate
from workbook_engine.harvesting.outcomes import HarvestReport, Status
from workbook_engine.harvesting.run import harvest
from workbook_engine.master.reader import load_master
from workbook_engine.summary.workbook import (
    CASCADE,
    DETAIL_INDEX,
    DETAILS,
    OFFICES,
    OVERVIEW,
    SHEETS,
    SummaryWriter,
    write_summary,
)
from workbook_engine.values import to_decimal

from .conftest import Converter
from .inline import write_master

TRICKY = ["=1+1", "@SUM(A1)", "+66 81 234 5678", "-ลดลงร้อยละ 5", "ก" * 5000]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> HarvestReport:
    root = tmp_path_factory.mktemp("summary")
    master = load_master(write_master(root / "master.xlsx"))
    generate(master, 12, root / "gen", jobs=1)
    (root / "returns").mkdir()
    texts = {"2.1": {"NOTE": TRICKY[0], "DATA": TRICKY[1], "SUPPORT": TRICKY[2],
                     "OBSTACLE": TRICKY[3], "EVIDENCE": TRICKY[4]}}
    fill_return(root / "gen" / "2569-R12-B01.xlsx", root / "returns" / "B01.xlsx",
                {"2.1": 84, "2.2": "3.5", "3.1": 4}, texts)
    fill_return(root / "gen" / "2569-R12-B02.xlsx", root / "returns" / "B02.xlsx",
                {"2.1": 96.3})
    return harvest([root / "returns"], master, 12)


def test_sheets_headers_filters_and_protection(report: HarvestReport, tmp_path: Path) -> None:
    write_summary(report, tmp_path / "s.xlsx")
    wb = load_workbook(tmp_path / "s.xlsx")
    assert wb.sheetnames == list(SHEETS)
    for name in SHEETS[1:]:
        ws = wb[name]
        assert ws.auto_filter.ref and ws.freeze_panes == "A2", name
        assert ws.protection.sheet and ws.protection.autoFilter is False, name  # filter allowed
        assert ws.page_setup.paperSize == 9
    details = wb[DETAILS]
    assert details.max_row == 1 + 4 + 2
    assert details.cell(2, DETAIL_INDEX["source_cell"] + 1).value is None  # inherited: no cell
    assert details.cell(3, DETAIL_INDEX["source_cell"] + 1).value == "K8"
    assert details.cell(3, DETAIL_INDEX["source_sheet"] + 1).value == "รายงานผล"


def test_coordinator_text_stays_plain_text(report: HarvestReport, tmp_path: Path) -> None:
    write_summary(report, tmp_path / "s.xlsx")
    ws = load_workbook(tmp_path / "s.xlsx")[DETAILS]
    row = 3  # B01, KPI 2.1
    cells = [ws.cell(row, DETAIL_INDEX[k] + 1) for k in ("note", "data", "support", "obstacle",
                                                          "evidence")]
    assert [c.value for c in cells] == TRICKY
    assert all(c.data_type == "s" for c in cells)


def test_write_is_atomic(report: HarvestReport, tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "s.xlsx"
    target.write_bytes(b"previous summary")

    def refuse(_src: object, _dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError) as raised:
        write_summary(report, target)
    assert "s.xlsx" in str(raised.value)
    assert target.read_bytes() == b"previous summary"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.xlsx"]


def test_unwritable_folder_raises_output_error(report: HarvestReport, tmp_path: Path) -> None:
    with pytest.raises(OutputError):
        write_summary(report, tmp_path / "no-such-folder" / "s.xlsx")


def test_formulas_recalculated_by_libreoffice_match_python(report: HarvestReport, tmp_path: Path,
                                                          libreoffice: Converter) -> None:
    write_summary(report, tmp_path / "s.xlsx")
    [recalculated] = libreoffice([tmp_path / "s.xlsx"], tmp_path / "lo")
    wb = load_workbook(recalculated, data_only=True)
    details = wb[DETAILS]
    row, checked = 2, 0
    for office in report.offices:
        for kpi in office.kpis:
            for key, want in (("score", kpi.score), ("weighted", kpi.weighted)):
                got = details.cell(row, DETAIL_INDEX[key] + 1).value
                if want is None:
                    assert got in (None, ""), (office.office, kpi.kpi, key)
                else:
                    assert to_decimal(got).quantize(Decimal("0.0001")) == want
                    checked += 1
            row += 1
    assert checked == 2 * 5
    offices = wb[OFFICES]
    formula = load_workbook(tmp_path / "s.xlsx")[OFFICES]["D2"].value
    assert formula.startswith("=ROUND(SUMIFS(")     # a total the auditor can recompute
    assert offices["D2"].value == pytest.approx(3.503) and offices["G2"].value == 1
    assert offices["E2"].value is None and offices["F2"].value == pytest.approx(3.503)
    assert report.offices[1].status is Status.INCOMPLETE and offices["D3"].value is None
    average = next(r[1] for r in wb[OVERVIEW].iter_rows(values_only=True)
                   if r[0] == "คะแนนเฉลี่ยของหน่วยงานที่รับแล้ว")
    assert average == pytest.approx(float(report.average_score or 0))


def test_ranks_follow_excel_rank_with_ties() -> None:
    from types import SimpleNamespace

    from workbook_engine.summary.workbook import _ranks

    offices = [SimpleNamespace(office=code, status=status, used_total=total)
               for code, status, total in [
                   ("A", Status.ACCEPTED, Decimal("4.0000")),
                   ("B", Status.ACCEPTED, Decimal("3.5")),
                   ("C", Status.ACCEPTED, Decimal("4")), ("D", Status.INCOMPLETE, None),
                   ("E", Status.ACCEPTED, Decimal("2.1"))]]
    assert _ranks(offices) == {"A": 1, "C": 1, "B": 3, "E": 4}  # type: ignore[arg-type]


def _values(path: Path, sheet: str) -> list[tuple[object, ...]]:
    return list(load_workbook(path)[sheet].iter_rows(values_only=True))


def test_rows_prepared_during_the_harvest_are_the_rows_written_at_the_end(
        report: HarvestReport, tmp_path: Path) -> None:
    write_summary(report, tmp_path / "plain.xlsx")
    writer = SummaryWriter(tmp_path / "early.xlsx", report.below_level1)
    b01 = report.offices[0]
    # B01 first as another return of it would make it (a copy that is then not chosen) ...
    other = [dataclasses.replace(k, result=Decimal(1), texts={"note": "ฉบับเก่า"})
             for k in b01.kpis]
    writer.prepare(dataclasses.replace(b01, kpis=other, file="old copy.xlsx"))
    # ... and the rest as harvest hands them over
    for office in report.offices[1:]:
        writer.prepare(office)
    writer.write(report)
    for sheet in (DETAILS, CASCADE):
        assert _values(tmp_path / "early.xlsx", sheet) == _values(tmp_path / "plain.xlsx", sheet)


def test_the_cascade_is_in_order_of_organisation_kpi_office_and_kpi(
        report: HarvestReport, tmp_path: Path) -> None:
    """However an office's return lists its KPIs, the cascade sheet lists them by the code of
    the organisation KPI they come from, then office, then KPI."""
    kpis = {o.office: [k for k in o.kpis if k.org_kpi] for o in report.offices}
    assert any(len({k.org_kpi for k in found}) > 1 for found in kpis.values())
    assert any(len(found) > len({k.org_kpi for k in found}) for found in kpis.values())
    write_summary(report, tmp_path / "plain.xlsx")
    backwards = [dataclasses.replace(o, kpis=o.kpis[::-1]) for o in report.offices]
    write_summary(dataclasses.replace(report, offices=backwards), tmp_path / "backwards.xlsx")
    rows = _values(tmp_path / "plain.xlsx", CASCADE)[1:]
    assert rows == _values(tmp_path / "backwards.xlsx", CASCADE)[1:]
    keys = [(org, office, kpi) for org, office, _name, kpi, *_ in rows]
    assert keys == sorted(keys) and len(keys) == sum(map(len, kpis.values()))


def test_chart_caches_every_office(report: HarvestReport, tmp_path: Path) -> None:
    """The overview's chart carries each office's code and total in its cache, as programs
    that show a chart without recalculating it (previews, readers of the cache) need."""
    import re
    import zipfile

    write_summary(report, tmp_path / "s.xlsx")
    with zipfile.ZipFile(tmp_path / "s.xlsx") as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
    assert "<c:cat><c:strRef>" in chart                # office codes are text
    counts = [int(n) for n in re.findall(r'<c:ptCount val="(\d+)"/>', chart)]
    assert counts and all(n == len(report.offices) for n in counts), counts
    assert chart.count("<c:pt ") >= 2 * len(report.offices)


def test_the_average_rounds_half_away_from_zero_as_its_formula(report: HarvestReport) -> None:
    """Totals 3.0002 and 3.0003 average 3.00025: ROUND gives 3.0003, so must Python (it gave
    3.0002, rounding half to even)."""
    accepted = [dataclasses.replace(o, status=Status.ACCEPTED, total_score=Decimal(total))
                for o, total in zip(report.offices, ("3.0002", "3.0003"), strict=False)]
    assert dataclasses.replace(report, offices=accepted).average_score == Decimal("3.0003")
