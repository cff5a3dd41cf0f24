"""Formulas are written without xlsxwriter's future-function pass: prove none needs it."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from workbook_engine.devkit.testing import fill_return
from workbook_engine.forms.generate import generate
from workbook_engine.harvesting.run import harvest
from workbook_engine.master.reader import load_master
from workbook_engine.summary.workbook import write_summary
from workbook_engine.xlsx.writer import PREFIXED_FUNCTIONS

from .inline import write_master


def formulas(path: Path) -> list[str]:
    wb = load_workbook(path)
    found = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("=")]
    for ws in wb.worksheets:
        for validation in ws.data_validations.dataValidation:
            found.extend(f for f in (validation.formula1, validation.formula2) if f)
    return found


def test_no_formula_uses_a_function_excel_stores_with_a_prefix(tmp_path: Path) -> None:
    master = load_master(write_master(tmp_path / "m.xlsx"))
    generate(master, 12, tmp_path / "gen", jobs=1)
    filled = fill_return(tmp_path / "gen" / "2569-R12-B01.xlsx", tmp_path / "B01.xlsx",
                         {"2.1": 84})
    write_summary(harvest([filled], master, 12, jobs=1), tmp_path / "s.xlsx")
    written = formulas(tmp_path / "gen" / "2569-R12-B01.xlsx") + formulas(tmp_path / "s.xlsx")
    assert len(written) > 20
    assert [f for f in written if PREFIXED_FUNCTIONS.search(f)] == []
    assert PREFIXED_FUNCTIONS.search("=XLOOKUP(A1,B:B,C:C)")   # the check can fail
