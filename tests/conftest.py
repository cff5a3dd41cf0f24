"""Shared fixtures. Tests that need LibreOffice fail (not skip) under CI=true when it is missing."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from workbook_engine.devkit.libreoffice import convert, find_soffice

Converter = Callable[..., list[Path]]


def missing(message: str, module: bool = False) -> None:
    """A program or build a test needs is missing: fail under CI=true, else skip."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message, allow_module_level=module)


@pytest.fixture(scope="session")
def libreoffice() -> Converter:
    """``convert(sources, out_dir, target="xlsx", recalculate=True)`` through LibreOffice."""
    if find_soffice() is None:
        missing("LibreOffice (soffice) is required: apt-get install libreoffice-calc-nogui")

    def run(sources: Sequence[Path], out_dir: Path, target: str = "xlsx",
            recalculate: bool = True) -> list[Path]:
        return convert(list(sources), out_dir, target, recalculate)

    return run
