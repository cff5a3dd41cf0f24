"""Writing one office's proposal workbook with xlsxwriter (CONTRACT section 6).

Sheets: ``คำชี้แจง`` (what to do, the organisation KPIs to cascade from, whom to ask),
``ตัวชี้วัดที่เสนอ`` (the table ``PROPOSALS``: the office's KPIs, groups 1 and 3 locked, its
group-2 KPIs editable, blank rows for new ones, a live check per row and the live weight
total), a hidden ``_lists`` for dropdowns and a veryHidden ``_meta``. Protected like the office
workbook: only the yellow cells can be typed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

import workbook_engine.fiscal as fiscal

from ..forms.meta import write_meta_sheet
from ..forms.office_workbook import LockedWorkbook, Styles, contact_line
from ..master import format as mf
from ..model import Master, Office
from ..xlsx.cells import column_letter
from ..xlsx.writer import (
    FONT,
    LOCKED_FILL,
    ROW_HEIGHT,
    Cells,
    print_scale,
    text_lines,
    workbook_options,
)
from . import checks
from . import layout as P
from .rows import Proposed, cells, current

SCHEMA_VERSION = "1"
MAX_ROW_LINES = 8           # a prefilled row grows to fit its longest text, up to this
CATALOGUE_COLUMNS = frozenset({mf.COL_KPI_NAME, mf.COL_UNIT, mf.COL_KIND, mf.COL_DIRECTION,
                               mf.COL_ORG_KPI, mf.COL_DESCRIPTION, mf.COL_FORMULA,
                               mf.COL_DATA_REQUIRED, *P.COL_LEVEL_TEXTS})
GUIDE_WIDTH = 110
PRINT_COLUMNS = 11          # the columns one printed page is scaled to hold
OK_COLOUR, PROBLEM_COLOUR = "#006100", "#C00000"


@dataclass(frozen=True)
class ProposalContext:
    """Everything one office's proposal workbook is written from."""

    master: Master
    office: Office
    rows: tuple[Proposed, ...]          # its KPIs as the master holds them, in master order
    shared: frozenset[str]              # those other offices hold too: catalogue locked
    blank_rows: int
    fingerprint: str

    @classmethod
    def build(cls, master: Master, office: str, blank_rows: int) -> ProposalContext:
        """The context of ``office`` with ``blank_rows`` rows for new KPIs."""
        held = master.assignments_for(office)
        rows = tuple(current(master, a, P.FIRST_ROW + i) for i, a in enumerate(held))
        shared = frozenset(a.kpi for a in held if len(master.holders(a.kpi)) > 1)
        return cls(master, master.offices[office], rows, shared, blank_rows,
                   master.fingerprint(office))

    @property
    def year(self) -> int:
        """The fiscal year (BE) the KPIs are proposed for."""
        return self.master.settings.fiscal_year

    @property
    def last_row(self) -> int:
        """The 1-based row of the table's last row."""
        return P.FIRST_ROW + len(self.rows) + self.blank_rows - 1

    def meta(self) -> dict[str, str]:
        """The ``_meta`` rows."""
        return {
            "kind": P.META_KIND,
            "office": self.office.code,
            "office_name": self.office.name,
            "organisation": self.master.settings.organisation,
            "fiscal_year": str(self.year),
            "schema_version": SCHEMA_VERSION,
            "fingerprint": self.fingerprint,
            "kpi_count": str(len(self.rows)),
            "blank_rows": str(self.blank_rows),
            "engine": "workbook-engine",
        }

    def editable(self, p: Proposed | None, header: str) -> bool:
        """Whether a cell of row ``p`` (None: a blank row) can be typed in."""
        if header in P.FIXED:
            return False
        if p is None:
            return True
        return p.group == 2 and not (p.code in self.shared and header in CATALOGUE_COLUMNS)


