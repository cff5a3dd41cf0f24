"""``generate``: one office workbook per office, in parallel, plus ``manifest.csv``."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import workbook_engine.workers as workers

from ..errors import OutputError
from ..master import format as mf
from ..model import Master
from ..xlsx.outputs import atomic
from . import layout as L
from .office_workbook import OfficeContext, write_office_workbook

MANIFEST = "manifest.csv"


@dataclass(frozen=True)
class GeneratedFile:
    """One written office workbook (a row of ``manifest.csv``)."""

    office: str
    file: str
    fingerprint: str
    sha256: str


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def generate_office(master: Master, office: str, round_months: int, out_dir: Path,
                    key: bytes | None = None, password: str | None = None) -> GeneratedFile:
    """Write one office's workbook into ``out_dir`` atomically (temporary name, then rename).

    Returns:
        The manifest row of the written file.
    """
    ctx = OfficeContext.build(master, office, round_months)
    name = L.file_name(master.settings.fiscal_year, round_months, office)
    target = out_dir / name
    with atomic(target) as temporary:
        write_office_workbook(ctx, temporary, key, password)
    return GeneratedFile(office, name, ctx.fingerprint, file_sha256(target))


def _generate_chunk(offices: list[str]) -> list[GeneratedFile]:
    master, round_months, out_dir, key, password = workers.shared()
    return [generate_office(master, o, round_months, out_dir, key, password) for o in offices]


def generate(master: Master, round_months: int, out_dir: str | Path,
             offices: Sequence[str] | None = None, key: bytes | None = None,
             password: str | None = None, jobs: int | None = None,
             progress: Callable[[int], None] | None = None) -> list[GeneratedFile]:
    """Write the workbooks of ``offices`` (default: all) and ``manifest.csv`` into ``out_dir``.

    Args:
        master: a valid master.
        round_months: 6, 9 or 12.
        out_dir: the output folder (created if missing).
        offices: office codes to generate, in master order when None.
        key: HMAC key to sign ``_meta`` with, or None.
        password: sheet-protection password, or None.
        jobs: worker processes (default: every core).
        progress: called with the number of offices finished so far.

    Returns:
        The manifest rows, in office order.

    Raises:
        ValueError: for an unknown office code or round.
        OutputError: when the folder cannot be written.
    """
    if round_months not in mf.ROUND_MONTHS:
        raise ValueError(f"round must be one of {mf.ROUND_MONTHS}, got {round_months}")
    return write_per_office(master, offices, Path(out_dir), _generate_chunk,
                            (master, round_months, Path(out_dir), key, password), jobs, progress)


def write_per_office(master: Master, offices: Sequence[str] | None, out: Path,
                     chunk: Callable[[list[str]], list[GeneratedFile]], shared: tuple[Any, ...],
                     jobs: int | None, progress: Callable[[int], None] | None
                     ) -> list[GeneratedFile]:
    """One workbook per office (default: all, in master order) written into ``out`` by
    ``chunk`` in worker processes (which see ``shared``), then ``manifest.csv``.

    Raises:
        ValueError: for an unknown office code.
        OutputError: when the folder cannot be written.
    """
    codes = list(offices) if offices else list(master.offices)
    unknown = [c for c in codes if c not in master.offices]
    if unknown:
        raise ValueError(f"unknown office codes: {', '.join(unknown)}")
    count, batches = workers.batches(codes, jobs)
    done: list[GeneratedFile] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for batch in workers.run(chunk, batches, shared, count):
            done.extend(batch)
            if progress:
                progress(len(done))
        write_manifest(out, done)
    except OSError as exc:
        raise OutputError(f"เขียนไฟล์ลงโฟลเดอร์ {out} ไม่ได้: {exc.strerror or exc}") from exc
    return done


MANIFEST_COLUMNS = ("office", "file", "fingerprint", "sha256")    # GeneratedFile's fields


def write_manifest(out: Path, rows: list[GeneratedFile]) -> None:
    """``manifest.csv`` of the written workbooks, atomically."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MANIFEST_COLUMNS)
    for row in rows:
        writer.writerow([getattr(row, column) for column in MANIFEST_COLUMNS])
    with atomic(out / MANIFEST) as temporary:
        temporary.write_text(buffer.getvalue(), encoding="utf-8")


def read_manifest(folder: Path) -> list[GeneratedFile]:
    """The rows of ``folder``'s ``manifest.csv``, as :func:`write_manifest` wrote them.

    Raises:
        OSError, UnicodeDecodeError, csv.Error: when it cannot be read.
        KeyError: when a column is missing.
    """
    with (folder / MANIFEST).open(encoding="utf-8", newline="") as handle:
        return [GeneratedFile(*(r[column] for column in MANIFEST_COLUMNS))
                for r in csv.DictReader(handle)]
