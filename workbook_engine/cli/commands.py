"""The ``workbook-engine`` command line (CONTRACT section 3).

Exit codes: 0 success, 1 problems found (or output written with problems), 2 usage or nothing
written. Messages are Thai; no traceback reaches the user for anything the engine expects.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import NOTHING_DONE, PROBLEMS_FOUND, OutputError, WorkbookEngineError
from ..fiscal import FISCAL_YEARS
from ..forms.meta import KEY_ENV, load_key
from ..harvesting.outcomes import HarvestReport, LedgerRun, OfficeOutcome
from ..harvesting.run import JsonWriter, Recorder, harvest
from ..ledger.store import DEFAULT_NAME as DEFAULT_LEDGER
from ..ledger.store import default_path as default_ledger
from ..ledger.store import ledger_files, original, recording
from ..master.format import ROUND_MONTHS
from ..master.reader import read_master
from ..model import Master
from ..workers import few_collections
from .console import (
    echo_harvest,
    echo_recorded,
    harvest_master,
    master_for_offices,
    progress,
    report_master,
    valid_master,
    writable,
)

if TYPE_CHECKING:
    from ..summary.workbook import SummaryWriter
    from ..xlsx.outputs import Output

EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


# the commands defined in modules of their own, loaded when asked for (or listed): a harvest
# does not load the outbox's, the proposals' or the history's modules
ELSEWHERE = {"propose": ".proposals:propose_command",
             "collect-proposals": ".proposals:collect_proposals_command",
             "history": ".history:history_command", "outbox": ".outbox:outbox_command"}


class _Commands(click.Group):
    """The commands; the one place where how a command ended becomes its exit code: the number
    it returns, or the code of the :class:`WorkbookEngineError` it raises (its Thai message
    on stderr)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *ELSEWHERE])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = ELSEWHERE.get(cmd_name)
        if where is None:
            return super().get_command(ctx, cmd_name)
        module, name = where.split(":")
        command: click.Command = getattr(importlib.import_module(module, __package__), name)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            code = super().invoke(ctx)
        except WorkbookEngineError as exc:
            click.echo(str(exc), err=True)
            ctx.exit(exc.exit_code)
        ctx.exit(code if isinstance(code, int) else 0)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="workbook-engine")
def cli() -> None:
    """workbook-engine: สร้าง รวบรวม และสรุปแบบฟอร์มคำรับรองการปฏิบัติราชการ"""


@cli.command("check-master")
@click.argument("master", type=EXISTING_FILE)
def check_master_command(master: Path) -> int:
    """ตรวจไฟล์ต้นแบบ (master workbook) และแสดงปัญหาทั้งหมด"""
    report = read_master(master)
    report_master(report)
    return 0 if report.valid else PROBLEMS_FOUND


@cli.command("new-master")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--fiscal-year", type=click.IntRange(FISCAL_YEARS[0], FISCAL_YEARS[-1]), default=None,
              help="ปีงบประมาณ (พ.ศ.) ที่จะกรอกไว้ให้")
@click.option("--force", is_flag=True, help="เขียนทับไฟล์ที่มีอยู่แล้ว")
def new_master_command(path: Path, fiscal_year: int | None, force: bool) -> int:
    """สร้างไฟล์ต้นแบบเปล่า พร้อมหัวคอลัมน์ คำแนะนำ และรายการให้เลือก"""
    from ..master.new import write_new_master

    if path.exists() and not force:
        raise click.UsageError(f"มีไฟล์ {path} อยู่แล้ว ใช้ --force ถ้าต้องการเขียนทับ")
    try:
        write_new_master(path, fiscal_year)
    except OSError as exc:
        raise OutputError(f"เขียนไฟล์ {path} ไม่ได้: {exc.strerror or exc}") from exc
    click.echo(f"สร้างไฟล์ต้นแบบเปล่า {path} แล้ว กรอกข้อมูลแล้วตรวจด้วย "
               f"workbook-engine check-master {path}")
    return 0


