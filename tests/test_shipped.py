"""What ships in the repository: the sample master, the sample returns and the demo."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from workbook_engine.cli.commands import cli
from workbook_engine.harvesting.outcomes import Status
from workbook_engine.harvesting.run import harvest
from workbook_engine.kinds import INHERITED, MILESTONE, QUANTITATIVE
from workbook_engine.master.format import Direction
from workbook_engine.master.reader import read_master

ROOT = Path(__file__).resolve().parent.parent
MASTER = ROOT / "templates" / "master.xlsx"


def test_shipped_master_is_valid_realistic_and_uses_every_kind() -> None:
    checked = read_master(MASTER)
    assert checked.master is not None, [p.message for p in checked.problems]
    master = checked.master
    assert len(master.offices) >= 12
    assert len(master.kpis) >= 40
    assert any("พัฒนาระบบบริหาร" in office.name for office in master.offices.values())
    kinds = {(k.kind, k.direction) for k in master.kpis.values()}
    assert kinds >= {(QUANTITATIVE, Direction.HIGHER), (QUANTITATIVE, Direction.LOWER),
                     (MILESTONE, None), (INHERITED, None)}
    assert {k.group for k in master.kpis.values()} == {1, 2, 3}
    assert all(k.org_kpi for k in master.kpis.values() if k.group > 1)


def test_samples_cover_the_promised_cases() -> None:
    master = read_master(MASTER).master
    assert master is not None
    report = harvest(sorted((ROOT / "samples").glob("*.xlsx")), master, 12, jobs=1)
    statuses = {o.office: o.status for o in report.offices}
    assert list(statuses.values()).count(Status.ACCEPTED) >= 9
    assert Status.INCOMPLETE in statuses.values() and Status.MISSING in statuses.values()
    assert not any(o.status is Status.REJECTED for o in report.offices)
    codes = {p.code for p in report.problems}
    assert {"RESULT_MISSING", "RESULT_NOT_NUMBER", "RESULT_NUMBER_AS_TEXT"} <= codes


def test_demo_runs_the_whole_cycle(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["demo", "--workdir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert not list(tmp_path.glob("ledger.sqlite-*")), "SQLite's -wal and -shm are gone"
    assert "Traceback" not in result.output
    forms = sorted(p.name for p in (tmp_path / "forms").glob("*.xlsx"))
    assert len(forms) == 13 and forms[0] == "2569-R12-B01.xlsx"
    summary = load_workbook(tmp_path / "summary.xlsx", read_only=True)
    assert summary.sheetnames[0] == "ภาพรวม"
    overview = {row[0]: row[1] for row in summary["ภาพรวม"].iter_rows(values_only=True) if row}
    assert overview["SHA-256 ของไฟล์ต้นแบบ"] == hashlib.sha256(MASTER.read_bytes()).hexdigest()
    data = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert len(data["offices"]) == 13
    assert "รับแล้ว" in result.output
    # the committee's review shipped in samples/review/ still belongs to the sample returns:
    # its one deduction is applied (a stale review would apply nothing)
    reviewed = json.loads((tmp_path / "summary-review.json").read_text(encoding="utf-8"))
    b01 = next(o for o in reviewed["offices"] if o["office"] == "B01")
    kpi = next(k for k in b01["kpis"] if k["kpi"] == "1.2")
    assert (kpi["score"], kpi["verified_score"], kpi["verified_weighted_score"]) == (5, 4.8, 0.72)
    assert b01["verified_total_score"] == round(b01["total_score"] - 0.75 + 0.72, 4)
    assert not [p for p in reviewed["problems"] if p["code"].startswith("REVIEW_")]
    assert (tmp_path / "2569-R12-review.xlsx").is_file()
    # the ledger keeps every run; the second harvest of the returns reads none of them again,
    # and the history covers both years and three rounds
    con = sqlite3.connect(f"file:{tmp_path / 'ledger.sqlite'}?mode=ro", uri=True)
    runs = con.execute("SELECT fiscal_year, round, files_read, files_reused, review_file "
                       "IS NOT NULL FROM runs ORDER BY run").fetchall()
    con.close()
    assert runs == [(2569, 12, 12, 0, 0), (2569, 12, 0, 12, 1), (2568, 12, 13, 0, 0),
                    (2569, 6, 12, 0, 0)]
    history = load_workbook(tmp_path / "history.xlsx", read_only=True)
    rows = list(history["คะแนนรวมรายรอบ"].iter_rows(max_row=2, values_only=True))
    assert rows[0][2:5] == ("ปี 2568 รอบ 12 เดือน", "ปี 2569 รอบ 6 เดือน", "ปี 2569 รอบ 12 เดือน")
    # B01 at 12 months of 2569: the committee's total (the last run of that round)
    assert rows[1][:2] == ("B01", "สำนักงานเลขานุการกรม")
    assert rows[1][4] == b01["verified_total_score"]
