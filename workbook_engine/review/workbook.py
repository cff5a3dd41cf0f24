"""Writing the committee's review workbook with xlsxwriter (CONTRACT section 7).

Sheets: ``คำชี้แจง`` (what to do), ``ผลการตรวจประเมิน`` (the table ``REVIEW``: one row per
office and KPI assessed in the round, the office's self-assessment locked, the committee's three
inputs, live formulas for its score, weighted score and each row's check), ``คะแนนรวมรายหน่วยงาน``
(each office's self-assessed total beside the committee's live total) and a
veryHidden ``_meta`` binding the workbook to the master, the round and every return's SHA-256.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.worksheet import Worksheet

import workbook_engine.formulas as formulas

from ..forms.meta import write_meta_sheet
from ..forms.office_workbook import StructureLocked, Styles, contact_line
from ..harvesting.outcomes import STATUS_THAI, HarvestReport, KpiOutcome, OfficeOutcome, Status
from ..harvesting.run import engine_version
from ..model import TEXT_KEYS, Master, Settings
from ..problems import Problem
from ..xlsx.bulk import (
    OPEN_ROW,
    BulkWorksheet,
    Formula,
    PlainFormulaWorkbook,
    RowTemplate,
    RowWriter,
)
from ..xlsx.outputs import Output
from ..xlsx.writer import (
    ROW_HEIGHT,
    WORKBOOK_OPTIONS,
    Cells,
    XlsxWriteError,
    cached_value,
    print_scale,
    text_lines,
)
from . import layout as R
from .rules import (
    CHECK_OK,
    Scoring,
    check_formula,
    final_weighted_formula,
    result_score_formula,
    score_formula,
)

GUIDE_WIDTH = 110
MAX_LINES = 3           # a row grows to show a KPI's or office's name, up to this many lines
OK_COLOUR, PROBLEM_COLOUR = "#006100", "#C00000"
REVIEWED = (Status.ACCEPTED, Status.INCOMPLETE)   # offices whose return has KPI rows


@dataclass
class Reviewed:
    """One office in the review workbook: its outcome, its KPI rows (assessed in the round) and
    the problems of its return, those of each KPI's result cell apart from the rest."""

    office: OfficeOutcome
    kpis: list[KpiOutcome]
    kpi_problems: dict[str, list[str]] = field(default_factory=dict)   # by KPI code
    file_problems: list[str] = field(default_factory=list)


def reviewed_offices(report: HarvestReport) -> list[Reviewed]:
    """The offices a review covers (accepted or incomplete), each with its rows and problems."""
    found: dict[str, Reviewed] = {}
    for office in report.offices:
        if office.status in REVIEWED:
            found[office.office] = Reviewed(office, [k for k in office.kpis if k.assessed])
    for p in report.problems:
        entry = found.get(p.office or "")
        if entry is None or p.file != entry.office.file:
            continue
        kpi = next((k.kpi for k in entry.kpis if (k.sheet, k.cell) == (p.sheet, p.cell)
                    and p.cell), None)
        if kpi is None:
            entry.file_problems.append(_line(p))
        else:
            entry.kpi_problems.setdefault(kpi, []).append(_line(p))
    return list(found.values())


def _line(p: Problem) -> str:
    return f"[{p.code}] {p.message}"


def review_meta(report: HarvestReport, master: Master, offices: list[Reviewed], rows: int,
                created: dt.datetime) -> dict[str, str]:
    """The ``_meta`` rows: what the review belongs to, and every office's return digest."""
    meta = {
        "kind": R.META_KIND,
        "organisation": report.organisation,
        "fiscal_year": str(report.fiscal_year),
        "round": str(report.round_months),
        "schema_version": R.SCHEMA_VERSION,
        "fingerprint": R.master_fingerprint(master, report.round_months),
        "rows": str(rows),
        "offices": str(len(offices)),
        "created": created.isoformat(timespec="seconds"),
        "engine": f"workbook-engine {engine_version()}",
    }
    meta.update({f"{R.SHA_PREFIX}{o.office.office}": o.office.sha256 or "" for o in offices})
    return meta


class _ReviewWorkbook(StructureLocked, PlainFormulaWorkbook):
    """The review workbook: its table's thousands of rows written in bulk, its structure locked."""


