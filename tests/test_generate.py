"""Structure of generated office workbooks, one small test per feature (CONTRACT section 2)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook

from workbook_engine.cli.commands import cli
from workbook_engine.devkit.testing import name_target
from workbook_engine.forms import layout as L
from workbook_engine.forms import office_workbook
from workbook_engine.forms.generate import file_sha256, generate
from workbook_engine.forms.meta import signature_ok
from workbook_engine.master.reader import load_master
from workbook_engine.model import TEXT_INPUTS
from workbook_engine.xlsx.writer import FONT_SIZE, XlsxWriteError, check

from .inline import VALID_MASTER, write_master

INPUT_PREFIXES = ("RESULT", "DATA", "NOTE", "SUPPORT", "OBSTACLE", "EVIDENCE")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gen")
    master = load_master(write_master(root / "master.xlsx"))
    generate(master, 12, root / "out", key=b"secret", jobs=1)
    return root / "out"


@pytest.fixture(scope="module")
def book(generated: Path) -> Workbook:
    return load_workbook(generated / "2569-R12-B01.xlsx")


def test_file_names_and_manifest(generated: Path) -> None:
    with (generated / "manifest.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["file"] for r in rows] == ["2569-R12-B01.xlsx", "2569-R12-B02.xlsx"]
    for row in rows:
        assert row["sha256"] == file_sha256(generated / row["file"])
        assert len(row["fingerprint"]) == 64


def test_sheets_and_visibility(book: Workbook) -> None:
    assert book.sheetnames == list(L.ALL_SHEETS)
    states = {ws.title: ws.sheet_state for ws in book.worksheets}
    assert states[L.LISTS_SHEET] == "hidden"
    assert states[L.META_SHEET] == "veryHidden"
    assert all(states[s] == "visible" for s in L.VISIBLE_SHEETS)
    assert book.active.title == L.REPORT_SHEET


def test_every_sheet_protected_and_structure_locked(book: Workbook) -> None:
    assert book.security is not None and book.security.lockStructure
    assert all(ws.protection.sheet for ws in book.worksheets)


def test_defined_names_follow_the_contract(book: Workbook) -> None:
    names = set(book.defined_names)
    kpis = ["1_1", "2_1", "2_2", "3_1"]
    for k in kpis:
        for prefix in ("SCORE", "WEIGHTED", "NOTE", "DATA", "SUPPORT", "OBSTACLE", "EVIDENCE"):
            assert f"{prefix}_{k}" in names
    assert {f"RESULT_{k}" for k in kpis} & names == {"RESULT_2_1", "RESULT_2_2", "RESULT_3_1"}
    assert "TOTAL_SCORE" in names and "COMPLETENESS" in names
    assert name_target(book, "RESULT_2_1") == (L.REPORT_SHEET, "K8")


def test_only_input_cells_are_unlocked(book: Workbook) -> None:
    """The results on the report table, the texts' areas on the per-KPI report: nothing else."""
    inputs: dict[str, set[str]] = {}
    for name in book.defined_names:
        if name.split("_")[0] in INPUT_PREFIXES:
            sheet, cell = name_target(book, name)  # type: ignore[misc]
            inputs.setdefault(sheet, set()).add(cell)
    assert {c[0] for c in inputs[L.REPORT_SHEET]} == {L.COLUMN["result"].letter}
    assert len(inputs[L.REPORT_SHEET]) == 3 and len(inputs[L.KPI_REPORT_SHEET]) == 4 * 5
    for ws in book.worksheets:
        areas = {str(r).split(":")[0]: str(r) for r in ws.merged_cells.ranges}
        unlocked = {c.coordinate for row in ws.iter_rows() for c in row
                    if c.protection.locked is False}
        expected: set[str] = set()
        for cell in inputs.get(ws.title, ()):
            expected |= {c.coordinate for row in ws[areas.get(cell, cell)] for c in row} \
                if cell in areas else {cell}
        assert unlocked == expected, ws.title


def test_validations_on_every_input(book: Workbook) -> None:
    ws = book[L.REPORT_SHEET]
    by_cell = {f"{get_column_letter(col)}{row}": dv for dv in ws.data_validations.dataValidation
               for cells in dv.sqref.ranges for row, col in cells.cells}
    assert by_cell["K8"].type == "decimal"          # 2.1 quantitative
    milestone = by_cell["K10"]                       # 3.1 milestone: dropdown on a hidden sheet
    assert milestone.type == "list" and milestone.formula1 == "'_lists'!$A$1:$A$6"
    assert milestone.showErrorMessage and milestone.error and milestone.prompt
    assert "K7" not in by_cell                       # 1.1 inherited: no result input
    assert not any(dv.formula1 and dv.formula1.startswith('"')
                   for dv in ws.data_validations.dataValidation)
    pages = book[L.KPI_REPORT_SHEET]
    texts = {f"{get_column_letter(col)}{row}": dv
             for dv in pages.data_validations.dataValidation
             for cells in dv.sqref.ranges for row, col in cells.cells}
    for index in range(4):                           # every text input of every KPI
        for text in TEXT_INPUTS:
            rule = texts[L.text_ref(index, text)]
            assert rule.type == "textLength" and rule.formula1 == str(text.max_length)
            assert rule.prompt and rule.error


