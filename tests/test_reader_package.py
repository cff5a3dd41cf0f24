"""The reader finds a workbook's parts as OPC says, reads its texts as Excel stores them, and
says in Thai what is wrong with what it cannot read.

Every file is built from bytes at test time: a master, its generated office workbooks, and
returns "saved by Excel" by editing the generated parts as Excel writes them (numbers as values,
texts in the shared-string table with their ``_xHHHH_`` escapes), then re-packed as other
programs pack them. Each test runs with the C reader and without it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import xlsxwriter

from workbook_engine.forms import layout as L
from workbook_engine.forms.generate import generate
from workbook_engine.harvesting.outcomes import HarvestReport, OfficeOutcome, Status
from workbook_engine.harvesting.run import harvest
from workbook_engine.master.reader import load_master
from workbook_engine.model import Master
from workbook_engine.problems import Code, problem
from workbook_engine.xlsx import reader as xlsx_reader
from workbook_engine.xlsx.reader import NotAWorkbook, XlsxReader, name_target, unescape

from .hostile_files import make_zip
from .inline import VALID_MASTER, rows, write_master

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MAIN_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
B01 = "2569-R12-B01.xlsx"
B01_RESULTS = {"RESULT_2_1": 84, "RESULT_2_2": 3.5, "RESULT_3_1": 4}
B01_TOTAL = "3.5030"
# what no reason may show: a class name, a raw namespace, the problem's own words again
UNCLEAR = re.compile(r"NotAWorkbook|[A-Z][a-z]+(?:Error|Exception|Forbidden|Workbook|ZipFile)\b|"
                     r"\{http|"
                     r"ParseError|BadZipFile|ไม่ใช่สมุดงาน Excel \(ไม่ใช่สมุดงาน Excel")


@pytest.fixture(params=["c", "python"], autouse=True)
def reader_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test twice: with the C reader (when built) and with the Python reader alone."""
    if request.param == "python":
        monkeypatch.setattr(xlsx_reader, "_fastsheet", None)
    return str(request.param)


# -- zips, parts and returns made here ---------------------------------------------------------

def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}





def typed_in(data: bytes, values: dict[str, object], inline: frozenset[str] = frozenset()
             ) -> bytes:
    """A generated workbook with input cells, found by defined name (on the report table or
    the per-KPI report), typed in and saved as Excel saves them: a number as the cell's value,
    a text (given as stored, escapes and all) in the shared-string table, or as an inline
    string for a name in ``inline``."""
    parts = parts_of(data)
    reader = XlsxReader(data, "generated.xlsx")
    part_of = {s.name: s.part for s in reader.sheets}
    strings = parts["xl/sharedStrings.xml"].decode()
    count = strings.count("<si>")
    for name, value in values.items():
        target = name_target(reader.names[name])
        assert target is not None
        part = part_of[target[0]]
        if isinstance(value, str) and name in inline:
            cell = rf'<c r="{target[1]}"\1 t="inlineStr"><is><t>{value}</t></is></c>'
        elif isinstance(value, str):
            strings = strings.replace("</sst>", f'<si><t xml:space="preserve">{value}</t></si>'
                                                "</sst>")
            cell, count = rf'<c r="{target[1]}"\1 t="s"><v>{count}</v></c>', count + 1
        else:
            cell = rf'<c r="{target[1]}"\1><v>{value}</v></c>'
        xml, found = re.subn(rf'<c r="{target[1]}"( s="\d+")?/>', cell, parts[part].decode())
        assert found == 1, name
        parts[part] = xml.encode()
    parts["xl/sharedStrings.xml"] = strings.encode()
    return make_zip(parts)


@dataclass
class World:
    """A master and the two offices' generated workbooks; B01 filled in and saved by Excel."""

    master: Master
    generated: dict[str, bytes]
    b01: bytes


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp("world")
    master = load_master(write_master(folder / "master.xlsx"))
    generate(master, 12, folder / "gen", jobs=1)
    generated = {office: (folder / "gen" / f"2569-R12-{office}.xlsx").read_bytes()
                 for office in ("B01", "B02")}
    return World(master, generated, typed_in(generated["B01"], dict(B01_RESULTS)))


