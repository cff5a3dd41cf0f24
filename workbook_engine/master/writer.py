"""Writing a :class:`~workbook_engine.model.Master` to a master workbook, and the master's layout.

:func:`write_master` writes a master that :func:`~workbook_engine.master.reader.read_master`
reads back as it was given. It looks like the one ``new-master`` writes empty (:mod:`.new`):
the guide, the header style and column widths, frozen header rows, the dropdowns and their
hidden ``_lists`` sheet, all from :func:`layout`, which both use.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ..fiscal import FISCAL_YEARS
from ..model import Master
from ..values import parse_number
from ..xlsx.outputs import atomic
from ..xlsx.writer import (
    HEADER_FILL,
    ROW_HEIGHT,
    XlsxWriteError,
    check,
    plain_text,
    print_scale,
    text_lines,
    workbook_options,
    write_text,
)
from . import format as mf

GUIDE_SHEET = "คำแนะนำ"
LISTS_SHEET = "_lists"
ROWS = 2000  # rows that carry dropdowns and validation (at least)
GUIDE_WIDTH = 80
GUIDE = [
    "ไฟล์ต้นแบบ (master) ของคำรับรองการปฏิบัติราชการ",
    f"1. ชีต '{mf.SETTINGS_SHEET}': กรอกค่าในคอลัมน์ B ของแต่ละรายการ (ส่วนราชการ ปีงบประมาณ พ.ศ. "
    "ผู้รับคำรับรองและตำแหน่ง คะแนนเมื่อต่ำกว่าระดับ 1 เป็น 1 หรือ 0 ทศนิยมของคะแนนเป็น 4 หรือ 2)",
    f"2. ชีต '{mf.OFFICES_SHEET}': หนึ่งแถวต่อหน่วยงาน รหัสหน่วยงานห้ามซ้ำ",
    f"3. ชีต '{mf.KPIS_SHEET}': หนึ่งแถวต่อตัวชี้วัด รหัสห้ามซ้ำ เลือกกลุ่ม ประเภท และทิศทางจากรายการ "
    "(ทิศทางใช้กับตัวชี้วัดเชิงปริมาณและเชิงปริมาณแบบขั้นเท่านั้น)",
    f"4. ชีต '{mf.ASSIGNMENTS_SHEET}': หนึ่งแถวต่อหน่วยงานและตัวชี้วัด น้ำหนักของแต่ละหน่วยงานรวมกันต้องได้ 100 "
    "เกณฑ์ระดับ 1-5 ของตัวชี้วัดเชิงปริมาณ (ทั้งแบบต่อเนื่องและแบบขั้น) ต้องเพิ่มขึ้นทีละระดับ (มากดี) "
    "หรือลดลงทีละระดับ (น้อยดี) ตัวชี้วัดระดับความสำเร็จและใช้ผลคะแนนองค์กรให้เว้นเกณฑ์ว่าง",
    f"5. ชีต '{mf.MILESTONES_SHEET}': คำอธิบายขั้นที่ 1-5 ของตัวชี้วัดระดับความสำเร็จทุกตัว",
    f"6. ชีต '{mf.ORG_SCORES_SHEET}': คะแนนองค์กรของตัวชี้วัดที่ใช้ผลคะแนนองค์กร (กรอกก่อนรวบรวมผล)",
    f"7. ชีต '{mf.ROUNDS_SHEET}' (ไม่บังคับ): น้ำหนักและเกณฑ์ที่ต่างไปในรอบ 6, 9 หรือ 12 เดือน "
    "หนึ่งแถวต่อหน่วยงาน ตัวชี้วัด และรอบ ช่องที่เว้นว่างใช้ค่าจากชีต "
    f"'{mf.ASSIGNMENTS_SHEET}' น้ำหนัก 0 คือไม่ประเมินในรอบนั้น น้ำหนักของทุกรอบต้องรวมได้ 100",
    f"8. บัตรตัวชี้วัด (ไม่บังคับ): ชีต '{mf.KPIS_SHEET}' คอลัมน์ '{mf.COL_FORMULA}' และ "
    f"'{mf.COL_DATA_REQUIRED}' ชีต '{mf.ASSIGNMENTS_SHEET}' คอลัมน์ '{mf.COL_TARGET}' "
    f"'{mf.COL_OWNER}' '{mf.COL_COLLECTOR}' และ '{mf.BASELINE_PREFIX} <ปี พ.ศ.>' "
    "(ผลย้อนหลังของหน่วยงาน ปีละหนึ่งคอลัมน์ เพิ่มคอลัมน์ได้ตามต้องการ)",
    f"9. ชีต '{mf.ORG_KPIS_SHEET}' (ไม่บังคับ): ตัวชี้วัดระดับองค์กร รหัส ชื่อ หน่วยวัด และค่าเป้าหมาย "
    f"ถ้ามีชีตนี้ รหัสในคอลัมน์ '{mf.COL_ORG_KPI}' ของชีต '{mf.KPIS_SHEET}' ต้องมีอยู่ในชีตนี้",
    "ตรวจไฟล์ด้วยคำสั่ง: workbook-engine check-master ไฟล์.xlsx",
]
NO_BASELINE = "-"      # a year a card has no baseline for, as the reader takes it
MAX_ROWS = 1_048_576   # rows of a sheet, the header among them
Value = str | int | Decimal | None       # what a cell of a master's row is written from
_NONE: tuple[None, ...] = (None,) * 5    # the criteria cells of an assignment without criteria


# -- the layout ------------------------------------------------------------------------------
def sheet(wb: xlsxwriter.Workbook, name: str, headers: tuple[str, ...]) -> Worksheet:
    """A new sheet with ``headers`` in row 1 (bold, filled, bordered), each column as wide as
    its header asks, and the header row frozen."""
    ws = wb.add_worksheet(name)
    header = wb.add_format({"bold": True, "bg_color": HEADER_FILL, "border": 1})
    for col, text in enumerate(headers):
        ws.set_column(col, col, max(12, len(text) * 1.6))
        check(ws.write_string(0, col, text, header), f"{name} header")
    ws.freeze_panes(1, 0)
    return ws


def validate(ws: Worksheet, column: int, rule: dict[str, object], title: str, hint: str,
             error: str, first_row: int = 1, last_row: int = ROWS) -> None:
    """Data validation ``rule`` on rows ``first_row``..``last_row`` (0-based) of ``column``,
    with an input message and an error message."""
    options = {**rule, "input_title": title, "input_message": hint,
               "error_title": "ค่าไม่ถูกต้อง", "error_message": error}
    check(ws.data_validation(first_row, column, last_row, column, options),
          f"{ws.name} validation")


def lists(wb: xlsxwriter.Workbook) -> dict[str, str]:
    """The hidden sheet of dropdown values; the source range of each list by key (``kind``,
    ``direction``, ``group``)."""
    ws = wb.add_worksheet(LISTS_SHEET)
    sources = {}
    for col, values in enumerate((mf.KINDS, mf.DIRECTIONS, tuple(str(g) for g in mf.GROUPS))):
        for row, value in enumerate(values):
            check(ws.write_string(row, col, value), "lists")
        letter = chr(ord("A") + col)
        sources[("kind", "direction", "group")[col]] = \
            f"='{LISTS_SHEET}'!${letter}$1:${letter}${len(values)}"
    ws.hide()
    return sources


def guide(wb: xlsxwriter.Workbook) -> Worksheet:
    """The guide sheet: how to fill each sheet in, printable on A4."""
    ws = wb.add_worksheet(GUIDE_SHEET)
    ws.set_column(0, 0, GUIDE_WIDTH, wb.add_format({"text_wrap": True, "valign": "top"}))
    ws.set_paper(9)
    ws.set_print_scale(print_scale([GUIDE_WIDTH], landscape=False))
    for row, text in enumerate(GUIDE):      # each row as tall as its wrapped lines
        ws.set_row(row, ROW_HEIGHT * text_lines(text, GUIDE_WIDTH))
        check(ws.write_string(row, 0, text), "guide")
    return ws


@dataclass(frozen=True)
class Layout:
    """The sheets of a master as :func:`layout` adds them, to write the master's rows into."""

    settings: Worksheet
    offices: Worksheet
    kpis: Worksheet
    rules: Worksheet
    levels: Worksheet
    scores: Worksheet
    rounds: Worksheet
    org_kpis: Worksheet | None


