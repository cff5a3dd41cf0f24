"""The one catalogue of problem codes, and the :class:`Problem` records built from it.

Every check in the engine reports what it finds as a :class:`Problem` made by :func:`problem`
from a :class:`Code`, which holds the problem's severity and Thai text; nothing stops at the
first one. Messages are Thai, name the
file, sheet and cell, and end with what to do. ``docs/problems.md`` is generated from this file
(``make docs``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import Enum, StrEnum
from typing import Any


class Severity(StrEnum):
    """An error makes the thing it concerns unusable; a warning is noted and the work goes on."""

    ERROR = "error"
    WARNING = "warning"


E, W = Severity.ERROR, Severity.WARNING


class Code(Enum):
    """Every problem the engine reports: its severity, its Thai text and fix (``{...}`` filled
    from the problem's values) and its meaning in English for the docs. The member's name is the
    stable code of CONTRACT section 4; a code is typed, so that a mistyped one is an error
    before anything runs."""

    def __init__(self, severity: Severity, text: str, fix: str, meaning: str) -> None:
        self.severity = severity
        self.text = text
        self.fix = fix
        self.meaning = meaning

    @property
    def advice(self) -> str | None:
        """What the office itself does about this problem, in the e-mail the outbox writes to
        it (:data:`ADVICE`); None for a problem สพบ. handles and the office is not told of."""
        return ADVICE.get(self)

    # --- the master workbook -----------------------------------------------------------------
    MASTER_UNREADABLE = (
        E,
        "อ่านไฟล์ต้นแบบไม่ได้ ({reason})",
        "ตรวจว่าเป็นไฟล์ Excel (.xlsx) ที่เปิดได้และไม่ได้ตั้งรหัสผ่าน",
        "The master cannot be opened as an .xlsx workbook.")
    MASTER_SHEET_MISSING = (
        E,
        "ไม่พบชีต '{sheet_name}'",
        "เพิ่มชีตชื่อนี้ให้ตรงตัวอักษร (ดู docs/master-format.md) หรือสร้างไฟล์ใหม่ด้วย "
        "คำสั่ง new-master",
        "A required sheet is missing.")
    MASTER_SHEET_EMPTY = (
        E,
        "ชีตนี้ยังไม่มีข้อมูล",
        "กรอกข้อมูลตั้งแต่แถวที่ 2 ใต้หัวคอลัมน์",
        "A sheet that must list something has no data rows.")
    MASTER_COLUMN_MISSING = (
        E,
        "ไม่พบหัวคอลัมน์ '{column}' ในแถวที่ 1",
        "พิมพ์หัวคอลัมน์นี้ในแถวที่ 1 ให้ตรงตัวอักษร",
        "A required column header is missing from row 1.")
    MASTER_SETTING_MISSING = (
        E,
        "ยังไม่ได้กรอก '{label}'",
        "กรอกชื่อรายการในคอลัมน์ A และค่าในคอลัมน์ B ของชีตตั้งค่า",
        "A required setting is missing or blank.")
    MASTER_SETTING_INVALID = (
        E,
        "ค่า '{label}' ไม่ถูกต้อง: '{value}'",
        "{expected}",
        "A setting has a value that cannot be used.")
    MASTER_VALUE_MISSING = (
        E,
        "ช่อง '{column}' ว่าง",
        "กรอกค่าในช่องนี้",
        "A required cell is blank.")
    MASTER_VALUE_INVALID = (
        E,
        "ค่า '{value}' ในช่อง '{column}' ไม่ถูกต้อง",
        "{expected}",
        "A cell holds a value outside what the column allows.")
    MASTER_NUMBER_AS_TEXT = (
        W,
        "ตัวเลข '{value}' ถูกพิมพ์เป็นข้อความ ระบบอ่านได้เป็น {number}",
        "ตรวจว่าถูกต้อง และควรพิมพ์เป็นตัวเลขธรรมดา",
        "A number was typed as text; it was read, but should be a plain number.")
    MASTER_DUPLICATE_CODE = (
        E,
        "รหัส '{code}' ซ้ำกับแถวที่ {other_row}",
        "ใช้รหัสที่ไม่ซ้ำกัน",
        "A code that must be unique appears twice.")
    MASTER_KPI_NAME_CLASH = (
        E,
        "รหัสตัวชี้วัด '{code}' กับ '{other}' (แถวที่ {other_row}) ให้ชื่อช่องในแบบฟอร์มเดียวกัน"
        " ({name})",
        "ใช้รหัสที่ต่างกันด้วยตัวเลขหรือตัวอักษร ไม่ใช่เพียงเครื่องหมาย (. - /) หรือตัวพิมพ์เล็ก-ใหญ่",
        "Two KPI codes give the same defined name in the office workbook (only characters "
        "A-Z, 0-9 count, and Excel ignores case), so one would read the other's cell.")
    MASTER_UNKNOWN_OFFICE = (
        E,
        "ไม่พบรหัสหน่วยงาน '{code}' ในชีต 'หน่วยงาน'",
        "แก้รหัสให้ตรงกับชีต 'หน่วยงาน' หรือเพิ่มหน่วยงานนั้น",
        "A row refers to an office code that is not in the offices sheet.")
    MASTER_UNKNOWN_KPI = (
        E,
        "ไม่พบรหัสตัวชี้วัด '{code}' ในชีต 'ตัวชี้วัด'",
        "แก้รหัสให้ตรงกับชีต 'ตัวชี้วัด' หรือเพิ่มตัวชี้วัดนั้น",
        "A row refers to a KPI code that is not in the KPI sheet.")
    MASTER_DUPLICATE_ASSIGNMENT = (
        E,
        "หน่วยงาน {office} มีตัวชี้วัด {kpi} ซ้ำกับแถวที่ {other_row}",
        "ลบแถวที่ซ้ำ ให้เหลือหนึ่งแถวต่อหน่วยงานและตัวชี้วัด",
        "The same office and KPI appear twice in the assignments.")
    MASTER_WEIGHT_SUM = (
        E,
        "น้ำหนักตัวชี้วัดของหน่วยงาน {office} รวมได้ {total} ไม่ใช่ 100",
        "ปรับน้ำหนักในชีต 'เกณฑ์' ให้รวมกันได้ 100 พอดี",
        "An office's weights do not sum to 100.")
    MASTER_OFFICE_WITHOUT_KPI = (
        E,
        "หน่วยงาน {office} ยังไม่มีตัวชี้วัดในชีต 'เกณฑ์'",
        "เพิ่มแถวตัวชี้วัดของหน่วยงานนี้ในชีต 'เกณฑ์' หรือลบหน่วยงานออก",
        "An office has no KPI assigned.")
    MASTER_CRITERIA_MISSING = (
        E,
        "ตัวชี้วัด {kpi} ของหน่วยงาน {office} ยังไม่มีเกณฑ์ '{column}'",
        "กรอกเกณฑ์ระดับ 1 ถึง 5 ให้ครบ",
        "A quantitative or stepwise KPI lacks one of its five criteria.")
    MASTER_CRITERIA_ORDER = (
        E,
        "เกณฑ์ของตัวชี้วัด {kpi} ({direction}) ต้อง{order}ทีละระดับ แต่ได้ {values}",
        "แก้เกณฑ์ระดับ 1 ถึง 5 ให้เรียงตามทิศทางของตัวชี้วัดและไม่ซ้ำกัน",
        "Quantitative or stepwise criteria are not strictly monotone in the KPI's direction.")
    MASTER_CRITERIA_IGNORED = (
        W,
        "ตัวชี้วัด {kpi} เป็นประเภท '{kind}' ซึ่งไม่ใช้เกณฑ์ระดับ 1-5 ค่าที่กรอกจะไม่ถูกใช้",
        "ลบเกณฑ์ออก หรือแก้ประเภทตัวชี้วัดถ้ากรอกประเภทผิด",
        "Criteria given for a milestone or inherited KPI are ignored.")
    MASTER_MILESTONE_LEVELS_MISSING = (
        E,
        "ตัวชี้วัดระดับความสำเร็จ {kpi} ยังไม่มีคำอธิบายขั้นที่ {levels}",
        "เพิ่มแถวในชีต 'ขั้นความสำเร็จ' ให้ครบขั้นที่ 1 ถึง 5",
        "A milestone KPI does not describe all of levels 1-5.")
    MASTER_ORG_SCORE_MISSING = (
        W,
        "ตัวชี้วัด {kpi} ใช้ผลคะแนนองค์กร แต่ยังไม่มีคะแนนในชีต 'ผลองค์กร'",
        "กรอกคะแนนองค์กรก่อนรวบรวมผล (ไม่จำเป็นสำหรับการสร้างแบบฟอร์ม)",
        "An inherited KPI has no organisation score yet (needed at harvest).")
    MASTER_UNKNOWN_ORG_KPI = (
        E,
        "ไม่พบรหัสตัวชี้วัดองค์กร '{code}' ในชีต 'ตัวชี้วัดองค์กร'",
        "แก้รหัสให้ตรงกับชีต 'ตัวชี้วัดองค์กร' หรือเพิ่มตัวชี้วัดองค์กรนั้น",
        "A KPI cascades from an organisation KPI that the organisation KPI sheet does not list.")
    MASTER_BASELINE_YEAR = (
        W,
        "หัวคอลัมน์ '{column}' ไม่ได้ระบุปี พ.ศ. 4 หลัก จึงไม่ได้นำไปแสดงเป็นข้อมูลพื้นฐาน",
        "ตั้งหัวคอลัมน์เป็น 'ข้อมูลพื้นฐาน' ตามด้วยปี พ.ศ. เช่น 'ข้อมูลพื้นฐาน 2566'",
        "A baseline column's header does not end with a Buddhist Era year; it is ignored.")
    MASTER_ROUND_INVALID = (
        E,
        "รอบ '{value}' ไม่ถูกต้อง",
        "กรอกรอบเป็นจำนวนเดือน 6, 9 หรือ 12",
        "A per-round row names a round other than 6, 9 or 12 months.")
    MASTER_ROUND_UNKNOWN_ASSIGNMENT = (
        E,
        "หน่วยงาน {office} ไม่มีตัวชี้วัด {kpi} ในชีต 'เกณฑ์' จึงกำหนดเกณฑ์รายรอบไม่ได้",
        "แก้รหัสหน่วยงานหรือรหัสตัวชี้วัดให้ถูกต้อง หรือเพิ่มตัวชี้วัดนี้ให้หน่วยงานในชีต 'เกณฑ์' ก่อน",
        "A per-round row is for an office and KPI that have no assignment.")
    MASTER_ROUND_DUPLICATE = (
        E,
        "หน่วยงาน {office} ตัวชี้วัด {kpi} รอบ {round} เดือน ซ้ำกับแถวที่ {other_row}",
        "ลบแถวที่ซ้ำ ให้เหลือหนึ่งแถวต่อหน่วยงาน ตัวชี้วัด และรอบ",
        "The same office, KPI and round appear twice in the per-round sheet.")
    MASTER_ROUND_WEIGHT_SUM = (
        E,
        "น้ำหนักตัวชี้วัดของหน่วยงาน {office} ในรอบ {round} เดือน รวมได้ {total} ไม่ใช่ 100",
        "ปรับน้ำหนักในชีต 'เกณฑ์รายรอบ' ให้รวมกันได้ 100 พอดีในทุกรอบ (น้ำหนัก 0 คือไม่ประเมินในรอบนั้น)",
        "An office's weights in one round, after the per-round sheet, do not sum to 100.")
    MASTER_ROUND_CRITERIA_MISSING = (
        E,
        "เกณฑ์รอบ {round} เดือนของตัวชี้วัด {kpi} หน่วยงาน {office} กรอกไม่ครบ (ขาด '{column}')",
        "กรอกเกณฑ์ระดับ 1 ถึง 5 ให้ครบ หรือเว้นว่างทั้งห้าช่องเพื่อใช้เกณฑ์ในชีต 'เกณฑ์'",
        "A per-round row gives some of the five criteria but not all.")
    MASTER_ROUND_CRITERIA_ORDER = (
        E,
        "เกณฑ์รอบ {round} เดือนของตัวชี้วัด {kpi} ({direction}) ต้อง{order}ทีละระดับ แต่ได้ {values}",
        "แก้เกณฑ์ระดับ 1 ถึง 5 ของรอบนี้ให้เรียงตามทิศทางของตัวชี้วัดและไม่ซ้ำกัน",
        "A round's criteria are not strictly monotone in the KPI's direction.")
    # --- files given to harvest (INTAKE.md cases 1-8) -------------------------------------
    FILE_EMPTY = (
        E,
        "ไฟล์ว่างเปล่า (0 ไบต์)",
        "ไฟล์อาจดาวน์โหลดไม่สำเร็จ ขอให้หน่วยงานส่งไฟล์ .xlsx มาใหม่",
        "The file is empty.")
    FILE_UNREADABLE = (
        E,
        "เปิดอ่านไฟล์ไม่ได้ ({reason})",
        "ตรวจสิทธิ์การเข้าถึงไฟล์ แล้วรวบรวมผลใหม่",
        "The file could not be read from disk.")
    FILE_TOO_LARGE = (
        E,
        "ไฟล์ใหญ่ผิดปกติ ({size} ไบต์)",
        "แบบรายงานปกติมีขนาดไม่เกินไม่กี่ร้อยกิโลไบต์ ขอให้หน่วยงานส่งไฟล์ที่ดาวน์โหลดจากระบบมาใหม่",
        "The file is larger than any genuine return could be.")
    FILE_NOT_WORKBOOK = (
        E,
        "ไฟล์นี้ไม่ใช่สมุดงาน Excel ({reason})",
        "ขอให้หน่วยงานเปิดแบบรายงานที่ได้รับ แล้วบันทึกเป็น 'Excel Workbook (.xlsx)' ส่งมาใหม่",
        "Not a workbook: text, CSV, HTML, a Word file or another zip, whatever its name.")
    FILE_CORRUPT = (
        E,
        "ไฟล์เสียหายหรือไม่สมบูรณ์ ({reason})",
        "ไฟล์อาจดาวน์โหลดไม่ครบ ขอให้หน่วยงานส่งไฟล์มาใหม่",
        "A damaged or truncated zip or workbook.")
    FILE_ENCRYPTED = (
        E,
        "ไฟล์ถูกตั้งรหัสผ่านสำหรับเปิด จึงอ่านไม่ได้",
        "ขอให้หน่วยงานยกเลิกรหัสผ่าน (ไฟล์ > ข้อมูล > ป้องกันเวิร์กบุ๊ก) แล้วส่งไฟล์ที่ไม่มีรหัสผ่านมาใหม่",
        "A password-to-open (encrypted) workbook.")
    FILE_OTHER_FORMAT = (
        E,
        "ไฟล์เป็นรูปแบบ {format} ซึ่งระบบไม่รับ",
        "ขอให้หน่วยงานเปิดไฟล์แล้วเลือก บันทึกเป็น > 'Excel Workbook (.xlsx)' ส่งมาใหม่",
        "A legacy .xls, .xlsb, .ods or .numbers file.")
    FILE_STRICT_OOXML = (
        E,
        "ไฟล์ถูกบันทึกแบบ Strict Open XML ซึ่งระบบไม่รับ",
        "ขอให้หน่วยงานบันทึกเป็น 'Excel Workbook (.xlsx)' แบบปกติ ส่งมาใหม่",
        "A workbook saved as Strict Open XML Spreadsheet.")
    FILE_ZIP_BOMB = (
        E,
        "โครงสร้างไฟล์ผิดปกติเกินขีดจำกัดที่ปลอดภัย ({reason})",
        "ไม่เปิดไฟล์นี้ ขอให้หน่วยงานส่งแบบรายงานที่ได้รับจากระบบมาใหม่",
        "A zip whose entry count, sizes or compression ratio exceed the caps.")
    FILE_UNSAFE_XML = (
        E,
        "ไฟล์มีโครงสร้าง XML ที่ไม่ปลอดภัยหรืออ่านไม่ได้ ({reason})",
        "ไม่เปิดไฟล์นี้ ขอให้หน่วยงานส่งแบบรายงานที่ได้รับจากระบบมาใหม่",
        "XML with entity declarations, external entities or oversized parts.")
    FILE_MACROS = (
        W,
        "ไฟล์เป็นแบบมีแมโคร (.xlsm) ระบบอ่านเฉพาะข้อมูลและไม่เรียกใช้แมโคร",
        "ครั้งต่อไปให้บันทึกเป็น 'Excel Workbook (.xlsx)'",
        "A macro-enabled workbook: data read, macros neither run nor kept.")
    FILE_NESTED_ARCHIVE = (
        E,
        "เป็นไฟล์ zip ที่อยู่ในไฟล์ zip อีกชั้นหนึ่ง ระบบเปิดไฟล์ zip เพียงชั้นเดียว",
        "แตกไฟล์ zip ด้านในออกมาก่อน (หรือบีบอัดแบบรายงานไว้ในไฟล์ zip ชั้นเดียว) "
        "แล้วรวบรวมผลใหม่",
        "A zip inside an archive of returns: archives are opened one level deep.")
    FILE_ARCHIVE_EMPTY = (
        W,
        "ไฟล์ zip นี้ไม่มีไฟล์แบบรายงานอยู่ข้างใน",
        "ตรวจว่าบีบอัดไฟล์แบบรายงานถูกชุด แล้วรวบรวมผลใหม่",
        "An archive with nothing to harvest: empty, or only folders, __MACOSX/ and lock "
        "files.")
    FILE_LOCK_FILE_SKIPPED = (
        W,
        "ข้ามไฟล์ชั่วคราวที่โปรแกรมตารางคำนวณสร้างไว้ขณะเปิดไฟล์",
        "ไม่ต้องทำอะไร (ลบไฟล์นี้ออกจากโฟลเดอร์ได้)",
        "An Excel or LibreOffice lock file (~$name, .~lock.name#) was skipped.")
    # --- a workbook, but not a valid return (cases 9-14) ---------------------------------
    RETURN_NOT_OURS = (
        E,
        "ไม่ใช่แบบรายงานที่ระบบสร้าง (ไม่พบข้อมูลกำกับ _meta)",
        "ขอให้หน่วยงานกรอกผลในแบบรายงานที่ได้รับจากสำนักพัฒนาระบบบริหาร แล้วส่งมาใหม่",
        "The workbook has no _meta sheet: not generated by workbook-engine.")
    RETURN_UNKNOWN_OFFICE = (
        E,
        "รหัสหน่วยงาน '{code}' ในไฟล์ไม่มีในไฟล์ต้นแบบ",
        "ตรวจว่าใช้ไฟล์ต้นแบบของปีและรอบที่ถูกต้อง",
        "The office code in _meta is not in the master.")
    RETURN_WRONG_YEAR = (
        E,
        "เป็นแบบรายงานปีงบประมาณ {found} ไม่ใช่ปี {expected}",
        "ขอให้หน่วยงานกรอกผลในแบบรายงานของปีงบประมาณ {expected}",
        "The return is for another fiscal year.")
    RETURN_WRONG_ROUND = (
        E,
        "เป็นแบบรายงานรอบ {found} เดือน ไม่ใช่รอบ {expected} เดือน",
        "ขอให้หน่วยงานกรอกผลในแบบรายงานรอบ {expected} เดือน",
        "The return is for another reporting round.")
    RETURN_SCHEMA = (
        E,
        "แบบรายงานรุ่น {found} ระบบนี้อ่านได้เฉพาะรุ่น {expected}",
        "ขอให้หน่วยงานใช้แบบรายงานที่สร้างใหม่",
        "The workbook's schema_version is not one this engine reads.")
    RETURN_STALE = (
        E,
        "แบบรายงานนี้สร้างจากตัวชี้วัด น้ำหนัก หรือเกณฑ์ชุดเก่า ซึ่งไม่ตรงกับไฟล์ต้นแบบปัจจุบัน",
        "ส่งแบบรายงานฉบับใหม่ให้หน่วยงาน แล้วให้กรอกผลและส่งมาใหม่",
        "The fingerprint differs from the master's current assignment (stale template).")
    RETURN_SIGNATURE_MISSING = (
        E,
        "ไม่พบลายมือชื่อดิจิทัลของแบบรายงาน",
        "ใช้เฉพาะแบบรายงานที่สร้างพร้อมกุญแจลงนาม ส่งแบบรายงานฉบับที่ลงนามให้หน่วยงานใหม่",
        "A signing key is configured but the workbook carries no signature.")
    RETURN_SIGNATURE_INVALID = (
        E,
        "ลายมือชื่อดิจิทัลของแบบรายงานไม่ถูกต้อง",
        "ข้อมูลกำกับถูกแก้ไขหรือสร้างด้วยกุญแจอื่น ขอให้หน่วยงานใช้แบบรายงานฉบับจริง",
        "The _meta signature does not verify with the configured key.")
    RETURN_SHEET_MISSING = (
        E,
        "ไม่พบชีต '{sheet_name}' (ถูกลบหรือเปลี่ยนชื่อ)",
        "ขอให้หน่วยงานกรอกผลในแบบรายงานฉบับเดิมโดยไม่ลบหรือเปลี่ยนชื่อชีต แล้วส่งมาใหม่",
        "A sheet of the template was deleted or renamed.")
    RETURN_LOCKED_CHANGED = (
        E,
        "ค่าที่ล็อกไว้ถูกแก้ไข: ควรเป็น '{expected}' แต่พบ '{found}'",
        "ห้ามแก้ไขรหัส ชื่อ น้ำหนัก และเกณฑ์ตัวชี้วัด หรือแทรก/ลบแถว "
        "ขอให้หน่วยงานกรอกผลในแบบรายงานฉบับเดิมแล้วส่งมาใหม่",
        "A locked value (code, name, unit, weight, criterion) differs from the master.")
    RETURN_DUPLICATE = (
        W,
        "หน่วยงาน {office} ส่งมามากกว่าหนึ่งไฟล์ ใช้ไฟล์ {used} ซึ่งบันทึกล่าสุด และไม่ใช้ไฟล์ {ignored}",
        "ถ้าไม่ถูกต้อง ให้ลบไฟล์ที่ไม่ต้องการออกแล้วรวบรวมผลใหม่",
        "Two returns for one office: the one saved last is used.")
    RETURN_SAME_FILE_TWICE = (
        W,
        "ไฟล์นี้เหมือนกับไฟล์ {other} ทุกไบต์ จึงนับเพียงครั้งเดียว",
        "ไม่ต้องทำอะไร",
        "The same bytes under two names: not a conflict.")
    RETURN_NAME_MISMATCH = (
        W,
        "ชื่อไฟล์ระบุหน่วยงาน {named} แต่ข้อมูลในไฟล์เป็นของหน่วยงาน {office}",
        "ระบบใช้ข้อมูลในไฟล์ ตรวจว่าหน่วยงานส่งไฟล์ถูกต้อง",
        "The file name names one office and _meta another: _meta decides.")
    RETURN_NAMES_BROKEN = (
        W,
        "ชื่อช่วง (defined names) ในไฟล์ถูกลบหรือเสีย ระบบอ่านค่าตามตำแหน่งเซลล์มาตรฐานแทน",
        "ไม่ต้องทำอะไร ถ้าผลที่อ่านได้ถูกต้อง",
        "Defined names were broken by a program; the known layout was used.")
    RETURN_EXTERNAL_LINKS = (
        W,
        "ไฟล์มีการเชื่อมโยงไปยังไฟล์อื่น (external links)",
        "ระบบใช้เฉพาะค่าที่กรอกในไฟล์นี้ ควรลบการเชื่อมโยงออก",
        "The workbook links to other files.")
    RETURN_EXTRA_SHEET = (
        W,
        "มีชีต '{sheet_name}' ที่ไม่ได้อยู่ในแบบรายงาน",
        "ระบบไม่อ่านชีตนี้ ถ้ามีข้อมูลสำคัญให้ย้ายไปกรอกในชีตรายงานผล",
        "A sheet was added by the user.")
    RETURN_HIDDEN = (
        W,
        "มี{what} ที่ถูกซ่อนไว้",
        "ระบบยังอ่านค่าตามปกติ ตรวจว่าไม่มีข้อมูลที่ตั้งใจซ่อน",
        "Rows or sheets of the template were hidden.")
    # --- a valid return with doubtful values (cases 15-17) -------------------------------
    RESULT_MISSING = (
        E,
        "ตัวชี้วัด {kpi} ยังไม่ได้กรอกผลการดำเนินงาน",
        "ขอให้หน่วยงานกรอกผลเป็นตัวเลขแล้วส่งมาใหม่",
        "No result for a KPI: the office stays incomplete.")
    RESULT_FORMULA = (
        E,
        "ช่องผลของตัวชี้วัด {kpi} เป็นสูตร ไม่ใช่ค่าที่กรอก",
        "ขอให้หน่วยงานพิมพ์ผลเป็นตัวเลข (ไม่ใช้สูตร) แล้วส่งมาใหม่",
        "A formula where a typed value belongs.")
    RESULT_ERROR_VALUE = (
        E,
        "ช่องผลของตัวชี้วัด {kpi} เป็นค่าผิดพลาด {value}",
        "ขอให้หน่วยงานพิมพ์ผลเป็นตัวเลขแล้วส่งมาใหม่",
        "An Excel error value (#DIV/0!, #REF!, ...) where the result belongs.")
    RESULT_NOT_NUMBER = (
        E,
        "ผลของตัวชี้วัด {kpi} คือ '{value}' ซึ่งไม่ใช่ตัวเลข",
        "ขอให้หน่วยงานพิมพ์ผลเป็นตัวเลขอย่างเดียวแล้วส่งมาใหม่",
        "A result that does not read as a number.")
    RESULT_NUMBER_AS_TEXT = (
        W,
        "ผลของตัวชี้วัด {kpi} พิมพ์เป็นข้อความ '{value}' ระบบอ่านได้เป็น {number}",
        "ตรวจว่าถูกต้อง ครั้งต่อไปให้พิมพ์เป็นตัวเลขธรรมดา",
        "A number typed as text (separators, %, Thai digits, spaces): read, "
        "with a warning.")
    RESULT_MILESTONE_INVALID = (
        E,
        "ผลของตัวชี้วัดระดับความสำเร็จ {kpi} คือ {value} แต่ต้องเป็นจำนวนเต็ม 0 ถึง 5",
        "ขอให้หน่วยงานเลือกระดับที่ทำได้ 0-5 แล้วส่งมาใหม่",
        "A milestone level outside 0-5 or not whole.")
    RESULT_NEGATIVE_PERCENT = (
        E,
        "ผลของตัวชี้วัด {kpi} เป็นร้อยละติดลบ ({value})",
        "ขอให้หน่วยงานตรวจและแก้ผลแล้วส่งมาใหม่",
        "A negative result for a percentage KPI.")
    RESULT_IMPLAUSIBLE = (
        W,
        "ผลของตัวชี้วัด {kpi} คือ {value} ซึ่ง{why}",
        "ตรวจกับหน่วยงานว่าผลถูกต้อง",
        "A result far outside the plausible range for its unit.")
    RESULT_ORG_SCORE_MISSING = (
        E,
        "ตัวชี้วัด {kpi} ใช้ผลคะแนนองค์กร แต่ไฟล์ต้นแบบยังไม่มีคะแนนองค์กร",
        "สพบ. กรอกคะแนนในชีต 'ผลองค์กร' ของไฟล์ต้นแบบ แล้วรวบรวมผลใหม่",
        "An inherited KPI cannot be scored: the master has no organisation score.")
    PROBLEMS_OMITTED = (
        W,
        "ในไฟล์นี้ยังมีปัญหาแบบเดียวกับรายการรหัส {code} ข้างต้นอีก {count} รายการ ที่ไม่ได้แสดงทีละรายการ",
        "แก้ไขตามรายการที่แสดง ซึ่งมักเป็นสาเหตุเดียวกัน แล้วส่งไฟล์มาตรวจอีกครั้ง",
        "More problems of one code in one file than are listed one by one.")
    # --- harvest as a whole ------------------------------------------------------------------
    OFFICE_MISSING = (
        E,
        "หน่วยงาน {office} ยังไม่ได้ส่งแบบรายงาน",
        "ติดตามให้หน่วยงานส่งแบบรายงาน",
        "No return at all for an office of the master.")
    RETURN_IS_PROPOSAL = (
        E,
        "ไฟล์นี้เป็นแบบเสนอตัวชี้วัด ไม่ใช่แบบรายงานผล",
        "รวบรวมแบบเสนอด้วยคำสั่ง collect-proposals และขอให้หน่วยงานกรอกผลในแบบรายงานผลของรอบนี้",
        "A proposal workbook was given to harvest.")
    RETURN_IS_REVIEW = (
        E,
        "ไฟล์นี้เป็นแบบตรวจประเมินของคณะกรรมการ ไม่ใช่แบบรายงานผล",
        "ให้แบบตรวจประเมินกับคำสั่ง harvest ทางตัวเลือก --review และอย่าวางไว้ในโฟลเดอร์แบบรายงาน",
        "A committee review workbook was given to harvest as a return.")
    # --- the committee's review (review-form, harvest --review, CONTRACT section 7) ----------
    REVIEW_NOT_OURS = (
        E,
        "ไม่ใช่แบบตรวจประเมินของคณะกรรมการที่ระบบสร้าง ({reason}) จึงไม่ได้ใช้ผลการตรวจประเมินเลย",
        "สร้างแบบตรวจประเมินด้วยคำสั่ง review-form ให้คณะกรรมการกรอก แล้วใช้ไฟล์นั้นกับ --review",
        "The file given to --review is not a review workbook made by review-form.")
    REVIEW_FOREIGN = (
        E,
        "แบบตรวจประเมินนี้เป็นของ{what} ({found}) ไม่ใช่ของการรวบรวมครั้งนี้ ({expected}) "
        "จึงไม่ได้ใช้ผลการตรวจประเมินเลย",
        "ใช้แบบตรวจประเมินที่สร้างด้วยคำสั่ง review-form จากไฟล์ต้นแบบ ปีงบประมาณ และรอบเดียวกัน",
        "The review workbook was made for another fiscal year, round or master.")
    REVIEW_SHEET_MISSING = (
        E,
        "ไม่พบชีต '{sheet_name}' ในแบบตรวจประเมิน จึงไม่ได้ใช้ผลการตรวจประเมินเลย",
        "ใช้แบบตรวจประเมินฉบับที่ระบบสร้าง อย่าลบหรือเปลี่ยนชื่อชีต",
        "A sheet of the review workbook is missing.")
    REVIEW_LOCKED_CHANGED = (
        E,
        "ค่าที่ล็อกไว้ในแบบตรวจประเมินถูกแก้ไข: ควรเป็น '{expected}' แต่พบ '{found}' "
        "จึงไม่ได้ใช้ผลการตรวจประเมินเลย",
        "กรอกได้เฉพาะช่องสีเหลือง ห้ามแก้ช่องอื่น หรือแทรก ลบ เรียงแถว ให้คณะกรรมการกรอกในแบบตรวจประเมินฉบับเดิม "
        "(หรือสร้างใหม่ด้วย review-form) แล้วใช้อีกครั้ง",
        "A locked cell of the review workbook (an office's or KPI's identity, weight or "
        "self-assessment, a header) differs from what review-form wrote.")
    REVIEW_SCORE_INVALID = (
        E,
        "คะแนนที่คณะกรรมการให้ตัวชี้วัด {kpi} ของหน่วยงาน {office} ไม่ถูกต้อง: '{value}' "
        "(ต้องเป็นตัวเลข 0 ถึง 5) จึงไม่ได้ใช้แถวนี้",
        "แก้คะแนนเป็นตัวเลขระหว่าง 0 ถึง 5 แล้วรวบรวมใหม่",
        "A score given by the committee is not a number from 0 to 5; the row is not applied.")
    REVIEW_RESULT_INVALID = (
        E,
        "ผลที่คณะกรรมการรับรองของตัวชี้วัด {kpi} หน่วยงาน {office} ใช้คำนวณคะแนนไม่ได้: "
        "'{value}' ({why}) จึงไม่ได้ใช้แถวนี้",
        "แก้ผลให้เป็นตัวเลขตามหน่วยวัดของตัวชี้วัด (ระดับความสำเร็จ: 0 ถึง 5) "
        "หรือให้คะแนนโดยตรงแทน แล้วรวบรวมใหม่",
        "A result verified by the committee cannot be scored by the KPI's rules; the row is "
        "not applied.")
    REVIEW_RESULT_DOUBTFUL = (
        W,
        "ผลที่คณะกรรมการรับรองของตัวชี้วัด {kpi} หน่วยงาน {office} คือ {value} ซึ่ง{why}",
        "ตรวจว่าพิมพ์ถูกต้อง (เช่น พิมพ์ 78.2 ไม่ใช่ 78.2%) ถ้าถูกต้องแล้วไม่ต้องทำอะไร "
        "ผลนี้ใช้คำนวณคะแนนแล้ว",
        "A verified result the KPI's kind finds doubtful (a percentage typed with %, over "
        "100); it is applied, and told.")
    REVIEW_REASON_MISSING = (
        E,
        "คณะกรรมการให้ผลหรือคะแนนตัวชี้วัด {kpi} ของหน่วยงาน {office} แต่ไม่ได้ระบุเหตุผล "
        "จึงไม่ได้ใช้แถวนี้",
        "กรอกเหตุผลในช่อง 'เหตุผล' ของแถวนี้ แล้วรวบรวมใหม่",
        "A verified result or score without a reason; the row is not applied.")
    REVIEW_ROW_UNKNOWN = (
        E,
        "แบบตรวจประเมินมีแถวของหน่วยงาน {office} ตัวชี้วัด {kpi} ซึ่งไม่มีในการรวบรวมครั้งนี้ "
        "({why}) จึงไม่ได้ใช้แถวนี้",
        "รวบรวมพร้อมแบบรายงานของหน่วยงานนี้ หรือสร้างแบบตรวจประเมินใหม่ด้วย review-form "
        "จากแบบรายงานชุดเดียวกับที่รวบรวม",
        "The review workbook has rows of an office (or a KPI) that is not in the harvest: no "
        "return of the office was given this time, or the master does not have it.")
    REVIEW_STALE = (
        E,
        "แบบรายงานของหน่วยงาน {office} ที่ใช้ในการรวบรวมครั้งนี้ ({now}) ไม่ใช่ฉบับที่คณะกรรมการตรวจ "
        "จึงไม่ได้ใช้ผลการตรวจประเมินของหน่วยงานนี้",
        "สร้างแบบตรวจประเมินใหม่ด้วย review-form ให้คณะกรรมการตรวจแบบรายงานฉบับปัจจุบัน "
        "หรือรวบรวมด้วยแบบรายงานฉบับเดิม",
        "The office's return changed (another SHA-256, or none now) since the review workbook "
        "was made; its entries are not applied and it has no verified total.")
    # --- proposals of group-2 KPIs (collect-proposals, CONTRACT section 6) ------------------
    PROPOSAL_NOT_OURS = (
        E,
        "ไม่ใช่แบบเสนอตัวชี้วัดที่ระบบสร้าง (ไม่พบข้อมูลกำกับ _meta ของแบบเสนอ)",
        "ขอให้หน่วยงานกรอกในแบบเสนอตัวชี้วัดที่ได้รับจากสำนักพัฒนาระบบบริหาร แล้วส่งมาใหม่",
        "The workbook is not a proposal made by workbook-engine (a report form, or another "
        "workbook).")
    PROPOSAL_UNKNOWN_OFFICE = (
        E,
        "รหัสหน่วยงาน '{code}' ในแบบเสนอไม่มีในไฟล์ต้นแบบ",
        "ตรวจว่าใช้ไฟล์ต้นแบบของปีที่ถูกต้อง",
        "The proposal's office is not in the master.")
    PROPOSAL_WRONG_YEAR = (
        E,
        "เป็นแบบเสนอตัวชี้วัดปีงบประมาณ {found} ไม่ใช่ปี {expected}",
        "ขอให้หน่วยงานกรอกในแบบเสนอของปีงบประมาณ {expected}",
        "The proposal is for another fiscal year.")
    PROPOSAL_STALE = (
        E,
        "แบบเสนอนี้สร้างจากไฟล์ต้นแบบชุดอื่น (ตัวชี้วัด น้ำหนัก หรือเกณฑ์ของหน่วยงานไม่ตรงกับไฟล์ต้นแบบปัจจุบัน)",
        "ส่งแบบเสนอฉบับใหม่ที่สร้างจากไฟล์ต้นแบบปัจจุบันให้หน่วยงาน แล้วให้กรอกและส่งมาใหม่",
        "The proposal's fingerprint differs from the master's current assignments.")
    PROPOSAL_SHEET_MISSING = (
        E,
        "ไม่พบชีต '{sheet_name}' ของแบบเสนอ (ถูกลบหรือเปลี่ยนชื่อ)",
        "ขอให้หน่วยงานกรอกในแบบเสนอฉบับเดิมโดยไม่ลบหรือเปลี่ยนชื่อชีต แล้วส่งมาใหม่",
        "The proposal sheet was deleted or renamed.")
    PROPOSAL_LOCKED_CHANGED = (
        E,
        "ค่าที่ล็อกไว้ถูกแก้ไข: ควรเป็น '{expected}' แต่พบ '{found}'",
        "ห้ามแก้ไขตัวชี้วัดกลุ่ม 1 และ 3 หัวตาราง รหัสตัวชี้วัด และกลุ่ม หรือแทรก/ลบแถว "
        "ขอให้หน่วยงานกรอกในแบบเสนอฉบับเดิมแล้วส่งมาใหม่",
        "A locked cell of the proposal (a cascaded KPI, a header, a code or group) differs "
        "from the master.")
    PROPOSAL_NAME_MISSING = (
        E,
        "แถวนี้กรอกข้อมูลตัวชี้วัดไว้แต่ยังไม่มีชื่อตัวชี้วัด",
        "กรอกชื่อตัวชี้วัด หรือลบข้อมูลทั้งแถวถ้าไม่ต้องการเสนอ",
        "A proposed KPI row without a name.")
    PROPOSAL_VALUE_MISSING = (
        E,
        "ตัวชี้วัด '{kpi}' ยังไม่ได้กรอก '{column}'",
        "กรอกค่าในช่องนี้",
        "A proposed KPI lacks a required value (unit, kind, direction, weight).")
    PROPOSAL_VALUE_INVALID = (
        E,
        "ค่า '{value}' ในช่อง '{column}' ของตัวชี้วัด '{kpi}' ใช้ไม่ได้",
        "{expected}",
        "A proposed value that cannot be used: a weight that is not a number (typed as a "
        "number) or not in 0-100, a kind or direction not in the list, a baseline that is not "
        "a number or '-'.")
    PROPOSAL_WEIGHT_SUM = (
        E,
        "น้ำหนักของทุกตัวชี้วัดรวมกันได้ {total} ไม่ใช่ 100",
        "ปรับน้ำหนักตัวชี้วัดกลุ่ม 2 ให้น้ำหนักรวมของหน่วยงานเป็น 100 พอดี",
        "The office's weights, cascaded and proposed, do not sum to 100.")
    PROPOSAL_CRITERIA_MISSING = (
        E,
        "เกณฑ์ '{column}' ของตัวชี้วัด '{kpi}' ว่างหรือไม่ใช่ตัวเลข",
        "กรอกเกณฑ์ระดับ 1 ถึง 5 เป็นตัวเลขให้ครบ",
        "A quantitative proposed KPI lacks one of its five criteria.")
    PROPOSAL_CRITERIA_ORDER = (
        E,
        "เกณฑ์ของตัวชี้วัด '{kpi}' ไม่{order}ทีละระดับตามทิศทาง {direction}: {values}",
        "เรียงเกณฑ์ระดับ 1 ถึง 5 ให้{order}ทีละระดับ หรือเปลี่ยนทิศทางให้ถูกต้อง",
        "A proposed KPI's criteria are not strictly in order for its direction.")
    PROPOSAL_LEVELS_MISSING = (
        E,
        "ตัวชี้วัดระดับความสำเร็จ '{kpi}' ยังไม่มีคำอธิบายระดับ {levels}",
        "กรอกคำอธิบายระดับ 1 ถึง 5 ให้ครบ ว่าแต่ละระดับหมายถึงทำอะไรสำเร็จ",
        "A proposed milestone KPI lacks the description of some levels.")
    PROPOSAL_UNKNOWN_ORG_KPI = (
        E,
        "ไม่มีตัวชี้วัดองค์กรรหัส '{code}'",
        "เลือกรหัสตัวชี้วัดองค์กรจากรายการ หรือเว้นว่างถ้าไม่ได้ถ่ายทอดจากตัวชี้วัดองค์กร",
        "A proposed KPI names an organisation KPI the master does not list.")
    PROPOSAL_DUPLICATE_KPI = (
        E,
        "ตัวชี้วัด '{kpi}' ถูกเสนอซ้ำ (ซ้ำกับแถว {other_row})",
        "เสนอแต่ละตัวชี้วัดเพียงแถวเดียว ลบแถวที่ซ้ำออก",
        "The same KPI (by name) proposed twice by one office.")
    PROPOSAL_TARGET_NOT_LEVEL3 = (
        W,
        "ค่าเป้าหมายของตัวชี้วัด '{kpi}' ({target}) ไม่ใช่เกณฑ์ระดับ 3 ({level3})",
        "ตามหลักเกณฑ์ ค่าเป้าหมายควรเป็นเกณฑ์ระดับ 3 ตรวจในที่ประชุมเจรจา",
        "A proposed target that is not the level-3 criterion.")
    PROPOSAL_SOFT_TARGET = (
        W,
        "ค่าเป้าหมายของตัวชี้วัด '{kpi}' ({target}) ด้อยกว่าผลปี {year} ({baseline}) ทิศทาง {direction}",
        "ค่าเป้าหมายที่ต่ำกว่าผลที่เคยทำได้ควรนำไปพิจารณาในที่ประชุมเจรจา",
        "A soft target: worse than last year's result for the KPI's direction.")
    PROPOSAL_DUPLICATE = (
        W,
        "หน่วยงาน {office} ส่งแบบเสนอมามากกว่าหนึ่งไฟล์ ใช้ไฟล์ {used} ซึ่งบันทึกล่าสุด และไม่ใช้ไฟล์ {ignored}",
        "ถ้าไม่ถูกต้อง ให้ลบไฟล์ที่ไม่ต้องการออกแล้วรวบรวมใหม่",
        "Two proposals for one office: the one saved last is used.")
    PROPOSAL_MISSING = (
        W,
        "หน่วยงาน {office} ยังไม่ได้ส่งแบบเสนอตัวชี้วัด ร่างไฟล์ต้นแบบใช้ตัวชี้วัดเดิมของหน่วยงาน",
        "ติดตามให้หน่วยงานส่งแบบเสนอ แล้วรวบรวมใหม่",
        "No proposal for an office: its current assignments are kept.")
    PROPOSAL_NOT_MERGED = (
        W,
        "แบบเสนอของหน่วยงาน {office} มีข้อผิดพลาด ร่างไฟล์ต้นแบบใช้ตัวชี้วัดเดิมของหน่วยงาน",
        "แก้ตามรายการปัญหาของไฟล์นี้ แล้วส่งมาใหม่",
        "An office whose proposal has errors keeps its current assignments.")
    PROPOSAL_DRAFT_INVALID = (
        E,
        "ร่างไฟล์ต้นแบบที่ได้ไม่ผ่านการตรวจ ({draft_code}): {draft_problem}",
        "แก้ไฟล์ต้นแบบหรือแบบเสนอตามรายการนี้ แล้วรวบรวมใหม่",
        "The merged draft master fails check-master (for example a per-round row that no "
        "longer sums to 100); the draft's own problem is told whole.")
    # --- the outbox: e-mail to the offices (CONTRACT section 9) ---------------------------------
    OUTBOX_NO_EMAIL = (
        E,
        "หน่วยงาน {office} ยังไม่มีอีเมลของผู้ประสานงาน จึงไม่ได้เขียนอีเมลถึงหน่วยงานนี้",
        "กรอกอีเมลของผู้ประสานงานในคอลัมน์ 'อีเมล' ของชีต 'หน่วยงาน' แล้วสั่งเขียนอีเมลอีกครั้ง",
        "An office the outbox writes to has no e-mail address in the master: no message is "
        "made for it, and the run ends with exit code 1.")
    OUTBOX_EMAIL_INVALID = (
        E,
        "อีเมลของหน่วยงาน {office} '{value}' ไม่ใช่ที่อยู่อีเมลที่ใช้ได้ จึงไม่ได้เขียนอีเมลถึงหน่วยงานนี้",
        "แก้เป็นที่อยู่อีเมล เช่น name@example.go.th (หลายที่อยู่ให้คั่นด้วยเครื่องหมายจุลภาค) "
        "แล้วสั่งเขียนอีเมลอีกครั้ง",
        "An office's e-mail in the master is not a usable address (ASCII addresses, several "
        "separated by commas or semicolons).")
    OUTBOX_OFFICE_UNKNOWN = (
        E,
        "หน่วยงาน {office} ไม่มีในไฟล์ต้นแบบ จึงไม่ทราบอีเมลของหน่วยงานนี้",
        "ใช้ไฟล์ต้นแบบเดียวกับที่ใช้สร้างแบบฟอร์มหรือรวบรวมผล",
        "An office of the forms folder or the harvest result is not in the master.")
    OUTBOX_FORM_MISSING = (
        E,
        "ไม่พบไฟล์แบบฟอร์มของหน่วยงาน {office} ที่ manifest.csv ระบุไว้",
        "สร้างแบบฟอร์มใหม่ด้วยคำสั่ง generate หรือ propose แล้วสั่งเขียนอีเมลอีกครั้ง",
        "A workbook listed in the forms folder's manifest.csv is not there.")
    OUTBOX_FORM_CHANGED = (
        E,
        "ไฟล์แบบฟอร์มของหน่วยงาน {office} ถูกแก้ไขหลังจากสร้าง (SHA-256 ไม่ตรงกับ manifest.csv) "
        "จึงไม่ได้แนบไปกับอีเมล",
        "สร้างแบบฟอร์มใหม่ด้วยคำสั่ง generate หรือ propose และอย่าแก้ไฟล์ในโฟลเดอร์แบบฟอร์ม",
        "A workbook's bytes differ from the SHA-256 its manifest.csv gives: it was changed "
        "after it was made, and is not sent.")
    OUTBOX_FORM_STALE = (
        E,
        "แบบฟอร์มของหน่วยงาน {office} สร้างจากไฟล์ต้นแบบชุดอื่น (ตัวชี้วัด น้ำหนัก หรือเกณฑ์ไม่ตรงกับ"
        "ไฟล์ต้นแบบนี้) จึงไม่ได้แนบไปกับอีเมล",
        "สร้างแบบฟอร์มใหม่จากไฟล์ต้นแบบปัจจุบัน หรือใช้ไฟล์ต้นแบบที่ใช้สร้างแบบฟอร์มชุดนี้",
        "A workbook's fingerprint in manifest.csv is not the master's for the office: its "
        "return would be refused as stale, so it is not sent.")
    OUTBOX_FORM_NOT_LISTED = (
        W,
        "ไม่มีแบบรายงานของหน่วยงาน {office} ในโฟลเดอร์แบบฟอร์ม จึงเขียนอีเมลโดยไม่ได้แนบแบบรายงาน",
        "ถ้าต้องการแนบ ให้สร้างแบบรายงานของหน่วยงานนี้ด้วยคำสั่ง generate แล้วสั่งเขียนอีเมลอีกครั้ง",
        "feedback --forms: the forms folder has no workbook for an office that is sent a "
        "reminder; the reminder goes without it.")
    OUTBOX_DUE_DIFFERS = (
        W,
        "กำหนดส่งที่ให้ไว้ ({due}) ไม่ตรงกับกำหนดส่งที่พิมพ์ไว้ในชีต 'คำชี้แจง' ของแบบรายงาน "
        "({printed}) อีเมลแจ้งหน่วยงานว่าให้ใช้วันที่ในอีเมลแทน",
        "ถ้าตั้งใจเลื่อนกำหนดส่งก็ไม่ต้องทำอะไร ถ้าไม่ใช่ ให้แก้วันที่ใน --due",
        "--due differs from the due date the round's workbook prints; the e-mail says that "
        "its date replaces the printed one.")
    OUTBOX_DUE_PAST = (
        W,
        "กำหนดส่งในอีเมล ({due}) ผ่านมาแล้ว (วันนี้คือ{today}) อีเมลจะขอให้หน่วยงานส่งภายในวันที่ผ่านไปแล้ว",
        "กำหนดวันส่งใหม่ด้วย --due แล้วสั่งใหม่",
        "The due date the letters give is already past: they would ask for a day gone by.")
    OUTBOX_NOTHING_TO_ASK = (
        W,
        "หน่วยงาน {office} ยังไม่ได้รับ ({status}) แต่ไม่มีเรื่องที่หน่วยงานต้องแก้เอง "
        "จึงไม่ได้เขียนอีเมลถึงหน่วยงานนี้",
        "ดูปัญหาของหน่วยงานนี้ในผลการรวบรวม (เช่น คะแนนองค์กรที่ยังไม่ได้กรอกในไฟล์ต้นแบบ) "
        "แล้วแก้ที่ สพบ.",
        "An office is not accepted only for problems สพบ. itself must solve; it is not "
        "written to.")
    OUTBOX_SEND_FAILED = (
        E,
        "ส่งอีเมลถึงหน่วยงาน {office} ({to}) ไม่สำเร็จ: {error}",
        "ตรวจอีเมลของหน่วยงานในไฟล์ต้นแบบและข้อความจากเซิร์ฟเวอร์ แล้วสั่งส่งอีกครั้ง "
        "(ฉบับที่ส่งแล้วจะไม่ถูกส่งซ้ำ)",
        "The SMTP server refused a message (or the connection broke while it was sent); the "
        "others still go, and the run ends with exit code 1.")
    OUTBOX_RECIPIENT_REFUSED = (
        W,
        "เซิร์ฟเวอร์อีเมลไม่รับที่อยู่ {refused} ของหน่วยงาน {office} "
        "(ส่งถึงที่อยู่อื่นของหน่วยงานแล้ว)",
        "ตรวจที่อยู่อีเมลนี้ในชีต 'หน่วยงาน' ของไฟล์ต้นแบบ",
        "One of an office's several addresses was refused; the message went to the others.")


CATALOGUE = {code.name: code for code in Code}     # every code by its name

# What the office itself does about a problem of its return, in the e-mail the outbox writes to
# it (``outbox feedback``): said to the coordinator, where each code's fix above is said to สพบ.
# A code not listed here is สพบ.'s own to solve (a file it cannot read from its disk, an
# organisation score it has not entered, the committee's review) and is not told to the office.
ADVICE: dict[Code, str] = {
    Code.FILE_EMPTY: "แนบไฟล์แบบรายงาน (.xlsx) ที่กรอกแล้วส่งมาใหม่ และตรวจว่าเปิดไฟล์ได้ก่อนส่ง",
    Code.FILE_TOO_LARGE: "ส่งเฉพาะไฟล์แบบรายงานที่ได้รับ ไม่แทรกรูปภาพหรือไฟล์อื่นลงในแบบรายงาน "
                         "(หลักฐานให้ส่งแยกตามช่องทางที่กำหนด)",
    Code.FILE_NOT_WORKBOOK: "เปิดแบบรายงานที่ได้รับด้วย Excel แล้วบันทึกเป็น 'Excel Workbook (.xlsx)' "
                            "ส่งมาใหม่",
    Code.FILE_CORRUPT: "ไฟล์อาจเสียระหว่างบันทึกหรือส่ง ตรวจว่าเปิดไฟล์ได้ แล้วแนบส่งมาใหม่",
    Code.FILE_ENCRYPTED: "ยกเลิกรหัสผ่านสำหรับเปิดไฟล์ (ไฟล์ > ข้อมูล > ป้องกันเวิร์กบุ๊ก > "
                         "เข้ารหัสด้วยรหัสผ่าน แล้วลบรหัสผ่านออก) แล้วส่งมาใหม่",
    Code.FILE_OTHER_FORMAT: "เปิดไฟล์แล้วเลือก บันทึกเป็น > 'Excel Workbook (.xlsx)' แล้วส่งมาใหม่",
    Code.FILE_STRICT_OOXML: "บันทึกเป็น 'Excel Workbook (.xlsx)' แบบปกติ (ไม่ใช่ Strict Open XML) "
                            "แล้วส่งมาใหม่",
    Code.FILE_ZIP_BOMB: "ส่งไฟล์แบบรายงานที่ได้รับและกรอกแล้วมาใหม่ โดยไม่ต้องบีบอัด",
    Code.FILE_UNSAFE_XML: "กรอกผลในแบบรายงานที่ได้รับ บันทึกด้วย Excel แล้วส่งมาใหม่",
    Code.FILE_MACROS: "ไม่ต้องส่งใหม่ ครั้งต่อไปให้บันทึกเป็น 'Excel Workbook (.xlsx)'",
    Code.FILE_NESTED_ARCHIVE: "ส่งไฟล์ .xlsx โดยตรง หรือบีบอัดไว้ในไฟล์ zip เพียงชั้นเดียว",
    Code.FILE_ARCHIVE_EMPTY: "ตรวจว่าใส่ไฟล์แบบรายงานไว้ในไฟล์ zip แล้ว หรือส่งไฟล์ .xlsx โดยตรง",
    Code.RETURN_NOT_OURS: "กรอกผลในแบบรายงานที่ได้รับทางอีเมลจากสำนักพัฒนาระบบบริหาร "
                          "(ไม่ใช้ไฟล์ที่สร้างเองหรือคัดลอกตาราง) แล้วส่งมาใหม่",
    Code.RETURN_UNKNOWN_OFFICE: "กรอกผลในแบบรายงานของหน่วยงานตนเองที่ได้รับทางอีเมล แล้วส่งมาใหม่",
    Code.RETURN_WRONG_YEAR: "กรอกผลในแบบรายงานของปีงบประมาณนี้ที่ได้รับทางอีเมลฉบับล่าสุด "
                            "แล้วส่งมาใหม่",
    Code.RETURN_WRONG_ROUND: "กรอกผลในแบบรายงานของรอบนี้ที่ได้รับทางอีเมลฉบับล่าสุด แล้วส่งมาใหม่",
    Code.RETURN_SCHEMA: "กรอกผลในแบบรายงานฉบับล่าสุดที่ได้รับทางอีเมล แล้วส่งมาใหม่",
    Code.RETURN_STALE: "ตัวชี้วัด น้ำหนัก หรือเกณฑ์มีการปรับปรุงแล้ว กรอกผลในแบบรายงานฉบับใหม่ "
                       "ที่ได้รับทางอีเมลฉบับล่าสุด แล้วส่งมาใหม่",
    Code.RETURN_SIGNATURE_MISSING: "กรอกผลในแบบรายงานฉบับจริงที่ได้รับทางอีเมล แล้วส่งมาใหม่",
    Code.RETURN_SIGNATURE_INVALID: "กรอกผลในแบบรายงานฉบับจริงที่ได้รับทางอีเมล (อย่าแก้ไข"
                                   "ข้อมูลในชีตที่ซ่อนไว้) แล้วส่งมาใหม่",
    Code.RETURN_SHEET_MISSING: "กรอกผลในแบบรายงานฉบับเดิมโดยไม่ลบหรือเปลี่ยนชื่อชีต แล้วส่งมาใหม่",
    Code.RETURN_LOCKED_CHANGED: "กรอกเฉพาะช่องสีเหลือง อย่าแก้รหัส ชื่อ น้ำหนัก เกณฑ์ หรือแทรก/ลบแถว "
                                "กรอกผลในแบบรายงานฉบับเดิมแล้วส่งมาใหม่",
    Code.RETURN_DUPLICATE: "ถ้าไฟล์ที่ระบบใช้ไม่ใช่ฉบับที่ต้องการ ให้ส่งฉบับที่ถูกต้องมาอีกครั้ง",
    Code.RETURN_NAME_MISMATCH: "ตรวจว่าส่งแบบรายงานของหน่วยงานตนเอง ถ้าส่งผิดไฟล์ให้ส่งไฟล์ที่ถูกต้อง"
                               "มาใหม่",
    Code.RETURN_NAMES_BROKEN: "ไม่ต้องส่งใหม่ถ้าผลที่อ่านได้ถูกต้อง ครั้งต่อไปให้พิมพ์ค่าลงในช่อง "
                              "ไม่ตัดหรือวางทับช่อง",
    Code.RETURN_EXTERNAL_LINKS: "ครั้งต่อไปให้พิมพ์ค่าลงในช่องโดยตรง ไม่อ้างอิงไฟล์อื่น "
                                "(ข้อมูล > แก้ไขลิงก์ > ตัดลิงก์)",
    Code.RETURN_EXTRA_SHEET: "ระบบไม่อ่านชีตที่เพิ่มเอง ถ้ามีข้อมูลสำคัญให้ย้ายไปกรอกในชีต"
                             "รายงานผลแล้วส่งมาใหม่",
    Code.RETURN_HIDDEN: "ตรวจว่าไม่มีข้อมูลที่ตั้งใจซ่อน ถ้าข้อมูลครบแล้วไม่ต้องส่งใหม่",
    Code.RESULT_MISSING: "กรอกผลการดำเนินงานเป็นตัวเลขในช่องนี้ บันทึกแล้วส่งไฟล์มาใหม่",
    Code.RESULT_FORMULA: "พิมพ์ผลเป็นตัวเลขในช่องนี้ (ไม่ใช้สูตร) แล้วส่งมาใหม่",
    Code.RESULT_ERROR_VALUE: "พิมพ์ผลเป็นตัวเลขแทนค่าผิดพลาดในช่องนี้ แล้วส่งมาใหม่",
    Code.RESULT_NOT_NUMBER: "พิมพ์ผลเป็นตัวเลขอย่างเดียว ไม่ต้องพิมพ์หน่วยหรือข้อความ "
                            "(คำอธิบายให้พิมพ์ในชีตรายงานรายตัวชี้วัด) แล้วส่งมาใหม่",
    Code.RESULT_NUMBER_AS_TEXT: "ตรวจว่าค่าที่ระบบอ่านได้ถูกต้อง ครั้งต่อไปให้พิมพ์เป็นตัวเลขธรรมดา",
    Code.RESULT_MILESTONE_INVALID: "เลือกระดับที่ทำได้ 0 ถึง 5 จากรายการในช่องนี้ แล้วส่งมาใหม่",
    Code.RESULT_NEGATIVE_PERCENT: "ตรวจและแก้ผลให้ถูกต้อง แล้วส่งมาใหม่",
    Code.RESULT_IMPLAUSIBLE: "ตรวจว่าผลถูกต้อง (เช่น พิมพ์ 78.2 ไม่ใช่ 782) ถ้าผิดให้แก้แล้วส่งมาใหม่",
    Code.PROBLEMS_OMITTED: "แก้ตามรายการข้างต้น แล้วตรวจช่องอื่นที่มีปัญหาแบบเดียวกันด้วย",
    Code.RETURN_IS_PROPOSAL: "ส่งแบบรายงานผลของรอบนี้ (ไม่ใช่แบบเสนอตัวชี้วัด) มาใหม่",
}


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


QUOTE_LIMIT = 150          # characters of a value quoted in a message
_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def one_line(text: str) -> str:
    """``text`` without line breaks or other control characters: each run of them is one
    ``⏎`` (a tab, a space)."""
    if text.isprintable():
        return text
    return _BREAKS.sub(lambda m: " " if m.group() == "\t" else " ⏎ ", text)


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A value as a message quotes it: on one line (:func:`one_line`), and cut to ``limit``
    characters with ``…`` when longer."""
    text = one_line(str(value))
    return text if len(text) <= limit else text[:limit - 1] + "…"


# the parameters that name files: kept whole (only on one line), for finding the file
_FILE_PARAMS = frozenset({"file", "used", "ignored", "other",
                          "draft_problem"})   # and a problem's own message, told in another


def location(file: str | None, sheet: str | None, cell: str | None) -> str:
    """Thai words for where a problem is: ``ไฟล์ a.xlsx ชีต 'เกณฑ์' เซลล์ C4``."""
    parts = []
    if file:
        parts.append(f"ไฟล์ {one_line(file)}")
    if sheet:
        parts.append(f"ชีต '{quote(sheet)}'")
    if cell:
        parts.append(f"เซลล์ {quote(cell)}")
    return " ".join(parts)


def problem(code: Code, /, *, file: str | None = None, office: str | None = None,
            sheet: str | None = None, cell: str | None = None, **params: object) -> Problem:
    """Build a :class:`Problem` from the catalogue entry ``code``.

    Args:
        code: the problem's code.
        file, office, sheet, cell: where the problem is (None where it does not apply).
        **params: the values the entry's text and fix refer to; texts are quoted on one
            line and cut (:func:`quote`), file names only put on one line.

    Raises:
        KeyError: for an unknown code (a programming error).
    """
    kind = code
    params = {"office": office, "file": file, **params}
    params = {key: value if not isinstance(value, str) else
              one_line(value) if key in _FILE_PARAMS else quote(value)
              for key, value in params.items()}
    sheet = quote(sheet) if sheet is not None else None
    body = f"{kind.text.format(**params)} {kind.fix.format(**params)}".strip()
    where = location(file, sheet, cell)
    message = f"{where}: {body}" if where else body
    return Problem(code.name, kind.severity, file, office, sheet, cell, message)


def error_count(problems: Iterable[Problem]) -> int:
    """How many of ``problems`` are errors."""
    return sum(1 for p in problems if p.is_error)


def catalogue_markdown() -> str:
    """``docs/problems.md``: every code with its severity, meaning and what to do, in Thai."""
    lines = [
        "# รหัสปัญหา (Problem codes)",
        "",
        "สร้างจาก `workbook_engine/problems.py` ด้วยคำสั่ง `make docs` อย่าแก้ไฟล์นี้ด้วยมือ",
        "",
        "Generated from the catalogue; do not edit by hand. `error` makes the file (or the KPI) "
        "unusable; `warning` is noted and the work goes on.",
        "",
        "| รหัส (code) | ระดับ | ปัญหา | สิ่งที่ต้องทำ | meaning |",
        "|---|---|---|---|---|",
    ]
    for kind in Code:
        cells = [f"`{kind.name}`", kind.severity.value, kind.text, kind.fix, kind.meaning]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines += advice_markdown()
    return "\n".join(lines) + "\n"


def advice_markdown() -> list[str]:
    """The lines of ``docs/problems.md`` that list what the outbox tells an office to do
    about each problem of its return (:data:`ADVICE`)."""
    lines = [
        "",
        "## สิ่งที่แจ้งให้หน่วยงานทำ (What the office is told to do)",
        "",
        "`outbox feedback` เขียนถึงผู้ประสานงานของหน่วยงานด้วยข้อความนี้แทน 'สิ่งที่ต้องทำ' ข้างบน "
        "(ซึ่งเขียนถึง สพบ.) รหัสที่ไม่อยู่ในตารางนี้เป็นเรื่องที่ สพบ. แก้เอง จึงไม่ได้แจ้งหน่วยงาน",
        "",
        "What `outbox feedback` tells the office's coordinator (the fix above is said to สพบ.). "
        "Codes not listed are สพบ.'s own to solve and are not told to the office.",
        "",
        "| รหัส (code) | สิ่งที่หน่วยงานต้องทำ |",
        "|---|---|",
    ]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in (f"`{code.name}`", text)) + " |"
              for code, text in ADVICE.items()]
    return lines

