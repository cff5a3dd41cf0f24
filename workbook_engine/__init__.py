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
"""

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
