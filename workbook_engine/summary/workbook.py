"""The organisation-level summary workbook (xlsxwriter), written atomically.

Sheets: ``ภาพรวม`` (counts, average, chart), ``คะแนนรายหน่วยงาน`` (one row per office),
``รายละเอียดตัวชี้วัด`` (one row per office and KPI, with live score formulas over the row and
the source file, sheet and cell), ``ถ่ายทอดตัวชี้วัด`` (cascade), ``สรุปตัวชี้วัดองค์กร`` (one row
per organisation KPI: how the KPIs cascaded from it scored, live over the cascade sheet),
``ปัญหาที่พบ`` (problems), ``ที่มาข้อมูล`` (files) and ``ยังไม่ส่ง`` (offices without an accepted
return). Coordinator text is always written with ``write_string``, so nothing typed by a user
becomes a formula.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

import workbook_engine.formulas as formulas

from ..errors import OutputError
from ..fiscal import BE_DATE_TIME_FORMAT
from ..harvesting.outcomes import (
    OUTCOME_THAI,
    STATUS_THAI,
    HarvestReport,
    KpiOutcome,
    OfficeOutcome,
    Status,
)
from ..kinds import KpiKind
from ..master.format import Direction
from ..model import NOT_ASSESSED, TEXT_INPUTS, TEXT_KEYS, percent_unit
from ..review.rules import Scoring, final_weighted_formula, score_formula
from ..scoring import average_score
from ..xlsx.bulk import (
    OPEN_ROW,
    ROW_BREAK,
    Block,
    BulkWorksheet,
    Formula,
    PlainFormulaWorkbook,
    RowWriter,
)
from ..xlsx.outputs import Output
from ..xlsx.writer import (
    LOCKED_FILL,
    ROW_HEIGHT,
    WORKBOOK_OPTIONS,
    ReportStyles,
    cached_value,
    check,
    score_format,
    text_lines,
    write_text,
)

OVERVIEW = "ภาพรวม"
OFFICES = "คะแนนรายหน่วยงาน"
GROUPS = "คะแนนรายกลุ่ม"
DETAILS = "รายละเอียดตัวชี้วัด"
CASCADE = "ถ่ายทอดตัวชี้วัด"
ORG_ROLLUP = "สรุปตัวชี้วัดองค์กร"
PROBLEMS = "ปัญหาที่พบ"
SOURCES = "ที่มาข้อมูล"
MISSING = "ยังไม่ส่ง"
SHEETS = (OVERVIEW, OFFICES, GROUPS, DETAILS, CASCADE, ORG_ROLLUP, PROBLEMS, SOURCES, MISSING)
INCENTIVE_BAR = 3
SEVERITY_THAI = {"error": "ผิดพลาด", "warning": "คำเตือน"}
# the committee's review beside the office's self-assessment (hidden when there is none)
REVIEW_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("verified_result", "ผลที่คณะกรรมการรับรอง", 12), ("given_score", "คะแนนที่คณะกรรมการให้", 11),
    ("verified_score", "คะแนนของคณะกรรมการ", 11),
    ("verified_weighted", "คะแนนถ่วงน้ำหนักของคณะกรรมการ", 12),
    ("final_weighted", "คะแนนถ่วงน้ำหนักหลังตรวจ", 11), ("reason", "เหตุผลของคณะกรรมการ", 30),
    ("review_row", "แถวในแบบตรวจประเมิน", 9),
)
DETAIL_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("office", "รหัสหน่วยงาน", 10), ("office_name", "หน่วยงาน", 28), ("status", "สถานะ", 10),
    ("group", "กลุ่ม", 6), ("kpi", "รหัสตัวชี้วัด", 9), ("name", "ตัวชี้วัด", 40),
    ("unit", "หน่วยวัด", 10), ("kind", "ประเภท", 14), ("direction", "ทิศทาง", 8),
    ("weight", "น้ำหนัก", 8), ("c1", "ระดับ 1", 8), ("c2", "ระดับ 2", 8), ("c3", "ระดับ 3", 8),
    ("c4", "ระดับ 4", 8), ("c5", "ระดับ 5", 8), ("result", "ผลการดำเนินงาน", 12),
    ("score", "ค่าคะแนนที่ได้", 11), ("weighted", "คะแนนถ่วงน้ำหนัก", 11),
    *REVIEW_COLUMNS,
    *((text.key, text.header, 30) for text in TEXT_INPUTS),
    ("source_file", "ไฟล์ที่มา", 30), ("source_sheet", "ชีตที่มา", 12),
    ("source_cell", "เซลล์ที่มา", 9),
)
DETAIL_INDEX = {key: i for i, (key, _, _) in enumerate(DETAIL_COLUMNS)}
# texts that recur from row to row: the office's on each of its KPIs, the KPI's in each office
REPEATED_DETAILS = ("office", "office_name", "status", "kpi", "name", "unit", "kind",
                    "direction", "source_file", "source_sheet")
CASCADE_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("org", "ตัวชี้วัดองค์กร", 12), ("office", "รหัสหน่วยงาน", 10), ("office_name", "หน่วยงาน", 30),
    ("kpi", "รหัสตัวชี้วัด", 9), ("name", "ตัวชี้วัด", 40), ("result", "ผลการดำเนินงาน", 12),
    ("score", "ค่าคะแนนที่ได้", 11), ("weighted", "คะแนนถ่วงน้ำหนัก", 11),
)
CASCADE_INDEX = {key: i for i, (key, _, _) in enumerate(CASCADE_COLUMNS)}
ROLLUP_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("org", "รหัสตัวชี้วัดองค์กร", 12), ("name", "ชื่อตัวชี้วัดองค์กร", 40), ("unit", "หน่วยวัด", 10),
    ("target", "ค่าเป้าหมาย", 14), ("cascaded", "ถ่ายทอดให้ (หน่วยงาน)", 11),
    ("reported", "รายงานแล้ว (ตัวชี้วัด)", 11), ("mean", "คะแนนเฉลี่ย", 11), ("lowest", "ต่ำสุด", 10),
    ("highest", "สูงสุด", 10), ("below", f"ต่ำกว่า {INCENTIVE_BAR:.2f} (ตัวชี้วัด)", 11),
    ("below_offices", f"หน่วยงานที่ต่ำกว่า {INCENTIVE_BAR:.2f}", 50),
)
ROLLUP_INDEX = {key: i for i, (key, _, _) in enumerate(ROLLUP_COLUMNS)}
MAX_ROW_HEIGHT = 409.0      # points: the tallest row Excel allows
MEASURED_TEXT = 2000        # characters: more than the tallest row shows in a 50-wide column
DETAIL_STYLES = {**dict.fromkeys(("group", "weight", "c1", "c2", "c3", "c4", "c5", "result",
                                  "verified_result", "given_score"), "number"),
                 **dict.fromkeys(("score", "weighted", "verified_score", "verified_weighted",
                                  "final_weighted"), "score"),
                 "reason": "text", "review_row": "integer"}   # else plain


def _col(key: str) -> str:
    return _letter(DETAIL_INDEX, key)


def _letter(index: dict[str, int], key: str) -> str:
    return str(xl_col_to_name(index[key]))


class _Styles(ReportStyles):
    def __init__(self, wb: xlsxwriter.Workbook, places: int) -> None:
        super().__init__(wb)
        fmt = self.fmt
        self.number = fmt(num_format="#,##0.####")
        self.score = fmt(num_format=score_format(places), bg_color=LOCKED_FILL)
        self.integer = fmt(num_format="0")
        self.datetime = fmt(num_format=BE_DATE_TIME_FORMAT, align="left")


class _Summary:
    """The summary workbook being written: its sheets exist from the start, in their order, so
    KPI rows can be rendered (:class:`_KpiRows`) before the report is complete."""

    def __init__(self, wb: PlainFormulaWorkbook, below_level1: int, places: int,
                 review: bool) -> None:
        self.wb, self.s, self.places = wb, _Styles(wb, places), places
        self.sheets: dict[str, BulkWorksheet] = {name: wb.add_worksheet(name) for name in SHEETS}
        self.kpi_rows = _KpiRows(wb, self.sheets[DETAILS].rows(), self.sheets[CASCADE].rows(),
                                 self.s, _ScoreFormulas(below_level1, places), review)
        self.report: HarvestReport
        self.cascade_rows = 0

    def write(self, report: HarvestReport) -> None:
        """Every sheet, for ``report``."""
        self.report = report
        self.reviewed = report.review is not None and report.review.applied
        self.overview()
        self.offices()
        self.groups()
        self.details()
        self.cascade()
        self.org_rollup()
        self.problems()
        self.sources()
        self.missing()

    def sheet(self, name: str, headers: Sequence[tuple[str, float]], rows: int,
              landscape: bool = True) -> BulkWorksheet:
        """A sheet with a header row, frozen, filtered, printable and protected."""
        ws = self.sheets[name]
        ws.set_default_row(ROW_HEIGHT)
        for col, (text, width) in enumerate(headers):
            ws.set_column(col, col, width)
            check(ws.write_string(0, col, text, self.s.header), f"{name} header")
        ws.set_row(0, ROW_HEIGHT * 2)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(rows, 1), len(headers) - 1)
        self.printable(ws, landscape)
        ws.protect("", {"autofilter": True, "sort": True, "format_columns": True,
                        "format_rows": True})
        return ws

    def printable(self, ws: Worksheet, landscape: bool = True) -> None:
        ws.set_paper(9)
        if landscape:
            ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
        ws.set_footer("&L&A&Rหน้า &P/&N")

    def text(self, ws: Worksheet, row: int, col: int, value: object,
             fmt: Format | None = None) -> None:
        if value is None or value == "":
            return
        check(ws.write_string(row, col, str(value), fmt or self.s.plain), f"{ws.name} text")

    def moment(self, ws: Worksheet, row: int, col: int, value: dt.datetime | None) -> None:
        if value is not None:
            check(ws.write_datetime(row, col, _naive(value), self.s.datetime),
                  f"{ws.name} date")

    # -- sheets ------------------------------------------------------------------------------
    def overview(self) -> Worksheet:
        r, s = self.report, self.s
        ws = self.sheets[OVERVIEW]
        ws.set_default_row(ROW_HEIGHT)
        ws.set_column(0, 0, 38)
        ws.set_column(1, 1, 26)
        self.printable(ws, landscape=False)
        ws.write_string(0, 0, "สรุปผลการดำเนินงานตามคำรับรองการปฏิบัติราชการ", s.title)
        rows: list[tuple[str, object]] = [
            ("ส่วนราชการ", r.organisation), ("ปีงบประมาณ (พ.ศ.)", r.fiscal_year),
            ("รอบการรายงาน", f"รอบ {r.round_months} เดือน"), ("เวลาที่รวบรวม", r.harvested_at),
            ("ไฟล์ต้นแบบ (น้ำหนัก เกณฑ์ คะแนนองค์กร)", r.master_file),
            ("SHA-256 ของไฟล์ต้นแบบ", r.master_sha256),
            ("หน่วยงานทั้งหมด", len(r.offices)),
        ]
        rows += [(f"หน่วยงานที่{STATUS_THAI[st]}", r.count(st)) for st in Status]
        if r.review is not None:
            rows += [("แบบตรวจประเมินของคณะกรรมการ", r.review.file),
                     ("ผลการตรวจประเมิน", f"ตรวจแล้ว {r.review.offices} หน่วยงาน คณะกรรมการ"
                                          f"ให้ผลหรือคะแนน {r.review.entries} รายการ"
                      if r.review.applied else f"ไม่ได้ใช้ (ดูชีต '{PROBLEMS}')")]
        for i, (label, value) in enumerate(rows, start=2):
            ws.write_string(i, 0, label, s.bold)
            if isinstance(value, dt.datetime):
                self.moment(ws, i, 1, value)
            elif isinstance(value, int):
                ws.write_number(i, 1, value, s.integer)
            else:
                self.text(ws, i, 1, value)
        row = len(rows) + 2
        ws.write_string(row, 0, "คะแนนเฉลี่ยของหน่วยงานที่รับแล้ว", s.bold)
        n = len(r.offices) + 1
        average = (f"=IFERROR(ROUND(AVERAGEIFS('{OFFICES}'!$F$2:$F${n},'{OFFICES}'!$C$2:$C${n},"
                   f"\"{STATUS_THAI[Status.ACCEPTED]}\"),{self.places}),\"\")")
        cached = r.average_score
        check(ws.write_formula(row, 1, average, s.score, "" if cached is None else cached),
              "average")
        notes = [f"เกณฑ์ผ่านเพื่อรับสิ่งจูงใจ: คะแนนมากกว่า {INCENTIVE_BAR:.2f}"]
        if self.reviewed:
            notes.append("คะแนนเฉลี่ย อันดับ และแผนภูมิใช้คะแนนรวมหลังตรวจของคณะกรรมการ "
                         f"({sum(1 for o in r.offices if o.verified_total is not None)} หน่วยงาน) "
                         "หน่วยงานอื่นใช้คะแนนที่ประเมินตนเอง")
        for i, note in enumerate(notes, start=row + 1):
            ws.write_string(i, 0, note, s.text)
        below = row + len(notes) + 1
        if r.ledger is not None:        # below the notes: the cells above stay where they were
            ws.write_string(below + 1, 0, "สมุดบันทึกผล (ledger) ที่เก็บไฟล์ต้นฉบับ", s.bold)
            self.text(ws, below + 1, 1, r.ledger.file)
            ws.write_string(below + 2, 0, "การรวบรวมครั้งที่ (ในสมุดบันทึกผล)", s.bold)
            ws.write_number(below + 2, 1, r.ledger.run, s.integer)
            below += 3
        self.chart(ws, below + 1)
        ws.protect("", {"format_columns": True, "format_rows": True})
        ws.activate()
        return ws

    def chart(self, ws: Worksheet, row: int) -> None:
        n = len(self.report.offices) + 1
        bars = self.wb.add_chart({"type": "column"})
        name = "คะแนนรวมหลังตรวจ (ที่มี)" if self.reviewed else "คะแนนรวม"
        bars.add_series({"name": name, "categories": [OFFICES, 1, 0, n - 1, 0],
                         "values": [OFFICES, 1, 5, n - 1, 5], "fill": {"color": "#5B9BD5"}})
        line = self.wb.add_chart({"type": "line"})
        line.add_series({"name": f"เกณฑ์ {INCENTIVE_BAR:.2f}", "categories":
                         [OFFICES, 1, 0, n - 1, 0], "values": [OFFICES, 1, 9, n - 1, 9],
                         "line": {"color": "#C00000", "dash_type": "dash"},
                         "marker": {"type": "none"}})
        bars.combine(line)
        bars.show_hidden_data()
        bars.set_title({"name": "คะแนนรวมรายหน่วยงาน" + (" หลังการตรวจประเมินของคณะกรรมการ"
                                                          if self.reviewed else "")})
        bars.set_y_axis({"min": 0, "max": 5, "major_unit": 1})
        bars.set_legend({"position": "bottom"})
        bars.set_size({"width": 900, "height": 420})
        check(ws.insert_chart(row, 0, bars), "chart")

    def offices(self) -> None:
        """One row per office: its self-assessed total, the committee's total (live over the
        details sheet) and the total that counts, ranked; the file behind them."""
        offices = self.report.offices
        headers = [("รหัสหน่วยงาน", 10), ("หน่วยงาน", 36), ("สถานะ", 12),
                   ("คะแนนรวม (ประเมินตนเอง)", 13), ("คะแนนรวมหลังตรวจ", 13),
                   ("คะแนนรวมที่ใช้", 12), ("อันดับ", 8), ("ไฟล์", 40), ("เวลาที่บันทึกไฟล์", 22),
                   ("เกณฑ์", 6)]
        ws = self.sheet(OFFICES, headers, len(offices))
        rw, s = ws.rows(), self.s
        n = len(offices) + 1
        ranks = _ranks(offices)
        last = 1 + sum(len(o.kpis) for o in offices)     # the last row of the KPI details
        codes = f"'{DETAILS}'!${_col('office')}$2:${_col('office')}${last}"
        bar = f"{INCENTIVE_BAR:.16g}"
        for i, office in enumerate(offices, start=1):
            rw.start(i)
            rw.string(0, office.office, s.plain)
            rw.string(1, office.name, s.text)
            rw.string(2, STATUS_THAI[office.status], s.plain)
            # a total is the sum of the office's weighted scores on the details sheet
            if office.status is Status.ACCEPTED and office.total_score is not None:
                rw.formula(3, self.office_sum("weighted", codes, last, i), s.score,
                           float(office.total_score))
            if office.verified_total is not None:
                rw.formula(4, self.office_sum("final_weighted", codes, last, i), s.score,
                           float(office.verified_total))
            used = office.used_total if office.status is Status.ACCEPTED else None
            rw.formula(5, f'IF(ISNUMBER(E{i + 1}),E{i + 1},IF(ISNUMBER(D{i + 1}),D{i + 1},""))',
                       s.score, cached_value(used))
            rank = ranks.get(office.office, "")
            rw.formula(6, f'IF(ISNUMBER(F{i + 1}),RANK(F{i + 1},$F$2:$F${n}),"")', s.integer,
                       rank)
            rw.string(7, office.file, s.plain)
            rw.moment(8, office.saved, s.datetime)
            rw.number(9, INCENTIVE_BAR)
            if used is not None:
                ws.chart_values[(i, 5)] = float(used)
            ws.chart_values[(i, 0)] = office.office        # the chart's categories and bars
            ws.chart_values[(i, 9)] = bar
        if not self.reviewed:
            ws.set_column(4, 5, None, None, {"hidden": True})
        ws.set_column(9, 9, None, None, {"hidden": True})

    def office_sum(self, key: str, codes: str, last: int, i: int) -> str:
        """Row ``i``'s office's sum of column ``key`` of the details sheet, rounded."""
        column = f"'{DETAILS}'!${_col(key)}$2:${_col(key)}${last}"
        return f"ROUND(SUMIFS({column},{codes},A{i + 1}),{self.places})"

    def groups(self) -> None:
        """Each accepted office's KPI groups: weight, weighted sum and score on the 1-5 scale,
        live over the details sheet."""
        offices = [o for o in self.report.offices if o.status is Status.ACCEPTED]
        rows = [(o, g) for o in offices for g in o.groups]
        headers = [("รหัสหน่วยงาน", 10), ("หน่วยงาน", 36), ("กลุ่ม", 6), ("น้ำหนัก", 9),
                   ("คะแนนถ่วงน้ำหนักรวม", 16), ("คะแนนกลุ่ม (1-5)", 16)]
        rw, s = self.sheet(GROUPS, headers, len(rows)).rows(), self.s
        last = 1 + sum(len(o.kpis) for o in self.report.offices)
        column = {key: f"'{DETAILS}'!${_col(key)}$2:${_col(key)}${last}"
                  for key in ("office", "group", "weight", "weighted")}
        for i, (office, group) in enumerate(rows, start=1):
            n, which = i + 1, f"{column['office']},A{i + 1},{column['group']},C{i + 1}"
            rw.start(i)
            rw.string(0, office.office, s.plain)
            rw.string(1, office.name, s.text)
            rw.number(2, group.group, s.integer)
            rw.formula(3, f"SUMIFS({column['weight']},{which})", s.number, group.weight)
            rw.formula(4, f"IF(D{n}>0,ROUND(SUMIFS({column['weighted']},{which}),"
                          f"{self.places}),\"\")", s.score, cached_value(group.weighted_score))
            rw.formula(5, formulas.group_score(f"E{n}", f"D{n}", self.places), s.score,
                       cached_value(group.score))

    def details(self) -> None:
        offices = [o for o in self.report.offices if o.kpis]
        rows = sum(len(o.kpis) for o in offices)
        ws = self.sheet(DETAILS, [(h, w) for _, h, w in DETAIL_COLUMNS], rows)
        if not self.reviewed:
            first, last = (DETAIL_INDEX[REVIEW_COLUMNS[i][0]] for i in (0, -1))
            ws.set_column(first, last, None, None, {"hidden": True})
        rw, row = ws.rows(), 1
        for office in offices:
            block = self.kpi_rows.of(office).details
            rw.place_block(row, block)
            row += block.rows

    def cascade(self) -> None:
        """The KPIs cascaded from each organisation KPI, by its code, office and KPI."""
        blocks = sorted(((org, office.office, block) for office in self.report.offices
                         if office.kpis for org, block in self.kpi_rows.of(office).cascade),
                        key=lambda found: found[:2])
        rows = sum(block.rows for _, _, block in blocks)
        rw, row = self.sheet(CASCADE, [(h, w) for _, h, w in CASCADE_COLUMNS], rows).rows(), 1
        for _org, _office, block in blocks:
            rw.place_block(row, block)
            row += block.rows
        self.cascade_rows = rows

    def org_rollup(self) -> None:
        """One row per organisation KPI (:func:`org_tallies`): its name, unit and target, how
        many offices it is cascaded to, the live figures of :meth:`rollup_figures` over the
        cascade sheet, and the offices below the incentive bar."""
        r, s, col = self.report, self.s, ROLLUP_INDEX
        tallies = org_tallies(r)
        ws = self.sheet(ORG_ROLLUP, [(h, w) for _, h, w in ROLLUP_COLUMNS], len(tallies))
        for row, (code, tally) in enumerate(tallies.items(), start=1):
            known = r.org_kpis.get(code)
            texts = {"org": code, "name": known.name if known else "",
                     "unit": known.unit if known else "", "target": known.target if known else "",
                     "below_offices": tally.below_offices()}
            for key, text in texts.items():
                write_text(ws, row, col[key], text, s.plain if key in ("org", "unit") else s.text)
            offices = len(set(r.cascaded.get(code, ())))
            check(ws.write_number(row, col["cascaded"], offices, s.integer), ORG_ROLLUP)
            for key, formula, cached in self.rollup_figures(row + 1, tally):
                fmt = s.integer if key in ("reported", "below") else s.score
                if key in ("lowest", "highest"):   # MIN/MAX over IF: an array formula
                    done = ws.write_array_formula(row, col[key], row, col[key], formula, fmt,
                                                  cached)
                else:
                    done = ws.write_formula(row, col[key], formula, fmt, cached)
                check(done, f"{ORG_ROLLUP} {key}")
            # rows are at most MAX_ROW_HEIGHT tall: the start of a long text says how tall
            lines = max(text_lines(texts[key][:MEASURED_TEXT], ROLLUP_COLUMNS[col[key]][2])
                        for key in ("name", "target", "below_offices"))
            if lines > 1:
                ws.set_row(row, min(ROW_HEIGHT * lines, MAX_ROW_HEIGHT))

    def rollup_figures(self, n: int, tally: OrgTally
                       ) -> list[tuple[str, str, Decimal | int | str]]:
        """Row ``n``'s (1-based) figures: (column key, formula, the value Python gives it).

        The scored rows of the organisation KPI in column A are ``(A=$An)*ISNUMBER(G)`` over
        the cascade sheet: plain ``=`` comparisons, in SUMPRODUCT and in the IF of an array
        formula, which Excel and LibreOffice evaluate alike. Not COUNTIFS or AVERAGEIFS, whose
        criteria read wildcards and numbers in a code; not MINIFS or MAXIFS, which Excel stores
        with a prefix. MIN and MAX skip the text "" the IF gives every other row. The mean is
        rounded as :func:`average_score` rounds it. All but the count are blank while no office
        reported.
        """
        last = max(self.cascade_rows, 1) + 1     # never a range reaching up into the header
        org, score = (f"'{CASCADE}'!${c}$2:${c}${last}"
                      for c in (_letter(CASCADE_INDEX, "org"), _letter(CASCADE_INDEX, "score")))
        which = f"({org}=${_letter(ROLLUP_INDEX, 'org')}{n})*ISNUMBER({score})"
        count = f"{_letter(ROLLUP_INDEX, 'reported')}{n}"
        scores, blank = tally.scores, '""'

        def reported(formula: str) -> str:
            return f"IF({count}>0,{formula},{blank})"

        mean = f"ROUND(SUMPRODUCT({which},{score})/{count},{self.places})"
        return [
            ("reported", f"SUMPRODUCT({which})", len(scores)),
            ("mean", reported(mean), cached_value(average_score(scores, self.places))),
            ("lowest", reported(f"MIN(IF({which},{score},{blank}))"), min(scores, default="")),
            ("highest", reported(f"MAX(IF({which},{score},{blank}))"), max(scores, default="")),
            ("below", reported(f"SUMPRODUCT({which}*({score}<{INCENTIVE_BAR}))"),
             len(tally.below) if scores else ""),
        ]

    def problems(self) -> None:
        problems = self.report.problems
        headers = [("รหัสปัญหา", 24), ("ระดับ", 9), ("ไฟล์", 34), ("หน่วยงาน", 10),
                   ("ชีต", 14), ("เซลล์", 7), ("ข้อความ", 90)]
        ws = self.sheet(PROBLEMS, headers, len(problems))
        rw, s = ws.rows(), self.s
        for i, p in enumerate(problems, start=1):
            rw.start(i)
            values = (p.code, SEVERITY_THAI[p.severity.value], p.file, p.office, p.sheet, p.cell)
            for col, value in enumerate(values):
                rw.string(col, value, s.plain)
            rw.string(6, p.message, s.text)

    def sources(self) -> None:
        r = self.report
        headers = [("ไฟล์", 40), ("ขนาด (ไบต์)", 12), ("SHA-256", 70), ("เวลาที่บันทึกไฟล์", 22),
                   ("หน่วยงาน", 10), ("ผลการตรวจ", 24), ("เวลาที่รวบรวม", 22),
                   ("รุ่นโปรแกรม", 12), ("รุ่นแบบฟอร์ม", 10)]
        if r.ledger is not None:        # the original bytes are kept there, by SHA-256
            headers += [("สมุดบันทึกผล (ledger) ที่เก็บต้นฉบับ", 30), ("ครั้งที่รวบรวม", 9)]
        ws = self.sheet(SOURCES, headers, len(r.files))
        rw, s = ws.rows(), self.s
        for i, f in enumerate(r.files, start=1):
            rw.start(i)
            rw.string(0, f.file, s.plain)
            rw.number(1, f.size, s.integer)
            rw.string(2, f.sha256, s.plain)
            rw.moment(3, _naive(f.saved), s.datetime)
            rw.string(4, f.office, s.plain)
            rw.string(5, OUTCOME_THAI.get(f.outcome, f.outcome), s.plain)
            rw.moment(6, _naive(r.harvested_at), s.datetime)
            rw.string(7, r.engine_version, s.plain)
            rw.string(8, r.schema_version, s.plain)
            if r.ledger is not None:
                rw.string(9, r.ledger.file, s.plain)
                rw.number(10, r.ledger.run, s.integer)

    def missing(self) -> None:
        offices = [o for o in self.report.offices if o.status is not Status.ACCEPTED]
        headers = [("รหัสหน่วยงาน", 10), ("หน่วยงาน", 36), ("สถานะ", 12),
                   ("ผู้ประสานงาน", 28), ("อีเมล", 32)]
        ws = self.sheet(MISSING, headers, len(offices))
        rw, s = ws.rows(), self.s
        for i, o in enumerate(offices, start=1):
            rw.start(i)
            values = (o.office, o.name, STATUS_THAI[o.status], o.coordinator, o.email)
            for col, value in enumerate(values):
                rw.string(col, value, s.plain)


@dataclass
class _Rendered:
    """One office's KPI rows, rendered with their row numbers left open."""

    office: OfficeOutcome
    entries: bool            # rendered with the committee's entries on some KPI
    details: Block           # its rows on the details sheet, one a KPI
    # its rows on the cascade sheet: for each organisation KPI, the KPIs cascaded from it
    cascade: list[tuple[str, Block]] = field(default_factory=list)


