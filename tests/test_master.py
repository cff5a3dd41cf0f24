"""check-master: every problem found at once, each with code, sheet, cell and Thai message."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from workbook_engine.errors import InvalidMasterError
from workbook_engine.kinds import INHERITED
from workbook_engine.master.format import Direction
from workbook_engine.master.reader import load_master, read_master
from workbook_engine.problems import CATALOGUE, Severity

from .inline import VALID_MASTER, write_master


def codes(path: Path) -> list[tuple[str, str | None, str | None]]:
    return [(p.code, p.sheet, p.cell) for p in read_master(path).problems]


def test_valid_master_reads_into_model(tmp_path: Path) -> None:
    report = read_master(write_master(tmp_path / "m.xlsx"))
    assert report.problems == []
    master = report.master
    assert master is not None
    assert master.settings.fiscal_year == 2569
    assert master.settings.below_level1_score == 1
    assert list(master.offices) == ["B01", "B02"]
    assert master.kpis["2.2"].direction is Direction.LOWER
    assert master.kpis["1.1"].kind is INHERITED
    assert master.kpis["1.1"].org_kpi == "ORG-1"
    b02 = master.assignments_for("B02")
    assert [a.kpi for a in b02] == ["2.1", "3.1"]
    assert b02[0].criteria == tuple(Decimal(v) for v in ("92.5", "95", "97.5", "100", "102.5"))
    assert master.milestone_levels["3.1"][5] == "สรุปบทเรียน"
    assert master.org_scores["1.1"] == Decimal("4.215")


def test_fingerprint_changes_with_weight_but_not_with_names(tmp_path: Path) -> None:
    base = load_master(write_master(tmp_path / "a.xlsx"))
    renamed = VALID_MASTER["ตัวชี้วัด"].replace("| คะแนนองค์กร ", "| คะแนนกรม ")
    same = load_master(write_master(tmp_path / "b.xlsx", **{"ตัวชี้วัด": renamed}))
    reweighted = VALID_MASTER["เกณฑ์"].replace("| B02        | '2.1'      | 50 ",
                                              "| B02        | '2.1'      | 60 ")
    reweighted = reweighted.replace("| B02        | '3.1'      | 50 ",
                                    "| B02        | '3.1'      | 40 ")
    other = load_master(write_master(tmp_path / "c.xlsx", **{"เกณฑ์": reweighted}))
    assert base.fingerprint("B02") == same.fingerprint("B02")
    assert base.fingerprint("B02") != other.fingerprint("B02")
    assert base.fingerprint("B01") == other.fingerprint("B01")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    broken = """
        | รหัสหน่วยงาน | รหัสตัวชี้วัด | น้ำหนัก | ระดับ 1 | ระดับ 2 | ระดับ 3 | ระดับ 4 | ระดับ 5 |
        | B01        | '1.1'      | 20     |        |        |        |        |        |
        | B01        | '2.1'      | 40     | 60     | 70     | 70     | 90     | 100    |
        | B01        | '2.2'      | 20     | 1      | 2      | 3      | 4      | 5      |
        | B01        | '9.9'      | 20     |        |        |        |        |        |
        | B09        | '2.1'      | 50     | 1      | 2      | 3      | 4      | 5      |
        | B02        | '2.1'      | 50     | 92.5   | 95     |        | 100    | 102.5  |
        | B02        | '3.1'      | 40     |        |        |        |        |        |
    """
    found = codes(write_master(tmp_path / "m.xlsx", **{"เกณฑ์": broken}))
    assert ("MASTER_CRITERIA_ORDER", "เกณฑ์", "D3") in found
    assert ("MASTER_CRITERIA_ORDER", "เกณฑ์", "D4") in found
    assert ("MASTER_UNKNOWN_KPI", "เกณฑ์", "B5") in found
    assert ("MASTER_UNKNOWN_OFFICE", "เกณฑ์", "A6") in found
    assert ("MASTER_CRITERIA_MISSING", "เกณฑ์", "F7") in found
    assert ("MASTER_WEIGHT_SUM", "เกณฑ์", "C7") in found
    assert read_master(tmp_path / "m.xlsx").master is None


def test_messages_are_thai_and_name_file_sheet_and_cell(tmp_path: Path) -> None:
    broken = VALID_MASTER["เกณฑ์"].replace("| 60     | 70 ", "| 60     | 50 ")
    report = read_master(write_master(tmp_path / "m.xlsx", **{"เกณฑ์": broken}))
    [p] = report.problems
    assert p.code == "MASTER_CRITERIA_ORDER" and p.severity is Severity.ERROR
    assert p.message.startswith("ไฟล์ m.xlsx ชีต 'เกณฑ์' เซลล์ D3: ")
    assert "เพิ่มขึ้น" in p.message and "60 / 50 / 80 / 90 / 100" in p.message
    assert p.office == "B01"


@pytest.mark.parametrize("sheet", ["ตั้งค่า", "หน่วยงาน", "ตัวชี้วัด", "เกณฑ์"])
def test_missing_required_sheet(tmp_path: Path, sheet: str) -> None:
    found = codes(write_master(tmp_path / "m.xlsx", **{sheet: None}))
    assert ("MASTER_SHEET_MISSING", sheet, None) in found


def test_optional_sheets_may_be_absent_but_their_needs_are_reported(tmp_path: Path) -> None:
    report = read_master(write_master(tmp_path / "m.xlsx", **{"ผลองค์กร": None,
                                                              "ขั้นความสำเร็จ": None}))
    found = [(p.code, p.severity, p.cell) for p in report.problems]
    assert ("MASTER_ORG_SCORE_MISSING", Severity.WARNING, "A2") in found
    assert ("MASTER_MILESTONE_LEVELS_MISSING", Severity.ERROR, "A5") in found


def test_missing_column_names_header_row(tmp_path: Path) -> None:
    offices = """
        | รหัสหน่วยงาน | ชื่อหน่วยงาน | ผู้ทำคำรับรอง | ผู้ประสานงาน | อีเมล |
        | B01        | ก          | ข           | ค          | ง    |
    """
    found = codes(write_master(tmp_path / "m.xlsx", **{"หน่วยงาน": offices}))
    assert ("MASTER_COLUMN_MISSING", "หน่วยงาน", "A1") in found


def test_headers_are_trimmed_and_extra_columns_ignored(tmp_path: Path) -> None:
    offices = """
        | หมายเหตุ | ' รหัสหน่วยงาน ' | ชื่อหน่วยงาน | ผู้ทำคำรับรอง | ตำแหน่ง | ผู้ประสานงาน | อีเมล |
        | x       | B01            | ก          | ข           | ค      | ง          | จ    |
        | y       | B02            | ก          | ข           | ค      | ง          | จ    |
    """
    report = read_master(write_master(tmp_path / "m.xlsx", **{"หน่วยงาน": offices}))
    assert report.problems == []


def test_numbers_typed_as_text_with_thai_digits_are_read_with_a_warning(tmp_path: Path) -> None:
    text_numbers = VALID_MASTER["เกณฑ์"].replace("| 40     | 60 ", "| ' ๔๐ ' | '60' ")
    report = read_master(write_master(tmp_path / "m.xlsx", **{"เกณฑ์": text_numbers}))
    assert report.master is not None
    warned = [(p.code, p.cell) for p in report.problems]
    assert warned == [("MASTER_NUMBER_AS_TEXT", "C3"), ("MASTER_NUMBER_AS_TEXT", "D3")]
    assert report.master.assignments_for("B01")[1].weight == 40


def test_duplicates_and_bad_vocabulary(tmp_path: Path) -> None:
    kpis = VALID_MASTER["ตัวชี้วัด"] + """
        | '2.1' | ซ้ำ  | 2 | ร้อยละ | เชิงปริมาณ | มากดี |  |  |
        | '4.1' | ผิด  | 4 | ร้อยละ | เชิงปริมาณ | ขึ้นดี |  |  |
        | '4.2' | ผิด  | 2 | ร้อยละ | อื่นๆ      |      |  |  |
    """
    found = codes(write_master(tmp_path / "m.xlsx", **{"ตัวชี้วัด": kpis}))
    assert ("MASTER_DUPLICATE_CODE", "ตัวชี้วัด", "A6") in found
    assert ("MASTER_VALUE_INVALID", "ตัวชี้วัด", "C7") in found
    assert ("MASTER_VALUE_INVALID", "ตัวชี้วัด", "F7") in found
    assert ("MASTER_VALUE_INVALID", "ตัวชี้วัด", "E8") in found


def test_settings_problems(tmp_path: Path) -> None:
    settings = """
        | ส่วนราชการ         | กรมทดสอบ |
        | ปีงบประมาณ         | 2026     |
        | ผู้รับคำรับรอง       |          |
        | ตำแหน่งผู้รับคำรับรอง | อธิบดี    |
        | คะแนนต่ำกว่าระดับ 1   | 2        |
    """
    found = codes(write_master(tmp_path / "m.xlsx", **{"ตั้งค่า": settings}))
    assert found == [("MASTER_SETTING_MISSING", "ตั้งค่า", "B3"),
                     ("MASTER_SETTING_INVALID", "ตั้งค่า", "B2"),
                     ("MASTER_SETTING_INVALID", "ตั้งค่า", "B5")]


def test_unreadable_master(tmp_path: Path) -> None:
    path = tmp_path / "m.xlsx"
    path.write_text("รหัส,ชื่อ\n", encoding="utf-8")
    report = read_master(path)
    assert [p.code for p in report.problems] == ["MASTER_UNREADABLE"]
    with pytest.raises(InvalidMasterError) as raised:
        load_master(path)
    assert raised.value.problems == report.problems
    assert isinstance(raised.value, ValueError)


def test_catalogue_entries_are_complete() -> None:
    for code, kind in CATALOGUE.items():
        assert code == kind.name and code.isupper()
        assert kind.text and kind.fix and kind.meaning


@pytest.mark.parametrize("clash", ["2-1", "2/1", "2 1"])
def test_kpi_codes_giving_the_same_defined_name_are_refused(tmp_path: Path, clash: str) -> None:
    """'2.1' and '2-1' would both be RESULT_2_1: the workbook would hold the name twice (Excel
    calls that corrupt) and harvest would read one KPI's result for both."""
    kpis = VALID_MASTER["ตัวชี้วัด"] + \
        f"        | '{clash}'      | ซ้ำชื่อ | 2 | ร้อยละ | เชิงปริมาณ | มากดี | | x |\n"
    report = read_master(write_master(tmp_path / "m.xlsx", **{"ตัวชี้วัด": kpis}))
    clashes = [p for p in report.problems if p.code == "MASTER_KPI_NAME_CLASH"]
    assert [(p.sheet, p.cell) for p in clashes] == [("ตัวชี้วัด", "A6")]
    assert "'2.1'" in clashes[0].message and f"'{clash}'" in clashes[0].message
    assert report.master is None


