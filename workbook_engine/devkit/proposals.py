"""Filling proposal workbooks as a coordinator would: for the tests, the samples and the
benchmarks. Writes with openpyxl into the table's cells, found by header."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import load_workbook

from ..master import format as mf
from ..proposals import layout as P


def fill_proposal(source: Path, target: Path, fiscal_year: int,
                  edits: Mapping[str, Mapping[str, object]] | None = None,
                  new: Sequence[Mapping[str, object]] = ()) -> Path:
    """Copy proposal ``source`` to ``target`` with ``edits`` (by KPI code: values by master
    header, ``None`` to clear a cell) typed into the held rows and ``new`` KPIs typed into
    the blank rows, from the first."""
    letters = P.letters(fiscal_year)
    wb = load_workbook(source)
    ws = wb[P.TABLE_SHEET]
    code_column = letters[mf.COL_KPI]
    rows = {ws[f"{code_column}{r}"].value: r for r in range(P.FIRST_ROW, ws.max_row + 1)
            if ws[f"{code_column}{r}"].value}
    blank = [r for r in range(P.FIRST_ROW, ws.max_row + 1)
             if not ws[f"{code_column}{r}"].value and ws[f"{letters[mf.COL_GROUP]}{r}"].value]
    for code, values in (edits or {}).items():
        for header, value in values.items():
            ws[f"{letters[header]}{rows[code]}"] = value
    for row, values in zip(blank, new, strict=False):
        for header, value in values.items():
            ws[f"{letters[header]}{row}"] = value
    wb.save(target)
    return target


_OWNER = {mf.COL_OWNER: "ผู้อำนวยการสำนัก", mf.COL_COLLECTOR: "เจ้าหน้าที่วิเคราะห์นโยบายและแผน"}
# The shipped sample proposals (``samples/proposals``), by office: edits of its KPIs, new KPIs.
SAMPLE_PROPOSALS: dict[str, tuple[dict[str, dict[str, object]], list[dict[str, object]]]] = {
    # a new KPI, its weight taken from an existing one: valid
    "B02": ({"2.5": {mf.COL_WEIGHT: 5}}, [{
        mf.COL_KPI_NAME: "ร้อยละของหน่วยงานที่ส่งแบบเสนอตัวชี้วัดภายในกำหนด",
        mf.COL_UNIT: "ร้อยละ", mf.COL_KIND: mf.KIND_QUANTITATIVE,
        mf.COL_DIRECTION: mf.DIRECTION_HIGHER, mf.COL_WEIGHT: 5, mf.COL_TARGET: 80,
        **dict(zip(mf.COL_LEVELS, (70, 75, 80, 85, 90), strict=True)),
        mf.COL_ORG_KPI: "ORG-3", mf.COL_DESCRIPTION: "หน่วยงานที่ส่งแบบเสนอครบถ้วนภายในวันที่กำหนด",
        mf.COL_FORMULA: "(จำนวนหน่วยงานที่ส่งภายในกำหนด / จำนวนหน่วยงานทั้งหมด) x 100",
        mf.COL_DATA_REQUIRED: "รายชื่อหน่วยงานและวันที่ส่งแบบเสนอ", **_OWNER,
        "ข้อมูลพื้นฐาน 2566": 70, "ข้อมูลพื้นฐาน 2567": 74, "ข้อมูลพื้นฐาน 2568": 78,
        "เหตุผล": "การเจรจาตัวชี้วัดล่วงหน้าต้องได้แบบเสนอครบและทันเวลา"}]),
    # a target lowered below last year's result (a soft target) and criteria moved with it:
    # valid, flagged for the meeting
    "B08": ({"2.22": {mf.COL_TARGET: 90, **dict(zip(mf.COL_LEVELS, (80, 85, 90, 95, 100),
                                                    strict=True)),
                      "เหตุผล": "ปีนี้ย้ายระบบบริการไปยังคลาวด์ภาครัฐ อาจหยุดให้บริการบางช่วง"}},
            []),
    # a milestone KPI described only to level 3, weights over 100: refused, keeps its KPIs
    "B10": ({}, [{
        mf.COL_KPI_NAME: "ระดับความสำเร็จของการจัดทำบัญชีข้อมูลภาครัฐ", mf.COL_UNIT: "ระดับ",
        mf.COL_KIND: mf.KIND_MILESTONE, mf.COL_WEIGHT: 5, mf.COL_TARGET: 3, **_OWNER,
        "คำอธิบายระดับ 1": "แต่งตั้งคณะทำงานบัญชีข้อมูล",
        "คำอธิบายระดับ 2": "สำรวจชุดข้อมูลครบทุกกอง",
        "คำอธิบายระดับ 3": "จัดทำคำอธิบายชุดข้อมูลครบถ้วน",
        "เหตุผล": "ยกระดับการเปิดเผยข้อมูล"}]),
}
