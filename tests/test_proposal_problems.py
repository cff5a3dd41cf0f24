"""Every problem of the negotiation round (issue #16), each from a bad proposal built at test time.

A proposal workbook is generated from the shipped master for every office once per module; each
test copies one and types into it as a coordinator would (:func:`fill_proposal`), or edits it
as a user who removed the protection would (openpyxl, :mod:`tests.hostile_files`), then reads it
back (``read_proposal``) or collects a folder of them (``collect_proposals``). Each problem is
checked for its code, severity, file, sheet and exact cell, and for a Thai message that says
where and what to fix. The hostile files of harvest (INTAKE.md 1-8) are given to
collect-proposals too, and must give the codes harvest gives, never stop the other files, and
never change an input. The last test reads this file to make sure every ``PROPOSAL_*`` code of
the catalogue is asserted here.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from workbook_engine.devkit.proposals import fill_proposal
from workbook_engine.forms.generate import generate
from workbook_engine.harvesting.intake import ARCHIVE_CAPS, OLE2_MAGIC, collect
from workbook_engine.harvesting.outcomes import Status
from workbook_engine.harvesting.run import harvest
from workbook_engine.master import format as mf
from workbook_engine.master.reader import load_master
from workbook_engine.master.writer import write_master
from workbook_engine.model import Master, RoundOverride
from workbook_engine.problems import CATALOGUE, Code, Problem, Severity
from workbook_engine.proposals import layout as P
from workbook_engine.proposals.collect import Negotiation, Verdict, collect_proposals
from workbook_engine.proposals.propose import propose
from workbook_engine.proposals.read import ProposalOutcome, read_proposal
from workbook_engine.proposals.record import write_draft, write_json

from . import hostile_files as H
from .located import ANY, LockedCase, codes_used, digests, errors, expect, expect_calls

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_MASTER = ROOT / "templates" / "master.xlsx"
YEAR = 2569
OFFICE = "B03"                       # holds 2.7 (มากดี), 2.8 (น้อยดี), 2.9 (milestone)
NAME = P.file_name(YEAR, OFFICE)     # 2569-P-B03.xlsx
TABLE, META = P.TABLE_SHEET, P.META_SHEET
E, W = Severity.ERROR, Severity.WARNING
COL = P.letters(YEAR)                # master header -> column letter of the table
WEIGHT, KIND, DIRECTION, UNIT, TARGET = (mf.COL_WEIGHT, mf.COL_KIND, mf.COL_DIRECTION,
                                         mf.COL_UNIT, mf.COL_TARGET)
LEVELS = mf.COL_LEVELS
TEXTS = P.COL_LEVEL_TEXTS
BASE_2566, BASE_2567, BASE_2568 = (mf.baseline_column(y) for y in P.baseline_years(YEAR))
# B03's rows in its proposal: groups 1 (6-7), 2 (8-10) and 3 (11-16), then ten blank rows
ROW = {"1.1": 6, "1.2": 7, "2.7": 8, "2.8": 9, "2.9": 10, "3.1": 11, "3.2": 12, "3.3": 13,
       "3.4": 14, "3.5": 15, "3.6": 16}
BLANK = 17                           # the first blank row, for a new KPI
Edits = Mapping[str, Mapping[str, object]]        # by KPI code: values by master header

# a complete, valid new quantitative KPI of weight 5 (its weight is taken from 2.7: TAKE)
NEW_NAME = "ร้อยละของคำขอเบิกจ่ายที่ตรวจถูกต้องในครั้งแรก"
NEW: dict[str, object] = {
    mf.COL_KPI_NAME: NEW_NAME, UNIT: "ร้อยละ",
    KIND: mf.KIND_QUANTITATIVE, DIRECTION: mf.DIRECTION_HIGHER, WEIGHT: 5, TARGET: 80,
    **dict(zip(LEVELS, (70, 75, 80, 85, 90), strict=True)), mf.COL_ORG_KPI: "ORG-3",
    mf.COL_DESCRIPTION: "คำขอเบิกจ่ายที่ผ่านการตรวจโดยไม่ต้องแก้ไข",
    mf.COL_FORMULA: "(คำขอที่ถูกต้องครั้งแรก / คำขอทั้งหมด) x 100",
    mf.COL_DATA_REQUIRED: "ทะเบียนคำขอเบิกจ่าย", mf.COL_OWNER: "ผู้อำนวยการกองคลัง",
    mf.COL_COLLECTOR: "เจ้าหน้าที่การเงิน", BASE_2566: 70, BASE_2567: 74, BASE_2568: 78,
    P.COL_REASON: "ลดการส่งคำขอกลับไปแก้ไข"}
MILESTONE: dict[str, object] = {
    mf.COL_KPI_NAME: "ระดับความสำเร็จของการจัดทำคู่มือการเบิกจ่าย", UNIT: "ระดับ",
    KIND: mf.KIND_MILESTONE, WEIGHT: 5, TARGET: 3,
    **{t: f"ขั้นที่ {n} ของคู่มือ" for n, t in enumerate(TEXTS, start=1)}}
TAKE: Edits = {"2.7": {WEIGHT: 10}}


def new(**changes: object) -> dict[str, object]:
    """:data:`NEW` with some values replaced (by master header; None clears the cell)."""
    return {**NEW, **changes}


# -- the module's workbooks ----------------------------------------------------------------------

@dataclass(frozen=True)
class World:
    """The shipped master, every office's proposal, one office's return, good proposals."""

    root: Path
    master: Master
    gen: Path
    returns: Path
    good: dict[str, bytes] = field(default_factory=dict)    # valid proposals that change KPIs

    def proposal(self, office: str = OFFICE) -> Path:
        return self.gen / P.file_name(YEAR, office)

    def fill(self, target: Path, edits: Edits | None = None,
             new: Sequence[Mapping[str, object]] = (), office: str = OFFICE) -> Path:
        """``office``'s proposal with ``edits`` and ``new`` KPIs typed in, saved at ``target``."""
        target.parent.mkdir(parents=True, exist_ok=True)
        return fill_proposal(self.proposal(office), target, YEAR, edits, new)

    def bytes_of(self, edits: Edits | None = None,
                 new: Sequence[Mapping[str, object]] = (), office: str = OFFICE) -> bytes:
        scratch = self.root / "scratch" / f"{len(list(self.root.rglob('*')))}.xlsx"
        data = self.fill(scratch, edits, new, office).read_bytes()
        scratch.unlink()
        return data


