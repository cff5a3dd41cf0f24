"""Output files written atomically: under a temporary name beside their place, then renamed.

A reader of the folder never sees half a file, and a run that fails leaves the previous file as
it was (CONTRACT section 3: exit code 2 means nothing was written).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from ..errors import OutputError


def temporary_beside(path: Path) -> Path:
    """The temporary name a file is written under before it is put at ``path``."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


@contextlib.contextmanager
def atomic(path: Path) -> Iterator[Path]:
    """A temporary path to write ``path``'s content to: put in place when the block ends,
    removed when it raises.

    Raises:
        OSError: when the file cannot be put in place.
    """
    temporary = temporary_beside(path)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


class Output:
    """One file to write: :attr:`temporary` first, then :meth:`commit` puts it at :attr:`path`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.temporary = temporary_beside(path)

    def commit(self) -> None:
        """Put the saved file in place of the previous one.

        Raises:
            OutputError: when it cannot be (held open by another program, on Windows).
        """
        try:
            os.replace(self.temporary, self.path)
        except OSError as exc:
            self.discard()
            raise self.error(exc) from exc

    def discard(self) -> None:
        """Leave no temporary file."""
        self.temporary.unlink(missing_ok=True)

    def error(self, exc: Exception) -> OutputError:
        """The Thai message for a file that cannot be written."""
        return OutputError(f"เขียนไฟล์ {self.path} ไม่ได้: {getattr(exc, 'strerror', None) or exc}")


class Spooled(NamedTuple):
    """Where a rendered piece is kept in a :class:`Spool`."""

    offset: int
    size: int


class Spool:
    """Rendered pieces of an output (a sheet's rows, the JSON's lines) kept in a temporary
    file instead of memory until the output is written (the summary's KPI rows are ~30 KB an
    office: 600 MB for 20,000 offices)."""

    def __init__(self, folder: str | None = None) -> None:
        """A spool in ``folder`` (the output's: not a RAM-backed /tmp), else the system's."""
        self._file = tempfile.TemporaryFile(dir=folder)    # noqa: SIM115 (closed by close())
        self._end = 0
        self._reading = False     # the file's position left the end (seeking costs a flush)

    def keep(self, cells: str) -> Spooled:
        """Keep ``cells`` (a piece of text); where they are.

        Raises:
            OSError: when the disk is full.
        """
        data = cells.encode("utf-8")
        if self._reading:
            self._file.seek(self._end)
            self._reading = False
        self._file.write(data)
        kept = Spooled(self._end, len(data))
        self._end += len(data)
        return kept

    def cells(self, kept: Spooled) -> str:
        """The cells kept at ``kept``."""
        self._file.seek(kept.offset)
        self._reading = True
        return self._file.read(kept.size).decode("utf-8")

    def close(self) -> None:
        """Remove the file."""
        self._file.close()
