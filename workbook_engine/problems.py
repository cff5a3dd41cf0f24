"""The one catalogue of problem codes, and the :class:`Problem` records built from it.

Every check in the engine reports what it finds as a :class:`Problem` made by :func:`problem`
from an entry of :data:`CATALOGUE`; nothing stops at the first one. Messages are Thai, name the
file, sheet and cell, and end with what to do. ``docs/problems.md`` is generated from this file
(``python -m workbook_engine.problems``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """An error makes the thing it concerns unusable; a warning is noted and the work goes on."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class ProblemType:
    """A catalogue entry: a stable code, its severity, a Thai text and a Thai fix."""

    code: str
    severity: Severity
    text: str
    fix: str
    meaning: str  # one line in English, for the docs and for developers


E, W = Severity.ERROR, Severity.WARNING

_TYPES = (
    # --- the master workbook -----------------------------------------------------------------
    ProblemType("MASTER_UNREADABLE", E, "อ่านไฟล์ต้นแบบไม่ได้ ({reason})",
                "ตรวจว่าเป็นไฟล์ Excel (.xlsx) ที่เปิดได้และไม่ได้ตั้งรหัสผ่าน",
                "The master cannot be opened as an .xlsx workbook."),
    ProblemType("MASTER_SHEET_MISSING", E, "ไม่พบชีต '{sheet_name}'",
                "เพิ่มชีตชื่อนี้ให้ตรงตัวอักษร (ดู docs/master-format.md) หรือสร้างไฟล์ใหม่ด้วย "
                "คำสั่ง new-master",
                "A required sheet is missing."),
    ProblemType("MASTER_SHEET_EMPTY", E, "ชีตนี้ยังไม่มีข้อมูล",
                "กรอกข้อมูลตั้งแต่แถวที่ 2 ใต้หัวคอลัมน์",
                "A sheet that must list something has no data rows."),
    ProblemType("MASTER_COLUMN_MISSING", E, "ไม่พบหัวคอลัมน์ '{column}' ในแถวที่ 1",
                "พิมพ์หัวคอลัมน์นี้ในแถวที่ 1 ให้ตรงตัวอักษร",
                "A required column header is missing from row 1."),
    ProblemType("MASTER_SETTING_MISSING", E, "ยังไม่ได้กรอก '{label}'",
                "กรอกชื่อรายการในคอลัมน์ A และค่าในคอลัมน์ B ของชีตตั้งค่า",
                "A required setting is missing or blank."),
    ProblemType("MASTER_SETTING_INVALID", E, "ค่า '{label}' ไม่ถูกต้อง: '{value}'", "{expected}",
                "A setting has a value that cannot be used."),
    ProblemType("MASTER_VALUE_MISSING", E, "ช่อง '{column}' ว่าง", "กรอกค่าในช่องนี้",
                "A required cell is blank."),
    ProblemType("MASTER_VALUE_INVALID", E, "ค่า '{value}' ในช่อง '{column}' ไม่ถูกต้อง",
                "{expected}",
                "A cell holds a value outside what the column allows."),
    ProblemType("MASTER_NUMBER_AS_TEXT", W,
                "ตัวเลข '{value}' ถูกพิมพ์เป็นข้อความ ระบบอ่านได้เป็น {number}",
                "ตรวจว่าถูกต้อง และควรพิมพ์เป็นตัวเลขธรรมดา",
                "A number was typed as text; it was read, but should be a plain number."),
    ProblemType("MASTER_DUPLICATE_CODE", E, "รหัส '{code}' ซ้ำกับแถวที่ {other_row}",
                "ใช้รหัสที่ไม่ซ้ำกัน",
                "A code that must be unique appears twice."),
    ProblemType("MASTER_UNKNOWN_OFFICE", E, "ไม่พบรหัสหน่วยงาน '{code}' ในชีต 'หน่วยงาน'",
                "แก้รหัสให้ตรงกับชีต 'หน่วยงาน' หรือเพิ่มหน่วยงานนั้น",
                "A row refers to an office code that is not in the offices sheet."),
    ProblemType("MASTER_UNKNOWN_KPI", E, "ไม่พบรหัสตัวชี้วัด '{code}' ในชีต 'ตัวชี้วัด'",
                "แก้รหัสให้ตรงกับชีต 'ตัวชี้วัด' หรือเพิ่มตัวชี้วัดนั้น",
                "A row refers to a KPI code that is not in the KPI sheet."),
    ProblemType("MASTER_DUPLICATE_ASSIGNMENT", E,
                "หน่วยงาน {office} มีตัวชี้วัด {kpi} ซ้ำกับแถวที่ {other_row}",
                "ลบแถวที่ซ้ำ ให้เหลือหนึ่งแถวต่อหน่วยงานและตัวชี้วัด",
                "The same office and KPI appear twice in the assignments."),
    ProblemType("MASTER_WEIGHT_SUM", E,
                "น้ำหนักตัวชี้วัดของหน่วยงาน {office} รวมได้ {total} ไม่ใช่ 100",
                "ปรับน้ำหนักในชีต 'เกณฑ์' ให้รวมกันได้ 100 พอดี",
                "An office's weights do not sum to 100."),
    ProblemType("MASTER_OFFICE_WITHOUT_KPI", E, "หน่วยงาน {office} ยังไม่มีตัวชี้วัดในชีต 'เกณฑ์'",
                "เพิ่มแถวตัวชี้วัดของหน่วยงานนี้ในชีต 'เกณฑ์' หรือลบหน่วยงานออก",
                "An office has no KPI assigned."),
    ProblemType("MASTER_CRITERIA_MISSING", E,
                "ตัวชี้วัดเชิงปริมาณ {kpi} ของหน่วยงาน {office} ยังไม่มีเกณฑ์ '{column}'",
                "กรอกเกณฑ์ระดับ 1 ถึง 5 ให้ครบ",
                "A quantitative KPI lacks one of its five criteria."),
    ProblemType("MASTER_CRITERIA_ORDER", E,
                "เกณฑ์ของตัวชี้วัด {kpi} ({direction}) ต้อง{order}ทีละระดับ แต่ได้ {values}",
                "แก้เกณฑ์ระดับ 1 ถึง 5 ให้เรียงตามทิศทางของตัวชี้วัดและไม่ซ้ำกัน",
                "Quantitative criteria are not strictly monotone in the KPI's direction."),
    ProblemType("MASTER_CRITERIA_IGNORED", W,
                "ตัวชี้วัด {kpi} เป็นประเภท '{kind}' ซึ่งไม่ใช้เกณฑ์ระดับ 1-5 ค่าที่กรอกจะไม่ถูกใช้",
                "ลบเกณฑ์ออก หรือแก้ประเภทตัวชี้วัดถ้ากรอกประเภทผิด",
                "Criteria given for a milestone or inherited KPI are ignored."),
    ProblemType("MASTER_MILESTONE_LEVELS_MISSING", E,
                "ตัวชี้วัดระดับความสำเร็จ {kpi} ยังไม่มีคำอธิบายขั้นที่ {levels}",
                "เพิ่มแถวในชีต 'ขั้นความสำเร็จ' ให้ครบขั้นที่ 1 ถึง 5",
                "A milestone KPI does not describe all of levels 1-5."),
    ProblemType("MASTER_ORG_SCORE_MISSING", W,
                "ตัวชี้วัด {kpi} ใช้ผลคะแนนองค์กร แต่ยังไม่มีคะแนนในชีต 'ผลองค์กร'",
                "กรอกคะแนนองค์กรก่อนรวบรวมผล (ไม่จำเป็นสำหรับการสร้างแบบฟอร์ม)",
                "An inherited KPI has no organisation score yet (needed at harvest)."),
)

