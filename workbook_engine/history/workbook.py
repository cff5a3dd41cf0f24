"""The history workbook (xlsxwriter), written atomically: a ledger's :class:`~.tables.History`
for สพบ. staff and executives to read and print.

Sheets: ``ภาพรวม`` (what is shown, the periods, how to read it), ``คะแนนรวมรายรอบ`` (each
office's total in each period, the organisation's average, and line charts of the trends),
``ผลตัวชี้วัดรายรอบ`` (each KPI's result and score in each period) and ``ดีขึ้นหรือลดลง`` (each
office's last total against the one before, most improved first). Every value is written as
the ledger holds it: numbers as numbers, text with ``write_string``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ..errors import OutputError
from ..fiscal import BE_DATE_TIME_FORMAT
from ..harvesting.outcomes import STATUS_THAI
from ..problems import quote
from ..xlsx.outputs import atomic
from ..xlsx.writer import (
    FONT,
    LOCKED_FILL,
    ROW_HEIGHT,
    Cells,
    ReportStyles,
    check,
    print_scale,
    score_format,
    text_lines,
    workbook_options,
)
from .tables import FELL, IMPROVED, PLACES, History, HistoryError, natural_key

OVERVIEW = "ภาพรวม"
TOTALS = "คะแนนรวมรายรอบ"
KPIS = "ผลตัวชี้วัดรายรอบ"
CHANGES = "ดีขึ้นหรือลดลง"
SHEETS = (OVERVIEW, TOTALS, KPIS, CHANGES)
TITLE = "ประวัติผลการดำเนินงานตามคำรับรองการปฏิบัติราชการ"
PERIOD_WIDTH = 12           # characters: a period's column
CODE_WIDTH = 12
NAME_WIDTH = 38
NOTE_WIDTH = 40
LANDSCAPE_BELOW = 75        # print scale (percent) under which a sheet is printed landscape
CHART_MOVERS = 3            # offices the trend chart follows each way: most improved, most fallen
# A chart is as wide as the table above it and as tall as a printed page leaves room for
# below the repeated header row (at most CHART_TALLEST pixels), a page each.
PAGE_HEIGHT_INCHES = {False: 11.69 - 1.3, True: 8.27 - 1.3}   # inside the top and bottom margins
ROW_PIXELS = ROW_HEIGHT * 96 / 72
CHART_TALLEST = 800
CHART_OFFSET = 12           # pixels from the page break down to a chart
IMPROVED_COLOURS = ("#2E75B6", "#00B050", "#7030A0")
FELL_COLOURS = ("#C00000", "#ED7D31", "#806000")
TREND_COLOURS = {IMPROVED: "#007A33", FELL: "#C00000"}
NOT_LISTED = "ไม่มีในผลการรวบรวม"
CHANGE_FORMAT = "+0.0000;-0.0000;0.0000"


def period_thai(fiscal_year: int, round_months: int) -> str:
    """A period in Thai: ``ปี 2569 รอบ 12 เดือน``."""
    return f"ปี {fiscal_year} รอบ {round_months} เดือน"


def write_history(h: History, path: Path) -> None:
    """Write the history workbook of ``h`` to ``path`` atomically.

    Raises:
        HistoryError: when ``h`` has no period (of its fiscal year, when one was asked for).
        OutputError: when the file cannot be written; a previous file is left as it was.
    """
    _require_periods(h)
    try:
        with atomic(path) as temporary:
            wb = xlsxwriter.Workbook(str(temporary), workbook_options())
            _HistoryBook(wb, h).write()
            wb.close()
    except (OSError, FileCreateError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise OutputError(f"เขียนไฟล์ประวัติผล {path} ไม่ได้: {reason} "
                          "(ปิดไฟล์ถ้าเปิดค้างอยู่ในโปรแกรมอื่น แล้วลองใหม่)") from exc


def _require_periods(h: History) -> None:
    """Refuse a history with nothing to show: no period, or none of the fiscal year asked."""
    if h.fiscal_year is None and h.periods.empty:
        raise HistoryError(f"สมุดบันทึกผล (ledger) {h.ledger} ยังไม่มีผลการรวบรวม")
    if h.fiscal_year is not None and h.fiscal_year not in set(h.periods["fiscal_year"]):
        raise HistoryError(f"สมุดบันทึกผล (ledger) {h.ledger} ไม่มีผลการรวบรวมของปีงบประมาณ "
                           f"{h.fiscal_year}")


class _Styles(ReportStyles):
    """The cell formats of the history workbook."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        super().__init__(wb)
        fmt = self.fmt
        self.subtitle = fmt(bold=True, font_size=18)
        self.link = fmt(font_color="#0563C1", underline=1)
        self.number = fmt(num_format="#,##0.####", align="center")
        self.integer = fmt(num_format="0", align="center")
        self.score = fmt(num_format=score_format(PLACES), align="center")
        self.verified = fmt(num_format=score_format(PLACES), align="center", bold=True,
                            font_color="#1F4E79")
        self.no_total = fmt(bg_color=LOCKED_FILL)
        self.average_label = fmt(bold=True, top=1)
        self.average = fmt(bold=True, top=1, num_format=score_format(PLACES), align="center")
        self.change = fmt(num_format=CHANGE_FORMAT, align="center")
        self.datetime = fmt(num_format=BE_DATE_TIME_FORMAT, align="left")
        self.trends = {trend: fmt(bold=True, font_color=colour, align="center")
                       for trend, colour in TREND_COLOURS.items()}
        self.other_trend = fmt(font_color="#595959", align="center")


