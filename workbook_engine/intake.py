"""Gathering the files given to harvest and deciding, from their bytes, what each one is.

Every file is untrusted (INTAKE.md cases 1-6): the extension is not believed, the first bytes
are; zip containers are checked against caps on entry count, part size, total size and
compression ratio before anything is parsed; archives of returns (``.zip``) are opened one
level deep. Inputs are only ever read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import struct
import zipfile
import zlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException

from .problems import Problem, problem

MAX_FILE_BYTES = 50 * 1024 * 1024       # a return is ~50 KB; an archive of many may be larger
MAX_ARCHIVE_BYTES = 500 * 1024 * 1024
MAX_ENTRIES = 1_000                     # parts in one workbook, or returns in one archive
MAX_PART_BYTES = 64 * 1024 * 1024       # one uncompressed part
MAX_TOTAL_BYTES = 256 * 1024 * 1024     # all parts of one workbook, uncompressed
MAX_RATIO = 200                         # uncompressed / compressed, for parts over 1 MiB
RATIO_FLOOR = 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SKIPPED_PREFIXES = ("~$", ".~lock.")    # lock files left by Excel and LibreOffice


class Sniffed(Enum):
    """What the bytes of a file are."""

    ZIP = "zip"
    OLE2 = "ole2"
    EMPTY = "empty"
    OTHER = "other"


@dataclass(frozen=True)
class Candidate:
    """One file to harvest: its display name, bytes, digest and modification time."""

    name: str
    data: bytes
    sha256: str
    modified: dt.datetime | None

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)


def sniff(data: bytes) -> Sniffed:
    """Classify bytes by their magic number, never by a file name."""
    if not data:
        return Sniffed.EMPTY
    if data.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        return Sniffed.ZIP
    if data.startswith(OLE2_MAGIC):
        return Sniffed.OLE2
    return Sniffed.OTHER


def zip_over_caps(archive: zipfile.ZipFile, max_entries: int = MAX_ENTRIES) -> str | None:
    """Check a zip's declared sizes against the caps; the Thai reason of the first cap exceeded.

    Declared sizes can lie; :func:`read_part` enforces the part cap again while reading.
    """
    infos = archive.infolist()
    if len(infos) > max_entries:
        return f"มี {len(infos):,} รายการ"
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_PART_BYTES:
            return f"ส่วน {info.filename} ขยายได้ {info.file_size:,} ไบต์"
        if info.file_size > RATIO_FLOOR and \
                info.file_size > MAX_RATIO * max(info.compress_size, 1):
            return f"ส่วน {info.filename} บีบอัดไว้ผิดปกติ"
    if total > MAX_TOTAL_BYTES:
        return f"ขยายรวมได้ {total:,} ไบต์"
    return None


# What reading a damaged zip can raise: broken structure, a bad deflate stream, a short file,
# malformed XML, values that are not what the format says (a ref like "A0", an index), an
# unknown XML encoding, or zip features Python does not implement (old versions, other
# compression methods, encrypted entries).
DAMAGE: tuple[type[Exception], ...] = (
    zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, IndexError, LookupError,
    RuntimeError)


def damage_reason(exc: BaseException) -> str:
    """Thai words for what an exception raised while reading a file says is wrong with it,
    without the exception's class name."""
    if isinstance(exc, DefusedXmlException):
        return "มีการประกาศ DTD หรือ entity ใน XML ซึ่งไม่อนุญาต"
    if isinstance(exc, ParseError):
        line = getattr(exc, "position", (0, 0))[0]
        return f"XML ไม่สมบูรณ์ที่บรรทัด {line}" if line else "XML ไม่สมบูรณ์"
    if isinstance(exc, PartTooLarge):
        return "ส่วนของไฟล์ขยายได้ใหญ่เกินขีดจำกัด"
    if isinstance(exc, zipfile.BadZipFile):
        return "โครงสร้าง zip เสียหาย"
    if isinstance(exc, zlib.error):
        return "ข้อมูลที่บีบอัดไว้เสียหาย"
    if isinstance(exc, EOFError):
        return "ไฟล์ถูกตัดสั้น"
    if isinstance(exc, UnicodeError):
        return "การเข้ารหัสอักขระไม่ถูกต้อง"
    if isinstance(exc, LookupError):
        return "ระบุการเข้ารหัสอักขระหรือส่วนของไฟล์ที่ไม่มีอยู่"
    if isinstance(exc, NotImplementedError):
        return "บีบอัดด้วยวิธีที่ระบบไม่รองรับ"
    if isinstance(exc, RuntimeError):
        return "ส่วนของไฟล์ถูกเข้ารหัสหรืออ่านไม่ได้"
    if isinstance(exc, OSError):
        return "อ่านข้อมูลจากไฟล์ไม่ได้"
    return "ค่าในไฟล์ไม่ถูกต้องตามรูปแบบ"


