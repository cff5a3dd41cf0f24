"""Writing what collect-proposals found: the draft master with the negotiation record
(sheets ``การเจรจา`` and ``สรุปการเสนอ``), and the JSON result (CONTRACT section 6).

The draft is written atomically and read back with the master's own checks, so that a draft
``check-master`` would refuse is reported (``PROPOSAL_DRAFT_INVALID``), never handed on silently.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ..harvesting.run import engine_version
from ..master import format as mf
from ..master.reader import read_master
from ..master.writer import write_master
from ..problems import Code, Problem, location, problem
from ..xlsx.outputs import atomic
from ..xlsx.writer import HEADER_FILL, ROW_HEIGHT, Cells, text_lines
from . import checks
from . import layout as P
from .collect import Negotiated, Negotiation, OfficeProposal
from .rows import Proposed

RECORD_SHEET = "การเจรจา"
SUMMARY_SHEET = "สรุปการเสนอ"
COL_COMMENT = "ความเห็นคณะทำงาน"
COL_OUTCOME = "ผลการเจรจา"
MAX_LISTED_PROBLEMS = 20


def write_draft(negotiation: Negotiation, path: Path) -> list[Problem]:
    """Write the draft master with its record to ``path`` atomically, then read it back with
    the master's checks; returns a problem for each error the draft has."""
    year = negotiation.master.settings.fiscal_year
    write_master(negotiation.draft, path,
                 lambda wb: _Record(wb, negotiation, year).write())
    report = read_master(path)
    found = [problem(Code.PROPOSAL_DRAFT_INVALID, file=str(path), sheet=p.sheet, cell=p.cell,
                     office=p.office, draft_code=p.code, draft_problem=_body(p))
             for p in report.problems if p.is_error]
    negotiation.problems.extend(found)
    return found


def _body(p: Problem) -> str:
    """A problem's message without the location it starts with."""
    where = location(p.file, p.sheet, p.cell)
    return p.message[len(where) + 2:] if where and p.message.startswith(f"{where}: ") \
        else p.message


