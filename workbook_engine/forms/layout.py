"""Where things are in an office workbook (CONTRACT section 2).

The generator writes this layout and the harvester reads it back (by defined names first, by
these positions when a spreadsheet program broke the names), so both take it from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from pathlib import PurePosixPath

from ..model import TEXT_INPUTS, TEXT_KEYS, TextInput, name_key
from ..xlsx.cells import column_letter

SCHEMA_VERSION = "2"      # 2: the text inputs moved from the report table to a page per KPI

GUIDE_SHEET = "คำชี้แจง"
AGREEMENT_SHEET = "คำรับรอง"
DETAILS_SHEET = "รายละเอียดตัวชี้วัด"
REPORT_SHEET = "รายงานผล"
KPI_REPORT_SHEET = "รายงานรายตัวชี้วัด"
LISTS_SHEET = "_lists"
LEVELS_RANGE = f"='{LISTS_SHEET}'!$A$1:$A$6"    # the levels 0-5, for a milestone's result
META_SHEET = "_meta"
VISIBLE_SHEETS = (GUIDE_SHEET, AGREEMENT_SHEET, DETAILS_SHEET, REPORT_SHEET, KPI_REPORT_SHEET)
ALL_SHEETS = (*VISIBLE_SHEETS, LISTS_SHEET, META_SHEET)


class Role(Enum):
    """What a report-form column holds."""

    LOCKED = "locked"    # copied from the master; must come back unchanged
    INPUT = "input"      # typed by the coordinator
    FORMULA = "formula"  # a live formula


@dataclass(frozen=True)
class Column:
    """One column of the report form ``รายงานผล``."""

    key: str
    header: str
    width: float
    role: Role
    name_prefix: str | None = None  # defined name ``<prefix>_<k>`` on this column's cell
    max_length: int | None = None   # for text inputs

    @property
    def index(self) -> int:
        """The 0-based column index, e.g. 10 for ``K``."""
        return _INDEX[self.key]

    @property
    def letter(self) -> str:
        """The column letter, e.g. ``K``."""
        return _LETTER[self.key]


REPORT_COLUMNS: tuple[Column, ...] = (
    Column("group", "กลุ่ม", 6, Role.LOCKED),
    Column("code", "รหัส", 7, Role.LOCKED),
    Column("name", "ตัวชี้วัด", 32, Role.LOCKED),
    Column("unit", "หน่วยวัด", 9, Role.LOCKED),
    Column("weight", "น้ำหนัก (ร้อยละ)", 9, Role.LOCKED),
    Column("c1", "ระดับ 1", 8, Role.LOCKED),
    Column("c2", "ระดับ 2", 8, Role.LOCKED),
    Column("c3", "ระดับ 3", 8, Role.LOCKED),
    Column("c4", "ระดับ 4", 8, Role.LOCKED),
    Column("c5", "ระดับ 5", 8, Role.LOCKED),
    Column("result", "ผลการดำเนินงาน", 12, Role.INPUT, "RESULT"),
    Column("score", "ค่าคะแนนที่ได้", 10, Role.FORMULA, "SCORE"),
    Column("weighted", "คะแนนถ่วงน้ำหนัก", 10, Role.FORMULA, "WEIGHTED"),
)
COLUMN = {c.key: c for c in REPORT_COLUMNS}
_INDEX = {c.key: i for i, c in enumerate(REPORT_COLUMNS)}
_LETTER = {c.key: column_letter(i + 1) for i, c in enumerate(REPORT_COLUMNS)}
CRITERIA_KEYS = ("c1", "c2", "c3", "c4", "c5")
TEXT_INPUT_KEYS = TEXT_KEYS
TEXT_INPUT = {t.key: t for t in TEXT_INPUTS}

TITLE_ROW = 1          # 1-based Excel rows
OFFICE_ROW = 2
PERIOD_ROW = 3
STATUS_ROW = 4         # the completeness line
HEADER_ROW = 6
FIRST_KPI_ROW = 7

# The agreement's KPI table (sheet คำรับรอง) has the report form's first ten columns (group to
# criterion 5) in the same order, under three title rows, five clauses and a blank row.
AGREEMENT_HEADER_ROW = 10
AGREEMENT_FIRST_KPI_ROW = 11
AGREEMENT_HEADERS = ("กลุ่ม", "รหัส", "ตัวชี้วัด", "หน่วยวัด", "น้ำหนัก", "ระดับ 1", "ระดับ 2",
                     "ระดับ 3", "ระดับ 4", "ระดับ 5")
AGREEMENT_TOTAL_LABEL = "รวม"
REPORT_TOTAL_LABEL = "คะแนนรวม"


def kpi_row(index: int) -> int:
    """The 1-based row of the ``index``-th (0-based) KPI on the report form."""
    return FIRST_KPI_ROW + index


def total_row(kpi_count: int) -> int:
    """The 1-based row of the total line under ``kpi_count`` KPIs."""
    return FIRST_KPI_ROW + kpi_count


def ref(key: str, row: int) -> str:
    """A relative A1 reference such as ``K7`` for column ``key`` on 1-based ``row``."""
    return f"{COLUMN[key].letter}{row}"


def absolute(sheet: str, cell: str) -> str:
    """``='รายงานผล'!$K$7`` for a defined name."""
    letters = "".join(ch for ch in cell if ch.isalpha())
    digits = cell[len(letters):]
    return f"='{sheet}'!${letters}${digits}"


def defined_name(prefix: str, kpi_code: str) -> str:
    """The defined name of a KPI cell, e.g. ``RESULT_2_1``."""
    return f"{prefix}_{name_key(kpi_code)}"


# The per-KPI report (sheet รายงานรายตัวชี้วัด): one page per KPI, in report order, each
# PAGE_ROWS rows of a label (column A) and its value (column B): the KPI's title, its facts, its
# result and live score, then a tall input area for each text input.
PAGE_ROWS = 15
PAGE_FACTS_OFFSET = 1             # rows after a page's first: the facts ...
PAGE_RESULT_OFFSET = 7            # ... the result, then the score ...
PAGE_TEXT_OFFSET = {t.key: 9 + i for i, t in enumerate(TEXT_INPUTS)}   # ... each text input


def page_row(index: int) -> int:
    """The 1-based first row of the page of the ``index``-th (0-based) KPI."""
    return 1 + index * PAGE_ROWS


def text_ref(index: int, text: TextInput) -> str:
    """The cell (``B10``) of a text input of the ``index``-th KPI on the per-KPI report."""
    return f"B{page_row(index) + PAGE_TEXT_OFFSET[text.key]}"


TOTAL_NAME = "TOTAL_SCORE"
GROUP_HEADERS = ("สรุปรายกลุ่มตัวชี้วัด", "น้ำหนัก", "คะแนนกลุ่ม (1-5)", "คะแนนถ่วงน้ำหนักรวม")


def group_label(group: int) -> str:
    """A KPI group as the forms name it."""
    return f"ตัวชี้วัดกลุ่มที่ {group}"


def group_name(group: int) -> str:
    """``GROUP_SCORE_<g>``: the defined name of group ``group``'s weighted sum."""
    return f"GROUP_SCORE_{group}"