class PartTooLarge(ValueError):
    """A zip part inflated past its cap while being read."""


def read_part(archive: zipfile.ZipFile, member: str, limit: int = MAX_PART_BYTES) -> bytes:
    """Read one zip member, refusing to inflate more than ``limit`` bytes.

    Raises:
        KeyError: when the member does not exist.
        PartTooLarge: when it inflates past ``limit``.
    """
    info = archive.getinfo(member)
    data = _inflate_in_memory(archive, info) if info.file_size <= limit else None
    if data is not None:
        return data
    with archive.open(info) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise PartTooLarge(member)
    return data


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")   # zipfile's structFileHeader
# flags that change nothing in reading: deflate's level (bits 1-2), a data descriptor, a UTF-8
# name (encryption and the rest are left to zipfile)
_PLAIN_FLAGS = 0x0002 | 0x0004 | 0x0008 | 0x0800


def _inflate_in_memory(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """A deflated member of a zip held in memory, inflated in one call: what ``zipfile`` would
    read, at a fraction of its cost for the small parts of a workbook. None for anything else
    (another compression, encryption, any damage or disagreement), which ``zipfile`` then reads
    and judges as it always has."""
    source = archive.fp
    if not isinstance(source, io.BytesIO) or info.compress_type != zipfile.ZIP_DEFLATED \
            or info.flag_bits & ~_PLAIN_FLAGS:
        return None
    with source.getbuffer() as whole:
        start = info.header_offset
        if start < 0:       # a directory claiming more than the file holds: zipfile says so
            return None
        header = bytes(whole[start:start + _LOCAL_HEADER.size])
        if len(header) != _LOCAL_HEADER.size:
            return None
        fields = _LOCAL_HEADER.unpack(header)
        if fields[0] != ZIP_MAGIC:
            return None
        name_at = start + _LOCAL_HEADER.size
        name = bytes(whole[name_at:name_at + fields[10]])
        legacy = getattr(archive, "metadata_encoding", None) or "cp437"   # as zipfile decodes
        encoding = "utf-8" if fields[3] & 0x0800 else legacy
        try:
            if name.decode(encoding) != info.orig_filename:
                return None
        except UnicodeDecodeError:
            return None
        data_at = name_at + fields[10] + fields[11]
        if data_at + info.compress_size > len(whole):
            return None
        raw = whole[data_at:data_at + info.compress_size]
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            data = inflater.decompress(raw, info.file_size + 1)
        except zlib.error:
            return None
        finally:
            raw.release()
    if not inflater.eof or len(data) != info.file_size or zlib.crc32(data) != info.CRC:
        return None
    return data


def _candidate(name: str, data: bytes, modified: dt.datetime | None) -> Candidate:
    return Candidate(name, data, hashlib.sha256(data).hexdigest(), modified)


def collect(paths: Iterable[Path], exclude: Collection[Path] = ()
            ) -> tuple[list[Candidate], list[Problem]]:
    """Every file under ``paths`` (files, folders recursively, ``.zip`` archives of returns).

    Args:
        paths: files, folders and archives to read.
        exclude: files to pass over silently: the harvest's own outputs, when they are written
            into the folder being harvested.

    Returns:
        The candidates in a stable order, and problems for what could not even be read.
    """
    candidates: list[Candidate] = []
    problems: list[Problem] = []
    skipped = _Skipped(exclude)
    for root in paths:
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in files:
            name = str(path)
            try:
                info = path.stat()
            except OSError as exc:
                problems.append(_unreadable(name, exc))
                continue
            if skipped.holds(path, info):
                continue
            if path.name.startswith(SKIPPED_PREFIXES):
                problems.append(problem("FILE_LOCK_FILE_SKIPPED", file=name))
                continue
            limit = MAX_ARCHIVE_BYTES if path.suffix.lower() == ".zip" else MAX_FILE_BYTES
            if info.st_size > limit:
                problems.append(problem("FILE_TOO_LARGE", file=name, size=f"{info.st_size:,}"))
                continue
            try:
                data = path.read_bytes()
            except OSError as exc:
                problems.append(_unreadable(name, exc))
                continue
            if path.suffix.lower() == ".zip" and _is_archive(data):
                found, trouble = _unpack(name, data)
                candidates.extend(found)
                problems.extend(trouble)
            else:
                modified = dt.datetime.fromtimestamp(info.st_mtime, tz=dt.UTC)
                candidates.append(_candidate(name, data, modified))
    return candidates, problems


def _unreadable(name: str, exc: OSError) -> Problem:
    """The problem of a file that cannot be read (a lock file is skipped as usual)."""
    if Path(name).name.startswith(SKIPPED_PREFIXES):
        return problem("FILE_LOCK_FILE_SKIPPED", file=name)
    return problem("FILE_UNREADABLE", file=name, reason=exc.strerror or type(exc).__name__)


class _Skipped:
    """The files to pass over: the same file whatever path leads to it, by device and inode
    from the one stat each file gets; by the resolved path where a file system gives no inode
    number (0, as some network and FAT volumes on Windows do)."""

    def __init__(self, exclude: Collection[Path]) -> None:
        self.paths = {p.resolve() for p in exclude}
        self.files = set()
        for path in exclude:
            try:
                info = path.stat()
            except OSError:
                continue
            if info.st_ino:
                self.files.add((info.st_dev, info.st_ino))

    def holds(self, path: Path, info: os.stat_result) -> bool:
        """Whether ``path``, whose stat is ``info``, is one of them."""
        if not self.paths:
            return False
        if info.st_ino:
            return (info.st_dev, info.st_ino) in self.files
        return path.resolve() in self.paths


def _is_archive(data: bytes) -> bool:
    """A zip that is not itself a workbook (no ``[Content_Types].xml``)."""
    if sniff(data) is not Sniffed.ZIP:
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "[Content_Types].xml" not in archive.namelist()
    except DAMAGE:
        return False


def _unpack(name: str, data: bytes) -> tuple[list[Candidate], list[Problem]]:
    """The files inside an archive of returns, one level deep, within the caps."""
    found: list[Candidate] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            reason = zip_over_caps(archive, MAX_ENTRIES)
            if reason:
                return [], [problem("FILE_ZIP_BOMB", file=name, reason=reason)]
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                if info.is_dir() or Path(info.filename).name.startswith(SKIPPED_PREFIXES):
                    continue
                if info.filename.startswith("__MACOSX/"):
                    continue
                inner = f"{name}/{info.filename}"
                part = read_part(archive, info.filename, MAX_FILE_BYTES)
                modified = dt.datetime(*info.date_time, tzinfo=dt.UTC)
                found.append(_candidate(inner, part, modified))
    except PartTooLarge as exc:
        return found, [problem("FILE_ZIP_BOMB", file=name, reason=f"ส่วน {exc} ใหญ่เกินไป")]
    except DAMAGE as exc:
        reason = f"อ่านไฟล์ zip ไม่ได้: {type(exc).__name__}"
        return found, [problem("FILE_CORRUPT", file=name, reason=reason)]
    return found, []
