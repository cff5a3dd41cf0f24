"""``workbook-engine new-master``: an empty master with headers, instructions and dropdowns.

Its layout (the guide, headers, widths, dropdowns) is :func:`.writer.layout`, which a master
written in full by :func:`.writer.write_master` has too.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from ..xlsx.outputs import atomic
from ..xlsx.writer import workbook_options
from .writer import GUIDE_SHEET as GUIDE_SHEET
from .writer import LISTS_SHEET as LISTS_SHEET
from .writer import layout


def write_new_master(path: str | Path, fiscal_year: int | None = None) -> None:
    """Write an empty master workbook to ``path`` atomically.

    Args:
        path: the ``.xlsx`` to write.
        fiscal_year: a Buddhist-Era fiscal year to fill in, or None.

    Raises:
        OSError: when the file cannot be written.
    """
    with atomic(Path(path)) as temporary:
        _write(temporary, fiscal_year)


def _write(path: Path, fiscal_year: int | None) -> None:
    wb = xlsxwriter.Workbook(str(path), workbook_options())
    baselines = () if fiscal_year is None else range(fiscal_year - 3, fiscal_year)
    settings = layout(wb, baselines).settings
    if fiscal_year is not None:
        settings.write_number(1, 1, fiscal_year)
    settings.write_number(4, 1, 1)          # คะแนนต่ำกว่าระดับ 1 and ทศนิยม: the defaults
    settings.write_number(5, 1, 4)
    wb.close()
