"""The ``history`` command: every office's total and every KPI's score across rounds and
years, from the ledger, as a workbook (CONTRACT section 8)."""

from __future__ import annotations

from pathlib import Path

import click

from ..fiscal import FISCAL_YEARS
from .console import writable


@click.command("history")
@click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="ไฟล์ประวัติผล (.xlsx) ที่จะเขียน")
@click.option("--fiscal-year", type=click.IntRange(FISCAL_YEARS[0], FISCAL_YEARS[-1]), default=None,
              help="แสดงเฉพาะปีงบประมาณนี้ (พ.ศ.) และปีก่อนหน้า ค่าเริ่มต้นทุกปี")
def history_command(ledger: Path, out_path: Path, fiscal_year: int | None) -> int:
    """เขียนไฟล์ประวัติผลจากสมุดบันทึกผล (ledger): คะแนนรวมของทุกหน่วยงานและคะแนนทุกตัวชี้วัด
    ทุกรอบทุกปี หน่วยงานที่ดีขึ้นหรือลดลง และแผนภูมิแนวโน้ม"""
    from ..history import history, write_history  # pandas: loaded for this command only
    from ..history.workbook import period_thai

    writable(out_path)
    found = history(ledger, fiscal_year)
    write_history(found, out_path)
    shown = [period_thai(y, r) for y, r in zip(found.periods["fiscal_year"],
                                               found.periods["round"], strict=True)]
    click.echo(f"เขียนไฟล์ประวัติผล {out_path} แล้ว: {len(found.totals)} หน่วยงาน "
               f"{len(shown)} รอบ ({shown[0]} ถึง {shown[-1]})")
    return 0