def group_header_row(kpi_count: int) -> int:
    """The 1-based row of the heading of the report form's group subtotals (a row below the
    total); each group's row follows it."""
    return total_row(kpi_count) + 2
STATUS_NAME = "COMPLETENESS"


# What the guide sheet and the e-mail that sends the form both tell the coordinator
AS_NUMBER = "เป็นตัวเลขเท่านั้น (ไม่ต้องพิมพ์หน่วยหรือเครื่องหมาย %)"
KEEP_LOCKED = "อย่าปลดล็อก เพิ่ม ลบ หรือเปลี่ยนชื่อแถวและชีต มิฉะนั้นไฟล์จะไม่ถูกรับ"
TEXT_HEADERS = ", ".join(f"'{text.header}'" for text in TEXT_INPUTS)   # each text to write


def file_name(fiscal_year: int, round_months: int, office: str) -> str:
    """``2569-R12-B03.xlsx``."""
    return f"{fiscal_year}-R{round_months}-{office}.xlsx"


# the name file_name writes, also after words before it (the outbox's attachment name, a
# coordinator's label) and a copy's number after it ("... (1).xlsx", as browsers save again)
_FILE_NAME = re.compile(r"(?:^|[\s_])(\d{4})-R(\d{1,2})-(.+?)(?: ?\(\d+\))?\.xls[xm]$",
                        re.IGNORECASE)


def parse_file_name(name: str) -> tuple[int, int, str] | None:
    """The fiscal year, round and office a file's name gives, as :func:`file_name` writes it
    (``.xlsm`` too, in any case, in any folder, words before it and a copy's number after it
    allowed); None for another name."""
    match = _FILE_NAME.search(PurePosixPath(name.replace("\\", "/")).name)
    return (int(match[1]), int(match[2]), match[3]) if match else None


def office_in_file_name(name: str) -> str | None:
    """The office a file's name gives (see :func:`parse_file_name`); None for another name."""
    found = parse_file_name(name)
    return None if found is None else found[2]
