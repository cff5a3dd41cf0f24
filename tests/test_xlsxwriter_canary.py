"""Canary: the private parts of xlsxwriter the engine relies on are still there, with the same
signatures, and still behave as it needs: ``workbook_engine/xlsx/bulk.py`` (the summary's row
writer) and the office workbook's two overrides (``forms/office_workbook.py``).

A failure names the part. Update the code that uses it and the pin in ``pyproject.toml``
together; do not widen the pin without this file passing. The checks of signatures import
nothing of the engine, so ``pytest --noconftest tests/test_xlsxwriter_canary.py`` names every
part that changed even when the engine itself no longer imports.
"""

from __future__ import annotations

import importlib
import inspect
import tomllib
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import xlsxwriter
import xlsxwriter.workbook
from openpyxl import load_workbook
from packaging.requirements import Requirement
from xlsxwriter.format import Format
from xlsxwriter.sharedstrings import SharedStringTable
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet
from xlsxwriter.xmlwriter import XMLwriter

ROOT = Path(__file__).resolve().parent.parent
XLSXWRITER = version("xlsxwriter")
USERS = "workbook_engine/xlsx/bulk.py and forms/office_workbook.py"

# (owner, method, its parameters) of every private method the engine calls or overrides
PRIVATE_METHODS: list[tuple[type, str, list[str]]] = [
    (Worksheet, "_write_row", ["self", "row", "spans", "row_info", "empty_row"]),
    (Worksheet, "_write_rows", ["self"]),
    (Worksheet, "_assemble_xml_file", ["self"]),
    (Worksheet, "_check_dimensions", ["self", "row", "col", "ignore_row", "ignore_col"]),
    (Worksheet, "_get_range_data", ["self", "row_start", "col_start", "row_end", "col_end"]),
    (Worksheet, "_prepare_formula", ["self", "formula", "expand_future_functions"]),
    (Worksheet, "_convert_date_time", ["self", "dt_obj"]),
    (Format, "_get_xf_index", ["self"]),
    (SharedStringTable, "_get_shared_string_index", ["self", "string"]),
    (XMLwriter, "_escape_control_characters", ["data"]),
    (XMLwriter, "_xml_empty_tag", ["self", "tag", "attributes"]),
    (Workbook, "_store_workbook", ["self"]),
    (Workbook, "_write_workbook_pr", ["self"]),
]
# attributes of a worksheet (in a workbook) that the row writer reads or sets
WORKSHEET_ATTRIBUTES = ["fh", "table", "row_info", "merge", "dim_rowmin", "dim_rowmax",
                        "xls_rowmax", "xls_colmax", "str_table", "default_row_height"]


def changed(part: str, how: str) -> str:
    """The failure message for a private part of xlsxwriter that changed."""
    return (f"xlsxwriter {XLSXWRITER}: its private {part} {how}; {USERS} rely on it "
            "(update them and the xlsxwriter pin in pyproject.toml together)")


def engine(module: str) -> ModuleType:
    """A module of the engine, or a failure saying that it no longer imports."""
    try:
        return importlib.import_module(f"workbook_engine.{module}")
    except ImportError as exc:
        pytest.fail(changed("API", f"breaks importing workbook_engine.{module}: {exc}"))


def options() -> dict[str, Any]:
    """The engine's workbook options, fresh."""
    return engine("xlsx.writer").workbook_options()  # type: ignore[no-any-return]


def test_the_installed_xlsxwriter_is_the_pinned_one() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = [Requirement(r) for r in project["project"]["dependencies"]]
    pin = next(r for r in pins if r.name.lower() == "xlsxwriter")
    assert pin.specifier.contains(XLSXWRITER), \
        f"xlsxwriter {XLSXWRITER} is installed, outside the pin {pin}"
    assert pin.specifier.contains("3.3.1") and not pin.specifier.contains("3.4.0"), \
        f"the pin {pin} is not the minor version this canary was written against (3.3)"


