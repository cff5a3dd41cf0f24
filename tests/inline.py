"""Masters written inline in tests as markdown tables, in the spirit of pyxform's tests.

A cell that looks like a plain number becomes a number cell; wrap it in single quotes
(``'2.1'``) to keep it text. An empty cell is left blank.
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook

_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def cell_value(token: str) -> object:
    """One markdown cell as the value to write."""
    token = token.strip()
    if token == "":
        return None
    if len(token) >= 2 and token[0] == token[-1] == "'":
        return token[1:-1]
    if _NUMBER.fullmatch(token):
        return float(token) if "." in token else int(token)
    return token


def rows(table: str) -> list[list[object]]:
    """Parse a markdown table (no separator line needed) into rows of cell values."""
    result = []
    for line in table.strip().splitlines():
        line = line.strip()
        if not line or set(line) <= {"|", "-", " ", ":"}:
            continue
        result.append([cell_value(t) for t in line.strip("|").split("|")])
    return result


VALID_MASTER = {
    "ตั้งค่า": """
        | ส่วนราชการ            | กรมทดสอบระบบ        |
        | ปีงบประมาณ            | 2569               |
        | ผู้รับคำรับรอง          | นายทดสอบ ใจดี       |
        | ตำแหน่งผู้รับคำรับรอง    | อธิบดีกรมทดสอบระบบ    |
        | คะแนนต่ำกว่าระดับ 1      | 1                  |
    """,
    "หน่วยงาน": """
        | รหัสหน่วยงาน | ชื่อหน่วยงาน          | ผู้ทำคำรับรอง | ตำแหน่ง      | ผู้ประสานงาน | อีเมล          |
        | B01        | สำนักพัฒนาระบบบริหาร | นางหนึ่ง     | ผู้อำนวยการ  | นายสอง      | a@example.go.th |
        | B02        | กองคลัง              | นายสาม      | ผู้อำนวยการ  | นางสี่       | b@example.go.th |
    """,
    "ตัวชี้วัด": """
        | รหัสตัวชี้วัด | ชื่อตัวชี้วัด              | กลุ่ม | หน่วยวัด | ประเภท          | ทิศทาง | ตัวชี้วัดองค์กร | คำอธิบาย |
        | '1.1'      | คะแนนองค์กร             | 1    | คะแนน   | ใช้ผลคะแนนองค์กร |       | ORG-1        | ตามกรม  |
        | '2.1'      | ร้อยละความสำเร็จ          | 2    | ร้อยละ  | เชิงปริมาณ       | มากดี  | ORG-2        | งานหลัก |
        | '2.2'      | ระยะเวลาเฉลี่ย            | 2    | วัน     | เชิงปริมาณ       | น้อยดี | ORG-2        | เร็วขึ้น  |
        | '3.1'      | ระดับความสำเร็จดิจิทัล      | 3    | ระดับ   | ระดับความสำเร็จ   |       |              | ขั้นตอน |
    """,
    "เกณฑ์": """
        | รหัสหน่วยงาน | รหัสตัวชี้วัด | น้ำหนัก | ระดับ 1 | ระดับ 2 | ระดับ 3 | ระดับ 4 | ระดับ 5 |
        | B01        | '1.1'      | 20     |        |        |        |        |        |
        | B01        | '2.1'      | 40     | 60     | 70     | 80     | 90     | 100    |
        | B01        | '2.2'      | 20     | 5      | 4      | 3      | 2      | 1      |
        | B01        | '3.1'      | 20     |        |        |        |        |        |
        | B02        | '2.1'      | 50     | 92.5   | 95     | 97.5   | 100    | 102.5  |
        | B02        | '3.1'      | 50     |        |        |        |        |        |
    """,
    "ขั้นความสำเร็จ": """
        | รหัสตัวชี้วัด | ระดับ | คำอธิบาย         |
        | '3.1'      | 1    | แต่งตั้งคณะทำงาน   |
        | '3.1'      | 2    | จัดทำแผน         |
        | '3.1'      | 3    | ดำเนินการตามแผน   |
        | '3.1'      | 4    | ติดตามผล         |
        | '3.1'      | 5    | สรุปบทเรียน       |
    """,
    "ผลองค์กร": """
        | รหัสตัวชี้วัด | คะแนน  |
        | '1.1'      | 4.2150 |
    """,
}


def write_workbook(path: Path, sheets: dict[str, str | list[list[object]]]) -> Path:
    """Write sheets given as markdown tables (or rows) to an .xlsx with openpyxl."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, table in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows(table) if isinstance(table, str) else table:
            ws.append(row)
    wb.save(path)
    return path


def write_master(path: Path, **changes: str | None) -> Path:
    """Write :data:`VALID_MASTER` with some sheets replaced (or removed, with None).

    Sheet names are given with ``_`` for spaces is not needed: pass them as a dict via
    ``write_master(path, **{"เกณฑ์": "..."})``.
    """
    sheets: dict[str, str | list[list[object]]] = dict(VALID_MASTER)
    for name, table in changes.items():
        if table is None:
            sheets.pop(name, None)
        else:
            sheets[name] = table
    return write_workbook(path, sheets)
