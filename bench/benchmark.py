"""Benchmarks: generate and harvest N offices x 20 KPIs against floors measured in the same run.

``make bench`` (or ``python bench/benchmark.py [--sizes 200,1000] [--national 5000]
[--repeat 3] [--out docs/performance.md]``):

1. writes synthetic masters of N offices x 20 KPIs (every kind) for each size;
2. runs ``workbook-engine generate`` and ``workbook-engine harvest`` as a user runs them (the
   console script, in a subprocess), timing the wall clock, sampling the peak memory of the whole
   process tree from /proc, and reading the CPU time of the children. Every timed harvest is a
   first harvest: its ledger (``--ledger``) is deleted, with SQLite's files beside it, before
   each run, so that nothing is taken from an earlier attempt and the figures include
   recording the ledger (every return's outcome, KPI results and original bytes);
3. fills the generated workbooks as coordinators would (setup, not timed);
4. measures two floors on the same files with the same number of processes as the engine:
   python-calamine reading every sheet of every returned file (the reading floor), and plain
   xlsxwriter writing a workbook with the same cells as an office workbook but no formats,
   validation, protection or merges (the writing floor);
5. runs ``workbook-engine collect-proposals`` on every office's proposal (one in ten changed
   and with a new KPI, as coordinators would type them; the rest sent back unchanged), timed
   against the harvest of as many returns in the same attempt; and ``review-form`` and
   ``harvest --review`` (the committee's review, unfilled: every row read and checked) on the
   same returns, timed against that harvest too;
6. at the biggest size, in each attempt, the incremental harvest: after the first harvest, one
   return is filled in again with a corrected result (swapped in outside the timing) and the
   same command is timed on the same ledger, which must say that exactly one file was read
   again; reported as re-harvest / first harvest;
7. the national size (``--national N``, 0 to skip it): a master of N offices generated, filled
   (setup, its progress on stderr) and harvested once on a fresh ledger, for the time per
   office and the growth of the peak memory per office over the biggest size;
8. reports the per-office marginal cost ``(t[big] - t[small]) / (big - small)`` of each, the
   ratios to the floors, and writes them with the machine and versions to docs/performance.md
   (the part above "## 20,000 offices"; the hand-written part from there on is kept).

Machines are noisy: compare the ratios, which come from one run, not absolute times across runs.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import html
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import xlsxwriter

from workbook_engine.ledger.store import sidecars
from workbook_engine.master import format as mf
from workbook_engine.xlsx.reader import PURE_PYTHON_ENV

ROOT = Path(__file__).resolve().parent.parent
ENGINE = Path(sys.executable).parent / "workbook-engine"
ROUND = 12
REPEAT = [3]     # set from --repeat, for the report
KPIS = 20
JOBS = os.cpu_count() or 1
NATIONAL = 5000         # offices of the national size, unless --national says otherwise
REHARVEST_AIM = 0.25    # re-harvest after one return corrected / first harvest
GROWTH_GOAL_KB = 50     # peak memory growth per office at the national size: well under this

# 20 KPIs for every office, weight 5 each: 2 inherited, 4 milestone, 7 higher-is-better,
# 7 lower-is-better.
KPI_PLAN = ([("1.1", mf.KIND_INHERITED, ""), ("1.2", mf.KIND_INHERITED, "")]
            + [(f"1.{i}", mf.KIND_MILESTONE, "") for i in range(3, 7)]
            + [(f"2.{i}", mf.KIND_QUANTITATIVE, mf.DIRECTION_HIGHER) for i in range(1, 8)]
            + [(f"3.{i}", mf.KIND_QUANTITATIVE, mf.DIRECTION_LOWER) for i in range(1, 8)])
CORRECTED = 6           # KPI_PLAN index of the result a coordinator corrects (2.1)


def note(message: str) -> None:
    """Progress of the setup, on stderr, for whoever watches the run."""
    print(message, file=sys.stderr, flush=True)


# -- the synthetic master and returns ------------------------------------------------------------

def office_code(i: int) -> str:
    return f"S{i:05d}"


def criteria(kind: str, direction: str, office: int, k: int) -> list[float]:
    if kind != mf.KIND_QUANTITATIVE:
        return []
    base = 60 + (office + k) % 15
    if direction == mf.DIRECTION_HIGHER:
        return [base + 5 * n for n in range(5)]
    return [30 - (office + k) % 5 - 4 * n for n in range(5)]


def result(kind: str, direction: str, office: int, k: int) -> float | None:
    if kind == mf.KIND_INHERITED:
        return None
    if kind == mf.KIND_MILESTONE:
        return (office * 7 + k) % 6
    c = criteria(kind, direction, office, k)
    return round(min(c) - 3 + ((office * 13 + k * 7) % 300) / 10, 2)


def results_of(office: int) -> dict[str, float | None]:
    """The results an office's coordinator types in: every KPI but the inherited ones."""
    return {code: result(kind, direction, office, k)
            for k, (code, kind, direction) in enumerate(KPI_PLAN) if kind != mf.KIND_INHERITED}