def test_merged_ranges(book: Workbook) -> None:
    agreement, report = book[L.AGREEMENT_SHEET], book[L.REPORT_SHEET]
    merged = {str(r) for r in agreement.merged_cells.ranges}
    assert {f"A{r}:J{r}" for r in range(1, 9)} <= merged           # titles and clauses
    first = L.AGREEMENT_FIRST_KPI_ROW
    assert f"F{first}:J{first}" in merged                          # 1.1 inherited
    assert agreement[f"F{first}"].value == "ใช้ผลคะแนนองค์กร"
    total = first + 4
    assert f"A{total}:D{total}" in merged and agreement[f"A{total}"].value == "รวม"
    groups = range(total + 1, total + 4)                           # the weights of groups 1-3
    assert [agreement[f"A{r}"].value for r in groups] == [
        f"น้ำหนักรวมตัวชี้วัดกลุ่มที่ {g}" for g in (1, 2, 3)]
    assert [agreement[f"E{r}"].value for r in groups] == [20, 60, 20]
    signatures = range(total + 6, total + 11)                      # five lines, two blocks
    assert {f"A{r}:D{r}" for r in signatures} | {f"E{r}:J{r}" for r in signatures} <= merged
    assert agreement[f"A{total + 7}"].value == "(นายทดสอบ ใจดี)"
    assert agreement[f"E{total + 7}"].value == "(นางหนึ่ง)"
    assert f"A{L.total_row(4)}:D{L.total_row(4)}" in {str(r) for r in report.merged_cells.ranges}


def test_merged_ranges_hold_their_text_in_the_first_cell(book: Workbook) -> None:
    """Each merged range shows its text from its first cell; only the texts' input areas of
    the per-KPI report are blank, to be typed in."""
    for ws in book.worksheets:
        for merged in ws.merged_cells.ranges:
            cells = [ws.cell(row, col) for row, col in merged.cells]
            assert cells[0].value is not None or cells[0].protection.locked is False
            assert all(c.value is None for c in cells[1:])


def test_row_heights_fit_the_text(book: Workbook) -> None:
    report, agreement = book[L.REPORT_SHEET], book[L.AGREEMENT_SHEET]
    assert report.row_dimensions[L.HEADER_ROW].height == pytest.approx(27 * 3)
    for row in range(L.FIRST_KPI_ROW, L.FIRST_KPI_ROW + 4):   # two lines at least
        assert report.row_dimensions[row].height >= 27 * 2
    assert agreement.row_dimensions[L.AGREEMENT_HEADER_ROW].height == pytest.approx(27 * 1.5)
    details = book[L.DETAILS_SHEET]
    assert all(details.row_dimensions[r].height for r in range(1, details.max_row + 1)
               if details.cell(r, 1).value is not None)


def test_a_name_longer_than_excel_allows_fails_loudly() -> None:
    with pytest.raises(XlsxWriteError):
        office_workbook._name("RESULT", "9" * 250, L.REPORT_SHEET, "K7")


def test_meta_sheet_keys_and_signature(book: Workbook) -> None:
    rows = {r[0]: r[1] for r in book[L.META_SHEET].iter_rows(min_row=2, values_only=True)}
    assert rows["office"] == "B01" and rows["fiscal_year"] == "2569" and rows["round"] == "12"
    assert rows["schema_version"] == L.SCHEMA_VERSION and len(rows["fingerprint"]) == 64
    assert signature_ok(b"secret", rows)
    assert not signature_ok(b"other", rows)


def test_print_setup(book: Workbook) -> None:
    """The report table and the KPI pages print at a fixed scale (not fit to the page, which
    could shrink them without end) at which 16 pt text is at least 9 pt on paper; LibreOffice
    shows they fit (tests/test_generate_lo.py)."""
    report, agreement = book[L.REPORT_SHEET], book[L.AGREEMENT_SHEET]
    pages = book[L.KPI_REPORT_SHEET]
    assert report.page_setup.orientation == "landscape" and report.page_setup.paperSize == 9
    assert pages.page_setup.orientation == "portrait" and pages.page_setup.paperSize == 9
    for ws in (report, pages):
        assert not (ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage)
        assert FONT_SIZE * int(ws.page_setup.scale) / 100 >= 9
    assert report.print_title_rows == f"${L.HEADER_ROW}:${L.HEADER_ROW}"
    assert [b.id for b in pages.row_breaks.brk] == [L.page_row(i) - 1 for i in range(1, 4)]
    assert agreement.page_setup.orientation == "portrait" and agreement.page_setup.paperSize == 9


