"""Writing one office's workbook with xlsxwriter (CONTRACT section 2).

Sheets: ``คำชี้แจง`` (what to do), ``คำรับรอง`` (the agreement, A4 portrait, signature blocks),
``รายละเอียดตัวชี้วัด`` (a card per KPI, with its baseline and a chart of it), ``รายงานผล`` (the
report table: results and live scores, A4 landscape), ``รายงานรายตัวชี้วัด`` (a printed A4
page per KPI with large areas for its texts), a hidden ``_lists`` for dropdown sources and a
veryHidden ``_meta``. Every visible sheet
is protected and the workbook structure locked; only input cells are unlocked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

import workbook_engine.fiscal as fiscal
import workbook_engine.formulas as formulas

from ..kinds import KpiKind
from ..master.format import Direction
from ..model import NOT_ASSESSED, RUNNING_OFFICE, TEXT_INPUTS, Assignment, Kpi, Master, Office
from ..scoring import group_subtotals, total_score, weighted_score
from ..xlsx.writer import (
    FONT,
    HEADER_FILL,
    INPUT_FILL,
    LOCKED_FILL,
    ROW_HEIGHT,
    Cells,
    XlsxWriteError,
    cached_value,
    check,
    print_scale,
    score_format,
    text_lines,
    workbook_options,
)
from . import layout as L
from .meta import signature, write_meta_sheet

REPORT_PRINT_SCALE = print_scale([c.width for c in L.REPORT_COLUMNS], landscape=True)
PAGE_WIDTHS = (20, 46)
PAGE_PRINT_SCALE = print_scale(PAGE_WIDTHS, landscape=False, most=80)   # a page's height too
TEXT_AREA_HEIGHTS = {"data": 160, "note": 160, "support": 95, "obstacle": 95, "evidence": 85}
CHART_ROWS = 8            # rows kept free under a baseline table for its chart


class PlainFormulaSheet(Worksheet):  # type: ignore[misc]
    """xlsxwriter's Worksheet with formulas stored as given.

    The office workbook's one override for the generate goal (at most 2x the writing floor):
    ``Worksheet._prepare_formula`` runs ~30 regular expressions over every formula (~130 over a
    validation's) to add ``_xlfn.`` prefixes that the engine's formulas never need
    (:data:`~workbook_engine.xlsx.writer.PREFIXED_FUNCTIONS`, ``tests/test_formulas_plain.py``).
    Measured on the shipped master's 13 offices (one process, CPU time, interleaved with the
    floor on the same cells), the pass is 16% of generate: 2.03x the floor with it, 1.71x
    without (20-KPI offices: 1.90x, 1.62x). Pinned by ``pyproject.toml``, watched by
    ``tests/test_xlsxwriter_canary.py``.
    """

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        return formula[1:] if formula.startswith("=") else formula


class StructureLocked:
    """Mixed into an xlsxwriter Workbook: its structure locked,
    ``<workbookProtection lockStructure="1"/>`` after ``<workbookPr>``, where Excel writes it.

    The lock overrides ``Workbook._write_workbook_pr`` (and writes with ``_xml_empty_tag``):
    the contract locks the structure and xlsxwriter has no API for it. Pinned and watched as
    :class:`PlainFormulaSheet`.
    """

    def _write_workbook_pr(self) -> None:
        super()._write_workbook_pr()  # type: ignore[misc]
        self._xml_empty_tag(  # type: ignore[attr-defined]
            "workbookProtection", [("lockStructure", 1)])


class LockedWorkbook(StructureLocked, xlsxwriter.Workbook):  # type: ignore[misc]
    """xlsxwriter's Workbook with :class:`PlainFormulaSheet` sheets and its structure locked."""

    worksheet_class = PlainFormulaSheet


class Styles:
    """The formats of one workbook, made once."""

    def __init__(self, wb: xlsxwriter.Workbook, places: int) -> None:
        def fmt(**props: Any) -> Format:
            return wb.add_format({"valign": "top", **props})

        border = {"border": 1, "text_wrap": True}
        decimals = score_format(places)
        self.title = fmt(bold=True, font_size=20, align="center", valign="vcenter")
        self.subtitle = fmt(bold=True, align="center", valign="vcenter")
        self.text = fmt(text_wrap=True)
        self.bold = fmt(bold=True, text_wrap=True)
        self.indent = fmt(text_wrap=True, indent=2)
        self.center = fmt(align="center")
        self.header = fmt(bold=True, bg_color=HEADER_FILL, align="center", valign="vcenter",
                          **border)
        self.cell = fmt(**border)
        self.cell_center = fmt(align="center", **border)
        self.number = fmt(num_format="#,##0.####", align="center", **border)
        self.weight = fmt(num_format="0.##", align="center", **border)
        self.score = fmt(num_format=decimals, align="center", bg_color=LOCKED_FILL, **border)
        self.total = fmt(num_format=decimals, bold=True, align="center", bg_color=LOCKED_FILL,
                         **border)
        self.total_label = fmt(bold=True, align="right", bg_color=LOCKED_FILL, **border)
        self.inherited = fmt(num_format=f'"องค์กร "{decimals}', align="center",
                             bg_color=LOCKED_FILL, **border)
        self.input_number = fmt(num_format="General", align="center", bg_color=INPUT_FILL,
                                locked=False, font_color="#1F4E79", **border)
        self.input_text = fmt(bg_color=INPUT_FILL, locked=False, font_color="#1F4E79",
                              **border)
        self.page_value = fmt(align="left", **border)
        self.page_score = fmt(num_format=decimals, align="left", bg_color=LOCKED_FILL, **border)
        self.input_sample = fmt(bg_color=INPUT_FILL, border=1)
        self.date = fmt(num_format=fiscal.BE_DATE_FORMAT, align="left")
        self.status = fmt(bold=True, font_color="#C00000")
        self.card_title = fmt(bold=True, bg_color=HEADER_FILL, text_wrap=True, border=1)
        self.card_label = fmt(bold=True, text_wrap=True, border=1, bg_color=LOCKED_FILL)