def harvest_files(folder: Path, master: Master, files: dict[str, bytes]) -> HarvestReport:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return harvest([folder], master, 12, jobs=1)


def office(report: HarvestReport, code: str) -> OfficeOutcome:
    return next(o for o in report.offices if o.office == code)


def outcome(report: HarvestReport, code: str) -> object:
    """What harvest made of an office's return, whatever file it came from."""
    found = office(report, code)
    return (found.status, found.total_score,
            [(k.kpi, k.name, k.unit, k.result, k.score, k.texts) for k in found.kpis],
            sorted((p.code, p.sheet, p.cell) for p in report.problems if p.office == code))


# -- 1: _xHHHH_ escapes ------------------------------------------------------------------------

@pytest.mark.parametrize(("stored", "shown"), [
    ("a_x000D_b", "a\rb"),
    ("line_x000D_\nnext", "line\r\nnext"),
    ("_x005F_x0041_", "_x0041_"),                   # an escaped escape is the literal text
    ("_x005f_x0041_", "_x0041_"),                   # hex digits in either case
    ("_x00e9_", "é"),
    ("_xD83D__xDE00_", "\U0001F600"),               # a surrogate pair written as two escapes
    ("_xD83D_", "\ufffd"),                          # a surrogate alone
    ("_xDE00__xD83D_", "\ufffd\ufffd"),             # a pair in the wrong order
    ("_xD83D__xD83D__xDE00_", "\ufffd\U0001F600"),
    ("_x0041_x0042_", "Ax0042_"),                   # left to right, an underscore used once
    ("__x0041__", "_A_"),
    ("_X0041_ _x004_ _x12G4_ _x0041", "_X0041_ _x004_ _x12G4_ _x0041"),   # no escapes
    ("_x0000__x001F_", "\x00\x1f"),
])
def test_escapes_are_decoded_as_excel_decodes_them(stored: str, shown: str) -> None:
    """In shared strings, inline strings and formulas' string results alike, by both readers;
    a text with an escape split over two runs of rich text keeps it (each run is a text)."""
    assert unescape(stored) == shown
    shown.encode()      # a str that UTF-8 encodes: what every output needs
    shared = f'<si><t>{stored}</t></si><si><r><t>x_x00</t></r><r><t>41_{stored}</t></r></si>'
    sheet = (f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">'
             f'<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
             f'<c r="C1" t="inlineStr"><is><r><t>{stored}</t></r><r><t>-</t></r></is></c>'
             f'<c r="D1" t="str"><f>A1</f><v>{stored}</v></c>'
             f'<c r="E1"><v>{stored}</v></c></row></sheetData></worksheet>')
    reader = XlsxReader(make_zip(workbook_parts(sheet, shared)), "t.xlsx")
    cells = reader.read_sheet(reader.sheets[0], 1, 5).cells
    assert [cells[(1, col)].value for col in range(1, 6)] == \
        [shown, f"x_x0041_{shown}", f"{shown}-", shown, stored]     # a number's text is as is
    assert reader.read_rows(reader.sheets[0], 5) == [tuple(c.value for c in cells.values())]


