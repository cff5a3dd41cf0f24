"""Where things are in the committee's review workbook (CONTRACT section 7).

The review workbook is written from this layout and read back by it (the table by these
positions; the defined name ``REVIEW`` is for other programs), so both take it from here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from ..model import TEXT_INPUTS, Master
from ..xlsx.cells import column_letter

META_KIND = "review"            # _meta's ``kind``
SCHEMA_VERSION = "1"
GUIDE_SHEET = "คำชี้แจง"
TABLE_SHEET = "ผลการตรวจประเมิน"
TOTALS_SHEET = "คะแนนรวมรายหน่วยงาน"
META_SHEET = "_meta"
VISIBLE_SHEETS = (GUIDE_SHEET, TABLE_SHEET, TOTALS_SHEET)
TABLE_NAME = "REVIEW"           # header row and every row of the table
SHA_PREFIX = "sha256:"          # _meta key of an office's return digest: ``sha256:B03``

TITLE_ROW = 1                   # 1-based rows of the table sheet
HEADER_ROW = 3
FIRST_ROW = 4

LOCKED, INPUT, LIVE = "locked", "input", "live"


@dataclass(frozen=True)
class Column:
    """One column of the table: its key, header, width and who fills it (the engine, the
    committee, or a live formula)."""

    key: str
    header: str
    width: float
    role: str = LOCKED


COLUMNS: tuple[Column, ...] = (
    Column("office", "รหัสหน่วยงาน", 9),
    Column("office_name", "ชื่อหน่วยงาน", 22),
    Column("kpi", "รหัสตัวชี้วัด", 8),
    Column("name", "ชื่อตัวชี้วัด", 34),
    Column("weight", "น้ำหนัก", 7),
    Column("result", "ผลการดำเนินงาน", 11),
    Column("score", "ค่าคะแนนที่ได้", 9),
    Column("weighted", "คะแนนถ่วงน้ำหนัก", 10),
    Column("verified_result", "ผลที่คณะกรรมการรับรอง", 12, INPUT),
    Column("given_score", "คะแนนที่คณะกรรมการให้", 12, INPUT),
    Column("reason", "เหตุผล", 30, INPUT),
    Column("result_score", "คะแนนจากผลที่รับรอง", 10, LIVE),
    Column("verified_score", "คะแนนของคณะกรรมการ", 11, LIVE),
    Column("verified_weighted", "คะแนนถ่วงน้ำหนักของคณะกรรมการ", 12, LIVE),
    Column("final_weighted", "คะแนนถ่วงน้ำหนักหลังตรวจ", 11, LIVE),
    Column("check", "ผลตรวจการกรอก", 20, LIVE),
    Column("unit", "หน่วยวัด", 10),
    Column("kind", "ประเภท", 13),
    Column("direction", "ทิศทาง", 7),
    *(Column(f"c{n}", f"ระดับ {n}", 7) for n in range(1, 6)),
    Column("problems", "ปัญหาที่พบในแบบรายงาน", 40),
    *(Column(text.key, text.header, 30) for text in TEXT_INPUTS),
    Column("source", "ไฟล์และเซลล์ที่มา", 30),
)
NUMBER = {c.key: i + 1 for i, c in enumerate(COLUMNS)}        # 1-based column numbers
LETTER = {key: column_letter(n) for key, n in NUMBER.items()}
INPUT_KEYS = tuple(c.key for c in COLUMNS if c.role == INPUT)
PRINTED = NUMBER["check"]       # one printed page holds the columns up to the live check

TOTALS_COLUMNS: tuple[Column, ...] = (
    Column("office", "รหัสหน่วยงาน", 10),
    Column("office_name", "หน่วยงาน", 32),
    Column("status", "สถานะ", 10),
    Column("total", "คะแนนรวม (ประเมินตนเอง)", 13),
    Column("verified_total", "คะแนนรวมหลังตรวจ", 13, LIVE),
    Column("entries", "รายการที่คณะกรรมการให้ผลหรือคะแนน (ใช้ได้)", 14, LIVE),
    Column("file", "ไฟล์แบบรายงาน", 30),
    Column("file_problems", "ปัญหาอื่นของไฟล์", 50),
)
TOTALS_LETTER = {c.key: column_letter(i + 1) for i, c in enumerate(TOTALS_COLUMNS)}


def table_ref(rows: int) -> str:
    """The absolute A1 range of the table: the header and ``rows`` rows."""
    last = column_letter(len(COLUMNS))
    return f"$A${HEADER_ROW}:${last}${HEADER_ROW + max(rows, 1)}"


def file_name(fiscal_year: int, round_months: int) -> str:
    """``2569-R12-review.xlsx``: the name review-form suggests."""
    return f"{fiscal_year}-R{round_months}-review.xlsx"


def master_fingerprint(master: Master, round_months: int) -> str:
    """SHA-256 over every office's fingerprint in the round, the organisation's scores and
    the scoring settings: two masters give the same one exactly when they would score every
    office alike."""
    document = {"offices": {code: master.fingerprint(code, round_months)
                            for code in master.offices},
                "org_scores": {kpi: str(score) for kpi, score in master.org_scores.items()},
                "below_level1": master.settings.below_level1_score,
                "places": master.settings.places}
    payload = json.dumps(document, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(payload.encode("ascii")).hexdigest()