# valid proposals that move weight between two group-2 KPIs (merged as changed)
GOOD_EDITS: dict[str, Edits] = {"B01": {"2.1": {WEIGHT: 10}, "2.2": {WEIGHT: 15}},
                                "B03": {"2.7": {WEIGHT: 20}, "2.8": {WEIGHT: 5}},
                                "B05": {"2.13": {WEIGHT: 10}, "2.14": {WEIGHT: 15}}}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("proposals")
    master = load_master(SHIPPED_MASTER)
    propose(master, root / "gen", jobs=1)
    generate(master, 12, root / "returns", offices=["B01"], jobs=1)
    w = World(root, master, root / "gen", root / "returns")
    for office, edits in GOOD_EDITS.items():
        w.good[office] = w.bytes_of(edits, office=office)
    return w


# -- reading and checking ------------------------------------------------------------------------

def read(path: Path, master: Master) -> ProposalOutcome:
    """One file read as a proposal, as collect-proposals reads it."""
    candidates, problems = collect([path])
    assert not problems and len(candidates) == 1
    return read_proposal(candidates[0], master)










def collected(folder: Path, master: Master) -> Negotiation:
    """collect-proposals over ``folder``, which it must leave byte for byte as it was."""
    before = digests(folder)
    negotiation = collect_proposals([folder], master, jobs=1)
    assert digests(folder) == before, "collect-proposals changed an input"
    return negotiation


def _folder(tmp_path: Path, files: dict[str, bytes]) -> Path:
    """``files`` (by path, folders created) written into a fresh folder of inputs."""
    folder = tmp_path / "proposals"
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def verdicts(negotiation: Negotiation) -> dict[str, str]:
    return {o.office: o.verdict for o in negotiation.offices}


def saved_at(data: bytes, moment: str) -> bytes:
    """The workbook with ``moment`` as its saved time (``dcterms:modified``)."""
    def stamp(xml: bytes) -> bytes:
        out, count = re.subn(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                             rb"\g<1>" + moment.encode() + rb"\g<2>", xml)
        assert count == 1
        return out
    return H.edit_part(data, "docProps/core.xml", stamp)


# -- the layout the cells below are given in -----------------------------------------------------

def test_the_cells_named_here_are_the_proposals_cells(world: World) -> None:
    """The literal cells of the cases are where the generated workbook has them."""
    ws = openpyxl.load_workbook(world.proposal())[TABLE]
    assert (COL[mf.COL_KPI], COL[mf.COL_KPI_NAME], COL[mf.COL_GROUP], COL[UNIT], COL[KIND],
            COL[DIRECTION], COL[WEIGHT], COL[TARGET]) == tuple("BCDEFGHI")
    assert [COL[h] for h in LEVELS] == list("JKLMN")
    assert (COL[mf.COL_ORG_KPI], COL[BASE_2566], COL[BASE_2567], COL[BASE_2568],
            COL[TEXTS[0]], COL[P.COL_REASON]) == ("O", "U", "V", "W", "X", "AC")
    assert ws[f"C{P.HEADER_ROW}"].value == mf.COL_KPI_NAME
    assert {code: ws[f"B{row}"].value for code, row in ROW.items()} == \
        {code: code for code in ROW}
    assert [a.kpi for a in world.master.assignments_for(OFFICE)] == list(ROW)
    assert ws[f"B{BLANK}"].value is None and ws[f"D{BLANK}"].value == 2
    assert ws[f"B{P.TOTAL_ROW}"].value.startswith("=SUM(")


def test_untouched_proposals_are_valid_and_change_nothing(world: World, tmp_path: Path) -> None:
    """The baseline every case departs from: no problem at all, and a draft equal to the
    master."""
    for office in world.master.offices:
        outcome = read(world.proposal(office), world.master)
        assert outcome.valid and outcome.office == office and not outcome.problems
    folder = _folder(tmp_path, {P.file_name(YEAR, o): world.proposal(o).read_bytes()
                                for o in world.master.offices})
    negotiation = collected(folder, world.master)
    assert set(verdicts(negotiation).values()) == {Verdict.UNCHANGED}
    assert not negotiation.problems and not negotiation.rows and negotiation.all_valid
    draft, master = negotiation.draft, world.master
    assert (draft.assignments, draft.kpis, draft.cards, draft.milestone_levels,
            draft.overrides) == (master.assignments, master.kpis, master.cards,
                                 master.milestone_levels, master.overrides)


# -- a typed row: every check of a group-2 row, alone ---------------------------------------------

@dataclass(frozen=True)
class RowCase:
    """B03's proposal with ``edits`` and ``new`` rows typed in; the one problem expected."""

    code: Code
    cell: str
    edits: Edits = field(default_factory=dict)
    new: tuple[dict[str, object], ...] = ()
    says: tuple[str, ...] = ()


