"""A small, defensive reader for returned ``.xlsx`` files.

It reads only what harvest needs: the sheet list with visibility, workbook-level defined names,
the saved time, and the cells of a bounded range of a sheet, each with its type and whether it
holds a formula. The workbook's parts are found as the Open Packaging Conventions say (see
:class:`XlsxReader`), and texts are read as Excel shows them (:func:`unescape`). XML is parsed
with defusedxml (no entity expansion, no external entities); zip parts are size-capped while
inflating; a sheet is parsed only as far as its rows are read (a big one streamed and abandoned
past the last row asked for), so lying ``<dimension>`` tags and huge formatted ranges cost
nothing, and damage after those rows goes unseen.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import itertools
import os
import posixpath
import re
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import unquote
from xml.etree import ElementTree as FastET
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from ..problems import Code
from .cells import column_index
from .zips import (
    DAMAGE,
    MAX_PART_BYTES,
    WORKBOOK_CAPS,
    PartTooLarge,
    ZipCaps,
    damage_reason,
    read_part,
    zip_over_caps,
)

PURE_PYTHON_ENV = "WORKBOOK_ENGINE_PURE_PYTHON"   # "1": do not use the C accelerator

try:     # the C accelerator, when it was built (setup.py); the Python reader reads the same
    if os.environ.get(PURE_PYTHON_ENV) == "1":
        raise ImportError(PURE_PYTHON_ENV)
    from . import _fastsheet
except ImportError:    # a machine without a C compiler, or asked not to
    _fastsheet = None  # type: ignore[assignment]

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
WORKBOOK_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": False,
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": True,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": False,
    "application/vnd.ms-excel.template.macroEnabled.main+xml": True,
}
_MAIN_TYPES = {kind.lower(): macros for kind, macros in WORKBOOK_TYPES.items()}
XLSB_TYPE = "application/vnd.ms-excel.sheet.binary.macroenabled.main"     # lower case
CONTENT_TYPES = "[Content_Types].xml"
PACKAGE_RELS = "_rels/.rels"
DEFAULT_WORKBOOK = "xl/workbook.xml"      # where a package without relationships has it
# relationship types by their last step, the same in transitional and strict namespaces
OFFICE_DOCUMENT, SHARED_STRINGS = "/officeDocument", "/sharedStrings"
EXTERNAL_LINK, CORE_PROPERTIES = "/externalLink", "/core-properties"
OPENDOCUMENT = "application/vnd.oasis.opendocument."
_MIMETYPE_BYTES = 200        # an OpenDocument file's mimetype part is one short line
ODS_MIMETYPE = OPENDOCUMENT + "spreadsheet"
_M = f"{{{MAIN_NS}}}"
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")
_NAME_TARGET = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!(\$?[A-Z]{1,3}\$?\d+)$")


class NotAWorkbook(ValueError):
    """The zip is not a readable SpreadsheetML workbook; ``code`` says which case and
    ``reason``, in Thai, what was found (for FILE_OTHER_FORMAT: the format's name)."""

    def __init__(self, code: Code, reason: str) -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


_DAMAGE = (*DAMAGE, SafeET.ParseError)
MAX_SHEET_ROWS = 1_048_576   # Excel's limit
WHOLE_PART_BYTES = 2 * 1024 * 1024   # parse smaller sheets at once; stream bigger ones
_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)")
_PLAIN_ENCODINGS = {b"utf-8", b"utf8", b"us-ascii", b"ascii"}


def _without_dtd(data: bytes) -> bool:
    """True when ``data`` is UTF-8 (or ASCII) XML with no document type declaration.

    Entities can only be declared in a DTD, so such a part cannot expand or fetch anything and
    the C parser reads it safely, several times faster than defusedxml's pure-Python one. Every
    other part (a DTD, UTF-16, another declared encoding) goes through defusedxml, which refuses
    entity declarations.
    """
    head = data[3:203] if data.startswith(b"\xef\xbb\xbf") else data[:200]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]:
        return False
    declared = _DECLARED_ENCODING.match(head)
    if declared and declared.group(1).lower() not in _PLAIN_ENCODINGS:
        return False
    return not _opens(data, b"!") or (b"<!DOCTYPE" not in data and b"<!ENTITY" not in data)


_FEW = 8        # occurrences of a byte worth checking one by one


def _opens(data: bytes, mark: bytes, start: int = 0) -> bool:
    """Whether ``<`` followed by the byte ``mark`` (``<!``, ``<?``) occurs in ``data`` from
    ``start``. Found through the few places ``mark`` occurs at all, a search for one byte being
    many times faster than for two where ``<`` is everywhere; by the pair when there are many."""
    at = data.find(mark, start + 1)
    for _ in range(_FEW):
        if at < 0:
            return False
        if data[at - 1] == 0x3C:       # "<"
            return True
        at = data.find(mark, at + 1)
    return data.find(b"<" + mark, start) >= 0


def parse_xml(data: bytes) -> Element:
    """Parse an untrusted part: no entity expansion, no external entities.

    Raises:
        DefusedXmlException: for a part that declares entities or a DTD.
        xml.etree.ElementTree.ParseError: for a part that is not well-formed.
    """
    if _without_dtd(data):
        return FastET.fromstring(data)
    root: Element = SafeET.fromstring(data)
    return root