@pytest.mark.parametrize(("owner", "name", "parameters"), PRIVATE_METHODS,
                         ids=[f"{o.__name__}.{n}" for o, n, _ in PRIVATE_METHODS])
def test_a_private_method_is_there_with_its_signature(owner: type, name: str,
                                                      parameters: list[str]) -> None:
    part = f"{owner.__name__}.{name}"
    method = getattr(owner, name, None)
    assert callable(method), changed(part, "is gone")
    found = list(inspect.signature(method).parameters)
    assert found == parameters, changed(part, f"takes ({', '.join(found)}), not "
                                              f"({', '.join(parameters)})")


def test_a_worksheet_has_the_attributes_the_row_writer_uses() -> None:
    wb = xlsxwriter.Workbook(None, {"in_memory": True})
    ws = wb.add_worksheet()
    for name in WORKSHEET_ATTRIBUTES:
        assert hasattr(ws, name), changed(f"Worksheet.{name}", "is gone")
    assert isinstance(ws.str_table, SharedStringTable), \
        changed("Worksheet.str_table", "is no SharedStringTable")
    assert hasattr(ws.str_table, "count"), changed("SharedStringTable.count", "is gone")
    assert isinstance(ws.table, dict) and isinstance(ws.row_info, dict), \
        changed("Worksheet.table and .row_info", "are no longer dicts")


def test_row_info_and_write_row_render_a_row_tag() -> None:
    """``bulk.BulkWorksheet._row_tag``: a ``RowInfo`` of a height, rendered by
    ``_write_row`` into a string buffer, is a ``<row>`` tag with that height."""
    ws = engine("xlsx.bulk").BulkWorksheet()
    try:
        tag = ws._row_tag(40.5)
    except (AssertionError, TypeError, AttributeError) as exc:
        pytest.fail(changed("RowInfo or Worksheet._write_row", f"no longer render a row: {exc}"))
    assert tag == '<row r="{}" ht="40.5" customHeight="1"', \
        changed("Worksheet._write_row", f"renders {tag!r}")


def test_workbooks_are_stored_through_the_levelled_zip_file() -> None:
    source = inspect.getsource(Workbook._store_workbook)
    assert "ZipFile(" in source, changed("Workbook._store_workbook",
                                         "no longer stores through the module's ZipFile")
    assert xlsxwriter.workbook.ZipFile is engine("xlsx.bulk")._LevelledZipFile, \
        changed("xlsxwriter.workbook.ZipFile", "is not the one bulk.py put in its place")
    assert "xlsx_file.write(os_filename" in source, changed(
        "Workbook._store_workbook", "no longer zips the parts of a workbook written with "
        "in_memory off from their files (bulk._LevelledZipFile.write sets their level)")


ROWS: list[tuple[int, float | None, list[tuple[int, str, object]]]] = [
    (1, None, [(0, "string", "สำนัก & <ทดสอบ>"), (1, "number", Decimal("4.2150")),
               (2, "formula", ("=IF(ISNUMBER(B2),ROUND(B2*5/100,4),\"\")", Decimal("0.2108"))),
               (3, "blank", None), (4, "string", "=1+1")]),
    (2, 54.0, [(0, "string", "_x0041_ \x07"), (1, "number", 3),
               (2, "formula", ("=IF(B3>=1,\"ผ่าน\",\"\")", "ผ่าน")), (3, "string", "  ข  ")]),
    (4, 40.5, [(0, "string", "ผลรวม"), (1, "blank", None), (2, "blank", None),
               (3, "formula", ("=SUM(B2:B3)", Decimal("7.215")))]),
]
MERGED = (4, 0, 4, 2)


