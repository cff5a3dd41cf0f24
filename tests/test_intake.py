"""Gathering the files to harvest (INTAKE.md 1-6): what is read, skipped and reported."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import pytest

from workbook_engine.harvesting import intake
from workbook_engine.harvesting.intake import collect
from workbook_engine.problems import Problem
from workbook_engine.xlsx import zips

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = (ROOT / "samples" / "2569-R12-B01.xlsx").read_bytes()


def codes(problems: list[Problem]) -> list[tuple[str, str | None]]:
    return [(p.code, Path(p.file).name if p.file else None) for p in problems]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    returns = tmp_path / "returns"
    (returns / "inner").mkdir(parents=True)
    (returns / "2569-R12-B01.xlsx").write_bytes(SAMPLE)
    (returns / "inner" / "2569-R12-B02.xlsx").write_bytes(SAMPLE + b"")
    (returns / "~$2569-R12-B01.xlsx").write_bytes(b"lock")
    (returns / ".~lock.2569-R12-B01.xlsx#").write_bytes(b"lock")
    return returns


def test_files_are_read_in_order_and_lock_files_skipped(folder: Path) -> None:
    candidates, problems = collect([folder])
    assert [Path(c.name).relative_to(folder).as_posix() for c in candidates] == \
        ["2569-R12-B01.xlsx", "inner/2569-R12-B02.xlsx"]
    assert all(c.size == len(SAMPLE) and c.modified is not None and c.member is None
               for c in candidates)
    assert sorted(codes(problems)) == [("FILE_LOCK_FILE_SKIPPED", ".~lock.2569-R12-B01.xlsx#"),
                                       ("FILE_LOCK_FILE_SKIPPED", "~$2569-R12-B01.xlsx")]


def test_the_harvests_own_outputs_are_passed_over_by_any_path(folder: Path) -> None:
    """The summary written into the folder being harvested is not read back, whichever way
    its path is spelled; an output not written yet excludes nothing."""
    (folder / "summary.xlsx").write_bytes(SAMPLE)
    spelled = folder / "inner" / ".." / "summary.xlsx"
    candidates, problems = collect([folder], exclude=[spelled, folder / "not-yet.json"])
    assert "summary.xlsx" not in {Path(c.name).name for c in candidates}
    assert len(candidates) == 2 and all(p.code == "FILE_LOCK_FILE_SKIPPED" for p in problems)


def test_unreadable_and_oversized_files_are_problems(folder: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    dangling = tmp_path / "2569-R12-B03.xlsx"
    dangling.symlink_to(tmp_path / "gone.xlsx")
    monkeypatch.setattr(intake, "MAX_FILE_BYTES", len(SAMPLE) - 1)
    candidates, problems = collect([dangling, folder / "2569-R12-B01.xlsx"])
    assert candidates == []
    assert codes(problems) == [("FILE_UNREADABLE", "2569-R12-B03.xlsx"),
                               ("FILE_TOO_LARGE", "2569-R12-B01.xlsx")]


def test_without_inode_numbers_outputs_are_told_by_their_path(folder: Path) -> None:
    """Some file systems (network and FAT volumes on Windows) give every file inode 0: the
    output is then known by its resolved path, and no other file is taken for it."""
    import os

    from workbook_engine.harvesting.intake import _identity, _Skipped

    (folder / "summary.xlsx").write_bytes(SAMPLE)
    skipped = _Skipped([folder / "inner" / ".." / "summary.xlsx"])

    def no_inode(path: Path) -> object:
        real = path.stat()
        return _identity(path, os.stat_result((real.st_mode, 0, real.st_dev, real.st_nlink,
                                               real.st_uid, real.st_gid, real.st_size, 0, 0, 0)))

    assert skipped.holds(no_inode(folder / "summary.xlsx"))
    assert not skipped.holds(no_inode(folder / "2569-R12-B01.xlsx"))


@pytest.mark.parametrize(("error", "words"), [
    (zipfile.BadZipFile("File is not a zip file"), "zip เสียหาย"),
    (zlib.error("Error -3 while decompressing data"), "บีบอัดไว้เสียหาย"),
    (EOFError(), "ตัดสั้น"), (KeyError("xl/workbook.xml"), "ไม่มีส่วน"),
    (LookupError("unknown encoding: UTF0"), "การเข้ารหัสอักขระที่ระบบไม่รู้จัก"),
    (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), "การเข้ารหัสอักขระ"),
    (NotImplementedError("That compression method is not supported"), "ไม่รองรับ"),
    (ValueError("A0"), "ไม่ถูกต้องตามรูปแบบ")])
def test_damage_is_said_in_thai_without_the_exception(error: Exception, words: str) -> None:
    reason = zips.damage_reason(error)
    assert words in reason
    assert type(error).__name__ not in reason and (not str(error) or str(error) not in reason)


def test_malformed_xml_is_said_with_its_line() -> None:
    from xml.etree.ElementTree import ParseError, fromstring

    with pytest.raises(ParseError) as caught:
        fromstring(b"<a>\n<b>\n</a>")
    assert zips.damage_reason(caught.value) == "XML ไม่สมบูรณ์ที่บรรทัด 3"


def test_without_msoffcrypto_harvest_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without msoffcrypto every encrypted workbook would pass for a legacy .xls: the checks
    refuse to load instead."""
    import importlib
    import sys

    monkeypatch.setitem(sys.modules, "msoffcrypto", None)
    for module in ("checked", "returns"):     # checked.py imports it, for returns and proposals
        monkeypatch.delitem(sys.modules, f"workbook_engine.harvesting.{module}", raising=False)
    with pytest.raises(ImportError):
        importlib.import_module("workbook_engine.harvesting.returns")