def _damaged(member: str, exc: Exception) -> NotAWorkbook:
    """Classify an exception raised while reading ``member`` as one of the file problems."""
    if isinstance(exc, KeyError):
        return NotAWorkbook(Code.FILE_CORRUPT, f"ไม่มีส่วน {member}")
    if isinstance(exc, DefusedXmlException):
        return NotAWorkbook(Code.FILE_UNSAFE_XML, f"ส่วน {member}: {damage_reason(exc)}")
    if isinstance(exc, PartTooLarge):
        return NotAWorkbook(Code.FILE_ZIP_BOMB, f"ส่วน {member} ใหญ่เกินขีดจำกัด")
    return NotAWorkbook(Code.FILE_CORRUPT, f"ส่วน {member} เสียหาย: {damage_reason(exc)}")


class Rel(NamedTuple):
    """A relationship: its type, and the zip member it leads to (the part's name when no
    member holds it)."""

    type: str
    part: str


@dataclass(frozen=True)
class ContentTypes:
    """``[Content_Types].xml``: the content types of parts by extension and by name."""

    defaults: dict[str, str]      # extension, lower case -> content type
    overrides: dict[str, str]     # part name, lower case and without its "/" -> content type

    def of(self, part: str) -> str:
        """A part's content type: its override, else its extension's default ("" if neither)."""
        found = self.overrides.get(_part_key(part))      # a member named with escapes too
        if found is not None:
            return found
        last = part.rpartition("/")[2]
        return self.defaults.get(last.rpartition(".")[2].lower(), "") if "." in last else ""


_Read = tuple[tuple[str, ...], tuple[str, ...]]     # elements' names, attributes' names
_TYPES_READ: _Read = ((f"{{{CT_NS}}}Default", f"{{{CT_NS}}}Override"),
                      ("Extension", "PartName", "ContentType"))
_RELATIONSHIPS_READ: _Read = ((f"{{{PKG_REL_NS}}}Relationship",),
                              ("Id", "Type", "Target", "TargetMode"))


def _elements(data: bytes, names: tuple[str, ...], attributes: tuple[str, ...]
              ) -> list[tuple[int, tuple[str | None, ...]]]:
    """For each element of an XML part named one of ``names`` (``{namespace}local``), in
    document order: the index of its name and the values of ``attributes`` (None for one not
    there). Read in C when it can be (:mod:`workbook_engine.xlsx._fastsheet`, which gives the same),
    else parsed by :func:`parse_xml`, which raises what it raises."""
    found = None
    if _fastsheet is not None and _without_dtd(data):
        found = _fastsheet.elements(data, tuple(n.lstrip("{") for n in names), attributes)
    if found is not None:
        return found
    wanted = {name: index for index, name in enumerate(names)}
    return [(wanted[e.tag], tuple(e.get(a) for a in attributes))
            for e in parse_xml(data).iter() if e.tag in wanted]


def _part_key(name: str) -> str:
    """A part name of ``[Content_Types].xml`` as :class:`ContentTypes` keeps it."""
    return (unquote(name) if "%" in name else name).lstrip("/").lower()


def _part_name(folder: str, target: str) -> str:
    """The part a relationship's (decoded) target names: from the package's root when it starts
    with ``/``, else from ``folder``, the folder of the part the relationship is of."""
    if target.startswith("/"):
        folder, target = "", target.lstrip("/")
    if "/." in f"/{target}" or "//" in target:          # "." or ".." steps, or empty ones
        return posixpath.normpath(posixpath.join(folder, target)).lstrip("/")
    return f"{folder}/{target}" if folder else target


_IWORK_INDEXES = {"index.zip", "index.xml.gz", "index.apxl.gz"}


def _iwork(member: str) -> bool:
    """Whether a zip member marks an Apple iWork document such as a Numbers spreadsheet: an IWA
    archive under ``Index/``, or the index of a package or of an older document, at the top
    or in one folder."""
    steps = member.split("/")
    if len(steps) > 3:
        return False
    return steps[-1].lower() in _IWORK_INDEXES or \
        (len(steps) > 1 and steps[-2] == "Index" and steps[-1].endswith(".iwa"))


_OPENDOCUMENT_KINDS = {
    "text": "เป็นเอกสารข้อความ OpenDocument (.odt)",
    "presentation": "เป็นงานนำเสนอ OpenDocument (.odp)",
    "graphics": "เป็นภาพวาด OpenDocument (.odg)",
    "chart": "เป็นแผนภูมิ OpenDocument (.odc)",
    "formula": "เป็นสูตรคณิตศาสตร์ OpenDocument (.odf)",
    "base": "เป็นฐานข้อมูล OpenDocument (.odb)",
}


def _opendocument_kind(mimetype: str) -> str:
    """Thai words for what an OpenDocument file other than a spreadsheet is."""
    kind = mimetype[len(OPENDOCUMENT):].partition("-")[0]
    return _OPENDOCUMENT_KINDS.get(kind, "เป็นเอกสาร OpenDocument ที่ไม่ใช่ตารางคำนวณ")


_PACKAGE_KINDS = (
    (("wordprocessingml.document.main", "wordprocessingml.template.main", "ms-word."),
     "เป็นเอกสาร Word (.docx)"),
    (("presentationml.presentation.main", "presentationml.slideshow.main",
      "presentationml.template.main", "ms-powerpoint."), "เป็นงานนำเสนอ PowerPoint (.pptx)"),
    (("ms-visio.",), "เป็นแผนภาพ Visio (.vsdx)"),
    (("xps-fixeddocumentsequence",), "เป็นเอกสาร XPS (.xps)"),
)


