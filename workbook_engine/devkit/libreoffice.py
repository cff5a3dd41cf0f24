"""Driving LibreOffice headless: recalculate, re-save and render workbooks.

Used by the tests (to prove the formulas compute what Python computes), by the sample script
(a return re-saved as a LibreOffice user would) and for rendering sheets to look at. Each call
gets its own fresh profile, so parallel calls never collide.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
FILTERS = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "pdf": "pdf:calc_pdf_Export",
           "ods": "ods", "xls": "xls:MS Excel 97", "csv": "csv"}


class LibreOfficeError(RuntimeError):
    """LibreOffice is missing, failed, or produced no output."""


def find_soffice() -> str | None:
    """The path of ``soffice`` (or ``libreoffice``), or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(sources: Sequence[Path], out_dir: Path, target: str = "xlsx",
            recalculate: bool = True, timeout: float = 300) -> list[Path]:
    """Open each source in LibreOffice Calc and save it as ``target`` into ``out_dir``.

    Args:
        sources: workbooks to convert (one LibreOffice start for all of them).
        out_dir: where the converted files go; must differ from the sources' folders.
        target: a key of :data:`FILTERS` (``xlsx``, ``pdf``, ``ods``, ``xls``, ``csv``).
        recalculate: recalculate every formula on load (otherwise cached values are kept).
        timeout: seconds before giving up.

    Returns:
        The converted files, in the order of ``sources``.

    Raises:
        LibreOfficeError: when LibreOffice is missing or a converted file does not appear.
    """
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeError("LibreOffice (soffice) is not installed")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        if recalculate:
            (user / "registrymodifications.xcu").write_text(_RECALC_ALWAYS, encoding="utf-8")
        command = [soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                   "--norestore", "--nolockcheck", "--calc", "--convert-to", FILTERS[target],
                   "--outdir", str(out_dir), *[str(s) for s in sources]]
        env = {**os.environ, "SAL_USE_VCLPLUGIN": "svp"}
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              env=env, check=False)
    extension = target.split(":")[0]
    outputs = [out_dir / f"{Path(s).stem}.{extension}" for s in sources]
    missing = [p for p in outputs if not p.exists()]
    if done.returncode != 0 or missing:
        raise LibreOfficeError(f"soffice exit {done.returncode}; missing {missing}; "
                               f"{done.stderr.strip()[:500]}")
    return outputs