class _Record:
    """Writes the record's two sheets into the draft."""

    def __init__(self, wb: xlsxwriter.Workbook, negotiation: Negotiation, year: int) -> None:
        self.wb, self.n, self.year = wb, negotiation, year
        border = {"border": 1, "text_wrap": True, "valign": "top"}
        self.header = wb.add_format({"bold": True, "bg_color": HEADER_FILL, "align": "center",
                                     "valign": "vcenter", **border})
        self.text = wb.add_format(border)
        self.number = wb.add_format({"num_format": "#,##0.####", "align": "center", **border})
        self.flag = wb.add_format({"font_color": "#C00000", **border})
        self.blank = wb.add_format({"bg_color": "#FFF2CC", **border})

    def write(self) -> None:
        self.record()
        self.summary()

    def sheet(self, name: str, headers: Sequence[tuple[str, float]], title: str) -> Worksheet:
        ws: Worksheet = self.wb.add_worksheet(name)
        header = Cells(ws, 0, ROW_HEIGHT * 2.2)
        for col, (text, width) in enumerate(headers):
            ws.set_column(col, col, width)
            header.string(col, text, self.header)
        ws.freeze_panes(1, 3)
        ws.set_paper(9)
        ws.set_landscape()
        ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
        ws.set_header(f"&C&\"TH Sarabun New,Bold\"&14{title}")
        ws.set_footer("&R&\"TH Sarabun New\"&12หน้า &P/&N")
        return ws

    def record(self) -> None:
        years = P.baseline_years(self.year)
        headers = [(mf.COL_OFFICE, 9), (mf.COL_KPI, 8), (mf.COL_KPI_NAME, 32), ("สถานะ", 10),
                   (mf.COL_KIND, 13), (mf.COL_UNIT, 8), ("น้ำหนัก (เสนอ)", 8),
                   ("น้ำหนัก (เดิม)", 8),
                   *((f"ผลปี {y}", 8) for y in years),
                   ("ค่าเป้าหมาย (เสนอ)", 9), ("ค่าเป้าหมาย (เดิม)", 9),
                   ("เกณฑ์ระดับ 1-5 (เสนอ)", 16), ("เกณฑ์ระดับ 1-5 (เดิม)", 16),
                   ("ข้อสังเกต", 18), ("เหตุผลที่เสนอ", 24), (COL_COMMENT, 24),
                   (COL_OUTCOME, 14)]
        ws = self.sheet(RECORD_SHEET, headers,
                        f"บันทึกการเจรจาตัวชี้วัดกลุ่มที่ 2 ปีงบประมาณ พ.ศ. {self.year}")
        for row, item in enumerate(self.n.rows, start=1):
            self.record_row(ws, row, item, [w for _, w in headers])
        if self.n.rows:
            ws.autofilter(0, 0, len(self.n.rows), len(headers) - 1)

    def record_row(self, ws: Worksheet, row: int, item: Negotiated,
                   widths: list[float]) -> None:
        p, old = item.proposed, item.previous
        baseline = dict(p.baseline)
        values: list[object] = [
            item.office, item.code, p.name, item.status, p.kind.describe(p.direction)
            if p.kind else "", p.unit, p.weight, old.weight if old else None,
            *(baseline.get(y) for y in P.baseline_years(self.year)),
            p.target, old.target if old else "", _criteria(p), _criteria(old) if old else "",
            "\n".join(filter(None, (checks.live_text(Code[f], None) for f in p.flags))),
            p.reason, "", ""]
        lines = max(text_lines(str(v), w) for v, w in zip(values, widths, strict=True)
                    if isinstance(v, str) and v)
        cells = Cells(ws, row, ROW_HEIGHT * min(lines, 6))
        for col, value in enumerate(values):
            if col >= len(values) - 2:
                cells.blank(col, self.blank)
            elif isinstance(value, Decimal):
                cells.number(col, value, self.number)
            elif value:
                cells.string(col, str(value), self.flag if col == len(values) - 4
                             else self.text)
            else:
                cells.blank(col, self.text)

    def summary(self) -> None:
        headers = [(mf.COL_OFFICE, 9), (mf.COL_OFFICE_NAME, 26), ("ผลการเสนอ", 16),
                   *((f"น้ำหนักกลุ่ม {g}", 8) for g in mf.GROUPS), ("เสนอใหม่", 7),
                   ("เสนอแก้ไข", 8), ("ข้อสังเกต", 8), ("ไฟล์", 22), ("ปัญหาที่พบ", 48)]
        ws = self.sheet(SUMMARY_SHEET, headers,
                        f"สรุปการเสนอตัวชี้วัดรายหน่วยงาน ปีงบประมาณ พ.ศ. {self.year}")
        widths = [w for _, w in headers]
        for row, line in enumerate(self.n.offices, start=1):
            listed = [p.message for p in line.problems if p.is_error][:MAX_LISTED_PROBLEMS]
            more = sum(p.is_error for p in line.problems) - len(listed)
            text = "\n".join(listed + ([f"และอีก {more} รายการ"] if more > 0 else []))
            values: list[object] = [
                line.office, line.name, line.verdict,
                *(line.group_weights.get(g, Decimal(0)) for g in mf.GROUPS),
                Decimal(len(line.new)), Decimal(len(line.changed)), Decimal(line.flags),
                Path(line.file).name if line.file else "", text]
            cells = Cells(ws, row, ROW_HEIGHT * min(max(text_lines(text, widths[-1]),
                                                        text_lines(line.name, widths[1])), 12))
            for col, value in enumerate(values):
                if isinstance(value, Decimal):
                    cells.number(col, value, self.number)
                elif value:
                    cells.string(col, str(value), self.text)
                else:
                    cells.blank(col, self.text)
        ws.autofilter(0, 0, len(self.n.offices), len(headers) - 1)


def _criteria(p: Proposed | None) -> str:
    """Five criteria as ``60 / 70 / 80 / 90 / 100``, or the kind when it has none."""
    if p is None:
        return ""
    if p.criteria is None:
        return p.kind.label if p.kind else ""
    return " / ".join(format(c.normalize(), "f") for c in p.criteria)


def as_json(negotiation: Negotiation, draft: Path) -> dict[str, Any]:
    """The JSON result of collect-proposals."""
    master = negotiation.master

    def office(line: OfficeProposal) -> dict[str, Any]:
        return {"office": line.office, "name": line.name, "verdict": line.verdict,
                "file": line.file, "sha256": line.sha256, "new": line.new,
                "changed": line.changed, "flags": line.flags,
                "group_weights": {str(g): _number(w) for g, w in line.group_weights.items()},
                "errors": sum(p.is_error for p in line.problems)}

    return {
        "organisation": master.settings.organisation,
        "fiscal_year": master.settings.fiscal_year,
        "engine_version": engine_version(),
        "master_file": master.source, "master_sha256": master.source_sha256,
        "draft_file": str(draft),
        "all_valid": negotiation.all_valid,
        "offices": [office(line) for line in negotiation.offices],
        "negotiation": [{"office": r.office, "kpi": r.code, "status": r.status,
                         "name": r.proposed.name, "flags": r.proposed.flags}
                        for r in negotiation.rows],
        "problems": [p.as_dict() for p in negotiation.problems],
    }


def _number(value: Decimal) -> int | float:
    """A Decimal as JSON writes it: whole numbers without a fraction."""
    return int(value) if value == value.to_integral_value() else float(value)


def write_json(negotiation: Negotiation, draft: Path, path: Path) -> None:
    """The JSON result, written atomically."""
    text = json.dumps(as_json(negotiation, draft), ensure_ascii=False, indent=1)
    with atomic(path) as temporary:
        temporary.write_text(text + "\n", encoding="utf-8")