def _package_kind(main_type: str, types: ContentTypes) -> str:
    """Thai words for what an Office package that is not a workbook is: from its main part's
    content type, else from the other content types it declares."""
    for kind in (main_type, *types.overrides.values()):
        for marks, words in _PACKAGE_KINDS:
            if any(mark in kind.lower() for mark in marks):
                return words
    return "เป็นไฟล์ zip ที่ไม่มีส่วนสมุดงาน"


class Cell(NamedTuple):
    """A cell's value as stored: number (float), text, bool, error text or None."""

    value: object
    kind: str              # "n", "s" (any text), "b", "e" (error value), "d" (ISO date text)
    formula: str | None    # the formula's text without "=", when the cell holds one

    @property
    def is_error(self) -> bool:
        """True for an Excel error value such as ``#DIV/0!``."""
        return self.kind == "e"


# Cell((value, kind, formula)) without the Python-level __new__ of a named tuple: cells are
# made by the hundred thousand when a master is read.
_cell = functools.partial(tuple.__new__, Cell)


@dataclass(frozen=True)
class SheetInfo:
    """A sheet listed in ``workbook.xml``."""

    name: str
    state: str          # visible / hidden / veryHidden
    part: str           # zip member, e.g. xl/worksheets/sheet1.xml


@dataclass
class SheetCells:
    """The cells read from one sheet's bounded range."""

    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    hidden_rows: set[int] = field(default_factory=set)

    def get(self, row: int, col: int) -> Cell | None:
        """The cell at 1-based ``row`` and ``col``, or None when it is empty or absent."""
        return self.cells.get((row, col))


@functools.lru_cache(maxsize=8192)   # the same few hundred references recur in every return
def split_ref(ref: str) -> tuple[int, int]:
    """``K8`` or ``$K$8`` -> (8, 11).

    Raises:
        ValueError: when ``ref`` is not a single-cell reference.
    """
    letters = ref.rstrip(_DIGITS)
    column = _COLUMNS.get(letters)
    if column is None or len(letters) == len(ref):
        return _split_ref_checked(ref)
    return int(ref[len(letters):]), column


_DIGITS = "0123456789"
_PLAIN_LETTERS = re.compile(r"[A-Za-z]{1,3}")
_COLUMNS: dict[str, int] = {}     # column letters met in plain references -> column number
_MAX_COLUMNS_KNOWN = 4096


def _split_ref_checked(ref: str) -> tuple[int, int]:
    """:func:`split_ref` by the full pattern; remembers the column of a plain reference (ASCII
    letters then ASCII digits), so that the next one with those letters needs no pattern."""
    match = _REF.match(ref.upper())
    if not match:
        raise ValueError(ref)
    row, column = int(match.group(2)), column_index(match.group(1))
    letters = ref.rstrip(_DIGITS)
    if _PLAIN_LETTERS.fullmatch(letters) and len(_COLUMNS) < _MAX_COLUMNS_KNOWN:
        _COLUMNS[letters] = column
    return row, column


