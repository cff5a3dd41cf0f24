"""The history of a ledger: every office's total and every KPI's result and score across rounds
and years, as pandas tables (:func:`history`) and as a workbook (:func:`write_history`)."""

from .tables import History, HistoryError, history, period_label
from .workbook import write_history

__all__ = ["History", "HistoryError", "history", "period_label", "write_history"]