ROW_CASES: dict[str, RowCase] = {
    "a new KPI with no name": RowCase(
        Code.PROPOSAL_NAME_MISSING, f"C{BLANK}", TAKE, (new(**{mf.COL_KPI_NAME: None}),),
        ("ยังไม่มีชื่อตัวชี้วัด", "กรอกชื่อตัวชี้วัด")),
    "a weight typed as the word ห้า": RowCase(
        Code.PROPOSAL_VALUE_INVALID, "H8", {"2.7": {WEIGHT: "ห้า"}},
        says=("'ห้า'", f"'{WEIGHT}'", "มากกว่า 0 ไม่เกิน 100")),
    "a weight of 0": RowCase(
        Code.PROPOSAL_VALUE_INVALID, f"H{BLANK}", new=(new(**{WEIGHT: 0}),),
        says=("'0'", f"'{WEIGHT}'", "มากกว่า 0 ไม่เกิน 100")),
    "a weight over 100": RowCase(
        Code.PROPOSAL_VALUE_INVALID, "H9", {"2.8": {WEIGHT: 120}},
        says=("'120'", "มากกว่า 0 ไม่เกิน 100")),
    "a new KPI without a weight": RowCase(
        Code.PROPOSAL_VALUE_MISSING, f"H{BLANK}", new=(new(**{WEIGHT: None}),),
        says=(f"'{WEIGHT}'", f"'{NEW_NAME}'")),
    "weights summing to 105": RowCase(
        Code.PROPOSAL_WEIGHT_SUM, f"B{P.TOTAL_ROW}", {"2.7": {WEIGHT: 20}},
        says=("105", "ไม่ใช่ 100")),
    "weights summing to 95 with a new KPI": RowCase(
        Code.PROPOSAL_WEIGHT_SUM, f"B{P.TOTAL_ROW}", {"2.7": {WEIGHT: 5}}, (NEW,),
        says=("รวมกันได้ 95",)),
    "criteria of มากดี out of order": RowCase(
        Code.PROPOSAL_CRITERIA_ORDER, "J8", {"2.7": {LEVELS[1]: 92}},
        says=("เพิ่มขึ้น", "80 / 92 / 90 / 95 / 100", mf.DIRECTION_HIGHER)),
    "criteria of น้อยดี out of order": RowCase(
        Code.PROPOSAL_CRITERIA_ORDER, "J9", {"2.8": {LEVELS[3]: 13}},
        says=("ลดลง", "18 / 15 / 12 / 13 / 6", mf.DIRECTION_LOWER)),
    "rising criteria for a new น้อยดี KPI": RowCase(
        Code.PROPOSAL_CRITERIA_ORDER, f"J{BLANK}", TAKE,
        (new(**{DIRECTION: mf.DIRECTION_LOWER}),), ("ลดลง", "70 / 75 / 80 / 85 / 90")),
    "a criterion cleared": RowCase(
        Code.PROPOSAL_CRITERIA_MISSING, "M8", {"2.7": {LEVELS[3]: None}},
        says=(f"'{LEVELS[3]}'", "ให้ครบ")),
    "a criterion typed as words": RowCase(
        Code.PROPOSAL_CRITERIA_MISSING, f"N{BLANK}", TAKE,
        (new(**{LEVELS[4]: "เก้าสิบ"}),), (f"'{LEVELS[4]}'",)),
    "kind ใช้ผลคะแนนองค์กร, which a proposal may not choose": RowCase(
        Code.PROPOSAL_VALUE_INVALID, f"F{BLANK}", TAKE,
        (new(**{KIND: mf.KIND_INHERITED}),),
        (f"'{mf.KIND_INHERITED}'", f"'{KIND}'", "เลือก เชิงปริมาณ, เชิงปริมาณแบบขั้น, ระดับความสำเร็จ")),
    "kind อื่นๆ on a held KPI": RowCase(
        Code.PROPOSAL_VALUE_INVALID, "F8", {"2.7": {KIND: "อื่นๆ"}},
        says=("'อื่นๆ'", "เลือก เชิงปริมาณ")),
    "a new KPI without a kind": RowCase(
        Code.PROPOSAL_VALUE_MISSING, f"F{BLANK}", TAKE, (new(**{KIND: None}),),
        (f"'{KIND}'",)),
    "a direction not in the list": RowCase(
        Code.PROPOSAL_VALUE_INVALID, f"G{BLANK}", TAKE, (new(**{DIRECTION: "มากกว่า"}),),
        ("'มากกว่า'", f"'{DIRECTION}'", "เลือก มากดี หรือ น้อยดี")),
    "a direction cleared": RowCase(
        Code.PROPOSAL_VALUE_MISSING, "G9", {"2.8": {DIRECTION: None}}, says=(f"'{DIRECTION}'",)),
    "a new KPI without a unit": RowCase(
        Code.PROPOSAL_VALUE_MISSING, f"E{BLANK}", TAKE, (new(**{UNIT: None}),),
        (f"'{UNIT}'",)),
    "an organisation KPI that does not exist": RowCase(
        Code.PROPOSAL_UNKNOWN_ORG_KPI, f"O{BLANK}", TAKE, (new(**{mf.COL_ORG_KPI: "ORG-9"}),),
        ("'ORG-9'", "เลือกรหัสตัวชี้วัดองค์กรจากรายการ")),
    "the same new KPI twice": RowCase(
        Code.PROPOSAL_DUPLICATE_KPI, f"C{BLANK + 1}", {"2.7": {WEIGHT: 5}}, (NEW, NEW),
        (f"ซ้ำกับแถว {BLANK}", "ลบแถวที่ซ้ำ")),
    "a new KPI named as a held one": RowCase(
        Code.PROPOSAL_DUPLICATE_KPI, f"C{BLANK}", TAKE,
        (new(**{mf.COL_KPI_NAME: "ระยะเวลาเฉลี่ยในการดำเนินการด้านการเบิกจ่ายผ่านระบบอิเล็กทรอนิกส์"}),),
        ("ซ้ำกับแถว 9",)),
    "a new milestone without its level texts": RowCase(
        Code.PROPOSAL_LEVELS_MISSING, f"X{BLANK}", TAKE,
        ({**MILESTONE, TEXTS[2]: None, TEXTS[3]: None, TEXTS[4]: None},),
        ("ระดับ 3, 4, 5", "กรอกคำอธิบายระดับ 1 ถึง 5")),
    "a held milestone's level text cleared": RowCase(
        Code.PROPOSAL_LEVELS_MISSING, "X10", {"2.9": {TEXTS[3]: None}}, says=("ระดับ 4",)),
    "a baseline that is not a number": RowCase(
        Code.PROPOSAL_VALUE_INVALID, f"V{BLANK}", TAKE, (new(**{BASE_2567: "ไม่มี"}),),
        ("'ไม่มี'", f"'{BASE_2567}'", "ใส่ - ถ้าไม่มีข้อมูล")),
    "a held KPI's baseline typed as words": RowCase(
        Code.PROPOSAL_VALUE_INVALID, "W9", {"2.8": {BASE_2568: "สิบสองวัน"}},
        says=("'สิบสองวัน'",)),
    # warnings: noted for the meeting, the proposal stays valid
    "a target that is not level 3": RowCase(
        Code.PROPOSAL_TARGET_NOT_LEVEL3, f"I{BLANK}", TAKE, (new(**{TARGET: 85}),),
        ("(85)", "ระดับ 3 (80)")),
    "a target softer than last year's result": RowCase(
        Code.PROPOSAL_SOFT_TARGET, "I8",
        {"2.7": {TARGET: 85, **dict(zip(LEVELS, (75, 80, 85, 90, 95), strict=True))}},
        says=("(85)", "ผลปี 2568 (90)", mf.DIRECTION_HIGHER)),
}


