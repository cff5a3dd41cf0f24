"""Live formulas in generated workbooks compute what the Python engine computes (LibreOffice).

Workbooks are generated, filled with a spread of results through their defined names, then
recalculated headlessly by LibreOffice; every SCORE, WEIGHTED and TOTAL_SCORE must equal the
scoring module's value to 4 decimals.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from workbook_engine.devkit.testing import fill_return, name_target
from workbook_engine.forms.generate import generate
from workbook_engine.master import format as mf
from workbook_engine.master.reader import load_master
from workbook_engine.model import Master, name_key
from workbook_engine.scoring import group_subtotals, total_score, weighted_score
from workbook_engine.values import to_decimal

from .conftest import Converter
from .inline import VALID_MASTER, write_workbook

KPIS = """
    | รหัสตัวชี้วัด | ชื่อตัวชี้วัด | กลุ่ม | หน่วยวัด | ประเภท          | ทิศทาง | ตัวชี้วัดองค์กร | คำอธิบาย |
    | Q.1        | มากดี      | 2    | ร้อยละ  | เชิงปริมาณ       | มากดี  |              |        |
    | Q.2        | น้อยดี      | 2    | วัน     | เชิงปริมาณ       | น้อยดี |              |        |
    | M.1        | ขั้นตอน     | 3    | ระดับ   | ระดับความสำเร็จ   |       |              |        |
    | I.1        | องค์กร     | 1    | คะแนน   | ใช้ผลคะแนนองค์กร |       |              |        |