class _HistoryBook:
    """Writes the sheets of one history workbook."""

    def __init__(self, wb: xlsxwriter.Workbook, h: History) -> None:
        self.wb, self.h, self.s = wb, h, _Styles(wb)
        self.labels: list[str] = list(h.periods.index)
        self.thai = [period_thai(y, r) for y, r in zip(h.periods["fiscal_year"],
                                                       h.periods["round"], strict=True)]
        self.organisation = str(h.periods["organisation"].iloc[-1])
        self.chart_row = 0      # where the totals sheet's charts begin (0-based)

    def write(self) -> None:
        """Every sheet, in :data:`SHEETS` order; the overview is written last, once the row
        of the charts it links to is known."""
        self.wb.set_properties({"title": f"{TITLE} {self.organisation}",
                                "author": self.organisation})
        overview = self.wb.add_worksheet(OVERVIEW)
        self.totals()
        self.kpis()
        self.changes()
        self.overview(overview)
        overview.activate()

    # -- shared parts ------------------------------------------------------------------------
    def sheet(self, name: str, widths: Sequence[float], header_rows: int) -> Worksheet:
        """A table sheet: its columns, A4 page set-up and headers repeated on each page."""
        ws: Worksheet = self.wb.add_worksheet(name)
        self.page(ws, widths, name)
        ws.repeat_rows(0, header_rows - 1)
        return ws

    def page(self, ws: Worksheet, widths: Sequence[float], name: str) -> None:
        """Column widths and printing: A4, landscape when the columns are wide, scaled to
        one page across (a scale rather than Excel's fit to page, which would drop the page
        breaks between the charts), a title above and the sheet and page number below."""
        ws.set_default_row(ROW_HEIGHT)
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        ws.set_paper(9)
        landscape = _landscape(widths)
        if landscape:
            ws.set_landscape()
        ws.set_print_scale(print_scale(widths, landscape))
        ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
        title = quote(f"{name}  {self.organisation}", 120).replace("&", "&&")
        ws.set_header(f'&C&"{FONT},Bold"&14{title}')
        ws.set_footer(f'&L&"{FONT}"&12&A&R&"{FONT}"&12หน้า &P/&N')

    def header(self, ws: Worksheet, row: int, headers: Sequence[str], first: int = 0,
               lines: int = 2) -> None:
        """A header row of ``headers`` from column ``first``."""
        cells = Cells(ws, row, ROW_HEIGHT * lines)
        for col, text in enumerate(headers, start=first):
            cells.string(col, text, self.s.header)

    def protect(self, ws: Worksheet) -> None:
        """Locked against slips, with filtering, sorting and resizing allowed."""
        ws.protect("", {"autofilter": True, "sort": True, "format_columns": True,
                        "format_rows": True})

    def not_scored(self, code: str, labels: Sequence[str], unlisted: bool) -> str:
        """Why ``code`` has no total in each of ``labels`` that lacks one, a line each: its
        status, and (with ``unlisted``) the periods whose run did not list it."""
        statuses = self.h.statuses.loc[code]
        lines = []
        for label in labels:
            status = statuses[label]
            if status != "accepted" and (unlisted or not pd.isna(status)):
                where = self.thai[self.labels.index(label)].removesuffix(" เดือน")
                lines.append(f"{where}: {NOT_LISTED if pd.isna(status) else STATUS_THAI[status]}")
        return "\n".join(lines)

    def total(self, cells: Cells, col: int, value: float, status: object,
              fmt: Format | None = None) -> None:
        """A total; where there is none, a grey blank if the office was listed (``status``
        not NaN) in that period, else nothing."""
        if not pd.isna(value):
            cells.number(col, value, fmt or self.s.score)
        elif not pd.isna(status):
            cells.blank(col, self.s.no_total)

    # -- ภาพรวม ----------------------------------------------------------------------------
    def overview(self, ws: Worksheet) -> None:
        """What the workbook shows, its periods, and how to read it, on one printed page."""
        h, s = self.h, self.s
        widths = [24, 11, 20, 12, 10, 10, 12]
        self.page(ws, widths, OVERVIEW)
        ws.fit_to_pages(1, 1)
        ws.write_string(0, 0, TITLE, s.title)
        ws.write_string(1, 0, self.organisation, s.subtitle)
        shown = f"{self.thai[0]} ถึง {self.thai[-1]} ({len(self.labels)} รอบ)"
        if h.fiscal_year is not None:
            shown += f" เลือกปีงบประมาณ {h.fiscal_year} และปีก่อนหน้า"
        facts = [("ช่วงที่แสดง", shown), ("สมุดบันทึกผล (ledger)", str(h.ledger)),
                 ("จำนวนหน่วยงาน", f"{len(h.totals)} หน่วยงาน")]
        row = 3
        for label, value in facts:
            cells = Cells(ws, row, ROW_HEIGHT * text_lines(value, sum(widths[1:])))
            cells.string(0, label, s.bold)
            cells.merged(1, len(widths) - 1, value, s.text)
            row += 1
        row = self.period_table(ws, row + 1)
        self.notes(ws, row + 1, sum(widths), len(widths) - 1)
        self.protect(ws)

    def period_table(self, ws: Worksheet, row: int) -> int:
        """The periods, their runs and averages from ``row``; returns the row after."""
        s = self.s
        self.header(ws, row, ["ปีงบประมาณ", "รอบ (เดือน)", "รวบรวมเมื่อ", "ครั้งที่รวบรวม (run)",
                              "หน่วยงาน", "รับแล้ว", "คะแนนเฉลี่ย"])
        for p in self.h.periods.itertuples():
            row += 1
            cells = Cells(ws, row)
            cells.number(0, p.fiscal_year, s.integer)
            cells.number(1, p.round, s.integer)
            cells.moment(2, p.harvested_at.to_pydatetime(), s.datetime)
            cells.number(3, p.run, s.integer)
            cells.number(4, p.offices, s.integer)
            cells.number(5, p.accepted, s.integer)
            if not pd.isna(p.average):
                cells.number(6, p.average, s.score)
        return row + 1

    def notes(self, ws: Worksheet, row: int, width: float, last_col: int) -> None:
        """How to read the workbook, a merged paragraph each, and a link to the charts."""
        s = self.s
        Cells(ws, row).string(0, "วิธีอ่าน", s.subtitle)
        for text in _notes():
            row += 1
            Cells(ws, row, ROW_HEIGHT * text_lines(text, width)).merged(0, last_col, text, s.text)
        check(ws.write_url(row + 2, 0, f"internal:'{TOTALS}'!A{self.chart_row + 1}", s.link,
                           f"ไปที่แผนภูมิแนวโน้ม (ชีต '{TOTALS}' แถว {self.chart_row + 1})"),
              "link to the charts")

    # -- คะแนนรวมรายรอบ -------------------------------------------------------------------
    def totals(self) -> None:
        """Each office's total in each period, why some have none, the average, the charts."""
        h, s = self.h, self.s
        periods = len(self.labels)
        widths = [CODE_WIDTH, NAME_WIDTH, *[PERIOD_WIDTH] * periods, NOTE_WIDTH]
        ws = self.sheet(TOTALS, widths, 1)
        self.header(ws, 0, ["รหัสหน่วยงาน", "หน่วยงาน", *self.thai,
                            "หมายเหตุ (รอบที่ไม่มีคะแนนรวม)"])
        for row, (code, office) in enumerate(h.totals.iterrows(), start=1):
            note = self.not_scored(str(code), self.labels, unlisted=False)
            statuses = h.statuses.loc[code]
            cells = Cells(ws, row, ROW_HEIGHT * max(text_lines(str(office["name"]), NAME_WIDTH),
                                                    text_lines(note, NOTE_WIDTH)))
            cells.string(0, str(code), s.plain)
            cells.string(1, str(office["name"]), s.text)
            for col, label in enumerate(self.labels, start=2):
                self.total(cells, col, office[label], statuses[label])
            cells.string(2 + periods, note, s.text)
        last = len(h.totals)
        ws.freeze_panes(1, 2)
        ws.autofilter(0, 0, max(last, 1), len(widths) - 1)
        average_row = last + 2
        cells = Cells(ws, average_row)
        cells.merged(0, 1, "คะแนนเฉลี่ยของหน่วยงานที่รับแล้ว", s.average_label)
        for col, average in enumerate(h.periods["average"], start=2):
            self.total(cells, col, average, None, s.average)
        self.chart_row = average_row + 3
        _TrendCharts(self.wb, ws, h, average_row, widths).insert(self.chart_row)
        self.protect(ws)

    # -- ผลตัวชี้วัดรายรอบ ------------------------------------------------------------------
    def kpis(self) -> None:
        """Each office's KPIs, with the result and the score that counts in each period."""
        s = self.s
        names, rows = _kpi_rows(self.h)
        widths = [CODE_WIDTH, 26, 9, 40, *[PERIOD_WIDTH] * (2 * len(self.labels))]
        ws = self.sheet(KPIS, widths, 2)
        top = Cells(ws, 0, ROW_HEIGHT)
        top.merged(0, 3, "", s.header)
        self.header(ws, 1, ["รหัสหน่วยงาน", "หน่วยงาน", "รหัสตัวชี้วัด", "ตัวชี้วัด"])
        for i, period in enumerate(self.thai):
            top.merged(4 + 2 * i, 5 + 2 * i, period, s.header)
            self.header(ws, 1, ["ผลการดำเนินงาน", "ค่าคะแนนที่ได้"], first=4 + 2 * i)
        listed = names.itertuples(index=False)
        for row, (office, kpi, office_name, name) in enumerate(listed, start=2):
            cells = Cells(ws, row, ROW_HEIGHT * max(text_lines(office_name, widths[1]),
                                                    text_lines(name, widths[3])))
            cells.string(0, office, s.plain)
            cells.string(1, office_name, s.text)
            cells.string(2, kpi, s.plain)
            cells.string(3, name, s.text)
            values = rows.loc[(office, kpi)]
            for i, label in enumerate(self.labels):
                self.kpi_cells(cells, 4 + 2 * i, values, label)
        ws.freeze_panes(2, 4)
        ws.autofilter(1, 0, max(len(names), 1) + 1, len(widths) - 1)
        self.protect(ws)

    def kpi_cells(self, cells: Cells, col: int, values: pd.Series, label: str) -> None:
        """A KPI's result and the score that counts in one period; the committee's score in
        bold blue, with a note of the self-assessed score and the committee's reason."""
        result, used = values[("result", label)], values[("used_score", label)]
        if not pd.isna(result):
            cells.number(col, result, self.s.number)
        if pd.isna(used):
            return
        verified = not pd.isna(values[("verified_score", label)])
        cells.number(col + 1, used, self.s.verified if verified else self.s.score)
        if verified:
            own = values[("score", label)]
            note = (f"คะแนนของคณะกรรมการ {used:.4f} (ประเมินตนเอง "
                    f"{'ไม่มี' if pd.isna(own) else format(own, '.4f')})\n"
                    f"เหตุผล: {quote(values[('review_reason', label)])}")
            check(cells.ws.write_comment(cells.row, col + 1, note, {
                "font_name": FONT, "font_size": 14, "x_scale": 2.5, "y_scale": 1.6}),
                "the committee's note")

    # -- ดีขึ้นหรือลดลง -----------------------------------------------------------------------
    def changes(self) -> None:
        """Each office's last total against the one before, most improved first."""
        s, changes = self.s, self.h.changes
        widths = [CODE_WIDTH, NAME_WIDTH, 13, 13, 12, 11, NOTE_WIDTH]
        ws = self.sheet(CHANGES, widths, 1)
        compared = self.labels[-2:] if len(self.labels) > 1 else []
        before, last = ([f"คะแนนรวม {self.thai[-2]}", f"คะแนนรวม {self.thai[-1]}"]
                        if compared else ["คะแนนรวมรอบก่อน", "คะแนนรวมรอบล่าสุด"])
        self.header(ws, 0, ["รหัสหน่วยงาน", "หน่วยงาน", before, last, "เปลี่ยนแปลง", "ผล",
                            "หมายเหตุ"], lines=3)
        if not compared:
            Cells(ws, 1).merged(0, len(widths) - 1, "มีผลเพียงรอบเดียว ยังไม่มีรอบก่อนหน้าให้"
                                "เปรียบเทียบ", s.text)
        for row, (code, c) in enumerate(changes.iterrows(), start=1):
            note = self.not_scored(str(code), compared, unlisted=True)
            statuses = self.h.statuses.loc[code]
            cells = Cells(ws, row, ROW_HEIGHT * max(text_lines(str(c["name"]), NAME_WIDTH),
                                                    text_lines(note, NOTE_WIDTH)))
            cells.string(0, str(code), s.plain)
            cells.string(1, str(c["name"]), s.text)
            self.total(cells, 2, c["previous"], statuses[compared[0]])
            self.total(cells, 3, c["last"], statuses[compared[1]])
            if not pd.isna(c["change"]):
                cells.number(4, c["change"], s.change)
            cells.string(5, c["trend"], s.trends.get(c["trend"], s.other_trend))
            cells.string(6, note, s.text)
        ws.freeze_panes(1, 2)
        ws.autofilter(0, 0, max(len(changes), 1), len(widths) - 1)
        self.protect(ws)