@dataclass(frozen=True)
class OfficeContext:
    """Everything one office's workbook is written from."""

    master: Master
    office: Office
    round_months: int
    items: tuple[tuple[Assignment, Kpi], ...]       # as in the round (report form, cards)
    agreed: tuple[tuple[Assignment, Kpi], ...]      # as in the year's agreement
    fingerprint: str

    @classmethod
    def build(cls, master: Master, office_code: str, round_months: int) -> OfficeContext:
        """The context of ``office_code`` in ``master``, in round ``round_months``."""
        def items(round_of: int | None) -> tuple[tuple[Assignment, Kpi], ...]:
            return tuple((a, master.kpis[a.kpi])
                         for a in master.assignments_for(office_code, round_of))

        return cls(master, master.offices[office_code], round_months, items(round_months),
                   items(None), master.fingerprint(office_code, round_months))

    @property
    def year(self) -> int:
        """The fiscal year (BE)."""
        return self.master.settings.fiscal_year

    def meta(self, key: bytes | None) -> dict[str, str]:
        """The ``_meta`` rows, signed when a key is given."""
        rows = {
            "office": self.office.code,
            "office_name": self.office.name,
            "organisation": self.master.settings.organisation,
            "fiscal_year": str(self.year),
            "round": str(self.round_months),
            "schema_version": L.SCHEMA_VERSION,
            "fingerprint": self.fingerprint,
            "kpi_count": str(len(self.items)),
            "engine": "workbook-engine",
        }
        if key is not None:
            rows["signature"] = signature(key, rows)
        return rows


def write_office_workbook(ctx: OfficeContext, path: Path, key: bytes | None = None,
                          password: str | None = None) -> None:
    """Write the office workbook of ``ctx`` to ``path``.

    Args:
        ctx: the office and its assignments.
        path: the ``.xlsx`` to write (overwritten).
        key: HMAC key for the ``_meta`` signature, or None.
        password: sheet-protection password, or None for protection without a password.

    Raises:
        XlsxWriteError: when xlsxwriter refuses part of the workbook.
    """
    wb = LockedWorkbook(str(path), workbook_options())
    created = dt.datetime.combine(fiscal.fiscal_year_start(ctx.year), dt.time())
    wb.set_properties({"title": f"คำรับรองการปฏิบัติราชการ {ctx.office.name}",
                       "author": ctx.master.settings.organisation, "created": created})
    writer = _Writer(wb, ctx, password or "")
    writer.guide()
    writer.agreement()
    writer.details()
    writer.report()
    writer.kpi_pages()
    writer.lists()
    writer.meta(ctx.meta(key))
    wb.close()


def contact_line(master: Master) -> str:
    """The สพบ. coordinator to contact, from the master's offices."""
    office = master.running_office()
    if office is None:
        return f"สำนัก{RUNNING_OFFICE}"
    return f"{office.coordinator} {office.name} {office.email}".strip()


@lru_cache(maxsize=1024)
def _score_formula(row: int, kind: KpiKind, direction: Direction | None, below: int,
                   places: int) -> str:
    """The ``SCORE`` formula of a KPI of ``kind`` on 1-based report row ``row``."""
    criteria = [L.ref(k, row) for k in L.CRITERIA_KEYS]
    return kind.score_formula(L.ref("result", row), criteria, direction, below, places)


@lru_cache(maxsize=1024)
def _weighted_formula(row: int, places: int) -> str:
    """The ``WEIGHTED`` formula on 1-based report row ``row``."""
    return formulas.weighted_score(L.ref("score", row), L.ref("weight", row), places)


@lru_cache(maxsize=16384)
def _name(prefix: str, code: str, sheet: str, cell: str) -> tuple[str, str]:
    """The defined name ``<prefix>_<k>`` of KPI ``code`` and the cell it points at.

    Raises:
        XlsxWriteError: for a name longer than Excel's 255 characters.
    """
    name = L.defined_name(prefix, code)
    if len(name) > 255:
        raise XlsxWriteError(f"defined name {name} is longer than 255 characters")
    return name, L.absolute(sheet, cell)


