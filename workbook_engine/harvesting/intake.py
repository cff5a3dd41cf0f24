"""Finding the files given to harvest, and reading each one's bytes where it is checked.

Every file is untrusted (INTAKE.md cases 1-6): the extension is not believed, the first bytes
are; zip containers are checked against caps on entry count, part size, total size and
compression ratio before anything is parsed; archives of returns (``.zip``) are opened one
level deep. :func:`collect` lists the files without reading them; :func:`load` reads one in the
worker that checks it, whole only when it may be a workbook, so memory holds one file at a time
however large the inputs are. Inputs are only ever read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import zipfile
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path, PurePosixPath
from typing import IO

from ..problems import Code, Problem, problem
from ..xlsx.zips import DAMAGE, ZIP_MAGIC, PartTooLarge, ZipCaps, damage_reason, zip_over_caps

MAX_FILE_BYTES = 50 * 1024 * 1024       # a return is ~50 KB; an archive of many may be larger
# An archive of returns: a national one holds one return (~50 KB) for each of 20,000 offices
# and more; each member is then held to a return's size on its own (FILE_TOO_LARGE).
MAX_ARCHIVE_BYTES = 4 * 1024 ** 3
ARCHIVE_CAPS = ZipCaps(entries=50_000, part_bytes=None, total_bytes=16 * 1024 ** 3)
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
    """One file to harvest: its display name, where its bytes are (a file, or a member of the
    archive at ``path``), its size and modification time. Its bytes are read by :func:`load`,
    in the process that checks it."""

    name: str
    path: Path
    member: str | None
    size: int
    modified: dt.datetime | None


def sniff(data: bytes) -> Sniffed:
    """Classify bytes by their magic number, never by a file name."""
    if not data:
        return Sniffed.EMPTY
    if data.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        return Sniffed.ZIP
    if data.startswith(OLE2_MAGIC):
        return Sniffed.OLE2
    return Sniffed.OTHER


def collect(paths: Iterable[Path], exclude: Collection[Path] = ()
            ) -> tuple[list[Candidate], list[Problem]]:
    """Every file under ``paths`` (files, folders recursively, ``.zip`` archives of returns),
    found without reading more of any file than an archive's directory.

    Args:
        paths: files, folders and archives to read.
        exclude: files to pass over silently: the harvest's own outputs, when they are written
            into the folder being harvested.

    Returns:
        The candidates in a stable order, each file once however often it was given, and
        problems for what could not even be looked at.
    """
    candidates: list[Candidate] = []
    problems: list[Problem] = []
    skipped = _Skipped(exclude)
    seen: set[object] = set()
    for root in paths:
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in files:
            name = str(path)
            try:
                info = path.stat()
            except OSError as exc:
                problems.append(_unreadable(name, exc))
                continue
            identity = _identity(path, info)
            if skipped.holds(identity) or identity in seen:
                continue
            seen.add(identity)
            if path.name.startswith(SKIPPED_PREFIXES):
                problems.append(problem(Code.FILE_LOCK_FILE_SKIPPED, file=name))
                continue
            limit = MAX_ARCHIVE_BYTES if path.suffix.lower() == ".zip" else MAX_FILE_BYTES
            if info.st_size > limit:
                problems.append(problem(Code.FILE_TOO_LARGE, file=name, size=f"{info.st_size:,}"))
                continue
            unpacked = _unpack(path, name) if path.suffix.lower() == ".zip" else None
            if unpacked is not None:
                candidates.extend(unpacked[0])
                problems.extend(unpacked[1])
                continue
            modified = dt.datetime.fromtimestamp(info.st_mtime, tz=dt.UTC)
            candidates.append(Candidate(name, path, None, info.st_size, modified))
    return candidates, problems


def _unreadable(name: str, exc: OSError) -> Problem:
    """The problem of a file that cannot be read (a lock file is skipped as usual)."""
    if Path(name).name.startswith(SKIPPED_PREFIXES):
        return problem(Code.FILE_LOCK_FILE_SKIPPED, file=name)
    return problem(Code.FILE_UNREADABLE, file=name, reason=exc.strerror or damage_reason(exc))


def _identity(path: Path, info: os.stat_result) -> object:
    """What tells one file from another, whatever path leads to it: its device and inode, or
    its resolved path where a file system gives no inode number (0, as some network and FAT
    volumes on Windows do)."""
    return (info.st_dev, info.st_ino) if info.st_ino else path.resolve()


class _Skipped:
    """The files to pass over, known by :func:`_identity`."""

    def __init__(self, exclude: Collection[Path]) -> None:
        self.files: set[object] = {p.resolve() for p in exclude}
        for path in exclude:
            try:
                info = path.stat()
            except OSError:
                continue
            self.files.add(_identity(path, info))

    def holds(self, identity: object) -> bool:
        """Whether the file known by ``identity`` is one of them."""
        return identity in self.files


def _unpack(path: Path, name: str) -> tuple[list[Candidate], list[Problem]] | None:
    """The returns listed in an archive of returns (one level deep, within the caps), and
    problems for its other members; None when the file is not such an archive (not a zip, or
    a workbook named ``.zip``), which is then checked as a return."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(ZIP_MAGIC))
    except OSError as exc:
        return [], [_unreadable(name, exc)]
    if sniff(magic) is not Sniffed.ZIP:
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            if "[Content_Types].xml" in archive.namelist():
                return None
            reason = zip_over_caps(archive, ARCHIVE_CAPS)
            if reason:
                return [], [problem(Code.FILE_ZIP_BOMB, file=name, reason=reason)]
            return _members(path, name, archive)
    except DAMAGE:
        return None           # checked as a return, which says what is wrong with it