class _TrendCharts:
    """The totals sheet's line charts: the organisation's average in each period, and the
    offices whose total rose or fell the most in the last period."""

    def __init__(self, wb: xlsxwriter.Workbook, ws: Worksheet, h: History,
                 average_row: int, widths: Sequence[float]) -> None:
        """Charts of ``h`` over the totals sheet ``ws``, whose columns are ``widths``."""
        self.wb, self.ws, self.h, self.average_row = wb, ws, h, average_row
        self.size = {"width": _pixels(widths), "height": _chart_height(widths)}
        self.rows = math.ceil((self.size["height"] + CHART_OFFSET) / ROW_PIXELS) + 1
        self.last_col = 1 + len(h.periods)
        self.categories = [TOTALS, 0, 2, 0, self.last_col]

    def insert(self, row: int) -> None:
        """Insert the charts from ``row`` down, a page each."""
        below = {"y_offset": CHART_OFFSET}
        check(self.ws.insert_chart(row, 0, self.average(), below), "the average chart")
        movers = self.movers()
        if movers:
            check(self.ws.insert_chart(row + self.rows, 0, self.offices(movers), below),
                  "the offices chart")
        self.ws.set_h_pagebreaks([row, row + self.rows] if movers else [row])

    def line(self, title: str, values: list[float]) -> Any:
        """An empty line chart with its title, a 0-5 score axis cut to the values shown."""
        chart = self.wb.add_chart({"type": "line"})
        chart.set_title({"name": title, "name_font": {"name": FONT, "size": 20}})
        lowest = min((v for v in values if not pd.isna(v)), default=0.0)
        chart.set_y_axis({"min": max(0.0, min(math.ceil(lowest * 2) / 2 - 0.5, 4.5)), "max": 5,
                          "major_unit": 0.5, "num_format": "0.0",
                          "num_font": {"name": FONT, "size": 14},
                          "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
        chart.set_x_axis({"num_font": {"name": FONT, "size": 14}})
        chart.set_legend({"position": "bottom", "font": {"name": FONT, "size": 14}})
        chart.set_size(self.size)
        return chart

    def average(self) -> Any:
        """The chart of the organisation's average in every period."""
        chart = self.line("คะแนนเฉลี่ยของหน่วยงานที่รับแล้ว รายรอบ",
                          list(self.h.periods["average"]))
        chart.add_series({
            "name": "คะแนนเฉลี่ยองค์กร", "categories": self.categories,
            "values": [TOTALS, self.average_row, 2, self.average_row, self.last_col],
            "line": {"color": "#1F4E79", "width": 2.5},
            "marker": {"type": "circle", "size": 8, "fill": {"color": "#1F4E79"}},
            "data_labels": {"value": True, "position": "above", "num_format": "0.00",
                            "font": {"name": FONT, "size": 14}}})
        chart.set_legend({"none": True})
        return chart

    def movers(self) -> list[tuple[str, str, str, str]]:
        """The offices the second chart follows, the most improved (solid lines, circles)
        then the most fallen (dashed, triangles): code, colour, dash and marker of each."""
        change = self.h.changes["change"].dropna()
        rose = change[change > 0].index[:CHART_MOVERS]
        fell = change[change < 0].index[::-1][:CHART_MOVERS]
        return [*((str(code), IMPROVED_COLOURS[i], "solid", "circle")
                  for i, code in enumerate(rose)),
                *((str(code), FELL_COLOURS[i], "dash", "triangle")
                  for i, code in enumerate(fell))]

    def offices(self, movers: list[tuple[str, str, str, str]]) -> Any:
        """The chart of the ``movers``' totals in every period."""
        h = self.h
        before, last = (period_thai(y, r) for y, r in
                        zip(h.periods["fiscal_year"].iloc[-2:], h.periods["round"].iloc[-2:],
                            strict=True))
        codes = [code for code, *_ in movers]
        values = list(h.totals.loc[codes, list(h.periods.index)].stack())
        chart = self.line(f"หน่วยงานที่คะแนนรวมเปลี่ยนมากที่สุด ({before} ถึง {last})", values)
        rows = {code: i for i, code in enumerate(h.totals.index, start=1)}
        for code, colour, dash, marker in movers:
            row = rows[code]
            chart.add_series({
                "name": quote(f"{code} {h.totals.loc[code, 'name']}", 40),
                "categories": self.categories,
                "values": [TOTALS, row, 2, row, self.last_col],
                "line": {"color": colour, "width": 2, "dash_type": dash},
                "marker": {"type": marker, "size": 7, "fill": {"color": colour},
                           "border": {"color": colour}}})
        return chart


def _landscape(widths: Sequence[float]) -> bool:
    """Whether columns of ``widths`` are printed landscape: when portrait would shrink them
    below :data:`LANDSCAPE_BELOW` percent."""
    return print_scale(widths, landscape=False) < LANDSCAPE_BELOW


def _chart_height(widths: Sequence[float]) -> int:
    """The pixels a page printed with columns of ``widths`` has room for below its header."""
    landscape = _landscape(widths)
    room = PAGE_HEIGHT_INCHES[landscape] * 96 * 100 / print_scale(widths, landscape)
    return int(min(room - 2 * ROW_PIXELS - 3 * CHART_OFFSET, CHART_TALLEST))


def _pixels(widths: Sequence[float]) -> int:
    """How wide columns of ``widths`` are in pixels, as xlsxwriter anchors a chart over them
    (so a chart this wide spans exactly those columns in any program)."""
    return sum(int(width * 7 + 0.5) + 5 for width in widths)


KPI_VALUES = ["result", "score", "used_score", "verified_score", "review_reason"]


def _kpi_rows(h: History) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each office and KPI by code: its codes and names as last recorded (``office``,
    ``kpi``, ``office_name``, ``name``), and its values in each period, indexed by the codes
    under (value, period) columns."""
    kpis = h.kpis
    wide = kpis.pivot(index=["office", "kpi"], columns="period", values=KPI_VALUES)
    wide = wide.reindex(columns=pd.MultiIndex.from_product([KPI_VALUES, h.periods.index]))
    names = kpis.groupby(["office", "kpi"])[["office_name", "name"]].last()
    names = names.loc[sorted(names.index, key=_kpi_key)].reset_index()
    return names, wide


def _kpi_key(key: tuple[str, str]) -> tuple[tuple[str | int, ...], ...]:
    """An office and KPI's sort key: by office code, then KPI code, numbers as numbers."""
    return natural_key(key[0]), natural_key(key[1])


def _notes() -> list[str]:
    """The overview's paragraphs on how to read the workbook."""
    return [
        "1. แต่ละรอบ (ปีงบประมาณและรอบการรายงาน) ใช้ผลการรวบรวม (harvest) ครั้งล่าสุดของรอบนั้นใน"
        "สมุดบันทึกผล ตามครั้งที่รวบรวมในตารางข้างบน ผลการรวบรวมครั้งก่อนหน้าของรอบเดียวกันไม่นำมาแสดง",
        "2. คะแนนรวมคือคะแนนรวมที่ใช้: คะแนนรวมหลังตรวจของคณะกรรมการถ้ามี มิฉะนั้นคะแนนที่หน่วยงาน"
        "ประเมินตนเอง และมีเฉพาะหน่วยงานที่สถานะ 'รับแล้ว' ในรอบนั้น ช่องของหน่วยงานที่ยังไม่ได้รับ"
        "เป็นสีเทา และคอลัมน์หมายเหตุบอกสถานะ (ยังไม่ครบ ไม่รับ หรือยังไม่ส่ง) ช่องว่างสีขาวคือรอบที่"
        "ผลการรวบรวมไม่มีหน่วยงานนั้น เช่น หน่วยงานที่ตั้งขึ้นใหม่",
        f"3. ชีต '{TOTALS}' มีคะแนนรวมของทุกหน่วยงานในแต่ละรอบ คะแนนเฉลี่ยของหน่วยงานที่รับแล้ว "
        "(ปัดทศนิยม 4 ตำแหน่งแบบ ROUND ของ Excel) และแผนภูมิเส้นใต้ตาราง: คะแนนเฉลี่ยรายรอบ "
        "และหน่วยงานที่คะแนนรวมดีขึ้นมากที่สุด (เส้นทึบ) และลดลงมากที่สุด (เส้นประ) อย่างละไม่เกิน "
        f"{CHART_MOVERS} หน่วยงาน",
        f"4. ชีต '{KPIS}' มีผลการดำเนินงานและค่าคะแนนที่ได้ของทุกตัวชี้วัดในแต่ละรอบ "
        "คะแนนตัวหนาสีน้ำเงินคือคะแนนของคณะกรรมการ ชี้ที่เซลล์เพื่อดูคะแนนที่ประเมินตนเองและเหตุผล",
        f"5. ชีต '{CHANGES}' เทียบคะแนนรวมรอบล่าสุดกับรอบก่อนหน้า เรียงจากดีขึ้นมากที่สุดไปลดลง"
        "มากที่สุด หน่วยงานที่ไม่มีคะแนนรวมรอบใดรอบหนึ่งอยู่ท้ายตาราง (เทียบไม่ได้)",
        "6. รอบ 6 9 และ 12 เดือนอาจมีค่าเป้าหมายและน้ำหนักต่างกัน (ชีต 'เกณฑ์รายรอบ' ของไฟล์ต้นแบบ) "
        "คะแนนของแต่ละรอบวัดตามเกณฑ์ของรอบนั้น",
        "7. คำสั่ง workbook-engine history LEDGER --out ไฟล์.xlsx --fiscal-year ปี แสดงเฉพาะ"
        "ปีงบประมาณนั้นและปีก่อนหน้า เพื่อเทียบปีต่อปี ทุกชีตพิมพ์บนกระดาษ A4 พอดีความกว้างหน้า "
        "พิมพ์หัวตารางซ้ำทุกหน้า",
    ]