def write_master(path: Path, offices: int) -> None:
    """A valid master of ``offices`` offices x 20 KPIs, written with xlsxwriter."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    rows = {
        mf.SETTINGS_SHEET: [["รายการ", "ค่า"], [mf.SET_ORGANISATION, "กรมทดสอบความเร็ว"],
                            [mf.SET_FISCAL_YEAR, 2569], [mf.SET_RECEIVER, "นายทดสอบ ใจดี"],
                            [mf.SET_RECEIVER_POSITION, "อธิบดีกรมทดสอบความเร็ว"]],
        mf.OFFICES_SHEET: [list(mf.OFFICE_COLUMNS)] + [
            [office_code(i), "สำนักพัฒนาระบบบริหาร" if i == 1 else f"สำนักทดสอบที่ {i}",
             f"ผู้อำนวยการคนที่ {i}", "ผู้อำนวยการ", f"ผู้ประสานงาน {i}", f"s{i}@example.go.th"]
            for i in range(1, offices + 1)],
        mf.KPIS_SHEET: [list(mf.KPI_COLUMNS)] + [
            [code, f"ตัวชี้วัดทดสอบ {code} ด้านการให้บริการประชาชนผ่านระบบดิจิทัล", int(code[0]),
             "ระดับ" if kind == mf.KIND_MILESTONE else "ร้อยละ", kind, direction,
             f"ORG-{code[0]}", f"คำอธิบายตัวชี้วัด {code}"] for code, kind, direction in KPI_PLAN],
        mf.ASSIGNMENTS_SHEET: [list(mf.ASSIGNMENT_COLUMNS)] + [
            [office_code(i), code, 5, *criteria(kind, direction, i, k)]
            for i in range(1, offices + 1) for k, (code, kind, direction) in enumerate(KPI_PLAN)],
        mf.MILESTONES_SHEET: [list(mf.MILESTONE_COLUMNS)] + [
            [code, level, f"ขั้นที่ {level} ของตัวชี้วัด {code}"]
            for code, kind, _ in KPI_PLAN if kind == mf.KIND_MILESTONE for level in range(1, 6)],
        mf.ORG_SCORES_SHEET: [list(mf.ORG_SCORE_COLUMNS), ["1.1", 4.215], ["1.2", 3.8475]],
    }
    text = wb.add_format({"num_format": "@"})
    for sheet, table in rows.items():
        ws = wb.add_worksheet(sheet)
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    ws.write_string(r, c, value, text)
                else:
                    ws.write_number(r, c, value)
    wb.close()


def fill_one(args: tuple[Path, Path, int]) -> None:
    """Setup, not timed: one office's form filled in (results, notes, evidence) as a
    coordinator types them: the values put straight into the empty input cells of the form's
    sheet XML, which is ~20x faster than opening and saving it with openpyxl (what 20,000
    offices need); ``tests`` fill returns with openpyxl."""
    source, target, office = args
    values: dict[str, object] = {}
    for code, value in results_of(office).items():
        values[f"RESULT_{code.replace('.', '_')}"] = value
    for code, _, _ in KPI_PLAN:
        key = code.replace(".", "_")
        values[f"NOTE_{key}"] = f"ดำเนินการตามแผน ตัวชี้วัด {code}"
        values[f"EVIDENCE_{key}"] = "รายงานสรุปผล"
    with zipfile.ZipFile(source) as form:
        parts = {info.filename: form.read(info) for info in form.infolist()}
    typed = _typed(parts, values)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, typed.get(name, data))


def _typed(parts: dict[str, bytes], values: dict[str, object]) -> dict[str, bytes]:
    """The sheet parts with ``values`` (by defined name) typed into their empty cells."""
    book = parts["xl/workbook.xml"].decode()
    names = dict(re.findall(r'<definedName name="([^"]+)"[^>]*>([^<]+)</definedName>', book))
    sheets = dict(re.findall(r'<sheet name="([^"]+)" sheetId="\d+"(?: state="\w+")? r:id="(\w+)"',
                             book))
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    targets = dict(re.findall(r'Id="(\w+)" Type="[^"]+" Target="([^"]+)"', rels))
    edits: dict[str, str] = {}
    for name, value in values.items():
        if value is None:
            continue
        sheet, ref = names[name].rsplit("!", 1)
        part = "xl/" + targets[sheets[html.unescape(sheet.strip("'"))]]
        xml = edits.get(part) or parts[part].decode()
        cell = ref.replace("$", "")
        empty = re.search(f'<c r="{cell}"( s="\\d+")?/>', xml)
        if empty is None:
            raise ValueError(f"{name}: {cell} is not an empty cell")
        style = empty.group(1) or ""
        text = html.escape(str(value))
        typed = (f'<c r="{cell}"{style}><v>{value}</v></c>' if isinstance(value, int | float)
                 else f'<c r="{cell}"{style} t="inlineStr"><is><t>{text}</t></is></c>')
        edits[part] = xml[:empty.start()] + typed + xml[empty.end():]
    return {part: xml.encode() for part, xml in edits.items()}


def resubmit(filled: Path, target: Path, office: int) -> None:
    """Setup, not timed: an office's filled return filled in again with one result corrected
    (another office's value for it), as a coordinator sends a correction."""
    from workbook_engine.devkit.testing import fill_return

    code = KPI_PLAN[CORRECTED][0]
    fill_return(filled, target, {code: results_of(office + 1)[code]})


# -- measuring ---------------------------------------------------------------------------------

def tree_rss(root: int) -> int:
    """Resident memory (bytes) of ``root`` and all its descendants, from /proc."""
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                    stack.extend(int(c) for c in children.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


@dataclass
class Run:
    """One timed command: wall seconds, peak memory of its process tree, CPU seconds."""

    wall: float
    peak: int
    cpu: float
    returncode: int
    output: str = field(repr=False, default="")

    @property
    def cores_used(self) -> float:
        return self.cpu / self.wall if self.wall else 0.0


def timed_command(args: list[str], env: dict[str, str] | None = None) -> Run:
    """Run the console script as a user would; sample the memory of its tree every 20 ms."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, peak, cpu, process.returncode, output.decode("utf-8", "replace"))


def read_floor_one(paths: list[Path]) -> int:
    from python_calamine import CalamineWorkbook

    cells = 0
    for path in paths:
        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            cells += sum(len(row) for row in wb.get_sheet_by_name(name).to_python())
    return cells


def in_pool(function, chunks: list) -> float:  # type: ignore[no-untyped-def,type-arg]
    started = time.perf_counter()
    with ProcessPoolExecutor(JOBS) as pool:
        list(pool.map(function, chunks))
    return time.perf_counter() - started


def split(items: list, parts: int) -> list[list]:  # type: ignore[type-arg]
    return [items[i::parts] for i in range(parts)]


def template_cells(path: Path) -> dict[str, list[tuple[int, int, object]]]:
    """Every non-empty cell of an office workbook's sheets: what the writing floor writes."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return {ws.title: [(c.row - 1, c.column - 1, c.value) for row in ws.iter_rows() for c in row
                       if c.value is not None] for ws in wb.worksheets}