class _KpiRows:
    """The rows of ``รายละเอียดตัวชี้วัด`` and ``ถ่ายทอดตัวชี้วัด`` of each office, rendered once.

    They are the bulk of the summary. :meth:`render` can run while other returns are still
    being read; :meth:`of` gives an office's rows when the summary is written, rendering them
    then if the office's return was not the one rendered (a newer copy was chosen).
    """

    def __init__(self, wb: PlainFormulaWorkbook, details: RowWriter, cascade: RowWriter,
                 styles: _Styles, scores: _ScoreFormulas, review: bool) -> None:
        self.wb, self.d, self.c, self.s = wb, details, cascade, styles
        self.scores = scores
        self.with_review = review      # a review is given: the weighted score that counts
        self.done: dict[str, list[_Rendered]] = {}     # an office's, one for each return
        row = details.template([(col, getattr(styles, DETAIL_STYLES.get(key, "plain")))
                                for col, (key, _, _) in enumerate(DETAIL_COLUMNS)],
                               repeated=[DETAIL_INDEX[key] for key in REPEATED_DETAILS])
        kpi_from, results_from = DETAIL_INDEX["group"], DETAIL_INDEX["result"]
        # a detail row: the office's cells, the KPI's (the same in every office holding it to
        # the same weight and criteria), then what its return gave
        self.office_cells = row.part(0, kpi_from)
        self.kpi_cells = row.part(kpi_from, results_from)
        self.result_cells = row.part(results_from, len(DETAIL_COLUMNS))
        self.cascade_row = cascade.template(
            [(col, styles.plain) for col in range(5)]
            + [(5, styles.number), (6, styles.score), (7, styles.score)], repeated=range(5))

    def of(self, office: OfficeOutcome) -> _Rendered:
        entries = _has_entries(office)
        for done in self.done.get(office.office, ()):
            if _same_rows(done.office, office) and done.entries == entries:
                return done
        return self.render(office)

    def render(self, office: OfficeOutcome) -> _Rendered:
        """Render ``office``'s rows (its return's KPIs) and keep them for :meth:`of`.

        If the office is then given another return, the strings rendered here stay unused in
        the workbook's shared-string table, which spreadsheet programs allow.
        """
        status = STATUS_THAI[office.status]
        keep = self.wb.spool
        details = Block(keep(ROW_BREAK.join(self.detail(office, status, kpi)
                                            for kpi in office.kpis)), len(office.kpis))
        done = _Rendered(office, _has_entries(office), details)
        self.done.setdefault(office.office, []).append(done)
        cascaded: dict[str, list[tuple[str, str]]] = {}     # org KPI: (KPI, cells)
        for kpi in office.kpis:
            if kpi.org_kpi:
                cascaded.setdefault(kpi.org_kpi, []).append((kpi.kpi, self.cascade(office, kpi)))
        for org, rows in cascaded.items():
            rows.sort()
            done.cascade.append((org, Block(keep(ROW_BREAK.join(cells for _, cells in rows)),
                                            len(rows))))
        return done

    def detail(self, office: OfficeOutcome, status: str, kpi: KpiOutcome) -> str:
        """The cells of ``kpi``'s row on the details sheet, in :data:`DETAIL_COLUMNS`."""
        criteria = kpi.criteria or ()
        office_cells = self.office_cells.recurring((office.office, office.name, status))
        kpi_cells = self.kpi_cells.recurring((kpi.group, kpi.kpi, kpi.name, kpi.unit,
                                              kpi.kind.label, kpi.direction, kpi.weight,
                                              *criteria, *(None,) * (5 - len(criteria))))
        assessed = kpi.assessed
        return office_cells + kpi_cells + self.result_cells.render((
            (kpi.result if kpi.kind.has_result else kpi.score) if assessed else NOT_ASSESSED,
            Formula(self.scores.score(kpi), cached_value(kpi.score)) if assessed else None,
            Formula(self.scores.weighted, cached_value(kpi.weighted)) if assessed else None,
            *self.review(office, kpi), *(kpi.texts.get(key, "") for key in TEXT_KEYS),
            office.file, kpi.sheet, kpi.cell))

    def review(self, office: OfficeOutcome, kpi: KpiOutcome
               ) -> tuple[Decimal | Formula | str | int | None, ...]:
        """The cells of :data:`REVIEW_COLUMNS`: the committee's entry where it gave one, and,
        when a review is given, the weighted score that counts on every assessed KPI (rendered
        alike before the entries are known, so an office without any is rendered once)."""
        final = (Formula(self.scores.final_weighted, cached_value(kpi.final_weighted))
                 if self.with_review and kpi.assessed else None)
        r = kpi.review
        if r is None:
            return None, None, None, None, final, None, None
        return (r.result, r.given, Formula(self.scores.verified(kpi), r.score),
                Formula(self.scores.verified_weighted, r.weighted), final, r.reason, r.row)

    def cascade(self, office: OfficeOutcome, kpi: KpiOutcome) -> str:
        """The cells of ``kpi``'s row on the cascade sheet."""
        assessed = kpi.assessed
        return self.cascade_row.render((kpi.org_kpi, office.office, office.name, kpi.kpi,
                                        kpi.name, kpi.result if assessed else NOT_ASSESSED,
                                        kpi.score if assessed else None,
                                        kpi.weighted if assessed else None))