class XlsxReader:
    """Opens one workbook's bytes; raises :class:`NotAWorkbook` for what it cannot read.

    The package is read as OPC says: the workbook is the part the package's relationships
    (``_rels/.rels``) name as the office document, its content type is its part's override or
    its extension's default in ``[Content_Types].xml``, and its sheets and shared strings are
    the parts its own relationships lead to. Part names match zip members whatever their case.
    """

    def __init__(self, data: bytes, name: str, caps: ZipCaps = WORKBOOK_CAPS) -> None:
        """Open ``data`` (the file ``name``) within ``caps``: a return's by default."""
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except _DAMAGE as exc:
            raise NotAWorkbook(Code.FILE_CORRUPT,
                               f"อ่านโครงสร้างไฟล์ไม่ได้: {damage_reason(exc)}") from exc
        self.part_bytes = caps.part_bytes or MAX_PART_BYTES     # the most a part may inflate to
        over = zip_over_caps(self.zip, caps)
        if over is not None:
            raise NotAWorkbook(Code.FILE_ZIP_BOMB, over)
        self.members = set(self.zip.namelist())
        self._other_format()
        types = self._content_types()
        self._package = self._relationships(PACKAGE_RELS, "")
        self._main = main = self._main_part(types)
        self.macro_enabled = self._main_type(main, types)
        self.sheets, self.names, self._rels = self._workbook(main)
        self._strings: list[str] | None = None

    # -- package parts ---------------------------------------------------------------------
    def xml(self, member: str) -> Element:
        """Parse one part safely."""
        return self._parsed(member, self._raw(member, self.part_bytes))

    @staticmethod
    def _parsed(member: str, data: bytes) -> Element:
        try:
            return parse_xml(data)
        except _DAMAGE as exc:
            raise _damaged(member, exc) from exc

    def _raw(self, member: str, limit: int) -> bytes:
        try:
            return read_part(self.zip, member, limit)
        except (KeyError, *_DAMAGE) as exc:
            raise _damaged(member, exc) from exc

    def _member(self, part: str) -> str | None:
        """The zip member holding part ``part`` (names compared case-insensitively), if any."""
        return part if part in self.members else self._folded.get(part.lower())

    @functools.cached_property
    def _folded(self) -> dict[str, str]:
        """The zip members by their names in lower case (the first of a name wins)."""
        return {m.lower(): m for m in reversed(self.zip.namelist())}

    def _other_format(self) -> None:
        """Refuse a zip that is another kind of document: OpenDocument, Apple iWork, or a zip
        that is no Office package at all."""
        mimetype = self._member("mimetype")
        if mimetype is not None and self.zip.getinfo(mimetype).file_size <= _MIMETYPE_BYTES:
            kind = self._raw(mimetype, _MIMETYPE_BYTES).strip().decode("ascii", "replace").lower()
            if kind.startswith(ODS_MIMETYPE):
                raise NotAWorkbook(Code.FILE_OTHER_FORMAT, "OpenDocument Spreadsheet (.ods)")
            if kind.startswith(OPENDOCUMENT):
                raise NotAWorkbook(Code.FILE_NOT_WORKBOOK, _opendocument_kind(kind))
        if "ndex" in "/".join(self.members) and any(_iwork(m) for m in self.members):
            raise NotAWorkbook(Code.FILE_OTHER_FORMAT, "Apple Numbers (.numbers)")
        if self._member(CONTENT_TYPES) is None:
            raise NotAWorkbook(Code.FILE_NOT_WORKBOOK, "เป็นไฟล์ zip ที่ไม่มีส่วนสมุดงาน"
                               if self.members else "เป็นไฟล์ zip ที่ว่างเปล่า")

    def _content_types(self) -> ContentTypes:
        member = self._member(CONTENT_TYPES)
        assert member is not None
        types = ContentTypes({}, {})
        for kind, (extension, part, content_type) in self._elements(member, _TYPES_READ):
            if kind == 0:
                types.defaults[(extension or "").lower()] = content_type or ""
            else:
                types.overrides[_part_key(part or "")] = content_type or ""
        return types

    def _elements(self, member: str, read: _Read) -> list[tuple[int, tuple[str | None, ...]]]:
        """Attributes of elements of a part (see :func:`_elements`)."""
        data = self._raw(member, self.part_bytes)
        try:
            return _elements(data, *read)
        except _DAMAGE as exc:
            raise _damaged(member, exc) from exc

    def _main_part(self, types: ContentTypes) -> str:
        """The workbook's zip member: the package's office document; where that is missing,
        the first part of a workbook's content type, else ``xl/workbook.xml``."""
        named = [rel.part for rel in self._package.values() if rel.type.endswith(OFFICE_DOCUMENT)]
        typed = (part for part, kind in types.overrides.items()
                 if kind.lower() in _MAIN_TYPES or kind.lower() == XLSB_TYPE)
        for part in itertools.chain(named, typed, [DEFAULT_WORKBOOK]):
            member = self._member(part)
            if member is not None:
                return member
        return named[0] if named else DEFAULT_WORKBOOK

    def _main_type(self, main: str, types: ContentTypes) -> bool:
        """Whether the workbook may hold macros, from its content type; refuses any other."""
        kind = types.of(main).lower()
        if kind in _MAIN_TYPES:
            return _MAIN_TYPES[kind]
        if kind == XLSB_TYPE or (self._member("xl/workbook.bin") is not None and any(
                "ms-excel" in t.lower() for t in types.overrides.values())):
            raise NotAWorkbook(Code.FILE_OTHER_FORMAT, "Excel Binary Workbook (.xlsb)")
        raise NotAWorkbook(Code.FILE_NOT_WORKBOOK, _package_kind(kind, types))

    def _workbook(self, member: str) -> tuple[list[SheetInfo], dict[str, str], dict[str, Rel]]:
        folder, _, name = member.rpartition("/")
        rels = self._relationships(posixpath.join(folder, "_rels", f"{name}.rels"), folder)
        data = self._raw(member, self.part_bytes)      # says itself what is wrong
        try:
            root, sheets, defined = _workbook_xml(data)
        except _DAMAGE as exc:
            raise _damaged(member, exc) from exc
        if root.startswith(f"{{{STRICT_NS}}}"):
            raise NotAWorkbook(Code.FILE_STRICT_OOXML, "บันทึกแบบ Strict Open XML")
        if root != f"{_M}workbook":
            raise NotAWorkbook(Code.FILE_NOT_WORKBOOK,
                               f"ส่วนหลัก {member} ไม่ได้เขียนเป็นสมุดงานตามรูปแบบ SpreadsheetML")
        names = {name: text.strip() for name, local, text in defined
                 if local is None and name}
        return ([SheetInfo(name or "", "visible" if state is None else state,
                           rels[rid].part if rid in rels else "")
                 for name, state, rid in sheets], names, rels)

    def _relationships(self, rels_part: str, folder: str) -> dict[str, Rel]:
        """The relationships of the part whose relationships part is ``rels_part`` (none when
        it has none), each with the zip member it leads to; ``folder`` is that part's folder,
        which relative targets start from."""
        member = self._member(rels_part)
        if member is None:
            return {}
        rels = {}
        for _, (rid, kind, target, mode) in self._elements(member, _RELATIONSHIPS_READ):
            if mode == "External":
                continue
            target = target or ""
            part = _part_name(folder, unquote(target))
            found = self._member(part)
            if found is None and "%" in target:       # a member named with the escapes
                found = self._member(_part_name(folder, target))
            rels[rid or ""] = Rel(kind or "", found or part)
        return rels

    @property
    def external_links(self) -> bool:
        """True when the workbook links to other files."""
        return any(rel.type.endswith(EXTERNAL_LINK) for rel in self._rels.values()) or \
            any(m.startswith("xl/externalLinks/") for m in self.members)

    def saved_time(self) -> dt.datetime | None:
        """``dcterms:modified`` from the core properties, when present and readable."""
        parts = [r.part for r in self._package.values() if r.type.endswith(CORE_PROPERTIES)]
        member = self._member(parts[0] if parts else "docProps/core.xml")
        if member is None:
            return None
        try:
            root = self.xml(member)
        except NotAWorkbook:
            return None
        for element in root.iter("{http://purl.org/dc/terms/}modified"):
            try:
                return dt.datetime.fromisoformat((element.text or "").strip().replace("Z",
                                                                                      "+00:00"))
            except ValueError:
                return None
        return None

    # -- cells -------------------------------------------------------------------------------
    def _shared_strings_part(self) -> str | None:
        """The shared-string table's zip member: the workbook's relationship of that type, else
        ``sharedStrings.xml`` beside the workbook; None when there is none."""
        for rel in self._rels.values():
            if rel.type.endswith(SHARED_STRINGS):
                return rel.part
        folder = self._main.rpartition("/")[0]
        return self._member(posixpath.join(folder, "sharedStrings.xml"))

    def shared_strings(self) -> list[str]:
        """The shared-string table (read once, on first use).

        Raises:
            NotAWorkbook: naming the table's part, when it is missing, damaged or unsafe.
        """
        if self._strings is None:
            member = self._shared_strings_part()
            strings: list[str] = []
            if member is not None:
                strings = _shared_strings(member, self._raw(member, self.part_bytes))
            self._strings = strings
        return self._strings

    def read_sheet(self, sheet: SheetInfo, max_row: int, max_col: int) -> SheetCells:
        """The non-empty cells of rows 1..max_row, columns 1..max_col of ``sheet``.

        Raises:
            NotAWorkbook: when the sheet's part (or the shared strings') is missing or not
                well-formed XML.
        """
        try:
            return _sheet_cells(read_part(self.zip, sheet.part, self.part_bytes), max_row, max_col,
                                self.shared_strings)
        except NotAWorkbook:
            raise
        except (KeyError, *_DAMAGE) as exc:
            raise _damaged(sheet.part, exc) from exc

    def read_rows(self, sheet: SheetInfo, max_col: int,
                  unsaved: object = None) -> list[tuple[object, ...]]:
        """Rows 1..last of ``sheet`` as tuples of cell values (None for an empty cell, gaps as
        empty rows), columns 1..max_col: a big table without a cell object per value. A
        formula saved without its value (as programs that keep no cached values save it)
        reads as ``unsaved``.

        Raises:
            NotAWorkbook: when the sheet's part (or the shared strings') is missing or not
                well-formed XML.
        """
        try:
            numbered = _numbered_rows(read_part(self.zip, sheet.part, self.part_bytes), max_col,
                                      self.shared_strings, unsaved)
            rows = None if numbered is None else _spread(numbered)
        except NotAWorkbook:
            raise
        except (KeyError, *_DAMAGE) as exc:
            raise _damaged(sheet.part, exc) from exc
        return self._rows_by_cell(sheet, max_col, unsaved) if rows is None else rows

    def row_pieces(self, sheet: SheetInfo, max_col: int,
                   unsaved: object = None) -> Iterator[list[Row]] | None:
        """:meth:`read_rows` of a big sheet part (over :data:`PIECE_BYTES`) in pieces, each
        piece's rows given as it is read, so that a national master's 400,000 rows are never
        all held at once; None when the part cannot be read so (read it with
        :meth:`read_rows`).

        Every piece is checked as the whole part would be; a piece that would not read as
        part of the whole raises :class:`PiecesFailed` (rows already given are then not
        to be trusted: read the sheet again with :meth:`read_rows`).

        Raises:
            NotAWorkbook: when the sheet's part is missing or damaged.
            PiecesFailed: as said.
        """
        try:
            if _fastsheet is None or self.zip.getinfo(sheet.part).file_size <= PIECE_BYTES:
                return None          # (a size that lies is read whole, as any part is)
            data = read_part(self.zip, sheet.part, self.part_bytes)
        except NotAWorkbook:
            raise
        except (KeyError, *_DAMAGE) as exc:
            raise _damaged(sheet.part, exc) from exc
        fast = _without_dtd(data)
        cuts = _piece_cuts(data, PIECE_BYTES) if fast else None
        if cuts is None:
            return None
        return self._pieces(data, cuts, max_col, unsaved)

    def _pieces(self, data: bytes, cuts: list[int], max_col: int,
                unsaved: object) -> Iterator[list[Row]]:
        root = _ROOT.match(data)
        head, end, bare = data[:cuts[0]], _sheet_end(root), _bare(root)
        given = 0
        for at, to in itertools.pairwise(cuts):
            found = _fastsheet.rows(head + data[at:to] + end, MAX_SHEET_ROWS, max_col,
                                    self.shared_strings, Cell, bare, unsaved)
            if found is None or (found and found[0][0] <= given):
                raise PiecesFailed(at)
            rows: list[Row] = []
            for number, values in found:
                rows.extend([()] * (number - 1 - given))
                rows.append(values)
                given = number
            yield rows

    def _rows_by_cell(self, sheet: SheetInfo, max_col: int,
                      unsaved: object) -> list[tuple[object, ...]]:
        """:meth:`read_rows` for a sheet whose rows or cells are not in order."""
        grouped: dict[int, list[object]] = {}
        for (row, col), cell in self.read_sheet(sheet, MAX_SHEET_ROWS, max_col).cells.items():
            values = grouped.setdefault(row, [])
            if len(values) < col:
                values.extend([None] * (col - len(values)))
            values[col - 1] = _value_or(cell, unsaved)
        return [tuple(grouped.get(row, ())) for row in range(1, max(grouped, default=0) + 1)]


