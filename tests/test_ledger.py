"""The ledger (CONTRACT section 8, issue #18): runs recorded, files read once, originals kept,
and a ledger that is never left half-written, shared unsafely or overwritten."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.worksheet.formula import ArrayFormula

from workbook_engine.cli import console
from workbook_engine.cli.commands import cli
from workbook_engine.devkit.testing import fill_return
from workbook_engine.harvesting import run as run_module
from workbook_engine.harvesting.intake import Archives, collect
from workbook_engine.harvesting.returns import read_return
from workbook_engine.history import history
from workbook_engine.kinds import INHERITED, MILESTONE
from workbook_engine.ledger import codec, store
from workbook_engine.ledger.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from workbook_engine.master.reader import load_master
from workbook_engine.model import (
    Assignment,
    Kpi,
    KpiCard,
    Master,
    Office,
    OrgKpi,
    RoundOverride,
    Settings,
)

ROOT = Path(__file__).resolve().parent.parent
MASTER = ROOT / "templates" / "master.xlsx"
SAMPLES = sorted((ROOT / "samples").glob("*.xlsx"))


@pytest.fixture
def returns(tmp_path: Path) -> Path:
    """A folder holding a copy of the shipped sample returns."""
    folder = tmp_path / "returns"
    folder.mkdir()
    for sample in SAMPLES:
        shutil.copyfile(sample, folder / sample.name)
    return folder


def harvest(returns: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    """``workbook-engine harvest`` of the folder in this process: exit code, stdout, stderr."""
    args = ["harvest", str(returns), "--master", str(MASTER), "--round", "12", "--out",
            str(out), "--json", str(out.with_suffix(".json")), "--jobs", "1", *extra]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def query(ledger: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Rows of a query on the ledger, opened read-only."""
    con = sqlite3.connect(f"file:{ledger}?mode=ro", uri=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files harvest reads (in this process: ``--jobs 1``)."""
    return calls(monkeypatch, run_module, "read_return", lambda c: Path(c.name).name)


def calls(monkeypatch: pytest.MonkeyPatch, module: object, name: str,
          told: Callable[[Any], str]) -> list[str]:
    """What ``module.name`` is called with from now on, each call told by its first argument."""
    seen: list[str] = []
    original = getattr(module, name)

    def recording(first: Any, *args: Any) -> Any:
        seen.append(told(first))
        return original(first, *args)

    monkeypatch.setattr(module, name, recording)
    return seen


def test_a_run_is_recorded_and_a_second_reads_only_the_file_that_changed(
        returns: Path, tmp_path: Path, counted: list[str]) -> None:
    out = tmp_path / "out" / "summary.xlsx"
    out.parent.mkdir()
    code, stdout, _ = harvest(returns, out)
    assert code == 1 and len(counted) == len(SAMPLES)
    ledger = out.parent / store.DEFAULT_NAME
    assert "ครั้งที่ 1: อ่านไฟล์ใหม่ 12 ไฟล์ ใช้ผลที่บันทึกไว้ 0 ไฟล์" in stdout
    # built through a rollback journal, published in WAL mode, with nothing left beside it
    assert sorted(p.name for p in out.parent.iterdir()) == [
        store.DEFAULT_NAME, "summary.json", "summary.xlsx"]
    assert query(ledger, "PRAGMA journal_mode") == [("wal",)]
    assert all(t.name != store.SYNC_THREAD for t in threading.enumerate()), "its sync waited for"
    first = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    b07 = next(o for o in first["offices"] if o["office"] == "B07")
    assert b07["status"] == "incomplete"
    kinds = {code: kpi.kind for code, kpi in load_master(MASTER).kpis.items()}
    blank = next(k["kpi"] for k in b07["kpis"] if k["result"] is None and k["weight"]
                 and kinds[k["kpi"]] is not INHERITED)
    changed = returns / "2569-R12-B07.xlsx"
    fill_return(ROOT / "samples" / changed.name, changed, {blank: 80})

    counted.clear()
    code, stdout, _ = harvest(returns, out)
    assert counted == [changed.name], "only the changed file is read again"
    assert "ครั้งที่ 2: อ่านไฟล์ใหม่ 1 ไฟล์ ใช้ผลที่บันทึกไว้ 11 ไฟล์" in stdout
    assert query(ledger, "SELECT run, files_read, files_reused FROM runs") == [
        (1, 12, 0), (2, 1, 11)]
    assert query(ledger, "SELECT file FROM files WHERE run = 2 AND read_again = 1") == [
        (str(changed),)]
    assert query(ledger, "SELECT status FROM offices WHERE run = 2 AND office = 'B07'") == [
        ("accepted",)]

    plain = tmp_path / "plain" / "summary.xlsx"
    plain.parent.mkdir()
    counted.clear()
    harvest(returns, plain, "--no-ledger")
    assert len(counted) == len(SAMPLES) and not (plain.parent / store.DEFAULT_NAME).exists()
    assert out.with_suffix(".json").read_bytes() == plain.with_suffix(".json").read_bytes()
    assert _without_ledger(out) == _without_ledger(plain)


def _without_ledger(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every sheet's values but the harvest's time and the ledger's rows and columns (and
    blank rows)."""
    wb = openpyxl.load_workbook(path)
    sheets = {}
    for ws in wb.worksheets:
        rows = [tuple(v.text if isinstance(v, ArrayFormula) else v for v in row)
                for row in ws.iter_rows(values_only=True) if any(v is not None for v in row)
                and not str(row[0]).startswith(("เวลาที่รวบรวม", "สมุดบันทึกผล", "การรวบรวมครั้งที่"))]
        sheets[ws.title] = [row[:9] if ws.title == "ที่มาข้อมูล" else row for row in rows]
    sheets["ที่มาข้อมูล"] = [row[:6] for row in sheets["ที่มาข้อมูล"]]     # G: the harvest time
    return sheets


def test_the_summary_names_the_ledger_where_each_original_is_kept(
        returns: Path, tmp_path: Path) -> None:
    out = tmp_path / "summary.xlsx"
    ledger = tmp_path / "kept" / "audit.sqlite"
    ledger.parent.mkdir()
    harvest(returns, out, "--ledger", str(ledger))
    assert not (tmp_path / store.DEFAULT_NAME).exists()
    wb = openpyxl.load_workbook(out)
    overview = {row[0]: row[1] for row in wb["ภาพรวม"].iter_rows(values_only=True) if row[0]}
    assert wb["ภาพรวม"]["A17"].value == "สมุดบันทึกผล (ledger) ที่เก็บไฟล์ต้นฉบับ"
    assert overview["สมุดบันทึกผล (ledger) ที่เก็บไฟล์ต้นฉบับ"] == str(ledger)
    assert overview["การรวบรวมครั้งที่ (ในสมุดบันทึกผล)"] == 1
    sources = list(wb["ที่มาข้อมูล"].iter_rows(values_only=True))
    assert sources[0][9:] == ("สมุดบันทึกผล (ledger) ที่เก็บต้นฉบับ", "ครั้งที่รวบรวม")
    kept = dict(query(ledger, "SELECT sha256, size FROM originals"))
    assert len(sources) - 1 == len(SAMPLES) and len(kept) == len(SAMPLES)
    for row in sources[1:]:
        assert kept[row[2]] == row[1] and row[9:] == (str(ledger), 1)


def test_original_gives_back_the_very_bytes(returns: Path, tmp_path: Path) -> None:
    out = tmp_path / "summary.xlsx"
    harvest(returns, out)
    ledger = tmp_path / store.DEFAULT_NAME
    sample = returns / "2569-R12-B05.xlsx"
    (sha,) = query(ledger, "SELECT sha256 FROM files WHERE file = ?", str(sample))[0]
    runner = CliRunner()
    for given in (sha, sha[:12].upper(), f"sha256:{sha}"):
        restored = tmp_path / "restored.xlsx"
        result = runner.invoke(cli, ["original", str(ledger), given, "--out", str(restored)])
        assert result.exit_code == 0, result.output
        assert restored.read_bytes() == sample.read_bytes()
        restored.unlink()
    result = runner.invoke(cli, ["original", str(ledger), "0" * 64, "--out", str(restored)])
    assert result.exit_code == 2 and "ไม่มีไฟล์ที่มี SHA-256" in result.stderr
    result = runner.invoke(cli, ["original", str(ledger), "B05", "--out", str(restored)])
    assert result.exit_code == 2 and "ไม่ใช่ SHA-256" in result.stderr
    assert not restored.exists()
    assert not list(tmp_path.glob(f"{ledger.name}-*")), "reading leaves no -wal or -shm behind"


def test_the_outcome_kept_is_the_outcome_read() -> None:
    master = load_master(MASTER)
    candidates, _ = collect(SAMPLES)
    with Archives() as archives:
        for candidate in candidates:
            outcome = read_return(candidate, master, 12, None, archives)
            assert codec.decode(codec.encode(outcome, master, 12), outcome.modified, master,
                                12) == outcome


def test_what_the_master_gives_is_not_kept_twice() -> None:
    """A KPI's master facts (name, unit, weight, criteria) are left out of the text and given
    back by the master itself; facts that are not the master's are kept, exactly."""
    master = load_master(MASTER)
    candidates, _ = collect(SAMPLES)
    with Archives() as archives:
        outcome = next(o for c in candidates
                       if (o := read_return(c, master, 12, None, archives)).kpis)
    text = codec.encode(outcome, master, 12)
    kpi = master.kpis[outcome.kpis[0].kpi]
    assert kpi.name not in text
    back = codec.decode(text, outcome.modified, master, 12)
    assert back.kpis[0].name is kpi.name
    first = outcome.kpis[0]
    odd = [dataclasses.replace(first, name=first.name + " (แก้ชื่อ)"),
           dataclasses.replace(first, weight=Decimal(str(first.weight)) + Decimal("0.0")),
           dataclasses.replace(first, criteria=(Decimal(1), Decimal("2.50"), Decimal(3),
                                                Decimal(4), Decimal(5))),
           dataclasses.replace(first, kpi="ไม่มีในไฟล์ต้นแบบ"),
           dataclasses.replace(first, kind=INHERITED if first.kind is not INHERITED
                               else MILESTONE)]
    for changed in odd:
        given = dataclasses.replace(outcome, kpis=[changed])
        again = codec.decode(codec.encode(given, master, 12), given.modified, master, 12)
        assert again == given and str(again.kpis[0].weight) == str(changed.weight)
    stranger = dataclasses.replace(outcome, office="ไม่มีหน่วยงานนี้")
    assert codec.decode(codec.encode(stranger, master, 12), stranger.modified, master,
                        12) == stranger


def test_a_file_is_read_again_in_another_context(returns: Path, tmp_path: Path,
                                                  counted: list[str]) -> None:
    """Another signing key (or round, master, engine) is another outcome: read again."""
    out = tmp_path / "summary.xlsx"
    harvest(returns, out)
    key = tmp_path / "key.txt"
    key.write_text("a-signing-key-of-enough-length-0123456789", encoding="utf-8")
    counted.clear()
    code, stdout, _ = harvest(returns, out, "--key-file", str(key))
    assert code == 1 and len(counted) == len(SAMPLES) and "RETURN_SIGNATURE_MISSING" in stdout
    counted.clear()
    harvest(returns, out)
    assert counted == []
    ledger = tmp_path / store.DEFAULT_NAME
    assert query(ledger, "SELECT count(DISTINCT signing_key) FROM readings") == [(2,)]


def test_a_file_is_read_again_by_changed_code_of_the_same_version(
        returns: Path, tmp_path: Path, counted: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine's version does not change between commits of a checkout: the ledger keys
    outcomes by the version and a digest of the engine's source, so changed code reads every
    file again rather than take outcomes it would not give."""
    out = tmp_path / "summary.xlsx"
    harvest(returns, out)
    ledger = tmp_path / store.DEFAULT_NAME
    [(recorded,)] = query(ledger, "SELECT DISTINCT engine_version FROM readings")
    version, _, digest = recorded.partition("+")
    assert digest == store.code_digest() and len(digest) == 12
    assert version == store.engine_version()
    monkeypatch.setattr(store, "code_digest", lambda: "0123456789ab")
    counted.clear()
    harvest(returns, out)
    assert len(counted) == len(SAMPLES)
    assert query(ledger, "SELECT count(DISTINCT engine_version) FROM readings") == [(2,)]


# -- safety -------------------------------------------------------------------------------

def refused(returns: Path, tmp_path: Path, ledger: Path, words: str) -> None:
    """A harvest given ``ledger`` ends with exit code 2 and ``words``, writing nothing."""
    before = ledger.read_bytes()
    out = tmp_path / "summary.xlsx"
    code, _out, err = harvest(returns, out, "--ledger", str(ledger))
    assert code == 2 and words in err and str(ledger) in err
    assert ledger.read_bytes() == before, "the file is never written to"
    assert not out.exists() and not out.with_suffix(".json").exists()
    assert not any(p.name.startswith(ledger.name + "-") for p in ledger.parent.iterdir())


def test_a_file_that_is_not_a_database_is_refused(returns: Path, tmp_path: Path) -> None:
    ledger = tmp_path / "notes.sqlite"
    ledger.write_text("บันทึกการประชุม", encoding="utf-8")
    refused(returns, tmp_path, ledger, "ไม่ใช่ฐานข้อมูล SQLite")


def test_another_programs_database_is_refused(returns: Path, tmp_path: Path) -> None:
    ledger = tmp_path / "other.sqlite"
    con = sqlite3.connect(ledger)
    con.execute("CREATE TABLE budget (office TEXT, baht REAL)")
    con.commit()
    con.close()
    refused(returns, tmp_path, ledger, "ฐานข้อมูลของโปรแกรมอื่น")


def test_a_damaged_ledger_is_refused(returns: Path, tmp_path: Path) -> None:
    harvest(returns, tmp_path / "first.xlsx")
    ledger = tmp_path / store.DEFAULT_NAME
    data = bytearray(ledger.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)        # the first page's table of tables
    ledger.write_bytes(bytes(data))
    refused(returns, tmp_path, ledger, "ไฟล์เสียหาย")


def test_a_ledger_damaged_deep_inside_is_refused_when_the_damage_is_met(tmp_path: Path) -> None:
    """Damage past the pages read when the ledger is opened is met while the run records:
    the run is not kept, nothing is written, and the message says why."""
    one = tmp_path / "one"
    one.mkdir()
    shutil.copyfile(SAMPLES[0], one / SAMPLES[0].name)
    harvest(one, tmp_path / "first.xlsx")
    ledger = tmp_path / store.DEFAULT_NAME
    data = bytearray(ledger.read_bytes())
    data[len(data) * 3 // 4:] = b"\xff" * (len(data) - len(data) * 3 // 4)
    ledger.write_bytes(bytes(data))
    refused(one, tmp_path, ledger, "ไฟล์เสียหาย")
    code, _out, err = harvest(one, tmp_path / "again.xlsx", "--ledger", str(ledger))
    assert code == 2 and "การรวบรวมครั้งนี้จึงไม่ได้บันทึก" in err


def test_a_ledger_of_a_newer_engine_is_refused(returns: Path, tmp_path: Path) -> None:
    harvest(returns, tmp_path / "first.xlsx")
    ledger = tmp_path / store.DEFAULT_NAME
    con = sqlite3.connect(ledger)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    refused(returns, tmp_path, ledger, "รุ่นที่ใหม่กว่า")
    result = CliRunner().invoke(cli, ["original", str(ledger), "a" * 64, "--out",
                                      str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2 and "รุ่นที่ใหม่กว่า" in result.stderr


def test_an_empty_file_becomes_a_ledger(returns: Path, tmp_path: Path) -> None:
    ledger = tmp_path / "new.sqlite"
    ledger.touch()
    code, _out, _err = harvest(returns, tmp_path / "summary.xlsx", "--ledger", str(ledger))
    assert code == 1
    assert query(ledger, "PRAGMA application_id") == [(APPLICATION_ID,)]
    assert query(ledger, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert query(ledger, "SELECT count(*) FROM runs") == [(1,)]


@pytest.fixture
def held(tmp_path: Path) -> Iterator[Path]:
    """A ledger with one run whose write lock another harvest holds."""
    harvest_folder = tmp_path / "first"
    harvest_folder.mkdir()
    shutil.copyfile(SAMPLES[0], harvest_folder / SAMPLES[0].name)
    harvest(harvest_folder, tmp_path / "first.xlsx")
    ledger = tmp_path / store.DEFAULT_NAME
    con = sqlite3.connect(ledger, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    yield ledger
    con.execute("ROLLBACK")
    con.close()


def test_two_harvests_at_once_the_second_waits_then_fails_clearly(
        returns: Path, tmp_path: Path, held: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "LOCK_WAIT", 0.3)
    out = tmp_path / "second.xlsx"
    started = time.monotonic()
    code, _out, err = harvest(returns, out, "--ledger", str(held))
    assert time.monotonic() - started >= 0.3
    assert code == 2 and "มีการรวบรวมผลอีกงานหนึ่งใช้ไฟล์นี้อยู่" in err
    assert not out.exists()
    assert query(held, "SELECT count(*) FROM runs") == [(1,)]


def test_a_harvest_killed_in_the_middle_leaves_the_previous_state(
        returns: Path, tmp_path: Path) -> None:
    harvest(returns, tmp_path / "first.xlsx")
    ledger = tmp_path / store.DEFAULT_NAME
    before = {table: query(ledger, f"SELECT count(*) FROM {table}")
              for table in ("runs", "readings", "results", "originals", "files", "problems")}
    many = tmp_path / "many"
    many.mkdir()
    for i in range(30):         # copies under other names: every one is read and kept
        for sample in SAMPLES:
            shutil.copyfile(sample, many / f"{i:02d}-{sample.name}")
    out = tmp_path / "second.xlsx"
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), "harvest", str(many), "--master", str(MASTER),
         "--round", "12", "--out", str(out), "--ledger", str(ledger), "--jobs", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _until_locked(ledger, process)
        time.sleep(1.0)         # well into the run: files read and recorded meanwhile
        assert process.poll() is None, "the harvest ended before it could be killed"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL and not out.exists()
    assert query(ledger, "PRAGMA integrity_check") == [("ok",)]
    assert {table: query(ledger, f"SELECT count(*) FROM {table}") for table in before} == before
    code, stdout, _ = harvest(returns, tmp_path / "third.xlsx")
    assert code == 1 and "ครั้งที่ 2: อ่านไฟล์ใหม่ 0 ไฟล์" in stdout


def _until_locked(ledger: Path, process: subprocess.Popen[bytes]) -> None:
    """Wait until the harvest holds the ledger's write lock (its run has begun)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        con = sqlite3.connect(ledger, timeout=0, isolation_level=None)
        try:
            con.execute("BEGIN IMMEDIATE")
            con.execute("ROLLBACK")
        except sqlite3.OperationalError:
            return
        finally:
            con.close()
        time.sleep(0.05)
    pytest.fail("the harvest never began its run")


# -- history ------------------------------------------------------------------------------

HISTORY = ROOT / "samples" / "history"
PERIODS = [  # (label, master, round, returns): two years, three rounds
    ("2568-R12", HISTORY / "2568" / "master-2568.xlsx", 12,
     sorted((HISTORY / "2568").glob("2568-R12-*.xlsx"))),
    ("2569-R6", MASTER, 6, sorted((HISTORY / "2569-R6").glob("*.xlsx"))),
    ("2569-R12", MASTER, 12, SAMPLES)]


def test_the_history_of_three_rounds_across_two_years(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite"
    totals: dict[str, dict[str, float | None]] = {}
    for label, master, round_months, files in PERIODS:
        out = tmp_path / f"{label}.xlsx"
        result = CliRunner().invoke(cli, [
            "harvest", *map(str, files), "--master", str(master), "--round", str(round_months),
            "--out", str(out), "--json", str(out.with_suffix(".json")), "--ledger", str(ledger)])
        assert result.exit_code in (0, 1), result.output
        document = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
        totals[label] = {o["office"]: o["total_score"] for o in document["offices"]}
    found = history(ledger)
    assert list(found.periods.index) == [label for label, *_ in PERIODS]
    for label, offices in totals.items():
        for office, total in offices.items():
            shown = found.totals.loc[office, label]
            assert (total is None and math.isnan(shown)) or shown == total, (label, office)
    changes = found.changes
    for office in ("B01", "B05", "B12"):
        before, after = totals["2569-R6"][office], totals["2569-R12"][office]
        assert before is not None and after is not None
        assert changes.loc[office, "change"] == pytest.approx(after - before, abs=1e-9)
        assert changes.loc[office, "trend"] == ("ดีขึ้น" if after > before else "ลดลง")
    out = tmp_path / "history.xlsx"
    result = CliRunner().invoke(cli, ["history", str(ledger), "--out", str(out),
                                      "--fiscal-year", "2569"])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out).sheetnames[:2] == ["ภาพรวม", "คะแนนรวมรายรอบ"]


def test_the_queries_of_docs_ledger_md_run_on_a_ledger(tmp_path: Path) -> None:
    """Every SQL example of docs/ledger.md runs on a ledger of three rounds and gives rows;
    its `original` example names the shipped B05 return."""
    ledger = tmp_path / "ledger.sqlite"
    for _label, master, round_months, files in PERIODS:
        CliRunner().invoke(cli, ["harvest", *map(str, files), "--master", str(master), "--round",
                                 str(round_months), "--out", str(tmp_path / "s.xlsx"),
                                 "--ledger", str(ledger)])
    page = (ROOT / "docs" / "ledger.md").read_text(encoding="utf-8")
    queries = re.findall(r"```sql\n(.*?)```", page, re.S)
    assert len(queries) >= 3
    for sql in queries:
        assert query(ledger, sql), sql
    sha = hashlib.sha256((ROOT / "samples" / "2569-R12-B05.xlsx").read_bytes()).hexdigest()
    assert f"original out/ledger.sqlite {sha[:8]} " in page and sha in page


def test_two_new_ledgers_at_once_the_later_is_not_kept_and_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new ledger is built under a temporary name and put in place when its first run is
    kept: a harvest that fails leaves none, and one that finds another's ledger in place
    keeps nothing and says so (it never replaces it)."""
    master = load_master(MASTER)
    path = tmp_path / "new.sqlite"
    first = store.Ledger(path)
    monkeypatch.setattr(store, "temporary_beside", lambda p: p.with_name(".second.tmp"))
    second = store.Ledger(path)
    assert not path.exists()
    a = first.run(master, store.Context.of(master, 12, None))
    b = second.run(master, store.Context.of(master, 12, None))
    a.commit()
    with pytest.raises(store.LedgerError, match="สร้างไฟล์นี้ขึ้นระหว่างนั้น"):
        b.commit()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.sqlite"]
    assert query(path, "SELECT count(*) FROM runs") == [(0,)]


def test_outputs_in_place_and_a_run_not_kept_is_exit_code_1(
        returns: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the ledger cannot keep the run after the summary and the JSON are in place (here
    another harvest created the new ledger meanwhile), the outputs stay, the message says the
    run is not recorded, and the exit code is 1 (written, with a problem), not 2 (nothing
    written)."""
    def created_meanwhile(_source: object, _target: object) -> None:
        raise FileExistsError(17, "File exists")

    monkeypatch.setattr(store.os, "link", created_meanwhile)
    out = tmp_path / "summary.xlsx"
    code, _stdout, stderr = harvest(returns, out)
    assert code == 1 and "ไม่ได้บันทึก" in stderr and "ระหว่างนั้น" in stderr
    assert out.is_file() and out.with_suffix(".json").is_file()
    assert not (tmp_path / store.DEFAULT_NAME).exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_recorded_outcome_this_engine_cannot_decode_is_read_again(
        returns: Path, tmp_path: Path, counted: list[str]) -> None:
    harvest(returns, tmp_path / "s.xlsx")
    ledger = tmp_path / store.DEFAULT_NAME
    con = sqlite3.connect(ledger)
    con.execute("UPDATE readings SET outcome = '{}' WHERE file LIKE '%B01.xlsx'")
    con.commit()
    con.close()
    counted.clear()
    code, stdout, _ = harvest(returns, tmp_path / "s.xlsx")
    assert code == 1 and counted == ["2569-R12-B01.xlsx"] and "อ่านไฟล์ใหม่ 1 ไฟล์" in stdout


def test_the_ledger_is_neither_an_output_nor_a_return(returns: Path, tmp_path: Path) -> None:
    out = returns / "summary.xlsx"          # outputs written among the returns
    code, _out, err = harvest(returns, out, "--ledger", str(out))
    assert code == 2 and "ต้องไม่ใช่ไฟล์เดียวกับ" in err
    code, stdout, _ = harvest(returns, out)
    assert code == 1 and (returns / store.DEFAULT_NAME).exists()
    code, stdout, _ = harvest(returns, out, "--no-ledger")
    assert code == 1 and "ledger.sqlite" not in stdout + out.with_suffix(".json").read_text(
        encoding="utf-8")


# every field of the master the ledger keeps (codec.encode_master), class by class: a field added
# to the model fails here until the codec writes it too
MASTER_FIELDS = {
    Master: ("settings", "offices", "kpis", "assignments", "milestone_levels", "org_scores",
             "overrides", "org_kpis", "cards", "source", "source_sha256"),
    Settings: ("organisation", "fiscal_year", "receiver", "receiver_position",
               "below_level1_score", "places"),
    Office: ("code", "name", "maker", "maker_position", "coordinator", "email"),
    Kpi: ("code", "name", "group", "unit", "kind", "direction", "org_kpi", "description",
          "formula", "data_required"),
    Assignment: ("office", "kpi", "weight", "criteria"),
    RoundOverride: ("office", "kpi", "round_months", "weight", "criteria"),
    OrgKpi: ("code", "name", "unit", "target"),
    KpiCard: ("target", "owner", "collector", "baseline"),
}


def test_a_master_is_kept_whole() -> None:
    master = load_master(MASTER)
    for cls, names in MASTER_FIELDS.items():
        assert tuple(f.name for f in dataclasses.fields(cls)) == names, \
            f"{cls.__name__} changed: write its fields in ledger/codec.py's encode_master"
    # the shipped master has every part, so that each is kept and given back
    assert all(getattr(master, name) for name in MASTER_FIELDS[Master])
    assert any(k.direction is None for k in master.kpis.values())
    assert any(o.criteria is None for o in master.overrides.values())
    same_weight = RoundOverride("B01", "2.1", 9, None, (Decimal(1), Decimal("2.5"), Decimal(3),
                                                         Decimal(4), Decimal(5)))
    master.overrides[("B01", "2.1", 9)] = same_weight
    moved = str(ROOT / "elsewhere.xlsx")
    back = codec.decode_master(codec.encode_master(master), moved)
    assert back == dataclasses.replace(master, source=moved)


def test_a_harvest_reads_the_master_once(returns: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The master a harvest read is kept in the ledger: the next harvest of the same bytes
    takes it from there; a master edited, or kept damaged, is read again."""
    read = calls(monkeypatch, console, "read_master", str)
    out = tmp_path / "summary.xlsx"
    harvest(returns, out)
    first = out.with_suffix(".json").read_bytes()
    assert len(read) == 1
    harvest(returns, out)
    assert len(read) == 1, "the second harvest took the master from the ledger"
    assert out.with_suffix(".json").read_bytes() == first
    ledger = tmp_path / store.DEFAULT_NAME
    con = sqlite3.connect(ledger)
    con.execute("UPDATE masters SET master = '{\"settings\": 1}'")
    con.commit()
    con.close()
    harvest(returns, out)
    assert len(read) == 2 and out.with_suffix(".json").read_bytes() == first
    harvest(returns, out)
    assert len(read) == 2, "the master read again replaced the damaged one"


def test_a_ledger_of_schema_1_is_upgraded(returns: Path, tmp_path: Path) -> None:
    """A ledger written before masters and JSON lines were kept is read as it is (history,
    original), and a harvest into it adds their tables and keeps its runs."""
    ledger = tmp_path / store.DEFAULT_NAME
    con = sqlite3.connect(ledger)
    con.executescript(MIGRATIONS[0])
    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    con.execute("PRAGMA user_version = 1")
    con.execute("INSERT INTO runs (harvested_at, organisation, fiscal_year, round, master_file, "
                "master_sha256, signing_key, engine_version, files_read, files_reused) "
                "VALUES ('2568-10-01 09:00:00', 'กรม', 2568, 12, 'm.xlsx', 'x', '', '0', 0, 0)")
    con.commit()
    con.close()
    found = history(ledger)             # read as it is, not upgraded
    assert list(found.periods["fiscal_year"]) == [2568]
    result = CliRunner().invoke(cli, ["original", str(ledger), "a" * 64, "--out",
                                      str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2 and "ไม่มีไฟล์ที่มี SHA-256" in result.stderr
    assert query(ledger, "PRAGMA user_version") == [(1,)]
    code, _out, _err = harvest(returns, tmp_path / "summary.xlsx")
    assert code == 1
    assert query(ledger, "PRAGMA user_version") == [(SCHEMA_VERSION,)] and SCHEMA_VERSION == 2
    assert query(ledger, "SELECT count(*) FROM runs") == [(2,)]
    assert query(ledger, "SELECT count(*) FROM masters") == [(1,)]


def test_a_harvest_renders_the_json_line_of_a_file_read_before_once(
        returns: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each office's line of the JSON is kept with the reading of its file: a re-harvest
    renders the lines of the files it reads again, and takes the others as they were."""
    rendered = calls(monkeypatch, run_module, "office_line", lambda office: office.office)
    out = tmp_path / "summary.xlsx"
    harvest(returns, out)
    first = out.with_suffix(".json").read_bytes()
    unsent = [o["office"] for o in json.loads(first)["offices"] if o["file"] is None]
    assert sorted(rendered) == sorted([*(s.stem.split("-")[-1] for s in SAMPLES), *unsent])
    ledger = tmp_path / store.DEFAULT_NAME
    assert query(ledger, "SELECT count(*) FROM office_lines") == [(len(SAMPLES),)]
    rendered.clear()
    harvest(returns, out)
    assert rendered == unsent and out.with_suffix(".json").read_bytes() == first
    shutil.copyfile(ROOT / "samples" / "2569-R12-B05.xlsx", returns / "2569-R12-B05 (1).xlsx")
    rendered.clear()
    harvest(returns, out)
    assert rendered == ["B05", *unsent]


def test_two_members_of_one_name_keep_their_own_json_lines(tmp_path: Path) -> None:
    """A zip may hold two members of one name: each office's line of the JSON is its own
    return's, in the run that reads them and in the runs that take them from the ledger."""
    import warnings
    import zipfile

    returns = tmp_path / "returns"
    returns.mkdir()
    with warnings.catch_warnings(), zipfile.ZipFile(returns / "sent.zip", "w") as archive:
        warnings.simplefilter("ignore")         # zipfile warns of the duplicate name
        for office in ("B05", "B06"):
            archive.write(ROOT / "samples" / f"2569-R12-{office}.xlsx", "2569-R12-B05.xlsx")
    plain = tmp_path / "plain.xlsx"
    harvest(returns, plain, "--no-ledger")
    expected = plain.with_suffix(".json").read_bytes()
    out = tmp_path / "summary.xlsx"
    for _ in range(2):
        harvest(returns, out)
        assert out.with_suffix(".json").read_bytes() == expected