class ReviewWriter(Output):
    """Writes one review workbook atomically (a temporary file beside it, then a rename)."""

    def write(self, report: HarvestReport, master: Master, password: str | None = None) -> int:
        """Write the review workbook of ``report`` and put it in place; returns its KPI rows.

        Raises:
            OutputError: when it cannot be written; a previous file there is left intact.
        """
        try:
            wb = _ReviewWorkbook(str(self.temporary), WORKBOOK_OPTIONS)
            rows = _Writer(wb, report, master, password or "").write()
            wb.close()
            self.commit()
            return rows
        except (OSError, FileCreateError, XlsxWriteError) as exc:
            self.discard()
            raise self.error(exc) from exc
        except BaseException:
            self.discard()
            raise


class _Writer:
    """Writes the sheets of one review workbook."""

    def __init__(self, wb: _ReviewWorkbook, report: HarvestReport, master: Master,
                 password: str) -> None:
        self.wb, self.report, self.master, self.password = wb, report, master, password
        self.places = report.places
        self.s = Styles(wb, report.places)
        self.offices = reviewed_offices(report)
        self.rows = sum(len(o.kpis) for o in self.offices)
        self.last = R.FIRST_ROW + max(self.rows, 1) - 1
        self.ok = wb.add_format({"font_color": OK_COLOUR, "bold": True, "border": 1})
        self.bad = wb.add_format({"font_color": PROBLEM_COLOUR, "bold": True, "border": 1})
        self.heading = wb.add_format({"bold": True, "font_size": 18})
        self.note = wb.add_format({"bold": True})        # one line, over the columns beside

    def write(self) -> int:
        created = dt.datetime.now().replace(microsecond=0)
        r = self.report
        self.wb.set_properties({"title": f"แบบตรวจประเมินผลการปฏิบัติราชการ รอบ {r.round_months} "
                                         f"เดือน {r.organisation}",
                                "author": r.organisation, "created": created})
        self.guide()
        self.table()
        self.totals()
        write_meta_sheet(self.wb, R.META_SHEET,
                         review_meta(r, self.master, self.offices, self.rows, created),
                         self.password)
        return self.rows

    def sheet(self, name: str, widths: list[float]) -> BulkWorksheet:
        ws: BulkWorksheet = self.wb.add_worksheet(name)
        ws.set_default_row(ROW_HEIGHT)
        for index, width in enumerate(widths):
            ws.set_column(index, index, width)
        ws.set_paper(9)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
        ws.set_footer("&L&A&Rหน้า &P/&N")
        return ws

    def protect(self, ws: Worksheet, filters: bool = False) -> None:
        ws.protect(self.password, {"format_columns": True, "format_rows": True,
                                   "autofilter": filters})

    # -- คำชี้แจง ----------------------------------------------------------------------------
    def guide(self) -> None:
        r, s = self.report, self.s
        ws = self.sheet(R.GUIDE_SHEET, [GUIDE_WIDTH])
        ws.set_portrait()
        ws.set_print_scale(print_scale([GUIDE_WIDTH], landscape=False))
        lines = [
            (f"แบบตรวจประเมินผลการปฏิบัติราชการ รอบ {r.round_months} เดือน "
             f"ปีงบประมาณ พ.ศ. {r.fiscal_year}", s.title),
            (r.organisation, s.subtitle),
            (f"1. ชีต '{R.TABLE_SHEET}' มีหนึ่งแถวต่อหน่วยงานและตัวชี้วัด แสดงผลที่หน่วยงานรายงานและ"
             "คะแนนที่หน่วยงานประเมินตนเอง (แก้ไขไม่ได้ กรอกได้เฉพาะช่องสีเหลือง) พร้อมปัญหาที่ระบบพบใน"
             "แบบรายงาน ข้อมูลผลการดำเนินงาน คำชี้แจง และหลักฐานอ้างอิงที่หน่วยงานกรอก ใช้ตัวกรองที่"
             "หัวตารางเพื่อดูเฉพาะหน่วยงานหรือตัวชี้วัดที่ต้องการ", s.text),
            ("2. คณะกรรมการกรอกเฉพาะแถวที่ต้องการแก้ไขในช่องสีเหลือง: 'ผลที่คณะกรรมการรับรอง' "
             "(ผลที่ถูกต้อง ระบบคำนวณคะแนนด้วยเกณฑ์เดิมของตัวชี้วัด) หรือ 'คะแนนที่คณะกรรมการให้' "
             "(คะแนน 0 ถึง 5 เช่น หักคะแนนเพราะส่งรายงานไม่ครบ ใช้แทนผลที่รับรอง) "
             "และต้องระบุ 'เหตุผล' ทุกครั้ง", s.text),
            ("3. คอลัมน์ 'คะแนนจากผลที่รับรอง' 'คะแนนของคณะกรรมการ' และ 'ผลตรวจการกรอก' "
             "คำนวณให้ทันทีที่พิมพ์ "
             f"แถวที่ผลตรวจไม่ใช่ '{CHECK_OK}' จะไม่ถูกนำไปใช้ แถวที่ไม่ได้กรอกใช้คะแนนของหน่วยงาน",
             s.text),
            (f"4. ชีต '{R.TOTALS_SHEET}' แสดงคะแนนรวมที่หน่วยงานประเมินตนเองเทียบกับคะแนนรวม"
             "หลังตรวจ", s.text),
            ("5. อย่าเพิ่ม ลบ หรือเรียงแถวใหม่ บันทึกเป็นไฟล์ Excel (.xlsx) แล้วส่งกลับ "
             "สำนักพัฒนาระบบบริหาร ซึ่งจะรวบรวมผลด้วยคำสั่ง harvest --review", s.text),
            ("แบบนี้ผูกกับแบบรายงานที่ใช้สร้าง ถ้าหน่วยงานส่งแบบรายงานฉบับใหม่ภายหลัง "
             "ผลการตรวจของหน่วยงานนั้นจะไม่ถูกนำไปใช้ ต้องสร้างแบบตรวจประเมินใหม่", s.text),
            (f"สอบถามได้ที่: {contact_line(self.master)}", s.text),
        ]
        for row, (text, style) in enumerate(lines):
            Cells(ws, row, ROW_HEIGHT * text_lines(text, GUIDE_WIDTH)).string(0, text, style)
        Cells(ws, len(lines)).string(0, "ช่องสีเหลืองคือช่องที่กรอกได้", s.input_sample)
        self.protect(ws)

    # -- ผลการตรวจประเมิน ---------------------------------------------------------------------
    def table(self) -> None:
        r, s = self.report, self.s
        widths = [c.width for c in R.COLUMNS]
        ws = self.sheet(R.TABLE_SHEET, widths)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.print_area(0, 0, self.last - 1, R.PRINTED - 1)
        ws.repeat_rows(R.HEADER_ROW - 1)
        ws.freeze_panes(R.FIRST_ROW - 1, R.NUMBER["name"])
        Cells(ws, R.TITLE_ROW - 1).string(
            0, f"ผลการตรวจประเมินตัวชี้วัด รอบ {r.round_months} เดือน ปีงบประมาณ พ.ศ. "
               f"{r.fiscal_year}  {r.organisation}", self.heading)
        Cells(ws, R.TITLE_ROW).string(
            0, "กรอกเฉพาะช่องสีเหลือง: ผลที่รับรอง หรือคะแนนที่ให้ (0-5) พร้อมเหตุผล", self.note)
        header = Cells(ws, R.HEADER_ROW - 1, ROW_HEIGHT * 3)
        for col, column in enumerate(R.COLUMNS):
            header.string(col, column.header, s.header)
        rows = _TableRows(self.wb, ws.rows(), self.s, self.master.settings)
        for row, (office, kpi, problems) in enumerate(self.kpi_rows(), start=R.FIRST_ROW):
            rows.put(row, office, kpi, problems)
        ws.autofilter(R.HEADER_ROW - 1, 0, self.last - 1, len(R.COLUMNS) - 1)
        self.validations(ws)
        self.highlights(ws)
        self.wb.define_name(R.TABLE_NAME, f"='{R.TABLE_SHEET}'!{R.table_ref(self.rows)}")
        self.protect(ws, filters=True)

    def kpi_rows(self) -> Iterator[tuple[OfficeOutcome, KpiOutcome, list[str]]]:
        for o in self.offices:
            for kpi in o.kpis:
                yield o.office, kpi, o.kpi_problems.get(kpi.kpi, [])

    def column(self, key: str) -> str:
        letter = R.LETTER[key]
        return f"'{R.TABLE_SHEET}'!${letter}${R.FIRST_ROW}:${letter}${self.last}"

    def validations(self, ws: Worksheet) -> None:
        first, last = R.FIRST_ROW - 1, self.last - 1
        rules = {
            "given_score": {"validate": "decimal", "criteria": "between", "minimum": 0,
                            "maximum": 5, "input_title": "คะแนนที่คณะกรรมการให้",
                            "input_message": "ตัวเลข 0 ถึง 5 (เช่น 4.8 เมื่อหัก 0.2) ใช้แทนผลที่รับรอง "
                                             "ต้องระบุเหตุผล",
                            "error_title": "คะแนนไม่ถูกต้อง",
                            "error_message": "กรอกคะแนนเป็นตัวเลข 0 ถึง 5"},
            "verified_result": {"validate": "custom",
                                "value": f"=ISNUMBER({R.LETTER['verified_result']}{R.FIRST_ROW})",
                                "input_title": "ผลที่คณะกรรมการรับรอง",
                                "input_message": "ผลที่ถูกต้องเป็นตัวเลขตามหน่วยวัด "
                                                 "(ระดับความสำเร็จ: 0-5) ระบบคำนวณคะแนนด้วยเกณฑ์"
                                                 "ของตัวชี้วัด ต้องระบุเหตุผล",
                                "error_title": "ต้องเป็นตัวเลข",
                                "error_message": "กรอกผลเป็นตัวเลขเท่านั้น ไม่ต้องพิมพ์หน่วยหรือ %"},
            "reason": {"validate": "length", "criteria": "<=", "value": 2000,
                       "input_title": "เหตุผล",
                       "input_message": "จำเป็นเมื่อกรอกผลที่รับรองหรือคะแนนที่ให้ ไม่เกิน 2,000 "
                                        "ตัวอักษร",
                       "error_title": "ยาวเกินไป",
                       "error_message": "เหตุผลยาวได้ไม่เกิน 2,000 ตัวอักษร"},
        }
        for key, rule in rules.items():
            col = R.NUMBER[key] - 1
            ws.data_validation(first, col, last, col, rule)

    def highlights(self, ws: Worksheet) -> None:
        """The check column green when a row applies, red when it breaks a rule."""
        col = R.NUMBER["check"] - 1
        cell = f"${R.LETTER['check']}{R.FIRST_ROW}"
        first, last = R.FIRST_ROW - 1, self.last - 1
        ws.conditional_format(first, col, last, col, {
            "type": "cell", "criteria": "==", "value": f'"{CHECK_OK}"', "format": self.ok})
        ws.conditional_format(first, col, last, col, {
            "type": "formula", "criteria": f'=AND({cell}<>"",{cell}<>"{CHECK_OK}")',
            "format": self.bad})

    # -- คะแนนรวมรายหน่วยงาน ------------------------------------------------------------------
    def totals(self) -> None:
        s = self.s
        ws = self.sheet(R.TOTALS_SHEET, [c.width for c in R.TOTALS_COLUMNS])
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
        ws.freeze_panes(1, 2)
        header = Cells(ws, 0, ROW_HEIGHT * 3)
        for col, column in enumerate(R.TOTALS_COLUMNS):
            header.string(col, column.header, s.header)
        codes, final, check = (self.column(k) for k in ("office", "final_weighted", "check"))
        accepted = STATUS_THAI[Status.ACCEPTED]
        t = R.TOTALS_LETTER
        for i, o in enumerate(self.offices, start=2):
            out = Cells(ws, i - 1)
            office = o.office
            out.string(0, office.office, s.cell)
            out.string(1, office.name, s.cell)
            out.string(2, STATUS_THAI[office.status], s.cell)
            if office.total_score is None:
                out.blank(3, s.cell)
            else:
                out.number(3, office.total_score, s.score)
            out.formula(4, f'=IF({t["status"]}{i}="{accepted}",'
                           f'ROUND(SUMIFS({final},{codes},{t["office"]}{i}),{self.places}),"")',
                        s.total, cached_value(office.total_score))
            out.formula(5, f'=SUMPRODUCT(({codes}={t["office"]}{i})*({check}="{CHECK_OK}"))',
                        s.cell_center, 0)
            out.string(6, office.file or "", s.cell)
            out.string(7, "\n".join(o.file_problems), s.cell)
        ws.autofilter(0, 0, max(len(self.offices), 1), len(R.TOTALS_COLUMNS) - 1)
        self.protect(ws, filters=True)