def test_font_is_th_sarabun_16(book: Workbook) -> None:
    cell = book[L.REPORT_SHEET]["C8"]
    assert (cell.font.name, cell.font.sz) == ("TH Sarabun New", 16)


def test_cached_values_at_generation(generated: Path) -> None:
    wb = load_workbook(generated / "2569-R12-B01.xlsx", data_only=True)
    ws = wb[L.REPORT_SHEET]
    assert ws["L7"].value == pytest.approx(4.215)    # inherited: the organisation score
    assert ws["M7"].value == pytest.approx(0.843)
    assert ws["L8"].value in (None, "")               # no result yet: blank, never 0
    assert ws["M11"].value in (None, "")              # total blank while incomplete
    assert ws["A4"].value == "ยังไม่มีผลที่คำนวณคะแนนได้ 3 ตัวชี้วัด"


def test_locked_values_are_the_masters(book: Workbook) -> None:
    ws = book[L.REPORT_SHEET]
    row = [ws.cell(8, c).value for c in range(1, 11)]
    assert row == [2, "2.1", "ร้อยละความสำเร็จ", "ร้อยละ", 40, 60, 70, 80, 90, 100]
    assert ws["E11"].value == 100


def test_generation_is_deterministic(tmp_path: Path) -> None:
    master = load_master(write_master(tmp_path / "m.xlsx"))
    first = generate(master, 6, tmp_path / "a", jobs=1)
    second = generate(master, 6, tmp_path / "b", jobs=2)
    assert [r.sha256 for r in first] == [r.sha256 for r in second]


def test_xlsxwriter_codes_fail_loudly() -> None:
    check(0, "fine")
    with pytest.raises(XlsxWriteError):
        check(-2, "a list over 255 characters")


def test_cli_generate_one_office_with_key_from_env(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBOOK_ENGINE_KEY", "k3y")
    master = write_master(tmp_path / "m.xlsx")
    result = CliRunner().invoke(cli, ["generate", str(master), "--round", "9", "--out",
                                      str(tmp_path / "out"), "--office", "B02"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2569-R9-B02.xlsx",
                                                                    "manifest.csv"]
    wb = load_workbook(tmp_path / "out" / "2569-R9-B02.xlsx")
    rows = {r[0]: r[1] for r in wb[L.META_SHEET].iter_rows(min_row=2, values_only=True)}
    assert signature_ok(b"k3y", rows)


def test_cli_generate_refuses_invalid_master(tmp_path: Path) -> None:
    broken = VALID_MASTER["เกณฑ์"].replace("| 60     | 70 ", "| 60     | 50 ")
    master = write_master(tmp_path / "m.xlsx", **{"เกณฑ์": broken})
    result = CliRunner().invoke(cli, ["generate", str(master), "--round", "12", "--out",
                                      str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "MASTER_CRITERIA_ORDER" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args", [["--round", "7"], ["--round", "12", "--office", "ZZ"]])
def test_cli_generate_usage_errors(tmp_path: Path, args: list[str]) -> None:
    master = write_master(tmp_path / "m.xlsx")
    result = CliRunner().invoke(cli, ["generate", str(master), "--out", str(tmp_path / "o"),
                                      *args])
    assert result.exit_code == 2


def test_a_master_text_longer_than_a_cell_holds_is_cut(tmp_path: Path) -> None:
    """A KPI name longer than a cell holds (another program let it be saved) is cut to 32,767
    UTF-16 units where it is written, as xlsxwriter cuts it; generate does not stop."""
    import dataclasses

    master = load_master(write_master(tmp_path / "master.xlsx"))
    first = master.assignments_for("B01")[0].kpi
    long_name = "ชื่อยาว" * 6_000 + "😀" * 10
    master.kpis[first] = dataclasses.replace(master.kpis[first], name=long_name)
    generate(master, 12, tmp_path / "out", offices=["B01"], jobs=1)
    book = load_workbook(tmp_path / "out" / "2569-R12-B01.xlsx")
    cut = [c.value for row in book[L.REPORT_SHEET].iter_rows() for c in row
           if isinstance(c.value, str) and c.value.startswith("ชื่อยาว")]
    assert cut and all(len(text) == 32_767 and long_name.startswith(text) for text in cut)


def test_the_manifest_reads_back_as_written(tmp_path: Path) -> None:
    """The outbox reads manifest.csv with the function beside the one that writes it."""
    from workbook_engine.forms.generate import GeneratedFile, read_manifest, write_manifest

    rows = [GeneratedFile("B01", "2569-R12-B01.xlsx", "f" * 64, "a" * 64),
            GeneratedFile("ข02", 'ฉบับ "ใหม่", 2569-R12-ข02.xlsx', "0" * 64, "b" * 64)]
    write_manifest(tmp_path, rows)
    assert read_manifest(tmp_path) == rows
