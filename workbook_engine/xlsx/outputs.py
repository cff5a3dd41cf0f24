"""Output files written atomically: under a temporary name beside their place, then renamed.

A reader of the folder never sees half a file, and a run that fails leaves the previous file as
it was (CONTRACT section 3: exit code 2 means nothing was written).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

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
