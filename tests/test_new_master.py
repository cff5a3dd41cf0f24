"""new-master: an empty master with every sheet and header, dropdowns on a hidden sheet."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from workbook_engine.cli.commands import cli
from workbook_engine.master import format as mf
from workbook_engine.master.new import LISTS_SHEET, write_new_master
from workbook_engine.master.reader import read_master


def test_every_sheet_and_header(tmp_path: Path) -> None:
    write_new_master(tmp_path / "m.xlsx", 2570)
    wb = load_workbook(tmp_path / "m.xlsx")
    for sheet, headers in mf.ALL_COLUMNS.items():
        assert [c.value for c in wb[sheet][1]][:len(headers)] == list(headers)
    assert wb[mf.SETTINGS_SHEET]["B2"].value == 2570
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    codes = {p.code for p in read_master(tmp_path / "m.xlsx").problems}
    assert not codes & {"MASTER_SHEET_MISSING", "MASTER_COLUMN_MISSING", "MASTER_UNREADABLE"}


def test_dropdowns_reference_the_hidden_sheet(tmp_path: Path) -> None:
    write_new_master(tmp_path / "m.xlsx")
    ws = load_workbook(tmp_path / "m.xlsx")[mf.KPIS_SHEET]
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation
             if dv.type == "list"}
    assert lists == {"C2": f"'{LISTS_SHEET}'!$C$1:$C$3", "E2": f"'{LISTS_SHEET}'!$A$1:$A$4",
                     "F2": f"'{LISTS_SHEET}'!$B$1:$B$2"}


def test_filled_in_new_master_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "m.xlsx"
    write_new_master(path, 2569)
    wb = load_workbook(path)
    for row, value in ((1, "กรมทดสอบ"), (3, "นายทดสอบ"), (4, "อธิบดี")):
        wb[mf.SETTINGS_SHEET].cell(row, 2, value)
    wb[mf.OFFICES_SHEET].append(["B01", "กองหนึ่ง", "นายหนึ่ง", "ผู้อำนวยการ", "", ""])
    wb[mf.KPIS_SHEET].append(["2.1", "ร้อยละ", 2, "ร้อยละ", mf.KIND_QUANTITATIVE,
                              mf.DIRECTION_HIGHER, None, None])
    wb[mf.ASSIGNMENTS_SHEET].append(["B01", "2.1", 100, 1, 2, 3, 4, 5])
    wb.save(path)
    assert read_master(path).valid


def test_cli_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "m.xlsx"
    assert CliRunner().invoke(cli, ["new-master", str(path)]).exit_code == 0
    assert CliRunner().invoke(cli, ["new-master", str(path)]).exit_code == 2
    assert CliRunner().invoke(cli, ["new-master", str(path), "--force"]).exit_code == 0
