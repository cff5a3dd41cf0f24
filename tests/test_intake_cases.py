"""Every case of INTAKE.md, each built at test time from a real generated return.

Each case puts one hostile or doubtful file for office B01 beside a good return for B02, harvests
the folder, and asserts: the exact problem code and severity, a Thai message naming the file (and
the sheet and cell where there is one), B01's resulting status, B02 still accepted with its score,
and every input byte-identical afterwards.
"""

from __future__ import annotations

import hashlib
import io
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from workbook_engine.generate import generate
from workbook_engine.harvest import harvest
from workbook_engine.master import load_master
from workbook_engine.model import Master
from workbook_engine.problems import Problem, Severity
from workbook_engine.report import HarvestReport, Status
from workbook_engine.summary import write_summary
from workbook_engine.testing import fill_return

from .conftest import Converter
from .inline import VALID_MASTER, write_master

B01_RESULTS: dict[str, object] = {"2.1": 84, "2.2": 3.5, "3.1": 4}
B02_RESULTS: dict[str, object] = {"2.1": 96.3, "3.1": 5}
B02_TOTAL = Decimal("3.7600")    # 2.1: 2 + 1.3/2.5 = 2.52, x 50% = 1.26; 3.1: 5, x 50% = 2.5
REPORT, AGREEMENT, META = "รายงานผล", "คำรับรอง", "_meta"
REPORT_PART = "xl/worksheets/sheet4.xml"
KEY = b"a signing key for the tests"


@dataclass(frozen=True)
class Forms:
    """A master, its generated workbooks, and good filled returns (as bytes)."""

    master: Master
    b01: bytes             # B01 filled in full
    b02: bytes             # B02 filled in full
    gen: Path
    key: bytes | None


def _forms(root: Path, key: bytes | None) -> Forms:
    master = load_master(write_master(root / "master.xlsx"))
    gen = root / "gen"
    generate(master, 12, gen, key=key, jobs=1)
    b01 = fill_return(gen / "2569-R12-B01.xlsx", root / "b01.xlsx", B01_RESULTS).read_bytes()
    b02 = fill_return(gen / "2569-R12-B02.xlsx", root / "b02.xlsx", B02_RESULTS).read_bytes()
    return Forms(master, b01, b02, gen, key)


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> Forms:
    return _forms(tmp_path_factory.mktemp("forms"), None)


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Forms:
    return _forms(tmp_path_factory.mktemp("signed"), KEY)


def run(tmp_path: Path, forms: Forms, files: dict[str, bytes]) -> HarvestReport:
    """Harvest ``files`` beside B02's good return; check B02 and that no input changed."""
    returns = tmp_path / "returns"
    returns.mkdir()
    for name, data in {"2569-R12-B02.xlsx": forms.b02, **files}.items():
        (returns / name).write_bytes(data)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in returns.iterdir()}
    report = harvest([returns], forms.master, 12, key=forms.key, jobs=1)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in returns.iterdir()}
    assert after == before, "harvest changed an input"
    b02 = office(report, "B02")
    assert b02.status is Status.ACCEPTED and b02.total_score == B02_TOTAL
    named = {Path(f.file).name for f in report.files}
    assert named == set(before), "every file given has exactly one outcome"
    return report


def office(report: HarvestReport, code: str):  # type: ignore[no-untyped-def]
    return next(o for o in report.offices if o.office == code)


def expect(report: HarvestReport, code: str, severity: Severity, file: str,
           sheet: str | None = None, cell: str | None = None) -> Problem:
    """The problem ``code`` about ``file``: its severity and a Thai message naming the place."""
    found = [p for p in report.problems if p.code == code and Path(p.file or "").name == file
             and (cell is None or p.cell == cell)]
    assert found, f"{code} {cell} for {file} not in " \
        f"{[(p.code, p.file, p.cell) for p in report.problems]}"
    p = found[0]
    assert p.severity is severity
    assert file in p.message and "ไฟล์" in p.message
    if sheet is not None:
        assert p.sheet == sheet and f"'{sheet}'" in p.message
    if cell is not None:
        assert p.cell == cell and f"เซลล์ {cell}" in p.message
    return p