def test_kpi_codes_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    kpis = VALID_MASTER["ตัวชี้วัด"].replace("'3.1'", "'a.1'") + \
        "        | 'A.1'      | ซ้ำชื่อ | 2 | ร้อยละ | เชิงปริมาณ | มากดี | | x |\n"
    report = read_master(write_master(tmp_path / "m.xlsx", **{"ตัวชี้วัด": kpis}))
    assert [p.cell for p in report.problems if p.code == "MASTER_KPI_NAME_CLASH"] == ["A6"]


def test_criteria_are_judged_on_every_row_even_when_they_repeat(tmp_path: Path) -> None:
    """Criteria that recur are parsed once; a problem is still told on each row that has it."""
    rows = """
        | รหัสหน่วยงาน | รหัสตัวชี้วัด | น้ำหนัก | ระดับ 1 | ระดับ 2 | ระดับ 3 | ระดับ 4 | ระดับ 5 |
        | B01        | '1.1'      | 20     |        |        |        |        |        |
        | B01        | '2.1'      | 40     | 60     | 70     | 70     | 90     | 100    |
        | B01        | '2.2'      | 40     | 5      | 4      | 3      | 2      | 1      |
        | B02        | '2.1'      | 50     | 60     | 70     | 70     | 90     | 100    |
        | B02        | '3.1'      | 50     |        |        |        |        |        |
    """
    found = codes(write_master(tmp_path / "m.xlsx", **{"เกณฑ์": rows}))
    assert [cell for code, _, cell in found if code == "MASTER_CRITERIA_ORDER"] == ["D3", "D5"]