def _same_rows(a: OfficeOutcome, b: OfficeOutcome) -> bool:
    """True when ``a`` and ``b`` give the same KPI rows (the same return, the same outcome)."""
    return (a.kpis is b.kpis and a.status is b.status and a.file == b.file
            and a.name == b.name)


def _has_entries(office: OfficeOutcome) -> bool:
    """Whether the committee's entries apply to some KPI of ``office`` (they come after its
    rows are first rendered)."""
    return any(k.review is not None for k in office.kpis)


class _ScoreFormulas:
    """The details sheet's score formulas, built once per kind of KPI with the row left open
    (building a nested IF for each of 20,000 rows cost more than writing it)."""

    def __init__(self, below_level1: int, places: int) -> None:
        self.below, self.places = below_level1, places
        self.built: dict[tuple[KpiKind, str | None], str] = {}
        self.weighted = formulas.weighted_score(_open("score"), _open("weight"), places)
        self.verified_built: dict[tuple[KpiKind, str | None, bool], str] = {}
        self.verified_weighted = formulas.weighted_score(_open("verified_score"),
                                                         _open("weight"), places)
        self.final_weighted = final_weighted_formula(_open("verified_weighted"),
                                                     _open("weighted"))

    def verified(self, kpi: KpiOutcome) -> str:
        """The committee's score of ``kpi``'s row, as the review workbook computes it."""
        percent = percent_unit(kpi.unit)
        key = (kpi.kind, kpi.direction, percent)
        template = self.verified_built.get(key)
        if template is None:
            scoring = Scoring(kpi.kind, Direction(kpi.direction) if kpi.direction else None,
                              percent, None, kpi.weight, self.below, self.places)
            refs = {k: _open(k) for k in ("verified_result", "given_score", "reason",
                                          "c1", "c2", "c3", "c4", "c5")}
            template = self.verified_built[key] = score_formula(scoring, refs)
        return template

    def score(self, kpi: KpiOutcome) -> str:
        key = (kpi.kind, kpi.direction)
        template = self.built.get(key)
        if template is None:
            template = self.built[key] = self.template(kpi)
        return template

    def template(self, kpi: KpiOutcome) -> str:
        criteria = [_open(f"c{n}") for n in range(1, 6)]
        direction = Direction(kpi.direction) if kpi.direction else None
        return kpi.kind.score_formula(_open("result"), criteria, direction, self.below,
                                      self.places)


