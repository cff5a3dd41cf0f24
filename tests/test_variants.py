"""Real agreements' variants (issue 14, CONTRACT section 5): stepwise KPIs, per-round weights
and criteria, KPI group subtotals and two-decimal scores, in the master, the forms and harvest."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from workbook_engine.devkit.testing import fill_return, name_target
from workbook_engine.forms.generate import generate
from workbook_engine.harvesting.outcomes import Status
from workbook_engine.harvesting.run import harvest
from workbook_engine.kinds import STEPWISE
from workbook_engine.master.format import Direction
from workbook_engine.master.reader import load_master, read_master
from workbook_engine.model import NOT_ASSESSED
from workbook_engine.scoring import (
    group_score,
    group_subtotals,
    score_quantitative,
    score_stepwise,
    total_score,
    weighted_score,
)
from workbook_engine.summary.workbook import DETAIL_INDEX, DETAILS, GROUPS, OFFICES, write_summary
from workbook_engine.values import to_decimal

from .conftest import Converter
from .inline import VALID_MASTER, write_master

D = Decimal
BANDS = tuple(D(n) for n in (0, 15, 25, 35, 45))         # < 15: 1, 15-24: 2, ... >= 45: 5
CHECKLIST = tuple(D(n) for n in (1, 3, 5, 6, 7))         # 1-2: 1, 3-4: 2, 5: 3, 6: 4, 7: 5


@pytest.mark.parametrize(("result", "score"), [
    (-1, 1), (0, 1), (14.99, 1), (15, 2), (24.999, 2), (25, 3), (34, 3), (35, 4), (44.9, 4),
    (45, 5), (1000, 5)])
def test_stepwise_higher_scores_the_band_reached_ties_included(result: float, score: int) -> None:
    assert score_stepwise(D(str(result)), BANDS, Direction.HIGHER) == D(score)


@pytest.mark.parametrize(("result", "score", "below"), [
    (0, 0, 0), (0, 1, 1), (1, 1, 1), (2, 1, 0), (3, 2, 1), (4, 2, 1), (5, 3, 1), (6, 4, 1),
    (7, 5, 1)])
def test_a_checklist_of_seven_items_scores_its_uneven_steps(result: int, score: int,
                                                             below: int) -> None:
    assert score_stepwise(D(result), CHECKLIST, Direction.HIGHER, below) == D(score)


@pytest.mark.parametrize(("result", "score"), [
    (31, 1), (30, 1), (29.99, 1), (20.01, 1), (20, 2), (19, 2), (15, 3), (10.5, 3), (10, 4),
    (9.5, 4), (5, 5), (0, 5)])
def test_stepwise_lower_is_better_reaches_a_band_at_or_below_it(result: float,
                                                                score: int) -> None:
    criteria = tuple(D(n) for n in (30, 20, 15, 10, 5))
    assert score_stepwise(D(str(result)), criteria, Direction.LOWER) == D(score)


def test_two_decimals_round_every_step_half_away_from_zero() -> None:
    criteria = tuple(D(n) for n in (60, 70, 80, 90, 100))
    assert score_quantitative(D("84.45"), criteria, Direction.HIGHER, places=2) == D("3.45")
    assert score_quantitative(D("84.449"), criteria, Direction.HIGHER, places=2) == D("3.44")
    assert weighted_score(D("3.45"), D(15), places=2) == D("0.52")      # 0.5175
    assert weighted_score(D("3.45"), D(30), places=2) == D("1.04")      # 1.035, half up
    # the total adds the rounded weighted scores, as published tables do
    assert total_score([D("0.52"), D("1.04")], places=2) == D("1.56")


def test_group_subtotals_add_rounded_weighted_scores_and_leave_out_weight_zero() -> None:
    kpis = [(1, D(20), D("0.8430")), (2, D(40), D("1.3600")), (2, D(10), D("0.4000")),
            (3, D(30), D("1.2000")), (3, D(0), None)]
    groups = group_subtotals(kpis)
    assert [(g.group, g.weight, g.weighted_score, g.score) for g in groups] == [
        (1, D(20), D("0.8430"), D("4.2150")), (2, D(50), D("1.7600"), D("3.5200")),
        (3, D(30), D("1.2000"), D("4.0000"))]
    missing = group_subtotals([(2, D(40), D("1.3600")), (2, D(60), None)])
    assert missing[0].weighted_score is None and missing[0].score is None
    assert group_score(D("1.7600"), D(50), places=2) == D("3.52")
    assert group_score(D(0), D(0)) is None


STEPWISE_KPI = "| 'S.1' | รายการตรวจสอบ | 3 | รายการ | เชิงปริมาณแบบขั้น | มากดี | | ครบ 7 ข้อ |\n"


def variant_master(path: Path, rounds: str | None = None, places: int | None = None,
                   **sheets: str) -> Path:
    """The valid master with a stepwise KPI for B02 and, when given, per-round rows."""
    kpis = VALID_MASTER["ตัวชี้วัด"].rstrip() + "\n" + STEPWISE_KPI
    rules = VALID_MASTER["เกณฑ์"].replace(
        "| B02        | '3.1'      | 50 ", "| B02        | '3.1'      | 30 ").rstrip() + (
        "\n| B02 | 'S.1' | 20 | 1 | 3 | 5 | 6 | 7 |\n")
    tables = {"ตัวชี้วัด": kpis, "เกณฑ์": rules, **sheets}
    if rounds is not None:
        tables["เกณฑ์รายรอบ"] = (
            "| รหัสหน่วยงาน | รหัสตัวชี้วัด | รอบ | น้ำหนัก | ระดับ 1 | ระดับ 2 | ระดับ 3 | ระดับ 4 | ระดับ 5 |\n"
            + rounds)
    if places is not None:
        tables["ตั้งค่า"] = VALID_MASTER["ตั้งค่า"].rstrip() + f"\n        | ทศนิยม | {places} |\n"
    return write_master(path, **tables)


# B02 in round 6: 2.1 weighs 80 with half-year criteria; 3.1 is assessed only at 12 months
HALF_YEAR = """
    | B02 | '2.1' | 6 | 80 | 40 | 45 | 50 | 55 | 60 |
    | B02 | '3.1' | 6 | 0  |    |    |    |    |    |
    | B02 | '2.1' | 9 | 60 | 60 | 70 | 80 | 90 | 95 |
    | B02 | 'S.1' | 9 | 40 |    |    |    |    |    |
    | B02 | '3.1' | 9 | 0  |    |    |    |    |    |