def _members(path: Path, name: str, archive: zipfile.ZipFile
             ) -> tuple[list[Candidate], list[Problem]]:
    """The candidates of an archive's members, in name order; lock files, members too large
    to be returns and an archive holding nothing to harvest are problems."""
    found: list[Candidate] = []
    problems: list[Problem] = []
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        if info.is_dir() or info.filename.startswith("__MACOSX/"):
            continue
        inner = f"{name}/{member_name(info)}"
        if PurePosixPath(info.filename).name.startswith(SKIPPED_PREFIXES):
            problems.append(problem(Code.FILE_LOCK_FILE_SKIPPED, file=inner))
        elif info.file_size > MAX_FILE_BYTES:
            problems.append(problem(Code.FILE_TOO_LARGE, file=inner, size=f"{info.file_size:,}"))
        else:
            found.append(Candidate(inner, path, info.filename, info.file_size,
                                   _zip_time(info)))
    if not found:
        problems.append(problem(Code.FILE_ARCHIVE_EMPTY, file=name))
    return found, problems


def _zip_time(info: zipfile.ZipInfo) -> dt.datetime | None:
    """A member's modification time, when its stored date is a real one."""
    try:
        return dt.datetime(*info.date_time, tzinfo=dt.UTC)
    except ValueError:
        return None


_UTF8_NAME = 0x0800
# what else Windows' code page 874 holds beside Thai letters: typographic marks and the euro
_CP874_MARKS = frozenset("\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac")


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its maker wrote it.

    A name without the UTF-8 flag is code page 437 by the zip standard, as ``zipfile`` reads
    it; but a name that is valid UTF-8 is taken as UTF-8 (tools that omit the flag), and one
    that reads as Thai in code page 874 as Thai (Windows' built-in zip on a Thai PC writes
    names so, and Thai users' archive tools read them so).
    """
    if info.flag_bits & _UTF8_NAME:
        return info.filename
    raw = info.orig_filename.encode("cp437")
    if raw.isascii():
        return info.filename
    try:
        return raw.decode("utf-8").replace("\\", "/")
    except UnicodeDecodeError:
        pass
    try:
        thai = raw.decode("cp874")
    except UnicodeDecodeError:
        return info.filename
    return thai.replace("\\", "/") if _reads_as_thai(thai) else info.filename


def _reads_as_thai(text: str) -> bool:
    """Whether every character beyond ASCII is a Thai one or another mark of code page 874,
    and there is a Thai letter."""
    beyond = [ch for ch in text if ord(ch) >= 0x80]
    return any("\u0e01" <= ch <= "\u0e5b" for ch in beyond) and all(
        "\u0e01" <= ch <= "\u0e5b" or ch in _CP874_MARKS for ch in beyond)


@dataclass(frozen=True)
class Loaded:
    """What the checks need of a candidate's bytes: all of them when they may be a workbook
    (a zip or OLE2 container), else only the first :data:`HEAD_BYTES`; the digest and size of
    them all."""

    head: bytes
    data: bytes | None
    sha256: str
    size: int


HEAD_BYTES = 64 * 1024
_STREAM_CHUNK = 1024 * 1024


class Archives:
    """The archives of returns opened while a batch of candidates is read, each opened once
    and closed when the batch is done."""

    def __init__(self) -> None:
        self._open: dict[Path, zipfile.ZipFile] = {}

    def __enter__(self) -> Archives:
        return self

    def __exit__(self, *_: object) -> None:
        for archive in self._open.values():
            archive.close()
        self._open.clear()

    def open(self, candidate: Candidate) -> IO[bytes]:
        """A stream of the candidate's bytes.

        Raises:
            OSError, and for a member of an archive what reading a damaged zip raises
            (:data:`DAMAGE`).
        """
        if candidate.member is None:
            return candidate.path.open("rb")
        archive = self._open.get(candidate.path)
        if archive is None:
            archive = self._open[candidate.path] = zipfile.ZipFile(candidate.path)
        return archive.open(candidate.member)


def load(candidate: Candidate, archives: Archives) -> Loaded:
    """Read a candidate: whole when it may be a workbook (within :data:`MAX_FILE_BYTES`),
    else streamed through the digest, so that memory holds one file at most.

    Raises:
        OSError, PartTooLarge, and for a member of an archive what reading a damaged zip
        raises (:data:`DAMAGE`).
    """
    with archives.open(candidate) as handle:
        head = handle.read(HEAD_BYTES)
        if sniff(head) in (Sniffed.ZIP, Sniffed.OLE2):
            data = head + handle.read(MAX_FILE_BYTES + 1 - len(head))
            if len(data) > MAX_FILE_BYTES:
                raise PartTooLarge(candidate.member or candidate.name)
            return Loaded(head, data, hashlib.sha256(data).hexdigest(), len(data))
        digest, size = hashlib.sha256(head), len(head)
        for chunk in iter(lambda: handle.read(_STREAM_CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
        return Loaded(head, None, digest.hexdigest(), size)