def _write(path: Path, bulk_rows: bool) -> None:
    """The same sheet through bulk.RowWriter or through xlsxwriter's public API."""
    wb = (engine("xlsx.bulk").PlainFormulaWorkbook if bulk_rows else xlsxwriter.Workbook)(
        str(path), options())
    fmt = wb.add_format({"bold": True, "num_format": "0.0000", "border": 1})
    ws = wb.add_worksheet("s")
    ws.set_default_row(27)
    ws.write_string(0, 0, "หัวตาราง", fmt)
    rows = ws.rows() if bulk_rows else None
    for row, height, cells in ROWS:
        if rows is not None:
            rows.start(row, height)
        elif height is not None:
            ws.set_row(row, height)
        for col, kind, value in cells:
            if rows is not None:
                _bulk_cell(rows, col, kind, value, fmt)
            else:
                _public_cell(ws, row, col, kind, value, fmt)
    if rows is not None:
        ws.merge_cells(*MERGED)
    else:
        ws.merge_range(*MERGED, "ผลรวม", fmt)
    wb.close()


def _bulk_cell(rows: Any, col: int, kind: str, value: object, fmt: Format) -> None:
    if kind == "formula":
        text, cached = value  # type: ignore[misc]
        rows.formula(col, text, fmt, cached)
    elif kind == "blank":
        rows.blank(col, fmt)
    else:
        getattr(rows, kind)(col, value, fmt)


def _public_cell(ws: Worksheet, row: int, col: int, kind: str, value: object,
                 fmt: Format) -> None:
    if kind == "formula":
        text, cached = value  # type: ignore[misc]
        ws.write_formula(row, col, text, fmt, cached)
    elif kind == "blank":
        ws.write_blank(row, col, None, fmt)
    else:
        getattr(ws, f"write_{kind}")(row, col, value, fmt)


def _read(path: Path) -> dict[str, object]:
    """What openpyxl reads of the sheet: cells with their formats, cached values, heights and
    merged ranges."""
    sheet, cached = load_workbook(path)["s"], load_workbook(path, data_only=True)["s"]
    cells = {c.coordinate: (c.value, cached[c.coordinate].value, c.number_format, c.font.b,
                            c.border.left.style) for row in sheet.iter_rows() for c in row
             if c.has_style or c.value is not None}
    heights = {row: sheet.row_dimensions[row].height for row in range(1, 7)}
    return {"cells": cells, "heights": heights,
            "merged": sorted(str(r) for r in sheet.merged_cells.ranges)}


def test_the_bulk_writer_writes_what_the_public_api_writes(tmp_path: Path) -> None:
    """Rows rendered by bulk.RowWriter (RowInfo, _write_row, _write_rows, the string table,
    the formats' indexes) read back as the same sheet written by xlsxwriter's public API."""
    _write(tmp_path / "public.xlsx", bulk_rows=False)
    _write(tmp_path / "bulk.xlsx", bulk_rows=True)
    public, rendered = _read(tmp_path / "public.xlsx"), _read(tmp_path / "bulk.xlsx")
    assert rendered == public, changed("row writing (RowInfo, Worksheet._write_row, "
                                       "_write_rows, str_table, Format._get_xf_index)",
                                       "no longer gives what the public API writes")
    assert public["heights"][3] == 54 and public["cells"]["B2"][0] == 4.215  # type: ignore[index]


def test_the_office_workbook_overrides_still_take(tmp_path: Path) -> None:
    """forms/office_workbook.py: formulas stored as given (Worksheet._prepare_formula, which
    would prefix ISFORMULA with _xlfn.) and the structure locked (Workbook._write_workbook_pr)."""
    path = tmp_path / "office.xlsx"
    wb = engine("forms.office_workbook").LockedWorkbook(str(path), options())
    ws = wb.add_worksheet("s")
    ws.write_formula(0, 0, "=SUM(B1:B2)", None, 0)
    ws.data_validation(0, 1, 0, 1, {"validate": "custom", "value": "=ISFORMULA(A1)"})
    wb.close()
    book = load_workbook(path)
    validation = book["s"].data_validations.dataValidation[0]
    assert (book["s"]["A1"].value, validation.formula1) == ("=SUM(B1:B2)", "ISFORMULA(A1)"), \
        changed("Worksheet._prepare_formula", "override no longer stores formulas as given")
    assert book.security is not None and book.security.lockStructure, \
        changed("Workbook._write_workbook_pr", "override no longer locks the structure")