def layout(wb: xlsxwriter.Workbook, baselines: Sequence[int] = (), rows: int = ROWS,
           org_kpis: bool = True) -> Layout:
    """Add a master's sheets to ``wb``, empty but for their headers and the settings' labels:
    the guide, the master's sheets (``ตัวชี้วัดองค์กร`` only when ``org_kpis``), with
    dropdowns and validation on rows 2..``rows`` + 1, and the hidden ``_lists`` sheet.

    Args:
        wb: the workbook to add them to.
        baselines: the BE years of the baseline columns of ``เกณฑ์``, in order.
        rows: the rows below the header that carry validation.
        org_kpis: whether to add the organisation KPIs' sheet.
    """
    guide(wb)
    settings = sheet(wb, mf.SETTINGS_SHEET, ())
    settings.set_column(0, 0, 30)
    settings.set_column(1, 1, 50)
    for row, label in enumerate(mf.SETTINGS_LABELS):
        check(settings.write_string(row, 0, label), "settings")
    first, last = FISCAL_YEARS[0], FISCAL_YEARS[-1]
    validate(settings, 1, {"validate": "integer", "criteria": "between", "minimum": first,
                           "maximum": last}, "ปีงบประมาณ", "พ.ศ. 4 หลัก เช่น 2569",
             f"กรอกปี พ.ศ. {first}-{last}", 1, 1)
    validate(settings, 1, {"validate": "list", "source": ["0", "1"]}, "คะแนนต่ำกว่าระดับ 1",
             "1 หรือ 0", "เลือก 1 หรือ 0", 4, 4)
    validate(settings, 1, {"validate": "list", "source": ["4", "2"]}, "ทศนิยม",
             "4 หรือ 2 ตำแหน่ง", "เลือก 4 หรือ 2", 5, 5)
    offices = sheet(wb, mf.OFFICES_SHEET, mf.OFFICE_COLUMNS)
    kpis = sheet(wb, mf.KPIS_SHEET, mf.KPI_COLUMNS)
    rules = sheet(wb, mf.ASSIGNMENTS_SHEET, (*mf.ASSIGNMENT_COLUMNS, *mf.CARD_COLUMNS,
                                             *map(mf.baseline_column, baselines)))
    levels = sheet(wb, mf.MILESTONES_SHEET, mf.MILESTONE_COLUMNS)
    scores = sheet(wb, mf.ORG_SCORES_SHEET, mf.ORG_SCORE_COLUMNS)
    rounds = sheet(wb, mf.ROUNDS_SHEET, mf.ROUND_COLUMNS)
    org = sheet(wb, mf.ORG_KPIS_SHEET, mf.ORG_KPI_COLUMNS) if org_kpis else None
    sources = lists(wb)
    for key, column in (("group", mf.COL_GROUP), ("kind", mf.COL_KIND),
                        ("direction", mf.COL_DIRECTION)):
        validate(kpis, mf.KPI_COLUMNS.index(column), {"validate": "list",
                                                        "source": sources[key]},
                 column, f"เลือก{column}จากรายการ", f"เลือก{column}จากรายการเท่านั้น",
                 last_row=rows)
    validate(rules, 2, {"validate": "decimal", "criteria": "between", "minimum": 0.0001,
                        "maximum": 100}, "น้ำหนัก", "ร้อยละ มากกว่า 0 ไม่เกิน 100",
             "น้ำหนักต้องมากกว่า 0 และไม่เกิน 100", last_row=rows)
    validate(rounds, mf.ROUND_COLUMNS.index(mf.COL_ROUND),
             {"validate": "list", "source": [str(r) for r in mf.ROUND_MONTHS]}, "รอบ",
             "6, 9 หรือ 12 เดือน", "เลือกรอบ 6, 9 หรือ 12", last_row=rows)
    validate(rounds, mf.ROUND_COLUMNS.index(mf.COL_WEIGHT),
             {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100},
             "น้ำหนักในรอบนี้", "0-100 (0 คือไม่ประเมินในรอบนี้ เว้นว่างคือใช้น้ำหนักในชีตเกณฑ์)",
             "น้ำหนักต้องอยู่ระหว่าง 0 ถึง 100", last_row=rows)
    validate(levels, 1, {"validate": "integer", "criteria": "between", "minimum": 1,
                         "maximum": 5}, "ขั้น", "เลขจำนวนเต็ม 1-5", "ขั้นต้องเป็น 1 ถึง 5",
             last_row=rows)
    validate(scores, 1, {"validate": "decimal", "criteria": "between", "minimum": 0,
                         "maximum": 5}, "คะแนนองค์กร", "0.0000-5.0000",
             "คะแนนต้องอยู่ระหว่าง 0 ถึง 5", last_row=rows)
    return Layout(settings, offices, kpis, rules, levels, scores, rounds, org)


