"""The C reader (workbook_engine/xlsx/_fastsheet.c) reads what the Python reader reads.

It is an accelerator only: wherever it returns something, that must be what the Python reader
returns for the same bytes, and it must read the sheets real files have (else it would never be
used). Sheets are made up by hypothesis from the pieces that matter (references, kinds,
children, texts with entities and CDATA, hidden rows, nesting), then also taken from the shipped
samples and from damaged copies of them. Texts hold ``_xHHHH_`` escapes, which both decode, and
worksheets whose root has a prefix hold elements in no namespace, which both read.
"""

from __future__ import annotations

import io
import random
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbook_engine.xlsx import reader as xlsx_reader
from workbook_engine.xlsx.reader import MAX_SHEET_ROWS, _numbered_rows, _sheet_cells

from .conftest import missing

ROOT = Path(__file__).resolve().parent.parent
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRINGS = ["ศูนย์", "one & two", "  spaced  ", "<r>x</r>"]

if xlsx_reader._fastsheet is None:     # pragma: no cover - a machine without a C compiler
    missing("the C reader (workbook_engine.xlsx._fastsheet) was not built: a C compiler is needed",
            module=True)


def strings() -> list[str]:
    return STRINGS


def _mutator() -> Callable[[random.Random, bytes], bytes]:
    """fuzz/fuzz_returns.py's mutation of an XML part as text."""
    sys.path.insert(0, str(ROOT / "fuzz"))
    try:
        from fuzz_returns import mutate_text
    finally:
        sys.path.pop(0)
    return mutate_text


mutate_text = _mutator()