@pytest.mark.parametrize("case", ROW_CASES.values(), ids=ROW_CASES.keys())
def test_row_problem(case: RowCase, world: World, tmp_path: Path) -> None:
    """One mistake in a row: its problem, at its cell, and no other error."""
    path = world.fill(tmp_path / NAME, case.edits, case.new)
    outcome = read(path, world.master)
    p = expect(outcome.problems, case.code, case.code.severity, path, TABLE, case.cell,
               OFFICE, case.says)
    if case.code.severity is E:
        assert errors(outcome.problems) == [(case.code.name, case.cell)]
        assert not outcome.valid
    else:
        assert not errors(outcome.problems) and outcome.valid
        flagged = [r for r in outcome.rows if case.code.name in r.flags]
        assert [r.row for r in flagged] == [int(case.cell[1:])]
    assert outcome.read, "a row's problem never stops the reading of the table"
    assert p.office == OFFICE


def test_a_dash_is_an_accepted_baseline(world: World, tmp_path: Path) -> None:
    """'-' (and its dash look-alikes) says there is no result for that year: no problem, and
    the draft has no baseline for it."""
    path = world.fill(tmp_path / "in" / NAME, {"2.7": {WEIGHT: 10, BASE_2566: "-"},
                                               "2.8": {BASE_2567: "–"}},
                      [new(**{BASE_2566: "-", BASE_2567: "-", BASE_2568: "—"})])
    outcome = read(path, world.master)
    assert outcome.valid and not outcome.problems, [p.message for p in outcome.problems]
    negotiation = collected(path.parent, world.master)
    line = next(o for o in negotiation.offices if o.office == OFFICE)
    assert line.verdict == Verdict.MERGED and line.new == ["2.40"]
    assert negotiation.draft.card(OFFICE, "2.40").baseline == ()
    assert [y for y, _ in negotiation.draft.card(OFFICE, "2.7").baseline] == [2567, 2568]
    assert [y for y, _ in negotiation.draft.card(OFFICE, "2.8").baseline] == [2566, 2568]


@pytest.mark.parametrize(("edits", "cell"), [
    ({"2.7": {WEIGHT: "15"}}, "H8"),
    ({"2.7": {LEVELS[3]: "95"}}, "M8"),
    ({"2.7": {BASE_2568: "90"}}, "W8"),
], ids=["weight", "criterion", "baseline"])
def test_a_number_typed_as_text_is_refused_as_the_live_check_shows_it(
        edits: Edits, cell: str, world: World, tmp_path: Path) -> None:
    path = world.fill(tmp_path / NAME, edits)
    outcome = read(path, world.master)
    assert [p.cell for p in outcome.problems] == [cell]


def test_several_mistakes_are_each_reported(world: World, tmp_path: Path) -> None:
    """Nothing stops at the first problem: each row and cell has its own."""
    path = world.fill(tmp_path / NAME, {"2.7": {WEIGHT: "ห้า"}, "2.8": {DIRECTION: "มาก"}},
                      [new(**{mf.COL_KPI_NAME: None}), new(**{KIND: "อื่นๆ"})])
    found = errors(read(path, world.master).problems)
    assert found == sorted([("PROPOSAL_VALUE_INVALID", "H8"), ("PROPOSAL_VALUE_INVALID", "G9"),
                            ("PROPOSAL_NAME_MISSING", f"C{BLANK}"),
                            ("PROPOSAL_VALUE_INVALID", f"F{BLANK + 1}")])


# -- locked cells -------------------------------------------------------------------------------

LOCKED_CASES: dict[str, LockedCase] = {
    "a group-1 row's weight": LockedCase((H.set_cell(TABLE, "H6", 20),), "H6",
                                         ("ควรเป็น '10'", "พบ '20'")),
    "a group-1 row's name": LockedCase((H.set_cell(TABLE, "C7", "ชื่อที่แก้"),), "C7",
                                       ("พบ 'ชื่อที่แก้'",)),
    "a group-3 row's criterion": LockedCase((H.set_cell(TABLE, "J11", 1),), "J11",
                                            ("ควรเป็น '88'", "พบ '1'")),
    "a header": LockedCase((H.set_cell(TABLE, "C5", "ชื่อ"),), "C5",
                           (f"ควรเป็น '{mf.COL_KPI_NAME}'", "พบ 'ชื่อ'")),
    "a group-2 row's code": LockedCase((H.set_cell(TABLE, "B8", "2.99"),), "B8",
                                       ("ควรเป็น '2.7'", "พบ '2.99'")),
    "a group-2 row's group": LockedCase((H.set_cell(TABLE, "D9", 1),), "D9",
                                        ("ควรเป็น '2'", "พบ '1'")),
    "a code typed in a blank row": LockedCase((H.set_cell(TABLE, f"B{BLANK}", "2.50"),),
                                              f"B{BLANK}", ("พบ '2.50'",)),
    "a row inserted": LockedCase((H.insert_rows(TABLE, 8),), "B8", ("ควรเป็น '2.7'",)),
    "a row deleted": LockedCase((H.delete_rows(TABLE, 7),), "B7", ("ควรเป็น '1.2'",)),
}


@pytest.mark.parametrize("case", LOCKED_CASES.values(), ids=LOCKED_CASES.keys())
def test_locked_cell_changed(case: LockedCase, world: World, tmp_path: Path) -> None:
    """A locked cell changed (protection removed): the cell, what it should be, what it is;
    the proposal is refused."""
    path = tmp_path / NAME
    path.write_bytes(H.edit(world.proposal().read_bytes(), *case.changes))
    outcome = read(path, world.master)
    expect(outcome.problems, Code.PROPOSAL_LOCKED_CHANGED, E, path, TABLE, case.cell, OFFICE,
           case.says)
    assert {p.code for p in outcome.problems if p.is_error} == {"PROPOSAL_LOCKED_CHANGED"}
    assert not outcome.valid and not outcome.rows


def test_every_locked_cell_changed_is_reported(world: World, tmp_path: Path) -> None:
    changes = {"H6": 20, "C5": "ชื่อ", "B8": "2.99", "N13": 0}
    path = tmp_path / NAME
    path.write_bytes(H.edit(world.proposal().read_bytes(),
                            *(H.set_cell(TABLE, c, v) for c, v in changes.items())))
    outcome = read(path, world.master)
    assert errors(outcome.problems) == sorted(("PROPOSAL_LOCKED_CHANGED", c) for c in changes)
    for cell in changes:
        expect(outcome.problems, Code.PROPOSAL_LOCKED_CHANGED, E, path, TABLE, cell, OFFICE)