Row = tuple[object, ...]
PIECE_BYTES = 4 * 1024 * 1024   # a sheet part bigger than this can be read in pieces this big


class PiecesFailed(Exception):
    """A piece of a sheet part read in pieces did not read as part of the whole would."""

    def __init__(self, at: int) -> None:
        super().__init__(f"the piece at byte {at} of the sheet part did not read alone")


def _piece_cuts(data: bytes, size: int) -> list[int] | None:
    """Where to cut a sheet part's sheet data into pieces of about ``size`` bytes: the end of
    its ``<sheetData>`` start tag, then the starts of rows that say their number first
    (``<row r="``, as Excel, LibreOffice and xlsxwriter write them; no other text can hold
    these bytes in a part :func:`_sheet_data_end` accepts), then where the sheet data ends.
    None for a part too small to cut, or whose sheet data cannot be cut so."""
    end = _sheet_data_end(data)
    if end <= size:
        return None
    start = data.find(b"<sheetData")
    head = data.find(b">", start) + 1
    if start < 0 or head <= 0 or data[head - 2:head] == b"/>":
        return None
    cuts = [head]
    while (cut := data.find(b'<row r="', cuts[-1] + size, end)) > 0:
        cuts.append(cut)
    cuts.append(end)
    return cuts if len(cuts) > 2 else None


