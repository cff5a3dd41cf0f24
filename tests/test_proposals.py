"""The negotiation round end to end (issue #16): proposal workbooks filled as coordinators
would (openpyxl, and a LibreOffice re-save), collected into a draft master that check-master
passes, forms generated from the draft and harvested: the proposed KPIs are scored by their
proposed criteria. And the live checks, recalculated by LibreOffice, say what collect says."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from workbook_engine.cli.commands import cli
from workbook_engine.devkit.proposals import fill_proposal
from workbook_engine.devkit.testing import fill_return
from workbook_engine.forms.generate import generate
from workbook_engine.harvesting.intake import Candidate
from workbook_engine.harvesting.outcomes import Status
from workbook_engine.harvesting.run import harvest
from workbook_engine.master import format as mf
from workbook_engine.master.reader import load_master, read_master
from workbook_engine.model import Master
from workbook_engine.problems import Code
from workbook_engine.proposals import checks
from workbook_engine.proposals import layout as P
from workbook_engine.proposals.collect import CHANGED, NEW, Verdict, collect_proposals
from workbook_engine.proposals.propose import propose
from workbook_engine.proposals.read import read_proposal
from workbook_engine.proposals.record import RECORD_SHEET, SUMMARY_SHEET, write_draft
from workbook_engine.scoring import score_quantitative

from .conftest import Converter

ROOT = Path(__file__).resolve().parent.parent
MASTER = ROOT / "templates" / "master.xlsx"
YEAR = 2569
LEVELS = dict(zip(mf.COL_LEVELS, (100, 200, 300, 400, 500), strict=True))
NEW_KPI = {mf.COL_KPI_NAME: "จำนวนผู้ใช้บริการระบบเบิกจ่ายใหม่", mf.COL_UNIT: "ราย",
           mf.COL_KIND: mf.KIND_QUANTITATIVE, mf.COL_DIRECTION: mf.DIRECTION_HIGHER,
           mf.COL_WEIGHT: 5, mf.COL_TARGET: 300, **LEVELS, mf.COL_ORG_KPI: "ORG-3",
           mf.COL_OWNER: "ผู้อำนวยการกองคลัง", mf.COL_COLLECTOR: "นายอนุชา พรหมมา",
           "ข้อมูลพื้นฐาน 2567": 150, "ข้อมูลพื้นฐาน 2568": "-", "เหตุผล": "ระบบใหม่ปี 2569"}


@pytest.fixture(scope="module")
def master() -> Master:
    return load_master(MASTER)


@pytest.fixture(scope="module")
def forms(master: Master, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("proposals")
    propose(master, out, jobs=1)
    return out


def candidate(path: Path) -> Candidate:
    return Candidate(str(path), path, None, path.stat().st_size, None)


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_proposal_round_goes_into_the_forms_and_is_scored_by_its_criteria(
        master: Master, forms: Path, tmp_path: Path, libreoffice: Converter) -> None:
    """B03 changes the criteria and weight of 2.7 and proposes a new KPI (re-saved by
    LibreOffice); B05 is sent back unchanged; every other office sends nothing. The draft
    passes check-master; the forms generated from it carry the proposals; a harvest scores the
    new KPI and the changed one by the proposed criteria."""
    returned = tmp_path / "returned"
    returned.mkdir()
    typed = fill_proposal(forms / P.file_name(YEAR, "B03"), tmp_path / P.file_name(YEAR, "B03"),
                          YEAR, {"2.7": {mf.COL_WEIGHT: 10, mf.COL_TARGET: 95,
                                         **dict(zip(mf.COL_LEVELS, (91, 93, 95, 97, 99),
                                                    strict=True))}}, [NEW_KPI])
    libreoffice([typed], returned)
    (returned / P.file_name(YEAR, "B05")).write_bytes(
        (forms / P.file_name(YEAR, "B05")).read_bytes())
    before = digest(returned)
    negotiation = collect_proposals([returned], master, jobs=1)
    assert digest(returned) == before
    lines = {line.office: line for line in negotiation.offices}
    assert lines["B03"].verdict == Verdict.MERGED and lines["B03"].changed == ["2.7"]
    assert lines["B05"].verdict == Verdict.UNCHANGED
    assert lines["B01"].verdict == Verdict.MISSING
    highest = max(int(code.split(".")[1]) for code in master.kpis if code.startswith("2."))
    new_code = f"2.{highest + 1}"
    assert lines["B03"].new == [new_code]
    assert [(r.office, r.code, r.status) for r in negotiation.rows] == [
        ("B03", "2.7", CHANGED), ("B03", new_code, NEW)]
    draft_path = tmp_path / "draft.xlsx"
    assert write_draft(negotiation, draft_path) == []
    report = read_master(draft_path)
    assert report.master is not None
    assert not [p for p in report.problems if p.is_error]
    draft = report.master
    assert draft.kpis[new_code].name == NEW_KPI[mf.COL_KPI_NAME]
    assert draft.kpis[new_code].org_kpi == "ORG-3"
    assert draft.card("B03", new_code).baseline == ((2567, Decimal(150)),)
    held = {a.kpi: a for a in draft.assignments_for("B03")}
    assert held["2.7"].weight == 10 and held["2.7"].criteria == tuple(
        Decimal(v) for v in (91, 93, 95, 97, 99))
    assert held[new_code].criteria == tuple(Decimal(v) for v in LEVELS.values())
    assert draft.assignments_for("B05") == master.assignments_for("B05")
    assert [a for a in draft.assignments if a.office not in ("B03",)] == \
        [a for a in master.assignments if a.office not in ("B03",)]

    generated = tmp_path / "forms"
    generate(draft, 12, generated, ["B03"], jobs=1)
    results: dict[str, object] = {a.kpi: 3 for a in draft.assignments_for("B03")
                                  if draft.kpis[a.kpi].kind.has_result}
    results.update({"2.7": 96, new_code: 250, "2.8": 12, "3.1": 90, "3.3": 9, "3.4": 80,
                    "3.6": 5})
    filled = fill_return(generated / "2569-R12-B03.xlsx", tmp_path / "2569-R12-B03.xlsx",
                         results)
    harvested = harvest([filled], draft, 12, jobs=1)
    b03 = next(o for o in harvested.offices if o.office == "B03")
    assert b03.status is Status.ACCEPTED
    scores = {k.kpi: k.score for k in b03.kpis}
    assert scores[new_code] == score_quantitative(
        Decimal(250), held[new_code].criteria, mf.Direction.HIGHER, 1) == Decimal("2.5000")
    assert scores["2.7"] == Decimal("3.5000")
    # the original master's form for B03 no longer matches the draft: its fingerprint moved
    assert master.fingerprint("B03") != draft.fingerprint("B03")


def test_the_live_checks_say_what_collect_says(master: Master, forms: Path, tmp_path: Path,
                                              libreoffice: Converter) -> None:
    """Rows typed to fail each live check (and one clean row), recalculated by LibreOffice:
    each row's check cell lists exactly the live texts of the problems collect finds there."""
    direction, kind = mf.COL_DIRECTION, mf.COL_KIND
    base = {**NEW_KPI, mf.COL_ORG_KPI: None}
    rows = [
        {**base, mf.COL_KPI_NAME: "ตัวชี้วัดที่ครบถ้วน"},
        {**base, mf.COL_KPI_NAME: None},
        {**base, mf.COL_KPI_NAME: "เกณฑ์กลับทิศ", mf.COL_LEVELS[1]: 50},
        {**base, mf.COL_KPI_NAME: "เกณฑ์ไม่ครบ", mf.COL_LEVELS[4]: None},
        {**base, mf.COL_KPI_NAME: "เป้าต่ำกว่าปีก่อน", mf.COL_TARGET: 250,
         "ข้อมูลพื้นฐาน 2568": 260},
        {**base, mf.COL_KPI_NAME: "น้อยดีเป้าสูงกว่าปีก่อน", direction: mf.DIRECTION_LOWER,
         **dict(zip(mf.COL_LEVELS, (500, 400, 300, 200, 100), strict=True)),
         "ข้อมูลพื้นฐาน 2568": 280},
        {**base, mf.COL_KPI_NAME: "ขั้นความสำเร็จ", kind: mf.KIND_MILESTONE, direction: None,
         **dict.fromkeys(mf.COL_LEVELS), mf.COL_TARGET: 3, "คำอธิบายระดับ 1": "เริ่ม"},
        {**base, mf.COL_KPI_NAME: "น้ำหนักผิด", mf.COL_WEIGHT: "ห้า", mf.COL_UNIT: None,
         mf.COL_ORG_KPI: "ORG-99", "ข้อมูลพื้นฐาน 2566": "ไม่มี"},
        {**base, mf.COL_KPI_NAME: "ตัวชี้วัดที่ครบถ้วน"},
        {**base, mf.COL_KPI_NAME: "ไม่มีทิศทาง", direction: None, kind: "อื่นๆ"},
    ]
    typed = fill_proposal(forms / P.file_name(YEAR, "B04"), tmp_path / P.file_name(YEAR, "B04"),
                          YEAR, {}, rows)
    recalculated = libreoffice([typed], tmp_path / "lo")[0]
    outcome = read_proposal(candidate(recalculated), master)
    expected: dict[int, set[str]] = {}
    for p in outcome.problems:
        if p.sheet == P.TABLE_SHEET and p.cell and p.cell[0] != "B" and p.code != \
                Code.PROPOSAL_WEIGHT_SUM.name:
            row = int("".join(ch for ch in p.cell if ch.isdigit()))
            column = next((h for h, letter in P.letters(YEAR).items()
                           if p.cell.rstrip("0123456789") == letter), None)
            text = checks.live_text(Code[p.code], column)
            assert text is not None, p
            expected.setdefault(row, set()).add(text)
    shown = openpyxl.load_workbook(recalculated, data_only=True)[P.TABLE_SHEET]
    first_new = P.FIRST_ROW + len(master.assignments_for("B04"))
    seen_problem = 0
    for offset in range(len(rows)):
        row = first_new + offset
        text = shown[f"A{row}"].value or ""
        found = set(filter(None, (t.strip() for t in text.split(checks.SEPARATOR.strip()))))
        want = expected.get(row, set()) or {P.CHECK_OK}
        assert found == want, (row, rows[offset][mf.COL_KPI_NAME], text)
        seen_problem += found != {P.CHECK_OK}
    assert seen_problem == len(rows) - 1
    # the weight total in row 3 adds the numbers (one weight is words); collect does not add
    # weights while one is not a number, whose own problem says so
    total = sum(a.weight for a in master.assignments_for("B04")) + 5 * (len(rows) - 1)
    assert shown["B3"].value == float(total)
    assert Code.PROPOSAL_WEIGHT_SUM.name not in {p.code for p in outcome.problems}


