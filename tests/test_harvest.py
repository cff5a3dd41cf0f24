"""Harvest end to end: generate, fill as a coordinator would, harvest, check every number."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import openpyxl.writer.excel
import pytest

from workbook_engine.devkit.testing import fill_return, sheet_values
from workbook_engine.forms.generate import generate
from workbook_engine.harvesting.outcomes import Status
from workbook_engine.harvesting.run import harvest, json_text, write_json
from workbook_engine.master.reader import load_master
from workbook_engine.model import Master
from workbook_engine.scoring import total_score, weighted_score

from .conftest import Converter
from .inline import write_master

B01 = {"2.1": 84, "2.2": 3.5, "3.1": 4}
B02 = {"2.1": 96.3, "3.1": 5}


@pytest.fixture()
def world(tmp_path: Path) -> tuple[Master, Path, Path]:
    """A master, its generated workbooks, and an empty returns folder."""
    master_path = write_master(tmp_path / "master.xlsx")
    master = load_master(master_path)
    generate(master, 12, tmp_path / "gen", jobs=1)
    (tmp_path / "returns").mkdir()
    return master, tmp_path / "gen", tmp_path / "returns"


def fill(gen: Path, returns: Path, office: str, results: dict[str, object],
         name: str | None = None) -> Path:
    source = gen / f"2569-R12-{office}.xlsx"
    return fill_return(source, returns / (name or source.name), results)


def python_total(master: Master, office: str, results: dict[str, object]) -> Decimal | None:
    parts = []
    for a in master.assignments_for(office):
        kpi = master.kpis[a.kpi]
        raw = results.get(a.kpi)
        score = kpi.kind.score(None if raw is None else Decimal(str(raw)), a.criteria,
                               kpi.direction, 1, master.org_scores.get(a.kpi))
        parts.append(None if score is None else weighted_score(score, a.weight))
    return total_score(parts)


def test_every_score_matches_the_scoring_module(world: tuple[Master, Path, Path]) -> None:
    master, gen, returns = world
    fill(gen, returns, "B01", B01)
    fill(gen, returns, "B02", B02)
    report = harvest([returns], master, 12)
    assert [o.status for o in report.offices] == [Status.ACCEPTED, Status.ACCEPTED]
    assert report.offices[0].total_score == python_total(master, "B01", B01) == Decimal("3.5030")
    assert report.offices[1].total_score == python_total(master, "B02", B02)
    kpi = report.offices[0].kpis[1]
    assert (kpi.kpi, kpi.result, kpi.score, kpi.weighted) == ("2.1", Decimal(84),
                                                               Decimal("3.4000"), Decimal("1.3600"))
    assert (kpi.sheet, kpi.cell) == ("รายงานผล", "K8")
    assert report.exit_code == 0 and report.problems == []


def test_json_follows_the_contract(world: tuple[Master, Path, Path], tmp_path: Path) -> None:
    master, gen, returns = world
    fill(gen, returns, "B01", B01)
    (returns / "notes.txt").write_text("hello", encoding="utf-8")
    report = harvest([returns], master, 12)
    write_json(report, tmp_path / "result.json")
    data = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert set(data) == {"organisation", "fiscal_year", "round", "offices", "problems"}
    assert (data["fiscal_year"], data["round"]) == (2569, 12)
    b01, b02 = data["offices"]
    assert set(b01) == {"office", "name", "status", "file", "sha256", "total_score",
                        "verified_total_score", "kpis", "groups"}
    assert b01["verified_total_score"] is None       # no committee review in this harvest
    assert [g["group"] for g in b01["groups"]] == [1, 2, 3]
    assert sum(g["weighted_score"] for g in b01["groups"]) == pytest.approx(b01["total_score"])
    assert b01["status"] == "accepted" and b01["total_score"] == 3.503
    assert b01["kpis"][1] == {"kpi": "2.1", "weight": 40, "result": 84, "score": 3.4,
                              "weighted_score": 1.36, "texts": {}, "verified_result": None,
                              "verified_score": None, "verified_weighted_score": None,
                              "review_reason": None}
    assert b02["status"] == "missing" and b02["total_score"] is None and b02["file"] is None
    codes = {(p["code"], p["severity"]) for p in data["problems"]}
    assert codes == {("FILE_NOT_WORKBOOK", "error"), ("OFFICE_MISSING", "error")}
    for p in data["problems"]:
        assert set(p) == {"code", "severity", "file", "office", "sheet", "cell", "message"}
    given = {str(p) for p in returns.iterdir()}
    mentioned = {o["file"] for o in data["offices"]} | {p["file"] for p in data["problems"]}
    assert given <= mentioned
    assert report.exit_code == 1
    # one office and one problem to a line, readable and easy to compare
    lines = (tmp_path / "result.json").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line.rstrip(",")) for line in lines if line.startswith("  {")] == \
        data["offices"] + data["problems"]
    # even when a text holds characters that line readers take as line breaks
    report.offices[0].name = "สำนัก\u2028ทดสอบ\u0085ที่\u2029หนึ่ง"
    text = json_text(report)
    assert json.loads(text)["offices"][0]["name"] == report.offices[0].name
    assert next(json.loads(line.rstrip(",")) for line in text.splitlines()
                if line.startswith("  {"))["name"] == report.offices[0].name


def test_incomplete_office_has_no_total(world: tuple[Master, Path, Path]) -> None:
    master, gen, returns = world
    fill(gen, returns, "B01", {"2.1": 84, "3.1": 4})
    report = harvest([returns], master, 12)
    b01 = report.offices[0]
    assert b01.status is Status.INCOMPLETE and b01.total_score is None
    [missing] = [p for p in report.problems if p.code == "RESULT_MISSING"]
    assert (missing.sheet, missing.cell, missing.office) == ("รายงานผล", "K9", "B01")
    assert report.as_json()["offices"][0]["total_score"] is None


def saved_at(monkeypatch: pytest.MonkeyPatch, moment: dt.datetime) -> None:
    """Make openpyxl stamp ``moment`` as the workbook's saved time (docProps/core.xml)."""

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Clock:  # type: ignore[override]
            return cls.fromtimestamp(moment.timestamp(), tz)

    monkeypatch.setattr(openpyxl.writer.excel, "datetime",
                        SimpleNamespace(datetime=Clock, timezone=dt.timezone))


