"""The command line: exit codes and Thai output (CONTRACT section 3)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbook_engine.cli.commands import cli

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


def test_the_console_script_ends_with_its_output_and_exit_code(tmp_path: Path) -> None:
    """Run as a script through a pipe: what it printed is all there, with the exit code of the
    command (1: summary written, an office missing)."""
    master, returns = _harvest_world(tmp_path, {"B01": FULL["B01"]})
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"),
                           *harvest_args(master, returns, tmp_path / "s.xlsx")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr
    assert done.stdout.rstrip().endswith(f"และ {tmp_path / 's.json'}")
    assert "ยังไม่ส่ง 1" in done.stdout
    assert (tmp_path / "s.xlsx").is_file() and (tmp_path / "s.json").is_file()


def run_main(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> object:
    """``workbook-engine args`` through the console script's entry point: its exit code."""
    from workbook_engine.cli import commands as cli_module

    monkeypatch.delenv(cli_module.DEBUG_ENV, raising=False)
    monkeypatch.setattr(sys, "argv", ["workbook-engine", *args])
    with pytest.raises(SystemExit) as ended:
        cli_module.main()
    return ended.value.code


def _harvest_world(tmp_path: Path, offices: dict[str, dict[str, object]],
                   texts: dict[str, dict[str, str]] | None = None) -> tuple[Path, Path]:
    """A master and a folder of filled returns for ``offices`` (code -> results; every
    office's texts ``texts``: KPI code -> {defined-name prefix -> text})."""
    from workbook_engine.devkit.testing import fill_return
    from workbook_engine.forms.generate import generate
    from workbook_engine.master.reader import load_master

    master = write_master(tmp_path / "master.xlsx")
    generate(load_master(master), 12, tmp_path / "gen", jobs=1)
    returns = tmp_path / "returns"
    returns.mkdir()
    for office, results in offices.items():
        name = f"2569-R12-{office}.xlsx"
        fill_return(tmp_path / "gen" / name, returns / name, results, texts)
    return master, returns


FULL = {"B01": {"2.1": 84, "2.2": 3.5, "3.1": 4}, "B02": {"2.1": 96.3, "3.1": 5}}


def harvest_args(master: Path, returns: Path, out: Path) -> list[str]:
    return ["harvest", str(returns), "--master", str(master), "--round", "12",
            "--out", str(out), "--json", str(out.with_suffix(".json")), "--jobs", "1"]


def test_harvest_exit_0_when_every_office_is_accepted(tmp_path: Path) -> None:
    master, returns = _harvest_world(tmp_path, FULL)
    result = CliRunner().invoke(cli, harvest_args(master, returns, tmp_path / "s.xlsx"))
    assert result.exit_code == 0, result.output
    assert "รับแล้ว 2" in result.output and (tmp_path / "s.xlsx").is_file()


def test_harvest_exit_1_with_a_missing_office_and_summary_written(tmp_path: Path) -> None:
    master, returns = _harvest_world(tmp_path, {"B01": FULL["B01"]})
    result = CliRunner().invoke(cli, harvest_args(master, returns, tmp_path / "s.xlsx"))
    assert result.exit_code == 1, result.output
    assert "ยังไม่ส่ง 1" in result.output and "OFFICE_MISSING" in result.output
    assert (tmp_path / "s.xlsx").is_file() and (tmp_path / "s.json").is_file()


def test_harvest_exit_2_on_invalid_master_writes_nothing(tmp_path: Path) -> None:
    _, returns = _harvest_world(tmp_path, FULL)
    broken = write_master(tmp_path / "broken.xlsx", **{"หน่วยงาน": None})
    result = CliRunner().invoke(cli, harvest_args(broken, returns, tmp_path / "s.xlsx"))
    assert result.exit_code == 2
    assert not (tmp_path / "s.xlsx").exists()
    assert "Traceback" not in result.output