# -- building hostile files -------------------------------------------------------------------

def edit(data: bytes, change: Callable[[openpyxl.Workbook], None]) -> bytes:
    """Open a return in openpyxl (as a user who removed protection would), change it, save."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        ws.protection.sheet = False
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rezip(data: bytes, replace: dict[str, bytes | None] | None = None,
          add: dict[str, bytes] | None = None) -> bytes:
    """The same zip with parts replaced (None deletes) and parts added."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = replace.get(info.filename, src.read(info))
            if content is not None:
                dst.writestr(info.filename, content)
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def set_meta(key: str, value: str) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb[META]
        for row in ws.iter_rows(min_row=2):
            if row[0].value == key:
                row[1].value = value
                return
        raise KeyError(key)
    return change


def set_cell(sheet: str, cell: str, value: object) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        wb[sheet][cell] = value
    return change


# -- 1-8: not a workbook, or not one we can read ----------------------------------------------

def encrypted(data: bytes) -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt("1234", out)
    return out.getvalue()


def with_doctype(data: bytes, doctype: bytes) -> bytes:
    xml = part(data, "xl/workbook.xml")
    at = xml.index(b"<workbook")
    return rezip(data, {"xl/workbook.xml": xml[:at] + doctype + xml[at:]})


BILLION_LAUGHS = (b'<!DOCTYPE workbook [<!ENTITY a "aaaaaaaaaa">'
                  + b"".join(b'<!ENTITY %s "%s">' % (bytes([98 + i]), b"&" + bytes([97 + i]) + b";"
                                                      * 10) for i in range(8)) + b"]>")
EXTERNAL_ENTITY = b'<!DOCTYPE workbook [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
DOCX_TYPES = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
              b'2006/content-types"><Override PartName="/word/document.xml" ContentType="'
              b'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"'
              b"/></Types>")
MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = b"http://purl.oclc.org/ooxml/spreadsheetml/main"


def utf16_with_doctype(data: bytes) -> bytes:
    """The workbook part in UTF-16, where a byte search for ``<!DOCTYPE`` finds nothing."""
    xml = part(with_doctype(data, BILLION_LAUGHS), "xl/workbook.xml").decode("utf-8")
    return rezip(data, {"xl/workbook.xml": xml.encode("utf-16")})


def sheet_with_doctype(data: bytes) -> bytes:
    xml = part(data, REPORT_PART)
    at = xml.index(b"<worksheet")
    return rezip(data, {REPORT_PART: xml[:at] + BILLION_LAUGHS.replace(b"workbook", b"worksheet")
                        + xml[at:]})


def strict(data: bytes) -> bytes:
    return rezip(data, {"xl/workbook.xml": part(data, "xl/workbook.xml").replace(MAIN_NS,
                                                                               STRICT_NS)})


def xlsb(data: bytes) -> bytes:
    types = part(data, "[Content_Types].xml").replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.binary.macroEnabled.main")
    return rezip(data, {"[Content_Types].xml": types, "xl/workbook.xml": None},
                 {"xl/workbook.bin": b"\x83\x01\x00"})