def workbook_parts(sheet: str, shared: str | None = None) -> dict[str, bytes]:
    """The parts of a workbook of one sheet (and a shared-string table), as Excel names them."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    types = ('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
             'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
             f'<Override PartName="/xl/workbook.xml" ContentType="{MAIN_TYPE}"/></Types>')
    workbook_rels = f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/s.xml"/>'
    if shared is not None:
        workbook_rels += (f'<Relationship Id="rId2" Type="{rel}/sharedStrings" '
                          'Target="sharedStrings.xml"/>')
    parts = {
        "[Content_Types].xml": types,
        "_rels/.rels": relationships(f'<Relationship Id="rId1" Type="{rel}/officeDocument" '
                                     'Target="xl/workbook.xml"/>'),
        "xl/workbook.xml": f'<workbook xmlns="{MAIN_NS}" xmlns:r="{rel}"><sheets>'
                           '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": relationships(workbook_rels),
        "xl/worksheets/s.xml": sheet,
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN_NS}">{shared}</sst>'
    return {name: text.encode() for name, text in parts.items()}


def relationships(inside: str) -> str:
    return (f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships">{inside}</Relationships>')


def master_by_xlsxwriter(path: Path, kpis: list[list[object]]) -> Path:
    """:data:`VALID_MASTER` with the rows of its KPI sheet replaced, written by xlsxwriter (which
    stores a carriage return as ``_x000D_`` and a literal ``_x0041_`` as ``_x005F_x0041_``)."""
    book = xlsxwriter.Workbook(str(path))
    for name, table in {**VALID_MASTER, "ตัวชี้วัด": kpis}.items():
        sheet = book.add_worksheet(name)
        for r, values in enumerate(rows(table) if isinstance(table, str) else table):
            for c, value in enumerate(values):
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif value is not None:
                    sheet.write_number(r, c, value)
    book.close()
    return path


NAME_2_1 = "ร้อยละความสำเร็จ\r\nของงานหลัก _x0041_"
UNIT_2_2 = "วัน\rทำการ _x005F_"
NOTE_2_1 = "บรรทัดหนึ่ง_x000D_\nบรรทัดสอง _x005F_x0041_"      # as Excel stores it


def test_texts_with_escapes_in_the_master_come_back_as_they_were(tmp_path: Path) -> None:
    """A KPI name and a unit holding a carriage return and a literal ``_x0041_`` are read from
    the master as they are, written to the office workbooks, and read back the same from an
    untouched return (incomplete, not tampered with) and from one filled in and saved by Excel
    (accepted)."""
    kpis = rows(VALID_MASTER["ตัวชี้วัด"])
    by_code = {row[0]: row for row in kpis}
    by_code["2.1"][1] = NAME_2_1
    by_code["2.2"][3], by_code["2.2"][7] = UNIT_2_2, "เร็ว\r\nขึ้น_x0041_"   # unit, description
    master = load_master(master_by_xlsxwriter(tmp_path / "master.xlsx", kpis))
    assert (master.kpis["2.1"].name, master.kpis["2.2"].unit) == (NAME_2_1, UNIT_2_2)
    generate(master, 12, tmp_path / "gen", jobs=1)
    untouched = (tmp_path / "gen" / B01).read_bytes()
    filled = typed_in((tmp_path / "gen" / "2569-R12-B02.xlsx").read_bytes(),
                      {"RESULT_2_1": 96.3, "RESULT_3_1": 5, "NOTE_2_1": NOTE_2_1})
    report = harvest_files(tmp_path / "returns", master, {B01: untouched,
                                                         "2569-R12-B02.xlsx": filled})
    assert not [p for p in report.problems if p.code == "RETURN_LOCKED_CHANGED"]
    assert office(report, "B01").status is Status.INCOMPLETE
    b02 = office(report, "B02")
    assert b02.status is Status.ACCEPTED and b02.total_score is not None
    [kpi] = [k for k in b02.kpis if k.kpi == "2.1"]
    assert (kpi.name, kpi.texts["note"]) == (NAME_2_1, "บรรทัดหนึ่ง\r\nบรรทัดสอง _x0041_")


def test_a_note_with_a_carriage_return_reaches_the_outcome_as_one(world: World,
                                                                  tmp_path: Path) -> None:
    """A coordinator's texts with line breaks, saved by Excel in the shared strings and as
    inline strings, come out of the harvest with a real carriage return, not ``_x000D_``."""
    texts = {"NOTE_2_1": NOTE_2_1, "OBSTACLE_2_1": "ก_x000D_ข", "DATA_2_2": "_xD83D__xDE00_"}
    data = typed_in(world.generated["B01"], {**B01_RESULTS, **texts},
                    inline=frozenset({"OBSTACLE_2_1"}))
    report = harvest_files(tmp_path, world.master, {B01: data})
    b01 = office(report, "B01")
    assert b01.status is Status.ACCEPTED and str(b01.total_score) == B01_TOTAL
    kpis = {k.kpi: k for k in b01.kpis}
    assert kpis["2.1"].texts["note"] == "บรรทัดหนึ่ง\r\nบรรทัดสอง _x0041_"
    assert kpis["2.1"].texts["obstacle"] == "ก\rข"
    assert kpis["2.2"].texts["data"] == "\U0001F600"


# -- 2, 3: the package's parts found as OPC says -----------------------------------------------

def moved(data: bytes) -> bytes:
    """A return re-packed as another program may pack it: the workbook at
    ``spreadsheet/my book.xml`` (named by the package's relationship with a leading ``/``,
    percent-encoded and in other case), its relationships beside it, its sheets and shared
    strings elsewhere under other names, found through the workbook's relationships."""
    names = {"xl/workbook.xml": "spreadsheet/my book.xml",
             "xl/_rels/workbook.xml.rels": "spreadsheet/_rels/my book.xml.rels",
             "xl/sharedStrings.xml": "spreadsheet/texts/strings.xml"}
    parts = {}
    for name, part in parts_of(data).items():
        new = names.get(name) or name.replace("xl/worksheets/", "spreadsheet/Sheets/").replace(
            "xl/", "spreadsheet/")
        parts[new] = part
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(
        b'Target="xl/workbook.xml"', b'Target="/SpreadSheet/my%20book.xml"')
    rels = parts["spreadsheet/_rels/my book.xml.rels"]
    rels = rels.replace(b'Target="worksheets/sheet4.xml"',
                        b'Target="/spreadsheet/Sheets/sheet4.xml"')
    parts["spreadsheet/_rels/my book.xml.rels"] = rels.replace(
        b'Target="worksheets/', b'Target="sheets/').replace(
        b'Target="sharedStrings.xml"', b'Target="./texts/../texts/strings.xml"')
    types = parts["[Content_Types].xml"].replace(b"/xl/workbook.xml", b"/spreadsheet/my%20book.xml")
    parts["[Content_Types].xml"] = types.replace(
        b"/xl/sharedStrings.xml", b"/spreadsheet/texts/strings.xml").replace(
        b"/xl/worksheets/", b"/spreadsheet/Sheets/").replace(b'"/xl/', b'"/spreadsheet/')
    assert not [name for name in parts if name.startswith("xl/")]
    return make_zip(parts)