def write_floor_one(args: tuple[dict[str, list[tuple[int, int, object]]], list[Path]]) -> None:
    cells, targets = args
    for target in targets:
        wb = xlsxwriter.Workbook(str(target), {"in_memory": True})
        date = wb.add_format({"num_format": "d mmmm yyyy"})
        for sheet, values in cells.items():
            ws = wb.add_worksheet(sheet)
            for r, c, value in values:
                if isinstance(value, str) and value.startswith("="):
                    ws.write_formula(r, c, value)
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                elif isinstance(value, dt.datetime):
                    ws.write_datetime(r, c, value, date)
                else:
                    ws.write_number(r, c, float(value))  # type: ignore[arg-type]
        wb.close()


@contextlib.contextmanager
def watching(folder: Path, total: int, label: str, every: float = 15.0) -> Iterator[None]:
    """While the block runs, say on stderr every ``every`` seconds how many of ``total``
    workbooks are in ``folder`` (so that a long setup step is seen moving)."""
    done = threading.Event()

    def watch() -> None:
        while not done.wait(every):
            count = sum(1 for _ in folder.glob("*.xlsx")) if folder.exists() else 0
            note(f"  {label}: {count}/{total}")

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


# -- the ledger --------------------------------------------------------------------------------

LEDGER_LINE = re.compile(r"อ่านไฟล์ใหม่ (\d+) ไฟล์ ใช้ผลที่บันทึกไว้ (\d+) ไฟล์")


def fresh(ledger: Path) -> Path:
    """``ledger``, with no database there (nor SQLite's files beside it): a harvest on it is
    a first harvest."""
    for path in (ledger, *sidecars(ledger)):
        path.unlink(missing_ok=True)
    return ledger


def ledger_size(ledger: Path) -> int:
    """Bytes of the ledger and of SQLite's files beside it."""
    return sum(p.stat().st_size for p in (ledger, *sidecars(ledger)) if p.exists())


def checked(run: Run, what: str, read: int | None, reused: int) -> Run:
    """``run``, when it harvested (exit 0 or 1) and its console says that ``read`` files were
    read (any number when None) and ``reused`` taken from the ledger; otherwise the benchmark
    stops, saying why."""
    if run.returncode not in (0, 1):
        raise SystemExit(f"{what} failed:\n{run.output}")
    found = LEDGER_LINE.search(run.output)
    counts = None if found is None else (int(found[1]), int(found[2]))
    if counts is None or counts[1] != reused or (read is not None and counts[0] != read):
        raise SystemExit(f"{what}: expected {'any' if read is None else read} files read and "
                         f"{reused} taken from the ledger; its console says (read, taken) = "
                         f"{counts}:\n{run.output}")
    return run


# -- the run -----------------------------------------------------------------------------------

@dataclass
class Size:
    """Everything measured for one number of offices."""

    offices: int
    generate: Run
    harvest: Run
    harvest_python: Run       # without the C reader, as on a machine without a compiler
    read_floor: float
    write_floor: float
    ledger_bytes: int         # the ledger after a first harvest
    phases: dict[str, float] = field(default_factory=dict)
    beside_other_files: Run | None = None    # the same harvest with OTHER_FILES beside it
    collect: Run | None = None     # collect-proposals of as many offices' proposals
    review_form: Run | None = None     # review-form of the same returns
    harvest_review: Run | None = None  # harvest of the same returns with that review


OTHER_FILES = (10, 40 * 2**20)      # evidence beside the returns: 10 files of 40 MB