def _sheet_cells(data: bytes, max_row: int, max_col: int,
                 strings: Callable[[], list[str]]) -> SheetCells:
    """:meth:`XlsxReader.read_sheet` on a sheet part's bytes: in C when it can be
    (:mod:`workbook_engine.xlsx._fastsheet`, which gives the same cells), else in Python."""
    fast = _fast_input(data)
    found = None if fast is None or len(fast[0]) > WHOLE_PART_BYTES else \
        _fastsheet.cells(fast[0], max_row, max_col, strings, Cell, fast[1])
    if found is not None:
        return SheetCells(*found)
    result = SheetCells()
    cells = result.cells
    for row_number, element in _rows(data, max_row):
        if element.get("hidden") in ("1", "true"):
            result.hidden_rows.add(row_number)
        for row, col, value in _row_cells(element, row_number, max_col, strings):
            cells[(row, col)] = value
    return result


def _row_cells(element: Element, row_number: int, max_col: int,
               strings: Callable[[], list[str]]) -> Iterator[tuple[int, int, Cell]]:
    """(row, column, cell) of the non-empty cells of a ``<row>`` up to ``max_col``."""
    col = 0
    for cell in element.iter(_C):
        ref = cell.get("r")
        if ref:
            letters = ref.rstrip(_DIGITS)     # split_ref's fast path, inlined: a master
            known = _COLUMNS.get(letters)     # has a hundred thousand distinct refs
            if known is not None and len(letters) < len(ref):
                row_number, col = int(ref[len(letters):]), known
            else:
                row_number, col = split_ref(ref)
        else:
            col += 1
        if col <= max_col:
            value = _value(cell, strings)
            if value is not None:
                yield row_number, col, value


def _numbered_rows(data: bytes, max_col: int, strings: Callable[[], list[str]],
                   unsaved: object = None) -> list[tuple[int, Row]] | None:
    """The non-empty rows of a sheet part as (row number, values), in one pass, up to a row
    past a sheet's last one (a formula without a saved value as ``unsaved``); None when rows
    or cells are not in order."""
    fast = _fast_input(data)
    if fast is not None:     # the C reader gives up on a row past the last one
        found: list[tuple[int, Row]] | None = _fastsheet.rows(fast[0], MAX_SHEET_ROWS, max_col,
                                                              strings, Cell, fast[1], unsaved)
        if found is not None:
            return found
    rows: list[tuple[int, Row]] = []
    last = 0
    for row_number, element in _rows(data, sys.maxsize):
        if row_number > MAX_SHEET_ROWS:
            return rows
        values: list[object] = []
        for row, col, cell in _row_cells(element, row_number, max_col, strings):
            if row != row_number:          # a cell claiming another row
                return None
            if len(values) < col:
                values.extend([None] * (col - len(values)))
            values[col - 1] = _value_or(cell, unsaved)
        if not values:
            continue
        if row_number <= last:             # a row number repeated or going back
            return None
        last = row_number
        rows.append((row_number, tuple(values)))
    return rows


def _value_or(cell: Cell, unsaved: object) -> object:
    """A cell's value; ``unsaved`` for a formula saved without one."""
    return unsaved if cell.value is None else cell.value


def _spread(numbered: list[tuple[int, Row]]) -> list[Row]:
    """Numbered rows in order as a list from row 1, gaps as empty rows."""
    rows: list[Row] = []
    for number, values in numbered:
        rows.extend([()] * (number - 1 - len(rows)))
        rows.append(values)
    return rows


_C, _F, _V, _IS, _T, _R, _ROW = (f"{_M}{n}" for n in ("c", "f", "v", "is", "t", "r", "row"))


