"""What the command line prints: problems, a master's description and a harvest's one-screen
result, in Thai, laid out by what shows on a terminal (Thai marks above or below the line take
no room); and the checks before a command's work (a valid master, writable outputs)."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from ..errors import OutputError
from ..harvesting.outcomes import STATUS_THAI, HarvestReport, LedgerRun, Status
from ..kinds import KINDS
from ..ledger.store import kept_master
from ..master.reader import MasterReport, read_master
from ..model import Master
from ..problems import Code, Problem, Severity, error_count
from ..values import visible_width


def echo_problems(problems: list[Problem], limit: int | None = None) -> None:
    """Print problems one a line, errors first, each with its code."""
    # Errors first; within each, problems about files before the list of offices still missing
    # (the office table shows those already), so a duplicate or a tampered file is never hidden.
    ordered = sorted(problems, key=lambda p: (p.severity is not Severity.ERROR,
                                              p.code == Code.OFFICE_MISSING.name))
    shown = ordered if limit is None else ordered[:limit]
    for p in shown:
        mark = "ผิดพลาด" if p.is_error else "คำเตือน"
        click.echo(f"  [{mark}] {p.code}: {p.message}")
    if len(shown) < len(ordered):
        click.echo(f"  ... และอีก {len(ordered) - len(shown)} รายการ")


def describe_master(master: Master) -> str:
    """A short Thai description of a valid master."""
    s = master.settings
    kinds = Counter(master.kpis[a.kpi].kind for a in master.assignments)
    groups = Counter(k.group for k in master.kpis.values())
    lines = [
        f"ส่วนราชการ: {s.organisation}  ปีงบประมาณ {s.fiscal_year}",
        f"ผู้รับคำรับรอง: {s.receiver} ({s.receiver_position})",
        f"หน่วยงาน {len(master.offices)} แห่ง, ตัวชี้วัด {len(master.kpis)} ตัว "
        f"(กลุ่ม 1: {groups[1]}, กลุ่ม 2: {groups[2]}, กลุ่ม 3: {groups[3]}), "
        f"การมอบหมาย {len(master.assignments)} รายการ",
        "  " + ", ".join(f"{kind.label} {kinds[kind]}" for kind in KINDS),
        f"คะแนนเมื่อต่ำกว่าระดับ 1: {s.below_level1_score}, ทศนิยม {s.places} ตำแหน่ง",
    ]
    if master.overrides:
        lines.append(f"น้ำหนักและเกณฑ์รายรอบ {len(master.overrides)} รายการ")
    return "\n".join(lines)


def report_master(report: MasterReport) -> None:
    """Print the outcome of a master check in Thai."""
    errors = error_count(report.problems)
    warnings = len(report.problems) - errors
    if report.master is not None:
        click.echo(f"ไฟล์ต้นแบบ {report.path.name} ถูกต้อง")
        click.echo(describe_master(report.master))
    else:
        click.echo(f"ไฟล์ต้นแบบ {report.path.name} มีข้อผิดพลาด {errors} รายการ"
                   f" และคำเตือน {warnings} รายการ:")
    if report.master is not None and warnings:
        click.echo(f"คำเตือน {warnings} รายการ:")
    echo_problems(report.problems)


def _row(code: str, status: str, totals: tuple[str, ...], name: str) -> str:
    """One line of the office table, padded by what shows on screen (Thai marks take none)."""
    def pad(text: str, width: int, right: bool = False) -> str:
        space = " " * max(0, width - visible_width(text))
        return space + text if right else text + space
    figures = "".join(pad(total, 10, right=True) for total in totals)
    return f"{pad(code, 8)}{pad(status, 12)}{figures}  {name}"


SCREEN_OFFICES = 30     # list every office up to this many; past it, only those not accepted


def echo_harvest(report: HarvestReport, top: int = 10) -> None:
    """The one-screen Thai result of a harvest: counts, offices, the most frequent problems."""
    click.echo(f"ผลการรวบรวม {report.organisation} ปีงบประมาณ {report.fiscal_year} "
               f"รอบ {report.round_months} เดือน")
    counts = ", ".join(f"{STATUS_THAI[s]} {report.count(s)}" for s in Status)
    click.echo(f"หน่วยงานทั้งหมด {len(report.offices)}: {counts}")
    average = report.average_score
    if average is not None:
        click.echo(f"คะแนนเฉลี่ยของหน่วยงานที่รับแล้ว: {average:.{report.places}f}"
                   + (" (ใช้คะแนนรวมหลังตรวจเมื่อมี)" if report.review and report.review.applied
                      else ""))
    shown = report.offices
    if len(shown) > SCREEN_OFFICES:
        shown = [o for o in report.offices if o.status is not Status.ACCEPTED][:SCREEN_OFFICES]
        click.echo(f"หน่วยงานที่ยังไม่ได้รับ (แสดง {len(shown)} แห่งแรก; "
                   "ทุกหน่วยงานอยู่ในไฟล์สรุปผล ชีต 'คะแนนรายหน่วยงาน'):")
    reviewed = report.review is not None and report.review.applied
    if shown:
        click.echo(_row("รหัส", "สถานะ", ("คะแนนรวม", "หลังตรวจ")[:1 + reviewed],
                        "ชื่อหน่วยงาน"))
    for office in shown:
        totals = (office.total_score, office.verified_total)[:1 + reviewed]
        click.echo(_row(office.office, STATUS_THAI[office.status],
                        tuple("-" if t is None else f"{t:.{report.places}f}" for t in totals),
                        office.name))
    if report.review is not None:
        click.echo(_review_line(report))
    errors = error_count(report.problems)
    click.echo(f"ปัญหาที่พบ: ผิดพลาด {errors} รายการ, "
               f"คำเตือน {len(report.problems) - errors} รายการ")
    frequent = Counter(p.code for p in report.problems).most_common(5)
    if len(report.problems) > top and frequent:
        click.echo("พบบ่อยที่สุด: " + ", ".join(f"{code} {n}" for code, n in frequent))
    echo_problems(report.problems, limit=top)


def echo_recorded(ledger: LedgerRun, read: int, reused: int) -> None:
    """Say where the run was recorded, and how many files it read or took from the ledger."""
    click.echo(f"บันทึกลงสมุดบันทึกผล {ledger.file} แล้ว (ครั้งที่ {ledger.run}: อ่านไฟล์ใหม่ {read} ไฟล์ "
               f"ใช้ผลที่บันทึกไว้ {reused} ไฟล์)")


def _review_line(report: HarvestReport) -> str:
    """What the committee's review did, in a line."""
    review = report.review
    assert review is not None
    if not review.applied:
        return f"ไม่ได้ใช้แบบตรวจประเมิน {review.file} (ดูปัญหาด้านล่าง)"
    return (f"ใช้แบบตรวจประเมิน {review.file}: ตรวจแล้ว {review.offices} หน่วยงาน "
            f"คณะกรรมการให้ผลหรือคะแนน {review.entries} รายการ")


