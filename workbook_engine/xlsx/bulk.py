"""The summary's bulk row writer: rows of big sheets rendered straight to SpreadsheetML, and the
workbook that stores them (formulas as given, a compression level of its own).

Everything here relies on xlsxwriter's private internals, which change between minor versions
(3.3 changed ``RowInfo`` and ``Worksheet._write_row``): ``pyproject.toml`` pins xlsxwriter to the
minor version tested (``>=3.3,<3.4``), and ``tests/test_xlsxwriter_canary.py`` fails, naming the
part, when one of them changes. They are:

- ``xlsxwriter.worksheet.RowInfo`` and ``Worksheet._write_row`` (a ``<row>`` tag as xlsxwriter
  writes it), ``Worksheet._write_rows`` (overridden), ``_assemble_xml_file`` (overridden),
  ``_check_dimensions``, ``_get_range_data`` (overridden, a chart's cache), ``_prepare_formula``
  (overridden: formulas as given), ``_convert_date_time``, and the attributes ``fh``, ``table``,
  ``row_info``, ``merge``, ``dim_rowmin``, ``dim_rowmax``, ``xls_rowmax``, ``xls_colmax`` and
  ``str_table`` (with ``_get_shared_string_index`` and ``count``);
- ``Format._get_xf_index`` and ``XMLwriter._escape_control_characters``;
- ``Workbook._store_workbook`` (overridden), the attribute ``tmpdir`` it takes its parts'
  folder from, and the module global ``xlsxwriter.workbook.ZipFile``
  it stores with, replaced by :class:`_LevelledZipFile` when this module is imported.

The office workbook is written through xlsxwriter's public API but for two small overrides of
its own (``forms/office_workbook.py``, watched by the same test); the new master through the
public API only.
"""

from __future__ import annotations

import contextvars
import copy
import datetime as dt
import io
import math
import os
import tempfile
import zipfile
from collections.abc import Callable, Collection, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet
from xlsxwriter.xmlwriter import XMLwriter

from ..values import EXCEL_TEXT_LIMIT, cell_sized
from .outputs import Spool, Spooled
from .writer import XlsxWriteError

try:
    from xlsxwriter.worksheet import RowInfo
except ImportError as exc:     # xlsxwriter before 3.3, or a change this module must follow
    raise ImportError(f"xlsxwriter {xlsxwriter.__version__} has no private RowInfo, which "
                      "workbook_engine/xlsx/bulk.py relies on: install the xlsxwriter that "
                      "pyproject.toml pins") from exc