def test_two_returns_the_one_saved_last_wins(world: tuple[Master, Path, Path],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    master, gen, returns = world
    saved_at(monkeypatch, dt.datetime(2026, 10, 20, 9, 0))
    new = fill(gen, returns, "B01", B01, "B01-new.xlsx")
    saved_at(monkeypatch, dt.datetime(2026, 10, 10, 9, 0))
    old = fill(gen, returns, "B01", {**B01, "2.1": 70}, "B01-old.xlsx")
    os.utime(new, (1_700_000_000, 1_700_000_000))  # the file times say the opposite:
    os.utime(old, (1_800_000_000, 1_800_000_000))  # the workbook's own saved time decides
    shutil.copy(new, returns / "B01-zcopy.xlsx")
    report = harvest([returns], master, 12)
    assert report.offices[0].file == str(new)
    codes = {(p.code, p.file) for p in report.problems}
    assert ("RETURN_DUPLICATE", str(old)) in codes
    assert ("RETURN_SAME_FILE_TWICE", str(returns / "B01-zcopy.xlsx")) in codes
    assert not any(p.code == "RETURN_DUPLICATE" and p.file == str(returns / "B01-zcopy.xlsx")
                   for p in report.problems)


def test_zip_archives_of_returns(world: tuple[Master, Path, Path], tmp_path: Path) -> None:
    master, gen, returns = world
    fill(gen, returns, "B01", B01)
    fill(gen, returns, "B02", B02)
    archive = shutil.make_archive(str(tmp_path / "mail"), "zip", returns)
    report = harvest([archive], master, 12)
    assert [o.status for o in report.offices] == [Status.ACCEPTED, Status.ACCEPTED]
    assert report.offices[0].file == f"{archive}/2569-R12-B01.xlsx"


def test_inputs_are_never_modified(world: tuple[Master, Path, Path]) -> None:
    master, gen, returns = world
    path = fill(gen, returns, "B01", B01)
    before, stat = path.read_bytes(), path.stat()
    harvest([returns], master, 12)
    assert path.read_bytes() == before and path.stat().st_mtime == stat.st_mtime


def test_libreoffice_resaved_return_scores_the_same(world: tuple[Master, Path, Path],
                                                   tmp_path: Path, libreoffice: Converter) -> None:
    master, gen, returns = world
    filled = fill(gen, tmp_path, "B01", B01)
    libreoffice([filled], returns)
    report = harvest([returns], master, 12)
    assert report.offices[0].status is Status.ACCEPTED, report.problems
    assert report.offices[0].total_score == python_total(master, "B01", B01)


@pytest.mark.parametrize(("sheet", "cell", "value"), [
    ("คำรับรอง", "E12", 45),                  # the agreement's weight of KPI 2.1
    ("คำรับรอง", "C12", "ตัวชี้วัดที่แก้ชื่อ"),      # the agreement's KPI name
    ("รายงานผล", "F8", 55),                   # the report form's criterion 1 of KPI 2.1
])
def test_tampered_locked_value_rejects_the_return_naming_the_cell(
        world: tuple[Master, Path, Path], sheet: str, cell: str, value: object) -> None:
    master, gen, returns = world
    path = fill(gen, returns, "B01", B01)
    wb = openpyxl.load_workbook(path)
    wb[sheet].protection.sheet = False
    wb[sheet][cell] = value
    wb.save(path)
    fill(gen, returns, "B02", B02)
    report = harvest([returns], master, 12, jobs=1)
    statuses = {o.office: o.status for o in report.offices}
    assert statuses == {"B01": Status.REJECTED, "B02": Status.ACCEPTED}
    [changed] = [p for p in report.problems if p.code == "RETURN_LOCKED_CHANGED"]
    assert (changed.sheet, changed.cell) == (sheet, cell)
    assert path.name in changed.message and cell in changed.message


def _cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: sheet_values(ws) for ws in wb.worksheets}