# texts that recur from row to row: the office's on each of its KPIs, the KPI's in each office
REPEATED = ("office", "office_name", "kpi", "name", "unit", "kind", "direction")


class _TableRows:
    """The rows of the table ``REVIEW``, rendered through a template of their cells (one for
    KPIs with a result to verify, one for those without), with the live formulas of each way
    of scoring built once, their row left open: 20,000 rows at 1,000 offices."""

    def __init__(self, wb: PlainFormulaWorkbook, rw: RowWriter, s: Styles,
                 settings: Settings) -> None:
        self.wb, self.rw, self.settings = wb, rw, settings
        self.formulas: dict[Scoring, tuple[str, str, str, str, str]] = {}
        self.templates = {has_result: self.template(rw, s, has_result)
                          for has_result in (True, False)}
        self.lines: dict[tuple[str, int], int] = {}

    @staticmethod
    def template(rw: RowWriter, s: Styles, has_result: bool) -> RowTemplate:
        """The cells of a row, left to right: the office's self-assessment, the committee's
        inputs (the verified result one only where the KPI has a result), the live cells, the
        KPI's facts and texts; a cell without a value is a formatted blank."""
        styles = {"weight": s.weight, "result": s.number, "score": s.score,
                  "weighted": s.score, "given_score": s.input_number, "reason": s.input_text,
                  "verified_result": s.input_number if has_result else s.cell,
                  **dict.fromkeys(("result_score", "verified_score", "verified_weighted",
                                   "final_weighted"), s.score),
                  **{f"c{n}": s.number for n in range(1, 6)}}
        return rw.template([(col, styles.get(c.key, s.cell)) for col, c in enumerate(R.COLUMNS)],
                           [R.NUMBER[key] - 1 for key in REPEATED], blanks=True)

    def put(self, row: int, office: OfficeOutcome, kpi: KpiOutcome,
            problems: list[str]) -> None:
        """Table row ``row`` (1-based), kept in the workbook's spool until it is stored."""
        result_score, verified, verified_weighted, final, check = self.live(
            Scoring.of(kpi, self.settings))
        criteria = kpi.criteria or ()
        cells = self.templates[kpi.kind.has_result].render((
            office.office, office.name, kpi.kpi, kpi.name, _decimal(kpi.weight),
            _decimal(kpi.result), _decimal(kpi.score), _decimal(kpi.weighted), None, None, None,
            Formula(result_score), Formula(verified), Formula(verified_weighted),
            Formula(final, cached_value(kpi.weighted)), Formula(check),
            kpi.unit, kpi.kind.label, kpi.direction or "",
            *(_decimal(c) for c in criteria), *(None,) * (5 - len(criteria)),
            "\n".join(problems), *(kpi.texts.get(key, "") for key in TEXT_KEYS),
            f"{office.file or ''} {kpi.sheet or ''}!{kpi.cell or ''}".strip()))
        lines = max(self.text_lines(kpi.name, "name"), self.text_lines(office.name, "office_name"))
        self.rw.place(row - 1, self.wb.spool(cells),
                      ROW_HEIGHT * min(lines, MAX_LINES) if lines > 1 else None)

    def live(self, scoring: Scoring) -> tuple[str, str, str, str, str]:
        """The live formulas of a row scored by ``scoring``, the row left open: the verified
        result's score, the committee's score and weighted score, the weighted score after the
        review and the row's check."""
        found = self.formulas.get(scoring)
        if found is None:
            refs = {key: f"{R.LETTER[key]}{OPEN_ROW}" for key in R.NUMBER}
            found = self.formulas[scoring] = (
                result_score_formula(scoring, refs), score_formula(scoring, refs),
                formulas.weighted_score(refs["verified_score"], refs["weight"],
                                        self.settings.places),
                final_weighted_formula(refs["verified_weighted"], refs["weighted"]),
                check_formula(scoring, refs))
        return found

    def text_lines(self, text: str, key: str) -> int:
        """How many lines ``text`` wraps to in column ``key`` (names recur: each measured
        once)."""
        found = self.lines.get((text, R.NUMBER[key]))
        if found is None:
            found = self.lines[(text, R.NUMBER[key])] = text_lines(
                text, R.COLUMNS[R.NUMBER[key] - 1].width)
        return found


def _decimal(value: object) -> Decimal | None:
    """A number cell's value (the table writes Decimals; anything else is a blank)."""
    return value if isinstance(value, Decimal) else None