# -- the file's identity ------------------------------------------------------------------------

@dataclass(frozen=True)
class IdentityCase:
    changes: tuple[H.Change, ...]
    code: Code
    sheet: str | None
    office: str | None
    says: tuple[str, ...] = ()


IDENTITY_CASES: dict[str, IdentityCase] = {
    "no _meta sheet": IdentityCase((H.remove_sheet(META),), Code.PROPOSAL_NOT_OURS, None, None),
    "_meta of another kind of workbook": IdentityCase(
        (H.set_meta("kind", "return"),), Code.PROPOSAL_NOT_OURS, None, None),
    "_meta without a fingerprint": IdentityCase(
        (H.drop_meta_key("fingerprint"),), Code.PROPOSAL_NOT_OURS, None, None),
    "_meta with blank rows beyond the limit": IdentityCase(
        (H.set_meta("blank_rows", "5000"),), Code.PROPOSAL_NOT_OURS, None, OFFICE),
    "an unknown office": IdentityCase(
        (H.set_meta("office", "X99"),), Code.PROPOSAL_UNKNOWN_OFFICE, META, None, ("'X99'",)),
    "fiscal year 2568": IdentityCase(
        (H.set_meta("fiscal_year", "2568"),), Code.PROPOSAL_WRONG_YEAR, META, OFFICE,
        ("ปีงบประมาณ 2568", "ไม่ใช่ปี 2569", "แบบเสนอของปีงบประมาณ 2569")),
    "fiscal year as a number": IdentityCase(
        (H.set_meta("fiscal_year", 2570),), Code.PROPOSAL_WRONG_YEAR, META, OFFICE, ("2570",)),
    "fingerprint edited": IdentityCase(
        (H.set_meta("fingerprint", "0" * 64),), Code.PROPOSAL_STALE, META, OFFICE),
    "the table sheet renamed": IdentityCase(
        (H.rename_sheet(TABLE, "ตัวชี้วัด (2)"),), Code.PROPOSAL_SHEET_MISSING, None, OFFICE,
        (f"'{TABLE}'",)),
    "the table sheet deleted": IdentityCase(
        (H.remove_sheet(TABLE),), Code.PROPOSAL_SHEET_MISSING, None, OFFICE, (f"'{TABLE}'",)),
}


@pytest.mark.parametrize("case", IDENTITY_CASES.values(), ids=IDENTITY_CASES.keys())
def test_identity_problem(case: IdentityCase, world: World, tmp_path: Path) -> None:
    path = tmp_path / NAME
    path.write_bytes(H.edit(world.proposal().read_bytes(), *case.changes))
    outcome = read(path, world.master)
    expect(outcome.problems, case.code, E, path, case.sheet, None, case.office, case.says)
    assert errors(outcome.problems) == [(case.code.name, None)]
    assert not outcome.valid and not outcome.rows and outcome.office == case.office


def test_made_from_another_master_is_stale(world: World, tmp_path: Path) -> None:
    """The master changed after the proposals went out (a group-1 weight of B03): the old
    proposal is refused as stale, and collect keeps B03's KPIs of the new master."""
    changed = [dataclasses.replace(a, weight=a.weight + 5) if (a.office, a.kpi) == (OFFICE, "1.2")
               else dataclasses.replace(a, weight=a.weight - 5)
               if (a.office, a.kpi) == (OFFICE, "2.7") else a
               for a in world.master.assignments]
    path = tmp_path / "master-new.xlsx"
    write_master(dataclasses.replace(world.master, assignments=changed), path)
    newer = load_master(path)
    assert newer.fingerprint(OFFICE) != world.master.fingerprint(OFFICE)
    assert newer.fingerprint("B05") == world.master.fingerprint("B05")
    proposal = world.fill(tmp_path / "in" / NAME, GOOD_EDITS[OFFICE])
    outcome = read(proposal, newer)
    expect(outcome.problems, Code.PROPOSAL_STALE, E, proposal, META, None, OFFICE,
           ("ไฟล์ต้นแบบชุดอื่น", "สร้างจากไฟล์ต้นแบบปัจจุบัน"))
    assert not outcome.valid
    negotiation = collected(proposal.parent, newer)
    expect(negotiation.problems, Code.PROPOSAL_NOT_MERGED, W, proposal, office=OFFICE)
    assert negotiation.draft.assignments_for(OFFICE) == newer.assignments_for(OFFICE)


def test_file_name_of_another_office_is_only_a_warning(world: World, tmp_path: Path) -> None:
    path = tmp_path / P.file_name(YEAR, "B04")
    path.write_bytes(world.good[OFFICE])
    outcome = read(path, world.master)
    assert outcome.valid and outcome.office == OFFICE
    expect(outcome.problems, Code.RETURN_NAME_MISMATCH, W, path, office=OFFICE,
           says=("B04", OFFICE))


# -- returns and proposals mixed up ---------------------------------------------------------------

def test_a_return_given_to_collect_is_not_ours(world: World, tmp_path: Path) -> None:
    returned = world.returns / "2569-R12-B01.xlsx"
    folder = _folder(tmp_path, {returned.name: returned.read_bytes(),
                                "ok/" + P.file_name(YEAR, "B05"): world.good["B05"]})
    negotiation = collected(folder, world.master)
    expect(negotiation.problems, Code.PROPOSAL_NOT_OURS, E, folder / returned.name,
           office=None, says=("ไม่ใช่แบบเสนอตัวชี้วัด", "_meta"))
    assert verdicts(negotiation)["B01"] == Verdict.MISSING
    expect(negotiation.problems, Code.PROPOSAL_MISSING, W, None, office="B01")
    assert verdicts(negotiation)["B05"] == Verdict.MERGED


def test_a_proposal_given_to_harvest_is_refused(world: World, tmp_path: Path) -> None:
    folder = _folder(tmp_path, {NAME: world.good[OFFICE]})
    before = digests(folder)
    report = harvest([folder], world.master, 12, jobs=1)
    assert digests(folder) == before
    expect(report.problems, Code.RETURN_IS_PROPOSAL, E, folder / NAME, office=None,
           says=("collect-proposals", "แบบเสนอตัวชี้วัด"))
    assert next(o for o in report.offices if o.office == OFFICE).status is Status.MISSING