def test_harvesting_again_gives_the_same_summary(world: tuple[Master, Path, Path],
                                                 tmp_path: Path) -> None:
    """INTAKE 22: the same files give the same content (the harvest time aside)."""
    from workbook_engine.summary.workbook import write_summary

    master, gen, returns = world
    fill(gen, returns, "B01", B01)
    fill(gen, returns, "B02", {"2.1": "๙๖.๓"})
    moment = dt.datetime(2026, 10, 20, 9, 30, tzinfo=dt.UTC)
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    write_summary(harvest([returns], master, 12, jobs=1, now=moment), first)
    write_summary(harvest([returns], master, 12, jobs=2, now=moment), second)
    assert _cells(first) == _cells(second)
    write_json(harvest([returns], master, 12, jobs=1, now=moment), tmp_path / "a.json")
    write_json(harvest([returns], master, 12, jobs=1, now=moment), tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_the_json_is_put_in_place_last(world: tuple[Master, Path, Path], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """JsonWriter saves the JSON under a temporary name until commit(); discard() leaves
    nothing; a JSON that cannot be written is an OutputError naming the file, and leaves
    nothing either."""
    from workbook_engine.errors import OutputError
    from workbook_engine.harvesting import run as harvest_module
    from workbook_engine.harvesting.run import JsonWriter

    master, gen, returns = world
    fill(gen, returns, "B01", B01)
    report = harvest([returns], master, 12)
    out = tmp_path / "out"
    out.mkdir()
    writer = JsonWriter(out / "r.json")
    writer.save(report)
    assert not (out / "r.json").exists()
    writer.commit()
    assert (out / "r.json").read_text(encoding="utf-8") == json_text(report)
    assert sorted(p.name for p in out.iterdir()) == ["r.json"]

    saved = JsonWriter(out / "gone.json")
    saved.save(report)
    saved.discard()
    assert sorted(p.name for p in out.iterdir()) == ["r.json"]

    def disk_full(_report: object, _line: object) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(harvest_module, "json_pieces", disk_full)
    with pytest.raises(OutputError, match=r"full\.json"):
        JsonWriter(out / "full.json").save(report)
    assert sorted(p.name for p in out.iterdir()) == ["r.json"]


def test_json_numbers_are_whole_or_rounded_to_four_decimals() -> None:
    """_num's shortcut (a float that needs no rounding is kept) gives what rounding with
    excel_round gives, for numbers of every length, midpoints and whole numbers included."""
    import random

    from workbook_engine.harvesting.outcomes import _num
    from workbook_engine.scoring import excel_round

    rng = random.Random(14)
    values = [Decimal(f"{rng.uniform(-1e6, 1e6):.{rng.randint(0, 9)}f}") for _ in range(5000)]
    values += [Decimal(v) for v in ("1.23455", "-2.00005", "3.0000", "20", "0.30000000000000004",
                                    "1E+3", "-0")]
    for value in values:
        rounded = excel_round(value).normalize()
        want: object = int(value) if value == value.to_integral_value() else float(rounded)
        got = _num(value)
        assert got == want and type(got) is type(want), (value, got, want)


def test_a_check_that_fails_unforeseen_rejects_that_file_only(
        world: tuple[Master, Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure inside a check (a bug, or a file no check foresaw) makes that file damaged
    (FILE_CORRUPT, nothing of it kept) and the harvest goes on with the next."""
    from workbook_engine.harvesting import returns

    master, gen, folder = world
    fill(gen, folder, "B01", B01)
    fill(gen, folder, "B02", B02)
    original = returns._Check.report

    def report(self: returns._Check, reader: object) -> None:
        if self.out.office == "B01":
            raise RuntimeError("a check's bug")
        original(self, reader)  # type: ignore[arg-type]

    monkeypatch.setattr(returns._Check, "report", report)
    result = harvest([folder], master, 12, jobs=1)
    b01, b02 = result.offices
    assert b01.status is Status.REJECTED and b01.kpis == [] and b01.total_score is None
    assert [p.code for p in result.problems if p.office == "B01"] == ["FILE_CORRUPT"]
    assert b02.status is Status.ACCEPTED


@pytest.mark.parametrize(("name", "found"), [
    ("2569-R12-B01.xlsx", (2569, 12, "B01")),
    ("C:\\รับ\\2569-r6-B02.XLSM", (2569, 6, "B02")),
    ("แบบรายงานผล รอบ 12 เดือน 2569-R12-B13.xlsx", (2569, 12, "B13")),   # as the outbox attaches it
    ("2569-R12-B05 (1).xlsx", (2569, 12, "B05")),          # saved again by a browser
    ("2569-R12-A B.xlsx", (2569, 12, "A B")),
    ("x2569-R12-B01.xlsx", None), ("report.xlsx", None), ("2569-R12-B01.csv", None)])
def test_a_forms_file_name_is_read_also_with_words_before_it_or_a_copys_number(
        name: str, found: tuple[int, int, str] | None) -> None:
    from workbook_engine.forms import layout as L
    from workbook_engine.proposals import layout as P

    assert L.parse_file_name(name) == found
    proposal = name.replace("-R12-", "-P-").replace("-r6-", "-P-")
    assert P.parse_file_name(proposal) == (None if found is None else (found[0], found[2]))