def write_proposal_workbook(ctx: ProposalContext, path: Path, password: str | None = None
                            ) -> None:
    """Write the proposal workbook of ``ctx`` to ``path`` (overwritten).

    Raises:
        XlsxWriteError: when xlsxwriter refuses part of the workbook.
    """
    wb = LockedWorkbook(str(path), workbook_options())
    created = dt.datetime.combine(fiscal.fiscal_year_start(ctx.year - 1), dt.time())
    wb.set_properties({"title": f"แบบเสนอตัวชี้วัด {ctx.office.name}",
                       "author": ctx.master.settings.organisation, "created": created})
    writer = _Writer(wb, ctx, password or "")
    writer.guide()
    writer.table()
    writer.hidden()
    wb.close()


class _Writer:
    """Writes the sheets of one proposal workbook."""

    def __init__(self, wb: LockedWorkbook, ctx: ProposalContext, password: str) -> None:
        self.wb, self.ctx, self.password = wb, ctx, password
        self.s = Styles(wb, ctx.master.settings.places)
        self.columns = P.columns(ctx.year)
        self.letters = P.letters(ctx.year)
        self.org_list = (f"'{P.LISTS_SHEET}'!$C$1:$C${len(ctx.master.org_kpis)}"
                         if ctx.master.org_kpis else "")
        self.check_ok = wb.add_format({"font_color": OK_COLOUR, "bold": True})
        self.check_problem = wb.add_format({"font_color": PROBLEM_COLOUR, "bold": True})
        self.heading = wb.add_format({"bold": True})
        locked = {"bg_color": LOCKED_FILL, "border": 1, "text_wrap": True, "valign": "top"}
        self.locked_text = wb.add_format(locked)
        self.locked_number = wb.add_format({**locked, "num_format": "#,##0.####",
                                            "align": "center"})
        self.total_bad = wb.add_format({"bg_color": "#FFC7CE", "font_color": PROBLEM_COLOUR})

    def sheet(self, name: str, widths: Sequence[float]) -> Worksheet:
        ws: Worksheet = self.wb.add_worksheet(name)
        ws.set_default_row(ROW_HEIGHT)
        ws.hide_gridlines(2)
        for index, width in enumerate(widths):
            ws.set_column(index, index, width)
        ws.set_paper(9)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.set_footer(f"&L&\"{FONT}\"&12{self.ctx.office.name}&R&\"{FONT}\"&12หน้า &P/&N")
        return ws

    def protect(self, ws: Worksheet) -> None:
        ws.protect(self.password, {"format_columns": True, "format_rows": True})

    # -- คำชี้แจง ----------------------------------------------------------------------------
    def guide(self) -> None:
        ctx, s = self.ctx, self.s
        ws = self.sheet(P.GUIDE_SHEET, [GUIDE_WIDTH])
        ws.set_portrait()
        ws.set_print_scale(print_scale([GUIDE_WIDTH], landscape=False))
        first, last = P.baseline_years(ctx.year)[0], P.baseline_years(ctx.year)[-1]
        lines: list[tuple[str, Format]] = [
            (f"แบบเสนอตัวชี้วัดกลุ่มที่ 2 (ภารกิจหลัก) ปีงบประมาณ พ.ศ. {ctx.year}", s.title),
            (f"{ctx.office.name}  {ctx.master.settings.organisation}", s.subtitle),
            (f"1. ชีต '{P.TABLE_SHEET}' แสดงตัวชี้วัดทั้งหมดของหน่วยงาน ตัวชี้วัดกลุ่ม 1 และ 3 "
             "เป็นตัวชี้วัดที่ถ่ายทอดจากองค์กร (สีเทา) แก้ไขไม่ได้", s.text),
            ("2. ตัวชี้วัดกลุ่ม 2 ที่มีอยู่แล้ว แก้ไขได้ในช่องสีเหลือง (ยกเว้นรหัสและกลุ่ม) "
             "ตัวชี้วัดที่ใช้ร่วมกับหน่วยงานอื่น แก้ได้เฉพาะน้ำหนัก ค่าเป้าหมาย เกณฑ์ "
             "ผู้รับผิดชอบ และข้อมูลพื้นฐาน", s.text),
            ("3. เสนอตัวชี้วัดใหม่ในแถวว่างท้ายตาราง หนึ่งแถวต่อหนึ่งตัวชี้วัด ไม่ต้องกรอกรหัส "
             "สพบ. จะกำหนดรหัสให้", s.text),
            (f"4. กรอกชื่อ หน่วยวัด ประเภท ทิศทาง (มากดี/น้อยดี) น้ำหนัก ค่าเป้าหมาย เกณฑ์ระดับ 1-5 "
             f"(ค่าเป้าหมายควรเป็นเกณฑ์ระดับ 3) และข้อมูลพื้นฐาน (ผลย้อนหลังปี {first}-{last} "
             "ใส่ - ถ้าไม่มีข้อมูล) ตัวชี้วัดระดับความสำเร็จให้กรอกคำอธิบายระดับ 1-5 "
             "แทนเกณฑ์ตัวเลข และระบุเหตุผลที่เสนอ", s.text),
            ("5. น้ำหนักของตัวชี้วัดทุกตัวรวมกันต้องได้ 100 ดูน้ำหนักรวมที่หัวตาราง "
             f"และดูผลตรวจของแต่ละแถวในคอลัมน์ '{P.CHECK_HEADER}' ซึ่งคำนวณให้ทันทีที่พิมพ์", s.text),
            ("6. อย่าเพิ่ม ลบ หรือเปลี่ยนชื่อแถวและชีต บันทึกเป็นไฟล์ Excel (.xlsx) ชื่อเดิม "
             "แล้วส่งกลับสำนักพัฒนาระบบบริหารก่อนการประชุมเจรจาตัวชี้วัด", s.text),
            (f"สอบถามได้ที่: {contact_line(ctx.master)}", s.text),
        ]
        if ctx.master.org_kpis:
            lines.append(("ตัวชี้วัดองค์กรที่เลือกถ่ายทอดได้ (คอลัมน์ 'ตัวชี้วัดองค์กร'):", s.bold))
            lines += [(f"{o.code}  {o.name}" + (f"  (เป้าหมาย {o.target})" if o.target else ""),
                       s.indent) for o in ctx.master.org_kpis.values()]
        for row, (text, style) in enumerate(lines):
            Cells(ws, row, ROW_HEIGHT * text_lines(text, GUIDE_WIDTH)).string(0, text, style)
        cells = Cells(ws, len(lines))
        cells.string(0, "ช่องสีเหลืองคือช่องที่กรอกได้", s.input_sample)
        self.protect(ws)

    # -- ตัวชี้วัดที่เสนอ ---------------------------------------------------------------------
    def table(self) -> None:
        ctx, s = self.ctx, self.s
        widths = [30.0, *(c.width for c in self.columns)]
        ws = self.sheet(P.TABLE_SHEET, widths)
        ws.set_landscape()
        ws.set_print_scale(print_scale(widths[:PRINT_COLUMNS], landscape=True))
        ws.repeat_rows(P.HEADER_ROW - 1)
        ws.repeat_columns(1, 2)
        ws.freeze_panes(P.FIRST_ROW - 1, 3)
        Cells(ws, P.TITLE_ROW - 1).string(
            0, f"แบบเสนอตัวชี้วัด ปีงบประมาณ พ.ศ. {ctx.year}  {ctx.office.name}", self.heading)
        Cells(ws, P.OFFICE_ROW - 1).string(0, ctx.master.settings.organisation, self.heading)
        self.total(ws)
        Cells(ws, P.HEADER_ROW - 1, ROW_HEIGHT * 2.2).string(0, P.CHECK_HEADER, s.header)
        header = Cells(ws, P.HEADER_ROW - 1)
        for col, column in enumerate(self.columns, start=P.FIRST_TABLE_COLUMN - 1):
            header.string(col, column.header, s.header)
        for p in ctx.rows:
            self.row(ws, p.row, p)
        for row in range(P.FIRST_ROW + len(ctx.rows), ctx.last_row + 1):
            self.row(ws, row, None)
        self.validations(ws)
        self.highlights(ws)
        self.wb.define_name(P.TABLE_NAME, f"='{P.TABLE_SHEET}'!"
                            + _absolute(P.table_ref(ctx.year, ctx.last_row - P.HEADER_ROW)))
        self.protect(ws)

    def total(self, ws: Worksheet) -> None:
        """The live weight total against 100 and the split by group."""
        weights, groups = self.column_range(mf.COL_WEIGHT), self.column_range(mf.COL_GROUP)
        cells = Cells(ws, P.TOTAL_ROW - 1)
        cells.string(0, "น้ำหนักรวม (ต้องได้ 100)", self.s.total_label)
        total = sum((p.weight or Decimal(0) for p in self.ctx.rows), Decimal(0))
        cells.formula(1, f"=SUM({weights})", self.s.weight, total)
        split = "&\"  \"&".join(f'"กลุ่ม {g}: "&SUMIF({groups},{g},{weights})' for g in mf.GROUPS)
        cells.formula(2, f'=IF(B{P.TOTAL_ROW}=100,"ครบ 100","ยังไม่ได้ 100")&"   "&{split}',
                      self.heading, "")

    def column_range(self, header: str) -> str:
        letter = self.letters[header]
        return f"${letter}${P.FIRST_ROW}:${letter}${self.ctx.last_row}"

    def row(self, ws: Worksheet, row: int, p: Proposed | None) -> None:
        """One table row: the master's values (or a blank row for a new KPI) and its check."""
        ctx, s = self.ctx, self.s
        values = cells(p, ctx.year) if p is not None else {mf.COL_GROUP: Decimal(2)}
        lines = max((text_lines(v, c.width) for c in self.columns
                     if isinstance(v := values.get(c.header), str) and v), default=1)
        out = Cells(ws, row - 1, ROW_HEIGHT * min(lines, MAX_ROW_LINES) if p else None)
        for col, column in enumerate(self.columns, start=P.FIRST_TABLE_COLUMN - 1):
            value = values.get(column.header, "")
            editable = ctx.editable(p, column.header)
            if isinstance(value, Decimal):
                out.number(col, value, s.input_number if editable else self.locked_number)
            elif value:
                out.string(col, str(value), s.input_text if editable else self.locked_text)
            else:
                out.blank(col, s.input_text if editable else self.locked_text)
        if p is not None and p.group != 2:
            out.string(0, P.CASCADED_NOTE, self.locked_text)
        else:
            out.formula(0, checks.row_formula(self.refs(row)), s.cell, "")

    def refs(self, row: int) -> dict[str, str]:
        """The references a row's check formula needs."""
        refs = {header: f"{letter}{row}" for header, letter in self.letters.items()}
        name = self.letters[mf.COL_KPI_NAME]
        last = column_letter(P.FIRST_TABLE_COLUMN + len(self.columns) - 1)
        years = P.baseline_years(self.ctx.year)
        refs.update(
            rows_above=f"${name}${P.FIRST_ROW}:${name}${row - 1}" if row > P.FIRST_ROW else "",
            typed=f"{name}{row},{self.letters[mf.COL_UNIT]}{row}:{last}{row}",
            baselines=",".join(refs[mf.baseline_column(y)] for y in years),
            last_baseline=refs[mf.baseline_column(years[-1])],
            org_list=self.org_list)
        return refs

    def validations(self, ws: Worksheet) -> None:
        """Dropdowns, number rules and Thai prompts on the table's columns."""
        years = P.baseline_years(self.ctx.year)
        kinds = f"='{P.LISTS_SHEET}'!$A$1:$A${len(checks.PROPOSABLE)}"
        directions = f"='{P.LISTS_SHEET}'!$B$1:$B${len(mf.DIRECTIONS)}"
        number = {"validate": "decimal", "criteria": "between", "minimum": -1e12,
                  "maximum": 1e12}
        rules: list[tuple[str, dict[str, object], str, str]] = [
            (mf.COL_KPI_NAME, {"validate": "length", "criteria": "<=", "value": 500},
             "ชื่อตัวชี้วัด", "ชื่อที่สื่อความหมาย ไม่เกิน 500 ตัวอักษร"),
            (mf.COL_KIND, {"validate": "list", "source": kinds}, "ประเภท",
             "เลือกจากรายการ: เชิงปริมาณ เชิงปริมาณแบบขั้น หรือระดับความสำเร็จ"),
            (mf.COL_DIRECTION, {"validate": "list", "source": directions}, "ทิศทาง",
             "มากดี: ผลยิ่งมากยิ่งดี  น้อยดี: ผลยิ่งน้อยยิ่งดี (ตัวชี้วัดเชิงปริมาณ)"),
            (mf.COL_WEIGHT, {"validate": "decimal", "criteria": "between", "minimum": 0.0001,
                             "maximum": 100}, "น้ำหนัก", "ร้อยละ มากกว่า 0 ไม่เกิน 100"),
            (mf.COL_TARGET, {"validate": "any"}, "ค่าเป้าหมาย",
             "ตัวเลข ควรเท่ากับเกณฑ์ระดับ 3"),
            *((level, number, level, "ตัวเลข เรียงตามทิศทาง: มากดีเพิ่มขึ้น น้อยดีลดลง")
              for level in mf.COL_LEVELS),
            *((mf.baseline_column(y), self.baseline_rule(y), f"ผลปี {y}",
               "ตัวเลข หรือ - ถ้าไม่มีข้อมูล") for y in years),
        ]
        if self.ctx.master.org_kpis:
            rules.append((mf.COL_ORG_KPI, {"validate": "list",
                                           "source": "=" + self.org_list},
                          "ตัวชี้วัดองค์กร", "เลือกรหัสจากรายการ (ดูชื่อในชีตคำชี้แจง)"))
        for header, rule, title, hint in rules:
            col = P.FIRST_TABLE_COLUMN - 1 + list(self.letters).index(header)
            options = {**rule, "input_title": title[:32], "input_message": hint[:255]}
            if rule["validate"] != "any":
                options.update(error_title="ค่าไม่ถูกต้อง", error_message=hint[:255])
            ws.data_validation(P.FIRST_ROW - 1, col, self.ctx.last_row - 1, col, options)

    def baseline_rule(self, year: int) -> dict[str, object]:
        """A number or ``-`` in the baseline column of ``year``."""
        cell = f"{self.letters[mf.baseline_column(year)]}{P.FIRST_ROW}"
        return {"validate": "custom", "value": f'=OR(ISNUMBER({cell}),{cell}="-")'}

    def highlights(self, ws: Worksheet) -> None:
        """The check column green when a row is complete, red when it has a problem; the
        total red while it is not 100."""
        first, last = P.FIRST_ROW - 1, self.ctx.last_row - 1
        ws.conditional_format(first, 0, last, 0, {
            "type": "cell", "criteria": "==", "value": f'"{P.CHECK_OK}"',
            "format": self.check_ok})
        ws.conditional_format(first, 0, last, 0, {
            "type": "formula",
            "criteria": f'=AND($A{P.FIRST_ROW}<>"",$A{P.FIRST_ROW}<>"{P.CHECK_OK}",'
                        f'$A{P.FIRST_ROW}<>"{P.CASCADED_NOTE}")',
            "format": self.check_problem})
        ws.conditional_format(P.TOTAL_ROW - 1, 1, P.TOTAL_ROW - 1, 1, {
            "type": "cell", "criteria": "!=", "value": 100, "format": self.total_bad})

    # -- hidden sheets -----------------------------------------------------------------------
    def hidden(self) -> None:
        lists = self.wb.add_worksheet(P.LISTS_SHEET)
        for col, values in enumerate(([k.label for k in checks.PROPOSABLE], list(mf.DIRECTIONS),
                                      list(self.ctx.master.org_kpis))):
            for row, value in enumerate(values):
                lists.write_string(row, col, value)
        lists.hide()
        self.protect(lists)
        write_meta_sheet(self.wb, P.META_SHEET, self.ctx.meta(), self.password)


def _absolute(ref: str) -> str:
    """``B5:AC25`` -> ``$B$5:$AC$25``."""
    def one(cell: str) -> str:
        letters = "".join(ch for ch in cell if ch.isalpha())
        return f"${letters}${cell[len(letters):]}"
    first, last = ref.split(":")
    return f"{one(first)}:{one(last)}"