def test_a_workbook_elsewhere_in_the_package_reads_as_the_original(world: World,
                                                                   tmp_path: Path) -> None:
    data = moved(world.b01)
    reader = XlsxReader(data, B01)
    assert [s.part for s in reader.sheets][3] == "spreadsheet/Sheets/sheet4.xml"
    assert reader.saved_time() == XlsxReader(world.b01, B01).saved_time() is not None
    original = harvest_files(tmp_path / "original", world.master, {B01: world.b01})
    again = harvest_files(tmp_path / "moved", world.master, {B01: data})
    assert office(original, "B01").status is Status.ACCEPTED
    assert outcome(again, "B01") == outcome(original, "B01")


def typed_by(data: bytes, default: str, override: str | None = None) -> bytes:
    """The return with its workbook's content type given not by an override of its own name
    but by the default for ``.xml`` (the extension written as ``default``), as
    System.IO.Packaging writes it, or by an override naming the part as ``override``."""
    parts = parts_of(data)
    types = re.sub(f'<Override PartName="[^"]+" ContentType="{re.escape(MAIN_TYPE)}"/>', "",
                   parts["[Content_Types].xml"].decode())
    assert MAIN_TYPE not in types
    if override is None:
        types = types.replace('<Default Extension="xml" ContentType="application/xml"/>',
                              f'<Default Extension="{default}" ContentType="{MAIN_TYPE}"/>')
    else:
        types = types.replace("</Types>", f'<Override PartName="{override}" '
                                          f'ContentType="{MAIN_TYPE}"/></Types>')
    assert MAIN_TYPE in types
    parts["[Content_Types].xml"] = types.encode()
    return make_zip(parts)