def both(read: Callable[[], Any], monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """``read()`` with the C reader, then with the Python reader: each result or exception type."""
    results = []
    for fast in (xlsx_reader._fastsheet, None):
        with monkeypatch.context() as patch:
            patch.setattr(xlsx_reader, "_fastsheet", fast)
            try:
                results.append(read())
            except Exception as exc:   # the Python reader's errors: the C reader must agree
                results.append(type(exc))
    return results[0], results[1]


def cells_of(data: bytes, max_row: int, max_col: int) -> object:
    found = _sheet_cells(data, max_row, max_col, strings)
    return found.cells, found.hidden_rows


# -- sheets made up ---------------------------------------------------------------------------

ESCAPES = ["_x000D_", "_x005F_", "_x0041_", "_x00e9_", "_xD83D_", "_xde00_", "_xD83D__xDE00_",
           "_x0000_", "_x", "_x00", "41_", "_X0041_", "_x12G4_", "&#95;x0041_",
           "_x00<![CDATA[0D]]>_"]
TEXT = st.lists(st.sampled_from(["1", "2.5", "-3e2", " 7 ", "x", "ก", "&amp;", "&lt;", "&#3585;",
                                 "&#x41;", "<![CDATA[a<b]]>", "\r\n", " ", "", "true", "#N/A",
                                 "1_000", "nan", "0", "+", ".", "e", "1E+5", "00.5",
                                 *ESCAPES]), max_size=4).map("".join)
# What the C reader reads itself ...
REFS = ["", "A1", "B2", "C3", "b2", "A01", "AB3", "ZZZ9", "A0000000002"]
KINDS = ["n", "s", "str", "inlineStr", "b", "e", "d", "", "inlinestr", "zz"]
ROW_NUMBERS = ["1", "2", "3", "5", "4", "0", "007", "abc", "", "99999999999", "00000000003"]
INLINE = [TEXT.map(lambda t: f"<t>{t}</t>"),
          TEXT.map(lambda t: f'<t xml:space="preserve">{t}</t>'),
          TEXT.map(lambda t: f"<r><rPr><b/><sz val=\"16\"/></rPr><t>{t}</t></r>"),
          TEXT.map(lambda t: f"<rPh sb=\"0\" eb=\"1\"><t>{t}</t></rPh>"),
          st.just("<phoneticPr fontId=\"1\"/>"), st.just("<x:t xmlns:x=\"urn:other\">no</x:t>")]
CHILDREN = [TEXT.map(lambda t: f"<f>{t}</f>"), st.just("<f/>"), st.just('<f t="shared" si="0"/>'),
            TEXT.map(lambda t: f"<v>{t}</v>"), st.just("<v/>"), st.just(" "),
            st.lists(st.one_of(INLINE), max_size=3).map(lambda p: f"<is>{''.join(p)}</is>")]
# ... and what makes it give up (the Python reader then reads the sheet)
ODD_REFS = ["$A$1", "AAAA1", "1A", "A", "A๑", "A12345678901"]
ODD_ROW_NUMBERS = ["٣", "๑"]
ODD_CHILDREN = [st.just("<extLst/>"), st.just("<v>1<x/></v>"), st.just("<c><v>5</v></c>"),
                st.just('<o:v xmlns:o="urn:other">9</o:v>'),
                st.just("<is><r><rPr><t>x</t></rPr></r></is>"), st.just("<is><t>a<b/>c</t></is>")]


@st.composite
def cell(draw: st.DrawFn, odd: bool) -> str:
    ref = draw(st.one_of(st.none(), st.sampled_from(REFS + (ODD_REFS if odd else []))))
    kind = draw(st.one_of(st.none(), st.sampled_from(KINDS)))
    attrs = (f' r="{ref}"' if ref is not None else "") + (f' t="{kind}"' if kind is not None
                                                         else "") + ' s="3"'
    children = draw(st.lists(st.one_of(CHILDREN + (ODD_CHILDREN if odd else [])), max_size=3,
                             unique_by=lambda c: c[1:2]))   # one <f>, <v>, <is> each
    if kind == "s" and not odd:      # a shared string's index (Python refuses other text)
        index = draw(st.sampled_from(["0", "3", " 2 ", "9", "-1", "1_0", "99999999999999999999",
                                      "003", "000000000000000001", "+1"]))
        children = [f"<v>{index}</v>" if c.startswith("<v") else c for c in children]
    return f"<c{attrs}/>" if not children else f"<c{attrs}>{''.join(children)}</c>"


@st.composite
def row(draw: st.DrawFn, odd: bool) -> str:
    numbers = ROW_NUMBERS + (ODD_ROW_NUMBERS if odd else [])
    number = draw(st.one_of(st.none(), st.sampled_from(numbers)))
    hidden = draw(st.one_of(st.none(), st.sampled_from(["1", "true", "0", "false"])))
    attrs = (f' r="{number}"' if number is not None else "") + \
        (f' hidden="{hidden}"' if hidden is not None else "")
    inside = "".join(draw(st.lists(cell(odd), max_size=4)))
    extra = draw(st.sampled_from(["", "", " \n "] + (["<extLst/>", "<!-- c -->"] if odd else [])))
    if odd and draw(st.booleans()):
        attrs += draw(st.sampled_from([' xmlns=""', f' xmlns="{NS}"', ' xmlns="urn:other"']))
    return f"<row{attrs}>{inside}{extra}</row>"


@st.composite
def sheet(draw: st.DrawFn, odd: bool) -> bytes:
    rows = "".join(draw(st.lists(row(odd), max_size=6)))
    before = draw(st.sampled_from(["", '<dimension ref="A1"/>']
                                  + (["<!-- </sheetData> -->", "<!-- a comment -->",
                                      '<row r="9"><c r="A9"><v>9</v></c></row>'] if odd else [])))
    after = draw(st.sampled_from(["", "<dataValidations/>"]
                                 + (["<sheetData/>", "<broken>",
                                     '<row r="8"><c r="A8"><v>8</v></c></row>'] if odd else [])))
    declaration = draw(st.sampled_from(["", '<?xml version="1.0" encoding="UTF-8"?>\n']))
    root = draw(st.sampled_from(ROOTS + (ODD_ROOTS if odd else [])))
    tag = root.split()[0]
    return (f"{declaration}<{root}>{before}<sheetData>{rows}</sheetData>{after}</{tag}>").encode()


# the worksheet's root: its elements are in the main namespace, or in none, read as if they were
ROOTS = [f'worksheet xmlns="{NS}"', f'x:worksheet xmlns:x="{NS}"', "worksheet",
         f'x:worksheet xmlns:r="urn:r" xmlns:x="{NS}"']
ODD_ROOTS = [f'x:worksheet xmlns:x="{NS}" xmlns="urn:other"', 'worksheet xmlns="urn:other"',
             f'worksheet xmlns = "{NS}"', f'x:worksheet xmlns:x="{NS}" a=">" xmlns="urn:o"']


def read_alike(data: bytes, max_row: int, max_col: int) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, slow = both(lambda: cells_of(data, max_row, max_col), monkeypatch)
        assert repr(fast) == repr(slow)     # repr: NaN equals itself there
        fast, slow = both(lambda: _numbered_rows(data, max_col, strings), monkeypatch)
        assert repr(fast) == repr(slow)     # repr: NaN equals itself there
        fast, slow = both(lambda: _numbered_rows(data, max_col, strings, UNSAVED), monkeypatch)
        assert repr(fast) == repr(slow)


UNSAVED = "<a formula without its value>"      # what read_rows may be asked to read it as


def test_a_formula_without_its_value_reads_as_asked_in_c_and_in_python(
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = (f'<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1"><f>1+1</f></c>'
            '<c r="B1"><f>2+2</f><v>4</v></c><c r="C1"/></row></sheetData></worksheet>').encode()
    for unsaved, expected in ((None, (None, 4.0)), (UNSAVED, (UNSAVED, 4.0))):
        fast, slow = both(lambda u=unsaved: _numbered_rows(data, 8, strings, u), monkeypatch)
        assert fast == slow == [(1, expected)]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=sheet(odd=False), max_row=st.integers(0, 6), max_col=st.integers(0, 30))
def test_sheets_of_the_usual_shape_are_read_in_c_alike(data: bytes, max_row: int,
                                                      max_col: int) -> None:
    from workbook_engine.xlsx import _fastsheet
    from workbook_engine.xlsx.reader import Cell, _fast_input

    fast_input = _fast_input(data)
    assert fast_input is not None
    extent, bare = fast_input
    assert _fastsheet.cells(extent, max_row, max_col, strings, Cell, bare) is not None
    read_alike(data, max_row, max_col)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=sheet(odd=True), max_row=st.integers(0, 6), max_col=st.integers(0, 30))
