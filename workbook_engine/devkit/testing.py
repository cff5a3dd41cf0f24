"""Filling office workbooks as a coordinator would: for the tests, the samples and the benchmarks.

Writes values into a generated workbook through its defined names with openpyxl (which keeps
the formulas, validations, protection and names, and drops cached values, as many programs do).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.formula import ArrayFormula

from ..harvesting.intake import Candidate
from ..model import name_key


def name_target(wb: object, name: str) -> tuple[str, str] | None:
    """The (sheet, cell) a workbook-level defined name points at, or None."""
    defined = wb.defined_names.get(name)  # type: ignore[attr-defined]
    if defined is None:
        return None
    for sheet, cell in defined.destinations:
        return sheet, cell.replace("$", "")
    return None


def sheet_values(ws: Any) -> list[tuple[object, ...]]:
    """An openpyxl sheet's rows of values, comparable between two reads: an array formula
    (an object openpyxl compares by identity) becomes its range and text."""
    return [tuple((v.ref, v.text) if isinstance(v, ArrayFormula) else v for v in row)
            for row in ws.iter_rows(values_only=True)]


def fill_return(source: Path, target: Path, results: Mapping[str, object],
                texts: Mapping[str, Mapping[str, str]] | None = None) -> Path:
    """Copy ``source`` to ``target`` with results and texts typed in.

    Args:
        source: a generated office workbook.
        target: where to save the filled copy.
        results: KPI code -> the value to type into ``RESULT_<k>`` (number or text).
        texts: KPI code -> {defined-name prefix such as ``NOTE`` -> text}.

    Raises:
        KeyError: when a KPI has no such defined name in the workbook.
    """
    wb = load_workbook(source)
    for code, value in results.items():
        _put(wb, f"RESULT_{name_key(code)}", value)
    for code, cells in (texts or {}).items():
        for prefix, text in cells.items():
            _put(wb, f"{prefix}_{name_key(code)}", text)
    wb.save(target)
    return target


def _put(wb: object, name: str, value: object) -> None:
    found = name_target(wb, name)
    if found is None:
        raise KeyError(name)
    sheet, cell = found
    wb[sheet][cell].value = value  # type: ignore[index]


def candidate_file(folder: Path, name: str, data: bytes) -> Candidate:
    """``data`` written to ``folder/name``, as the candidate harvest makes of that file."""
    path = folder / name
    path.write_bytes(data)
    return Candidate(str(path), path, None, len(data), None)
