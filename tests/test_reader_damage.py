"""Damaged zips found by the fuzzer (``make fuzz``) end as FILE_CORRUPT, never as a crash."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbook_engine.devkit.testing import candidate_file
from workbook_engine.harvesting.outcomes import Status
from workbook_engine.harvesting.returns import read_return
from workbook_engine.master.reader import load_master
from workbook_engine.model import Master
from workbook_engine.problems import Severity
from workbook_engine.xlsx.reader import _opens
from workbook_engine.xlsx.zips import (
    MAX_PART_BYTES,
    PartTooLarge,
    _inflate_in_memory,
    read_part,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = (ROOT / "samples" / "2569-R12-B01.xlsx").read_bytes()
SHEET = "xl/worksheets/sheet4.xml"


@pytest.fixture(scope="module")
def master() -> Master:
    return load_master(ROOT / "templates" / "master.xlsx")


def rezip(replace: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(SAMPLE)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info)))
    return out.getvalue()


def unknown_encoding() -> bytes:
    with zipfile.ZipFile(io.BytesIO(SAMPLE)) as src:
        xml = src.read(SHEET)
    return rezip({SHEET: b'<?xml version="1.0" encoding="UTF0"?>' + xml})


def unsupported_zip_version() -> bytes:
    data = bytearray(SAMPLE)
    at = data.rindex(b"PK\x01\x02")       # the last central-directory entry
    data[at + 6:at + 8] = (99).to_bytes(2, "little")   # "version needed to extract" 9.9
    return bytes(data)


def broken_deflate_stream() -> bytes:
    with zipfile.ZipFile(io.BytesIO(SAMPLE)) as src:
        info = src.getinfo(SHEET)
    data = bytearray(SAMPLE)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 20, start + 60):
        data[i] ^= 0x5A
    return bytes(data)


@pytest.mark.parametrize("make", [unknown_encoding, unsupported_zip_version,
                                  broken_deflate_stream])
def test_damage_is_reported_not_raised(make: object, master: Master, tmp_path: Path) -> None:
    data = make()  # type: ignore[operator]
    outcome = read_return(candidate_file(tmp_path, "damaged.xlsx", data), master, 12)
    assert outcome.status is Status.REJECTED
    [found] = [p for p in outcome.problems if p.is_error]
    assert found.code == "FILE_CORRUPT" and found.severity is Severity.ERROR
    assert "damaged.xlsx" in found.message


ROWS_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


@pytest.mark.parametrize("sheet_data", [
    '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="C1"><v>3</v></c></row>'
    '<row r="4"><c r="B4"><v>2.5</v></c></row>',                       # in order, with gaps
    '<row r="3"><c r="A3"><v>1</v></c></row><row r="1"><c r="A1"><v>2</v></c></row>',  # back
    '<row r="2"><c r="A2"><v>1</v></c></row><row r="2"><c r="B2"><v>2</v></c></row>',  # twice
    '<row r="1"><c r="A1"><v>1</v></c><c r="B5"><v>2</v></c></row>',   # a cell of another row
    '<row r="1"><c r="C1"><v>1</v></c><c r="A1"><v>2</v></c></row>',   # columns back
    '<row><c><v>1</v></c><c><v>2</v></c></row><row><c r="B2"><v>3</v></c></row>',  # no refs
    # what looks like a row start, where a cut into pieces would break the part
    '<row r="1"><c r="A1"><v>1</v></c></row><!-- <row r="2"><c r="A2"><v>9</v></c></row> -->'
    '<row r="2"><c r="A2"><v>2</v></c></row><row r="3"><c r="A3"><v>3</v></c></row>',
    '<row r="1"><c r="A1" t="str"><v><![CDATA[<row r="2"></sheetData>]]></v></c></row>'
    '<row r="2"><c r="A2"><v>2</v></c></row><row r="3"><c r="A3"><v>3</v></c></row>',
    '<row r="1"><c r="A1"><v>1</v></c><row r="2"><c r="A2"><v>2</v></c></row></row>'
    '<row r="3"><c r="A3"><v>3</v></c></row><row r="4"><c r="A4"><v>4</v></c></row>',  # nested
    '<row r="5"><c r="A5"><v>5</v></c></row><row r="6"><c r="A6"><v>6</v></c></row>'
    '<row r="2"><c r="A2"><v>2</v></c></row><row r="3"><c r="A3"><v>3</v></c></row>',  # back
])
def test_table_rows_are_the_cells_in_order(sheet_data: str) -> None:
    """read_rows (the master's tables) gives what grouping read_sheet's cells gives, however
    the rows and cells are ordered in the file."""
    from workbook_engine.xlsx.reader import XlsxReader

    reader = XlsxReader(rezip({SHEET: f"<worksheet {ROWS_NS}><sheetData>{sheet_data}"
                                      "</sheetData></worksheet>".encode()}), "t.xlsx")
    sheet = next(s for s in reader.sheets if s.part == SHEET)
    cells = reader.read_sheet(sheet, 1_048_576, 64).cells
    last = max(row for row, _ in cells)
    expected = [tuple(cells[(r, c)].value if (r, c) in cells else None
                      for c in range(1, 1 + max((c for rr, c in cells if rr == r), default=0)))
                for r in range(1, last + 1)]
    assert reader.read_rows(sheet, 64) == expected


@pytest.mark.parametrize("max_row, damage", [
    (2, '<row r="1"><c r="A1"><v>1</v></c><!-- <row r="3"> --></row>'),      # a row start
    (2, '<row r="1"><c r="A1" t="str"><v><![CDATA[</sheetData>]]></v></c></row>'),
])
def test_a_part_is_parsed_as_far_as_it_is_read(max_row: int, damage: str) -> None:
    """A sheet is parsed up to the first row past those asked for, else up to the end of its
    sheet data; where that text lies in a comment or a CDATA section, the whole part is parsed,
    so the rows after it are still read."""
    from workbook_engine.xlsx.reader import XlsxReader

    rows = damage + '<row r="2"><c r="B2"><v>2</v></c></row><row r="3"><c r="A3"><v>3</v></c></row>'
    reader = XlsxReader(rezip({SHEET: f"<worksheet {ROWS_NS}><sheetData>{rows}"
                                      "</sheetData></worksheet>".encode()}), "t.xlsx")
    sheet = next(s for s in reader.sheets if s.part == SHEET)
    cells = reader.read_sheet(sheet, max_row, 64).cells
    assert cells[(2, 2)].value == 2.0 and (3, 1) not in cells


def test_what_follows_the_rows_read_is_not_parsed() -> None:
    """Damage after the rows read (here after the sheet data, where a report form keeps its
    validations) does not hide the rows; damage among them is FILE_CORRUPT."""
    from workbook_engine.xlsx.reader import NotAWorkbook, XlsxReader

    rows = '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>'
    after = f"<worksheet {ROWS_NS}><sheetData>{rows}</sheetData><broken></worksheet>"
    reader = XlsxReader(rezip({SHEET: after.encode()}), "t.xlsx")
    sheet = next(s for s in reader.sheets if s.part == SHEET)
    assert reader.read_sheet(sheet, 2, 2).cells[(2, 1)].value == 2.0
    among = after.replace('<row r="2">', '<row r="2"><broken>')
    reader = XlsxReader(rezip({SHEET: among.encode()}), "t.xlsx")
    with pytest.raises(NotAWorkbook):
        reader.read_sheet(sheet, 2, 2)


@pytest.mark.parametrize("text", ["ก" * 40_000, "😀" * 20_000, "a" + "😀" * 16_383 + "b"])
def test_long_texts_are_cut_to_what_a_cell_holds(text: str, tmp_path: Path) -> None:
    """A text longer than an Excel cell holds (saved by another program) is cut to 32,767
    UTF-16 units, so the summary can hold it: counting characters let 20,000 emoji through,
    and the summary writer then stopped the whole harvest (a review found it)."""
    from workbook_engine.harvesting.returns import _text
    from workbook_engine.xlsx.bulk import PlainFormulaWorkbook
    from workbook_engine.xlsx.reader import Cell
    from workbook_engine.xlsx.writer import WORKBOOK_OPTIONS

    cut = _text(Cell(text, "s", None))
    assert text.startswith(cut) and len(cut.encode("utf-16-le")) <= 2 * 32_767
    assert len(cut.encode("utf-16-le")) >= 2 * 32_767 - 2
    wb = PlainFormulaWorkbook(str(tmp_path / "t.xlsx"), WORKBOOK_OPTIONS)
    rows = wb.add_worksheet("s").rows()
    rows.start(0)
    rows.string(0, cut)
    wb.close()


@pytest.mark.parametrize("stored", [b"NaN", b"inf", b"-Infinity"])
def test_a_locked_number_that_is_not_finite_is_a_changed_cell(stored: bytes, master: Master,
                                                              tmp_path: Path) -> None:
    """A weight stored as NaN or infinity (another program, or a hand edit) is a changed locked
    cell, named with its cell; the fuzzer found it stopping the check instead."""
    with zipfile.ZipFile(io.BytesIO(SAMPLE)) as src:
        xml = src.read(SHEET)
    weight = b'<c r="E7" s="10" t="n"><v>10</v></c>'
    assert weight in xml
    data = rezip({SHEET: xml.replace(weight, weight.replace(b"10</v>", stored + b"</v>"))})
    outcome = read_return(candidate_file(tmp_path, "b01.xlsx", data), master, 12)
    assert outcome.status is Status.REJECTED
    assert [(p.code, p.cell) for p in outcome.problems if p.is_error] == \
        [("RETURN_LOCKED_CHANGED", "E7")]


def _read_each(data: bytes, read: object) -> dict[str, object]:
    """Every member of the zip in ``data`` as ``read(archive, name)`` gives it, or the name of
    the exception it raises."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:
        return {"": type(exc).__name__}
    found: dict[str, object] = {}
    for name in archive.namelist():
        try:
            found[name] = read(archive, name)       # type: ignore[operator]
        except Exception as exc:
            found[name] = type(exc).__name__
    return found


def _by_zipfile(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as handle:
        data = handle.read(MAX_PART_BYTES + 1)
    if len(data) > MAX_PART_BYTES:
        raise PartTooLarge(name)
    return data


def _flipped(seed: int) -> bytes:
    rng = random.Random(seed)
    data = bytearray(SAMPLE)
    for _ in range(rng.choice((1, 1, 2, 8))):
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    return bytes(data)


@pytest.mark.parametrize("seed", range(400))
def test_parts_are_read_as_zipfile_reads_them(seed: int) -> None:
    """read_part inflates small parts itself: it gives what zipfile gives, byte for byte, and
    raises what zipfile raises, whatever bytes of the file are damaged."""
    data = _flipped(seed) if seed else SAMPLE
    assert _read_each(data, read_part) == _read_each(data, _by_zipfile)


def test_unusual_members_are_left_to_zipfile() -> None:
    """Stored, encrypted-flagged or mislabelled members are not inflated in memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("stored.xml", b"<a/>", zipfile.ZIP_STORED)
        archive.writestr("deflated.xml", b"<b/>" * 100, zipfile.ZIP_DEFLATED)
    archive = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    assert _inflate_in_memory(archive, archive.getinfo("stored.xml")) is None
    deflated = archive.getinfo("deflated.xml")
    assert _inflate_in_memory(archive, deflated) == b"<b/>" * 100
    deflated.flag_bits |= 0x1          # encrypted: zipfile asks for a password
    assert _inflate_in_memory(archive, deflated) is None
    deflated.flag_bits &= ~0x1
    deflated.CRC ^= 1                  # zipfile says "Bad CRC-32"
    assert _inflate_in_memory(archive, deflated) is None
    with pytest.raises(zipfile.BadZipFile):
        read_part(archive, "deflated.xml")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([b"<", b"!", b"?", b"a", b"<!", b"<?"]), max_size=60).map(b"".join),
       st.sampled_from([b"!", b"?"]), st.integers(0, 8))
def test_markup_is_found_as_a_plain_search_finds_it(data: bytes, mark: bytes, start: int) -> None:
    """_opens looks for ``<!`` and ``<?`` by the single byte first: it answers as the search for
    the pair does, with few occurrences of the byte or many."""
    assert _opens(data, mark, start) == (data.find(b"<" + mark, start) >= 0)


def negative_offsets() -> bytes:
    """A directory that claims to start further on than it does (the entries copied into the
    zip comment), which gives zipfile negative offsets for the members: it refuses them."""
    import struct

    end = SAMPLE.rfind(b"PK\x05\x06")
    fields = list(struct.unpack("<4s4H2LH", SAMPLE[end:end + 22]))
    local = SAMPLE[:fields[6]]
    comment = local + b"\0" * 64
    fields[6] += len(comment)
    fields[7] = len(comment)
    return SAMPLE[:end] + struct.pack("<4s4H2LH", *fields) + comment


def test_members_at_negative_offsets_are_refused_as_zipfile_refuses_them() -> None:
    data = negative_offsets()
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.infolist()[0].header_offset < 0
    assert _read_each(data, read_part) == _read_each(data, _by_zipfile)
    assert all(isinstance(v, str) for v in _read_each(data, read_part).values())   # errors


def test_a_workbook_without_its_workbook_part_says_so(master: Master, tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(SAMPLE)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "xl/workbook.xml":
                dst.writestr(info.filename, src.read(info))
    outcome = read_return(candidate_file(tmp_path, "2569-R12-B01.xlsx", out.getvalue()), master,
                          12)
    assert outcome.status is Status.REJECTED
    [found] = outcome.problems
    assert found.code == "FILE_CORRUPT" and "ไม่มีส่วน xl/workbook.xml" in found.message
