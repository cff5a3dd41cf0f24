"""Damaged zips found by the fuzzer (``make fuzz``) end as FILE_CORRUPT, never as a crash."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from workbook_engine.intake import _candidate
from workbook_engine.master import load_master
from workbook_engine.model import Master
from workbook_engine.problems import Severity
from workbook_engine.report import Status
from workbook_engine.returns import _Check

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = (ROOT / "samples" / "2569-R12-B01.xlsx").read_bytes()
SHEET = "xl/worksheets/sheet4.xml"


@pytest.fixture(scope="module")
def master() -> Master:
    return load_master(ROOT / "templates" / "master.xlsx")


def rezip(replace: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(SAMPLE)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info)))
    return out.getvalue()


def unknown_encoding() -> bytes:
    with zipfile.ZipFile(io.BytesIO(SAMPLE)) as src:
        xml = src.read(SHEET)
    return rezip({SHEET: b'<?xml version="1.0" encoding="UTF0"?>' + xml})


def unsupported_zip_version() -> bytes:
    data = bytearray(SAMPLE)
    at = data.rindex(b"PK\x01\x02")       # the last central-directory entry
    data[at + 6:at + 8] = (99).to_bytes(2, "little")   # "version needed to extract" 9.9
    return bytes(data)


def broken_deflate_stream() -> bytes:
    with zipfile.ZipFile(io.BytesIO(SAMPLE)) as src:
        info = src.getinfo(SHEET)
    data = bytearray(SAMPLE)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 20, start + 60):
        data[i] ^= 0x5A
    return bytes(data)


@pytest.mark.parametrize("make", [unknown_encoding, unsupported_zip_version,
                                  broken_deflate_stream])
def test_damage_is_reported_not_raised(make: object, master: Master) -> None:
    data = make()  # type: ignore[operator]
    outcome = _Check(_candidate("damaged.xlsx", data, None), master, 12, None).run()
    assert outcome.status is Status.REJECTED
    [found] = [p for p in outcome.problems if p.is_error]
    assert found.code == "FILE_CORRUPT" and found.severity is Severity.ERROR
    assert "damaged.xlsx" in found.message