def test_the_proposal_workbook_is_locked_and_guided(master: Master, forms: Path) -> None:
    """Locked and protected; the table is the defined name PROPOSALS with the contract's
    headers (baselines of the three previous years); groups 1 and 3 locked, group 2 editable
    but for its code and group; dropdowns for kind, direction and organisation KPI."""
    wb = openpyxl.load_workbook(forms / P.file_name(YEAR, "B03"))
    ws = wb[P.TABLE_SHEET]
    assert ws.protection.sheet and wb.security is not None and wb.security.lockStructure
    count = len(master.assignments_for("B03"))
    ref = wb.defined_names[P.TABLE_NAME].attr_text
    assert ref == f"'{P.TABLE_SHEET}'!$B$5:$AC${5 + count + P.DEFAULT_BLANK_ROWS}"
    headers = [c.value for c in ws[P.HEADER_ROW]][1:]
    assert headers == [c.header for c in P.columns(YEAR)]
    assert [h for h in headers if h.startswith(mf.BASELINE_PREFIX)] == [
        "ข้อมูลพื้นฐาน 2566", "ข้อมูลพื้นฐาน 2567", "ข้อมูลพื้นฐาน 2568"]
    letters = P.letters(YEAR)
    for index, a in enumerate(master.assignments_for("B03")):
        row = P.FIRST_ROW + index
        group = master.kpis[a.kpi].group
        assert ws[f"{letters[mf.COL_KPI]}{row}"].value == a.kpi
        assert ws[f"{letters[mf.COL_KPI]}{row}"].protection.locked
        assert ws[f"{letters[mf.COL_WEIGHT]}{row}"].protection.locked is (group != 2)
        assert ws[f"{letters[mf.COL_KPI_NAME]}{row}"].protection.locked is (group != 2)
    blank = P.FIRST_ROW + count
    assert ws[f"{letters[mf.COL_GROUP]}{blank}"].value == 2
    assert ws[f"{letters[mf.COL_GROUP]}{blank}"].protection.locked
    assert not ws[f"{letters[mf.COL_KPI_NAME]}{blank}"].protection.locked
    lists = {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv
             for dv in ws.data_validations.dataValidation}
    assert lists[letters[mf.COL_KIND]].type == "list"
    assert lists[letters[mf.COL_DIRECTION]].type == "list"
    assert lists[letters[mf.COL_ORG_KPI]].type == "list"
    assert lists[letters[mf.COL_WEIGHT]].type == "decimal"
    assert all(dv.promptTitle and dv.prompt for dv in lists.values())
    meta = {r[0]: r[1] for r in wb[P.META_SHEET].iter_rows(values_only=True)}
    assert meta["kind"] == P.META_KIND and meta["fingerprint"] == master.fingerprint("B03")
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$5:$5"