def test_odd_sheets_read_alike(data: bytes, max_row: int, max_col: int) -> None:
    read_alike(data, max_row, max_col)


ESCAPED = st.lists(st.sampled_from([*ESCAPES, "_xDBFF_", "_xdc00_", "_xDFFF_", "_xD800_",
                                    "_xFFFF_", "a", "_", "x"]), max_size=6).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs=st.lists(ESCAPED, min_size=1, max_size=3), value=ESCAPED, bare=st.booleans())
def test_escaped_texts_are_read_in_c_alike(runs: list[str], value: str, bare: bool) -> None:
    """Inline strings of one or more runs, and formulas' string results, made mostly of escapes
    (surrogates alone, in pairs and the wrong way round, split by runs, entities and CDATA),
    under a root with or without a prefix."""
    from workbook_engine.xlsx import _fastsheet
    from workbook_engine.xlsx.reader import Cell

    inline = "".join(f"<r><t>{text}</t></r>" for text in runs)
    root = f'x:worksheet xmlns:x="{NS}"' if bare else f'worksheet xmlns="{NS}"'
    data = (f'<{root}><sheetData><row r="1"><c r="A1" t="inlineStr"><is>{inline}</is></c>'
            f'<c r="B1" t="str"><f>A1</f><v>{value}</v></c><c r="C1" t="inlineStr"><is><t>'
            f"{value}</t></is></c></row></sheetData></{root.split()[0]}>").encode()
    assert _fastsheet.cells(data, 1, 3, strings, Cell, bare) is not None
    read_alike(data, 1, 3)


def test_it_gives_up_rather_than_guess() -> None:
    """Shapes it does not handle come back as None (the Python reader then reads them)."""
    from workbook_engine.xlsx import _fastsheet
    from workbook_engine.xlsx.reader import Cell

    def read(rows: str) -> object:
        data = f'<worksheet xmlns="{NS}"><sheetData>{rows}</sheetData></worksheet>'.encode()
        return _fastsheet.cells(data, 10, 10, strings, Cell)

    assert read('<row r="1"><c r="A1"><v>1</v></c></row>') == ({(1, 1): Cell(1.0, "n", None)},
                                                                set())
    for odd in ('<row r="1"><c r="$A$1"><v>1</v></c></row>',           # a reference with $
                '<row r="1"><c r="A1"><v>1<x/></v></c></row>',          # an element in <v>
                '<row r="1"><c r="A1"><c r="B1"/></c></row>',           # a cell in a cell
                '<row r="๑"><c r="A1"><v>1</v></c></row>',              # a Thai digit
                '<row r="1"><c r="A1" t="s"><v>x</v></c></row>',        # an index not a number
                '<row r="1"><c r="A1"><v>1</v></c>'):                   # not well-formed
        assert read(odd) is None, odd


