"""Checking problems as users read them, for the tests of every problem code: one problem found
at its file, sheet and cell, in Thai, saying where and what to do; and inputs left untouched."""

from __future__ import annotations

import ast
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from workbook_engine.problems import CATALOGUE, Code, Problem, Severity

from . import hostile_files as H

ANY: object = object()               # "do not check" for expect's office
THAI = re.compile(r"[\u0e00-\u0e7f]")


def expect(problems: Iterable[Problem], code: Code, severity: Severity, file: Path | str | None,
           sheet: str | None = None, cell: str | None = None, office: object = ANY,
           says: Sequence[str] = ()) -> Problem:
    """The one problem ``code`` at ``cell`` of ``file`` (about ``office``, unless ANY): its
    severity, where it is, and a Thai message that says where (file, sheet, cell), what to do,
    and each of ``says``."""
    problems = list(problems)
    name = None if file is None else str(file)
    found = [p for p in problems if p.code == code.name and p.file == name and p.cell == cell
             and (office is ANY or p.office == office)]
    assert len(found) == 1, (f"{code.name} at {name} {cell} not found once in "
                             f"{[(p.code, p.file, p.office, p.sheet, p.cell) for p in problems]}")
    p = found[0]
    assert p.severity is severity is code.severity
    assert p.sheet == sheet, (p.sheet, sheet)
    as_dict = p.as_dict()
    assert as_dict["code"] == code.name and as_dict["severity"] == severity.value
    message = p.message
    assert THAI.search(message), "the message is in Thai"
    assert "\n" not in message and "{" not in message, message
    if name is not None:
        assert f"ไฟล์ {name}" in message, "the message names the file"
    if sheet is not None:
        assert f"ชีต '{sheet}'" in message, "the message names the sheet"
    if cell is not None:
        assert f"เซลล์ {cell}" in message, "the message names the cell"
    fixed = re.split(r"\{\w+\}", code.fix)[0]        # what to do, up to its first value
    if fixed:
        assert fixed in message, f"the message says what to do: {message}"
    else:
        assert says, f"{code.name}: what to do depends on the value; say what it must say"
    for words in says:
        assert words in message, f"{words!r} not in {message}"
    return p


def errors(problems: Iterable[Problem]) -> list[tuple[str, str | None]]:
    """The errors' codes and cells, sorted."""
    return sorted((p.code, p.cell) for p in problems if p.is_error)


def digest(path: Path) -> tuple[str, int]:
    """SHA-256 and modification time (ns) of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def digests(folder: Path) -> dict[str, tuple[str, int]]:
    """:func:`digest` of every file under ``folder``."""
    return {str(p.relative_to(folder)): digest(p) for p in sorted(folder.rglob("*"))
            if p.is_file()}


def codes_used(path: Path) -> set[str]:
    """``Code.<NAME>`` as written in a file's code (not in its comments or strings)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.attr for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id == "Code"}


def expect_calls(path: Path, case_codes: Iterable[Code]) -> list[str]:
    """The codes a test file's ``expect`` calls give (``case.code`` for a case table's), once
    it is checked that every one, and every code of its case tables, is in the catalogue."""
    assert all(code.name in CATALOGUE for code in case_codes)
    source = path.read_text(encoding="utf-8")
    calls = re.findall(r"\bexpect\(\s*[\w.()]+,\s*(Code\.\w+|case\.code)", source)
    assert "case.code" in calls and all(c == "case.code" or c[5:] in CATALOGUE for c in calls)
    return calls


@dataclass(frozen=True)
class LockedCase:
    """A locked cell changed: the changes made, the cell the problem names, and what its
    message must say."""

    changes: tuple[H.Change, ...]
    cell: str
    says: tuple[str, ...] = ()