"""
MILESTONES = "| รหัสตัวชี้วัด | ระดับ | คำอธิบาย |\n" + "\n".join(
    f"| M.1 | {n} | ขั้นที่ {n} |" for n in range(1, 6))
ORG = "| รหัสตัวชี้วัด | คะแนน |\n| I.1 | 4.21505 |"

# office: (higher criteria, result), (lower criteria, result), milestone level, weights Q1/Q2/M1/I1
SPREAD = [
    ("S01", ("60 70 80 90 100", 84), ("5 4 3 2 1", 3.5), 3, (20, 30, 25, 25)),
    ("S02", ("60 70 80 90 100", 60), ("5 4 3 2 1", 5), 0, (25, 25, 25, 25)),
    ("S03", ("60 70 80 90 100", 59.99), ("5 4 3 2 1", 5.01), 1, (40, 20, 20, 20)),
    ("S04", ("60 70 80 90 100", 100), ("5 4 3 2 1", 1), 5, (10, 10, 40, 40)),
    ("S05", ("60 70 80 90 100", 150), ("5 4 3 2 1", 0.5), 4, (30, 30, 30, 10)),
    ("S06", ("60 70 80 90 100", 89.99), ("5 4 3 2 1", 2), 2, (33, 33, 33, 1)),
    ("S07", ("0 3 6 9 12", 1), ("12 9 6 3 0", 11), 5, (33.5, 33.5, 16.5, 16.5)),
    ("S08", ("0 3 6 9 12", 2), ("12 9 6 3 0", 10), 1, (12.5, 37.5, 25, 25)),
    ("S09", ("92.5 95 97.5 100 102.5", 96.3), ("10 8 6 4 2", 7.3), 3, (50, 20, 20, 10)),
    ("S10", ("0 10000 20000 30000 40000", 10001), ("40000 30000 20000 10000 0", 29999),
     4, (50, 25, 15, 10)),
    ("S11", ("0 10000 20000 30000 40000", 10000.5), ("5 4 3 2 1", 4.99995), 2, (50, 30, 10, 10)),
    ("S12", ("60 70 80 90 100", 60.0005), ("5 4 3 2 1", 3.00005), 3, (50, 30, 10, 10)),
    ("S13", ("1000 2000 3000 4000 5000", 2345.678), ("0.9 0.7 0.5 0.3 0.1", 0.61), 4,
     (17, 23, 29, 31)),
    ("S14", ("-10 -5 0 5 10", -7.5), ("5 4 3 2 1", 1.00001), 5, (5, 5, 5, 85)),
]


def spread_master(path: Path, below: int) -> Path:
    offices = ["| รหัสหน่วยงาน | ชื่อหน่วยงาน | ผู้ทำคำรับรอง | ตำแหน่ง | ผู้ประสานงาน | อีเมล |"]
    rules = ["| รหัสหน่วยงาน | รหัสตัวชี้วัด | น้ำหนัก | ระดับ 1 | ระดับ 2 | ระดับ 3 | ระดับ 4 | ระดับ 5 |"]
    for code, (hi, _), (lo, _), _, weights in SPREAD:
        offices.append(f"| {code} | กอง {code} | ผอ. {code} | ผู้อำนวยการ | ผู้ประสาน "
                       "| x@example.go.th |")
        rules.append(f"| {code} | Q.1 | {weights[0]} | {' | '.join(hi.split())} |")
        rules.append(f"| {code} | Q.2 | {weights[1]} | {' | '.join(lo.split())} |")
        rules.append(f"| {code} | M.1 | {weights[2]} | | | | | |")
        rules.append(f"| {code} | I.1 | {weights[3]} | | | | | |")
    settings = VALID_MASTER["ตั้งค่า"].replace("| 1                  |", f"| {below} |")
    return write_workbook(path, {"ตั้งค่า": settings, "หน่วยงาน": "\n".join(offices),
                                 "ตัวชี้วัด": KPIS, "เกณฑ์": "\n".join(rules),
                                 "ขั้นความสำเร็จ": MILESTONES, "ผลองค์กร": ORG})


def expected(master: Master, office: str, results: dict[str, float]) -> dict[str, Decimal | None]:
    """SCORE_/WEIGHTED_ per KPI and TOTAL_SCORE, from the Python engine."""
    values: dict[str, Decimal | None] = {}
    parts = []
    for a in master.assignments_for(office):
        kpi = master.kpis[a.kpi]
        raw = results.get(a.kpi)
        score = kpi.kind.score(None if raw is None else to_decimal(raw), a.criteria,
                               kpi.direction, master.settings.below_level1_score,
                               master.org_scores.get(a.kpi))
        weighted = None if score is None else weighted_score(score, a.weight)
        values[f"SCORE_{name_key(a.kpi)}"] = score
        values[f"WEIGHTED_{name_key(a.kpi)}"] = weighted
        parts.append(weighted)
    values["TOTAL_SCORE"] = total_score(parts)
    return values


def read_names(path: Path, names: list[str]) -> dict[str, object]:
    wb = load_workbook(path, data_only=True)
    found = {}
    for name in names:
        target = name_target(wb, name)
        assert target is not None, name
        found[name] = wb[target[0]][target[1]].value
    return found


@pytest.mark.parametrize("below", [1, 0])
def test_formulas_recalculated_by_libreoffice_match_python(tmp_path: Path, libreoffice: Converter,
                                                           below: int) -> None:
    master = load_master(spread_master(tmp_path / "master.xlsx", below))
    generate(master, 12, tmp_path / "gen", jobs=1)
    filled, results = [], {}
    for code, (_, hi), (_, lo), level, _ in SPREAD:
        results[code] = {"Q.1": hi, "Q.2": lo, "M.1": level}
        source = tmp_path / "gen" / f"2569-R12-{code}.xlsx"
        filled.append(fill_return(source, tmp_path / f"{code}.xlsx", results[code]))
    recalculated = libreoffice(filled, tmp_path / "lo")
    compared = 0
    for (code, *_), path in zip(SPREAD, recalculated, strict=True):
        want = expected(master, code, results[code])
        got = read_names(path, list(want))
        for name, value in want.items():
            assert value is not None, (code, name)
            assert isinstance(got[name], (int, float)), (code, name, got[name])
            assert to_decimal(got[name]).quantize(Decimal("0.0001")) == value, (code, name)
            compared += 1
    assert compared == len(SPREAD) * 9


def test_blank_results_leave_scores_and_total_blank(tmp_path: Path, libreoffice: Converter) -> None:
    master = load_master(spread_master(tmp_path / "master.xlsx", 1))
    generate(master, 6, tmp_path / "gen", offices=["S01"], jobs=1)
    partial = fill_return(tmp_path / "gen" / "2569-R6-S01.xlsx", tmp_path / "S01.xlsx",
                          {"Q.1": 84, "M.1": 7})
    [path] = libreoffice([partial], tmp_path / "lo")
    got = read_names(path, ["SCORE_Q_1", "SCORE_Q_2", "SCORE_M_1", "SCORE_I_1", "TOTAL_SCORE",
                            "COMPLETENESS"])
    assert got["SCORE_Q_1"] == pytest.approx(3.4)
    assert got["SCORE_Q_2"] in (None, "")
    assert got["SCORE_M_1"] in (None, "")  # level 7 is no level: no score, never 0
    assert got["SCORE_I_1"] == pytest.approx(4.2151)
    assert got["TOTAL_SCORE"] in (None, "")
    assert got["COMPLETENESS"] == "ยังไม่มีผลที่คำนวณคะแนนได้ 2 ตัวชี้วัด"


VARIANT_KPIS = """
    | รหัสตัวชี้วัด | ชื่อตัวชี้วัด | กลุ่ม | หน่วยวัด | ประเภท            | ทิศทาง | ตัวชี้วัดองค์กร | คำอธิบาย |
    | Q.1        | มากดี      | 1    | ร้อยละ  | เชิงปริมาณ         | มากดี  |              |        |
    | S.1        | แบบขั้น     | 2    | ร้อยละ  | เชิงปริมาณแบบขั้น   | มากดี  |              |        |
    | S.2        | ขั้นน้อยดี   | 2    | วัน     | เชิงปริมาณแบบขั้น   | น้อยดี |              |        |
    | M.1        | ขั้นตอน     | 3    | ระดับ   | ระดับความสำเร็จ     |       |              |        |
    | I.1        | องค์กร     | 1    | คะแนน   | ใช้ผลคะแนนองค์กร   |       |              |        |
