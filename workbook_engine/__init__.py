"""workbook-engine: generate, harvest and consolidate performance-agreement workbooks.

What a script needs, in one place::

    from workbook_engine import load_master, generate, harvest, write_summary

    master = load_master("templates/master.xlsx")
    generate(master, 12, Path("forms"))
    report = harvest(["returns"], master, 12)        # a HarvestReport
    write_summary(report, Path("summary.xlsx"))

The stages' modules are in ``master/``, ``forms/``, ``harvesting/``, ``summary/``, ``xlsx/``
and ``cli/`` (the harvest's package is ``harvesting``, so that ``workbook_engine.harvest``
stays this function).

Everything here is loaded when it is first used (``import workbook_engine.cli`` for one command
does not load the others' modules).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import InvalidMasterError, OutputError, WorkbookEngineError
    from .forms.generate import generate
    from .harvesting.outcomes import HarvestReport, KpiOutcome, OfficeOutcome, Status
    from .harvesting.run import harvest, json_text, write_json
    from .kinds import KINDS, KpiKind
    from .master.format import Direction
    from .master.reader import MasterReport, load_master, read_master
    from .model import Assignment, Kpi, Master, Office, Settings
    from .problems import CATALOGUE, Code, Problem, Severity
    from .summary.workbook import SummaryWriter, write_summary

_HOMES = {
    ".errors": ("InvalidMasterError", "OutputError", "WorkbookEngineError"),
    ".forms.generate": ("generate",),
    ".harvesting.outcomes": ("HarvestReport", "KpiOutcome", "OfficeOutcome", "Status"),
    ".harvesting.run": ("harvest", "json_text", "write_json"),
    ".kinds": ("KINDS", "KpiKind"),
    ".master.format": ("Direction",),
    ".master.reader": ("MasterReport", "load_master", "read_master"),
    ".model": ("Assignment", "Kpi", "Master", "Office", "Settings"),
    ".problems": ("CATALOGUE", "Code", "Problem", "Severity"),
    ".summary.workbook": ("SummaryWriter", "write_summary"),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    """One of :data:`__all__`, loaded from its module when first asked for."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "CATALOGUE",
    "KINDS",
    "Assignment",
    "Code",
    "Direction",
    "HarvestReport",
    "InvalidMasterError",
    "Kpi",
    "KpiKind",
    "KpiOutcome",
    "Master",
    "MasterReport",
    "Office",
    "OfficeOutcome",
    "OutputError",
    "Problem",
    "Settings",
    "Severity",
    "Status",
    "SummaryWriter",
    "WorkbookEngineError",
    "generate",
    "harvest",
    "json_text",
    "load_master",
    "read_master",
    "write_json",
    "write_summary",
]
