"""Reading numbers the way coordinators type them (DOMAIN.md, INTAKE.md case 16).

Accepts what is unambiguous: Thai digits (๐-๙), thousands separators in the right places,
surrounding and non-breaking spaces, a trailing percent sign, a Unicode minus. Rejects the rest.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import NamedTuple

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_SPACES = re.compile(r"[\s\u00a0\u200b\u2007\u202f]+")
_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                          "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!",
                          "#UNKNOWN!", "#CONNECT!", "#BUSY!", "ERR:502", "ERR:504", "ERR:508",
                          "ERR:511", "ERR:522", "ERR:523"})


class NumberStatus(Enum):
    """What :func:`parse_number` made of a cell value."""

    OK = "ok"               # a real number cell
    COERCED = "coerced"     # text that unambiguously reads as a number (warn)
    BLANK = "blank"         # empty cell or only spaces
    ERROR = "error"         # an Excel error value such as #DIV/0!
    INVALID = "invalid"     # text (or another type) that is not a number


class ParsedNumber(NamedTuple):
    """A cell value read as a number. ``value`` is set for OK and COERCED only."""

    status: NumberStatus
    value: Decimal | None = None
    percent: bool = False

    @property
    def ok(self) -> bool:
        """True when a number was read (possibly from text)."""
        return self.value is not None


@functools.lru_cache(maxsize=4096)     # weights and criteria repeat across offices
def exact_float(value: Decimal) -> float | None:
    """The float whose shortest digits are ``value``, when there is one (a cell holding it
    shows ``value``)."""
    if not value.is_finite():
        return None
    number = float(value)
    return number if math.isfinite(number) and to_decimal(number) == value else None


def to_decimal(number: int | float) -> Decimal:
    """The decimal a spreadsheet user sees for a stored number (shortest round-trip digits).

    Raises:
        ValueError: for NaN or infinity.
    """
    if isinstance(number, float):
        if not math.isfinite(number):
            raise ValueError(f"not a finite number: {number!r}")
        return Decimal(repr(number))
    return Decimal(number)


# Far beyond any result (Excel keeps 15 significant digits): larger magnitudes, NaN and
# infinity are not numbers a coordinator meant, and cannot be written to a workbook either.
MAX_MAGNITUDE = Decimal("1e15")
_MAX_FLOAT = 1e15       # the same bound for a stored number: 1e15 is exactly a float


def parse_number(raw: object) -> ParsedNumber:
    """Read a cell value as a number, accepting unambiguous text.

    Args:
        raw: the value openpyxl (or another reader) gives for the cell.

    Returns:
        A :class:`ParsedNumber`; ``percent`` tells whether the text carried a ``%`` sign (the
        number is then the figure as written, ``84%`` giving 84). NaN, infinity and magnitudes
        of 10^15 or more are ``INVALID``.
    """
    if type(raw) is float:     # the common cases first (not bool, a subclass of int)
        if math.isfinite(raw) and abs(raw) < _MAX_FLOAT:
            return ParsedNumber(NumberStatus.OK, Decimal(repr(raw)))
        return ParsedNumber(NumberStatus.INVALID)
    if type(raw) is int:
        return ParsedNumber(NumberStatus.OK, Decimal(raw)) if abs(raw) < MAX_MAGNITUDE else \
            ParsedNumber(NumberStatus.INVALID)
    parsed = _parse(raw)
    if parsed.value is not None and not (parsed.value.is_finite()
                                         and abs(parsed.value) < MAX_MAGNITUDE):
        return ParsedNumber(NumberStatus.INVALID)
    return parsed


def _parse(raw: object) -> ParsedNumber:
    if raw is None:
        return ParsedNumber(NumberStatus.BLANK)
    if isinstance(raw, (bool, dt.date, dt.time, dt.timedelta)):
        return ParsedNumber(NumberStatus.INVALID)
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and not math.isfinite(raw):
            return ParsedNumber(NumberStatus.INVALID)
        return ParsedNumber(NumberStatus.OK, to_decimal(raw))
    if isinstance(raw, Decimal):
        return ParsedNumber(NumberStatus.OK, raw) if raw.is_finite() else \
            ParsedNumber(NumberStatus.INVALID)
    if not isinstance(raw, str):
        return ParsedNumber(NumberStatus.INVALID)
    return _parse_text(raw)


def _parse_text(raw: str) -> ParsedNumber:
    text = _SPACES.sub("", raw.translate(_THAI_DIGITS)).replace("\u2212", "-")
    if not text:
        return ParsedNumber(NumberStatus.BLANK)
    if text.upper() in EXCEL_ERRORS:
        return ParsedNumber(NumberStatus.ERROR)
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    if not _PLAIN.fullmatch(text):
        return ParsedNumber(NumberStatus.INVALID)
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only valid decimals
        return ParsedNumber(NumberStatus.INVALID)
    return ParsedNumber(NumberStatus.COERCED, value, percent)


def clean_text(raw: object) -> str:
    """A cell value as trimmed text ('' for empty); numbers keep their shortest form."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


EXCEL_TEXT_LIMIT = 32_767     # UTF-16 units a cell holds


def cell_sized(text: str) -> str:
    """``text`` cut to what an Excel cell holds: 32,767 UTF-16 units, which a character
    outside the Basic Multilingual Plane (an emoji) takes two of."""
    if len(text) <= EXCEL_TEXT_LIMIT // 2:
        return text
    units = text.encode("utf-16-le")[:2 * EXCEL_TEXT_LIMIT]
    return units.decode("utf-16-le", errors="ignore")     # no half of a pair at the end


_ZERO_WIDTH = dict.fromkeys([0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F)])


def visible_width(text: str) -> int:
    """Characters that take room on screen or paper: Thai vowels and tone marks above or below
    the line do not."""
    return len(text.translate(_ZERO_WIDTH))