def test_a_kpi_other_offices_hold_too_keeps_its_catalogue_locked(
        master: Master, tmp_path: Path) -> None:
    """When two offices hold one group-2 KPI, each may change its weight, target and criteria,
    but not the name, unit or kind that the other office shares."""
    from dataclasses import replace

    from workbook_engine.master.writer import write_master
    from workbook_engine.model import Assignment

    b03 = master.assignments_for("B03")
    b04 = master.assignments_for("B04")
    shared_kpi = next(a.kpi for a in b03 if master.kpis[a.kpi].group == 2
                      and master.kpis[a.kpi].kind.uses_criteria)
    own = next(a for a in b04 if master.kpis[a.kpi].group == 2
               and master.kpis[a.kpi].kind.uses_criteria)
    donor = next(a for a in b03 if a.kpi == shared_kpi)
    assignments = [Assignment("B04", shared_kpi, own.weight, donor.criteria)
                   if a is own else a for a in master.assignments]
    shared = replace(master, assignments=assignments)
    write_master(shared, tmp_path / "shared.xlsx")
    shared = load_master(tmp_path / "shared.xlsx")
    propose(shared, tmp_path / "forms", ["B04"], jobs=1)
    ws = openpyxl.load_workbook(tmp_path / "forms" / P.file_name(YEAR, "B04"))[P.TABLE_SHEET]
    letters = P.letters(YEAR)
    row = P.FIRST_ROW + [a.kpi for a in shared.assignments_for("B04")].index(shared_kpi)
    assert ws[f"{letters[mf.COL_KPI_NAME]}{row}"].protection.locked
    assert not ws[f"{letters[mf.COL_WEIGHT]}{row}"].protection.locked
    renamed = fill_proposal(tmp_path / "forms" / P.file_name(YEAR, "B04"),
                            tmp_path / P.file_name(YEAR, "B04"), YEAR,
                            {shared_kpi: {mf.COL_KPI_NAME: "ชื่อใหม่"}})
    outcome = read_proposal(candidate(renamed), shared)
    assert [(p.code, p.cell) for p in outcome.problems] == [
        (Code.PROPOSAL_LOCKED_CHANGED.name, f"{letters[mf.COL_KPI_NAME]}{row}")]