def load_signing_key(key_file: Path | None) -> bytes | None:
    """The signing key from --key-file or $WORKBOOK_ENGINE_KEY, as a usage error if unusable."""
    try:
        return load_key(key_file)
    except (OSError, ValueError) as exc:
        raise click.UsageError(f"ใช้กุญแจลงนามไม่ได้: {exc}") from exc


ROUND_OPTION = click.option("--round", "round_months", required=True,
                            type=click.Choice([str(r) for r in ROUND_MONTHS]),
                            callback=lambda _c, _p, v: int(v), help="รอบการรายงาน (เดือน)")
KEY_OPTION = click.option("--key-file", type=EXISTING_FILE, default=None,
                          help=f"ไฟล์กุญแจลงนาม HMAC (หรือตั้งตัวแปร {KEY_ENV})")


@cli.command("generate")
@click.argument("master", type=EXISTING_FILE)
@ROUND_OPTION
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="โฟลเดอร์ที่จะเขียนไฟล์")
@click.option("--office", "offices", multiple=True, help="รหัสหน่วยงาน (ใส่ซ้ำได้) ค่าเริ่มต้นทุกหน่วยงาน")
@KEY_OPTION
@click.option("--password", default=None, help="รหัสผ่านป้องกันชีต")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="จำนวนโปรเซสที่ใช้")
def generate_command(master: Path, round_months: int, out_dir: Path, offices: tuple[str, ...],
                     key_file: Path | None, password: str | None, jobs: int | None) -> int:
    """สร้างแบบฟอร์มคำรับรองและรายงานผลของแต่ละหน่วยงาน"""
    from ..forms.generate import MANIFEST, generate

    key = load_signing_key(key_file)
    valid = master_for_offices(master, offices)
    if valid is None:
        return PROBLEMS_FOUND
    with progress(len(offices) or len(valid.offices), "กำลังสร้างแบบฟอร์ม") as advance:
        rows = generate(valid, round_months, out_dir, offices or None, key, password, jobs,
                        advance)
    click.echo(f"สร้างแบบฟอร์ม {len(rows)} ไฟล์ใน {out_dir} แล้ว"
               f"{' (ลงนามด้วยกุญแจ)' if key else ''} รายการไฟล์อยู่ใน {out_dir / MANIFEST}")
    return 0


PATHS = click.argument("paths", nargs=-1, required=True,
                       type=click.Path(exists=True, path_type=Path))
MASTER_OPTION = click.option("--master", "master_path", required=True, type=EXISTING_FILE,
                             help="ไฟล์ต้นแบบ (master workbook)")
JOBS_OPTION = click.option("--jobs", type=click.IntRange(1, 64), default=None,
                           help="จำนวนโปรเซสที่ใช้")


def harvested(paths: tuple[Path, ...], master: Master, round_months: int, key: bytes | None,
              jobs: int | None, exclude: list[Path],
              on_office: Callable[[OfficeOutcome], None] | None = None,
              recorder: Recorder | None = None) -> HarvestReport:
    """The harvest of ``paths`` against ``master``, with a progress bar."""
    with click.progressbar(length=1, label="กำลังอ่านแบบรายงาน", file=sys.stderr) as bar:
        def advance(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)
        return harvest(paths, master, round_months, key, jobs, advance, exclude=exclude,
                       on_office=on_office, recorder=recorder)


def preparing(summary: SummaryWriter, json_writer: JsonWriter | None,
              let_go: bool) -> Callable[[OfficeOutcome], None]:
    """What to do with each office as its return is checked: render its part of the summary
    and the JSON; then, when ``let_go``, let its coordinators' texts go (they are rendered,
    and recorded in the ledger: a national harvest does not hold them all)."""
    def prepare(office: OfficeOutcome) -> None:
        summary.prepare(office)
        if json_writer is not None:
            json_writer.prepare(office)
        if let_go:
            for kpi in office.kpis:
                kpi.texts = {}
    return prepare


@cli.command("harvest")
@PATHS
@MASTER_OPTION
@ROUND_OPTION
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="ไฟล์สรุปผล (.xlsx) ที่จะเขียน")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="เขียนผลเป็น JSON ด้วย")
@click.option("--review", "review_path", type=EXISTING_FILE, default=None,
              help="แบบตรวจประเมินที่คณะกรรมการกรอกแล้ว (จากคำสั่ง review-form)")