def _value(cell: Element, strings: Callable[[], list[str]]) -> Cell | None:
    """A ``<c>`` element's value; None for a cell that holds nothing."""
    kind = cell.get("t", "n")
    if not len(cell):      # no <v>, <f> or <is>
        return _cell(("", "s", None)) if kind == "inlineStr" else None
    found = cell.find(_F)
    formula = None if found is None else (found.text or "")
    if kind == "inlineStr":
        inline = cell.find(_IS)
        return _cell((_text_of(inline, True) if inline is not None else "", "s", formula))
    raw = cell.find(_V)
    text = raw.text if raw is not None else None
    if text is None or (text == "" and kind != "str"):
        return _cell((None, "n", formula)) if formula is not None else None
    if kind == "n":
        try:
            return _cell((float(text), "n", formula))
        except ValueError:
            return _cell((text, "s", formula))
    if kind == "s":
        table = strings()
        index = int(text)
        return _cell((table[index] if 0 <= index < len(table) else "", "s", formula))
    if kind == "str":
        return _cell((unescape(text), "s", formula))
    if kind == "b":
        return _cell((text.strip() in ("1", "true"), "b", formula))
    if kind in ("e", "d"):
        return _cell((text.strip(), kind, formula))
    try:
        return _cell((float(text), "n", formula))
    except ValueError:
        return _cell((text, "s", formula))


@functools.lru_cache(maxsize=4096)   # every return of a layout has the same few hundred
def name_target(text: str) -> tuple[str, str] | None:
    """(sheet, cell) of a defined name's text such as ``'รายงานผล'!$K$7``, else None."""
    match = _NAME_TARGET.match(text.lstrip("="))
    if not match:
        return None
    sheet = match.group(1).replace("''", "'") if match.group(1) else match.group(2)
    return sheet, match.group(3).replace("$", "")


_Workbook = tuple[str, list[tuple[str | None, str | None, str | None]],
                  list[tuple[str | None, str | None, str]]]


def _workbook_xml(data: bytes) -> _Workbook:
    """The root's tag, sheets and defined names of a ``workbook.xml`` (see :func:`_workbook_of`):
    read in C when it can be (:mod:`workbook_engine.xlsx._fastsheet`, which gives the same), else
    parsed by :func:`parse_xml`, which raises what it raises."""
    found = _fastsheet.workbook(data) if _fastsheet is not None and _without_dtd(data) else None
    if found is None:
        return _workbook_of(parse_xml(data))
    root, sheets, names = found
    return ("{" + root if "}" in root else root), sheets, names    # expat's namespace}local


def _workbook_of(root: Element) -> _Workbook:
    """What :func:`workbook_engine.xlsx._fastsheet.workbook` gives, from a parsed ``workbook.xml``:
    the root's tag, each sheet's name, state and relationship, each defined name's name,
    sheet and text."""
    sheets = [(sheet.get("name"), sheet.get("state"), sheet.get(f"{{{REL_NS}}}id"))
              for sheet in root.iter(f"{_M}sheet")]
    names = [(defined.get("name"), defined.get("localSheetId"), defined.text or "")
             for defined in root.iter(f"{_M}definedName")]
    return root.tag, sheets, names


def _shared_strings(member: str, data: bytes) -> list[str]:
    """The texts of the shared-string table ``member``: read in C when it can be
    (:mod:`workbook_engine.xlsx._fastsheet`, which gives the same), else in Python.

    Raises:
        NotAWorkbook: naming ``member``, when it is not well-formed XML.
    """
    found = _fastsheet.strings(data) if _fastsheet is not None and _without_dtd(data) else None
    if found is not None:
        return found
    escaped = _may_escape(data)       # else no text holds an escape
    return [_text_of(item, escaped) for item in XlsxReader._parsed(member, data).iter(f"{_M}si")]


def _text_of(element: Element, escaped: bool) -> str:
    """The text of a shared or inline string, rich-text runs joined, phonetic runs left out;
    with each run's ``_xHHHH_`` escapes decoded (:func:`unescape`) when it may hold some
    (``escaped``)."""
    parts = []
    for child in element:
        if child.tag == _T:
            parts.append(child.text or "")
        elif child.tag == _R:
            parts.extend(t.text or "" for t in child.iter(_T))
    text = "".join(parts)
    return "".join(map(unescape, parts)) if escaped and "_x" in text else text


def _may_escape(data: bytes) -> bool:
    """Whether ``_x`` occurs in ``data``: found through the few underscores a part has, a
    search for one byte being many times faster than for two; by the pair when there are
    many."""
    at = data.find(b"_")
    for _ in range(_FEW):
        if at < 0:
            return False
        if data[at + 1:at + 2] == b"x":
            return True
        at = data.find(b"_", at + 1)
    return b"_x" in data


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_SURROGATE = re.compile("[\ud800-\udfff]")