def writable(*targets: Path | None) -> None:
    """Refuse, before any work, outputs whose folder is missing or not writable.

    Raises:
        OutputError: for the first such folder.
    """
    for target in filter(None, targets):
        folder = target.parent.resolve()
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            raise OutputError(f"เขียนไฟล์ลงโฟลเดอร์ {folder} ไม่ได้ (ไม่มีโฟลเดอร์หรือไม่มีสิทธิ์เขียน)")


def valid_master(path: Path) -> Master | None:
    """The master at ``path``, kept out of the collector's scans for the run; None (its
    problems printed) when it is invalid."""
    checked = read_master(path)
    if checked.master is None:
        report_master(checked)
        return None
    gc.freeze()         # the master lives to the end: out of the collector's scans
    return checked.master


def harvest_master(path: Path, ledger: Path | None) -> tuple[Master | None, bool]:
    """The master at ``path`` as ``ledger`` keeps it, when a harvest into it read these very
    bytes before, else as :func:`valid_master` reads it; and whether it was read from its file
    (so that the ledger keeps it)."""
    master = None if ledger is None else kept_master(ledger, path)
    if master is None:
        return valid_master(path), True
    gc.freeze()
    return master, False


def master_for_offices(path: Path, offices: tuple[str, ...]) -> Master | None:
    """The valid master at ``path`` (None, its problems printed, when it has errors).

    Raises:
        click.UsageError: when an office asked for is not in it.
    """
    report = read_master(path)
    if report.master is None:
        report_master(report)
        return None
    unknown = [o for o in offices if o not in report.master.offices]
    if unknown:
        raise click.UsageError(f"ไม่พบรหัสหน่วยงาน {', '.join(unknown)} ในไฟล์ต้นแบบ")
    return report.master


@contextlib.contextmanager
def progress(length: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr; yields the function to call with the count done so far."""
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield lambda done: bar.update(done - bar.pos)
