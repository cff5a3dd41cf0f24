"""workbook-engine: generate, harvest and consolidate performance-agreement workbooks.

The public face a script needs; everything else is an implementation module.
"""

from .errors import InvalidMasterError, OutputError, WorkbookEngineError
from .master import MasterReport, load_master, read_master
from .model import Assignment, Direction, Kind, Kpi, Master, Office, Settings
from .problems import CATALOGUE, Problem, Severity

__all__ = [
    "CATALOGUE",
    "Assignment",
    "Direction",
    "InvalidMasterError",
    "Kind",
    "Kpi",
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