class PlainFormulaWorksheet(Worksheet):  # type: ignore[misc]
    """A worksheet whose formulas are written as given (see
    :data:`~workbook_engine.xlsx.writer.PREFIXED_FUNCTIONS`)."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        return formula[1:] if formula.startswith("=") else formula


_ERROR_VALUES = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})


_LETTERS = [xl_col_to_name(col) for col in range(64)]   # grows when a sheet goes wider
_SHARED = ' t="s"><v>'    # in a cell of a shared string, only there
OPEN_ROW = "\x00"   # stands for the row number in a row rendered before its place is known
ROW_BREAK = "\x01"  # between the rows of a block (:meth:`RowWriter.place_block`)


def _escape(text: str) -> str:
    """XML's escapes for text between tags (str.translate is several times slower)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class RowWriter:
    """Renders rows of a :class:`BulkWorksheet` straight to SpreadsheetML as they are given.

    Each method writes one cell of the current row (0-based columns, as xlsxwriter's, left to
    right as a row's cells must be stored); empty text and ``None`` write nothing. Strings go
    to the workbook's shared-string table and formats to its style table, so the part is what
    xlsxwriter itself would write.

    A row can also be rendered before its place is known: :meth:`open_row`, the cells (a
    formula refers to the row's own number as :data:`OPEN_ROW`), :meth:`take`; then
    :meth:`place` puts it at a row.
    """

    def __init__(self, ws: BulkWorksheet) -> None:
        self._ws = ws
        self._strings = ws.str_table
        self._xf: dict[int, str] = {}
        self._letters = _LETTERS
        self._cells: list[str] = []
        self._row = -1
        self._label = ""
        self._col = -1
        self.max_col = 0

    def start(self, row: int, height: float | None = None) -> None:
        """Begin row ``row``; ``height`` in points (as ``set_row``), else the sheet's default.

        Raises:
            XlsxWriteError: when ``row`` does not come after the previous one.
        """
        self._advance(row)
        self._keep_last()
        self._label, self._col, self._cells = str(row + 1), -1, []
        self._ws.bulk.append((row, self._cells, height))

    def _keep_last(self) -> None:
        """Move the row begun last, now complete, to the workbook's spool (when it has one):
        a national summary's offices, groups and sources sheets hold 100,000 rows."""
        bulk, keep = self._ws.bulk, self._ws.keep
        if keep is not None and bulk and bulk[-1][1] is self._cells:
            row, _, height = bulk[-1]
            bulk[-1] = (row, keep("".join(self._cells)), height)

    def _advance(self, row: int) -> None:
        if row <= self._row:
            raise XlsxWriteError(f"{self._ws.name}: row {row + 1} after row {self._row + 1}")
        if row >= self._ws.xls_rowmax:
            raise XlsxWriteError(f"{self._ws.name}: row {row + 1} is past a sheet's last row")
        self._row = row

    def open_row(self) -> None:
        """Begin a row whose number is given later, by :meth:`place`."""
        self._label, self._col, self._cells = OPEN_ROW, -1, []

    def take(self) -> str:
        """The cells of the row begun by :meth:`open_row`, to :meth:`place` later."""
        return "".join(self._cells)

    def place(self, row: int, cells: str | Spooled, height: float | None = None) -> None:
        """Put the cells of an open row (from :meth:`take`, or kept in the workbook's
        :class:`Spool`) at ``row``; ``height`` in points (as ``set_row``), else the sheet's
        default.

        Raises:
            XlsxWriteError: when ``row`` does not come after the previous one.
        """
        self._advance(row)
        self._ws.bulk.append((row, cells if isinstance(cells, Spooled) else
                              [cells.replace(OPEN_ROW, str(row + 1))], height))

    def place_block(self, row: int, block: Block) -> None:
        """Put the open rows of ``block`` at ``row`` and the rows after it, with the default
        height.

        Raises:
            XlsxWriteError: when ``row`` does not come after the previous one.
        """
        self._advance(row)
        if block.rows > 1:
            self._advance(row + block.rows - 1)     # within the sheet
        self._ws.bulk.append((row, block, None))

    def _ref(self, col: int) -> str:
        if col <= self._col:
            raise XlsxWriteError(f"{self._ws.name}: column {col + 1} after column {self._col + 1} "
                                 f"in row {self._label}")
        self._col = col
        while len(self._letters) <= col:
            if col >= self._ws.xls_colmax:
                raise XlsxWriteError(f"{self._ws.name}: column {col + 1} is past a sheet's last")
            self._letters.append(xl_col_to_name(len(self._letters)))
        if col > self.max_col:
            self.max_col = col
        return f"{self._letters[col]}{self._label}"

    def _style(self, fmt: Format | None) -> str:
        if fmt is None:
            return ""
        key = id(fmt)
        style = self._xf.get(key)
        if style is None:
            style = self._xf[key] = f' s="{fmt._get_xf_index()}"'
        return style

    def string(self, col: int, text: str | None, fmt: Format | None = None) -> None:
        """A text cell, always text (never a formula or number, whatever it starts with); text
        longer than a cell holds is cut to 32,767 UTF-16 units, as xlsxwriter cuts it."""
        if text:
            self._cells.append(self._string(f'<c r="{self._ref(col)}"{self._style(fmt)}', text))

    def _string(self, head: str, text: str) -> str:
        """A text cell from its head (``<c r=".." s=".."``)."""
        if len(text) > EXCEL_TEXT_LIMIT // 2:
            text = cell_sized(text)
        if text.startswith("<r>") and text.endswith("</r>"):
            # xlsxwriter writes such shared strings unescaped, as rich text: keep it plain
            escaped = _escape(XMLwriter._escape_control_characters(text))
            return f'{head} t="inlineStr"><is><t xml:space="preserve">{escaped}</t></is></c>'
        return f'{head} t="s"><v>{self._strings._get_shared_string_index(text)}</v></c>'

    def number(self, col: int, value: float | Decimal | None, fmt: Format | None = None) -> None:
        """A number cell.

        Raises:
            XlsxWriteError: for NaN or infinity, which a workbook cannot hold.
        """
        if value is not None:
            self._cells.append(self._number(f'<c r="{self._ref(col)}"{self._style(fmt)}', value))

    def _number(self, head: str, value: float | Decimal) -> str:
        # a Decimal says itself whether it is finite (math.isfinite converts it to a float)
        if not (value.is_finite() if type(value) is Decimal else math.isfinite(value)):
            raise XlsxWriteError(f"{self._ws.name}: {value} is not a number a cell holds")
        return f"{head}><v>{value:.16G}</v></c>"

    def formula(self, col: int, formula: str, fmt: Format | None = None,
                cached: float | Decimal | str = "") -> None:
        """A formula (with or without the leading ``=``) and the value it had when written."""
        self._cells.append(_formula(f'<c r="{self._ref(col)}"{self._style(fmt)}', formula,
                                    cached))

    def template(self, cells: Sequence[tuple[int, Format | None]],
                 repeated: Collection[int] = (), blanks: bool = False) -> RowTemplate:
        """A :class:`RowTemplate` of open rows with these (column, format) cells, in order.

        Texts in the ``repeated`` columns recur from row to row (an office's name on each of
        its KPIs): each distinct one is rendered once and its cell reused. With ``blanks``,
        a cell given None or empty text is a formatted blank (as :meth:`blank` writes it), not
        left out. Call it before any row is begun (it uses the open row to build the cells'
        tags).

        Raises:
            XlsxWriteError: when the columns are not in order or go past a sheet's last.
        """
        self.open_row()
        heads = [f'<c r="{self._ref(col)}"{self._style(fmt)}' for col, fmt in cells]
        self._col = -1
        return RowTemplate(self, heads, [col in repeated for col, _ in cells], blanks)

    def moment(self, col: int, value: dt.datetime | None, fmt: Format | None = None) -> None:
        """A date and time, as Excel's serial number."""
        if value is not None:
            self.number(col, self._ws._convert_date_time(value), fmt)

    def blank(self, col: int, fmt: Format) -> None:
        """A formatted empty cell (an input to fill, or a cell of a merged range), as
        xlsxwriter's ``write_blank`` writes it."""
        self._cells.append(f'<c r="{self._ref(col)}"{self._style(fmt)}/>')