"""
STEPS_UP, STEPS_DOWN = "0 15 25 35 45", "30 20 15 10 5"
# office: results of Q.1, S.1, S.2 and M.1 (the stepwise ones at and around every threshold)
VARIANT_RESULTS = [
    ("T01", 84, 15, 30, 3), ("T02", 60.0005, 14.99, 30.01, 5), ("T03", 99.99, 25, 20, 1),
    ("T04", 100, 24.999, 19.99, 0), ("T05", 71.234, 35, 15, 4), ("T06", 88.8888, 45, 10, 2),
    ("T07", 59, 44.99, 5, 5), ("T08", 93.33, -1, 4.999, 3),
]
WEIGHTS = {"Q.1": 30, "S.1": 20, "S.2": 15, "M.1": 25, "I.1": 10}
# round 6: M.1 is assessed only at 12 months; Q.1 has a half-year target and M.1's weight
HALF_YEAR_ROWS = [("Q.1", 6, 55, "30 35 40 45 50"), ("M.1", 6, 0, "")]


def variant_master(path: Path, places: int) -> Path:
    offices = ["| รหัสหน่วยงาน | ชื่อหน่วยงาน | ผู้ทำคำรับรอง | ตำแหน่ง | ผู้ประสานงาน | อีเมล |"]
    rules = ["| รหัสหน่วยงาน | รหัสตัวชี้วัด | น้ำหนัก | ระดับ 1 | ระดับ 2 | ระดับ 3 | ระดับ 4 | ระดับ 5 |"]
    rounds = ["| " + " | ".join(mf.ROUND_COLUMNS) + " |"]
    criteria = {"Q.1": "60 70 80 90 100", "S.1": STEPS_UP, "S.2": STEPS_DOWN}
    for code, *_ in VARIANT_RESULTS:
        offices.append(f"| {code} | กอง {code} | ผอ. {code} | ผู้อำนวยการ | ผู้ประสาน "
                       "| x@example.go.th |")
        for kpi, weight in WEIGHTS.items():
            levels = criteria[kpi].split() if kpi in criteria else [""] * 5
            rules.append(f"| {code} | {kpi} | {weight} | {' | '.join(levels)} |")
        for kpi, months, weight, levels in HALF_YEAR_ROWS:
            cells = levels.split() if levels else [""] * 5
            rounds.append(f"| {code} | {kpi} | {months} | {weight} | {' | '.join(cells)} |")
    settings = VALID_MASTER["ตั้งค่า"].rstrip() + f"\n| ทศนิยม | {places} |\n"
    return write_workbook(path, {"ตั้งค่า": settings, "หน่วยงาน": "\n".join(offices),
                                 "ตัวชี้วัด": VARIANT_KPIS, "เกณฑ์": "\n".join(rules),
                                 "ขั้นความสำเร็จ": MILESTONES, "ผลองค์กร": ORG,
                                 "เกณฑ์รายรอบ": "\n".join(rounds)})


def expected_round(master: Master, office: str, round_months: int,
                   results: dict[str, float]) -> dict[str, Decimal | None]:
    """Every score the round's form shows, from the Python engine: SCORE_/WEIGHTED_ of each
    assessed KPI, TOTAL_SCORE, and each group's GROUP_SCORE_<g> and 1-5 score."""
    places = master.settings.places
    values: dict[str, Decimal | None] = {}
    rows = []
    for a in master.assignments_for(office, round_months):
        kpi = master.kpis[a.kpi]
        raw = results.get(a.kpi)
        score = kpi.kind.score(None if raw is None else to_decimal(raw), a.criteria,
                               kpi.direction, master.settings.below_level1_score,
                               master.org_scores.get(a.kpi), places)
        weighted = None if score is None else weighted_score(score, a.weight, places)
        if a.assessed:
            values[f"SCORE_{name_key(a.kpi)}"] = score
            values[f"WEIGHTED_{name_key(a.kpi)}"] = weighted
        rows.append((kpi.group, a.weight, weighted if a.assessed else None))
    values["TOTAL_SCORE"] = total_score((w for _, weight, w in rows if weight > 0), places)
    for group in group_subtotals(rows, places):
        values[f"GROUP_SCORE_{group.group}"] = group.weighted_score
        values[f"group {group.group}"] = group.score
    return values


