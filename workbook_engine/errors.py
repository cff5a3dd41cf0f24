"""Exceptions, for the cases where the engine cannot go on at all.

Everything else is a :class:`~workbook_engine.problems.Problem`, collected and reported. Each
exception carries the command line's exit code for it (CONTRACT section 3).
"""

from __future__ import annotations

from .problems import Problem, error_count

PROBLEMS_FOUND = 1      # the command's exit codes (CONTRACT section 3), besides 0
NOTHING_DONE = 2


class WorkbookEngineError(Exception):
    """Root of every exception the engine raises on purpose; its message is Thai."""

    exit_code = NOTHING_DONE


class InvalidMasterError(WorkbookEngineError, ValueError):
    """The master workbook cannot be used; ``problems`` says why, cell by cell."""

    exit_code = PROBLEMS_FOUND

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"ไฟล์ต้นแบบมีข้อผิดพลาด {error_count(problems)} รายการ")


class OutputError(WorkbookEngineError, OSError):
    """An output file or folder cannot be written; the previous output is left as it was."""