@pytest.mark.parametrize(("default", "override"), [
    ("xml", None), ("XML", None), ("xml", "/SPREADSHEET/My%20Book.xml"),
], ids=["by default", "by default in capitals", "by override in other case"])
def test_the_workbook_type_is_its_override_else_its_extension_default(
        default: str, override: str | None, world: World, tmp_path: Path) -> None:
    data = typed_by(world.b01 if override is None else moved(world.b01), default, override)
    assert not XlsxReader(data, B01).macro_enabled
    original = harvest_files(tmp_path / "original", world.master, {B01: world.b01})
    again = harvest_files(tmp_path / "again", world.master, {B01: data})
    assert outcome(again, "B01") == outcome(original, "B01")


def test_without_package_relationships_the_workbook_is_found_by_its_type(world: World) -> None:
    """No ``_rels/.rels``: the workbook is the part of a workbook's content type, wherever it
    is; with no such part either, ``xl/workbook.xml``."""
    parts = parts_of(moved(world.b01))
    del parts["_rels/.rels"]
    reader = XlsxReader(make_zip(parts), B01)
    assert [s.name for s in reader.sheets] == list(L.ALL_SHEETS)
    parts = parts_of(world.b01)
    del parts["_rels/.rels"]
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(MAIN_TYPE.encode(),
                                                                        b"application/xml")
    with pytest.raises(NotAWorkbook) as raised:
        XlsxReader(make_zip(parts), B01)
    assert raised.value.code.name == "FILE_NOT_WORKBOOK"


# -- 4: the shared strings' damage is the shared strings' ---------------------------------------