# -- one office, many files; no file; a refused file --------------------------------------------

def test_two_proposals_of_one_office_the_later_saved_wins(world: World,
                                                         tmp_path: Path) -> None:
    """The one saved last is used, whatever the file names and file times say."""
    earlier = saved_at(world.bytes_of({"2.7": {WEIGHT: 10}, "2.8": {WEIGHT: 15}}),
                       "2025-06-01T09:00:00Z")
    later = saved_at(world.good[OFFICE], "2025-06-20T09:00:00Z")
    folder = _folder(tmp_path, {"b-earlier.xlsx": earlier, "a-later.xlsx": later})
    os.utime(folder / "a-later.xlsx", (1_700_000_000, 1_700_000_000))
    os.utime(folder / "b-earlier.xlsx", (1_800_000_000, 1_800_000_000))
    negotiation = collected(folder, world.master)
    expect(negotiation.problems, Code.PROPOSAL_DUPLICATE, W, folder / "b-earlier.xlsx",
           office=OFFICE, says=(f"ใช้ไฟล์ {folder / 'a-later.xlsx'}",
                                f"ไม่ใช้ไฟล์ {folder / 'b-earlier.xlsx'}"))
    line = next(o for o in negotiation.offices if o.office == OFFICE)
    assert line.file == str(folder / "a-later.xlsx") and line.verdict == Verdict.MERGED
    weights = {a.kpi: a.weight for a in negotiation.draft.assignments_for(OFFICE)}
    assert (weights["2.7"], weights["2.8"]) == (Decimal(20), Decimal(5))


def test_an_office_that_sent_nothing_is_missing(world: World, tmp_path: Path) -> None:
    negotiation = collected(_folder(tmp_path, {NAME: world.good[OFFICE]}), world.master)
    others = [o for o in world.master.offices if o != OFFICE]
    for office in others:
        expect(negotiation.problems, Code.PROPOSAL_MISSING, W, None, office=office,
               says=(f"หน่วยงาน {office} ยังไม่ได้ส่งแบบเสนอ", "ใช้ตัวชี้วัดเดิม"))
        assert negotiation.draft.assignments_for(office) == \
            world.master.assignments_for(office)
    assert not [p for p in negotiation.problems if p.code == "PROPOSAL_MISSING"
                and p.office == OFFICE]
    assert {o: v for o, v in verdicts(negotiation).items() if o != OFFICE} == \
        dict.fromkeys(others, Verdict.MISSING)
    assert not negotiation.all_valid


def test_a_refused_office_keeps_its_current_assignments(world: World, tmp_path: Path) -> None:
    """A proposal with an error is not merged at all: the draft keeps the office's KPIs as the
    master has them (a valid proposal beside it is merged)."""
    bad = world.bytes_of({"2.7": {WEIGHT: 30}}, [new(**{mf.COL_KPI_NAME: None})])
    folder = _folder(tmp_path, {NAME: bad, P.file_name(YEAR, "B05"): world.good["B05"]})
    negotiation = collected(folder, world.master)
    expect(negotiation.problems, Code.PROPOSAL_NOT_MERGED, W, folder / NAME, office=OFFICE,
           says=(f"แบบเสนอของหน่วยงาน {OFFICE} มีข้อผิดพลาด", "แก้ตามรายการปัญหาของไฟล์นี้"))
    expect(negotiation.problems, Code.PROPOSAL_NAME_MISSING, E, folder / NAME, TABLE,
           f"C{BLANK}", OFFICE)
    expect(negotiation.problems, Code.PROPOSAL_WEIGHT_SUM, E, folder / NAME, TABLE, "B3",
           OFFICE, ("รวมกันได้ 120",))
    line = next(o for o in negotiation.offices if o.office == OFFICE)
    assert line.verdict == Verdict.ERRORS and not line.new and not line.changed
    assert negotiation.draft.assignments_for(OFFICE) == world.master.assignments_for(OFFICE)
    assert {k: negotiation.draft.kpis[k] for k in ("2.7", "2.8", "2.9")} == \
        {k: world.master.kpis[k] for k in ("2.7", "2.8", "2.9")}
    assert not [k for k in negotiation.draft.kpis if k not in world.master.kpis]
    assert verdicts(negotiation)["B05"] == Verdict.MERGED
    assert not [r for r in negotiation.rows if r.office == OFFICE]


# -- the draft master ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def round_master(world: World, tmp_path_factory: pytest.TempPathFactory) -> Master:
    """The shipped master with an explicit round-6 weight for B03's 2.8 (its year's weight,
    10): round 6 sums to 100 only while 2.8 and 2.7 keep their weights."""
    overrides = dict(world.master.overrides)
    overrides[(OFFICE, "2.8", 6)] = RoundOverride(OFFICE, "2.8", 6, Decimal(10), None)
    path = tmp_path_factory.mktemp("round") / "master.xlsx"
    write_master(dataclasses.replace(world.master, overrides=overrides), path)
    return load_master(path)


def _round_weight_cell(draft: Path, office: str, round_months: int) -> str:
    """The weight cell of the office's first row of ``round_months`` in the draft's
    per-round sheet, found by reading the draft."""
    ws = openpyxl.load_workbook(draft)[mf.ROUNDS_SHEET]
    headers = {c.value: c.column_letter for c in ws[1]}
    for row in range(2, ws.max_row + 1):
        if ws[f"{headers[mf.COL_OFFICE]}{row}"].value == office and \
                str(ws[f"{headers[mf.COL_ROUND]}{row}"].value) in (str(round_months),
                                                                   f"{round_months}.0"):
            return f"{headers[mf.COL_WEIGHT]}{row}"
    raise AssertionError(f"no row of {office} in round {round_months}")


def _invalid_draft(world: World, master: Master, tmp_path: Path
                   ) -> tuple[Negotiation, Path, list[Problem]]:
    propose(master, tmp_path / "gen", offices=[OFFICE], jobs=1)
    folder = tmp_path / "in"
    folder.mkdir()
    fill_proposal(tmp_path / "gen" / NAME, folder / NAME, YEAR, GOOD_EDITS[OFFICE])
    before = digests(folder)
    negotiation = collect_proposals([folder], master, jobs=1)
    assert verdicts(negotiation)[OFFICE] == Verdict.MERGED
    draft = tmp_path / "out" / "draft.xlsx"
    draft.parent.mkdir()
    found = write_draft(negotiation, draft)
    write_json(negotiation, draft, tmp_path / "out" / "result.json")
    assert digests(folder) == before
    return negotiation, draft, found


