"""Filling the committee's review workbook as the committee would: for the tests, the demo and
the pictures.

Writes into the table ``REVIEW`` with openpyxl (which keeps the formulas, validations,
protection and names, and drops cached values, as many programs do).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from openpyxl import load_workbook

from ..review import layout as R

# the committee's entry on one row: verified_result, given_score and reason, as typed
Entry = Mapping[str, object]

# The shipped sample review (samples/review/): a milestone KPI self-assessed 5, less 0.2 for a
# progress report not sent, as published agreement results show a committee's deduction.
SAMPLE_REVIEW: dict[tuple[str, str], Entry] = {
    ("B01", "1.2"): {"given_score": 4.8,
                     "reason": "ไม่ได้รายงานความก้าวหน้า 1 ครั้ง หัก 0.2 คะแนน"},
}


def review_rows(path: Path) -> dict[tuple[str, str], int]:
    """Each (office, KPI) of a review workbook's table, with its 1-based row."""
    wb = load_workbook(path, read_only=True)
    ws = wb[R.TABLE_SHEET]
    found = {}
    for row, cells in enumerate(ws.iter_rows(min_row=R.FIRST_ROW, max_col=R.NUMBER["kpi"],
                                             values_only=True), start=R.FIRST_ROW):
        office, kpi = cells[R.NUMBER["office"] - 1], cells[R.NUMBER["kpi"] - 1]
        if office is not None:
            found[(str(office), str(kpi))] = row
    wb.close()
    return found


def fill_review(source: Path, target: Path, entries: Mapping[tuple[str, str], Entry]) -> Path:
    """Copy ``source`` to ``target`` with the committee's entries typed in.

    Args:
        source: a review workbook written by ``review-form``.
        target: where to save the filled copy.
        entries: (office, KPI) -> {"verified_result" | "given_score" | "reason": value}.

    Raises:
        KeyError: for an (office, KPI) the table does not have, or an unknown column.
    """
    rows = review_rows(source)
    wb = load_workbook(source)
    ws = wb[R.TABLE_SHEET]
    for key, values in entries.items():
        for column, value in values.items():
            if column not in R.INPUT_KEYS:
                raise KeyError(column)
            ws.cell(rows[key], R.NUMBER[column]).value = value
    wb.save(target)
    return target
