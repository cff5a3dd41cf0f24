"""The catalogue of problem codes: every code has one entry, and messages stay readable."""

from __future__ import annotations

from workbook_engine.problems import CATALOGUE, Code, one_line, problem, quote


def test_every_code_is_in_the_catalogue_by_its_name() -> None:
    assert list(CATALOGUE.values()) == list(Code)
    assert all(code.name == name for name, code in CATALOGUE.items())


def test_quoted_values_are_short_and_on_one_line() -> None:
    assert quote("a\r\nb\tc") == "a ⏎ b c"
    assert quote("ก" * 500) == "ก" * 149 + "…"
    assert one_line("ไฟล์\nใหม่.xlsx") == "ไฟล์ ⏎ ใหม่.xlsx"


def test_a_file_name_is_kept_whole_and_a_value_is_cut() -> None:
    long_name = "รายงาน/" * 40 + "2569-R12-B01.xlsx"
    made = problem(Code.RETURN_DUPLICATE, file=long_name, office="B01", used=long_name,
                   ignored="x.xlsx")
    assert made.message.count(long_name) == 2 and made.code == "RETURN_DUPLICATE"
    cut = problem(Code.RESULT_NOT_NUMBER, kpi="2.1", value="9" * 1000)
    assert "9" * 149 + "…" in cut.message and "9" * 150 not in cut.message