def test_command_line_round(forms: Path, tmp_path: Path) -> None:
    """propose and collect-proposals from the command line: exit 0 when every office sent a
    valid proposal, 1 when some did not (draft written), 2 when the master is invalid; the
    JSON says per office what became of its proposal; outputs are written atomically."""
    runner = CliRunner()
    out = tmp_path / "p"
    done = runner.invoke(cli, ["propose", str(MASTER), "--out", str(out), "--office", "B01",
                               "--office", "B02", "--rows", "3"])
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in out.iterdir()) == [
        "2569-P-B01.xlsx", "2569-P-B02.xlsx", "manifest.csv"]
    draft, result = tmp_path / "draft.xlsx", tmp_path / "draft.json"
    done = runner.invoke(cli, ["collect-proposals", *map(str, sorted(forms.glob("*.xlsx"))),
                               "--master", str(MASTER),
                               "--out", str(draft), "--json", str(result)])
    assert done.exit_code == 0, done.output
    document = json.loads(result.read_text(encoding="utf-8"))
    assert document["all_valid"] is True
    assert {o["verdict"] for o in document["offices"]} == {Verdict.UNCHANGED}
    done = runner.invoke(cli, ["collect-proposals", *map(str, sorted(out.glob("*.xlsx"))),
                               "--master", str(MASTER), "--out", str(draft), "--json",
                               str(result)])
    assert done.exit_code == 1, done.output
    document = json.loads(result.read_text(encoding="utf-8"))
    assert [o["office"] for o in document["offices"] if o["verdict"] == Verdict.MISSING] == [
        f"B{n:02d}" for n in range(3, 14)]
    assert read_master(draft).valid
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draft.json", "draft.xlsx", "p"]
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    done = runner.invoke(cli, ["collect-proposals", str(out), "--master", str(bad),
                               "--out", str(tmp_path / "other.xlsx")])
    assert done.exit_code == 2 and not (tmp_path / "other.xlsx").exists()


