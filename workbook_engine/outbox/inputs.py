"""What the outbox reads: a forms folder (``generate``'s or ``propose``'s, by its
``manifest.csv``) and a harvest's JSON result (CONTRACT section 4). Neither is changed.

A folder or a JSON that cannot be used at all is an :class:`OutboxInputError` (exit code 2); a
single workbook that cannot be sent is a problem of its office.
"""

from __future__ import annotations

import csv
import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import WorkbookEngineError
from ..forms import layout as L
from ..forms.generate import MANIFEST, GeneratedFile, file_sha256, read_manifest
from ..harvesting.outcomes import Status
from ..model import Master
from ..problems import Code, Problem, Severity, problem
from ..proposals import layout as P
from .letter import Attachment, LetterKind, attachment_name

# in attachments' names
LABELS = {LetterKind.FORM: "แบบรายงานผล", LetterKind.PROPOSAL: "แบบเสนอตัวชี้วัด"}


class OutboxInputError(WorkbookEngineError, ValueError):
    """A forms folder or a harvest result the outbox cannot use; the message is Thai."""


@dataclass(frozen=True)
class FormsFolder:
    """A folder of office workbooks (one round's forms) or of proposal workbooks."""

    path: Path
    kind: LetterKind                 # FORM or PROPOSAL
    fiscal_year: int
    round_months: int | None   # None for proposals
    rows: tuple[GeneratedFile, ...]

    def row(self, office: str) -> GeneratedFile | None:
        """The office's workbook, if the folder has one."""
        return self._by_office.get(office)

    @functools.cached_property
    def _by_office(self) -> dict[str, GeneratedFile]:
        return {r.office: r for r in reversed(self.rows)}     # the first row of an office

    def attachment(self, row: GeneratedFile, master: Master) -> Attachment | Problem:
        """The workbook of ``row`` (an office of ``master``) to attach, or why it cannot be: it
        is not there, it was changed after it was made, or the master now scores the office
        otherwise."""
        path = self.path / row.file
        try:
            found = file_sha256(path)
        except OSError:
            return problem(Code.OUTBOX_FORM_MISSING, file=str(path), office=row.office)
        if found != row.sha256:
            return problem(Code.OUTBOX_FORM_CHANGED, file=str(path), office=row.office)
        if row.fingerprint != master.fingerprint(row.office, self.round_months):
            return problem(Code.OUTBOX_FORM_STALE, file=str(path), office=row.office)
        name = attachment_name(LABELS[self.kind], master.offices[row.office].name, row.file)
        return Attachment(name, str(path), found)


def read_forms_folder(path: Path, master: Master) -> FormsFolder:
    """The forms folder at ``path``: its kind, year and round from its workbooks' names (as
    ``generate`` and ``propose`` write them), which must all agree, and with the master's year.

    Raises:
        OutboxInputError: for a folder without a readable ``manifest.csv``, or whose workbooks
            are of several kinds, years or rounds, or of another year than the master's.
    """
    rows = _manifest(path)
    found = {_kind_of(row.file, path) for row in rows}
    if len(found) != 1:
        raise OutboxInputError(f"โฟลเดอร์ {path} มีแบบฟอร์มหลายชนิด หลายปี หรือหลายรอบปนกัน "
                               "ใช้โฟลเดอร์ที่สร้างด้วยคำสั่ง generate หรือ propose ครั้งเดียว")
    kind, year, round_months = found.pop()
    if year != master.settings.fiscal_year:
        raise OutboxInputError(f"แบบฟอร์มในโฟลเดอร์ {path} เป็นของปีงบประมาณ {year} แต่ไฟล์ต้นแบบ"
                               f"เป็นปี {master.settings.fiscal_year}")
    return FormsFolder(path, kind, year, round_months, tuple(rows))


def _manifest(path: Path) -> list[GeneratedFile]:
    """The rows of the folder's ``manifest.csv``."""
    try:
        rows = read_manifest(path)
    except (OSError, UnicodeDecodeError, KeyError, csv.Error) as exc:
        raise OutboxInputError(f"อ่าน {path / MANIFEST} ไม่ได้ ({_reason(exc)}) โฟลเดอร์แบบฟอร์มต้อง"
                               "สร้างด้วยคำสั่ง generate หรือ propose") from exc
    if not rows:
        raise OutboxInputError(f"{path / MANIFEST} ไม่มีรายการแบบฟอร์ม")
    return rows


def _kind_of(file: str, folder: Path) -> tuple[LetterKind, int, int | None]:
    """A workbook's kind, year and round from its name, exactly as the writers name it."""
    if (form := L.parse_file_name(file)) and L.file_name(*form) == file:
        return LetterKind.FORM, form[0], form[1]
    if (proposal := P.parse_file_name(file)) and P.file_name(*proposal) == file:
        return LetterKind.PROPOSAL, proposal[0], None
    raise OutboxInputError(f"ไฟล์ {file} ใน {folder / MANIFEST} ไม่ใช่ชื่อแบบรายงาน (เช่น "
                           "2569-R12-B01.xlsx) หรือแบบเสนอตัวชี้วัด (เช่น 2569-P-B01.xlsx)")


def _reason(exc: Exception) -> str:
    """A short reason for an input that cannot be read."""
    if isinstance(exc, KeyError):
        return f"ไม่มีคอลัมน์ {exc}"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


@dataclass(frozen=True)
class ResultOffice:
    """One office of a harvest result."""

    office: str
    name: str
    status: Status
    file: str | None


@dataclass(frozen=True)
class HarvestResult:
    """A harvest's JSON result, as far as the outbox needs it."""

    organisation: str
    fiscal_year: int
    round_months: int
    offices: tuple[ResultOffice, ...]
    problems: tuple[Problem, ...]


def read_harvest_result(path: Path) -> HarvestResult:
    """The JSON result of ``harvest --json`` at ``path``.

    Raises:
        OutboxInputError: when it cannot be read or is not such a result.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        offices = tuple(_office(o) for o in data["offices"])
        problems = tuple(_problem(p) for p in data["problems"])
        return HarvestResult(str(data["organisation"]), int(data["fiscal_year"]),
                             int(data["round"]), offices, problems)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise OutboxInputError(f"ไฟล์ {path} ไม่ใช่ผลการรวบรวมแบบ JSON ของคำสั่ง harvest --json "
                               f"({_reason(exc)})") from exc


def _office(data: dict[str, Any]) -> ResultOffice:
    return ResultOffice(str(data["office"]), str(data["name"]), Status(data["status"]),
                        data.get("file"))


def _problem(data: dict[str, Any]) -> Problem:
    return Problem(str(data["code"]), Severity(data["severity"]), data.get("file"),
                   data.get("office"), data.get("sheet"), data.get("cell"), str(data["message"]))