# -- real sheets and damaged ones ------------------------------------------------------------

def real_books(tmp_path: Path) -> list[Path]:
    """A form generated into ``tmp_path`` (xlsxwriter), the shipped samples (openpyxl and
    LibreOffice saved them; returns, proposals, reviews, the year before) and the master."""
    from workbook_engine.forms.generate import generate
    from workbook_engine.master.reader import load_master

    generate(load_master(ROOT / "templates" / "master.xlsx"), 12, tmp_path, offices=["B01"],
             jobs=1)
    return [tmp_path / "2569-R12-B01.xlsx", *sorted((ROOT / "samples").rglob("*.xlsx")),
            ROOT / "templates" / "master.xlsx"]


def sheet_parts(data: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]


def test_real_sheets_are_read_in_c(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every sheet of a generated workbook (xlsxwriter), of the shipped samples (openpyxl and
    LibreOffice saved them) and of the master is read by the C reader, and alike."""
    books = real_books(tmp_path)
    from workbook_engine.xlsx import _fastsheet
    from workbook_engine.xlsx.reader import Cell, _fast_input

    for book in books:
        for part in sheet_parts(book.read_bytes()):
            fast_input = _fast_input(part)
            assert fast_input is not None
            extent, bare = fast_input
            assert _fastsheet.cells(extent, 200, 30, strings, Cell, bare) is not None, book.name
            assert _fastsheet.rows(extent, MAX_SHEET_ROWS, 64, strings, Cell, bare) is not None
            fast, slow = both(lambda p=part: cells_of(p, 200, 30), monkeypatch)
            assert repr(fast) == repr(slow)     # repr: NaN equals itself there
            fast, slow = both(lambda p=part: _numbered_rows(p, 64, strings), monkeypatch)
            assert repr(fast) == repr(slow)     # repr: NaN equals itself there


def test_damaged_sheets_read_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sheets of samples damaged as the fuzzer damages them (bytes flipped, text cut, tags
    moved) give the same cells, or the same error, either way."""
    rng = random.Random(20261125)
    parts = [p for book in sorted((ROOT / "samples").glob("*.xlsx"))
             for p in sheet_parts(book.read_bytes())]
    for _ in range(400):
        damaged = mutate_text(rng, rng.choice(parts))
        max_row, max_col = rng.choice([(30, 18), (100, 2), (MAX_SHEET_ROWS, 64)])
        fast, slow = both(lambda d=damaged, r=max_row, c=max_col: cells_of(d, r, c), monkeypatch)
        assert repr(fast) == repr(slow)     # repr: NaN equals itself there
        fast, slow = both(lambda d=damaged: _numbered_rows(d, 64, strings), monkeypatch)
        assert repr(fast) == repr(slow)     # repr: NaN equals itself there


def test_shared_strings_that_fail_or_are_short_read_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared strings are asked for on the first shared-string cell: an error there, a
    table that is not a list, or one shorter than the index, end alike either way."""
    from workbook_engine.xlsx.reader import NotAWorkbook

    data = (f'<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1" t="s"><v>1</v></c>'
            '<c r="B1" t="s"><v>7</v></c></row></sheetData></worksheet>').encode()

    def broken() -> list[str]:
        raise NotAWorkbook("FILE_CORRUPT", "sharedStrings")

    for table in (broken, lambda: ("a", "b"), lambda: ["only"]):
        fast, slow = both(lambda t=table: _sheet_cells(data, 5, 5, t), monkeypatch)  # type: ignore[misc]
        assert repr(fast) == repr(slow)


def big_part(rows: int, tail: str = "", extra: str = "") -> bytes:
    """A sheet part of ``rows`` rows of three cells (over 2 MB from about 25,000 rows)."""
    body = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>สำนักงาน {n}</t></is></c>'
                   f'<c r="B{n}"><v>{n * 1.5}</v></c><c r="C{n}" t="str"><v>x{n}</v></c></row>'
                   for n in range(1, rows + 1))
    return (f'<worksheet xmlns="{NS}"><sheetData>{body}{extra}</sheetData>{tail}'
            "</worksheet>").encode()


@pytest.mark.parametrize("tail, extra", [
    ("", ""),
    ("<broken>", ""),                                                  # damage after the rows
    ('<row r="99999"><c r="A99999"><v>1</v></c></row>', ""),         # a row after them
    ("", '<row r="1048577"><c r="A1048577"><v>1</v></c></row>'
         '<row r="1048578"><c r="A1048578"><v>2</v></c></row>'),      # past a sheet's last row
])
def test_big_parts_read_alike(tail: str, extra: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A table part over 2 MB (streamed by the Python reader, parsed whole by the C reader)
    gives the same rows both ways."""
    from workbook_engine.xlsx import reader as X

    data = big_part(30_000, tail, extra)
    assert len(data) > X.WHOLE_PART_BYTES
    fast, slow = both(lambda: _numbered_rows(data, 64, strings), monkeypatch)
    assert repr(fast) == repr(slow)


# -- workbook.xml ----------------------------------------------------------------------------

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
ATTRIBUTE = st.sampled_from(["Sheet1", "รายงานผล", "a &amp; b", "&#3585;", "", " x ", "&quot;"])


@st.composite
def sheet_element(draw: st.DrawFn) -> str:
    relationship = draw(st.sampled_from(["r:id", "rel:id"]))     # one prefix or the other
    attributes = [f'{key}="{draw(ATTRIBUTE)}"' for key in ("name", "state", relationship)
                  if draw(st.booleans())]
    return f"<sheet {' '.join(attributes)}/>"


@st.composite
def defined_name(draw: st.DrawFn, odd: bool) -> str:
    attributes = [f'{key}="{draw(ATTRIBUTE)}"' for key in ("name", "localSheetId", "hidden")
                  if draw(st.booleans())]
    pieces = ["'รายงานผล'!$N$7", " ", "&amp;", "<![CDATA[<x>]]>", "&#x41;", "\r\n"]
    if odd:
        pieces += ["<x/>", "<definedName name=\"in\">a</definedName>", "<!-- c -->"]
    text = "".join(draw(st.lists(st.sampled_from(pieces), max_size=4)))
    return f"<definedName {' '.join(attributes)}>{text}</definedName>"


@st.composite
def workbook_part(draw: st.DrawFn, odd: bool) -> bytes:
    root = draw(st.sampled_from([f'workbook xmlns="{NS}"', 'workbook',
                                 'workbook xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"',
                                 f'x:workbook xmlns:x="{NS}"']))
    sheets = "".join(draw(st.lists(sheet_element(), max_size=4)))
    names = "".join(draw(st.lists(defined_name(odd), max_size=4)))
    where = draw(st.sampled_from(["<sheets>{s}</sheets><definedNames>{n}</definedNames>",
                                  "<definedNames>{n}</definedNames><sheets>{s}</sheets>",
                                  "<extLst><ext>{s}{n}</ext></extLst>", "{s}{n}"]))
    body = where.format(s=sheets, n=names)
    tag = root.split()[0]
    text = f'<{root} xmlns:r="{REL}" xmlns:rel="{REL}"><workbookPr/>{body}</{tag}>'
    if odd:
        text = draw(st.sampled_from([text, text[:-3], text.replace("<sheets>", "<sheets>&bad;"),
                                     "<?xml version='1.0'?>" + text]))
    return text.encode()


def read_workbook_alike(data: bytes, monkeypatch: pytest.MonkeyPatch) -> object:
    from workbook_engine.xlsx.reader import _workbook_xml

    fast, slow = both(lambda: _workbook_xml(data), monkeypatch)
    assert fast == slow
    return fast


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=workbook_part(odd=False))
def test_workbook_parts_are_read_in_c_alike(data: bytes) -> None:
    """The sheets and defined names of workbook.xml, with entities, CDATA, prefixes, missing
    attributes and elements in odd places, are read in C as ElementTree reads them."""
    from workbook_engine.xlsx import _fastsheet

    with pytest.MonkeyPatch.context() as monkeypatch:
        read_workbook_alike(data, monkeypatch)
    assert _fastsheet.workbook(data) is not None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=workbook_part(odd=True))