"""


def test_a_round_has_its_own_weights_and_criteria_and_the_year_is_unchanged(
        tmp_path: Path) -> None:
    report = read_master(variant_master(tmp_path / "m.xlsx", HALF_YEAR))
    assert report.problems == []
    master = report.master
    assert master is not None and master.kpis["S.1"].kind is STEPWISE
    year = {a.kpi: (a.weight, a.criteria) for a in master.assignments_for("B02")}
    half = {a.kpi: (a.weight, a.criteria) for a in master.assignments_for("B02", 6)}
    assert year["2.1"] == (D(50), tuple(D(v) for v in ("92.5", "95", "97.5", "100", "102.5")))
    assert half["2.1"] == (D(80), tuple(D(v) for v in (40, 45, 50, 55, 60)))
    assert half["3.1"][0] == 0 and half["S.1"] == year["S.1"]
    assert master.assignments_for("B02", 12) == master.assignments_for("B02")
    assert master.fingerprint("B02", 6) != master.fingerprint("B02", 12)
    assert master.fingerprint("B02", 12) == master.fingerprint("B02")
    assert master.fingerprint("B01", 6) == master.fingerprint("B01")


def test_a_master_without_variants_keeps_its_fingerprints(tmp_path: Path) -> None:
    plain = load_master(write_master(tmp_path / "a.xlsx"))
    # the fingerprint of B01 as the engine has always computed it (before per-round rows)
    assert plain.fingerprint("B01", 6) == plain.fingerprint("B01")
    two = load_master(write_master(tmp_path / "b.xlsx", **{
        "ตั้งค่า": VALID_MASTER["ตั้งค่า"].rstrip() + "\n        | ทศนิยม | 2 |\n"}))
    assert two.settings.places == 2
    assert two.fingerprint("B01") != plain.fingerprint("B01")


@pytest.mark.parametrize(("rounds", "expected"), [
    ("| B02 | '2.1' | 3 | 50 | | | | | |", [("MASTER_ROUND_INVALID", "C2")]),
    ("| B02 | '2.1' | | 50 | | | | | |", [("MASTER_VALUE_MISSING", "C2")]),
    ("| B01 | 'S.1' | 6 | 20 | | | | | |", [("MASTER_ROUND_UNKNOWN_ASSIGNMENT", "B2")]),
    ("| B02 | '2.1' | 6 | 50 | | | | | |\n| B02 | '2.1' | 6 | 50 | | | | | |",
     [("MASTER_ROUND_DUPLICATE", "C3")]),
    ("| B02 | '2.1' | 9 | 60 | | | | | |", [("MASTER_ROUND_WEIGHT_SUM", "D2")]),
    ("| B02 | '2.1' | 6 | 50 | 60 | 50 | 70 | 80 | 90 |", [("MASTER_ROUND_CRITERIA_ORDER", "E2")]),
    ("| B02 | '2.1' | 6 | 50 | 60 | 70 | | 80 | 90 |", [("MASTER_ROUND_CRITERIA_MISSING", "G2")]),
    ("| B02 | '2.1' | 6 | 120 | | | | | |", [("MASTER_VALUE_INVALID", "D2")]),
    ("| B02 | '3.1' | 12 | 30 | 1 | 2 | 3 | 4 | 5 |", [("MASTER_CRITERIA_IGNORED", "E2")]),
])
def test_bad_per_round_rows_are_located_and_named(tmp_path: Path, rounds: str,
                                                  expected: list[tuple[str, str | None]]) -> None:
    report = read_master(variant_master(tmp_path / "m.xlsx", rounds))
    found = [(p.code, p.cell) for p in report.problems]
    assert found == expected
    assert all(p.sheet == "เกณฑ์รายรอบ" for p in report.problems)


def test_a_round_named_in_the_weight_and_order_messages(tmp_path: Path) -> None:
    rows = "| B02 | '2.1' | 9 | 60 | | | | | |\n| B02 | 'S.1' | 6 | 20 | 7 | 6 | 5 | 3 | 1 |"
    messages = [p.message for p in read_master(variant_master(tmp_path / "m.xlsx", rows)).problems]
    assert any("รอบ 9 เดือน" in m and "รวมได้ 110" in m for m in messages), messages
    assert any("เกณฑ์รอบ 6 เดือน" in m and "7 / 6 / 5 / 3 / 1" in m for m in messages), messages


def test_stepwise_criteria_out_of_order_and_bad_places_are_refused(tmp_path: Path) -> None:
    bad = variant_master(tmp_path / "m.xlsx", places=3).read_bytes()
    assert bad
    problems = read_master(tmp_path / "m.xlsx").problems
    assert [(p.code, p.cell) for p in problems] == [("MASTER_SETTING_INVALID", "B6")]
    rules = VALID_MASTER["เกณฑ์"].replace("| B02        | '3.1'      | 50 ",
                                          "| B02        | '3.1'      | 30 ").rstrip() + (
        "\n| B02 | 'S.1' | 20 | 1 | 3 | 3 | 6 | 7 |\n")
    kpis = VALID_MASTER["ตัวชี้วัด"].rstrip() + "\n" + STEPWISE_KPI
    problems = read_master(write_master(tmp_path / "o.xlsx", **{"ตัวชี้วัด": kpis,
                                                                "เกณฑ์": rules})).problems
    assert [(p.code, p.cell) for p in problems] == [("MASTER_CRITERIA_ORDER", "D8")]


def names(path: Path) -> dict[str, tuple[str, str]]:
    wb = load_workbook(path)
    return {n: t for n in wb.defined_names if (t := name_target(wb, n)) is not None}


def test_the_half_year_form_shows_its_round_and_harvest_scores_with_it(tmp_path: Path) -> None:
    master = load_master(variant_master(tmp_path / "m.xlsx", HALF_YEAR))
    generate(master, 6, tmp_path / "r6", jobs=1)
    form = tmp_path / "r6" / "2569-R6-B02.xlsx"
    defined = names(form)
    assert "RESULT_3_1" not in defined and "RESULT_2_1" in defined and "RESULT_S_1" in defined
    assert {"GROUP_SCORE_2", "GROUP_SCORE_3"} <= set(defined)
    wb = load_workbook(form)
    report = wb["รายงานผล"]
    row = int(defined["SCORE_3_1"][1][1:])
    assert report[f"K{row}"].value == NOT_ASSESSED
    assert [report[f"{c}{row - 1}"].value for c in "EFGHIJ"] == [80, 40, 45, 50, 55, 60]
    agreement = [[c.value for c in r[:10]] for r in wb["คำรับรอง"].iter_rows(min_row=11, max_row=13)]
    assert agreement[0][4] == 50 and agreement[0][5:] == [92.5, 95, 97.5, 100, 102.5]
    (tmp_path / "in").mkdir()
    filled = fill_return(form, tmp_path / "in" / form.name, {"2.1": 52, "S.1": 5})
    result = harvest([filled.parent], master, 6)
    b02 = next(o for o in result.offices if o.office == "B02")
    assert b02.status is Status.ACCEPTED, [p.code for p in result.problems]
    by_kpi = {k.kpi: k for k in b02.kpis}
    assert by_kpi["2.1"].score == D("3.4000") and by_kpi["2.1"].weighted == D("2.7200")
    assert by_kpi["S.1"].score == D("3.0000")
    assert by_kpi["3.1"].score is None and not by_kpi["3.1"].assessed
    assert b02.total_score == D("3.3200")
    entry = next(o for o in result.as_json()["offices"] if o["office"] == "B02")
    assert entry["groups"] == [
        {"group": 2, "weight": 80, "weighted_score": 2.72, "score": 3.4},
        {"group": 3, "weight": 20, "weighted_score": 0.6, "score": 3},
    ]
    assert not [p for p in result.problems if p.office == "B02"]


@pytest.mark.parametrize("places", [4, 2])
def test_the_summary_of_a_round_recalculates_as_python_scores(
        tmp_path: Path, libreoffice: Converter, places: int) -> None:
    """The half-year summary: details (a KPI not assessed among them), office totals and the
    group sheet, recalculated by LibreOffice, equal the harvest's figures at the places set."""
    master = load_master(variant_master(tmp_path / "m.xlsx", HALF_YEAR, places))
    generate(master, 6, tmp_path / "r6", jobs=1)
    (tmp_path / "in").mkdir()
    for code, results in (("B01", {"2.1": 84.44, "2.2": 3.5, "3.1": 4}),
                          ("B02", {"2.1": 52.37, "S.1": 6})):
        name = f"2569-R6-{code}.xlsx"
        fill_return(tmp_path / "r6" / name, tmp_path / "in" / name, results)
    report = harvest([tmp_path / "in"], master, 6)
    assert [o.status for o in report.offices] == [Status.ACCEPTED, Status.ACCEPTED]
    write_summary(report, tmp_path / "s.xlsx")
    [recalculated] = libreoffice([tmp_path / "s.xlsx"], tmp_path / "lo")
    wb = load_workbook(recalculated, data_only=True)
    quantum = D(1).scaleb(-places)

    def same(got: object, want: D | None) -> bool:
        if want is None:
            return got in (None, "")
        return isinstance(got, (int, float)) and to_decimal(got).quantize(quantum) == want

    details, row = wb[DETAILS], 2
    for office in report.offices:
        for kpi in office.kpis:
            for key, want in (("score", kpi.score), ("weighted", kpi.weighted)):
                assert same(details.cell(row, DETAIL_INDEX[key] + 1).value, want), (kpi, key)
            if not kpi.assessed:
                assert details.cell(row, DETAIL_INDEX["result"] + 1).value == NOT_ASSESSED
            row += 1
    totals = {r[0]: r[3] for r in wb[OFFICES].iter_rows(min_row=2, values_only=True)}
    groups = {(r[0], r[2]): r[3:6] for r in wb[GROUPS].iter_rows(min_row=2, values_only=True)}
    expected_groups = 0
    for office in report.offices:
        assert same(totals[office.office], office.total_score), office.office
        for group in office.groups:
            got = groups[(office.office, group.group)]
            assert same(got[0], group.weight) and same(got[1], group.weighted_score) \
                and same(got[2], group.score), (office.office, group, got)
            expected_groups += 1
    assert len(groups) == expected_groups == 5