def test_a_draft_that_fails_the_masters_checks_is_reported(world: World, round_master: Master,
                                                           tmp_path: Path) -> None:
    """A valid weight change (2.7 15->20, 2.8 10->5, still 100) breaks round 6, where 2.8
    keeps its explicit 10: 105. The draft is written, and said to be invalid."""
    negotiation, draft, found = _invalid_draft(world, round_master, tmp_path)
    cell = _round_weight_cell(draft, OFFICE, 6)
    p = expect(found, Code.PROPOSAL_DRAFT_INVALID, E, draft, mf.ROUNDS_SHEET, cell, OFFICE,
               ("ร่างไฟล์ต้นแบบที่ได้ไม่ผ่านการตรวจ", "รอบ 6 เดือน", "รวมได้ 105"))
    assert found == [p] and p in negotiation.problems
    assert not negotiation.all_valid
    result = json.loads((tmp_path / "out" / "result.json").read_text(encoding="utf-8"))
    assert result["all_valid"] is False
    assert [q["cell"] for q in result["problems"] if q["code"] == "PROPOSAL_DRAFT_INVALID"] == \
        [cell]


def test_the_draft_invalid_message_says_the_real_fix_whole(world: World, round_master: Master,
                                                           tmp_path: Path) -> None:
    _negotiation, _draft, found = _invalid_draft(world, round_master, tmp_path)
    [p] = found
    assert "…" not in p.message
    assert p.message.count(f"ชีต '{mf.ROUNDS_SHEET}' เซลล์") == 1, "the location is said once"
    assert Code.MASTER_ROUND_WEIGHT_SUM.fix in p.message, "the fix of the real problem, whole"


def test_a_valid_draft_has_no_draft_problem(world: World, tmp_path: Path) -> None:
    folder = _folder(tmp_path, {P.file_name(YEAR, o): data for o, data in world.good.items()})
    negotiation = collected(folder, world.master)
    assert write_draft(negotiation, tmp_path / "draft.xlsx") == []
    assert {o: v for o, v in verdicts(negotiation).items() if o in world.good} == \
        dict.fromkeys(world.good, Verdict.MERGED)
    assert not [p for p in negotiation.problems if p.is_error]


# -- INTAKE 1-8 for collect-proposals: the same codes as harvest, never stopping the others ------

@dataclass(frozen=True)
class HostileCase:
    """Files (by path in the folder) built from the good proposals; the problem expected on
    ``file``, and the offices whose proposal must still be merged besides B05."""

    build: Callable[[World], dict[str, bytes]]
    code: Code
    file: str
    merged: tuple[str, ...] = ()


B01_NAME = P.file_name(YEAR, "B01")


def _b01(world: World) -> bytes:
    return world.good["B01"]


HOSTILE_CASES: dict[str, HostileCase] = {
    "empty file": HostileCase(lambda w: {B01_NAME: b""}, Code.FILE_EMPTY, B01_NAME),
    "CSV renamed .xlsx": HostileCase(lambda w: {B01_NAME: H.CSV}, Code.FILE_NOT_WORKBOOK,
                                     B01_NAME),
    "HTML renamed .xlsx": HostileCase(lambda w: {B01_NAME: H.HTML}, Code.FILE_NOT_WORKBOOK,
                                      B01_NAME),
    "legacy .xls bytes (OLE2, not encrypted)": HostileCase(
        lambda w: {"2569-P-B01.xls": OLE2_MAGIC + bytes(2_048)}, Code.FILE_OTHER_FORMAT,
        "2569-P-B01.xls"),
    "Excel 4.0 .xls bytes": HostileCase(
        lambda w: {"2569-P-B01.xls": b"\x09\x04\x06\x00\x00\x00\x10\x00" + bytes(100)},
        Code.FILE_OTHER_FORMAT, "2569-P-B01.xls"),
    "encrypted": HostileCase(lambda w: {B01_NAME: H.encrypted(_b01(w))}, Code.FILE_ENCRYPTED,
                             B01_NAME),
    "truncated zip": HostileCase(lambda w: {B01_NAME: H.truncated(_b01(w))}, Code.FILE_CORRUPT,
                                 B01_NAME),
    "strict OOXML": HostileCase(lambda w: {B01_NAME: H.strict(_b01(w))}, Code.FILE_STRICT_OOXML,
                                B01_NAME),
    "Word document renamed .xlsx": HostileCase(lambda w: {B01_NAME: H.docx()},
                                               Code.FILE_NOT_WORKBOOK, B01_NAME),
    "zip bomb: 1,500 entries": HostileCase(
        lambda w: {B01_NAME: H.too_many_entries(_b01(w))}, Code.FILE_ZIP_BOMB, B01_NAME),
    "zip bomb: 8 MB part at ratio 1000": HostileCase(
        lambda w: {B01_NAME: H.compressible_part(_b01(w), 8 << 20)}, Code.FILE_ZIP_BOMB,
        B01_NAME),
    "zip bomb: an archive of more entries than its cap": HostileCase(
        lambda w: {"proposals.zip": H.make_zip({f"p/{i}": b"" for i in range(
            ARCHIVE_CAPS.entries + 1)})},
        Code.FILE_ZIP_BOMB, "proposals.zip"),
    "an archive with a good proposal and a nested zip": HostileCase(
        lambda w: {"proposals.zip": H.make_zip({
            B01_NAME: _b01(w),
            "inner.zip": H.make_zip({P.file_name(YEAR, OFFICE): w.good[OFFICE]})})},
        Code.FILE_NESTED_ARCHIVE, "proposals.zip/inner.zip", ("B01",)),
    "Excel lock file": HostileCase(lambda w: {"~$" + B01_NAME: b"\x0bnobody"},
                                   Code.FILE_LOCK_FILE_SKIPPED, "~$" + B01_NAME),
    "LibreOffice lock file": HostileCase(
        lambda w: {f".~lock.{B01_NAME}#": b"nobody,host,01.06.2025 09:00,"},
        Code.FILE_LOCK_FILE_SKIPPED, f".~lock.{B01_NAME}#"),
    "a lock file inside an archive beside a good proposal": HostileCase(
        lambda w: {"proposals.zip": H.make_zip({"~$" + B01_NAME: b"lock", B01_NAME: _b01(w)})},
        Code.FILE_LOCK_FILE_SKIPPED, "proposals.zip/~$" + B01_NAME, ("B01",)),
    "a proposal saved as .xlsm": HostileCase(
        lambda w: {"2569-P-B01.xlsm": H.macro_enabled(_b01(w))}, Code.FILE_MACROS,
        "2569-P-B01.xlsm", ("B01",)),
}


