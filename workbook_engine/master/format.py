"""The master workbook's sheet names, column headers and vocabularies (CONTRACT section 1).

Every module that reads or writes a master takes its names from here, so the reader, the
``new-master`` command and the sample-master script can never drift apart.
"""

from __future__ import annotations

from enum import StrEnum

SETTINGS_SHEET = "ตั้งค่า"
OFFICES_SHEET = "หน่วยงาน"
KPIS_SHEET = "ตัวชี้วัด"
ASSIGNMENTS_SHEET = "เกณฑ์"
MILESTONES_SHEET = "ขั้นความสำเร็จ"
ORG_SCORES_SHEET = "ผลองค์กร"

# Settings sheet: column A holds the label, column B its value.
SET_ORGANISATION = "ส่วนราชการ"
SET_FISCAL_YEAR = "ปีงบประมาณ"
SET_RECEIVER = "ผู้รับคำรับรอง"
SET_RECEIVER_POSITION = "ตำแหน่งผู้รับคำรับรอง"
SET_BELOW_LEVEL1 = "คะแนนต่ำกว่าระดับ 1"
SET_PLACES = "ทศนิยม"           # 4 (default) or 2: the decimals of every score
REQUIRED_SETTINGS = (SET_ORGANISATION, SET_FISCAL_YEAR, SET_RECEIVER, SET_RECEIVER_POSITION)
SETTINGS_LABELS = (*REQUIRED_SETTINGS, SET_BELOW_LEVEL1, SET_PLACES)

# Column headers (row 1), per sheet.
COL_OFFICE = "รหัสหน่วยงาน"
COL_OFFICE_NAME = "ชื่อหน่วยงาน"
COL_MAKER = "ผู้ทำคำรับรอง"
COL_MAKER_POSITION = "ตำแหน่ง"
COL_COORDINATOR = "ผู้ประสานงาน"
COL_EMAIL = "อีเมล"
OFFICE_COLUMNS = (COL_OFFICE, COL_OFFICE_NAME, COL_MAKER, COL_MAKER_POSITION,
                  COL_COORDINATOR, COL_EMAIL)

COL_KPI = "รหัสตัวชี้วัด"
COL_KPI_NAME = "ชื่อตัวชี้วัด"
COL_GROUP = "กลุ่ม"
COL_UNIT = "หน่วยวัด"
COL_KIND = "ประเภท"
COL_DIRECTION = "ทิศทาง"
COL_ORG_KPI = "ตัวชี้วัดองค์กร"
COL_DESCRIPTION = "คำอธิบาย"
COL_FORMULA = "สูตรการคำนวณ"                 # the KPI card (CONTRACT section 5)
COL_DATA_REQUIRED = "ข้อมูลที่ต้องรายงาน"
KPI_COLUMNS = (COL_KPI, COL_KPI_NAME, COL_GROUP, COL_UNIT, COL_KIND, COL_DIRECTION,
               COL_ORG_KPI, COL_DESCRIPTION, COL_FORMULA, COL_DATA_REQUIRED)
KPI_OPTIONAL_COLUMNS = (COL_ORG_KPI, COL_DESCRIPTION, COL_FORMULA, COL_DATA_REQUIRED)

COL_WEIGHT = "น้ำหนัก"
COL_LEVELS = ("ระดับ 1", "ระดับ 2", "ระดับ 3", "ระดับ 4", "ระดับ 5")
COL_TARGET = "ค่าเป้าหมาย"
COL_OWNER = "ผู้กำกับดูแลตัวชี้วัด"
COL_COLLECTOR = "ผู้จัดเก็บข้อมูล"
CARD_COLUMNS = (COL_TARGET, COL_OWNER, COL_COLLECTOR)
BASELINE_PREFIX = "ข้อมูลพื้นฐาน"        # columns "ข้อมูลพื้นฐาน 2566", one per BE year
ASSIGNMENT_COLUMNS = (COL_OFFICE, COL_KPI, COL_WEIGHT, *COL_LEVELS)


def baseline_column(year: int) -> str:
    """The header of the baseline column of BE ``year``, e.g. ``ข้อมูลพื้นฐาน 2566``."""
    return f"{BASELINE_PREFIX} {year}"

COL_LEVEL = "ระดับ"
MILESTONE_COLUMNS = (COL_KPI, COL_LEVEL, COL_DESCRIPTION)

COL_SCORE = "คะแนน"
ORG_SCORE_COLUMNS = (COL_KPI, COL_SCORE)

ROUNDS_SHEET = "เกณฑ์รายรอบ"     # per-round weights and criteria (CONTRACT section 5)
COL_ROUND = "รอบ"
ROUND_COLUMNS = (COL_OFFICE, COL_KPI, COL_ROUND, COL_WEIGHT, *COL_LEVELS)
ROUND_MONTHS = (6, 9, 12)

ORG_KPIS_SHEET = "ตัวชี้วัดองค์กร"   # organisation-level KPIs (CONTRACT section 5)
COL_ORG_CODE = "รหัสตัวชี้วัดองค์กร"
COL_ORG_NAME = "ชื่อตัวชี้วัดองค์กร"
ORG_KPI_COLUMNS = (COL_ORG_CODE, COL_ORG_NAME, COL_UNIT, COL_TARGET)

# Columns each sheet must have (optional ones may be absent).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    OFFICES_SHEET: OFFICE_COLUMNS,
    KPIS_SHEET: tuple(c for c in KPI_COLUMNS if c not in KPI_OPTIONAL_COLUMNS),
    ASSIGNMENTS_SHEET: ASSIGNMENT_COLUMNS,
    MILESTONES_SHEET: MILESTONE_COLUMNS,
    ORG_SCORES_SHEET: ORG_SCORE_COLUMNS,
    ROUNDS_SHEET: ROUND_COLUMNS,
    ORG_KPIS_SHEET: (COL_ORG_CODE, COL_ORG_NAME),
}
ALL_COLUMNS: dict[str, tuple[str, ...]] = {
    OFFICES_SHEET: OFFICE_COLUMNS,
    KPIS_SHEET: KPI_COLUMNS,
    ASSIGNMENTS_SHEET: (*ASSIGNMENT_COLUMNS, *CARD_COLUMNS),
    MILESTONES_SHEET: MILESTONE_COLUMNS,
    ORG_SCORES_SHEET: ORG_SCORE_COLUMNS,
    ROUNDS_SHEET: ROUND_COLUMNS,
    ORG_KPIS_SHEET: ORG_KPI_COLUMNS,
}
# Sheets that may be left out of a master entirely (they are then simply empty).
OPTIONAL_SHEETS = (MILESTONES_SHEET, ORG_SCORES_SHEET, ROUNDS_SHEET, ORG_KPIS_SHEET)

KIND_QUANTITATIVE = "เชิงปริมาณ"
KIND_STEPWISE = "เชิงปริมาณแบบขั้น"
KIND_MILESTONE = "ระดับความสำเร็จ"
KIND_INHERITED = "ใช้ผลคะแนนองค์กร"
KINDS = (KIND_QUANTITATIVE, KIND_STEPWISE, KIND_MILESTONE, KIND_INHERITED)

DIRECTION_HIGHER = "มากดี"
DIRECTION_LOWER = "น้อยดี"
DIRECTIONS = (DIRECTION_HIGHER, DIRECTION_LOWER)


class Direction(StrEnum):
    """Whether a larger result is better (มากดี) or worse (น้อยดี)."""

    HIGHER = DIRECTION_HIGHER
    LOWER = DIRECTION_LOWER

GROUPS = (1, 2, 3)
