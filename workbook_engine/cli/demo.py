"""``workbook-engine demo``: the whole cycle on the shipped master and samples.

check the master -> generate every office's workbook for the samples' round (and for the half
year, whose weights and criteria differ) -> harvest ``samples/`` -> write the summary workbook
and the JSON result into the demo folder.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import click

from ..forms.generate import generate
from ..harvesting.run import harvest, write_json
from ..master.reader import read_master
from ..model import Master
from .console import echo_harvest, report_master

DEMO_ROUND = 12
HALF_YEAR = 6


def shipped(name: str) -> Path:
    """A file or folder shipped with the engine (``templates/master.xlsx``, ``samples``):
    the installed package's copy (``workbook_engine/data``, put there when the wheel is
    built), else the source checkout's."""
    packaged = resources.files("workbook_engine") / "data" / name
    if packaged.is_file() or packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / name


SHIPPED_MASTER = shipped("templates/master.xlsx")
SAMPLES = shipped("samples")


def run_demo(workdir: Path, master_path: Path = SHIPPED_MASTER,
             samples: Path = SAMPLES) -> int:
    """Run the demo cycle; return 0 when every step ran (problems in samples are expected).

    Args:
        workdir: where the demo's outputs go (forms/, summary.xlsx, summary.json).
        master_path: the master workbook to use.
        samples: the returned workbooks to harvest.
    """
    from ..summary.workbook import write_summary

    click.echo(f"== 1. ตรวจไฟล์ต้นแบบ {master_path}")
    checked = read_master(master_path)
    report_master(checked)
    if checked.master is None:
        return 1
    forms = workdir / "forms"
    click.echo(f"\n== 2. สร้างแบบฟอร์มของทุกหน่วยงาน (รอบ {DEMO_ROUND} เดือน) ลงใน {forms}")
    rows = generate(checked.master, DEMO_ROUND, forms)
    click.echo(f"สร้างแล้ว {len(rows)} ไฟล์ และ {forms / 'manifest.csv'}")
    half = workdir / f"forms-R{HALF_YEAR}"
    rows = generate(checked.master, HALF_YEAR, half)
    click.echo(f"และแบบฟอร์มรอบ {HALF_YEAR} เดือน {len(rows)} ไฟล์ ลงใน {half} "
               f"({_round_rows(checked.master, HALF_YEAR)})")
    click.echo(f"\n== 3. รวบรวมแบบรายงานตัวอย่างที่หน่วยงานส่งกลับ จาก {samples}")
    report = harvest([samples], checked.master, DEMO_ROUND)
    summary, result = workdir / "summary.xlsx", workdir / "summary.json"
    write_summary(report, summary)
    write_json(report, result)
    echo_harvest(report)
    click.echo(f"\n== 4. ไฟล์สรุปผล: {summary}  (ผลแบบ JSON: {result})")
    return 0


def _round_rows(master: Master, round_months: int) -> str:
    """What the master's per-round rows change in ``round_months``, in Thai."""
    rows = [o for o in master.overrides.values() if o.round_months == round_months]
    skipped = sorted({o.kpi for o in rows if o.weight == 0})
    changed = sorted({o.kpi for o in rows if o.weight != 0})
    parts = [f"ตัวชี้วัด {', '.join(changed)} ใช้น้ำหนักและเกณฑ์ของรอบนี้"] if changed else []
    if skipped:
        parts.append(f"ตัวชี้วัด {', '.join(skipped)} ไม่ประเมินในรอบนี้")
    return "; ".join(parts) or "น้ำหนักและเกณฑ์เหมือนทั้งปี"