def _weight_text(a: Assignment) -> str:
    """A KPI's weight as its card and page show it."""
    return format(a.weight.normalize(), "f") if a.assessed else f"0 ({NOT_ASSESSED})"


def _weight_sum(items: Sequence[tuple[Assignment, Kpi]]) -> Decimal:
    return sum((a.weight for a, _ in items), Decimal(0))


def _column_range(key: str, count: int) -> str:
    """Column ``key`` over the report's ``count`` KPI rows, e.g. ``L7:L26``."""
    return f"{L.ref(key, L.FIRST_KPI_ROW)}:{L.ref(key, L.FIRST_KPI_ROW + count - 1)}"


class _Writer:
    """Writes the sheets of one office workbook through xlsxwriter's public API: cells, row
    heights, merged ranges, validations, names and page set-up."""

    def __init__(self, wb: xlsxwriter.Workbook, ctx: OfficeContext, password: str) -> None:
        self.wb = wb
        self.ctx = ctx
        self.settings = ctx.master.settings
        self.places = self.settings.places
        self.s = Styles(wb, self.places)
        self.password = password

    def sheet(self, name: str, widths: Sequence[float]) -> Worksheet:
        ws: Worksheet = self.wb.add_worksheet(name)
        ws.set_default_row(ROW_HEIGHT)
        ws.hide_gridlines(2)
        for index, width in enumerate(widths):
            ws.set_column(index, index, width)
        ws.set_paper(9)  # A4
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.set_footer(f"&L&\"{FONT}\"&12{self.ctx.office.name}&R&\"{FONT}\"&12หน้า &P/&N")
        return ws

    def protect(self, ws: Worksheet) -> None:
        ws.protect(self.password, {"format_columns": True, "format_rows": True})

    def paragraph(self, ws: Worksheet, row: int, last_col: int, text: str, style: Format,
                  width: float) -> int:
        """Write wrapped text merged over columns 0..last_col; return the next row."""
        Cells(ws, row, ROW_HEIGHT * text_lines(text, width)).merged(0, last_col, text, style)
        return row + 1

    def header_row(self, ws: Worksheet, row: int, headers: Sequence[str],
                   height: float) -> None:
        cells = Cells(ws, row, height)
        for col, text in enumerate(headers):
            cells.string(col, text, self.s.header)

    # -- คำชี้แจง ----------------------------------------------------------------------------
    def guide(self) -> None:
        ctx, s = self.ctx, self.s
        ws = self.sheet(L.GUIDE_SHEET, [100, 20])
        ws.set_portrait()
        ws.fit_to_pages(1, 0)
        due = fiscal.report_due(ctx.year, ctx.round_months)
        contact = contact_line(ctx.master)
        row = self.paragraph(ws, 0, 1, "คำชี้แจงการกรอกแบบรายงานผลการดำเนินงาน", s.title, 120)
        row = self.paragraph(ws, row, 1, f"{ctx.office.name} ปีงบประมาณ พ.ศ. {ctx.year} "
                             f"{fiscal.round_label(ctx.year, ctx.round_months)}", s.subtitle, 120)
        steps = [
            f"1. ชีต '{L.REPORT_SHEET}': กรอกผลการดำเนินงานของแต่ละตัวชี้วัดในคอลัมน์ "
            f"'{L.COLUMN['result'].header}' (ช่องสีเหลือง) {L.AS_NUMBER} คะแนนคำนวณให้ทันที",
            "2. ตัวชี้วัดระดับความสำเร็จ ให้เลือกระดับที่ทำได้ 0-5 จากรายการ "
            f"(ดูความหมายของแต่ละระดับในชีต '{L.DETAILS_SHEET}')",
            "3. ตัวชี้วัดที่ใช้ผลคะแนนองค์กร ไม่ต้องกรอกผล ระบบใช้คะแนนขององค์กร",
            f"4. ชีต '{L.KPI_REPORT_SHEET}' (หนึ่งหน้าต่อหนึ่งตัวชี้วัด): พิมพ์ {L.TEXT_HEADERS}"
            " ในกรอบสีเหลืองข้างหัวข้อแต่ละหัวข้อ ให้ครบทุกตัวชี้วัด "
            f"(ผลและคะแนนในหน้านี้ดึงมาจากชีต '{L.REPORT_SHEET}' ให้เอง)",
            f"5. ชีต '{L.DETAILS_SHEET}': ดูสูตรการคำนวณ ข้อมูลที่ต้องรายงาน ค่าเป้าหมาย "
            "ผู้กำกับดูแลตัวชี้วัด ผู้จัดเก็บข้อมูล และข้อมูลพื้นฐานย้อนหลังของแต่ละตัวชี้วัด",
            f"6. ช่องอื่นถูกล็อกไว้ {L.KEEP_LOCKED}",
            "7. บันทึกเป็นไฟล์ Excel (.xlsx) ชื่อเดิม แล้วส่งกลับสำนักพัฒนาระบบบริหาร "
            "ภายในวันที่กำหนดด้านล่าง",
        ]
        for step in steps:
            row = self.paragraph(ws, row, 1, step, s.text, 120)
        cells = Cells(ws, row)
        cells.string(0, "กำหนดส่ง (ภายใน):", s.bold)
        cells.moment(1, dt.datetime.combine(due, dt.time()), s.date)
        row = self.paragraph(ws, row + 1, 1, f"สอบถามได้ที่: {contact}", s.text, 120)
        cells = Cells(ws, row)
        cells.string(0, "ช่องสีนี้คือช่องที่ต้องกรอก:", s.bold)
        cells.blank(1, s.input_sample)
        self.protect(ws)

    # -- คำรับรอง ----------------------------------------------------------------------------
    def agreement(self) -> None:
        ctx, s, st = self.ctx, self.s, self.settings
        widths = [6, 7, 34, 9, 8, 7, 7, 7, 7, 7]
        ws = self.sheet(L.AGREEMENT_SHEET, widths)
        ws.set_portrait()
        ws.fit_to_pages(1, 0)
        last, total_width = len(widths) - 1, sum(widths)
        start, end = fiscal.fiscal_year_start(ctx.year), fiscal.round_end(ctx.year, 12)
        row = self.paragraph(ws, 0, last, "คำรับรองการปฏิบัติราชการ", s.title, total_width)
        row = self.paragraph(ws, row, last, f"{ctx.office.name}  {st.organisation}", s.subtitle,
                             total_width)
        row = self.paragraph(ws, row, last, f"ประจำปีงบประมาณ พ.ศ. {ctx.year}", s.subtitle,
                             total_width)
        clauses = [
            f"1. คำรับรองระหว่าง {st.receiver} {st.receiver_position} ผู้รับคำรับรอง "
            f"และ {ctx.office.maker} {ctx.office.maker_position} ผู้ทำคำรับรอง",
            "2. คำรับรองนี้เป็นคำรับรองฝ่ายเดียว มิใช่สัญญา และใช้สำหรับระยะเวลา 1 ปี "
            f"ตั้งแต่วันที่ {fiscal.thai_date(start)} ถึงวันที่ {fiscal.thai_date(end)}",
            "3. รายละเอียดของคำรับรอง ได้แก่ ตัวชี้วัด น้ำหนัก และเกณฑ์การให้คะแนน "
            f"ตามตารางด้านล่างและชีต '{L.DETAILS_SHEET}'",
            f"4. ข้าพเจ้า {st.receiver} ในฐานะผู้รับคำรับรอง ได้พิจารณาและเห็นชอบกับตัวชี้วัด "
            "น้ำหนัก และเกณฑ์การให้คะแนน และจะกำกับ ติดตาม ให้ข้อเสนอแนะ และสนับสนุนการดำเนินงาน",
            f"5. ข้าพเจ้า {ctx.office.maker} ในฐานะผู้ทำคำรับรอง ได้ทำความเข้าใจคำรับรองตามข้อ 3 "
            "แล้ว ขอให้คำรับรองว่าจะมุ่งมั่นปฏิบัติราชการให้เกิดผลงานที่ดีตามเป้าหมายของตัวชี้วัด "
            "และรายงานผลตามรอบที่กำหนด",
        ]
        for clause in clauses:
            row = self.paragraph(ws, row, last, clause, s.text, total_width)
        if row + 1 != L.AGREEMENT_HEADER_ROW - 1:   # harvest compares the table at this place
            raise RuntimeError(f"agreement table at row {row + 2}, not {L.AGREEMENT_HEADER_ROW}")
        row = self.agreement_table(ws, row + 1, widths)
        row = self.group_weights(ws, row)
        self.signatures(ws, row + 1)
        ws.repeat_rows(0, 2)
        self.protect(ws)

    def agreement_table(self, ws: Worksheet, row: int, widths: Sequence[float]) -> int:
        s = self.s
        self.header_row(ws, row, list(L.AGREEMENT_HEADERS), ROW_HEIGHT * 1.5)
        for a, kpi in self.ctx.agreed:
            row += 1
            cells = Cells(ws, row, ROW_HEIGHT * text_lines(kpi.name, widths[2]))
            self.kpi_facts(cells, a, kpi)
            if kpi.kind.criteria_cells(a.criteria) is None:
                cells.merged(5, 9, kpi.kind.label, s.cell_center)
            else:
                self.criteria_cells(cells, 5, a, kpi)
        row += 1
        cells = Cells(ws, row)
        cells.merged(0, 3, L.AGREEMENT_TOTAL_LABEL, s.total_label)
        cells.number(4, _weight_sum(self.ctx.agreed), s.weight)
        return row + 1

    def kpi_facts(self, cells: Cells, a: Assignment, kpi: Kpi) -> None:
        """Group, code, name, unit and weight: columns A-E of both KPI tables."""
        s = self.s
        cells.number(0, kpi.group, s.cell_center)
        cells.string(1, kpi.code, s.cell_center)
        cells.string(2, kpi.name, s.cell)
        cells.string(3, kpi.unit, s.cell_center)
        cells.number(4, a.weight, s.weight)

    def criteria_cells(self, cells: Cells, col: int, a: Assignment, kpi: Kpi) -> None:
        """What the kind shows in the locked cells ระดับ 1-5 (blank when it shows nothing)."""
        for i, value in enumerate(kpi.kind.criteria_cells(a.criteria) or ()):
            cells.number(col + i, value, self.s.number)

    def signatures(self, ws: Worksheet, row: int) -> None:
        s, st, office = self.s, self.settings, self.ctx.office
        blocks = ((0, 3, st.receiver, st.receiver_position, "ผู้รับคำรับรอง"),
                  (4, 9, office.maker, office.maker_position, "ผู้ทำคำรับรอง"))
        lines = [["ลงชื่อ ......................................", f"({name})", position, role,
                  "วันที่ ........ / ................ / ........"]
                 for _, _, name, position, role in blocks]
        for i in range(5):
            cells = Cells(ws, row + 1 + i, ROW_HEIGHT * 1.2)
            for (first, last, *_), texts in zip(blocks, lines, strict=True):
                cells.merged(first, last, texts[i], s.center)

    # -- รายละเอียดตัวชี้วัด ---------------------------------------------------------------------
    def details(self) -> None:
        s = self.s
        widths = [26, 78]        # a label and its value: cards need no merged cells
        ws = self.sheet(L.DETAILS_SHEET, widths)
        ws.set_portrait()
        ws.fit_to_pages(1, 0)
        row = self.paragraph(ws, 0, 1, f"รายละเอียดตัวชี้วัด {self.ctx.office.name}", s.title,
                             sum(widths))
        for a, kpi in self.ctx.items:
            row = self.card(ws, row + 1, a, kpi, widths)
        self.protect(ws)

    def card(self, ws: Worksheet, row: int, a: Assignment, kpi: Kpi,
             widths: Sequence[float]) -> int:
        s = self.s
        row = self.paragraph(ws, row, 1, f"ตัวชี้วัดที่ {kpi.code} {kpi.name}", s.card_title,
                             sum(widths))
        for label, value in self.facts(a, kpi):
            cells = Cells(ws, row, ROW_HEIGHT * text_lines(value, widths[1]))
            cells.string(0, label, s.card_label)
            cells.string(1, value, s.cell)
            row += 1
        return self.baseline(ws, row, kpi)

    def baseline(self, ws: Worksheet, row: int, kpi: Kpi) -> int:
        """The office's past results for ``kpi`` as a table by year, with a line chart of
        them under it when there are two years or more; returns the next row."""
        s, years = self.s, self.ctx.master.card(self.ctx.office.code, kpi.code).baseline
        if not years:
            return row
        cells = Cells(ws, row)
        cells.string(0, "ข้อมูลพื้นฐาน (ปี พ.ศ.)", s.header)
        cells.string(1, f"ผลการดำเนินงาน ({kpi.unit})", s.header)
        for year, value in years:
            row += 1
            cells = Cells(ws, row)
            cells.string(0, str(year), s.cell_center)
            cells.number(1, value, s.number)
        first, row = row - len(years) + 1, row + 1
        if len(years) < 2:
            return row
        chart = self.wb.add_chart({"type": "line"})
        chart.add_series({"name": f"ข้อมูลพื้นฐาน {kpi.code}",
                          "categories": [ws.name, first, 0, row - 1, 0],
                          "values": [ws.name, first, 1, row - 1, 1],
                          "marker": {"type": "circle"}})
        font = {"name": FONT, "size": 12}
        chart.set_title({"name": f"ข้อมูลพื้นฐานย้อนหลัง ตัวชี้วัดที่ {kpi.code}",
                         "name_font": {**font, "size": 14}})
        chart.set_x_axis({"num_font": font})
        chart.set_y_axis({"num_font": font, "name": kpi.unit, "name_font": font})
        chart.set_legend({"none": True})
        chart.set_size({"width": 600, "height": CHART_ROWS * ROW_HEIGHT * 4 / 3 - 8})
        check(ws.insert_chart(row, 1, chart, {"x_offset": 4, "y_offset": 4}),
              f"chart {kpi.code}")
        return row + CHART_ROWS

    def facts(self, a: Assignment, kpi: Kpi) -> list[tuple[str, str]]:
        """The label and value rows of a KPI's card."""
        master = self.ctx.master
        card = master.card(self.ctx.office.code, kpi.code)
        org = master.org_kpis.get(kpi.org_kpi or "")
        facts = [
            ("คำอธิบาย", kpi.description or "-"),
            ("สูตรการคำนวณ", kpi.formula or "-"),
            ("ข้อมูลที่ต้องรายงาน", kpi.data_required or "-"),
            ("หน่วยวัด", kpi.unit),
            ("น้ำหนัก (ร้อยละ)", _weight_text(a)),
            ("ประเภท", kpi.kind.describe(kpi.direction)),
            ("ค่าเป้าหมาย", card.target or "-"),
            ("ผู้กำกับดูแลตัวชี้วัด", card.owner or "-"),
            ("ผู้จัดเก็บข้อมูล", card.collector or "-"),
            ("ถ่ายทอดจากตัวชี้วัดองค์กร",
             f"{org.code} {org.name}" if org else kpi.org_kpi or "-"),
        ]
        return facts + kpi.kind.card_facts(a.criteria, master.milestone_levels.get(kpi.code, {}),
                                           master.org_scores.get(kpi.code), self.places)

    # -- รายงานผล ----------------------------------------------------------------------------
    def report(self) -> None:
        ctx, s = self.ctx, self.s
        columns = L.REPORT_COLUMNS
        ws = self.sheet(L.REPORT_SHEET, [c.width for c in columns])
        ws.set_landscape()
        ws.set_print_scale(REPORT_PRINT_SCALE)
        ws.repeat_rows(L.HEADER_ROW - 1)
        width = sum(c.width for c in columns[:10])
        heads = [(L.TITLE_ROW, "แบบรายงานผลการดำเนินงานตามคำรับรองการปฏิบัติราชการ "
                  f"ประจำปีงบประมาณ พ.ศ. {ctx.year}", s.title),
                 (L.OFFICE_ROW, f"{ctx.office.name}  {self.settings.organisation}", s.subtitle),
                 (L.PERIOD_ROW, fiscal.round_label(ctx.year, ctx.round_months), s.subtitle)]
        for row, text, style in heads:
            self.paragraph(ws, row - 1, 9, text, style, width)
        count = len(ctx.items)
        self.completeness(ws, count)
        self.header_row(ws, L.HEADER_ROW - 1, [c.header for c in columns], ROW_HEIGHT * 3)
        for index, (a, kpi) in enumerate(ctx.items):
            self.report_row(ws, L.kpi_row(index), a, kpi)
        self.report_total(ws, count)
        self.report_groups(ws, count)
        ws.freeze_panes(L.FIRST_KPI_ROW - 1, 3)
        result_col = L.COLUMN["result"].index
        ws.set_selection(L.FIRST_KPI_ROW - 1, result_col, L.FIRST_KPI_ROW - 1, result_col)
        ws.activate()
        self.protect(ws)

    def report_row(self, ws: Worksheet, row: int, a: Assignment, kpi: Kpi) -> None:
        """One KPI line: locked facts, the result input and live scores."""
        s = self.s
        cells = Cells(ws, row - 1,
                     ROW_HEIGHT * max(2, text_lines(kpi.name, L.COLUMN["name"].width)))
        self.kpi_facts(cells, a, kpi)
        if kpi.kind.criteria_cells(a.criteria) is None:
            for key in L.CRITERIA_KEYS:
                cells.blank(L.COLUMN[key].index, s.cell)
        else:
            self.criteria_cells(cells, L.COLUMN["c1"].index, a, kpi)
        if a.assessed:
            self.result_input(cells, kpi)
            score = _score_formula(row, kpi.kind, kpi.direction,
                                   self.settings.below_level1_score, self.places)
            cells.formula(L.COLUMN["score"].index, score, s.score,
                          cached_value(self.cached_score(a, kpi)))
            cells.formula(L.COLUMN["weighted"].index, _weighted_formula(row, self.places),
                          s.score, cached_value(self.cached_weighted(a, kpi)))
        else:       # not assessed in this round: no input, no score, out of the total
            cells.string(L.COLUMN["result"].index, NOT_ASSESSED, s.cell_center)
            cells.string(L.COLUMN["score"].index, "-", s.score)
            cells.string(L.COLUMN["weighted"].index, "-", s.score)
        for key in ("score", "weighted"):
            self.define(kpi, key, row)

    def result_input(self, cells: Cells, kpi: Kpi) -> None:
        """The result cell: an input with its validation, or the organisation's score for a
        kind without a result (the kind's label while there is none)."""
        s, r0, col = self.s, cells.row, L.COLUMN["result"].index
        validation = kpi.kind.result_validation(kpi.unit, L.LEVELS_RANGE)
        if validation is None:
            org = self.ctx.master.org_scores.get(kpi.code)
            if org is None:
                cells.string(col, kpi.kind.label, s.cell_center)
            else:
                cells.number(col, org, s.inherited)
            return
        cells.blank(col, s.input_number)
        self.define(kpi, "result", r0 + 1)
        check(cells.ws.data_validation(r0, col, r0, col, validation), f"validation {kpi.code}")

    def completeness(self, ws: Worksheet, count: int) -> None:
        """The completeness line (``COMPLETENESS``), with the status it has at generation."""
        scores = _column_range("score", count)
        missing = sum(1 for a, k in self.ctx.items
                      if a.assessed and self.cached_score(a, k) is None)
        status = ("กรอกผลครบทุกตัวชี้วัดแล้ว" if missing == 0
                  else f"ยังไม่มีผลที่คำนวณคะแนนได้ {missing} ตัวชี้วัด")
        Cells(ws, L.STATUS_ROW - 1).formula(0, formulas.completeness(scores), self.s.status,
                                           status)
        check(self.wb.define_name(L.STATUS_NAME, L.absolute(L.REPORT_SHEET, f"A{L.STATUS_ROW}")),
              f"name {L.STATUS_NAME}")

    def report_total(self, ws: Worksheet, count: int) -> None:
        s, row = self.s, L.total_row(count)
        scores, weighted = _column_range("score", count), _column_range("weighted", count)
        cells = Cells(ws, row - 1)
        cells.merged(0, L.COLUMN["weight"].index - 1, L.REPORT_TOTAL_LABEL, s.total_label)
        cells.number(L.COLUMN["weight"].index, _weight_sum(self.ctx.items), s.weight)
        total = self.cached_total()
        cells.formula(L.COLUMN["weighted"].index,
                      formulas.total_score(scores, weighted, self.places), s.total,
                      cached_value(total))
        check(self.wb.define_name(L.TOTAL_NAME, L.absolute(L.REPORT_SHEET, L.ref("weighted", row))),
              f"name {L.TOTAL_NAME}")

    def report_groups(self, ws: Worksheet, count: int) -> None:
        """Each KPI group's weight, weighted sum (``GROUP_SCORE_<g>``) and score on the 1-5
        scale, live, under the total."""
        s, row = self.s, L.group_header_row(count)
        weight_col, score_col = L.COLUMN["weight"].index, L.COLUMN["score"].index
        weighted_col = L.COLUMN["weighted"].index
        label, *headers = L.GROUP_HEADERS
        cells = Cells(ws, row - 1, ROW_HEIGHT * 2)
        cells.merged(0, weight_col - 1, label, s.header)
        for col, text in zip((weight_col, score_col, weighted_col), headers, strict=True):
            cells.string(col, text, s.header)
        groups, weights = _column_range("group", count), _column_range("weight", count)
        scores, weighted = _column_range("score", count), _column_range("weighted", count)
        subtotals = group_subtotals(
            ((kpi.group, a.weight, self.cached_weighted(a, kpi) if a.assessed else None)
             for a, kpi in self.ctx.items), self.places)
        for here in subtotals:             # the values before anything is typed
            row, group = row + 1, here.group
            cells = Cells(ws, row - 1)
            cells.merged(0, weight_col - 1, L.group_label(group), s.total_label)
            cells.formula(weight_col, formulas.group_weight(groups, group, weights), s.weight,
                          here.weight)
            weighted_sum = formulas.group_weighted(groups, group, scores, weighted,
                                                   L.ref("weight", row), self.places)
            cells.formula(weighted_col, weighted_sum, s.total, cached_value(here.weighted_score))
            cells.formula(score_col, formulas.group_score(L.ref("weighted", row),
                                                          L.ref("weight", row), self.places),
                          s.total, cached_value(here.score))
            check(self.wb.define_name(L.group_name(group),
                                      L.absolute(L.REPORT_SHEET, L.ref("weighted", row))),
                  f"name {L.group_name(group)}")

    def group_weights(self, ws: Worksheet, row: int) -> int:
        """Each KPI group's weight in the year's agreement, under its table's total; returns
        the next row."""
        s = self.s
        for group in group_subtotals((k.group, a.weight, None) for a, k in self.ctx.agreed):
            cells = Cells(ws, row)
            cells.merged(0, 3, f"น้ำหนักรวม{L.group_label(group.group)}", s.total_label)
            cells.number(4, group.weight, s.weight)
            row += 1
        return row

    def cached_score(self, a: Assignment, kpi: Kpi) -> Decimal | None:
        """The score a KPI has before anything is typed (an inherited KPI's, once known)."""
        return kpi.kind.score(None, a.criteria, kpi.direction, self.settings.below_level1_score,
                              self.ctx.master.org_scores.get(kpi.code), self.places)

    def cached_weighted(self, a: Assignment, kpi: Kpi) -> Decimal | None:
        """A KPI's weighted score before anything is typed."""
        score = self.cached_score(a, kpi)
        return None if score is None else weighted_score(score, a.weight, self.places)

    def cached_total(self) -> Decimal | None:
        """The total before anything is typed."""
        return total_score((self.cached_weighted(a, kpi) for a, kpi in self.ctx.items
                            if a.assessed), self.places)

    def define(self, kpi: Kpi, key: str, row: int) -> None:
        """The workbook-level name ``<prefix>_<k>`` of column ``key`` (its
        :attr:`~workbook_engine.forms.layout.Column.name_prefix`) on 1-based report row ``row``.

        Raises:
            XlsxWriteError: when xlsxwriter refuses the name (for example, too long).
        """
        prefix = L.COLUMN[key].name_prefix
        assert prefix is not None, key
        self.name(prefix, kpi, L.REPORT_SHEET, L.ref(key, row))

    def name(self, prefix: str, kpi: Kpi, sheet: str, cell: str) -> None:
        """The workbook-level name ``<prefix>_<k>`` of ``kpi`` on ``cell`` of ``sheet``."""
        name, target = _name(prefix, kpi.code, sheet, cell)
        check(self.wb.define_name(name, target), f"name {name}")

    # -- รายงานรายตัวชี้วัด ------------------------------------------------------------------
    def kpi_pages(self) -> None:
        """The per-KPI report: a printed A4 portrait page for each KPI with its facts, its
        result and live score (from the report table), and an input area for each text
        (``DATA_<k>`` ... ``EVIDENCE_<k>``), each with its label beside it."""
        ws = self.sheet(L.KPI_REPORT_SHEET, PAGE_WIDTHS)
        ws.set_portrait()
        ws.set_print_scale(PAGE_PRINT_SCALE)
        for index, (a, kpi) in enumerate(self.ctx.items):
            self.kpi_page(ws, index, a, kpi)
        check(ws.set_h_pagebreaks([L.page_row(i) - 1 for i in range(1, len(self.ctx.items))]),
              "page breaks")
        for text in TEXT_INPUTS:       # one rule for each text, over every KPI's page
            cells = [L.text_ref(i, text) for i in range(len(self.ctx.items))]
            row, col = L.page_row(0) - 1 + L.PAGE_TEXT_OFFSET[text.key], 1
            check(ws.data_validation(row, col, row, col, {
                "validate": "length", "criteria": "<=", "value": text.max_length,
                "multi_range": " ".join(cells),
                "input_title": text.header[:32],
                "input_message": f"พิมพ์ข้อความได้ไม่เกิน {text.max_length:,} ตัวอักษร",
                "error_title": "ข้อความยาวเกินไป",
                "error_message": f"ข้อความยาวได้ไม่เกิน {text.max_length:,} ตัวอักษร "
                                 "แนบรายละเอียดเป็นเอกสารอ้างอิงแทน",
            }), f"validation {text.key}")
        self.protect(ws)

    def kpi_page(self, ws: Worksheet, index: int, a: Assignment, kpi: Kpi) -> None:
        s, first = self.s, L.page_row(index) - 1
        card = self.ctx.master.card(self.ctx.office.code, kpi.code)
        self.paragraph(ws, first, 1, f"ตัวชี้วัดที่ {kpi.code} {kpi.name}", s.card_title,
                       sum(PAGE_WIDTHS))
        values = kpi.kind.criteria_cells(a.criteria)
        criteria = kpi.kind.describe(kpi.direction) if values is None else "   ".join(
            f"ระดับ {n}: {format(Decimal(v).normalize(), 'f')}"
            for n, v in enumerate(values, start=1))
        facts = (("หน่วยวัด", kpi.unit), ("น้ำหนัก (ร้อยละ)", _weight_text(a)),
                 ("เกณฑ์การให้คะแนน", criteria), ("ค่าเป้าหมาย", card.target or "-"),
                 ("ผู้กำกับดูแลตัวชี้วัด", card.owner or "-"),
                 ("ผู้จัดเก็บข้อมูล", card.collector or "-"))
        assert L.PAGE_FACTS_OFFSET + len(facts) == L.PAGE_RESULT_OFFSET, "page layout"
        for offset, (label, value) in enumerate(facts, start=L.PAGE_FACTS_OFFSET):
            cells = Cells(ws, first + offset, ROW_HEIGHT * text_lines(value, PAGE_WIDTHS[1]))
            cells.string(0, label, s.card_label)
            cells.string(1, value, s.cell)
        self.page_result(ws, first + L.PAGE_RESULT_OFFSET, index, a, kpi)
        for text in TEXT_INPUTS:
            cells = Cells(ws, first + L.PAGE_TEXT_OFFSET[text.key], TEXT_AREA_HEIGHTS[text.key])
            cells.string(0, text.header, s.card_label)
            cells.blank(1, s.input_text)
            self.name(text.name_prefix, kpi, L.KPI_REPORT_SHEET, L.text_ref(index, text))

    def page_result(self, ws: Worksheet, row: int, index: int, a: Assignment,
                    kpi: Kpi) -> None:
        """A KPI page's result and score (0-based ``row`` and the next): live from its row of
        the report table."""
        s, report_row = self.s, L.kpi_row(index)
        result, score = (f"'{L.REPORT_SHEET}'!{L.ref(key, report_row)}"
                         for key in ("result", "score"))
        if not a.assessed:
            shown: Decimal | str = NOT_ASSESSED
        elif kpi.kind.result_validation(kpi.unit, L.LEVELS_RANGE) is not None:
            shown = ""
        else:
            shown = self.ctx.master.org_scores.get(kpi.code) or kpi.kind.label
        cells = Cells(ws, row)
        cells.string(0, "ผลการดำเนินงาน", s.card_label)
        cells.formula(1, f'IF(ISBLANK({result}),"",{result})', s.page_value,
                      cached_value(shown) if isinstance(shown, Decimal) else shown)
        cells = Cells(ws, row + 1)
        cells.string(0, "ค่าคะแนนที่ได้", s.card_label)
        cells.formula(1, score, s.page_score,
                      cached_value(self.cached_score(a, kpi)) if a.assessed else "-")

    # -- hidden sheets -----------------------------------------------------------------------
    def lists(self) -> None:
        ws = self.wb.add_worksheet(L.LISTS_SHEET)
        for level in range(6):
            ws.write_number(level, 0, level)
        ws.hide()
        self.protect(ws)

    def meta(self, rows: dict[str, str]) -> None:
        write_meta_sheet(self.wb, L.META_SHEET, rows, self.password)