def test_odd_workbook_parts_read_alike(data: bytes) -> None:
    """Elements inside a defined name, broken XML, undefined entities: the C reader gives up or
    agrees, and the error is the Python reader's."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        read_workbook_alike(data, monkeypatch)


def test_real_and_damaged_workbook_parts_read_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook_engine.xlsx import _fastsheet

    parts = []
    for book in [*sorted((ROOT / "samples").glob("*.xlsx")), ROOT / "templates" / "master.xlsx"]:
        with zipfile.ZipFile(book) as archive:
            parts.append(archive.read("xl/workbook.xml"))
    for part in parts:
        assert _fastsheet.workbook(part) is not None
        read_workbook_alike(part, monkeypatch)
    rng = random.Random(20261125)
    for _ in range(300):
        read_workbook_alike(mutate_text(rng, rng.choice(parts)), monkeypatch)


# -- small package parts: relationships and content types -------------------------------------

PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
NAMES = (f"{{{PKG}}}Relationship", "Default")      # one in a namespace, one in none
ASKED = ("Id", "Type", "Target", "TargetMode")
VALUE = st.sampled_from(["rId1", "", "a &amp; b", "&#x41;", " x ", "/xl/my%20book.xml", "&quot;",
                         "ก\tข\n", "External"])


@st.composite
def package_element(draw: st.DrawFn, odd: bool) -> str:
    tag = draw(st.sampled_from(["Relationship", "p:Relationship", "Default", "Override",
                                'Relationship xmlns="urn:other"', 'Default xmlns=""']))
    attributes = [f'{key}="{draw(VALUE)}"' for key in (*ASKED, "p:Id", "Extension")
                  if draw(st.booleans())]
    inside = draw(st.sampled_from(["", "", "text", "<Relationship Id='in'/>"]
                                  + (["<!-- c -->", "<![CDATA[x]]>"] if odd else [])))
    return f"<{tag} {' '.join(attributes)}>{inside}</{tag.split()[0]}>"


@st.composite
def package_part(draw: st.DrawFn, odd: bool) -> bytes:
    root = draw(st.sampled_from([f'Relationships xmlns="{PKG}" xmlns:p="{PKG}"',
                                 f'p:Relationships xmlns:p="{PKG}"', f'Types xmlns:p="{PKG}"']))
    elements = "".join(draw(st.lists(package_element(odd), max_size=5)))
    text = f"<{root}>{elements}</{root.split()[0]}>"
    if odd:
        text = draw(st.sampled_from([text, text[:-3], text.replace("</", "&bad;</", 1),
                                     "<?xml version='1.0' encoding='utf-8'?>" + text]))
    return text.encode()


def read_elements_alike(data: bytes, monkeypatch: pytest.MonkeyPatch,
                        read: tuple[tuple[str, ...], tuple[str, ...]] = (NAMES, ASKED)) -> object:
    from workbook_engine.xlsx.reader import _elements

    fast, slow = both(lambda: _elements(data, *read), monkeypatch)
    assert fast == slow
    return fast


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=package_part(odd=False))
def test_package_parts_are_read_in_c_alike(data: bytes) -> None:
    """Relationships and content types, with prefixes, other namespaces, entities, missing and
    namespaced attributes and elements inside elements, are read in C as ElementTree reads
    them."""
    from workbook_engine.xlsx import _fastsheet

    with pytest.MonkeyPatch.context() as monkeypatch:
        read_elements_alike(data, monkeypatch)
    assert _fastsheet.elements(data, tuple(n.lstrip("{") for n in NAMES), ASKED) is not None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=package_part(odd=True))
def test_odd_package_parts_read_alike(data: bytes) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        read_elements_alike(data, monkeypatch)


def test_real_package_parts_read_alike(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The content types and relationships of generated workbooks, the samples and the master
    are read in C, as the reader reads them, and alike."""
    from workbook_engine.xlsx import _fastsheet
    from workbook_engine.xlsx.reader import _RELATIONSHIPS_READ, _TYPES_READ

    reads = {"[Content_Types].xml": _TYPES_READ, "_rels/.rels": _RELATIONSHIPS_READ,
             "xl/_rels/workbook.xml.rels": _RELATIONSHIPS_READ}
    for book in real_books(tmp_path):
        with zipfile.ZipFile(book) as archive:
            for name, read in reads.items():
                part = archive.read(name)
                assert _fastsheet.elements(part, ("x",), ()) is not None
                assert read_elements_alike(part, monkeypatch, read), (book.name, name)