def write_other_files(folder: Path) -> None:
    """Setup, not timed: scanned evidence (PDFs) in a folder given to harvest beside the
    returns."""
    folder.mkdir(exist_ok=True)
    count, size = OTHER_FILES
    for i in range(count):
        with open(folder / f"scan-{i:02d}.pdf", "wb") as out:
            out.write(b"%PDF-1.7\n")
            for _ in range(size // 2**20):
                out.write(os.urandom(2**20))


def fastest(runs: list[Run]) -> Run:
    """The fastest of repeated runs (what the code costs when the machine lets it run), with
    the highest peak memory seen in any of them."""
    best = min(runs, key=lambda r: r.wall)
    return Run(best.wall, max(r.peak for r in runs), best.cpu, best.returncode, best.output)


@dataclass
class Setup:
    """One number of offices, ready to measure: its master, its filled returns (linked into
    ``returns`` by the first attempt) and the ledger its harvests record in."""

    offices: int
    master: Path
    names: list[str]
    returns: Path
    ledger: Path
    beside: Path | None
    resubmitted: Path | None      # a corrected return, for the incremental harvest
    samples: list[Sample] = field(default_factory=list)


@dataclass
class Sample:
    """One attempt at one number of offices: every command and floor, once."""

    generate: Run
    harvest: Run
    harvest_python: Run
    beside: Run | None
    read_floor: float
    write_floor: float
    collect: Run
    review_form: Run
    harvest_review: Run
    ledger_bytes: int             # the ledger after the first harvest
    reharvest: Run | None         # the same harvest after one return was corrected


def prepare(work: Path, offices: int, beside: Path | None = None,
            incremental: bool = False) -> Setup:
    """Setup, not timed: the master (its returns are filled by the first attempt)."""
    master = work / f"master-{offices}.xlsx"
    write_master(master, offices)
    names = [f"2569-R{ROUND}-{office_code(i)}.xlsx" for i in range(1, offices + 1)]
    return Setup(offices, master, names, work / f"returns-{offices}",
                 work / f"ledger-{offices}.sqlite", beside,
                 work / f"resubmitted-{offices}.xlsx" if incremental else None)


def attempt(work: Path, setup: Setup, filled: Path) -> None:
    """Time generate, harvest (with and without the C reader, beside other files, and again
    after one return was corrected), both floors, collect-proposals, review-form and harvest
    --review once each, in that order."""
    index = len(setup.samples)
    forms = work / f"forms-{setup.offices}-{index}"
    generated = generate(setup, forms)
    if index == 0:
        fill_returns(setup, forms, filled)
    command = harvest_args(work, setup)
    harvested = first_harvest(command, setup, "harvest")
    ledger_bytes = ledger_size(setup.ledger)
    again = None if setup.resubmitted is None else \
        reharvest(command, setup, setup.resubmitted, filled)
    beside = None if setup.beside is None else first_harvest(
        [*command[:3], str(setup.beside), *command[3:]], setup, "harvest beside other files",
        whole=False)
    python = first_harvest(command, setup, "harvest without the C reader",
                           {**os.environ, PURE_PYTHON_ENV: "1"})
    read, write = floors(work, setup, filled, forms, index)
    collected = collect_proposals(work, setup, index)
    reviewed, with_review = review(work, setup, command)
    setup.samples.append(Sample(generated, harvested, python, beside, read, write, collected,
                                reviewed, with_review, ledger_bytes, again))


def generate(setup: Setup, forms: Path) -> Run:
    """``workbook-engine generate`` of every office's form into ``forms``, timed."""
    generated = timed_command([str(ENGINE), "generate", str(setup.master), "--round",
                               str(ROUND), "--out", str(forms)])
    if generated.returncode != 0:
        raise SystemExit(f"generate failed:\n{generated.output}")
    return generated


def fill_returns(setup: Setup, forms: Path, filled: Path) -> None:
    """Setup, not timed: the forms filled in (those not filled yet for another size), linked
    into the setup's folder of returns; and the corrected return of the incremental harvest."""
    fill_all(forms, filled, setup.names)
    setup.returns.mkdir(exist_ok=True)
    for n in setup.names:
        (setup.returns / n).symlink_to(filled / n)
    if setup.resubmitted is not None:
        resubmit(filled / setup.names[0], setup.resubmitted, 1)


def harvest_args(work: Path, setup: Setup) -> list[str]:
    """The harvest command of the setup's returns (its ledger named by :func:`first_harvest`
    and :func:`reharvest`)."""
    return [str(ENGINE), "harvest", str(setup.returns), "--master", str(setup.master),
            "--round", str(ROUND), "--out", str(work / f"summary-{setup.offices}.xlsx"),
            "--json", str(work / f"summary-{setup.offices}.json")]


def first_harvest(command: list[str], setup: Setup, what: str,
                  env: dict[str, str] | None = None, whole: bool = True) -> Run:
    """``command`` timed on a fresh ledger: every file read, none taken from the ledger (and,
    when ``whole``, exactly one file read for each office)."""
    run = timed_command([*command, "--ledger", str(fresh(setup.ledger))], env)
    return checked(run, what, setup.offices if whole else None, 0)


def reharvest(command: list[str], setup: Setup, corrected: Path, filled: Path) -> Run:
    """After a first harvest: the first office's return swapped for its ``corrected`` copy
    (outside the timing), then ``command`` timed on the same ledger, which must read that
    file alone again; the return is put back afterwards."""
    link = setup.returns / setup.names[0]
    link.unlink()
    link.symlink_to(corrected)
    try:
        run = timed_command([*command, "--ledger", str(setup.ledger)])
    finally:
        link.unlink()
        link.symlink_to(filled / setup.names[0])
    return checked(run, "re-harvest after one corrected return", 1, setup.offices - 1)


def floors(work: Path, setup: Setup, filled: Path, forms: Path, index: int) -> tuple[float, float]:
    """The reading floor on the filled returns and the writing floor of as many workbooks
    with an office workbook's cells, in seconds."""
    read = in_pool(read_floor_one, split([filled / n for n in setup.names], JOBS))
    floor_dir = work / f"floor-{setup.offices}-{index}"
    floor_dir.mkdir()
    cells = template_cells(forms / setup.names[0])
    write = in_pool(write_floor_one, [(cells, part) for part in
                                      split([floor_dir / n for n in setup.names], JOBS)])
    return read, write


def collect_proposals(work: Path, setup: Setup, index: int) -> Run:
    """``workbook-engine collect-proposals`` of every office's proposal, timed (the proposals
    made and typed into by the first attempt)."""
    proposals = work / f"proposals-{setup.offices}"
    if index == 0:
        prepare_proposals(setup, proposals)
    draft = work / f"draft-{setup.offices}"
    collected = timed_command([str(ENGINE), "collect-proposals", str(proposals), "--master",
                               str(setup.master), "--out", f"{draft}.xlsx", "--json",
                               f"{draft}.json"])
    if collected.returncode != 0:
        raise SystemExit(f"collect-proposals failed:\n{collected.output}")
    return collected


def review(work: Path, setup: Setup, command: list[str]) -> tuple[Run, Run]:
    """``workbook-engine review-form`` of the returns, then ``command --review`` with that
    form unfilled (a first harvest on a fresh ledger), both timed."""
    form = work / f"review-{setup.offices}.xlsx"
    reviewed = timed_command([str(ENGINE), "review-form", str(setup.returns), "--master",
                              str(setup.master), "--round", str(ROUND), "--out", str(form)])
    if reviewed.returncode not in (0, 1):
        raise SystemExit(f"review-form failed:\n{reviewed.output}")
    return reviewed, first_harvest([*command, "--review", str(form)], setup, "harvest --review")


CHANGED_EVERY = 10      # one office in ten changes a KPI and proposes a new one


def prepare_proposals(setup: Setup, folder: Path) -> None:
    """Setup, not timed: every office's proposal, one in ten typed into (2.1's weight halved,
    a new KPI of the other half), the others sent back as they were made."""
    made = folder.with_name(folder.name + "-made")
    done = subprocess.run([str(ENGINE), "propose", str(setup.master), "--out", str(made)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"propose failed:\n{done.stdout}{done.stderr}")
    folder.mkdir()
    names = sorted(p.name for p in made.glob("*.xlsx"))
    typed = [n for i, n in enumerate(names) if i % CHANGED_EVERY == 0]
    for name in names:
        if name not in typed:
            (folder / name).symlink_to(made / name)
    with ProcessPoolExecutor(JOBS) as pool:
        list(pool.map(propose_one, [(made / n, folder / n) for n in typed], chunksize=8))


def propose_one(args: tuple[Path, Path]) -> None:
    from workbook_engine.devkit.proposals import fill_proposal

    source, target = args
    new = {mf.COL_KPI_NAME: "ตัวชี้วัดที่เสนอใหม่ด้านการลดขั้นตอน", mf.COL_UNIT: "ร้อยละ",
           mf.COL_KIND: mf.KIND_QUANTITATIVE, mf.COL_DIRECTION: mf.DIRECTION_HIGHER,
           mf.COL_WEIGHT: 2.5, mf.COL_TARGET: 80,
           **dict(zip(mf.COL_LEVELS, (60, 70, 80, 90, 100), strict=True)),
           "ข้อมูลพื้นฐาน 2568": 75, "เหตุผล": "ลดขั้นตอนการให้บริการ"}
    fill_proposal(source, target, 2569, {"2.1": {mf.COL_WEIGHT: 2.5}}, [new])


def summarise(work: Path, setup: Setup) -> Size:
    """The fastest of the attempts at one number of offices (the highest memory of any)."""
    samples = setup.samples
    besides = [s.beside for s in samples if s.beside is not None]
    return Size(setup.offices, fastest([s.generate for s in samples]),
                fastest([s.harvest for s in samples]),
                fastest([s.harvest_python for s in samples]),
                min(s.read_floor for s in samples), min(s.write_floor for s in samples),
                max(s.ledger_bytes for s in samples), harvest_phases(setup, work),
                fastest(besides) if besides else None, fastest([s.collect for s in samples]),
                fastest([s.review_form for s in samples]),
                fastest([s.harvest_review for s in samples]))


def paired_ratios(small: Setup, big: Setup) -> dict[str, list[float]]:
    """Per attempt, the marginal cost per office over the floor's, from the two sizes measured
    one after the other (a burst of load on the machine then weighs on both alike)."""
    ratios: dict[str, list[float]] = {"generate": [], "harvest": [],
                                      "collect": [s.collect.wall / s.harvest.wall
                                                  for s in big.samples],
                                      "review_form": [s.review_form.wall / s.harvest.wall
                                                      for s in big.samples],
                                      "harvest_review": [s.harvest_review.wall / s.harvest.wall
                                                         for s in big.samples]}
    for a, b in zip(small.samples, big.samples, strict=True):
        ratios["generate"].append((b.generate.wall - a.generate.wall)
                                  / (b.write_floor - a.write_floor))
        ratios["harvest"].append((b.harvest.wall - a.harvest.wall)
                                 / (b.read_floor - a.read_floor))
    return ratios


PHASES = {"read_master": "reading the master",
          "harvest": "opening the ledger, listing the files, then checking the returns "
                     "(workers, which read them) while the parent renders their summary rows "
                     "and keeps each return in the ledger (outcome, KPI results, original "
                     "bytes)",
          "record": "recording the run in the ledger (its files, offices and problems)",
          "write": "writing the rest of the summary workbook, then the JSON",
          "commit": "committing the ledger"}


class Laps:
    """Consecutive stages timed: each :meth:`lap` ends the stage begun when the last ended
    (or at :meth:`start`)."""

    def __init__(self) -> None:
        self.took: dict[str, float] = {}
        self.started = time.perf_counter()

    def start(self) -> None:
        """Begin the next stage now (what ran since the last lap is not counted)."""
        self.started = time.perf_counter()

    def lap(self, stage: str) -> None:
        """End ``stage`` now."""
        now = time.perf_counter()
        self.took[stage] = now - self.started
        self.started = now


def harvest_phases(setup: Setup, work: Path) -> dict[str, float]:
    """Where harvest's time goes: its stages timed in this process as the command runs them
    (workbook_engine.cli's harvest_command), on a fresh ledger."""
    import gc

    from workbook_engine.cli.commands import preparing
    from workbook_engine.harvesting.outcomes import LedgerRun
    from workbook_engine.harvesting.run import JsonWriter, harvest
    from workbook_engine.ledger.store import Context, Ledger
    from workbook_engine.master.reader import load_master
    from workbook_engine.summary.workbook import SummaryWriter
    from workbook_engine.workers import few_collections

    path, out = fresh(work / f"phases-{setup.offices}.sqlite"), work / "phases.xlsx"
    with few_collections():
        laps = Laps()
        master = load_master(setup.master)
        laps.lap("read_master")
        gc.freeze()
        summary = SummaryWriter(out, master.settings.below_level1_score, master.settings.places)
        laps.start()
        run = Ledger(path).run(master, Context.of(master, ROUND, None))
        json_writer = JsonWriter(work / "phases.json", run)
        report = harvest([setup.returns], master, ROUND, jobs=JOBS,
                         on_office=preparing(summary, json_writer, True), recorder=run)
        laps.lap("harvest")
        report.ledger = LedgerRun(str(path), run.record(report, out))
        laps.lap("record")
        summary.write(report)
        json_writer.save(report)
        json_writer.commit()
        laps.lap("write")
        run.commit()
        laps.lap("commit")
    return laps.took


def fill_all(forms: Path, filled: Path, names: list[str]) -> None:
    """Setup, not timed: coordinators fill in the forms not filled yet (progress on stderr)."""
    missing = [n for n in names if not (filled / n).exists()]
    if not missing:
        return
    note(f"filling {len(missing)} returns (setup) ...")
    step = max(len(missing) // 10, 1)
    with ProcessPoolExecutor(JOBS) as pool:
        jobs = [(forms / n, filled / n, int(n[-10:-5])) for n in missing]
        for done, _ in enumerate(pool.map(fill_one, jobs, chunksize=16), 1):
            if done % step == 0:
                note(f"  filled {done}/{len(missing)}")


# -- the national size -------------------------------------------------------------------------

@dataclass
class National:
    """The national size, measured once: generate (setup, timed all the same) and a first
    harvest."""

    offices: int
    generate: Run
    harvest: Run
    ledger_bytes: int


def national(work: Path, offices: int, filled: Path) -> National:
    """Setup (the master, generate and filling, with progress on stderr), then one harvest of
    ``offices`` offices on a fresh ledger, timed."""
    started = time.perf_counter()
    note(f"national size: writing the master of {offices} offices (setup) ...")
    setup = prepare(work, offices)
    forms = work / f"forms-{offices}"
    note(f"national size: generating {offices} forms (setup) ...")
    with watching(forms, offices, "forms written"):
        generated = generate(setup, forms)
    note(f"  generated in {generated.wall:.0f} s")
    fill_returns(setup, forms, filled)
    note(f"national size: setup took {time.perf_counter() - started:.0f} s; harvesting "
         f"{offices} returns (timed, once) ...")
    harvested = first_harvest(harvest_args(work, setup), setup, "national harvest")
    note(f"  harvested in {harvested.wall:.1f} s")
    return National(offices, generated, harvested, ledger_size(setup.ledger))


# -- the report --------------------------------------------------------------------------------

def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        ram = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except OSError:
        ram = 0.0
    return f"{cpu}, {os.cpu_count()} cores, {ram:.0f} GiB RAM, {platform.platform()}"


def fast_reader_built() -> bool:
    from workbook_engine.xlsx import reader as xlsx_reader

    return xlsx_reader._fastsheet is not None


def versions() -> str:
    names = ["workbook-engine", "xlsxwriter", "openpyxl", "defusedxml", "python-calamine"]
    return ", ".join([f"Python {platform.python_version()}"]
                     + [f"{n} {version(n)}" for n in names])


YES = {True: "yes", False: "**no**"}
MB = 2**20


def report(sizes: list[Size], ratios: dict[str, list[float]]) -> list[str]:
    """The heading, how it was measured, and the table of every size."""
    small, big = sizes[0], sizes[-1]
    span = big.offices - small.offices

    def marginal(a: float, b: float) -> float:
        return (b - a) / span * 1000      # ms per office

    gen = marginal(small.generate.wall, big.generate.wall)
    wfloor = marginal(small.write_floor, big.write_floor)
    har = marginal(small.harvest.wall, big.harvest.wall)
    pure = marginal(small.harvest_python.wall, big.harvest_python.wall)
    rfloor = marginal(small.read_floor, big.read_floor)
    ledger_kb = (big.ledger_bytes - small.ledger_bytes) / span / 1024
    peak = max(s.generate.peak for s in sizes), max(s.harvest.peak for s in sizes)
    paired = {key: statistics.median(values) for key, values in ratios.items()}

    def each(key: str) -> str:
        return ", ".join(f"{r:.2f}" for r in ratios[key])
    return [
        "# Performance",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `make bench` "
        "(`bench/benchmark.py`) on this machine:",
        "",
        f"- {machine()}",
        f"- {versions()}; the C reader (`workbook_engine/xlsx/_fastsheet.c`) "
        + ("built" if fast_reader_built() else "**not built**"),
        f"- {REPEAT[0]} attempts, each measuring every size and floor in turn; the table "
        "shows the fastest run of each (the highest peak memory of any run). The ratio to the "
        "floor is the marginal cost per office over the floor's; **met** judges the median of "
        "the ratios of the attempts (each from the two sizes measured one after the other, "
        "so that a burst of load on the machine weighs on both), given beside it. "
        f"{JOBS} worker processes for the engine and for both floors; every office has "
        f"{KPIS} KPIs (2 inherited, 4 milestone, 7 higher-is-better, 7 lower-is-better).",
        "- generate and harvest are timed end to end as a user runs them: the "
        "`workbook-engine` console script in a subprocess (start-up, reading the master, "
        "writing the manifest, the summary workbook and the JSON included). Memory is the peak "
        "resident size of the whole process tree, sampled every 20 ms.",
        "- Every timed harvest (with or without the C reader, beside other files, with the "
        "review) is a first harvest: its ledger (`--ledger`) is deleted, with SQLite's files "
        "beside it, before each run, and its console is checked to say that nothing was taken "
        "from the ledger. So harvest's figures include recording the ledger: every return's "
        "outcome and KPI results, and its original bytes.",
        "- Floors, on the same files and with the same number of processes: **reading** = "
        "python-calamine opening each returned workbook and reading every sheet into Python "
        "lists; **writing** = plain xlsxwriter writing a workbook with the same cells (values, "
        "strings and formulas) as an office workbook, without formats, validation, protection "
        "or merged cells.",
        "",
        "| | " + " | ".join(f"{s.offices} offices" for s in sizes) + " | per office (marginal) |"
        " ratio to floor: fastest; per attempt (median) | target | met |",
        "|---|" + "---|" * (len(sizes) + 4),
        "| generate, wall | " + " | ".join(f"{s.generate.wall:.2f} s" for s in sizes)
        + f" | {gen:.2f} ms | {gen / wfloor:.2f}x; {each('generate')} "
        f"(**{paired['generate']:.2f}x**) | ≤ 2x, 1,000 in < 30 s | "
        f"{YES[paired['generate'] <= 2 and big.generate.wall < 30]} |",
        "| writing floor | " + " | ".join(f"{s.write_floor:.2f} s" for s in sizes)
        + f" | {wfloor:.2f} ms | 1 | | |",
        "| harvest, wall | " + " | ".join(f"{s.harvest.wall:.2f} s" for s in sizes)
        + f" | {har:.2f} ms | {har / rfloor:.2f}x; {each('harvest')} "
        f"(**{paired['harvest']:.2f}x**) | ≤ 3x, 1,000 in < 10 s | "
        f"{YES[paired['harvest'] <= 3 and big.harvest.wall < 10]} |",
        "| harvest, wall, without the C reader | "
        + " | ".join(f"{s.harvest_python.wall:.2f} s" for s in sizes)
        + f" | {pure:.2f} ms | {pure / rfloor:.2f}x | (a machine without a C compiler) | |",
        "| reading floor | " + " | ".join(f"{s.read_floor:.2f} s" for s in sizes)
        + f" | {rfloor:.2f} ms | 1 | | |",
        "| collect-proposals, wall | "
        + " | ".join(f"{s.collect.wall:.2f} s" if s.collect else "-" for s in sizes)
        + f" | | to harvest of as many: {each('collect')} (**{paired['collect']:.2f}x**) | "
        f"≤ 1x harvest | {YES[paired['collect'] <= 1]} |",
        "| review-form, wall | "
        + " | ".join(f"{s.review_form.wall:.2f} s" if s.review_form else "-" for s in sizes)
        + f" | | to harvest of the same returns: {each('review_form')} "
        f"(**{paired['review_form']:.2f}x**) | ≤ 1.5x harvest | "
        f"{YES[paired['review_form'] <= 1.5]} |",
        "| harvest --review (the review unfilled), wall | "
        + " | ".join(f"{s.harvest_review.wall:.2f} s" if s.harvest_review else "-"
                     for s in sizes)
        + f" | | to harvest without it: {each('harvest_review')} "
        f"(**{paired['harvest_review']:.2f}x**) | ≤ 1.5x harvest | "
        f"{YES[paired['harvest_review'] <= 1.5]} |",
        "| generate, peak memory | " + " | ".join(f"{s.generate.peak / MB:.0f} MB"
                                                  for s in sizes)
        + f" | | | < 500 MB | {YES[peak[0] < 500 * MB]} |",
        "| harvest, peak memory | " + " | ".join(f"{s.harvest.peak / MB:.0f} MB"
                                                 for s in sizes)
        + f" | | | < 500 MB | {YES[peak[1] < 500 * MB]} |",
        "| ledger after a first harvest, size | "
        + " | ".join(f"{s.ledger_bytes / MB:.1f} MB" for s in sizes)
        + f" | {ledger_kb:.1f} KB | | | |",
        "| generate, cores used (CPU s / wall s) | "
        + " | ".join(f"{s.generate.cores_used:.2f}" for s in sizes) + f" | | | {JOBS} | |",
        "| harvest, cores used (CPU s / wall s) | "
        + " | ".join(f"{s.harvest.cores_used:.2f}" for s in sizes) + f" | | | {JOBS} | |",
        "",
    ]


def incremental_report(setup: Setup) -> list[str]:
    """The table of the incremental harvest at the biggest size, attempt by attempt: wall time
    (what the user waits; the aim is judged on it) and CPU time (what the machine spends)."""
    runs = [(s.harvest, s.reharvest) for s in setup.samples if s.reharvest]
    walls = [again.wall / first.wall for first, again in runs]
    cpus = [again.cpu / first.cpu for first, again in runs]
    median = statistics.median(walls)
    ledger = max(s.ledger_bytes for s in setup.samples)
    return [
        f"Incremental harvest ({setup.offices} offices, in every attempt): the first harvest "
        "on a fresh ledger, then one office's return filled in again with a corrected result "
        "(swapped in outside the timing) and the same command timed on the same ledger; its "
        f"console said, each time, 1 file read again and {setup.offices - 1} taken from the "
        f"ledger. The ledger after the first harvest: {ledger / MB:.1f} MB (each return's "
        "outcome, KPI results and original bytes).",
        "",
        "| attempt | first harvest, wall (CPU) | re-harvest after 1 return corrected, wall "
        "(CPU) | re-harvest / first harvest, wall | CPU | target (wall) | met |",
        "|---|---|---|---|---|---|---|",
        *[f"| {i} | {first.wall:.2f} s ({first.cpu:.2f} s) | {again.wall:.2f} s "
          f"({again.cpu:.2f} s) | {wall:.2f} | {cpu:.2f} | | |"
          for i, ((first, again), wall, cpu) in enumerate(zip(runs, walls, cpus, strict=True),
                                                         1)],
        f"| median | {statistics.median(r[0].wall for r in runs):.2f} s | "
        f"{statistics.median(r[1].wall for r in runs):.2f} s | **{median:.2f}** | "
        f"{statistics.median(cpus):.2f} | < {REHARVEST_AIM} (aim) | "
        f"{YES[median < REHARVEST_AIM]} |",
        "",
    ]


def national_report(size: National, big: Size) -> list[str]:
    """The table of the national size, with the growth of memory over the biggest size."""
    per_office = size.harvest.wall / size.offices * 1000
    growth = (size.harvest.peak - big.harvest.peak) / (size.offices - big.offices) / 1024
    return [
        f"National size ({size.offices:,} offices x {KPIS} KPIs, measured once, not the "
        f"fastest of {REPEAT[0]}): its master written, generated and filled as setup, then one "
        "first harvest (fresh ledger) timed as above. Growth per office = (peak at "
        f"{size.offices:,} - peak at {big.offices:,}) / {size.offices - big.offices:,}.",
        "",
        f"| | {size.offices:,} offices | per office | target | met |",
        "|---|---|---|---|---|",
        f"| harvest, wall | {size.harvest.wall:.2f} s | {per_office:.2f} ms | | |",
        f"| harvest, peak memory | {size.harvest.peak / MB:.0f} MB | growth {growth:.1f} KB "
        f"over {big.offices:,} offices ({big.harvest.peak / MB:.0f} MB) | well under "
        f"{GROWTH_GOAL_KB} KB per office | {YES[growth < GROWTH_GOAL_KB]} |",
        f"| harvest, cores used (CPU s / wall s) | {size.harvest.cores_used:.2f} | | {JOBS} | |",
        f"| ledger after the harvest, size | {size.ledger_bytes / MB:.1f} MB | "
        f"{size.ledger_bytes / size.offices / 1024:.1f} KB | | |",
        f"| generate (setup), wall | {size.generate.wall:.2f} s | "
        f"{size.generate.wall / size.offices * 1000:.2f} ms | | |",
        "",
    ]


def phases_report(sizes: list[Size]) -> list[str]:
    """The table of harvest's stages at every size."""
    small, big = sizes[0], sizes[-1]
    span = big.offices - small.offices
    return [
        "Where harvest's time goes (its stages timed in one process as the command runs them, "
        "same workers, a fresh ledger, one run):",
        "",
        "| stage | " + " | ".join(f"{s.offices} offices" for s in sizes) + " | per office |",
        "|---|" + "---|" * (len(sizes) + 1),
        *[f"| {label} | " + " | ".join(f"{s.phases[key]:.2f} s" for s in sizes)
          + f" | {(big.phases[key] - small.phases[key]) / span * 1000:.2f} ms |"
          for key, label in PHASES.items()],
        "",
    ]


def beside_report(size: Size) -> list[str]:
    """The lines comparing a harvest with and without other files beside the returns."""
    if size.beside_other_files is None:
        return []
    count, each = OTHER_FILES
    alone, beside = size.harvest, size.beside_other_files
    return [
        f"Other files given with the returns ({size.offices} returns, then the same returns "
        f"beside a folder of {count} files of {each / 2**20:.0f} MB, as a shared folder of "
        "scanned evidence would be): memory is bounded by the largest file, not the sum.",
        "",
        "| harvest | wall | peak memory |",
        "|---|---|---|",
        f"| {size.offices} returns | {alone.wall:.2f} s | {alone.peak / 2**20:.0f} MB |",
        f"| the same, beside {count * each / 2**20:.0f} MB of other files | {beside.wall:.2f} s "
        f"| {beside.peak / 2**20:.0f} MB ({beside.peak / alone.peak:.2f}x) |",
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the report; print it too."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,1000", help="numbers of offices, comma-separated")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--work", type=Path, default=None, help="working folder (default temp)")
    parser.add_argument("--quick", action="store_true",
                        help="sizes 20,100 and no national size (unless --national): a smoke "
                             "run, written nowhere")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the fastest counts")
    parser.add_argument("--national", type=int, default=None, metavar="N",
                        help=f"offices of the national size, measured once (default {NATIONAL}; "
                             "0 skips it)")
    args = parser.parse_args(argv)
    sizes = sorted([20, 100] if args.quick else [int(s) for s in args.sizes.split(",")])
    offices = args.national if args.national is not None else 0 if args.quick else NATIONAL
    if offices and offices <= sizes[-1]:
        parser.error(f"--national must be more than the biggest size ({sizes[-1]}), or 0")
    REPEAT[0] = args.repeat
    if args.work is not None:
        args.work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        work = Path(tmp)
        filled = work / "filled"
        filled.mkdir()
        evidence = work / "evidence"
        write_other_files(evidence)
        # the big set first: its returns are filled once, and the small set reuses them
        setups = [prepare(work, n, evidence if n == sizes[0] else None, n == sizes[-1])
                  for n in reversed(sizes)]
        for index in range(args.repeat):        # each attempt measures every size in turn
            for setup in setups:
                print(f"attempt {index + 1}: {setup.offices} offices ...", flush=True)
                attempt(work, setup, filled)
        setups.reverse()
        measured = [summarise(work, setup) for setup in setups]
        nation = national(work, offices, filled) if offices else None
    text = "\n".join([*report(measured, paired_ratios(setups[0], setups[-1])),
                      *incremental_report(setups[-1]),
                      *([] if nation is None else national_report(nation, measured[-1])),
                      *phases_report(measured), *beside_report(measured[0])])
    print(text)
    if not args.quick:
        previous = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        marker = "\n## 20,000 offices"
        tail = previous[previous.index(marker):] if marker in previous else ""
        args.out.write_text(text + tail, encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
