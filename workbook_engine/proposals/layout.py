"""Where things are in a proposal workbook (CONTRACT section 6).

The proposal workbook is written from this layout and read back by it (the table by its defined
name ``PROPOSALS`` first, by these positions when a program broke the name), so both take it
from here.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..master import format as mf
from ..xlsx.cells import column_letter

META_KIND = "proposal"          # _meta's ``kind``
GUIDE_SHEET = "คำชี้แจง"
TABLE_SHEET = "ตัวชี้วัดที่เสนอ"
LISTS_SHEET = "_lists"
META_SHEET = "_meta"
VISIBLE_SHEETS = (GUIDE_SHEET, TABLE_SHEET)
TABLE_NAME = "PROPOSALS"        # header row and every row of the table
DEFAULT_BLANK_ROWS = 10
MAX_BLANK_ROWS = 200

TITLE_ROW = 1                   # 1-based rows of the table sheet
OFFICE_ROW = 2
TOTAL_ROW = 3                   # the live weight total and the split by group
HEADER_ROW = 5
FIRST_ROW = 6
CHECK_COLUMN = 1                # column A: the live check of each row, outside the table
FIRST_TABLE_COLUMN = 2          # the table starts in column B

COL_LEVEL_TEXTS = tuple(f"คำอธิบายระดับ {n}" for n in range(1, 6))
COL_REASON = "เหตุผล"
CHECK_HEADER = "ผลตรวจ (คำนวณให้ทันที)"
CASCADED_NOTE = "ตัวชี้วัดที่ถ่ายทอดมา แก้ไขไม่ได้"
CHECK_OK = "ครบถ้วน"
MILESTONE_KIND = mf.KIND_MILESTONE


FIXED = frozenset({mf.COL_KPI, mf.COL_GROUP})     # never typed in, on any row


@dataclass(frozen=True)
class Column:
    """One column of the table: its master header and width."""

    header: str
    width: float

    @property
    def editable(self) -> bool:
        """Whether an office may type in it on a group-2 row (not its code or group)."""
        return self.header not in FIXED


@functools.lru_cache(maxsize=8)
def columns(fiscal_year: int) -> tuple[Column, ...]:
    """The table's columns for ``fiscal_year``: the master's own headers, the baselines of the
    three previous years, the milestone levels' texts and the reason."""
    return (
        Column(mf.COL_KPI, 8),
        Column(mf.COL_KPI_NAME, 36),
        Column(mf.COL_GROUP, 6),
        Column(mf.COL_UNIT, 10),
        Column(mf.COL_KIND, 16),
        Column(mf.COL_DIRECTION, 8),
        Column(mf.COL_WEIGHT, 8),
        Column(mf.COL_TARGET, 9),
        *(Column(level, 8) for level in mf.COL_LEVELS),
        Column(mf.COL_ORG_KPI, 11),
        Column(mf.COL_DESCRIPTION, 30),
        Column(mf.COL_FORMULA, 30),
        Column(mf.COL_DATA_REQUIRED, 30),
        Column(mf.COL_OWNER, 18),
        Column(mf.COL_COLLECTOR, 18),
        *(Column(mf.baseline_column(year), 10) for year in baseline_years(fiscal_year)),
        *(Column(text, 24) for text in COL_LEVEL_TEXTS),
        Column(COL_REASON, 30),
    )


def baseline_years(fiscal_year: int) -> tuple[int, int, int]:
    """The three fiscal years before ``fiscal_year``, oldest first."""
    return fiscal_year - 3, fiscal_year - 2, fiscal_year - 1


@functools.lru_cache(maxsize=8)
def numbers(fiscal_year: int) -> dict[str, int]:
    """Each column's 1-based number, by header."""
    return {c.header: FIRST_TABLE_COLUMN + i for i, c in enumerate(columns(fiscal_year))}


@functools.lru_cache(maxsize=8)
def letters(fiscal_year: int) -> dict[str, str]:
    """Each column's letter, by header."""
    return {header: column_letter(n) for header, n in numbers(fiscal_year).items()}


def table_ref(fiscal_year: int, rows: int) -> str:
    """The A1 range of the table (header and ``rows`` rows), e.g. ``B5:AC25``."""
    last = column_letter(FIRST_TABLE_COLUMN + len(columns(fiscal_year)) - 1)
    return f"{column_letter(FIRST_TABLE_COLUMN)}{HEADER_ROW}:{last}{HEADER_ROW + rows}"


def file_name(fiscal_year: int, office: str) -> str:
    """``2569-P-B03.xlsx``."""
    return f"{fiscal_year}-P-{office}.xlsx"


_FILE_NAME = re.compile(r"(?:^|[\s_])(\d{4})-P-(.+?)(?: ?\(\d+\))?\.xls[xm]$", re.IGNORECASE)


def parse_file_name(name: str) -> tuple[int, str] | None:
    """The fiscal year and office a proposal's file name gives, as :func:`file_name` writes
    it (words before it and a copy's number after it allowed, as a form's); else None."""
    match = _FILE_NAME.search(PurePosixPath(name.replace("\\", "/")).name)
    return (int(match[1]), match[2]) if match else None


def office_in_file_name(name: str) -> str | None:
    """The office a proposal's file name gives (see :func:`parse_file_name`); else None."""
    found = parse_file_name(name)
    return None if found is None else found[1]