def _formula(head: str, formula: str, cached: float | Decimal | str) -> str:
    text = _escape(formula[1:] if formula.startswith("=") else formula)
    if not isinstance(cached, str):
        return f"{head}><f>{text}</f><v>{cached}</v></c>"
    kind = (' t="e"' if cached in _ERROR_VALUES else ' t="str"') if cached else ""
    return f"{head}{kind}><f>{text}</f><v>{_escape(cached)}</v></c>"


class Block(NamedTuple):
    """Open rows kept together in a workbook's spool (each row's cells, as
    :meth:`RowWriter.take` gives them, joined by :data:`ROW_BREAK`): one piece to keep and read
    for an office's rows instead of one a row."""

    cells: Spooled
    rows: int


class Formula(NamedTuple):
    """A formula cell's value for :meth:`RowTemplate.render`: its text and cached value."""

    text: str
    cached: float | Decimal | str = ""


class RowTemplate:
    """Open rows (see :meth:`RowWriter.open_row`) whose cells are always the same columns and
    formats: each cell's opening tag is built once, so a row costs little more than its values.
    Made by :meth:`RowWriter.template`."""

    def __init__(self, writer: RowWriter, heads: list[str], repeated: list[bool],
                 blanks: bool = False) -> None:
        self._writer = writer
        self._heads = heads
        self._kept: list[dict[str, str] | None] = [{} if r else None for r in repeated]
        self._rendered: dict[tuple[object, ...], tuple[str, int]] = {}
        self._blanks = blanks

    def part(self, start: int, stop: int) -> RowTemplate:
        """The template of this one's cells ``start`` to ``stop - 1`` (0-based, in its order):
        a row rendered in parts is their cells joined in order."""
        return RowTemplate(self._writer, self._heads[start:stop],
                           [kept is not None for kept in self._kept[start:stop]], self._blanks)

    def recurring(self, values: tuple[str | float | Decimal | Formula | None, ...]) -> str:
        """:meth:`render` for values that recur from row to row (an office's on each of its
        KPIs; a KPI's, with the same weight and criteria, in each office): each distinct tuple
        is rendered once and its cells reused, its texts counted again in the string table."""
        found = self._rendered.get(values)
        if found is None:
            cells = self.render(values)
            found = self._rendered[values] = (cells, cells.count(_SHARED))
        else:
            self._writer._strings.count += found[1]     # one more use of each of its texts
        return found[0]

    def render(self, values: Sequence[str | float | Decimal | Formula | None]) -> str:
        """The row's cells, as :meth:`RowWriter.take` gives them, for one value a column:
        text, a number, a :class:`Formula`, or None (and empty text) for no cell, or for a
        blank one in a template made with ``blanks``.

        Raises:
            XlsxWriteError: for NaN or infinity, or a count of values that is not the template's.
        """
        if len(values) != len(self._heads):
            raise XlsxWriteError(f"{len(values)} values for a row of {len(self._heads)} cells")
        writer, cells, blanks = self._writer, [], self._blanks
        for head, value, kept in zip(self._heads, values, self._kept, strict=True):
            if value is None:
                if blanks:
                    cells.append(f"{head}/>")
                continue
            if type(value) is str:
                if not value:
                    if blanks:
                        cells.append(f"{head}/>")
                    continue
                cell = None if kept is None else kept.get(value)
                if cell is None:
                    cell = writer._string(head, value)
                    if kept is not None and cell.endswith("</v></c>"):   # a shared string
                        kept[value] = cell
                else:
                    writer._strings.count += 1      # one more use, as the table counts them
                cells.append(cell)
            elif type(value) is Formula:
                cells.append(_formula(head, value.text, value.cached))
            else:
                cells.append(writer._number(head, value))   # type: ignore[arg-type]
        return "".join(cells)