def real_parts(tmp_path: Path, suffix: str | tuple[str, ...] = (".xml", ".rels")) -> list[bytes]:
    """The XML parts (named with ``suffix``) of :func:`real_books`."""
    parts = []
    for book in real_books(tmp_path):
        with zipfile.ZipFile(book) as archive:
            parts += [archive.read(n) for n in archive.namelist()
                      if n.endswith(suffix)]
    return parts


# -- the shared-string table ---------------------------------------------------------------------

STRING_TEXT = st.sampled_from(["ศูนย์", "a &amp; b", "&#x41;_x000D_", "_x0041_", "  ", "",
                               "&lt;r&gt;", "<![CDATA[<b>]]>", "\r\n", "_xD83D__xDE00_"])


@st.composite
def string_item(draw: st.DrawFn, odd: bool) -> str:
    def t() -> str:
        space = draw(st.sampled_from(["", ' xml:space="preserve"']))
        return f"<t{space}>{draw(STRING_TEXT)}</t>"

    def run() -> str:
        inside = draw(st.sampled_from(["", '<rPr><b/><sz val="11"/></rPr>',
                                       "<rPr><t>in</t></rPr>"]))
        return f"<r>{inside}{t()}{draw(st.sampled_from(['', t()]))}</r>"

    pieces = [t, run, lambda: f'<rPh sb="0" eb="1">{t()}</rPh>', lambda: "<phoneticPr/>",
              lambda: "<x:t>ns</x:t>", lambda: "<!-- c -->"]
    if odd:
        pieces += [lambda: "<si><t>in</t></si>", lambda: "<t>&bad;</t>", lambda: "<t>a<b/>c</t>",
                   lambda: "<other><si/></other>"]
    return "<si>" + "".join(draw(st.sampled_from(pieces))() for _ in range(draw(
        st.integers(0, 4)))) + "</si>"


