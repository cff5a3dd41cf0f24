"""Checking one untrusted file up to its hidden identity (INTAKE.md 1-8): the container, the
workbook, the ``_meta`` sheet. Returns and proposals are both checked from here on.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Generic, TypeVar

import msoffcrypto  # a dependency: without it every encrypted workbook would pass for .xls

from ..problems import Code, Problem, problem
from ..values import clean_text, to_decimal
from ..xlsx.reader import Cell, NotAWorkbook, SheetCells, XlsxReader
from ..xlsx.zips import DAMAGE, PartTooLarge, damage_reason
from .intake import MAX_FILE_BYTES, Archives, Candidate, Loaded, Sniffed, load, sniff

META_ROWS = 100
MAX_SAME_PROBLEMS = 50     # problems of one code listed one by one in a file; the rest counted


class Rejected(Exception):
    """Stop checking this file: it cannot be accepted."""


@dataclass
class FileOutcome:
    """What a check finds out about a file, whatever the file is meant to be."""

    file: str
    sha256: str
    size: int
    modified: dt.datetime | None
    saved: dt.datetime | None = None
    office: str | None = None
    problems: list[Problem] = field(default_factory=list)
    unforeseen: bool = False      # a failure no check foresaw: reading it again may differ

    @property
    def saved_or_modified(self) -> dt.datetime | None:
        """The workbook's own saved time, else the file's modification time."""
        return self.saved or self.modified


Out = TypeVar("Out", bound=FileOutcome)


class FileCheck(ABC, Generic[Out]):
    """Checks one untrusted file as far as its ``_meta``: the container (INTAKE.md 1-8), the
    workbook and its hidden identity; problems accumulate on ``out``. Subclasses check what
    the file is meant to be (:meth:`run`)."""

    def __init__(self, candidate: Candidate, archives: Archives, out: Out) -> None:
        self.c = candidate
        self.archives = archives
        self.out = out
        self.counts: Counter[Code] = Counter()

    @abstractmethod
    def run(self) -> Out:
        """Check the file as what it is meant to be; the outcome, with every problem."""

    @abstractmethod
    def unusable(self) -> None:
        """Forget what was read of a file whose check failed midway."""

    def checked(self) -> Out:
        """:meth:`run`; a failure no check foresaw makes the file damaged (FILE_CORRUPT) rather
        than stopping the files after it."""
        try:
            return self.run()
        except Exception:
            self.add(Code.FILE_CORRUPT, reason="ระบบอ่านไฟล์นี้ไม่สำเร็จด้วยเหตุที่ไม่คาดไว้")
            self.unusable()
            self.out.unforeseen = True
            return self.out

    def add(self, code: Code, /, *, sheet: str | None = None, cell: str | None = None,
            **params: object) -> None:
        """A problem of this file, about its office."""
        self.add_about(self.out.office, code, sheet=sheet, cell=cell, **params)

    def add_about(self, office: str | None, code: Code, /, *, sheet: str | None = None,
                  cell: str | None = None, **params: object) -> None:
        """A problem of this file, about ``office``."""
        self.counts[code] += 1
        if self.counts[code] <= MAX_SAME_PROBLEMS:
            self.out.problems.append(problem(code, file=self.c.name, office=office,
                                             sheet=sheet, cell=cell, **params))

    def omitted(self) -> None:
        """One problem for each code that occurred more often than is listed."""
        for code, count in self.counts.items():
            if count > MAX_SAME_PROBLEMS:
                self.out.problems.append(problem(
                    Code.PROBLEMS_OMITTED, file=self.c.name, office=self.out.office, code=code.name,
                    count=f"{count - MAX_SAME_PROBLEMS:,}"))

    def reject(self, code: Code, /, *, sheet: str | None = None, cell: str | None = None,
               **params: object) -> Rejected:
        self.add(code, sheet=sheet, cell=cell, **params)
        return Rejected(code)

    # -- the container ---------------------------------------------------------------------
    def load(self) -> Loaded:
        """The file's bytes, as far as the checks need them; its digest and size noted."""
        try:
            loaded = load(self.c, self.archives)
        except PartTooLarge as exc:
            raise self.reject(Code.FILE_TOO_LARGE, size=f"> {MAX_FILE_BYTES:,}") from exc
        except OSError as exc:
            raise self.reject(Code.FILE_UNREADABLE,
                              reason=exc.strerror or damage_reason(exc)) from exc
        except DAMAGE as exc:
            raise self.reject(Code.FILE_CORRUPT, reason=damage_reason(exc)) from exc
        self.out.sha256, self.out.size = loaded.sha256, loaded.size
        return loaded

    def open(self) -> XlsxReader:
        loaded = self.load()
        kind = sniff(loaded.head)
        if kind is Sniffed.EMPTY:
            raise self.reject(Code.FILE_EMPTY)
        if kind is Sniffed.OTHER or loaded.data is None:
            other = _other_spreadsheet(loaded.head)
            if other is not None:
                raise self.reject(Code.FILE_OTHER_FORMAT, format=other)
            raise self.reject(Code.FILE_NOT_WORKBOOK, reason=_guess_text_kind(loaded.head))
        if kind is Sniffed.OLE2:
            code, params = _ole2_verdict(loaded.data)
            raise self.reject(code, **params)
        if self.c.member is not None and self.c.member.lower().endswith(".zip"):
            raise self.reject(Code.FILE_NESTED_ARCHIVE)
        try:
            reader = XlsxReader(loaded.data, self.c.name)
        except NotAWorkbook as exc:
            raise self.not_a_workbook(exc) from exc
        if reader.macro_enabled:
            self.add(Code.FILE_MACROS)
        return reader

    def not_a_workbook(self, exc: NotAWorkbook) -> Rejected:
        if exc.code is Code.FILE_OTHER_FORMAT:
            return self.reject(exc.code, format=exc.reason)
        if exc.code is Code.FILE_STRICT_OOXML:
            return self.reject(exc.code)
        return self.reject(exc.code, reason=exc.reason or "-")

    def meta(self, reader: XlsxReader, sheet_name: str, not_ours: Code,
             others: Mapping[str, Code] = MappingProxyType({}),
             required: tuple[str, ...] = ("office", "fingerprint"), rows: int = META_ROWS,
             reason: str = "") -> dict[str, str]:
        """The ``_meta`` sheet's keys and values (its first ``rows`` rows): ``not_ours`` (with
        ``reason``, when its text has one) when there is none or a ``required`` key is
        missing, ``others[kind]`` for a file of another kind the engine makes."""
        params = {"reason": reason} if reason else {}
        sheet = next((s for s in reader.sheets if s.name == sheet_name), None)
        if sheet is None:
            raise self.reject(not_ours, **params)
        pairs: dict[int, dict[int, Cell]] = {}
        for (row, col), cell in reader.read_sheet(sheet, rows, 2).cells.items():
            pairs.setdefault(row, {})[col] = cell
        meta = {}
        for row in sorted(pairs):         # a key given twice: the lower row's value is replaced
            key, value = pairs[row].get(1), pairs[row].get(2)
            if key is not None and value is not None:
                meta[clean_text(key.value)] = clean_text(value.value)
        other = others.get(meta.get("kind", ""))
        if other is not None:
            raise self.reject(other)
        if any(key not in meta for key in required):
            raise self.reject(not_ours, **params)
        return meta

    def read(self, reader: XlsxReader, name: str, last_row: int, last_col: int) -> SheetCells:
        """The cells of a sheet's bounded range; hidden rows there are a warning."""
        sheet = next(s for s in reader.sheets if s.name == name)
        cells = reader.read_sheet(sheet, last_row, last_col)
        if cells.hidden_rows:
            self.add(Code.RETURN_HIDDEN, sheet=name, what=f"แถว {spans(cells.hidden_rows)}")
        return cells