@pytest.mark.parametrize("places", [4, 2])
def test_rounds_6_and_12_with_every_variant_recalculate_as_python_scores(
        tmp_path: Path, libreoffice: Converter, places: int) -> None:
    master = load_master(variant_master(tmp_path / "master.xlsx", places))
    filled, wanted = [], []
    (tmp_path / "in").mkdir()
    for round_months in (6, 12):
        generate(master, round_months, tmp_path / f"r{round_months}", jobs=1)
        for code, q1, s1, s2, level in VARIANT_RESULTS:
            results = {"Q.1": q1, "S.1": s1, "S.2": s2, "M.1": level}
            if round_months == 6:
                del results["M.1"]          # not assessed: no input to fill
            name = f"2569-R{round_months}-{code}.xlsx"
            filled.append(fill_return(tmp_path / f"r{round_months}" / name,
                                      tmp_path / "in" / name, results))
            wanted.append(expected_round(master, code, round_months, results))
    recalculated = libreoffice(filled, tmp_path / "lo")
    quantum = Decimal(1).scaleb(-places)
    compared = 0
    for path, want in zip(recalculated, wanted, strict=True):
        wb = load_workbook(path, data_only=True)
        for name, value in want.items():
            if name.startswith("group "):
                sheet, cell = name_target(wb, f"GROUP_SCORE_{name.split()[1]}") or ("", "")
                got = wb[sheet][cell.replace("M", "L")].value
            else:
                sheet, cell = name_target(wb, name) or ("", "")
                got = wb[sheet][cell].value
            compared += 1
            if value is None:       # round 6's group 3 weighs nothing: it has no score
                assert name in ("group 3", "GROUP_SCORE_3") and got is None, (path.name, name)
                continue
            assert isinstance(got, (int, float)), (path.name, name, got)
            assert to_decimal(got).quantize(quantum) == value, (path.name, name, got, value)
    # per form: 4 or 5 KPIs x 2, the total, 3 groups x 2
    assert compared == len(VARIANT_RESULTS) * ((8 + 1 + 6) + (10 + 1 + 6))
