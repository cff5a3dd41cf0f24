"""The zip rules every xlsx read here obeys: caps on entries, part sizes, total size and
compression ratio, checked before anything is inflated; parts inflated within a cap; and what
reading a damaged zip can raise, said in Thai."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException

MAX_ENTRIES = 1_000                     # parts in one workbook
MAX_PART_BYTES = 64 * 1024 * 1024       # one uncompressed part
MAX_TOTAL_BYTES = 256 * 1024 * 1024     # all parts of one workbook, uncompressed
MAX_RATIO = 200                         # uncompressed / compressed, for parts over 1 MiB
RATIO_FLOOR = 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class ZipCaps:
    """The caps a kind of zip is held to: entries, one entry's size (None: each entry is
    judged on its own) and all entries' size, uncompressed."""

    entries: int
    part_bytes: int | None
    total_bytes: int


WORKBOOK_CAPS = ZipCaps(MAX_ENTRIES, MAX_PART_BYTES, MAX_TOTAL_BYTES)
# The master: สพบ.'s own file, but read as carefully; a national one (20,000 offices x 20 KPIs,
# 400,000 assignment rows) has a sheet part of ~100 MB.
MASTER_CAPS = ZipCaps(MAX_ENTRIES, 1024 * 1024 * 1024, 2 * 1024 * 1024 * 1024)


def zip_over_caps(archive: zipfile.ZipFile, caps: ZipCaps = WORKBOOK_CAPS) -> str | None:
    """Check a zip's declared sizes against the caps; the Thai reason of the first cap exceeded.

    Declared sizes can lie; :func:`read_part` enforces the part cap again while reading.
    """
    infos = archive.infolist()
    if len(infos) > caps.entries:
        return f"มี {len(infos):,} รายการ"
    total = 0
    for info in infos:
        total += info.file_size
        if caps.part_bytes is not None and info.file_size > caps.part_bytes:
            return f"ส่วน {info.filename} ขยายได้ {info.file_size:,} ไบต์"
        if info.file_size > RATIO_FLOOR and \
                info.file_size > MAX_RATIO * max(info.compress_size, 1):
            return f"ส่วน {info.filename} บีบอัดไว้ผิดปกติ"
    if total > caps.total_bytes:
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
    if isinstance(exc, ParseError) and exc.position[0]:
        return f"XML ไม่สมบูรณ์ที่บรรทัด {exc.position[0]}"
    return next(reason for kind, reason in _DAMAGE_REASONS if isinstance(exc, kind))


class PartTooLarge(ValueError):
    """A zip part inflated past its cap while being read."""


# the first kind an exception is of says what is wrong (KeyError and IndexError before the
# LookupError they are, UnicodeError before ValueError)
_DAMAGE_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (DefusedXmlException, "มีการประกาศ DTD หรือ entity ใน XML ซึ่งไม่อนุญาต"),
    (ParseError, "XML ไม่สมบูรณ์"),
    (PartTooLarge, "ส่วนของไฟล์ขยายได้ใหญ่เกินขีดจำกัด"),
    (zipfile.BadZipFile, "โครงสร้าง zip เสียหาย"),
    (zlib.error, "ข้อมูลที่บีบอัดไว้เสียหาย"),
    (EOFError, "ไฟล์ถูกตัดสั้น"),
    (KeyError, "ไม่มีส่วนของไฟล์ที่ต้องใช้"),
    (UnicodeError, "การเข้ารหัสอักขระไม่ถูกต้อง"),
    (IndexError, "ค่าในไฟล์ไม่ถูกต้องตามรูปแบบ"),
    (LookupError, "ระบุการเข้ารหัสอักขระที่ระบบไม่รู้จัก"),
    (NotImplementedError, "บีบอัดด้วยวิธีที่ระบบไม่รองรับ"),
    (RuntimeError, "ส่วนของไฟล์ถูกเข้ารหัสหรืออ่านไม่ได้"),
    (OSError, "อ่านข้อมูลจากไฟล์ไม่ได้"),
    (BaseException, "ค่าในไฟล์ไม่ถูกต้องตามรูปแบบ"),
)


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