@click.option("--ledger", "ledger_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help=f"สมุดบันทึกผล (ledger) ค่าเริ่มต้น {DEFAULT_LEDGER} ข้างไฟล์สรุปผล")
@click.option("--no-ledger", is_flag=True, help="ไม่บันทึกผลลงสมุดบันทึกผล")
@KEY_OPTION
@JOBS_OPTION
def harvest_command(paths: tuple[Path, ...], master_path: Path, round_months: int,
                    out_path: Path, json_path: Path | None, review_path: Path | None,
                    ledger_path: Path | None, no_ledger: bool, key_file: Path | None,
                    jobs: int | None) -> int:
    """รวบรวมแบบรายงานที่หน่วยงานส่งกลับ ตรวจ คำนวณคะแนน และเขียนไฟล์สรุปผล"""
    from ..review.apply import harvest_review
    from ..summary.workbook import SummaryWriter

    if no_ledger and ledger_path is not None:
        raise click.UsageError("ใช้ --ledger คู่กับ --no-ledger ไม่ได้")
    key = load_signing_key(key_file)
    writable(out_path, json_path)
    ledger = None if no_ledger else ledger_path or default_ledger(out_path)
    if ledger is not None and any(p is not None and p.resolve() == ledger.resolve()
                                  for p in (out_path, json_path, review_path)):
        raise click.UsageError(f"สมุดบันทึกผล {ledger} ต้องไม่ใช่ไฟล์เดียวกับ --out --json หรือ --review")
    exclude = [p for p in (out_path, json_path, review_path) if p is not None]
    for kept in {default_ledger(out_path), *([ledger] if ledger else [])}:
        exclude += ledger_files(kept)     # an earlier default ledger too, when none is used
    with few_collections():
        master, read = harvest_master(master_path, ledger)
        if master is None:
            return NOTHING_DONE
        summary = SummaryWriter(out_path, master.settings.below_level1_score,
                                master.settings.places, review_path is not None)
        with contextlib.ExitStack() as stack:
            stack.push(lambda *_: summary.discard())   # nothing left when this ends early
            run = None if ledger is None else stack.enter_context(
                recording(ledger, master, round_months, key, keep_master=read))
            json_writer = JsonWriter(json_path, run) if json_path else None
            if json_writer is not None:
                stack.push(lambda *_: json_writer.discard())
            report = harvested(paths, master, round_months, key, jobs, exclude,
                               preparing(summary, json_writer, review_path is None), run)
            if review_path is not None:
                harvest_review(report, review_path, master)
            if run is not None:
                report.ledger = LedgerRun(str(ledger), run.record(report, out_path))
            write_outputs(report, summary, json_writer)
    echo_harvest(report)
    if report.ledger is not None and run is not None:
        echo_recorded(report.ledger, run.files_read, len(run.reused))
    click.echo(f"เขียนไฟล์สรุปผล {out_path} แล้ว" + (f" และ {json_path}" if json_path else ""))
    return report.exit_code


@cli.command("original")
@click.argument("ledger", type=EXISTING_FILE)
@click.argument("sha256")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="ไฟล์ที่จะเขียนต้นฉบับลงไป")
def original_command(ledger: Path, sha256: str, out_path: Path) -> int:
    """เขียนไฟล์ต้นฉบับที่เคยรวบรวมไว้ในสมุดบันทึกผล ตาม SHA-256 (ดูในชีต 'ที่มาข้อมูล' ของไฟล์สรุปผล)"""
    writable(out_path)
    try:
        full, size = original(ledger, sha256, out_path)
    except OSError as exc:
        raise OutputError(f"เขียนไฟล์ {out_path} ไม่ได้: {exc.strerror or exc}") from exc
    click.echo(f"เขียนต้นฉบับ SHA-256 {full} ({size:,} ไบต์) ลงใน {out_path} แล้ว")
    return 0


