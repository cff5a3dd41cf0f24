"""Small helpers shared by the xlsxwriter-based writers (office workbook, summary, new master)."""

from __future__ import annotations

import math
import re

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

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
# Thai vowels and tone marks above or below the line take no width of their own.
_ZERO_WIDTH = dict.fromkeys([0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F)])


class XlsxWriteError(RuntimeError):
    """xlsxwriter refused something (it returns codes rather than raising)."""


def check(code: int | None, what: str) -> None:
    """Fail loudly on xlsxwriter's negative return codes (for example -2 for a too-long list).

    Raises:
        XlsxWriteError: for any code other than 0 or None.
    """
    if code not in (None, 0):
        raise XlsxWriteError(f"xlsxwriter returned {code} for {what}")


def visible_width(text: str) -> int:
    """Characters that take room on screen or paper: Thai vowels and tone marks above or below
    the line do not."""
    return len(text.translate(_ZERO_WIDTH))


def text_lines(text: str, width: float) -> int:
    """Roughly how many lines ``text`` wraps to in a column ``width`` characters wide."""
    lines = 0
    for part in str(text).split("\n"):
        visible = visible_width(part)
        lines += max(1, math.ceil(visible / max(width * 0.8, 1)))
    return lines


# Functions that Excel stores with an ``_xlfn.`` prefix (dynamic arrays, post-2007 functions).
# xlsxwriter adds the prefixes by running ~30 regular expressions over every formula; ours use
# none of these, so the writers below skip that pass (tests/test_formulas_plain.py checks it).
PREFIXED_FUNCTIONS = re.compile(
    r"\b(ANCHORARRAY|BYCOL|BYROW|CHOOSECOLS|CHOOSEROWS|DROP|EXPAND|FILTER|HSTACK|LAMBDA|"
    r"MAKEARRAY|MAP|RANDARRAY|REDUCE|SCAN|SINGLE|SEQUENCE|SORT|SORTBY|SWITCH|TAKE|TEXTSPLIT|"
    r"TOCOL|TOROW|UNIQUE|VSTACK|WRAPCOLS|WRAPROWS|XLOOKUP|XMATCH|IFS|MAXIFS|MINIFS|CONCAT|"
    r"TEXTJOIN|IFNA|STDEV\.|VAR\.|RANK\.|PERCENTILE\.|QUARTILE\.|FLOOR\.|CEILING\.)\(")


class PlainFormulaWorksheet(Worksheet):  # type: ignore[misc]
    """A worksheet whose formulas are written as given (see :data:`PREFIXED_FUNCTIONS`)."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        return formula[1:] if formula.startswith("=") else formula


class PlainFormulaWorkbook(xlsxwriter.Workbook):  # type: ignore[misc]
    """xlsxwriter's Workbook with :class:`PlainFormulaWorksheet` sheets."""

    worksheet_class = PlainFormulaWorksheet


class LockedWorkbook(PlainFormulaWorkbook):
    """A :class:`PlainFormulaWorkbook` with workbook-structure protection (no xlsxwriter API)."""

    def _write_workbook_pr(self) -> None:
        super()._write_workbook_pr()
        self._xml_empty_tag("workbookProtection", [("lockStructure", 1)])