BOMB = (b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<sst xmlns="' + MAIN_NS.encode() + b'"><si><t>&c;</t></si></sst>')


def damaged_strings(data: bytes, how: str, part: str = "xl/sharedStrings.xml") -> bytes:
    parts = parts_of(data)
    if how == "bomb":
        parts[part] = BOMB
    elif how == "cut":
        parts[part] = parts[part][: len(parts[part]) // 2]
    else:
        del parts[part]
    return make_zip(parts)


@pytest.mark.parametrize(("how", "code", "words"), [
    ("bomb", "FILE_UNSAFE_XML", "DTD"), ("cut", "FILE_CORRUPT", "XML ไม่สมบูรณ์"),
    ("missing", "FILE_CORRUPT", "ไม่มีส่วน")])
@pytest.mark.parametrize("packed", ["as Excel packs it", "moved"])
def test_damaged_shared_strings_are_blamed_on_the_shared_strings(
        how: str, code: str, words: str, packed: str, world: World, tmp_path: Path) -> None:
    data, part = world.b01, "xl/sharedStrings.xml"
    if packed == "moved":
        data, part = moved(data), "spreadsheet/texts/strings.xml"
    data = damaged_strings(data, how, part)
    reader = XlsxReader(data, B01)
    report_sheet = next(s for s in reader.sheets if s.name == L.REPORT_SHEET)
    reads: list[Callable[[], object]] = [lambda: reader.read_sheet(report_sheet, 20, 18),
                                         lambda: reader.read_rows(report_sheet, 18)]
    for read in reads:
        with pytest.raises(NotAWorkbook) as raised:
            read()
        assert (raised.value.code.name, part in raised.value.reason) == (code, True)
        assert words in raised.value.reason and report_sheet.part not in raised.value.reason
        assert not UNCLEAR.search(raised.value.reason)
    report = harvest_files(tmp_path, world.master, {B01: data})
    [found] = [p for p in report.problems if p.office is None or p.office == "B01"
               if p.is_error and p.code.startswith("FILE_")]
    assert found.code == code and part in found.message and "NotAWorkbook" not in found.message


# -- 5: a worksheet's elements in no namespace under a prefixed root -----------------------------

def prefixed_roots(data: bytes, prefix: str = "x") -> bytes:
    """Every worksheet's root written with a prefix (``<x:worksheet xmlns:x="...main">``) and
    its elements left without one, so that they are, strictly, in no namespace."""
    parts = parts_of(data)
    for name, part in parts.items():
        if name.startswith("xl/worksheets/"):
            text = part.decode()
            text = text.replace(f'<worksheet xmlns="{MAIN_NS}"',
                                f'<{prefix}:worksheet xmlns:{prefix}="{MAIN_NS}"', 1)
            assert f"<{prefix}:worksheet" in text and text.endswith("</worksheet>")
            parts[name] = (text.removesuffix("</worksheet>") + f"</{prefix}:worksheet>").encode()
    return make_zip(parts)


def test_a_worksheet_under_a_prefixed_root_reads_as_the_original(world: World,
                                                                 tmp_path: Path) -> None:
    original = harvest_files(tmp_path / "original", world.master, {B01: world.b01})
    again = harvest_files(tmp_path / "again", world.master, {B01: prefixed_roots(world.b01)})
    assert office(original, "B01").status is Status.ACCEPTED
    assert outcome(again, "B01") == outcome(original, "B01")


# -- 6: what a zip that is no workbook is, in Thai ------------------------------------------------

CONTENT_TYPES = '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/" \
                  "officeDocument"


def package(main: str, main_type: str, extra: str = "") -> bytes:
    """An Office package whose main part is ``main``, of content type ``main_type``."""
    return make_zip({
        "[Content_Types].xml": (f'{CONTENT_TYPES}<Default Extension="xml" ContentType="'
                                f'application/xml"/><Override PartName="/{main}" ContentType="'
                                f'{main_type}"/>{extra}</Types>').encode(),
        "_rels/.rels": relationships(f'<Relationship Id="rId1" Type="{OFFICE_DOCUMENT}" '
                                     f'Target="{main}"/>').encode(),
        main: b"<document/>"})


def opendocument(mimetype: str) -> bytes:
    return make_zip({"mimetype": mimetype.encode(), "content.xml": b"<office:document-content/>",
                   "META-INF/manifest.xml": b"<manifest/>"})


def xlsb() -> bytes:
    """An .xlsb as Excel packs it: its binary parts typed by the default for ``.bin``."""
    return make_zip({
        "[Content_Types].xml": (f'{CONTENT_TYPES}<Default Extension="bin" ContentType="'
                                'application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
                                '<Override PartName="/xl/worksheets/sheet1.bin" ContentType="'
                                'application/vnd.ms-excel.worksheet"/></Types>').encode(),
        "_rels/.rels": relationships(f'<Relationship Id="rId1" Type="{OFFICE_DOCUMENT}" '
                                     'Target="xl/workbook.bin"/>').encode(),
        "xl/workbook.bin": b"\x83\x01\x00", "xl/worksheets/sheet1.bin": b"\x81\x01\x00"})


def other_root(data: bytes) -> bytes:
    parts = parts_of(data)
    parts["xl/workbook.xml"] = b'<book xmlns="urn:example:not-spreadsheetml"/>'
    return make_zip(parts)


def broken_workbook(data: bytes) -> bytes:
    parts = parts_of(data)
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"][:200]
    return make_zip(parts)


WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
POWERPOINT = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
CASES: dict[str, tuple[Callable[[bytes], bytes], str, str]] = {
    "docx": (lambda _: package("word/document.xml", WORD), "FILE_NOT_WORKBOOK", "Word (.docx)"),
    "pptx": (lambda _: package("ppt/presentation.xml", POWERPOINT), "FILE_NOT_WORKBOOK",
             "PowerPoint (.pptx)"),
    "docm": (lambda _: package("word/document.xml", "application/vnd.ms-word.document."
                               "macroEnabled.main+xml"), "FILE_NOT_WORKBOOK", "Word"),
    "photos zipped": (lambda _: make_zip({"a.jpg": b"\xff\xd8\xff", "b.txt": b"hi"}),
                      "FILE_NOT_WORKBOOK", "zip ที่ไม่มีส่วนสมุดงาน"),
    "empty zip": (lambda _: make_zip({}), "FILE_NOT_WORKBOOK", "zip ที่ว่างเปล่า"),
    "ods": (lambda _: opendocument("application/vnd.oasis.opendocument.spreadsheet"),
            "FILE_OTHER_FORMAT", "OpenDocument Spreadsheet (.ods)"),
    "odt": (lambda _: opendocument("application/vnd.oasis.opendocument.text"),
            "FILE_NOT_WORKBOOK", "OpenDocument (.odt)"),
    "numbers": (lambda _: make_zip({"Index/Document.iwa": b"\x00", "Metadata/x.plist": b"<p/>"}),
                "FILE_OTHER_FORMAT", "Numbers (.numbers)"),
    "numbers package": (lambda _: make_zip({"Index.zip": b"PK", "preview.jpg": b"\xff\xd8"}),
                        "FILE_OTHER_FORMAT", "Numbers (.numbers)"),
    "numbers 09": (lambda _: make_zip({"index.xml.gz": b"\x1f\x8b"}), "FILE_OTHER_FORMAT",
                   "Numbers (.numbers)"),
    "iwork 09": (lambda _: make_zip({"Report.numbers/index.apxl.gz": b"\x1f\x8b"}),
                 "FILE_OTHER_FORMAT", "Numbers (.numbers)"),
    "xlsb": (lambda _: xlsb(), "FILE_OTHER_FORMAT", "(.xlsb)"),
    "workbook of another kind": (other_root, "FILE_NOT_WORKBOOK", "SpreadsheetML"),
    "workbook not well-formed": (broken_workbook, "FILE_CORRUPT", "XML ไม่สมบูรณ์"),
    "zip cut short": (lambda data: data[: len(data) // 2], "FILE_CORRUPT", "zip เสียหาย"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_what_cannot_be_read_is_said_in_thai(case: str, world: World) -> None:
    """Each reason says what the file is or what is wrong with it, without a class name or an
    XML namespace, and without repeating the problem's own words."""
    make, code, words = CASES[case]
    with pytest.raises(NotAWorkbook) as raised:
        XlsxReader(make(world.b01), B01)
    assert raised.value.code.name == code and words in raised.value.reason, raised.value.reason
    params = {"format": raised.value.reason} if code == "FILE_OTHER_FORMAT" else \
        {"reason": raised.value.reason}
    message = problem(Code[code], file=B01, **params).message
    assert not UNCLEAR.search(message), message



ROUND_TRIP = ["a\rb", "line\r\nnext", "_x0041_", "_x005F_", "_X0041_", "\x01\x1f", "\ufffe",
              "_x000D_\r", "  spaced ", "\U0001F600 _xD83D_", "<r>x_x0041_\r</r>", "=1+1"]


def test_texts_written_by_the_engine_read_back_as_they_were(tmp_path: Path) -> None:
    """What the summary and the office workbooks write (xlsxwriter's cells and the summary's
    rows, :class:`workbook_engine.xlsx.bulk.RowWriter`) reads back the same: control characters
    and literal ``_xHHHH_`` texts escaped on the way out are decoded on the way in."""
    from workbook_engine.xlsx.bulk import PlainFormulaWorkbook

    book = PlainFormulaWorkbook(str(tmp_path / "texts.xlsx"))
    sheet = book.add_worksheet("texts")
    for row, text in enumerate(ROUND_TRIP):
        if not text.startswith("<r>"):       # xlsxwriter writes such a text as rich text
            sheet.write_string(row, 0, text)
    rows = sheet.rows()
    for row, text in enumerate(ROUND_TRIP, start=len(ROUND_TRIP)):
        rows.start(row)
        rows.string(0, text)
    book.close()
    reader = XlsxReader((tmp_path / "texts.xlsx").read_bytes(), "texts.xlsx")
    cells = reader.read_sheet(reader.sheets[0], 2 * len(ROUND_TRIP), 1).cells
    for row, text in enumerate(ROUND_TRIP * 2, start=1):
        if (row, 1) in cells or not text.startswith("<r>"):
            assert cells[(row, 1)].value == text, row
