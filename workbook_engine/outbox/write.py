"""The outbox folder: one ``.eml`` file per letter, each written atomically, and an index of the
run (``forms.csv`` or ``feedback.csv``: every office written to, and every office that could not
be, with its problem).

A ``.eml`` that the previous run of the same command listed in its index and this run does not
write (an office accepted since, an address added) is removed, so that the folder holds the
messages of the last run only; nothing else in the folder is touched.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from email.headerregistry import Address
from pathlib import Path

from ..errors import OutputError
from ..problems import Problem
from ..xlsx.outputs import atomic
from .letter import Letter
from .mime import eml_bytes, mime_message

INDEX_COLUMNS = ("office", "kind", "to", "subject", "eml", "attachment", "attachment_sha256",
                 "key", "problem")


@dataclass(frozen=True)
class Written:
    """A letter written into the outbox, and its ``.eml`` file (whose bytes are what is
    sent)."""

    letter: Letter
    path: Path


def write_outbox(letters: list[Letter], problems: list[Problem], folder: Path, index: str,
                 sender: Address) -> list[Written]:
    """Write every letter as a ``.eml`` into ``folder`` (created if missing) and the index
    ``index`` (``forms.csv`` or ``feedback.csv``).

    Args:
        letters: the letters, in office order.
        problems: the problems of the offices not written to (listed in the index).
        folder: the outbox folder.
        index: the index's file name.
        sender: the ``From`` of every message.

    Raises:
        OutputError: when the folder or a file cannot be written.
    """
    moment = dt.datetime.now(dt.UTC).astimezone()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        before = _listed(folder / index)
        written = [_write(letter, folder, sender, moment) for letter in letters]
        _write_index(folder / index, written, problems)
        for name in before - {w.path.name for w in written}:
            (folder / name).unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(f"เขียนไฟล์ลงโฟลเดอร์ {folder} ไม่ได้: "
                          f"{getattr(exc, 'strerror', None) or exc}") from exc
    return written


def _write(letter: Letter, folder: Path, sender: Address, when: dt.datetime) -> Written:
    """One letter's ``.eml``, atomically."""
    path = folder / letter.eml
    with atomic(path) as temporary:
        temporary.write_bytes(eml_bytes(mime_message(letter, sender, when)))
    return Written(letter, path)


def _listed(index: Path) -> set[str]:
    """The ``.eml`` files a previous index lists (plain names in the folder only)."""
    try:
        with index.open(encoding="utf-8-sig", newline="") as handle:
            names = {row.get("eml") or "" for row in csv.DictReader(handle)}
    except (OSError, UnicodeDecodeError, csv.Error):
        return set()
    return {n for n in names if n.endswith(".eml") and n == Path(n).name and n[0] != "."}


def _write_index(path: Path, written: list[Written], problems: list[Problem]) -> None:
    """The run's index, atomically: one row per message, then one per problem."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(INDEX_COLUMNS)
    for w in written:
        letter, attached = w.letter, w.letter.attachment
        out.writerow([letter.office, letter.kind.value, ", ".join(letter.recipient.addresses),
                      letter.subject, w.path.name, attached.name if attached else "",
                      attached.sha256 if attached else "", letter.key, ""])
    for p in problems:
        out.writerow([p.office or "", "", "", "", "", "", "", "", f"{p.code}: {p.message}"])
    with atomic(path) as temporary:
        temporary.write_text(buffer.getvalue(), encoding="utf-8-sig")
