"""The negotiation round's commands: ``propose`` and ``collect-proposals`` (CONTRACT 6)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import NOTHING_DONE, PROBLEMS_FOUND, OutputError
from ..forms.generate import MANIFEST
from ..problems import error_count
from ..proposals import layout as P
from ..proposals.collect import collect_proposals
from ..proposals.propose import propose
from ..proposals.record import write_draft, write_json
from ..workers import few_collections
from .console import echo_problems, master_for_offices, progress, valid_master, writable

EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
JOBS = click.option("--jobs", type=click.IntRange(1, 64), default=None, help="จำนวนโปรเซสที่ใช้")


@click.command("propose")
@click.argument("master", type=EXISTING_FILE)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="โฟลเดอร์ที่จะเขียนแบบเสนอ")
@click.option("--office", "offices", multiple=True, help="รหัสหน่วยงาน (ใส่ซ้ำได้) ค่าเริ่มต้นทุกหน่วยงาน")
@click.option("--rows", "blank_rows", type=click.IntRange(0, P.MAX_BLANK_ROWS),
              default=P.DEFAULT_BLANK_ROWS, show_default=True,
              help="จำนวนแถวว่างสำหรับเสนอตัวชี้วัดใหม่")
@JOBS
def propose_command(master: Path, out_dir: Path, offices: tuple[str, ...], blank_rows: int,
                    jobs: int | None) -> int:
    """สร้างแบบเสนอตัวชี้วัดกลุ่มที่ 2 ของแต่ละหน่วยงาน (ก่อนการเจรจา)"""
    valid = master_for_offices(master, offices)
    if valid is None:
        return PROBLEMS_FOUND
    with progress(len(offices) or len(valid.offices), "กำลังสร้างแบบเสนอ") as advance:
        rows = propose(valid, out_dir, offices or None, blank_rows, jobs, advance)
    click.echo(f"สร้างแบบเสนอตัวชี้วัด {len(rows)} ไฟล์ใน {out_dir} แล้ว "
               f"รายการไฟล์อยู่ใน {out_dir / MANIFEST}")
    return 0


@click.command("collect-proposals")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--master", "master_path", required=True, type=EXISTING_FILE,
              help="ไฟล์ต้นแบบที่ใช้สร้างแบบเสนอ")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="ร่างไฟล์ต้นแบบ (.xlsx) ที่จะเขียน พร้อมบันทึกการเจรจา")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="เขียนผลเป็น JSON ด้วย")
@JOBS
def collect_proposals_command(paths: tuple[Path, ...], master_path: Path, out_path: Path,
                              json_path: Path | None, jobs: int | None) -> int:
    """รวบรวมแบบเสนอตัวชี้วัดที่หน่วยงานส่งกลับ ตรวจ และเขียนร่างไฟล์ต้นแบบสำหรับการเจรจา"""
    writable(out_path, json_path)
    with few_collections():
        master = valid_master(master_path)
        if master is None:
            return NOTHING_DONE
        with click.progressbar(length=1, label="กำลังอ่านแบบเสนอ", file=sys.stderr) as bar:
            def advance(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - bar.pos)
            negotiation = collect_proposals(paths, master, jobs, advance,
                                            exclude=[p for p in (out_path, json_path) if p])
        try:
            write_draft(negotiation, out_path)
            if json_path is not None:
                write_json(negotiation, out_path, json_path)
        except OSError as exc:
            raise OutputError(f"เขียนไฟล์ {out_path} ไม่ได้: {exc.strerror or exc}") from exc
    for line in negotiation.offices:
        detail = (f" เสนอใหม่ {len(line.new)} แก้ไข {len(line.changed)}"
                  if line.new or line.changed else "")
        click.echo(f"  {line.office:<8} {line.verdict}{detail}")
    echo_problems(negotiation.problems, limit=30)
    errors = error_count(negotiation.problems)
    click.echo(f"เขียนร่างไฟล์ต้นแบบ {out_path} แล้ว (ตัวชี้วัดเสนอใหม่/แก้ไข {len(negotiation.rows)} "
               f"รายการ ในชีต 'การเจรจา')" + (f" และ {json_path}" if json_path else "")
               + (f" พบข้อผิดพลาด {errors} รายการ" if errors else ""))
    return 0 if negotiation.all_valid else PROBLEMS_FOUND