def test_plain_criteria_are_told_apart_by_type_as_well_as_value() -> None:
    from workbook_engine.master.reader import _plain_criteria

    def judged(*raw: object, direction: Direction | None = Direction.HIGHER) -> object:
        return _plain_criteria(raw, tuple(map(type, raw)), direction)

    assert judged(1, 2, 3, 4, 5) == tuple(Decimal(n) for n in range(1, 6))
    assert judged(1.5, 2, 3, 4, 5) == (Decimal("1.5"), *(Decimal(n) for n in range(2, 6)))
    assert judged(5, 4, 3, 2, 1, direction=Direction.LOWER) == \
        tuple(Decimal(n) for n in range(5, 0, -1))
    for odd in (judged(True, 2, 3, 4, 5), judged("1", 2, 3, 4, 5), judged(1, 2, 3, 4, None),
                judged(float("nan"), 2, 3, 4, 5), judged(1e15, 2e15, 3e15, 4e15, 5e15),
                judged(1, 2, 3, 4, 5, direction=Direction.LOWER),
                judged(1, 2, 3, 4, 5, direction=None)):
        assert odd is None     # read by the row-by-row path, which says what is wrong


def test_zero_and_minus_zero_keep_their_canonical_texts_whatever_came_first() -> None:
    """Fingerprints use canonical numbers, kept once worked out: 0 and -0 are equal numbers
    whose texts differ, so an office's fingerprint must not depend on which came first."""
    from workbook_engine.model import _canon

    assert [_canon(Decimal("0")), _canon(Decimal("-0")), _canon(Decimal("-0.0")),
            _canon(Decimal("0.00"))] == ["0", "-0", "-0", "0"]


