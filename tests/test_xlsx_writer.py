"""The public-API toolkit (workbook_engine/xlsx/writer.py): text cells are written as they are."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from openpyxl import load_workbook

from workbook_engine.xlsx.reader import XlsxReader
from workbook_engine.xlsx.writer import WORKBOOK_OPTIONS, workbook_options, write_text

TEXTS = ["สำนัก & <ทดสอบ>", "<r>&</r>", "<r><t>ก</t></r>", "=1+1", "  ข  ", "ก" * 40_000]


def test_texts_are_written_as_they_are(tmp_path: Path) -> None:
    """Text shaped like rich text stays plain (xlsxwriter would store it unescaped, as runs),
    empty text writes no cell, and text longer than a cell holds is cut, not refused."""
    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path), workbook_options())
    ws = wb.add_worksheet("s")
    bold = wb.add_format({"bold": True})
    for row, text in enumerate(TEXTS):
        write_text(ws, row, 0, text, bold if row % 2 else None)
    write_text(ws, len(TEXTS), 0, "")
    wb.close()
    sheet = load_workbook(path)["s"]
    expected = [*TEXTS[:-1], "ก" * 32_767]
    assert [sheet.cell(row + 1, 1).value for row in range(len(TEXTS))] == expected
    assert sheet.max_row == len(TEXTS)                        # no cell for empty text
    assert sheet.cell(2, 1).font.b                            # the format of a rich-text run
    reader = XlsxReader(path.read_bytes(), "t.xlsx")
    cells = reader.read_sheet(reader.sheets[0], len(TEXTS), 1).cells
    assert [cells[(row + 1, 1)].value for row in range(len(TEXTS))] == expected


def test_every_workbook_has_options_of_its_own() -> None:
    options = workbook_options()
    xlsxwriter.Workbook(None, options)
    assert options != WORKBOOK_OPTIONS and workbook_options() == WORKBOOK_OPTIONS