# -- a whole master --------------------------------------------------------------------------
def write_master(master: Master, path: Path,
                 extra: Callable[[xlsxwriter.Workbook], None] | None = None) -> None:
    """Write ``master`` to ``path`` atomically, so that ``read_master(path).master`` equals it
    (but for ``source`` and ``source_sha256``).

    A Decimal is stored as a number when that number reads back as the same value (``1E+2``
    then reads back as the equal ``100``), else as its text, which the reader takes exactly
    but warns about (``MASTER_NUMBER_AS_TEXT``). Each card's baselines go to one column per BE
    year found in any card, a year the card lacks written ``-``; the sheet ``ตัวชี้วัดองค์กร``
    is written only when the master has organisation KPIs.

    Args:
        master: the master to write.
        path: the ``.xlsx`` to write.
        extra: called with the open workbook after the master's sheets are written, to add
            sheets of the caller's own; when it raises, nothing is written.

    Raises:
        OSError: when the file cannot be written.
        XlsxWriteError: when a sheet would have more rows than a sheet holds.
    """
    with atomic(Path(path)) as temporary:
        wb = xlsxwriter.Workbook(str(temporary), workbook_options())
        _write(wb, master)
        if extra is not None:
            extra(wb)
        wb.close()


def _write(wb: xlsxwriter.Workbook, master: Master) -> None:
    """The master's sheets, and every row of the master in them."""
    years = sorted({year for card in master.cards.values() for year, _ in card.baseline})
    counts = (len(master.offices), len(master.kpis), len(master.assignments),
              sum(map(len, master.milestone_levels.values())), len(master.org_scores),
              len(master.overrides), len(master.org_kpis))
    if max(counts) >= MAX_ROWS:
        raise XlsxWriteError(f"a sheet of {max(counts)} rows is more than a sheet holds")
    sheets = layout(wb, years, max(ROWS, *counts), bool(master.org_kpis))
    s = master.settings
    settings: dict[str, Value] = {
        mf.SET_ORGANISATION: s.organisation, mf.SET_FISCAL_YEAR: s.fiscal_year,
        mf.SET_RECEIVER: s.receiver, mf.SET_RECEIVER_POSITION: s.receiver_position,
        mf.SET_BELOW_LEVEL1: s.below_level1_score, mf.SET_PLACES: s.places}
    for row, label in enumerate(mf.SETTINGS_LABELS):     # in column B, beside its label
        _row(sheets.settings, row, (settings[label],), first=1)
    _rows(sheets.offices, ((o.code, o.name, o.maker, o.maker_position, o.coordinator, o.email)
                           for o in master.offices.values()))
    _rows(sheets.kpis, ((k.code, k.name, k.group, k.unit, k.kind.label,
                         k.direction.value if k.direction else None, k.org_kpi, k.description,
                         k.formula, k.data_required) for k in master.kpis.values()))
    _rows(sheets.rules, _rules(master, years))
    _rows(sheets.levels, ((code, level, text) for code, levels in master.milestone_levels.items()
                          for level, text in levels.items()))
    _rows(sheets.scores, ((code, score) for code, score in master.org_scores.items()))
    _rows(sheets.rounds, ((o.office, o.kpi, o.round_months, o.weight, *(o.criteria or _NONE))
                          for o in master.overrides.values()))
    if sheets.org_kpis is not None:
        _rows(sheets.org_kpis, ((o.code, o.name, o.unit, o.target)
                                for o in master.org_kpis.values()))