def numbers(_data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("Index/Document.iwa", b"\x00" * 64)
        archive.writestr("Metadata/Properties.plist", b"<plist/>")
    return out.getvalue()


def ods_like(_data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", b"<office:document-content/>")
    return out.getvalue()


def macro_enabled(data: bytes) -> bytes:
    types = part(data, "[Content_Types].xml").replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    return rezip(data, {"[Content_Types].xml": types}, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"})


def lying_dimension(data: bytes) -> bytes:
    xml = part(data, REPORT_PART)
    start = xml.index(b"<dimension")
    end = xml.index(b">", start) + 1
    xml = xml[:start] + b'<dimension ref="A1:XFD1048576"/>' + xml[end:]
    xml = xml.replace(b"</sheetData>",
                      b'<row r="1048576"><c r="XFD1048576" s="1"/></row></sheetData>')
    return rezip(data, {REPORT_PART: xml})


@dataclass(frozen=True)
class Case:
    """One hostile file for B01 and what harvest must make of it."""

    intake: int
    build: Callable[[bytes], bytes]
    code: str
    severity: Severity
    status: Status           # B01's status afterwards
    name: str = "2569-R12-B01.xlsx"
    sheet: str | None = None
    cell: str | None = None


E, W = Severity.ERROR, Severity.WARNING
REJ, MISS, OK, INC = Status.REJECTED, Status.MISSING, Status.ACCEPTED, Status.INCOMPLETE
CASES = {
    "empty": Case(1, lambda d: b"", "FILE_EMPTY", E, MISS),
    "truncated download": Case(1, lambda d: d[: len(d) // 2], "FILE_CORRUPT", E, MISS),
    "csv named xlsx": Case(1, lambda d: "รหัส,ผล\n2.1,84\n".encode(), "FILE_NOT_WORKBOOK", E, MISS),
    "html named xlsx": Case(1, lambda d: b"<html><body><table><tr><td>84</td></tr></table>",
                            "FILE_NOT_WORKBOOK", E, MISS),
    "encrypted": Case(2, encrypted, "FILE_ENCRYPTED", E, MISS),
    "xlsb": Case(3, xlsb, "FILE_OTHER_FORMAT", E, MISS, name="2569-R12-B01.xlsb"),
    "numbers": Case(3, numbers, "FILE_OTHER_FORMAT", E, MISS, name="2569-R12-B01.numbers"),
    "ods": Case(3, ods_like, "FILE_OTHER_FORMAT", E, MISS, name="2569-R12-B01.ods"),
    "xlsm": Case(4, macro_enabled, "FILE_MACROS", W, OK, name="2569-R12-B01.xlsm"),
    "docx": Case(5, lambda d: rezip(d, {"[Content_Types].xml": DOCX_TYPES}),
                 "FILE_NOT_WORKBOOK", E, MISS),
    "strict ooxml": Case(5, strict, "FILE_STRICT_OOXML", E, MISS),
    "zip bomb ratio": Case(6, lambda d: rezip(d, add={"xl/media/pad.bin": bytes(8 << 20)}),
                           "FILE_ZIP_BOMB", E, MISS),
    "zip bomb entries": Case(6, lambda d: rezip(d, add={f"x/{i}.xml": b"" for i in range(1001)}),
                             "FILE_ZIP_BOMB", E, MISS),
    "entity expansion": Case(7, lambda d: with_doctype(d, BILLION_LAUGHS), "FILE_UNSAFE_XML", E,
                             MISS),
    "entity expansion in utf-16": Case(7, utf16_with_doctype, "FILE_UNSAFE_XML", E, MISS),
    "entity expansion in a sheet": Case(7, sheet_with_doctype, "FILE_UNSAFE_XML", E, REJ),
    "external entity": Case(7, lambda d: with_doctype(d, EXTERNAL_ENTITY), "FILE_UNSAFE_XML", E,
                            MISS),
    # 9-12: a workbook, but not a valid return
    "not ours": Case(9, lambda d: edit(d, lambda wb: wb.remove(wb[META])), "RETURN_NOT_OURS", E,
                     MISS),
    "other year": Case(9, lambda d: edit(d, set_meta("fiscal_year", "2568")), "RETURN_WRONG_YEAR",
                       E, REJ, sheet=META),
    "other round": Case(9, lambda d: edit(d, set_meta("round", "6")), "RETURN_WRONG_ROUND", E,
                        REJ, sheet=META),
    "unknown office": Case(9, lambda d: edit(d, set_meta("office", "X99")),
                           "RETURN_UNKNOWN_OFFICE", E, MISS, sheet=META),
    "code changed": Case(11, lambda d: edit(d, set_cell(REPORT, "B8", "2.9")),
                         "RETURN_LOCKED_CHANGED", E, REJ, sheet=REPORT, cell="B8"),
    "name changed": Case(11, lambda d: edit(d, set_cell(REPORT, "C8", "ชื่อใหม่")),
                         "RETURN_LOCKED_CHANGED", E, REJ, sheet=REPORT, cell="C8"),
    "weight changed": Case(11, lambda d: edit(d, set_cell(REPORT, "E8", 60)),
                           "RETURN_LOCKED_CHANGED", E, REJ, sheet=REPORT, cell="E8"),
    **{f"criterion {n} changed": Case(11, lambda d, c=col: edit(d, set_cell(REPORT, f"{c}8", 1)),
                                      "RETURN_LOCKED_CHANGED", E, REJ, sheet=REPORT,
                                      cell=f"{col}8")
       for n, col in enumerate("FGHIJ", start=1)},
    "milestone level changed": Case(11, lambda d: edit(d, set_cell(REPORT, "H10", 2)),
                                    "RETURN_LOCKED_CHANGED", E, REJ, sheet=REPORT, cell="H10"),
    "agreement weight changed": Case(11, lambda d: edit(d, set_cell(AGREEMENT, "E12", 60)),
                                     "RETURN_LOCKED_CHANGED", E, REJ, sheet=AGREEMENT,
                                     cell="E12"),
    "row inserted": Case(11, lambda d: edit(d, lambda wb: wb[REPORT].insert_rows(8)),
                         "RETURN_LOCKED_CHANGED", E, REJ, sheet=REPORT, cell="B8"),
    "row deleted": Case(11, lambda d: edit(d, lambda wb: wb[REPORT].delete_rows(8)),
                        "RETURN_LOCKED_CHANGED", E, REJ, sheet=REPORT, cell="B8"),
    "sheet deleted": Case(11, lambda d: edit(d, lambda wb: wb.remove(wb[AGREEMENT])),
                          "RETURN_SHEET_MISSING", E, REJ),
    "sheet renamed": Case(11, lambda d: edit(d, set_title(REPORT, "รายงาน")),
                          "RETURN_SHEET_MISSING", E, REJ),
    # 13-14
    "file name says another office": Case(14, lambda d: d, "RETURN_NAME_MISMATCH", W, OK,
                                          name="2569-R12-B03.xlsx"),
    # 19
    "external links": Case(19, lambda d: rezip(d, add={"xl/externalLinks/externalLink1.xml":
                                                       b"<externalLink/>"}),
                           "RETURN_EXTERNAL_LINKS", W, OK),
    "hidden row": Case(19, lambda d: edit(d, hide_row(REPORT, 9)), "RETURN_HIDDEN", W, OK,
                       sheet=REPORT),
    "extra hidden sheet": Case(19, lambda d: edit(d, add_hidden_sheet), "RETURN_EXTRA_SHEET", W,
                               OK, sheet="ซ่อน"),
}


def set_title(sheet: str, title: str) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        wb[sheet].title = title
    return change


def hide_row(sheet: str, row: int) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        wb[sheet].row_dimensions[row].hidden = True
    return change


def add_hidden_sheet(wb: openpyxl.Workbook) -> None:
    wb.create_sheet("ซ่อน").sheet_state = "hidden"


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_intake_case(case: Case, forms: Forms, tmp_path: Path) -> None:
    """INTAKE 1-14, 19: one outcome per file, the exact problem, the others unharmed."""
    data = case.build(forms.b01)
    report = run(tmp_path, forms, {case.name: data})
    expect(report, case.code, case.severity, case.name, case.sheet, case.cell)
    assert office(report, "B01").status is case.status
    if case.status is OK:
        assert office(report, "B01").total_score is not None


def test_lying_dimension_is_read_quickly(forms: Forms, tmp_path: Path) -> None:
    """INTAKE 8: a claimed A1:XFD1048576 range and a far cell cost nothing; the return counts."""
    started = time.monotonic()
    report = run(tmp_path, forms, {"2569-R12-B01.xlsx": lying_dimension(forms.b01)})
    assert time.monotonic() - started < 5
    assert office(report, "B01").status is Status.ACCEPTED


def test_stale_template(forms: Forms, tmp_path: Path) -> None:
    """INTAKE 10: a workbook generated before the master's weights changed is rejected."""
    old_rules = VALID_MASTER["เกณฑ์"].replace("| B01        | '2.1'      | 40 ",
                                             "| B01        | '2.1'      | 30 ")
    old_rules = old_rules.replace("| B01        | '2.2'      | 20 ",
                                  "| B01        | '2.2'      | 30 ")
    old = load_master(write_master(tmp_path / "old.xlsx", **{"เกณฑ์": old_rules}))
    generate(old, 12, tmp_path / "old", offices=["B01"], jobs=1)
    stale = fill_return(tmp_path / "old" / "2569-R12-B01.xlsx", tmp_path / "s.xlsx", B01_RESULTS)
    report = run(tmp_path, forms, {"2569-R12-B01.xlsx": stale.read_bytes()})
    expect(report, "RETURN_STALE", Severity.ERROR, "2569-R12-B01.xlsx")
    assert office(report, "B01").status is Status.REJECTED


@pytest.mark.parametrize(("how", "code"), [("unsigned", "RETURN_SIGNATURE_MISSING"),
                                           ("forged", "RETURN_SIGNATURE_INVALID"),
                                           ("other key", "RETURN_SIGNATURE_INVALID")])
def test_signature_when_a_key_is_configured(how: str, code: str, signed: Forms, forms: Forms,
                                            tmp_path: Path) -> None:
    """INTAKE 12: with a key configured, a missing or wrong signature rejects the return."""
    if how == "unsigned":
        data = forms.b01
    elif how == "forged":
        data = edit(signed.b01, set_meta("signature", "0" * 64))
    else:
        (tmp_path / "other").mkdir()
        other = _forms(tmp_path / "other", b"another key")
        data = other.b01
    report = run(tmp_path, signed, {"2569-R12-B01.xlsx": data})
    expect(report, code, Severity.ERROR, "2569-R12-B01.xlsx", sheet=META)
    assert office(report, "B01").status is Status.REJECTED


def test_signed_return_is_accepted(signed: Forms, tmp_path: Path) -> None:
    """INTAKE 12, the other side: the right signature passes."""
    report = run(tmp_path, signed, {"2569-R12-B01.xlsx": signed.b01})
    assert office(report, "B01").status is Status.ACCEPTED


def test_same_bytes_twice_is_not_a_conflict(forms: Forms, tmp_path: Path) -> None:
    """INTAKE 13: the same file under two names counts once, with a warning, no conflict."""
    report = run(tmp_path, forms, {"2569-R12-B01.xlsx": forms.b01, "สำเนา.xlsx": forms.b01})
    codes = {p.code for p in report.problems}
    assert "RETURN_DUPLICATE" not in codes
    expect(report, "RETURN_SAME_FILE_TWICE", Severity.WARNING, "สำเนา.xlsx")
    assert office(report, "B01").status is Status.ACCEPTED


def _filled(forms: Forms, tmp_path: Path, results: dict[str, object],
            texts: dict[str, dict[str, str]] | None = None) -> bytes:
    path = fill_return(forms.gen / "2569-R12-B01.xlsx", tmp_path / "filled.xlsx", results, texts)
    return path.read_bytes()


RESULT_CASES = {  # INTAKE 15 and 17: errors on the KPI leave the office incomplete
    "missing": ({"2.1": 84, "3.1": 4}, "RESULT_MISSING", E, INC, "K9"),
    "formula": ({**B01_RESULTS, "2.2": "=1+2"}, "RESULT_FORMULA", E, INC, "K9"),
    "error value": ({**B01_RESULTS, "2.2": "#DIV/0!"}, "RESULT_ERROR_VALUE", E, INC, "K9"),
    "not a number": ({**B01_RESULTS, "2.2": "ประมาณ 3 วัน"}, "RESULT_NOT_NUMBER", E, INC, "K9"),
    "milestone 7": ({**B01_RESULTS, "3.1": 7}, "RESULT_MILESTONE_INVALID", E, INC, "K10"),
    "milestone 2.5": ({**B01_RESULTS, "3.1": 2.5}, "RESULT_MILESTONE_INVALID", E, INC, "K10"),
    "negative percent": ({**B01_RESULTS, "2.1": -5}, "RESULT_NEGATIVE_PERCENT", E, INC, "K8"),
    "above 100 percent": ({**B01_RESULTS, "2.1": 150}, "RESULT_IMPLAUSIBLE", W, OK, "K8"),
}


@pytest.mark.parametrize("results,code,severity,status,cell", RESULT_CASES.values(),
                         ids=RESULT_CASES.keys())
def test_doubtful_results(results: dict[str, object], code: str, severity: Severity,
                          status: Status, cell: str, forms: Forms, tmp_path: Path) -> None:
    """INTAKE 15, 17: the KPI gets no score (or a warning); never a 0."""
    report = run(tmp_path, forms, {"2569-R12-B01.xlsx": _filled(forms, tmp_path, results)})
    expect(report, code, severity, "2569-R12-B01.xlsx", REPORT, cell)
    b01 = office(report, "B01")
    assert b01.status is status
    assert (b01.total_score is None) == (status is INC)


@pytest.mark.parametrize(("typed", "kpi", "number"), [
    ("1,234.5", "2.2", "1234.5"), ("84%", "2.1", "84"), ("๘๔", "2.1", "84"),
    (" 84 ", "2.1", "84"), ("๓.๕", "2.2", "3.5"), ("\u00a084\u00a0", "2.1", "84"),
])
def test_numbers_typed_as_text(typed: str, kpi: str, number: str, forms: Forms,
                               tmp_path: Path) -> None:
    """INTAKE 16: unambiguous text numbers are read, with a warning, and score as the number."""
    (tmp_path / "t").mkdir()
    text = _filled(forms, tmp_path / "t", {**B01_RESULTS, kpi: typed})
    (tmp_path / "n").mkdir()
    plain = _filled(forms, tmp_path / "n", {**B01_RESULTS, kpi: float(number)})
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with_text = run(tmp_path / "a", forms, {"2569-R12-B01.xlsx": text})
    with_number = run(tmp_path / "b", forms, {"2569-R12-B01.xlsx": plain})
    expect(with_text, "RESULT_NUMBER_AS_TEXT", Severity.WARNING, "2569-R12-B01.xlsx", REPORT)
    assert office(with_text, "B01").total_score == office(with_number, "B01").total_score
    assert office(with_text, "B01").total_score is not None


TRICKY = ["=HYPERLINK(\"http://example.com\",\"คลิก\")", "+66 2 123 4567", "-ไม่มี-",
          "@ทุกคน", "ก" * 4000]


def test_long_and_formula_like_texts_stay_plain_text(forms: Forms, tmp_path: Path) -> None:
    """INTAKE 18: texts starting with = + - @ and very long texts reach the summary as text."""
    keys = ("NOTE", "DATA", "SUPPORT", "OBSTACLE", "EVIDENCE")
    texts = {"2.1": dict(zip(keys, TRICKY, strict=True))}
    report = run(tmp_path, forms, {"2569-R12-B01.xlsx": _filled(forms, tmp_path, B01_RESULTS,
                                                                texts)})
    assert office(report, "B01").status is Status.ACCEPTED
    write_summary(report, tmp_path / "s.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx")["รายละเอียดตัวชี้วัด"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "B01" and r[4].value == "2.1")
    found = {c.value: c.data_type for c in row if c.value in TRICKY}
    assert set(found) == set(TRICKY)
    assert set(found.values()) == {"s"}


@pytest.mark.parametrize("target", ["xls", "ods"])
def test_real_legacy_formats_from_libreoffice(target: str, forms: Forms, tmp_path: Path,
                                              libreoffice: Converter) -> None:
    """INTAKE 3 with real files: LibreOffice saves the return as .xls or .ods."""
    source = tmp_path / "src" / "2569-R12-B01.xlsx"
    source.parent.mkdir()
    source.write_bytes(forms.b01)
    [converted] = libreoffice([source], tmp_path / "lo", target)
    report = run(tmp_path, forms, {converted.name: converted.read_bytes()})
    expect(report, "FILE_OTHER_FORMAT", Severity.ERROR, converted.name)
    assert office(report, "B01").status is Status.MISSING