def test_harvest_exit_2_when_summary_is_held_open(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows refuses to replace a file another program holds open: PermissionError."""
    master, returns = _harvest_world(tmp_path, FULL)
    out = tmp_path / "out"
    out.mkdir()
    previous = out / "s.xlsx"
    previous.write_bytes(b"previous summary")

    def held_open(_src: object, _dst: object) -> None:
        raise PermissionError(13, "The process cannot access the file")

    monkeypatch.setattr(os, "replace", held_open)
    result = CliRunner().invoke(cli, harvest_args(master, returns, previous))
    assert result.exit_code == 2, result.output
    assert "s.xlsx" in result.output and "Traceback" not in result.output
    assert previous.read_bytes() == b"previous summary"
    assert sorted(p.name for p in out.iterdir()) == ["s.xlsx"]


def test_harvest_exit_2_when_the_output_folder_is_missing(tmp_path: Path) -> None:
    master, returns = _harvest_world(tmp_path, FULL)
    result = CliRunner().invoke(cli, harvest_args(master, returns, tmp_path / "nope" / "s.xlsx"))
    assert result.exit_code == 2
    assert "เขียนไฟล์ลงโฟลเดอร์" in result.output
    assert not (tmp_path / "nope").exists()


def test_harvest_result_stays_on_one_screen_for_many_offices(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook_engine.cli import console as cli_module

    monkeypatch.setattr(cli_module, "SCREEN_OFFICES", 1)   # as if the master had hundreds
    master, returns = _harvest_world(tmp_path, {"B01": FULL["B01"]})
    result = CliRunner().invoke(cli, harvest_args(master, returns, tmp_path / "s.xlsx"))
    lines = result.output.splitlines()
    assert any(line.startswith("B02") for line in lines)      # not accepted: listed
    assert not any(line.startswith("B01") for line in lines)  # accepted: counted only
    assert "รับแล้ว 1" in result.output


def test_harvest_does_not_read_its_own_summary_back(tmp_path: Path) -> None:
    """The summary written into the returns folder is not a return on the next run."""
    master, returns = _harvest_world(tmp_path, FULL)
    args = harvest_args(master, returns, returns / "summary.xlsx")
    first = CliRunner().invoke(cli, args)
    second = CliRunner().invoke(cli, args)
    assert first.exit_code == second.exit_code == 0, second.output
    assert "RETURN_NOT_OURS" not in second.output


def test_an_unexpected_error_exits_2_in_thai_without_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A bug met during harvest ends with exit code 2 (nothing written) and a Thai message
    naming a file that keeps the traceback; exit code 1 would say a summary was written."""
    from workbook_engine.cli import commands as cli_module
    from workbook_engine.harvesting import run as harvest_module

    master, returns = _harvest_world(tmp_path, FULL)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(harvest_module, "choose", broken)
    assert run_main(monkeypatch, harvest_args(master, returns, tmp_path / "s.xlsx")) == 2
    err = capsys.readouterr().err
    assert "โปรแกรมทำงานผิดพลาดโดยไม่คาดคิด (RuntimeError)" in err and "Traceback" not in err
    log = Path(err.split("อยู่ในไฟล์ ")[1].split()[0])
    assert "RuntimeError: a bug" in log.read_text(encoding="utf-8")
    log.unlink()
    assert not (tmp_path / "s.xlsx").exists() and not (tmp_path / "s.json").exists()
    monkeypatch.setenv(cli_module.DEBUG_ENV, "1")
    with pytest.raises(RuntimeError):
        cli_module.main()


@pytest.mark.parametrize("failing", ["json", "summary bug"])
def test_harvest_exit_2_writes_nothing_when_an_output_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    """The summary and the JSON are put in place only once both are saved: a JSON that cannot
    be written leaves no summary either (exit 2 means nothing written), and a bug while the
    summary is written leaves no temporary JSON behind (a review found both)."""
    from workbook_engine.harvesting import run as harvest_module
    from workbook_engine.summary.workbook import _Summary

    master, returns = _harvest_world(tmp_path, FULL)
    out = tmp_path / "out"
    out.mkdir()
    if failing == "json":
        def disk_full(_report: object, _line: object) -> str:
            raise OSError(28, "No space left on device")
        monkeypatch.setattr(harvest_module, "json_pieces", disk_full)
    else:
        def bug(*_args: object) -> None:
            raise RuntimeError("a bug")
        monkeypatch.setattr(_Summary, "problems", bug)
    assert run_main(monkeypatch, harvest_args(master, returns, out / "s.xlsx")) == 2
    assert sorted(p.name for p in out.iterdir()) == []
    for log in Path(tempfile.gettempdir()).glob("workbook-engine-error-*.txt"):
        if "a bug" in log.read_text(encoding="utf-8"):
            log.unlink()


@pytest.mark.parametrize("chosen_first", [True, False])
def test_texts_let_go_once_rendered_are_in_the_outputs_of_the_return_chosen(
        tmp_path: Path, chosen_first: bool) -> None:
    """A harvest lets each return's coordinators' texts go once its summary rows and JSON line
    are rendered (a national harvest does not hold them). An office with two returns keeps
    the rendering of each, whichever arrived last, so the outputs of the one chosen have its
    texts, as a harvest that holds every text gives them."""
    import dataclasses

    import openpyxl

    from workbook_engine.cli.commands import preparing
    from workbook_engine.harvesting.run import JsonWriter, harvest, json_text
    from workbook_engine.master.reader import load_master
    from workbook_engine.summary.workbook import DETAILS, SummaryWriter

    master, returns = _harvest_world(tmp_path, FULL, {"2.1": {"NOTE": "ดำเนินการครบตามแผน"},
                                                      "3.1": {"NOTE": "อบรม 4 ครั้ง"}})
    report = harvest([returns], load_master(master), 12, jobs=1)
    chosen = report.offices[0]
    assert any(k.texts.get("note") for k in chosen.kpis)
    other = dataclasses.replace(chosen, file="other.xlsx", kpis=[
        dataclasses.replace(k, texts={"note": "ข้อความของไฟล์อื่น"}) for k in chosen.kpis])
    expected = json_text(report)
    notes = [k.texts.get("note") or None for k in chosen.kpis]
    summary = SummaryWriter(tmp_path / "s.xlsx", 1)
    json_writer = JsonWriter(tmp_path / "s.json")
    prepare = preparing(summary, json_writer, True)
    for office in ([chosen, other] if chosen_first else [other, chosen]) + report.offices[1:]:
        prepare(office)
    assert all(k.texts == {} for o in report.offices for k in o.kpis)     # let go
    summary.write(report)
    json_writer.save(report)
    json_writer.commit()
    assert (tmp_path / "s.json").read_text(encoding="utf-8") == expected
    rows = list(openpyxl.load_workbook(tmp_path / "s.xlsx")[DETAILS].iter_rows(values_only=True))
    column = rows[0].index("คำชี้แจงการปฏิบัติงาน/มาตรการที่ได้ดำเนินการ")
    assert [r[column] for r in rows[1:] if r[0] == chosen.office] == notes
