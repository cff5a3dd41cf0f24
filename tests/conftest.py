"""Shared fixtures. Tests that need LibreOffice fail (not skip) under CI=true when it is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
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


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page of ``pdf`` (poppler's pdftotext), without white space (which it
    puts inside some Thai words)."""
    if shutil.which("pdftotext") is None:
        missing("poppler-utils (pdftotext) is required: apt-get install poppler-utils")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return ["".join(page.split()) for page in text.split("\f")[:-1]]


@pytest.fixture(scope="session")
def libreoffice() -> Converter:
    """``convert(sources, out_dir, target="xlsx", recalculate=True)`` through LibreOffice."""
    if find_soffice() is None:
        missing("LibreOffice (soffice) is required: apt-get install libreoffice-calc-nogui")

    def run(sources: Sequence[Path], out_dir: Path, target: str = "xlsx",
            recalculate: bool = True) -> list[Path]:
        return convert(list(sources), out_dir, target, recalculate)

    return run
