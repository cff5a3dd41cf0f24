"""Shared fixtures. Tests that need LibreOffice fail (not skip) under CI=true when it is missing."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from workbook_engine.libreoffice import convert, find_soffice

Converter = Callable[..., list[Path]]


@pytest.fixture(scope="session")
def libreoffice() -> Converter:
    """``convert(sources, out_dir, target="xlsx", recalculate=True)`` through LibreOffice."""
    if find_soffice() is None:
        message = "LibreOffice (soffice) is required: apt-get install libreoffice-calc-nogui"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)

    def run(sources: Sequence[Path], out_dir: Path, target: str = "xlsx",
            recalculate: bool = True) -> list[Path]:
        return convert(list(sources), out_dir, target, recalculate)

    return run