def unescape(text: str) -> str:
    """A text as a cell stores it (OOXML's ST_Xstring) as Excel shows it: each ``_xHHHH_`` (hex
    digits in either case) is the UTF-16 code unit HHHH, read left to right, so ``_x000D_`` is
    a carriage return and ``_x005F_x0041_`` the text ``_x0041_``. Two escapes in a row that
    make a surrogate pair are one character; a surrogate without its other half is U+FFFD."""
    if "_x" not in text:
        return text
    text = _ESCAPE.sub(_code_unit, text)
    if _SURROGATE.search(text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def _code_unit(match: re.Match[str]) -> str:
    return chr(int(match.group(1), 16))




def _rows(data: bytes, max_row: int) -> Iterator[tuple[int, Element]]:
    """The ``<row>`` elements up to ``max_row``; nothing after that is looked at.

    Only the part's extent is parsed (:func:`_sheet_extent`). A sheet of a real return is well
    under a megabyte and is parsed at once in C. A bigger part (a lying ``<dimension>``, a huge
    formatted range, a big master) is streamed, and parsing stops at the first row past
    ``max_row``, so its size costs nothing beyond inflating it within the caps.
    """
    root = _ROOT.match(data)
    bare = _bare(root)
    rows: Iterator[Element]
    if _without_dtd(data):
        data = _sheet_extent(data, root)
        if len(data) > WHOLE_PART_BYTES:
            rows = _stream_rows(data, bare)
        else:
            tree = FastET.fromstring(data)
            if bare:
                _in_main(tree)
            rows = tree.iter(_ROW)
    else:
        ended = (e for _, e in SafeET.iterparse(io.BytesIO(data), events=("end",)))
        rows = _main_rows(ended, bare)
    row_number = 0
    for element in rows:
        given = element.get("r")
        row_number = int(given) if given and given.isdigit() else row_number + 1
        if row_number > max_row:
            return
        yield row_number, element
        element.clear()


def _sheet_extent(data: bytes, root: re.Match[bytes] | None) -> bytes:
    """What of a sheet part without a DTD is parsed: up to the end of its sheet data, closed
    there, when that end is sure to be the ``</sheetData>`` text (one sheet data element, and
    no comment, CDATA section or processing instruction where the text could also lie); else
    all of it.

    Rows are read from the sheet data only, so what follows (a report form's data validations,
    a third of it) is not parsed, and damage there goes unseen.
    """
    at = _sheet_data_end(data)
    return data[:at] + _sheet_end(root) if at > 0 else data


# a part's start up to its root element's name and attributes (the prolog matched possessively:
# a hostile part of many processing instructions and no root costs no backtracking)
_ROOT = re.compile(rb"(?:\xef\xbb\xbf)?(?:\s|<\?.*?\?>|<!--.*?-->)*+<([^\s/>!?]+)([^>]*)",
                   re.DOTALL)
_DEFAULT_NAMESPACE = re.compile(rb"\sxmlns\s*=")


def _sheet_end(root: re.Match[bytes] | None) -> bytes:
    """The end tags that close a sheet part's sheet data and its root (``root``, as
    :data:`_ROOT` finds it), as its root is named."""
    return b"</sheetData></" + (root.group(1) if root else b"worksheet") + b">"


def _bare(root: re.Match[bytes] | None) -> bool:
    """Whether elements in no namespace in a sheet part are read as the main namespace's: when
    its root (``root``, as :data:`_ROOT` finds it) declares no default namespace
    (``<x:worksheet xmlns:x="...">`` holding ``<sheetData>``), as Excel reads them."""
    return root is not None and _DEFAULT_NAMESPACE.search(root.group(2)) is None


def _in_main(element: Element) -> None:
    """Put ``element`` and all it holds that is in no namespace in the main namespace."""
    for inner in element.iter():
        if inner.tag[:1] != "{":
            inner.tag = _M + inner.tag


def _sheet_data_end(data: bytes) -> int:
    """Where ``</sheetData>`` starts, when it is sure to end the part's one sheet data element
    (see :func:`_sheet_extent`); else -1."""
    if (data.count(b"sheetData") == 2 and not _opens(data, b"?", 5)
            and (not _opens(data, b"!") or (b"<!--" not in data and b"<![CDATA[" not in data))):
        return data.find(b"</sheetData>")
    return -1


def _fast_input(data: bytes) -> tuple[bytes, bool] | None:
    """What :mod:`workbook_engine.xlsx._fastsheet` reads of a part: what :func:`_rows` parses (its
    extent), so that it finds it well-formed exactly when ElementTree does, and whether it
    reads elements in no namespace as the main namespace's (:func:`_bare`). A part that
    :func:`_rows` streams may be left early there, and is parsed to its end in C, which then
    may give up where Python would not have looked. None when the accelerator is not built or
    the part has a DTD or another encoding."""
    if _fastsheet is None or not _without_dtd(data):
        return None
    root = _ROOT.match(data)
    return _sheet_extent(data, root), _bare(root)


_CHUNK = 64 * 1024


def _stream_rows(data: bytes, bare: bool) -> Iterator[Element]:
    """The ``<row>`` elements of a part without a DTD as each one ends, parsed in C piece by
    piece (see :func:`_without_dtd` for why that is safe); in no namespace too when ``bare``
    (see :func:`_main_rows`)."""
    parser: FastET.XMLPullParser[Element] = FastET.XMLPullParser(events=("end",))
    for at in range(0, len(data), _CHUNK):
        parser.feed(data[at:at + _CHUNK])
        yield from _main_rows(_ended(parser), bare)
    parser.close()
    yield from _main_rows(_ended(parser), bare)


def _ended(parser: FastET.XMLPullParser[Element]) -> Iterator[Element]:
    for event in parser.read_events():
        element = event[-1]
        if isinstance(element, Element):
            yield element


def _main_rows(ended: Iterable[Element], bare: bool) -> Iterator[Element]:
    """The ``<row>`` elements of elements given as each one ends; when ``bare``, also those in
    no namespace, each with all it holds put in the main namespace (:func:`_in_main`)."""
    if not bare:
        yield from (element for element in ended if element.tag == _ROW)
        return
    for element in ended:
        if element.tag in (_ROW, "row"):
            _in_main(element)
            yield element
