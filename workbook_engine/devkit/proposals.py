"""Filling proposal workbooks as a coordinator would: for the tests, the samples and the
benchmarks. Writes with openpyxl into the table's cells, found by header."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import load_workbook

from ..master import format as mf
from ..proposals import layout as P


def fill_proposal(source: Path, target: Path, fiscal_year: int,
                  edits: Mapping[str, Mapping[str, object]] | None = None,
                  new: Sequence[Mapping[str, object]] = ()) -> Path:
    """Copy proposal ``source`` to ``target`` with ``edits`` (by KPI code: values by master
    header, ``None`` to clear a cell) typed into the held rows and ``new`` KPIs typed into
    the blank rows, from the first."""
    letters = P.letters(fiscal_year)
    wb = load_workbook(source)
    ws = wb[P.TABLE_SHEET]
    code_column = letters[mf.COL_KPI]
    rows = {ws[f"{code_column}{r}"].value: r for r in range(P.FIRST_ROW, ws.max_row + 1)
            if ws[f"{code_column}{r}"].value}
    blank = [r for r in range(P.FIRST_ROW, ws.max_row + 1)
             if not ws[f"{code_column}{r}"].value and ws[f"{letters[mf.COL_GROUP]}{r}"].value]
    for code, values in (edits or {}).items():
        for header, value in values.items():
            ws[f"{letters[header]}{rows[code]}"] = value
    for row, values in zip(blank, new, strict=False):
        for header, value in values.items():
            ws[f"{letters[header]}{row}"] = value
    wb.save(target)
    return target
