"""``workbook-engine demo``: the whole cycle on the shipped master and samples."""

from __future__ import annotations

from pathlib import Path

import click

from .master import read_master

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_MASTER = ROOT / "templates" / "master.xlsx"


def run_demo(workdir: Path, master_path: Path = SHIPPED_MASTER) -> int:
    """Run the demo cycle and return the exit code.

    Args:
        workdir: where the demo's outputs go.
        master_path: the master workbook to use.
    """
    from .cli import report_master

    click.echo(f"== 1. ตรวจไฟล์ต้นแบบ {master_path}")
    report = read_master(master_path)
    report_master(report)
    if report.master is None:
        return 1
    workdir.mkdir(parents=True, exist_ok=True)
    return 0
