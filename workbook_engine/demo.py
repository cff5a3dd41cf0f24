"""``workbook-engine demo``: the whole cycle on the shipped master and samples.

check the master -> generate every office's workbook -> harvest ``samples/`` -> write the
summary workbook and the JSON result into the demo folder.
"""

from __future__ import annotations

from pathlib import Path

import click

from .generate import generate
from .harvest import harvest, write_json
from .master import read_master

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_MASTER = ROOT / "templates" / "master.xlsx"
SAMPLES = ROOT / "samples"
DEMO_ROUND = 12


def run_demo(workdir: Path, master_path: Path = SHIPPED_MASTER,
             samples: Path = SAMPLES) -> int:
    """Run the demo cycle; return 0 when every step ran (problems in samples are expected).

    Args:
        workdir: where the demo's outputs go (forms/, summary.xlsx, summary.json).
        master_path: the master workbook to use.
        samples: the returned workbooks to harvest.
    """
    from .cli import echo_harvest, report_master
    from .summary import write_summary

    click.echo(f"== 1. ตรวจไฟล์ต้นแบบ {master_path}")
    checked = read_master(master_path)
    report_master(checked)
    if checked.master is None:
        return 1
    forms = workdir / "forms"
    click.echo(f"\n== 2. สร้างแบบฟอร์มของทุกหน่วยงาน (รอบ {DEMO_ROUND} เดือน) ลงใน {forms}")
    rows = generate(checked.master, DEMO_ROUND, forms)
    click.echo(f"สร้างแล้ว {len(rows)} ไฟล์ และ {forms / 'manifest.csv'}")
    click.echo(f"\n== 3. รวบรวมแบบรายงานตัวอย่างที่หน่วยงานส่งกลับ จาก {samples}")
    report = harvest([samples], checked.master, DEMO_ROUND)
    summary, result = workdir / "summary.xlsx", workdir / "summary.json"
    write_summary(report, summary)
    write_json(report, result)
    echo_harvest(report)
    click.echo(f"\n== 4. ไฟล์สรุปผล: {summary}  (ผลแบบ JSON: {result})")
    return 0
