"""Whom an e-mail goes to: each office's coordinator and address, from the master's ``หน่วยงาน``.

An office without a usable address is a :class:`~workbook_engine.problems.Problem` located at
its ``อีเมล`` cell, never skipped in silence.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from ..master import format as mf
from ..model import Master, Office
from ..problems import Code, Problem, problem
from ..values import clean_text
from ..xlsx.cells import column_letter
from ..xlsx.reader import NotAWorkbook, XlsxReader
from ..xlsx.zips import MASTER_CAPS

# an ASCII address (the outbox asks no SMTPUTF8 of a server): dot-atom local part and host name
ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                     r"@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*"
                     r"[A-Za-z0-9])?)+")
_SEPARATORS = re.compile(r"[,;\s]+")


@dataclass(frozen=True)
class Recipient:
    """An office as an e-mail addresses it: its coordinator and one or more addresses."""

    office: Office
    addresses: tuple[str, ...]

    @property
    def greeting(self) -> str:
        """``เรียน นางสี่ ผู้ประสานงานตัวชี้วัด กองคลัง``."""
        who = f"{self.office.coordinator} " if self.office.coordinator else ""
        return f"เรียน {who}ผู้ประสานงานตัวชี้วัด {self.office.name}"


def addresses(text: str) -> tuple[str, ...] | None:
    """The addresses in an ``อีเมล`` cell (separated by commas, semicolons or spaces); None
    when any is not a usable address, () when there is none."""
    found = tuple(a for a in _SEPARATORS.split(text.strip()) if a)
    return found if all(ADDRESS.fullmatch(a) for a in found) else None


class Recipients:
    """The offices of one master as recipients, with the problems of those that have none."""

    def __init__(self, master: Master) -> None:
        self.master = master

    def of(self, code: str) -> Recipient | Problem:
        """Office ``code``'s recipient, or the problem that stops an e-mail to it."""
        office = self.master.offices.get(code)
        if office is None:
            return problem(Code.OUTBOX_OFFICE_UNKNOWN, file=self._master_name, office=code)
        found = addresses(office.email)
        if found:
            return Recipient(office, found)
        kind = Code.OUTBOX_NO_EMAIL if found == () else Code.OUTBOX_EMAIL_INVALID
        return problem(kind, file=self._master_name, office=code, sheet=mf.OFFICES_SHEET,
                       cell=self._email_cells.get(code), value=office.email)

    @property
    def _master_name(self) -> str | None:
        return Path(self.master.source).name if self.master.source else None

    @functools.cached_property
    def _email_cells(self) -> dict[str, str]:
        """Each office's ``อีเมล`` cell in the master it was read from (read again, once, only
        when an office has no usable address); empty when that file cannot be read now."""
        if not self.master.source:
            return {}
        try:
            data = Path(self.master.source).read_bytes()
            return email_cells(XlsxReader(data, Path(self.master.source).name, MASTER_CAPS))
        except (OSError, NotAWorkbook):
            return {}


def email_cells(reader: XlsxReader) -> dict[str, str]:
    """Office code -> the cell of its ``อีเมล`` in the sheet ``หน่วยงาน`` (headers in row 1,
    found as the master reader finds them)."""
    sheet = next((s for s in reader.sheets if s.name == mf.OFFICES_SHEET), None)
    if sheet is None:
        return {}
    rows = reader.read_rows(sheet, 64)
    header = [clean_text(v) for v in rows[0]] if rows else []
    if mf.COL_OFFICE not in header or mf.COL_EMAIL not in header:
        return {}
    code_at, email_at = header.index(mf.COL_OFFICE), header.index(mf.COL_EMAIL)
    letter = column_letter(email_at + 1)
    cells: dict[str, str] = {}
    for number, row in enumerate(rows[1:], start=2):
        code = clean_text(row[code_at]) if code_at < len(row) else ""
        if code and code not in cells:
            cells[code] = f"{letter}{number}"
    return cells