def _ole2_verdict(data: bytes) -> tuple[Code, dict[str, str]]:
    """Encrypted OOXML and legacy .xls both come in OLE2 containers; tell them apart (an OLE2
    file msoffcrypto cannot make sense of is taken for a legacy one)."""
    try:
        if msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted():
            return Code.FILE_ENCRYPTED, {}
    except Exception:      # whatever a damaged container makes the parser raise
        pass
    return Code.FILE_OTHER_FORMAT, {"format": ".xls (Excel 97-2003) หรือเอกสาร Office รุ่นเก่า"}


def spans(numbers: set[int]) -> str:
    """Row numbers as runs: ``2-4, 7``."""
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


_BIFF_BOF = (b"\x09\x00", b"\x09\x02", b"\x09\x04")   # Excel 2.x, 3.0, 4.0 begin so
_XML_SPREADSHEETS = (
    (b"opendocument.spreadsheet", "OpenDocument Spreadsheet แบบ XML (.fods)"),
    (b"urn:schemas-microsoft-com:office:spreadsheet", "XML Spreadsheet 2003 ของ Excel (.xml)"),
    (b'progid="Excel.Sheet"', "XML Spreadsheet 2003 ของ Excel (.xml)"),
)


def _other_spreadsheet(head: bytes) -> str | None:
    """The name of a spreadsheet format that is not a zip or OLE2 container, told from its
    first bytes: Excel 2.x-4.0's BIFF, flat OpenDocument, SpreadsheetML 2003."""
    if head[:2] in _BIFF_BOF and 4 <= int.from_bytes(head[2:4], "little") <= 20:
        return "Excel 2.x-4.0 รุ่นเก่ามาก (.xls)"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "replace").encode("utf-8")
    if b"<" not in head[:1024]:
        return None
    for mark, name in _XML_SPREADSHEETS:
        if mark in head:
            return name
    return None


def _guess_text_kind(data: bytes) -> str:
    if data.startswith((b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c")):
        return "เป็นไฟล์บีบอัดแบบ RAR หรือ 7z ต้องแตกไฟล์ออกมาก่อน"
    if data.startswith(b"%PDF"):
        return "เป็นเอกสาร PDF"
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<table" in head:
        return "เป็นหน้าเว็บ HTML"
    if head.startswith(b"<?xml"):
        return "เป็นไฟล์ XML"
    if b"," in head or b";" in head or b"\t" in head:
        return "เป็นข้อความหรือ CSV"
    return "ไม่รู้จักรูปแบบ"


def same(cell: Cell | None, expected: object, number: float | None = None) -> bool:
    """Whether a cell shows ``expected``; ``number`` is its exact float, when it has one."""
    if cell is None or cell.value is None:
        return expected in (None, "")
    if isinstance(expected, Decimal):
        value = cell.value
        if cell.kind != "n" or not isinstance(value, float):
            return False
        return value == number or (math.isfinite(value) and to_decimal(value) == expected)
    return clean_text(cell.value) == expected


def show(value: object) -> str:
    """A cell value as a message quotes it."""
    if value is None:
        return "(ว่าง)"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float):
        return show(to_decimal(value)) if math.isfinite(value) else str(value)
    return str(value)