def _file_problems(problems: Iterable[Problem]) -> set[tuple[str, str, str | None, str]]:
    return {(p.code, p.severity.value, p.file, p.message) for p in problems
            if p.code.startswith("FILE_")}


@pytest.mark.parametrize("case", HOSTILE_CASES.values(), ids=HOSTILE_CASES.keys())
def test_hostile_file_beside_a_good_proposal(case: HostileCase, world: World,
                                             tmp_path: Path) -> None:
    """collect-proposals gives the hostile file the code harvest gives it (the same problems,
    word for word), and still merges the good proposal beside it; the inputs stay as they were."""
    files = {"ok/" + P.file_name(YEAR, "B05"): world.good["B05"], **case.build(world)}
    folder = _folder(tmp_path, files)
    negotiation = collected(folder, world.master)
    expect(negotiation.problems, case.code, case.code.severity, folder / case.file, office=ANY)
    before = digests(folder)
    report = harvest([folder], world.master, 12, jobs=1)
    assert digests(folder) == before
    assert _file_problems(negotiation.problems) == _file_problems(report.problems)
    found = verdicts(negotiation)
    assert found["B05"] == Verdict.MERGED
    for office in case.merged:
        assert found[office] == Verdict.MERGED, [p.message for p in negotiation.problems]
    if "B01" not in case.merged:
        assert found["B01"] == Verdict.MISSING
    weights = {a.kpi: a.weight for a in negotiation.draft.assignments_for("B05")}
    assert (weights["2.13"], weights["2.14"]) == (Decimal(10), Decimal(15))


def test_all_hostile_files_at_once(world: World, tmp_path: Path) -> None:
    """Every hostile file in one folder (and the good ones): each told, the good merged."""
    files: dict[str, bytes] = {"ok/" + P.file_name(YEAR, "B05"): world.good["B05"]}
    for n, case in enumerate(HOSTILE_CASES.values()):
        for name, data in case.build(world).items():
            files[f"{n:02d}/{name}"] = data
    folder = _folder(tmp_path, files)
    negotiation = collected(folder, world.master)
    for n, case in enumerate(HOSTILE_CASES.values()):
        assert any(p.code == case.code.name and p.file == str(folder / f"{n:02d}" / case.file)
                   for p in negotiation.problems), case
    found = verdicts(negotiation)
    assert found["B05"] == found["B01"] == Verdict.MERGED


# -- inputs are only read ------------------------------------------------------------------------

def test_inputs_are_never_modified(world: World, tmp_path: Path) -> None:
    """Valid, refused, archived and hostile inputs: byte for byte and time for time the same
    after collect, write_draft and write_json (written elsewhere)."""
    files = {P.file_name(YEAR, "B05"): world.good["B05"],
             NAME: world.bytes_of({"2.7": {WEIGHT: "ห้า"}}),
             "archive.zip": H.make_zip({B01_NAME: world.good["B01"], "notes.txt": b"x"}),
             "broken.xlsx": H.truncated(world.good["B05"]),
             "~$" + B01_NAME: b"lock"}
    folder = _folder(tmp_path, files)
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    before = digests(folder)
    negotiation = collect_proposals([folder, folder / NAME], world.master, jobs=1)
    write_draft(negotiation, tmp_path / "draft.xlsx")
    write_json(negotiation, tmp_path / "draft.xlsx", tmp_path / "result.json")
    assert digests(folder) == before
    assert {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in files} \
        == hashes
    assert sorted(p.name for p in folder.iterdir()) == sorted(files)
    assert verdicts(negotiation)["B05"] == verdicts(negotiation)["B01"] == Verdict.MERGED
    assert verdicts(negotiation)[OFFICE] == Verdict.ERRORS


def test_collect_never_raises_on_a_file_it_cannot_parse(world: World, tmp_path: Path) -> None:
    """A table sheet cut off in the middle of its rows is one problem, not a crash."""
    data = world.good["B05"]
    sheet = H.report_part(data, TABLE)
    xml = H.part(data, sheet)
    broken = H.rezip(data, {sheet: xml[:xml.index(b'<row r="12"')]})
    folder = _folder(tmp_path, {P.file_name(YEAR, "B05"): broken,
                                P.file_name(YEAR, "B01"): world.good["B01"]})
    negotiation = collected(folder, world.master)
    expect(negotiation.problems, Code.FILE_CORRUPT, E, folder / P.file_name(YEAR, "B05"),
           office="B05", says=("XML ไม่สมบูรณ์",))
    assert errors(p for p in negotiation.problems
                  if p.file == str(folder / P.file_name(YEAR, "B05"))) == [("FILE_CORRUPT", None)]
    assert verdicts(negotiation)["B05"] == Verdict.ERRORS
    assert verdicts(negotiation)["B01"] == Verdict.MERGED


# -- every proposal code is asserted above ------------------------------------------------------

def test_every_proposal_code_is_asserted_here() -> None:
    """A new PROPOSAL_* code in the catalogue cannot go untested: each is named here as a
    ``Code`` member, where a case or an ``expect`` asserts it."""
    wanted = {name for name in CATALOGUE if name.startswith("PROPOSAL_")} | \
        {"RETURN_IS_PROPOSAL"}
    assert len(wanted) >= 22
    missing = wanted - codes_used(Path(__file__))
    assert not missing, f"not asserted in {Path(__file__).name}: {sorted(missing)}"


def test_every_case_code_goes_through_expect() -> None:
    """The case tables' codes are asserted by the tests that run them (through ``expect``),
    and every expect call gives a code of the catalogue."""
    expect_calls(Path(__file__), [c.code for c in (*ROW_CASES.values(),
                                                   *IDENTITY_CASES.values(),
                                                   *HOSTILE_CASES.values())])

