"""workbook-engine: generate, harvest and consolidate performance-agreement workbooks.

The public face a script needs; everything else is an implementation module.
"""

from .errors import InvalidMasterError, OutputError, WorkbookEngineError
from .kinds import KINDS, KpiKind
from .master.reader import MasterReport, load_master, read_master
from .model import Assignment, Direction, Kpi, Master, Office, Settings
from .problems import CATALOGUE, Problem, Severity

__all__ = [
    "CATALOGUE",
    "KINDS",
    "Assignment",
    "Direction",
    "InvalidMasterError",
    "Kpi",
    "KpiKind",
    "Master",
    "MasterReport",
    "Office",
    "OutputError",
    "Problem",
    "Settings",
    "Severity",
    "WorkbookEngineError",
    "load_master",
    "read_master",
]
