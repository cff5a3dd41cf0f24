"""``workbook-engine new-master``: an empty master with headers, instructions and dropdowns."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ..xlsx.outputs import atomic
from ..xlsx.writer import (
    HEADER_FILL,
    ROW_HEIGHT,
    check,
    print_scale,
    text_lines,
    workbook_options,
)
from . import format as mf

GUIDE_SHEET = "คำแนะนำ"
LISTS_SHEET = "_lists"
ROWS = 2000  # rows that carry dropdowns and validation
GUIDE_WIDTH = 80
GUIDE = [
    "ไฟล์ต้นแบบ (master) ของคำรับรองการปฏิบัติราชการ",
    f"1. ชีต '{mf.SETTINGS_SHEET}': กรอกค่าในคอลัมน์ B ของแต่ละรายการ (ส่วนราชการ ปีงบประมาณ พ.ศ. "
    "ผู้รับคำรับรองและตำแหน่ง คะแนนเมื่อต่ำกว่าระดับ 1 เป็น 1 หรือ 0 ทศนิยมของคะแนนเป็น 4 หรือ 2)",
    f"2. ชีต '{mf.OFFICES_SHEET}': หนึ่งแถวต่อหน่วยงาน รหัสหน่วยงานห้ามซ้ำ",
    f"3. ชีต '{mf.KPIS_SHEET}': หนึ่งแถวต่อตัวชี้วัด รหัสห้ามซ้ำ เลือกกลุ่ม ประเภท และทิศทางจากรายการ "
    "(ทิศทางใช้กับตัวชี้วัดเชิงปริมาณและเชิงปริมาณแบบขั้นเท่านั้น)",
    f"4. ชีต '{mf.ASSIGNMENTS_SHEET}': หนึ่งแถวต่อหน่วยงานและตัวชี้วัด น้ำหนักของแต่ละหน่วยงานรวมกันต้องได้ 100 "
    "เกณฑ์ระดับ 1-5 ของตัวชี้วัดเชิงปริมาณ (ทั้งแบบต่อเนื่องและแบบขั้น) ต้องเพิ่มขึ้นทีละระดับ (มากดี) "
    "หรือลดลงทีละระดับ (น้อยดี) ตัวชี้วัดระดับความสำเร็จและใช้ผลคะแนนองค์กรให้เว้นเกณฑ์ว่าง",
    f"5. ชีต '{mf.MILESTONES_SHEET}': คำอธิบายขั้นที่ 1-5 ของตัวชี้วัดระดับความสำเร็จทุกตัว",
    f"6. ชีต '{mf.ORG_SCORES_SHEET}': คะแนนองค์กรของตัวชี้วัดที่ใช้ผลคะแนนองค์กร (กรอกก่อนรวบรวมผล)",
    f"7. ชีต '{mf.ROUNDS_SHEET}' (ไม่บังคับ): น้ำหนักและเกณฑ์ที่ต่างไปในรอบ 6, 9 หรือ 12 เดือน "
    "หนึ่งแถวต่อหน่วยงาน ตัวชี้วัด และรอบ ช่องที่เว้นว่างใช้ค่าจากชีต "
    f"'{mf.ASSIGNMENTS_SHEET}' น้ำหนัก 0 คือไม่ประเมินในรอบนั้น น้ำหนักของทุกรอบต้องรวมได้ 100",
    f"8. บัตรตัวชี้วัด (ไม่บังคับ): ชีต '{mf.KPIS_SHEET}' คอลัมน์ '{mf.COL_FORMULA}' และ "
    f"'{mf.COL_DATA_REQUIRED}' ชีต '{mf.ASSIGNMENTS_SHEET}' คอลัมน์ '{mf.COL_TARGET}' "
    f"'{mf.COL_OWNER}' '{mf.COL_COLLECTOR}' และ '{mf.BASELINE_PREFIX} <ปี พ.ศ.>' "
    "(ผลย้อนหลังของหน่วยงาน ปีละหนึ่งคอลัมน์ เพิ่มคอลัมน์ได้ตามต้องการ)",
    f"9. ชีต '{mf.ORG_KPIS_SHEET}' (ไม่บังคับ): ตัวชี้วัดระดับองค์กร รหัส ชื่อ หน่วยวัด และค่าเป้าหมาย "
    f"ถ้ามีชีตนี้ รหัสในคอลัมน์ '{mf.COL_ORG_KPI}' ของชีต '{mf.KPIS_SHEET}' ต้องมีอยู่ในชีตนี้",
    "ตรวจไฟล์ด้วยคำสั่ง: workbook-engine check-master ไฟล์.xlsx",
]


def _sheet(wb: xlsxwriter.Workbook, name: str, headers: tuple[str, ...]) -> Worksheet:
    ws = wb.add_worksheet(name)
    header = wb.add_format({"bold": True, "bg_color": HEADER_FILL, "border": 1})
    for col, text in enumerate(headers):
        ws.set_column(col, col, max(12, len(text) * 1.6))
        check(ws.write_string(0, col, text, header), f"{name} header")
    ws.freeze_panes(1, 0)
    return ws


def _validate(ws: Worksheet, column: int, rule: dict[str, object], title: str, hint: str,
              error: str, first_row: int = 1, last_row: int = ROWS) -> None:
    options = {**rule, "input_title": title, "input_message": hint,
               "error_title": "ค่าไม่ถูกต้อง", "error_message": error}
    check(ws.data_validation(first_row, column, last_row, column, options),
          f"{ws.name} validation")


def _lists(wb: xlsxwriter.Workbook) -> dict[str, str]:
    ws = wb.add_worksheet(LISTS_SHEET)
    sources = {}
    for col, values in enumerate((mf.KINDS, mf.DIRECTIONS, tuple(str(g) for g in mf.GROUPS))):
        for row, value in enumerate(values):
            check(ws.write_string(row, col, value), "lists")
        letter = chr(ord("A") + col)
        sources[("kind", "direction", "group")[col]] = \
            f"='{LISTS_SHEET}'!${letter}$1:${letter}${len(values)}"
    ws.hide()
    return sources


def write_new_master(path: str | Path, fiscal_year: int | None = None) -> None:
    """Write an empty master workbook to ``path`` atomically.

    Args:
        path: the ``.xlsx`` to write.
        fiscal_year: a Buddhist-Era fiscal year to fill in, or None.

    Raises:
        OSError: when the file cannot be written.
    """
    with atomic(Path(path)) as temporary:
        _write(temporary, fiscal_year)


def _write(path: Path, fiscal_year: int | None) -> None:
    wb = xlsxwriter.Workbook(str(path), workbook_options())
    guide = wb.add_worksheet(GUIDE_SHEET)
    guide.set_column(0, 0, GUIDE_WIDTH, wb.add_format({"text_wrap": True, "valign": "top"}))
    guide.set_paper(9)
    guide.set_print_scale(print_scale([GUIDE_WIDTH], landscape=False))
    for row, text in enumerate(GUIDE):      # each row as tall as its wrapped lines
        guide.set_row(row, ROW_HEIGHT * text_lines(text, GUIDE_WIDTH))
        check(guide.write_string(row, 0, text), "guide")
    settings = _sheet(wb, mf.SETTINGS_SHEET, ())
    settings.set_column(0, 0, 30)
    settings.set_column(1, 1, 50)
    for row, label in enumerate(mf.SETTINGS_LABELS):
        check(settings.write_string(row, 0, label), "settings")
    if fiscal_year is not None:
        settings.write_number(1, 1, fiscal_year)
    settings.write_number(4, 1, 1)
    settings.write_number(5, 1, 4)
    _validate(settings, 1, {"validate": "integer", "criteria": "between", "minimum": 2500,
                            "maximum": 2699}, "ปีงบประมาณ", "พ.ศ. 4 หลัก เช่น 2569",
              "กรอกปี พ.ศ. 2500-2699", 1, 1)
    _validate(settings, 1, {"validate": "list", "source": ["0", "1"]}, "คะแนนต่ำกว่าระดับ 1",
              "1 หรือ 0", "เลือก 1 หรือ 0", 4, 4)
    _validate(settings, 1, {"validate": "list", "source": ["4", "2"]}, "ทศนิยม",
              "4 หรือ 2 ตำแหน่ง", "เลือก 4 หรือ 2", 5, 5)
    _sheet(wb, mf.OFFICES_SHEET, mf.OFFICE_COLUMNS)
    kpis = _sheet(wb, mf.KPIS_SHEET, mf.KPI_COLUMNS)
    baselines = () if fiscal_year is None else tuple(
        mf.baseline_column(year) for year in range(fiscal_year - 3, fiscal_year))
    rules = _sheet(wb, mf.ASSIGNMENTS_SHEET,
                   (*mf.ASSIGNMENT_COLUMNS, *mf.CARD_COLUMNS, *baselines))
    levels = _sheet(wb, mf.MILESTONES_SHEET, mf.MILESTONE_COLUMNS)
    scores = _sheet(wb, mf.ORG_SCORES_SHEET, mf.ORG_SCORE_COLUMNS)
    rounds = _sheet(wb, mf.ROUNDS_SHEET, mf.ROUND_COLUMNS)
    _sheet(wb, mf.ORG_KPIS_SHEET, mf.ORG_KPI_COLUMNS)
    sources = _lists(wb)
    for key, column in (("group", mf.COL_GROUP), ("kind", mf.COL_KIND),
                        ("direction", mf.COL_DIRECTION)):
        _validate(kpis, mf.KPI_COLUMNS.index(column), {"validate": "list",
                                                         "source": sources[key]},
                  column, f"เลือก{column}จากรายการ", f"เลือก{column}จากรายการเท่านั้น")
    _validate(rules, 2, {"validate": "decimal", "criteria": "between", "minimum": 0.0001,
                         "maximum": 100}, "น้ำหนัก", "ร้อยละ มากกว่า 0 ไม่เกิน 100",
              "น้ำหนักต้องมากกว่า 0 และไม่เกิน 100")
    _validate(rounds, mf.ROUND_COLUMNS.index(mf.COL_ROUND),
              {"validate": "list", "source": [str(r) for r in mf.ROUND_MONTHS]}, "รอบ",
              "6, 9 หรือ 12 เดือน", "เลือกรอบ 6, 9 หรือ 12")
    _validate(rounds, mf.ROUND_COLUMNS.index(mf.COL_WEIGHT),
              {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100},
              "น้ำหนักในรอบนี้", "0-100 (0 คือไม่ประเมินในรอบนี้ เว้นว่างคือใช้น้ำหนักในชีตเกณฑ์)",
              "น้ำหนักต้องอยู่ระหว่าง 0 ถึง 100")
    _validate(levels, 1, {"validate": "integer", "criteria": "between", "minimum": 1,
                          "maximum": 5}, "ขั้น", "เลขจำนวนเต็ม 1-5", "ขั้นต้องเป็น 1 ถึง 5")
    _validate(scores, 1, {"validate": "decimal", "criteria": "between", "minimum": 0,
                          "maximum": 5}, "คะแนนองค์กร", "0.0000-5.0000", "คะแนนต้องอยู่ระหว่าง 0 ถึง 5")
    wb.close()
