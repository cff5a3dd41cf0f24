"""The xlsxwriter toolkit the office workbook, the summary and the new master are written with:
shared formats and options, return-code checks, text cells and text measures, all through
xlsxwriter's public API. The summary's bulk row writer, which is not, is in :mod:`.bulk`."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import math
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ..values import EXCEL_TEXT_LIMIT, cell_sized, visible_width

FONT = "TH Sarabun New"
FONT_SIZE = 16
ROW_HEIGHT = 27.0          # points per line of 16 pt Thai text (tall vowels and tone marks)
HEADER_FILL = "#DDEBF7"
LOCKED_FILL = "#F2F2F2"
INPUT_FILL = "#FFF2CC"
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
    "in_memory": True,   # no temporary file per part: generation is dominated by small files
    "default_format_properties": {"font_name": FONT, "font_size": FONT_SIZE},
}

# Functions that Excel stores with an ``_xlfn.`` prefix (dynamic arrays, post-2007 functions).
# xlsxwriter adds the prefixes by running ~30 regular expressions over every formula; the
# engine's formulas use none of these, so its writers skip that pass (the office workbook's
# sheets and the summary's, see :mod:`.bulk`); tests/test_formulas_plain.py checks it.
PREFIXED_FUNCTIONS = re.compile(
    r"\b(ANCHORARRAY|BYCOL|BYROW|CHOOSECOLS|CHOOSEROWS|DROP|EXPAND|FILTER|HSTACK|LAMBDA|"
    r"MAKEARRAY|MAP|RANDARRAY|REDUCE|SCAN|SINGLE|SEQUENCE|SORT|SORTBY|SWITCH|TAKE|TEXTSPLIT|"
    r"TOCOL|TOROW|UNIQUE|VSTACK|WRAPCOLS|WRAPROWS|XLOOKUP|XMATCH|IFS|MAXIFS|MINIFS|CONCAT|"
    r"TEXTJOIN|IFNA|STDEV\.|VAR\.|RANK\.|PERCENTILE\.|QUARTILE\.|FLOOR\.|CEILING\.)\(")


# Printing on A4: the width inside side margins of half an inch, and the most a character unit
# of column width takes at 16 pt (LibreOffice with Thai fallback fonts, the widest seen; Excel
# with TH Sarabun New takes less), at 96 pixels an inch.
A4_WIDTH_INCHES = {False: 8.27 - 1.0, True: 11.69 - 1.0}      # by landscape
CHARACTER_PIXELS = 12


def print_scale(widths: Sequence[float], landscape: bool, most: int = 100) -> int:
    """The print scale (percent, at most ``most``) at which columns of ``widths`` fit across
    an A4 page between half-inch margins."""
    needed = sum(width * CHARACTER_PIXELS + 5 for width in widths) / 96
    return max(10, min(most, int(100 * A4_WIDTH_INCHES[landscape] / needed)))


def workbook_options() -> dict[str, Any]:
    """A fresh copy of :data:`WORKBOOK_OPTIONS` for one workbook: xlsxwriter writes into the
    options it is given (the default format's theme font), so a shared dict made every
    workbook after a process's first one differ from it."""
    return copy.deepcopy(WORKBOOK_OPTIONS)


class XlsxWriteError(RuntimeError):
    """xlsxwriter refused something (it returns codes rather than raising)."""


def check(code: int | None, what: str) -> None:
    """Fail loudly on xlsxwriter's negative return codes (for example -2 for a too-long list).

    Raises:
        XlsxWriteError: for any code other than 0 or None.
    """
    if code not in (None, 0):
        raise XlsxWriteError(f"xlsxwriter returned {code} for {what}")


def cached_value(value: Decimal | None) -> Decimal | str:
    """A formula's value when written (``write_formula``'s ``value``): blank while none."""
    return "" if value is None else value


class ReportStyles:
    """The formats the report workbooks (the summary, the history) share; each adds its own
    with :meth:`fmt`."""

    def __init__(self, wb: Any) -> None:
        self.wb = wb
        self.title = self.fmt(bold=True, font_size=20)
        self.bold = self.fmt(bold=True)
        self.header = self.fmt(bold=True, bg_color=HEADER_FILL, border=1, text_wrap=True,
                               align="center", valign="vcenter")
        self.text = self.fmt(text_wrap=True)
        self.plain = self.fmt()

    def fmt(self, **props: Any) -> Format:
        """A format, top-aligned unless ``props`` say otherwise."""
        return self.wb.add_format({"valign": "top", **props})


def score_format(places: int) -> str:
    """The number format of a score shown to ``places`` decimals: ``0.0000`` or ``0.00``."""
    return "0." + "0" * places


def plain_text(text: str) -> bool:
    """Whether xlsxwriter's ``write_string`` stores ``text`` as it is: not empty, not longer
    than a cell holds, and not shaped like rich text (``<r>...</r>``, which xlsxwriter would
    store unescaped, as runs)."""
    return (0 < len(text) <= EXCEL_TEXT_LIMIT // 2
            and not (text.startswith("<r>") and text.endswith("</r>")))


def write_text(ws: Worksheet, row: int, col: int, text: str, fmt: Format | None = None) -> None:
    """Write ``text`` as a text cell, as it is: nothing for empty text, text longer than a cell
    holds cut to 32,767 UTF-16 units, and text shaped like rich text written as plain runs
    (see :func:`plain_text`).

    Raises:
        XlsxWriteError: when xlsxwriter refuses the cell.
    """
    if plain_text(text):
        code = ws.write_string(row, col, text, fmt)
    elif not text:
        return
    else:
        text = cell_sized(text)
        if text.startswith("<r>") and text.endswith("</r>"):
            # three runs: xlsxwriter asks for more than two
            runs: list[str | Format] = [text[:1], text[1:2], text[2:]] + ([fmt] if fmt else [])
            code = ws.write_rich_string(row, col, *runs)
        else:
            code = ws.write_string(row, col, text, fmt)
    if code:
        check(code, f"{ws.name} row {row + 1} column {col + 1}")


@functools.lru_cache(maxsize=8192)     # KPI names and texts recur workbook after workbook
def text_lines(text: str, width: float) -> int:
    """Roughly how many lines ``text`` wraps to in a column ``width`` characters wide."""
    lines = 0
    for part in str(text).split("\n"):
        visible = visible_width(part)
        lines += max(1, math.ceil(visible / max(width * 0.8, 1)))
    return lines


class Cells:
    """The cells of one row of a sheet (0-based row and columns), written through xlsxwriter's
    public API; each refusal raises :class:`~workbook_engine.xlsx.writer.XlsxWriteError`."""

    def __init__(self, ws: Worksheet, row: int, height: float | None = None) -> None:
        """Row ``row`` of ``ws``; ``height`` in points, else the sheet's default."""
        self.ws, self.row = ws, row
        if height is not None:
            self._check(ws.set_row(row, height), 0)

    def _check(self, code: int | None, col: int) -> None:
        if code:
            check(code, f"{self.ws.name} row {self.row + 1} column {col + 1}")

    def string(self, col: int, text: str, fmt: Format) -> None:
        """A text cell (:func:`~workbook_engine.xlsx.writer.write_text`; none for no text)."""
        write_text(self.ws, self.row, col, text, fmt)

    def number(self, col: int, value: float | Decimal, fmt: Format) -> None:
        """A number cell."""
        self._check(self.ws.write_number(self.row, col, value, fmt), col)

    def moment(self, col: int, value: dt.datetime, fmt: Format) -> None:
        """A date and time cell."""
        self._check(self.ws.write_datetime(self.row, col, value, fmt), col)

    def formula(self, col: int, formula: str, fmt: Format, cached: float | Decimal | str) -> None:
        """A formula cell with the value it has when written."""
        self._check(self.ws.write_formula(self.row, col, formula, fmt, cached), col)

    def blank(self, col: int, fmt: Format) -> None:
        """A formatted empty cell (an input to fill)."""
        self._check(self.ws.write_blank(self.row, col, None, fmt), col)

    def merged(self, first_col: int, last_col: int, text: str, fmt: Format) -> None:
        """``text`` merged over ``first_col..last_col`` (the others blank, one style)."""
        plain = plain_text(text)
        self._check(self.ws.merge_range(self.row, first_col, self.row, last_col,
                                        text if plain else "", fmt), first_col)
        if not plain:
            self.string(first_col, text, fmt)