def test_a_change_to_the_year_behind_a_round_makes_that_rounds_forms_stale(
        tmp_path: Path) -> None:
    """The round's form shows the year's agreement too: when only the year's criteria change
    (the round's own are given), its returns are stale, not 'locked cells edited'."""
    master = load_master(variant_master(tmp_path / "m.xlsx", HALF_YEAR))
    generate(master, 6, tmp_path / "r6", offices=["B02"], jobs=1)
    (tmp_path / "in").mkdir()
    fill_return(tmp_path / "r6" / "2569-R6-B02.xlsx", tmp_path / "in" / "2569-R6-B02.xlsx",
                {"2.1": 52, "S.1": 5})
    moved = VALID_MASTER["เกณฑ์"].replace("| 92.5   |", "| 90     |")
    assert moved != VALID_MASTER["เกณฑ์"]
    changed = load_master(variant_master(tmp_path / "n.xlsx", HALF_YEAR, **{
        "เกณฑ์": moved.replace("| B02        | '3.1'      | 50 ", "| B02        | '3.1'      | 30 ")
        .rstrip() + "\n| B02 | 'S.1' | 20 | 1 | 3 | 5 | 6 | 7 |\n"}))
    assert changed.assignments_for("B02", 6) == master.assignments_for("B02", 6)
    assert changed.fingerprint("B02", 6) != master.fingerprint("B02", 6)
    result = harvest([tmp_path / "in"], changed, 6)
    assert [p.code for p in result.problems if p.office == "B02"] == ["RETURN_STALE"]