@dataclass
class OrgTally:
    """The scores of the KPIs cascaded from one organisation KPI (the cascade sheet's scored
    rows of that KPI), and the office of each of those below the incentive bar."""

    scores: list[Decimal] = field(default_factory=list)
    below: list[OfficeOutcome] = field(default_factory=list)   # one entry a KPI below the bar

    def below_offices(self) -> str:
        """The offices below the bar, each once, by code: ``B03 กองคลัง, B07 กองแผนงาน``."""
        offices = {office.office: office.name for office in self.below}
        return ", ".join(f"{code} {offices[code]}".rstrip() for code in sorted(offices))


_BAR = Decimal(INCENTIVE_BAR)


def org_tallies(report: HarvestReport) -> dict[str, OrgTally]:
    """Each organisation KPI's :class:`OrgTally`, by code in code order, in one pass over the
    offices' KPIs: every KPI of the master's ``ตัวชี้วัดองค์กร`` and every code that an
    assignment or a KPI cascades from without being there. A KPI counts when it is assessed in
    the round and scored, as its row on the cascade sheet has a score then."""
    tallies = {code: OrgTally() for code in (*report.org_kpis, *report.cascaded)}
    find = tallies.get
    for office in report.offices:
        for kpi in office.kpis:
            org, score = kpi.org_kpi, kpi.score
            if not org:
                continue
            tally = find(org)
            if tally is None:
                tally = tallies[org] = OrgTally()
            if score is not None and kpi.assessed:
                tally.scores.append(score)
                if score < _BAR:
                    tally.below.append(office)
    return dict(sorted(tallies.items()))