@st.composite
def string_table(draw: st.DrawFn, odd: bool) -> bytes:
    root = draw(st.sampled_from([f'sst xmlns="{NS}" xmlns:x="{NS}"', f'x:sst xmlns:x="{NS}"',
                                 'sst xmlns:x="urn:other"']))
    items = "".join(draw(st.lists(string_item(odd), max_size=5)))
    where = draw(st.sampled_from(["{i}", "{i}<extLst/>"]
                                 + (["<x:other>{i}</x:other>"] if odd else [])))
    text = f"<{root}>{where.format(i=items)}</{root.split()[0]}>"
    if odd:
        text = draw(st.sampled_from([text, text[:-3], "<si><t>root</t></si>",
                                     "<?xml version='1.0' encoding='UTF-8'?>" + text]))
    return text.encode()


def strings_alike(data: bytes) -> bool:
    """The table's texts (or error) are the same read in C and in Python; whether the C reader
    read it itself."""
    from workbook_engine.xlsx import _fastsheet
    from workbook_engine.xlsx.reader import _shared_strings

    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, slow = both(lambda: _shared_strings("xl/sharedStrings.xml", data), monkeypatch)
    assert fast == slow
    return _fastsheet.strings(data) is not None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=string_table(odd=False))
def test_shared_string_tables_are_read_in_c_alike(data: bytes) -> None:
    """Plain and rich-text items, phonetic runs, _xHHHH_ escapes, entities, CDATA, prefixes and
    comments: the C reader reads them, and gives the texts ElementTree gives."""
    assert strings_alike(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=string_table(odd=True))
def test_odd_shared_string_tables_read_alike(data: bytes) -> None:
    """Nested items, elements in texts, broken XML, undefined entities: the C reader gives up
    or agrees, errors included."""
    strings_alike(data)


def test_real_and_damaged_shared_string_tables_read_alike(tmp_path: Path) -> None:
    """The tables of a generated form, the samples and the master are read in C, as in Python;
    damaged copies alike."""
    parts = real_parts(tmp_path, "sharedStrings.xml")
    assert len(parts) >= 4
    assert all(strings_alike(part) for part in parts)
    rng = random.Random(20261203)
    for _ in range(300):
        strings_alike(mutate_text(rng, rng.choice(parts)))


# -- the scanner (_xmlscan.c), which reads parts without expat where it can ----------------------