@pytest.mark.parametrize(("rules", "rounds", "expected"), [
    # a year's row with a problem of its own: its round row is left to that problem
    ("| B02 | '2.1' | 50 | 92.5 | 95 | | 100 | 102.5 |", "| B02 | '2.1' | 6 | 50 | | | | | |",
     [("MASTER_CRITERIA_MISSING", "เกณฑ์", "F6")]),
    # the year's weights already wrong: not said again for the round
    ("| B02 | '2.1' | 60 | 92.5 | 95 | 97.5 | 100 | 102.5 |", "| B02 | 'S.1' | 6 | 20 | | | | | |",
     [("MASTER_WEIGHT_SUM", "เกณฑ์", "C6")]),
    # a round row with a problem: the round's weights are not judged without it
    ("| B02 | '2.1' | 50 | 92.5 | 95 | 97.5 | 100 | 102.5 |",
     "| B02 | '2.1' | 6 | 80 | 60 | 50 | 70 | 80 | 90 |\n| B02 | '3.1' | 6 | 0 | | | | | |",
     [("MASTER_ROUND_CRITERIA_ORDER", "เกณฑ์รายรอบ", "E2")]),
    # one problem for one bad round
    ("| B02 | '2.1' | 50 | 92.5 | 95 | 97.5 | 100 | 102.5 |",
     "| B02 | '2.1' | '6 เดือน' | 50 | | | | | |", [("MASTER_ROUND_INVALID", "เกณฑ์รายรอบ", "C2")]),
])
def test_a_round_row_is_judged_only_on_what_is_its_own(
        tmp_path: Path, rules: str, rounds: str, expected: list[tuple[str, str, str]]) -> None:
    table = VALID_MASTER["เกณฑ์"].replace(
        "| B02        | '2.1'      | 50     | 92.5   | 95     | 97.5   | 100    | 102.5  |", rules)
    assert table != VALID_MASTER["เกณฑ์"]
    report = read_master(variant_master(tmp_path / "m.xlsx", rounds, **{
        "เกณฑ์": table.replace("| B02        | '3.1'      | 50 ", "| B02        | '3.1'      | 30 ")
        .rstrip() + "\n| B02 | 'S.1' | 20 | 1 | 3 | 5 | 6 | 7 |\n"}))
    assert [(p.code, p.sheet, p.cell) for p in report.problems] == expected
