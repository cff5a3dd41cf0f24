"""RowWriter: rows rendered at once must be what xlsxwriter itself writes, cell for cell."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from workbook_engine.xlsx.bulk import PlainFormulaWorkbook, RowWriter
from workbook_engine.xlsx.writer import WORKBOOK_OPTIONS, XlsxWriteError

MOMENT = dt.datetime(2026, 3, 31, 14, 5)
# (column, kind, value, cached) of two rows; the second row is taller
ROWS = [
    [(0, "string", "สำนักทดสอบ & <ข้อความ>", None), (1, "number", Decimal("4.2150"), None),
     (2, "formula", "=IF(ISNUMBER(B2),ROUND(B2*5/100,4),\"\")", Decimal("0.2108")),
     (4, "string", "=1+1", None), (5, "moment", MOMENT, None),
     (6, "formula", "=IF(B2>=1,\"ผ่าน\",\"\")", "ผ่าน")],
    [(0, "string", "สำนักทดสอบ & <ข้อความ>", None), (1, "number", 3, None),
     (2, "formula", "=B3*2", ""), (3, "string", "  ช่องว่างหน้าและหลัง  ", None),
     (4, "string", "_x0041_ \x07", None), (6, "number", 1e-7, None)],
]


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


def _write(path: Path, bulk: bool) -> None:
    wb = PlainFormulaWorkbook(str(path), WORKBOOK_OPTIONS)
    bold, score = wb.add_format({"bold": True}), wb.add_format({"num_format": "0.0000"})
    date = wb.add_format({"num_format": "d mmmm yyyy"})
    styles = {"string": bold, "number": score, "formula": score, "moment": date}
    ws = wb.add_worksheet("ชีต")
    ws.set_default_row(27)
    ws.write_string(0, 0, "หัวตาราง", bold)
    rw = ws.rows()
    for index, cells in enumerate(ROWS, start=1):
        height = 54 if index == 2 else None
        if bulk:
            rw.start(index, height)
        elif height is not None:
            ws.set_row(index, height)
        for col, kind, value, cached in cells:
            fmt = styles[kind]
            if kind == "formula":
                rw.formula(col, value, fmt, cached) if bulk else \
                    ws.write_formula(index, col, value, fmt, cached)
            elif kind == "moment":
                rw.moment(col, value, fmt) if bulk else ws.write_datetime(index, col, value, fmt)
            else:
                getattr(rw, kind)(col, value, fmt) if bulk else \
                    getattr(ws, f"write_{kind}")(index, col, value, fmt)
    wb.close()


def test_rows_are_written_as_xlsxwriter_writes_them(tmp_path: Path) -> None:
    _write(tmp_path / "plain.xlsx", bulk=False)
    _write(tmp_path / "bulk.xlsx", bulk=True)
    plain, bulk = _sheet_xml(tmp_path / "plain.xlsx"), _sheet_xml(tmp_path / "bulk.xlsx")
    # xlsxwriter adds optional row spans to the rows it writes; nothing else may differ
    assert re.sub(r' spans="[^"]*"', "", plain) == re.sub(r' spans="[^"]*"', "", bulk)
    with zipfile.ZipFile(tmp_path / "plain.xlsx") as a, \
            zipfile.ZipFile(tmp_path / "bulk.xlsx") as b:
        assert a.read("xl/sharedStrings.xml") == b.read("xl/sharedStrings.xml")
        assert a.read("xl/styles.xml") == b.read("xl/styles.xml")


def test_text_shaped_like_rich_text_stays_plain(tmp_path: Path) -> None:
    # xlsxwriter writes a shared string "<r>...</r>" unescaped (as rich text): a coordinator's
    # text of that shape would corrupt the summary. RowWriter keeps it plain.
    texts = ["<r>&</r>", "<r><t>ก</t></r>", "<r></r>"]
    wb = PlainFormulaWorkbook(str(tmp_path / "r.xlsx"), WORKBOOK_OPTIONS)
    ws = wb.add_worksheet("s")
    rw = ws.rows()
    for row, text in enumerate(texts):
        rw.start(row)
        rw.string(0, text)
    wb.close()
    sheet = load_workbook(tmp_path / "r.xlsx")["s"]
    assert [sheet.cell(row + 1, 1).value for row in range(len(texts))] == texts


def test_rows_and_columns_must_go_forward(tmp_path: Path) -> None:
    wb = PlainFormulaWorkbook(str(tmp_path / "o.xlsx"), WORKBOOK_OPTIONS)
    rw = wb.add_worksheet("s").rows()
    rw.start(3)
    rw.number(2, 1)
    with pytest.raises(XlsxWriteError, match="column 2 after column 3"):
        rw.number(1, 1)
    with pytest.raises(XlsxWriteError, match="row 3 after row 4"):
        rw.start(2)
    with pytest.raises(XlsxWriteError, match="not a number"):
        rw.number(4, float("inf"))
    with pytest.raises(XlsxWriteError, match="past a sheet's last"):
        rw.number(16_384, 1)
    with pytest.raises(XlsxWriteError, match="past a sheet's last row"):
        rw.start(1_048_576)
    wb.close()


def test_cells_written_into_bulk_rows_are_refused(tmp_path: Path) -> None:
    wb = PlainFormulaWorkbook(str(tmp_path / "m.xlsx"), WORKBOOK_OPTIONS)
    ws = wb.add_worksheet("s")
    ws.rows().start(1)
    ws.write_number(2, 0, 1)
    with pytest.raises(XlsxWriteError, match="rows of a RowWriter"):
        wb.close()


def test_set_row_on_bulk_rows_is_refused(tmp_path: Path) -> None:
    wb = PlainFormulaWorkbook(str(tmp_path / "h.xlsx"), WORKBOOK_OPTIONS)
    ws = wb.add_worksheet("s")
    ws.rows().start(1)
    ws.set_row(1, 40)          # the height belongs in rows().start(1, 40)
    with pytest.raises(XlsxWriteError, match="rows of a RowWriter"):
        wb.close()


def test_every_workbook_of_a_process_has_the_same_styles(tmp_path: Path) -> None:
    for name in ("first.xlsx", "second.xlsx"):
        wb = PlainFormulaWorkbook(str(tmp_path / name), WORKBOOK_OPTIONS)
        wb.add_worksheet("s").write_string(0, 0, "x", wb.add_format({"bold": True}))
        wb.close()
    with zipfile.ZipFile(tmp_path / "first.xlsx") as a, \
            zipfile.ZipFile(tmp_path / "second.xlsx") as b:
        assert a.read("xl/styles.xml") == b.read("xl/styles.xml")


def test_compress_level_is_applied_to_every_part(tmp_path: Path) -> None:
    sizes = {}
    for level in (None, 1):
        wb = PlainFormulaWorkbook(str(tmp_path / f"{level}.xlsx"), WORKBOOK_OPTIONS)
        wb.compress_level = level
        rw = wb.add_worksheet("s").rows()
        for row in range(2000):
            rw.start(row)
            rw.formula(0, f"=IF(ISNUMBER(B{row + 1}),ROUND(B{row + 1}*C{row + 1}/100,4),\"\")")
            rw.number(1, (row * 7919) % 10007 / 7)
        wb.close()
        with zipfile.ZipFile(tmp_path / f"{level}.xlsx") as archive:
            assert archive.testzip() is None
            sizes[level] = archive.getinfo("xl/worksheets/sheet1.xml").compress_size
    assert sizes[1] > sizes[None] * 1.05       # level 1 is faster and looser than the default
    assert not wb.in_memory, "a bulk workbook's parts go through temporary files"
    assert load_workbook(tmp_path / "1.xlsx")["s"]["A5"].value.startswith("=IF(ISNUMBER(B5)")


def test_compress_levels_of_threads_do_not_mix(tmp_path: Path) -> None:
    """Workbooks stored at once in threads each keep their own level (a review found that
    swapping xlsxwriter's ZipFile per workbook could leave one thread's level installed)."""
    from concurrent.futures import ThreadPoolExecutor

    def write(name: str, level: int | None) -> int:
        wb = PlainFormulaWorkbook(str(tmp_path / name), WORKBOOK_OPTIONS)
        wb.compress_level = level
        rw = wb.add_worksheet("s").rows()
        for row in range(3000):
            rw.start(row)
            rw.number(0, (row * 7919) % 10007 / 7)
        wb.close()
        with zipfile.ZipFile(tmp_path / name) as archive:
            return archive.getinfo("xl/worksheets/sheet1.xml").compress_size

    jobs = [(f"{i}.xlsx", 1 if i % 2 else None) for i in range(8)]
    with ThreadPoolExecutor(4) as pool:
        sizes = list(pool.map(lambda job: write(*job), jobs))
    assert len(set(sizes[0::2])) == 1 and len(set(sizes[1::2])) == 1
    assert sizes[1] > sizes[0]
    assert write("after.xlsx", None) == sizes[0]


def _placed(wb: PlainFormulaWorkbook, rw: RowWriter,
            rendered: list[str]) -> tuple[list[str], bytes]:
    """Rendered rows placed from row 2 on and the workbook written: the rows, and its string
    table as written."""
    for row, text in enumerate(rendered, start=1):
        rw.place(row, text)
    wb.close()
    with zipfile.ZipFile(wb.filename) as archive:
        return rendered, archive.read("xl/sharedStrings.xml")


@pytest.mark.parametrize("repeated", [(), (0, 3, 5, 7, 30)])
def test_a_template_renders_what_the_cell_methods_render(tmp_path: Path,
                                                         repeated: tuple[int, ...]) -> None:
    """RowTemplate (the summary's detail rows) gives the cells, shared strings and styles that
    open_row, the cell methods and take give; None and empty text leave a cell out. Cells kept
    for texts that repeat change nothing, not even the count of uses in the string table."""
    from workbook_engine.xlsx.bulk import Formula

    rows = [["สำนัก & <ก>", 3, Formula("=B\x00*2", Decimal("6")), "", None, "<r>x</r>",
             Formula("=1/0", "#DIV/0!"), "ก" * 40_000],
            [None, Decimal("4.2150"), Formula("=B\x00", ""), "  ข  ", 1e-7, "สำนัก & <ก>",
             None, "😀"]] * 2

    def cells(use_template: bool) -> tuple[list[str], bytes]:
        wb = PlainFormulaWorkbook(str(tmp_path / f"t{use_template}.xlsx"), WORKBOOK_OPTIONS)
        fmt = wb.add_format({"num_format": "0.0000"})
        rw = wb.add_worksheet("s").rows()
        spec = [(col, fmt if col % 2 else None) for col in (0, 1, 2, 3, 5, 7, 8, 30)]
        template = rw.template(spec, repeated)
        rendered = []
        for values in rows:
            if use_template:
                rendered.append(template.render(values))
                continue
            rw.open_row()
            for (col, style), value in zip(spec, values, strict=True):
                if isinstance(value, Formula):
                    rw.formula(col, value.text, style, value.cached)
                elif isinstance(value, str) or value is None:
                    rw.string(col, value, style)
                else:
                    rw.number(col, value, style)
            rendered.append(rw.take())
        return _placed(wb, rw, rendered)

    assert cells(True) == cells(False)
    with pytest.raises(XlsxWriteError):
        PlainFormulaWorkbook(str(tmp_path / "x.xlsx"), WORKBOOK_OPTIONS).add_worksheet(
            "s").rows().template([(3, None), (2, None)])


def test_a_row_rendered_in_parts_is_the_row(tmp_path: Path) -> None:
    """Parts of a template joined give the whole row; a recurring part rendered once and reused
    gives the same sheet and the same string table, uses counted, as rendering it every time."""
    from workbook_engine.xlsx.bulk import Formula

    rows = [("B01", "สำนัก & <ก>", 3, Decimal("20"), "ผล", Formula("=A\x00*2", Decimal("6"))),
            ("B01", "สำนัก & <ก>", 4, Decimal("20"), "", Formula("=A\x00*2", "")),
            ("B02", "กอง", 3, None, "ผล", Formula("=1/0", "#DIV/0!"))] * 2

    def written(parts: bool) -> tuple[list[str], bytes]:
        wb = PlainFormulaWorkbook(str(tmp_path / f"p{parts}.xlsx"), WORKBOOK_OPTIONS)
        fmt = wb.add_format({"num_format": "0.0000"})
        rw = wb.add_worksheet("s").rows()
        whole = rw.template([(col, fmt if col % 2 else None) for col in range(6)], (1,))
        head, tail = whole.part(0, 2), whole.part(2, 6)
        rendered = [head.recurring(values[:2]) + tail.render(values[2:]) if parts
                    else whole.render(values) for values in rows]
        return _placed(wb, rw, rendered)

    assert written(True) == written(False)
    assert b'count="16" uniqueCount="5"' in written(True)[1]


def test_complete_rows_wait_in_the_spool_not_in_memory(tmp_path: Path) -> None:
    """A row begun with start() is moved to the workbook's spool when the next one begins (a
    national summary's sheets hold 100,000 of them); the sheet is written the same."""
    from workbook_engine.xlsx.outputs import Spooled

    path = tmp_path / "spooled.xlsx"
    wb = PlainFormulaWorkbook(str(path), WORKBOOK_OPTIONS)
    ws = wb.add_worksheet("ชีต")
    rw = ws.rows()
    for row in range(1, 4):
        rw.start(row)
        rw.string(0, f"แถว {row}")
        rw.number(1, row)
    assert [isinstance(cells, Spooled) for _, cells, _ in ws.bulk] == [True, True, False]
    wb.close()
    sheet = load_workbook(path)["ชีต"]
    assert [[c.value for c in r] for r in sheet.iter_rows(min_row=2)] == [
        ["แถว 1", 1], ["แถว 2", 2], ["แถว 3", 3]]


def test_a_block_of_rows_is_its_rows_placed_one_by_one(tmp_path: Path) -> None:
    """Rows kept as one block in the spool (an office's KPI rows on the summary's details
    sheet) write the very sheet their rows placed one by one write; a block must come after
    the rows before it and end within the sheet."""
    from workbook_engine.xlsx.bulk import ROW_BREAK, Block, Formula

    rows = [("B01", Decimal("4.2150"), Formula("=B\x00*2", Decimal("8.43"))),
            ("B01", 3, Formula("=B\x00*2", 6)), ("B02", None, Formula("=1/0", "#DIV/0!"))]

    def written(blocks: bool) -> str:
        path = tmp_path / f"b{blocks}.xlsx"
        wb = PlainFormulaWorkbook(str(path), WORKBOOK_OPTIONS)
        ws = wb.add_worksheet("s")
        rw = ws.rows()
        template = rw.template([(0, None), (1, None), (2, None)])
        rendered = [template.render(values) for values in rows]
        if blocks:
            rw.place_block(1, Block(wb.spool(ROW_BREAK.join(rendered[:2])), 2))
            rw.place_block(3, Block(wb.spool(rendered[2]), 1))
            with pytest.raises(XlsxWriteError):
                rw.place_block(3, Block(wb.spool(rendered[2]), 1))
            with pytest.raises(XlsxWriteError):
                rw.place_block(ws.xls_rowmax - 1, Block(wb.spool(ROW_BREAK.join(rendered)), 3))
        else:
            for row, cells in enumerate(rendered, start=1):
                rw.place(row, cells)
        wb.close()
        return _sheet_xml(path)

    sheet = written(True)
    assert sheet == written(False)
    assert '<dimension ref="A2:C4"/>' in sheet and '<row r="4"' in sheet and 'B4*2' not in sheet


def test_a_template_with_blanks_writes_a_formatted_blank_for_no_value(tmp_path: Path) -> None:
    """A template made with blanks (the review table's rows) writes None and empty text as
    the formatted blank cell the blank method writes, and placed rows keep their height."""
    def written(use_template: bool) -> str:
        path = tmp_path / f"blank{use_template}.xlsx"
        wb = PlainFormulaWorkbook(str(path), WORKBOOK_OPTIONS)
        fmt = wb.add_format({"bg_color": "#FFF2CC", "locked": False})
        ws = wb.add_worksheet("s")
        rw = ws.rows()
        template = rw.template([(0, fmt), (1, fmt), (2, None)], blanks=True)
        for row, values in enumerate([("ก", None, Decimal(2)), ("", "ข", None)], start=1):
            if use_template:
                rw.place(row, wb.spool(template.render(values)), 30.0 if row == 2 else None)
                continue
            rw.start(row, 30.0 if row == 2 else None)
            for col, value in enumerate(values):
                if isinstance(value, Decimal):
                    rw.number(col, value)
                elif value:
                    rw.string(col, value, fmt if col < 2 else None)
                else:
                    rw.blank(col, fmt if col < 2 else None)  # type: ignore[arg-type]
        wb.close()
        return _sheet_xml(path)

    sheet = written(True)
    assert sheet == written(False)
    assert '<c r="B2" s="1"/>' in sheet and '<row r="3" ht="30" customHeight="1">' in sheet