class BulkWorksheet(PlainFormulaWorksheet):
    """A worksheet that also takes rows through a :class:`RowWriter` (see :meth:`rows`).

    xlsxwriter keeps each cell as an object and writes it through a general path, which costs
    several times what rendering the cell does; for sheets of thousands of rows (the summary's
    offices, KPI details and cascade) the rows are rendered at once instead. Rows written this
    way must come after every row written through xlsxwriter's own methods.
    """

    def __init__(self) -> None:
        super().__init__()
        # row, cells (or where a spool keeps them, or a block of rows there), height
        self.bulk: list[tuple[int, list[str] | Spooled | Block, float | None]] = []
        self.spool: Spool | None = None     # the workbook's, set when it is stored
        self.keep: Callable[[str], Spooled] | None = None   # how the workbook spools a row
        self._writer: RowWriter | None = None
        # what a chart's cache shows of cells a RowWriter wrote, as xlsxwriter gives its own
        # (texts as they are, numbers as .16g text, formulas their value): (row, col) -> value
        self.chart_values: dict[tuple[int, int], object] = {}

    def merge_cells(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        """Merge a range whose cells a :class:`RowWriter` writes (xlsxwriter's ``merge_range``
        writes the cells itself, which rows of a RowWriter may not hold; nor does this check
        for overlapping merges as it does)."""
        self.merge.append([first_row, first_col, last_row, last_col])

    def rows(self) -> RowWriter:
        """The sheet's row writer."""
        if self._writer is None:
            self._writer = RowWriter(self)
        return self._writer

    def _get_range_data(self, row_start: int, col_start: int, row_end: int,
                        col_end: int) -> list[object]:
        """A chart's cached data for a range: from :attr:`chart_values` where rows were written
        in bulk, else xlsxwriter's own."""
        if not self.chart_values:
            found: list[object] = super()._get_range_data(row_start, col_start, row_end,
                                                          col_end)
            return found
        return [self.chart_values.get((row, col)) for row in range(row_start, row_end + 1)
                for col in range(col_start, col_end + 1)]

    def _assemble_xml_file(self) -> None:
        if self.bulk:      # the <dimension> is written before the rows
            row, cells, _ = self.bulk[-1]
            self._check_dimensions(self.bulk[0][0], 0)
            self._check_dimensions(row + (cells.rows - 1 if isinstance(cells, Block) else 0),
                                   self.rows().max_col)
        super()._assemble_xml_file()

    def _write_rows(self) -> None:
        if not self.bulk:
            super()._write_rows()
            return
        first, last = self.bulk[0][0], int(self.dim_rowmax)  # type: ignore[has-type]
        if any(self.table.get(row) or row in self.row_info for row in range(first, last + 1)):
            raise XlsxWriteError(f"{self.name}: cells or set_row in the rows of a RowWriter")
        if self.dim_rowmin < first:
            self.dim_rowmax = first - 1
            super()._write_rows()
            self.dim_rowmax = last
        tags: dict[float | None, str] = {}
        write = self.fh.write  # type: ignore[has-type]
        for row, cells, height in self.bulk:
            tag = tags.get(height)
            if tag is None:
                tag = tags[height] = self._row_tag(height)
            if isinstance(cells, Block):
                assert self.spool is not None
                for number, each in enumerate(self.spool.cells(cells.cells).split(ROW_BREAK),
                                              start=row + 1):
                    label = str(number)
                    write(f'{tag.format(label)}>{each.replace(OPEN_ROW, label)}</row>')
                continue
            if isinstance(cells, Spooled):
                assert self.spool is not None
                cells = [self.spool.cells(cells).replace(OPEN_ROW, str(row + 1))]
            if cells:
                write(f'{tag.format(row + 1)}>{"".join(cells)}</row>')
            else:
                write(f"{tag.format(row + 1)}/>")

    def _row_tag(self, height: float | None) -> str:
        """The opening of a ``<row>`` of ``height`` points (None: the default) as xlsxwriter
        writes it (``set_row``), with ``{}`` for its number."""
        info = None if height is None else RowInfo(height=int(height * 4.0 / 3.0 + 0.5))
        saved, self.fh = self.fh, io.StringIO()  # type: ignore[has-type]
        try:
            self._write_row(0, None, info, empty_row=True)
            rendered = self.fh.getvalue()
        finally:
            self.fh = saved
        assert rendered.startswith('<row r="1"') and rendered.endswith("/>"), rendered
        return '<row r="{}"' + rendered[len('<row r="1"'):-2]


_ZIP_LEVEL: contextvars.ContextVar[int | None] = contextvars.ContextVar("zip_level", default=None)


class _LevelledZipFile(zipfile.ZipFile):
    """The ZipFile xlsxwriter writes workbooks with: it deflates every member it zips from a
    file (as a :class:`PlainFormulaWorkbook` writes all of them) at the level of the workbook
    being stored (:data:`_ZIP_LEVEL`, per thread), else at zlib's default.

    xlsxwriter has no option for the level; this class is put in its place once, when this
    module is imported.
    """

    def write(self, filename: Any, arcname: Any = None, compress_type: int | None = None,
              compresslevel: int | None = None) -> None:
        level = _ZIP_LEVEL.get() if compresslevel is None else compresslevel
        super().write(filename, arcname, compress_type, level)


xlsxwriter.workbook.ZipFile = _LevelledZipFile


class PlainFormulaWorkbook(xlsxwriter.Workbook):  # type: ignore[misc]
    """xlsxwriter's Workbook with :class:`BulkWorksheet` sheets (formulas as given, rows in
    bulk), and a choice of how hard to compress (:attr:`compress_level`): by default zlib's
    fastest, since these are the big workbooks written on every run (the summary, the review),
    whose parts come out a little bigger than at zlib's default and deflate several times
    faster."""

    worksheet_class = BulkWorksheet
    compress_level: int | None = 1       # zlib level 1-9; None: zlib's default (6)

    def __init__(self, filename: str, options: dict[str, Any] | None = None) -> None:
        # xlsxwriter writes into the options it is given (the default format's theme font), so
        # a shared options dict made every workbook after a process's first one differ from it.
        # Each part is written to a temporary file and deflated from it as it is zipped, so
        # memory does not hold a big sheet's XML (tens of MB for 1,000 offices) at all.
        super().__init__(filename, {**copy.deepcopy(options or {}), "in_memory": False})
        self._spool: Spool | None = None
        self._folder = os.path.dirname(os.path.abspath(filename))  # for temporary files

    def add_worksheet(self, name: str | None = None,
                      worksheet_class: type[BulkWorksheet] | None = None) -> BulkWorksheet:
        """A new sheet whose rows written in bulk wait in the workbook's spool."""
        sheet: BulkWorksheet = super().add_worksheet(name, worksheet_class)
        sheet.keep = self.spool
        return sheet

    def spool(self, cells: str) -> Spooled:
        """Keep a rendered row's cells on disk until the workbook is stored; place them with
        :meth:`RowWriter.place`."""
        if self._spool is None:
            self._spool = Spool(self._folder)
        return self._spool.keep(cells)

    def discard_spool(self) -> None:
        """Remove the rows kept on disk (when the workbook is stored, or will never be)."""
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    def _store_workbook(self) -> None:
        """Store the workbook at its level, its parts' temporary files in a folder of their
        own that is removed however the storing ends (xlsxwriter leaves them when it fails)."""
        token = _ZIP_LEVEL.set(self.compress_level)
        parts = tempfile.TemporaryDirectory(prefix=".workbook-engine-", dir=self._folder)
        self.tmpdir = parts.name
        for sheet in self.worksheets():
            sheet.spool = self._spool
        try:
            super()._store_workbook()
        finally:
            _ZIP_LEVEL.reset(token)
            for sheet in self.worksheets():     # a sheet whose writing failed is still open
                if isinstance(sheet.fh, io.IOBase):
                    sheet.fh.close()
            parts.cleanup()
            self.discard_spool()