SCANNER_PIECES = {
    "usual": ['<c r="A1" s="1" t="s"><v>3</v></c>', "<t xml:space='preserve'> a </t>",
              '<x:c x:r="B2"/>', "text ก &amp; &lt;&gt; &quot;&apos; &#3585;&#x41;&#x1F600;",
              '<e a="&amp;&#10;&#x9;&quot;" b=\'"\' c="&apos;>"/>', "\n\t ", "]>",
              '<d xmlns="urn:d"><d2/></d>', '<p:e xmlns:p="urn:p" p:a="1" a="2"/>',
              '<n xmlns=""><m/></n>', '<w xmlns:x="urn:shadow"><x:c/></w>', "<v>1.5E-3</v>",
              '<c r = "A1" ></c >', "<a\n  b='1'\n/>", "_x000D_"],
    "odd": ["<!-- c -->", "<![CDATA[<x>]]>", "<?pi x?>", "\r\n", "a]]>b", "&bad;", "&#0;",
            "&#xD800;", "&#xFFFE;", "<a b='1' b='2'/>", '<q:u/>', "<a>", "</zz>", "<a b=1/>",
            '<a b="<"/>', '<a b="\t"/>', "\x01", "<ก/>", '<e xmlns:p=""/>', "<a:b:c/>",
            '<p:e xmlns:p="urn:p" xmlns:q="urn:p" p:a="1" q:a="2"/>', "&#xFFFFFFFFFF;",
            '<x xmlns:xml="urn:no"/>', "<a b='1'c='2'/>", "&#65", "<a/ >"],
}
SCANNER_ROOTS = [f'worksheet xmlns="{NS}" xmlns:x="{NS}"', 'root xmlns:x="urn:x"',
                 'x:root xmlns:x="urn:x"',
                 f'sst xmlns="{NS}" xmlns:x="{NS}" xmlns:mc="urn:mc"']
HEADS = ["", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n', "<?xml version='1.0'?>",
         '<?xml version="1.0" encoding="utf-8"?>']
ODD_HEADS = ["\ufeff", "  <?xml version='1.0'?>", '<?xml version="1.1"?>',
             '<?xml version="1.0" encoding="ISO-8859-1"?>',
             "<?xml version='1.0' standalone='maybe'?>", "<!DOCTYPE root>",
             "<?xml version='1.0'encoding='UTF-8'?>"]


@st.composite
def scanned_part(draw: st.DrawFn, odd: bool) -> bytes:
    pieces = SCANNER_PIECES["usual"] + (SCANNER_PIECES["odd"] if odd else [])
    root = draw(st.sampled_from(SCANNER_ROOTS))
    body = "".join(draw(st.lists(st.sampled_from(pieces), max_size=8)))
    head = draw(st.sampled_from(HEADS + (ODD_HEADS if odd else [])))
    tail = draw(st.sampled_from(["", "\n"] + (["x", "<second/>", "<!-- after -->"] if odd else [])))
    return f"{head}<{root}>{body}</{root.split()[0]}>{tail}".encode()


def scanned_alike(data: bytes) -> bool:
    """The scanner's events are expat's, or it leaves the part to expat; whether it read it."""
    from workbook_engine.xlsx import _fastsheet

    scanned = _fastsheet.events(data, True)
    if scanned is not None:
        assert scanned == _fastsheet.events(data, False)
    assert _fastsheet.scanned(data) is (scanned is not None)
    return scanned is not None


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=scanned_part(odd=False))
def test_the_scanner_reads_the_usual_xml_as_expat_does(data: bytes) -> None:
    """Namespaces declared and undeclared at any depth, prefixes on elements and attributes,
    references of every kind, both quotes, spaces around '=' and before '>': the same events
    as expat's, names resolved alike."""
    assert scanned_alike(data)


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=scanned_part(odd=True))
def test_the_scanner_leaves_to_expat_what_it_does_not_read(data: bytes) -> None:
    """Comments, CDATA, instructions, carriage returns, a byte order mark, other versions and
    encodings, and XML that is not well-formed (duplicate or unbound names, bad references,
    "]]>", control characters, mismatched tags): never read differently from expat."""
    scanned_alike(data)


def test_the_scanner_reads_real_parts_and_damaged_copies_alike(tmp_path: Path) -> None:
    """Every part of real workbooks is read by the scanner (else the speed is lost unseen), as
    expat reads it; mutated copies are read alike or left to expat."""
    parts = real_parts(tmp_path)
    assert len(parts) > 100
    assert all(scanned_alike(part) for part in parts)
    rng = random.Random(20261203)
    read = 0
    for _ in range(1500):
        part = rng.choice(parts)
        if rng.random() < 0.5:
            damaged = mutate_text(rng, part)
        else:
            damaged = bytearray(part)
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        read += scanned_alike(bytes(damaged))
    assert read > 300      # many mutations leave a part well-formed: those are still read