@cli.command("review-form")
@PATHS
@MASTER_OPTION
@ROUND_OPTION
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="แบบตรวจประเมิน (.xlsx) ที่จะเขียนให้คณะกรรมการ")
@KEY_OPTION
@click.option("--password", default=None, help="รหัสผ่านป้องกันชีต")
@JOBS_OPTION
def review_form_command(paths: tuple[Path, ...], master_path: Path, round_months: int,
                        out_path: Path, key_file: Path | None, password: str | None,
                        jobs: int | None) -> int:
    """รวบรวมแบบรายงานเหมือน harvest แล้วเขียนแบบตรวจประเมินให้คณะกรรมการกรอก"""
    from ..review.workbook import ReviewWriter

    key = load_signing_key(key_file)
    writable(out_path)
    with few_collections():
        master = valid_master(master_path)
        if master is None:
            return NOTHING_DONE
        report = harvested(paths, master, round_months, key, jobs, [out_path])
        rows = ReviewWriter(out_path).write(report, master, password)
    echo_harvest(report)
    click.echo(f"เขียนแบบตรวจประเมิน {out_path} แล้ว ({rows} แถว) ให้คณะกรรมการกรอกในชีต "
               "'ผลการตรวจประเมิน' แล้วรวบรวมด้วย harvest --review")
    return report.exit_code


def write_outputs(report: HarvestReport, summary: SummaryWriter,
                  json_writer: JsonWriter | None) -> None:
    """Write the summary and the JSON (at once), then put both in place; nothing is written
    when either cannot be saved.

    Raises:
        OutputError: when either cannot be saved, or the JSON cannot be put in place.
    """
    outputs: list[Output] = [summary] if json_writer is None else [summary, json_writer]
    placed = False
    try:
        summary.save(report)
        if json_writer is not None:
            json_writer.save(report)
        for output in outputs:
            output.commit()
            placed = True
    except OutputError as exc:
        for output in outputs:
            output.discard()
        if placed:       # only if the JSON could not replace an older one, after the summary
            raise OutputError(f"{exc}\nไฟล์สรุปผล {summary.path} เขียนแล้ว แต่ไฟล์ JSON "
                              "ยังไม่ได้เขียน") from exc
        raise
    except BaseException:
        for output in outputs:
            output.discard()
        raise


@cli.command("demo")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("out"), show_default=True, help="โฟลเดอร์ผลลัพธ์ของการสาธิต")
def demo_command(workdir: Path) -> int:
    """สาธิตทั้งวงจรด้วยไฟล์ต้นแบบและตัวอย่างที่ให้มา"""
    from .demo import run_demo

    return run_demo(workdir)



DEBUG_ENV = "WORKBOOK_ENGINE_DEBUG"


def main() -> None:
    """Entry point of the console script.

    An error the engine does not expect (a bug) ends the run with exit code 2 and a Thai
    message instead of a traceback; the traceback goes to a file named in the message, for the
    developers. Outputs are written atomically, so nothing half-written is left. With
    ``WORKBOOK_ENGINE_DEBUG=1`` the error is raised as it is.
    """
    try:
        cli(prog_name="workbook-engine")
    except Exception as exc:
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        sys.exit(_internal_error(exc))


def _internal_error(exc: Exception) -> int:
    """Tell the user, in Thai, that the program failed; keep the traceback in a file."""
    import tempfile
    import traceback

    where = ""
    try:
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", prefix="workbook-engine-error-",
                                         suffix=".txt", delete=False) as log:
            log.write("".join(traceback.format_exception(exc)))
        where = f" รายละเอียดสำหรับผู้พัฒนาอยู่ในไฟล์ {log.name}"
    except OSError:
        pass
    click.echo(f"โปรแกรมทำงานผิดพลาดโดยไม่คาดคิด ({type(exc).__name__}) จึงหยุดทำงาน"
               " (ไม่มีไฟล์ผลลัพธ์ที่เขียนค้างไว้ครึ่งทาง) กรุณาแจ้งผู้ดูแลระบบ"
               f" พร้อมคำสั่งที่ใช้และไฟล์นำเข้า{where}", err=True)
    return 2