def _open(key: str) -> str:
    """The cell of column ``key`` in a row whose number is left open."""
    return f"{_col(key)}{OPEN_ROW}"


def _naive(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else moment.replace(tzinfo=None)


def _ranks(offices: list[OfficeOutcome]) -> dict[str, int]:
    """RANK as Excel computes it: 1 + how many accepted totals are strictly higher."""
    accepted = [(o.office, total) for o in offices
                if o.status is Status.ACCEPTED and (total := o.used_total) is not None]
    first: dict[Decimal, int] = {}      # a total's first place in descending order
    for place, total in enumerate(sorted((t for _, t in accepted), reverse=True)):
        first.setdefault(total, place)
    return {code: 1 + first[total] for code, total in accepted}


class SummaryWriter(Output):
    """Writes one summary workbook, atomically (a temporary file beside it, then a rename).

    :meth:`prepare` renders an office's KPI rows (the bulk of the summary) as soon as its return
    is checked, while the harvest goes on reading the others; :meth:`write` writes the rest
    once the report is complete.
    """

    def __init__(self, path: Path, below_level1: int, places: int = 4,
                 review: bool = False) -> None:
        """``review``: the harvest is given the committee's review (``harvest --review``)."""
        super().__init__(path)
        self.wb = PlainFormulaWorkbook(str(self.temporary), WORKBOOK_OPTIONS)
        self.summary = _Summary(self.wb, below_level1, places, review)

    def prepare(self, office: OfficeOutcome) -> None:
        """Render the KPI rows ``office`` will have if its return is the one chosen.

        Raises:
            OutputError: when they cannot be kept (a full disk).
        """
        if office.kpis:
            try:
                self.summary.kpi_rows.render(office)
            except OSError as exc:
                raise self.error(exc) from exc

    def write(self, report: HarvestReport) -> None:
        """Write the summary of ``report`` and put it in place (:meth:`save`, :meth:`commit`).

        Raises:
            OutputError: when the file cannot be written; the previous summary is left intact.
        """
        try:
            self.save(report)
            self.commit()
        except BaseException:
            self.discard()
            raise

    def save(self, report: HarvestReport) -> None:
        """Write the summary of ``report`` under a temporary name beside its place.

        Raises:
            OutputError: when it cannot be written (nothing is left then).
        """
        try:
            self.wb.set_properties({"title": "สรุปผลคำรับรองการปฏิบัติราชการ "
                                             f"{report.organisation}"})
            self.summary.write(report)
            self.wb.close()
        except (OSError, FileCreateError) as exc:
            self.discard()
            raise self.error(exc) from exc

    def discard(self) -> None:
        """Leave no temporary file, nor the rows rendered for a summary never written."""
        self.wb.discard_spool()
        super().discard()

    def error(self, exc: Exception) -> OutputError:
        """The Thai message for a summary that cannot be written, with what to do."""
        reason = getattr(exc, "strerror", None) or exc
        return OutputError(f"เขียนไฟล์สรุปผล {self.path} ไม่ได้: {reason} "
                           "(ปิดไฟล์ถ้าเปิดค้างอยู่ในโปรแกรมอื่น แล้วลองใหม่)")


def write_summary(report: HarvestReport, path: Path) -> None:
    """Write the summary workbook of ``report`` atomically.

    Raises:
        OutputError: when the file cannot be written; the previous summary is left intact.
    """
    SummaryWriter(path, report.below_level1, report.places,
                  report.review is not None).write(report)