def test_the_negotiation_record_prints_on_a4_with_blank_columns_for_the_meeting(
        master: Master, tmp_path: Path) -> None:
    """The record lists each new or changed KPI with proposed and previous values side by
    side, its baselines and flags, and blank columns for the working group; both record
    sheets print on A4 landscape, one page wide, titles repeated."""
    negotiation = collect_proposals([ROOT / "samples" / "proposals"], master, jobs=1)
    write_draft(negotiation, tmp_path / "draft.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "draft.xlsx")
    ws = wb[RECORD_SHEET]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == [mf.COL_OFFICE, mf.COL_KPI, mf.COL_KPI_NAME, "สถานะ"]
    assert headers[-2:] == ["ความเห็นคณะทำงาน", "ผลการเจรจา"]
    rows = [dict(zip(headers, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    soft = next(r for r in rows if r[mf.COL_KPI] == "2.22")
    assert soft["สถานะ"] == CHANGED and soft["ค่าเป้าหมาย (เสนอ)"] == "90"
    assert soft["ค่าเป้าหมาย (เดิม)"] == "95" and soft["ผลปี 2568"] == 92.5
    assert soft["ข้อสังเกต"] == checks.live_text(Code.PROPOSAL_SOFT_TARGET, None)
    assert all(r["ความเห็นคณะทำงาน"] is None and r["ผลการเจรจา"] is None for r in rows)
    summary = {r[0]: r for r in wb[SUMMARY_SHEET].iter_rows(min_row=2, values_only=True)}
    assert summary["B10"][2] == Verdict.ERRORS and "PROPOSAL" not in (summary["B10"][-1] or "")
    assert "คำอธิบายระดับ" in summary["B10"][-1]
    for name in (RECORD_SHEET, SUMMARY_SHEET):
        setup = wb[name].page_setup
        assert setup.paperSize == 9 and setup.orientation == "landscape"
        assert wb[name].sheet_properties.pageSetUpPr.fitToPage
        assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0  # None: 1, the default
        assert wb[name].print_title_rows == "$1:$1"
