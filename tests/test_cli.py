"""The command line: exit codes and Thai output (CONTRACT section 3)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from workbook_engine.cli import cli

from .inline import VALID_MASTER, write_master

ROOT = Path(__file__).resolve().parent.parent


def test_check_master_valid(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check-master", str(write_master(tmp_path / "m.xlsx"))])
    assert result.exit_code == 0, result.output
    assert "ถูกต้อง" in result.output and "หน่วยงาน 2 แห่ง" in result.output


def test_check_master_problems_exit_1(tmp_path: Path) -> None:
    broken = VALID_MASTER["เกณฑ์"].replace("| 60     | 70 ", "| 60     | 50 ")
    path = write_master(tmp_path / "m.xlsx", **{"เกณฑ์": broken})
    result = CliRunner().invoke(cli, ["check-master", str(path)])
    assert result.exit_code == 1
    assert "MASTER_CRITERIA_ORDER" in result.output and "เซลล์ D3" in result.output
    assert "Traceback" not in result.output


def test_check_master_usage_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check-master", str(tmp_path / "none.xlsx")])
    assert result.exit_code == 2


def test_cli_py_runs_the_same_cli() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--help"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert "check-master" in done.stdout