def _rules(master: Master, years: list[int]) -> Iterator[tuple[Value, ...]]:
    """The rows of ``เกณฑ์``: each assignment's weight and criteria, and its card's facts
    (nothing for an assignment without a card)."""
    cards = master.cards
    for a in master.assignments:
        card = cards.get((a.office, a.kpi))
        rule = (a.office, a.kpi, a.weight, *(a.criteria or _NONE))
        if card is None:
            yield rule
        else:
            baseline = dict(card.baseline)
            yield (*rule, card.target, card.owner, card.collector,
                   *(baseline.get(year, NO_BASELINE) for year in years))


def _rows(ws: Worksheet, rows: Iterable[Sequence[Value]]) -> None:
    """Rows 2.. of ``ws``, one sequence of values each (see :func:`_row`)."""
    for row, values in enumerate(rows, start=1):
        _row(ws, row, values)


def _row(ws: Worksheet, row: int, values: Iterable[Value], first: int = 0) -> None:
    """``values`` from column ``first`` of ``row``: text as text (nothing for empty text or
    None), an int as a number, a Decimal as a number when it reads back as the same value, else
    as its text."""
    write_string, write_number = ws.write_string, ws.write_number
    for col, value in enumerate(values, start=first):
        if value is None:
            continue
        if isinstance(value, str):
            if plain_text(value):       # in a sheet's bounds (checked before), so it is 0
                write_string(row, col, value)
            else:
                write_text(ws, row, col, value)
            continue
        stored = value if isinstance(value, int) else _stored(value)
        if stored is None:
            write_text(ws, row, col, str(value))
        else:
            write_number(row, col, stored)


def _stored(value: Decimal) -> float | None:
    """The number to store for ``value`` when the reader reads it back as the same value, else
    None (NaN and infinity among them)."""
    return _stored_finite(value) if value.is_finite() else None


@functools.lru_cache(maxsize=65_536)     # weights and criteria repeat across offices
def _stored_finite(value: Decimal) -> float | None:
    """:func:`_stored` of a finite ``value``: xlsxwriter stores 16 significant digits
    (``%.16G``), which the reader reads as a float and that as the shortest decimal giving it;
    None when that is not ``value``."""
    number = float(value)
    parsed = parse_number(float(f"{number:.16G}"))
    return number if parsed.value is not None and parsed.value == value else None