def test_a_master_is_read_within_caps_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """A national master (20,000 offices x 20 KPIs: a 105 MB assignments part in the bench's)
    is bigger than a return may be; the master has caps of its own, and they are the ones
    read_master uses."""
    from workbook_engine.master import reader as master_reader
    from workbook_engine.xlsx.zips import MASTER_CAPS, WORKBOOK_CAPS, ZipCaps

    assert MASTER_CAPS.part_bytes is not None and WORKBOOK_CAPS.part_bytes is not None
    assert MASTER_CAPS.part_bytes > 105_567_835 > WORKBOOK_CAPS.part_bytes
    monkeypatch.setattr(master_reader, "MASTER_CAPS", ZipCaps(1_000, 4_096, 10**9))
    report = read_master(Path(__file__).resolve().parent.parent / "templates" / "master.xlsx")
    assert [p.code for p in report.problems] == ["MASTER_UNREADABLE"]
    assert "ขยายได้" in report.problems[0].message


SHIPPED = Path(__file__).resolve().parent.parent / "templates" / "master.xlsx"


def _read_both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object, list[bool]]:
    """``path`` read with its big sheets in pieces of ~300 bytes, then whole; and the
    ``pieces`` flag of every reading made."""
    from workbook_engine.master import reader as master_reader
    from workbook_engine.xlsx import reader as xlsx_reader

    made: list[bool] = []

    class Sheets(master_reader._Sheets):
        def __init__(self, reader: xlsx_reader.XlsxReader, pieces: bool = True) -> None:
            made.append(pieces)
            super().__init__(reader, pieces)

    monkeypatch.setattr(master_reader, "_Sheets", Sheets)
    monkeypatch.setattr(xlsx_reader, "PIECE_BYTES", 300)
    in_pieces = read_master(path)
    monkeypatch.setattr(xlsx_reader, "PIECE_BYTES", 10**9)
    whole = read_master(path)
    return ((in_pieces.master, in_pieces.problems), (whole.master, whole.problems), made)


def test_a_big_sheet_read_in_pieces_gives_what_the_whole_sheet_gives(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A national master's assignments (400,000 rows) are read in pieces, never all held at
    once; the master and every problem are the same as when the sheet is read whole: for the
    shipped master, and for one with problems on many rows."""
    from workbook_engine.xlsx import reader as xlsx_reader

    cuts = []
    real = xlsx_reader._piece_cuts
    monkeypatch.setattr(xlsx_reader, "_piece_cuts",
                        lambda data, size: cuts.append(found := real(data, size)) or found)
    bad = write_master(tmp_path / "bad.xlsx", **{"เกณฑ์": """
| รหัสหน่วยงาน | รหัสตัวชี้วัด | น้ำหนัก | ระดับ 1 | ระดับ 2 | ระดับ 3 | ระดับ 4 | ระดับ 5 |
| B01 | 1.1 | 20 | | | | | |
| B01 | 2.1 | 50 | 5 | 4 | 3 | 2 | 1 |
| B01 | 2.1 | 30 | 1 | 2 | 3 | 4 | 5 |
| B02 | 1.1 | ห้าสิบ | | | | | |
| XX | 3.1 | 10 | | | | | |
"""})
    for path in (SHIPPED, bad):
        cuts.clear()
        in_pieces, whole, made = _read_both(path, monkeypatch)
        assert in_pieces == whole
        assert made == [True, True]       # no reading had to start again
        assert any(c is not None and len(c) > 3 for c in cuts)    # pieces were read
    assert whole[0] is None and len(whole[1]) >= 4          # type: ignore[index,arg-type]


def test_a_piece_that_does_not_read_alone_reads_the_master_again_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sheet whose rows go back (a row numbered before the one ahead of it, as no program
    writes) reads differently in pieces: the master is then read again with every sheet
    whole, and gives what a whole reading gives."""
    import zipfile

    from workbook_engine.master.format import ASSIGNMENTS_SHEET
    from workbook_engine.xlsx.reader import XlsxReader

    data = SHIPPED.read_bytes()
    part = next(s.part for s in XlsxReader(data, "m").sheets if s.name == ASSIGNMENTS_SHEET)
    crafted = tmp_path / "back.xlsx"
    with zipfile.ZipFile(SHIPPED) as source, zipfile.ZipFile(crafted, "w") as out:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == part:
                assert b'<row r="40"' in body
                body = body.replace(b'<row r="40"', b'<row r="3"')
            out.writestr(info, body)
    in_pieces, whole, made = _read_both(crafted, monkeypatch)
    assert in_pieces == whole
    assert made == [True, False, True]
