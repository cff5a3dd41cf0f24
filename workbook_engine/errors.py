"""Exceptions, for the cases where the engine cannot go on at all.

Everything else is a :class:`~workbook_engine.problems.Problem`, collected and reported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .problems import Problem


class WorkbookEngineError(Exception):
    """Root of every exception the engine raises on purpose."""


class InvalidMasterError(WorkbookEngineError, ValueError):
    """The master workbook cannot be used; ``problems`` says why, cell by cell."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = sum(1 for p in problems if p.is_error)
        super().__init__(f"ไฟล์ต้นแบบมีข้อผิดพลาด {errors} รายการ")


class OutputError(WorkbookEngineError, OSError):
    """An output file or folder cannot be written; the previous output is left as it was."""