CATALOGUE: dict[str, ProblemType] = {t.code: t for t in _TYPES}


@dataclass(frozen=True)
class Problem:
    """One finding, located as precisely as possible (CONTRACT section 4, ``problems``)."""

    code: str
    severity: Severity
    file: str | None
    office: str | None
    sheet: str | None
    cell: str | None
    message: str

    @property
    def is_error(self) -> bool:
        """True for severity ``error``."""
        return self.severity is Severity.ERROR

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of CONTRACT section 4."""
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def location(file: str | None, sheet: str | None, cell: str | None) -> str:
    """Thai words for where a problem is: ``ไฟล์ a.xlsx ชีต 'เกณฑ์' เซลล์ C4``."""
    parts = []
    if file:
        parts.append(f"ไฟล์ {file}")
    if sheet:
        parts.append(f"ชีต '{sheet}'")
    if cell:
        parts.append(f"เซลล์ {cell}")
    return " ".join(parts)


def problem(code: str, /, *, file: str | None = None, office: str | None = None,
            sheet: str | None = None, cell: str | None = None, **params: object) -> Problem:
    """Build a :class:`Problem` from the catalogue entry ``code``.

    Args:
        code: a key of :data:`CATALOGUE`.
        file, office, sheet, cell: where the problem is (None where it does not apply).
        **params: the values the entry's text and fix refer to.

    Raises:
        KeyError: for an unknown code (a programming error).
    """
    kind = CATALOGUE[code]
    params = {"office": office, "file": file, **params}
    body = f"{kind.text.format(**params)} {kind.fix.format(**params)}".strip()
    where = location(file, sheet, cell)
    message = f"{where}: {body}" if where else body
    return Problem(code, kind.severity, file, office, sheet, cell, message)


def has_errors(problems: list[Problem]) -> bool:
    """True when any problem is an error."""
    return any(p.is_error for p in problems)
