"""A ledger's history as pandas tables (CONTRACT section 8): every office's total and every
KPI's result and score in every period, a period being one round of one fiscal year as the
last harvest run of that round recorded it (the ledger's view ``last_runs``).

The tables are for analysts (``docs/history.md`` has a notebook example) and for the history
workbook (:mod:`.workbook`), which shows them as they are.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import WorkbookEngineError
from ..harvesting.outcomes import Status
from ..ledger.store import LedgerError, read_only
from ..scoring import average_score

PLACES = 4                  # decimals of a change and an average (the ledger's scores have <= 4)
IMPROVED, FELL, SAME, NOT_COMPARED = "ดีขึ้น", "ลดลง", "คงที่", "เทียบไม่ได้"
PERIOD_COLUMNS = ["fiscal_year", "round", "run", "harvested_at", "organisation", "offices",
                  "accepted", "average"]
KPI_COLUMNS = ["period", "fiscal_year", "round", "office", "office_name", "status", "kpi", "name",
               "kpi_group", "weight", "result", "score", "weighted_score", "verified_result",
               "verified_given", "verified_score", "verified_weighted_score", "review_reason",
               "used_score", "used_weighted_score"]
CHANGE_COLUMNS = ["name", "previous", "last", "change", "trend"]
KPI_NUMBERS = ["weight", "result", "score", "weighted_score", "verified_result", "verified_given",
               "verified_score", "verified_weighted_score"]     # floats, even when all are null

_PERIODS_SQL = ("SELECT fiscal_year, round, run, harvested_at, organisation FROM last_runs "
                "ORDER BY fiscal_year, round")
_OFFICES_SQL = ("SELECT o.run, o.office, o.name, o.status, o.total_score, o.verified_total_score "
                "FROM offices AS o JOIN last_runs AS r ON r.run = o.run")
_KPIS_SQL = ("SELECT run, office, status, kpi, name, kpi_group, weight, result, score, "
             "weighted_score, verified_result, verified_given, verified_score, "
             "verified_weighted_score, review_reason FROM kpi_results "
             "WHERE run IN (SELECT run FROM last_runs)")


class HistoryError(WorkbookEngineError, ValueError):
    """The ledger holds no harvest run to show (for the fiscal year asked)."""


@dataclass(frozen=True, eq=False)
class History:
    """A ledger's history; every table's periods are labelled as :func:`period_label` and
    come in time order.

    Attributes:
        ledger: the ledger file read.
        fiscal_year: the year asked for (its periods and the year before's), or None for all.
        periods: one row per period, indexed by its label: ``fiscal_year``, ``round``, the
            ``run`` that counts and when it was ``harvested_at`` (Bangkok time), the
            ``organisation``, how many ``offices`` the run had, how many were ``accepted`` and
            the ``average`` of their totals (rounded half away from zero, as Excel's ROUND).
        totals: one row per office, indexed by its code: ``name`` (as last recorded), then one
            column per period with the total that counts (the committee's verified total when
            there is one, else the self-assessed one); NaN unless the office was accepted.
        statuses: the same shape, with each office's status in each period (``accepted``,
            ``incomplete``, ``rejected``, ``missing``), NaN where the run did not list it.
        kpis: one row per period (an ordered categorical, so that pivots keep the periods in
            time order), office and KPI (:data:`KPI_COLUMNS`): the reported
            ``result``, the self-assessed ``score`` and ``weighted_score``, the committee's
            values where it gave some, and the ``used_score`` and ``used_weighted_score`` that
            count (the committee's, else the self-assessed).
        changes: one row per office, indexed by its code (:data:`CHANGE_COLUMNS`): its total in
            the period before the last (``previous``) and in the last (``last``), the
            ``change`` and the ``trend`` (``ดีขึ้น``, ``ลดลง``, ``คงที่`` or ``เทียบไม่ได้``
            when a total is missing), most improved first; empty for fewer than two periods.
    """

    ledger: Path
    fiscal_year: int | None
    periods: pd.DataFrame
    totals: pd.DataFrame
    statuses: pd.DataFrame
    kpis: pd.DataFrame
    changes: pd.DataFrame


def period_label(fiscal_year: int, round_months: int) -> str:
    """A period's label, as the generated files name it: ``2569-R12``."""
    return f"{fiscal_year}-R{round_months}"


def history(ledger: str | Path, fiscal_year: int | None = None) -> History:
    """Read the history of ``ledger``: for each fiscal year and round, its last run.

    Args:
        ledger: a ledger written by ``harvest``.
        fiscal_year: keep the periods of this fiscal year and of the year before it, so that
            a year can be compared with the previous one; None keeps every period.

    Returns:
        The :class:`History`; its tables are empty when no period is kept.

    Raises:
        LedgerError: when the ledger cannot be opened or read.
    """
    path = Path(ledger)
    with contextlib.closing(read_only(path)) as con:
        try:
            periods = _periods(pd.read_sql_query(_PERIODS_SQL, con), fiscal_year)
            offices = _offices(pd.read_sql_query(_OFFICES_SQL, con), periods)
            kpis = _kpis(pd.read_sql_query(_KPIS_SQL, con), periods, offices)
        except (sqlite3.Error, pd.errors.DatabaseError, ValueError) as exc:
            raise LedgerError(f"อ่านสมุดบันทึกผล (ledger) {path} ไม่ได้: {exc}") from exc
    totals = _wide(offices, periods, "used_total")
    totals.insert(0, "name", _names(offices, totals.index))
    periods["offices"] = offices.groupby("period").size().reindex(periods.index, fill_value=0)
    periods["accepted"] = totals[periods.index].count()
    periods["average"] = [_average(totals[label]) for label in periods.index]
    return History(path, fiscal_year, periods[PERIOD_COLUMNS], totals,
                   _wide(offices, periods, "status"), kpis, _changes(totals, periods))


def _periods(runs: pd.DataFrame, fiscal_year: int | None) -> pd.DataFrame:
    """The periods kept, indexed by label, in time order."""
    if fiscal_year is not None:
        runs = runs[runs["fiscal_year"].isin([fiscal_year - 1, fiscal_year])]
    runs = runs.astype({"fiscal_year": int, "round": int, "run": int})
    runs["harvested_at"] = pd.to_datetime([_bangkok(text) for text in runs["harvested_at"]])
    runs.index = pd.Index([period_label(y, r) for y, r in zip(runs["fiscal_year"], runs["round"],
                                                               strict=True)], name="period")
    return runs


def _bangkok(moment: str) -> dt.datetime:
    """An ISO moment of the ledger as Bangkok's wall-clock time, without its offset."""
    return dt.datetime.fromisoformat(moment).replace(tzinfo=None)


def _offices(offices: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Each office of each period kept, with the total that counts (``used_total``)."""
    offices = offices.merge(_period_of_run(periods), on="run")
    offices = offices.astype({"total_score": float, "verified_total_score": float})
    used = offices["verified_total_score"].fillna(offices["total_score"])
    offices["used_total"] = used.where(offices["status"] == Status.ACCEPTED.value)
    return offices


def _period_of_run(periods: pd.DataFrame) -> pd.DataFrame:
    """The period, year and round of each run kept."""
    return periods[["run", "fiscal_year", "round"]].reset_index()


def _wide(offices: pd.DataFrame, periods: pd.DataFrame, values: str) -> pd.DataFrame:
    """``values`` with one row per office (sorted by code) and one column per period."""
    wide = offices.pivot(index="office", columns="period", values=values)
    wide = wide.reindex(index=sorted(wide.index, key=natural_key), columns=periods.index)
    wide.columns.name = None
    return wide


def _names(offices: pd.DataFrame, codes: pd.Index) -> pd.Series:
    """Each office's name as its last period recorded it."""
    latest = offices.sort_values(["fiscal_year", "round"]).groupby("office")["name"].last()
    return latest.reindex(codes)


def _kpis(kpis: pd.DataFrame, periods: pd.DataFrame, offices: pd.DataFrame) -> pd.DataFrame:
    """The KPI rows of the periods kept, with the scores that count, in time order."""
    kpis = kpis.merge(_period_of_run(periods), on="run").astype(dict.fromkeys(KPI_NUMBERS, float))
    names = offices[["run", "office", "name"]].rename(columns={"name": "office_name"})
    kpis = kpis.merge(names, on=["run", "office"], how="left")
    kpis["used_score"] = kpis["verified_score"].fillna(kpis["score"])
    kpis["used_weighted_score"] = kpis["verified_weighted_score"].fillna(kpis["weighted_score"])
    order = {label: i for i, label in enumerate(periods.index)}
    kpis = kpis.sort_values(["period", "office", "kpi"], key=lambda column: column.map(
        order if column.name == "period" else natural_key))
    kpis["period"] = pd.Categorical(kpis["period"], categories=periods.index, ordered=True)
    return kpis[KPI_COLUMNS].reset_index(drop=True)


def _average(totals: pd.Series) -> float:
    """``ROUND(AVERAGE(totals), 4)`` of the totals present; NaN when there are none."""
    found = average_score([Decimal(repr(t)) for t in totals.dropna()], PLACES)
    return np.nan if found is None else float(found)


def _changes(totals: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Each office's total in the last period against the one before, most improved first,
    those without both totals last."""
    if len(periods) < 2:
        return pd.DataFrame(columns=CHANGE_COLUMNS, index=pd.Index([], name="office"))
    previous, last = periods.index[-2], periods.index[-1]
    changes = pd.DataFrame({"name": totals["name"], "previous": totals[previous],
                            "last": totals[last]})
    change = (changes["last"] - changes["previous"]).round(PLACES)
    changes["change"] = change
    changes["trend"] = np.select([change > 0, change < 0, change == 0],
                                 [IMPROVED, FELL, SAME], NOT_COMPARED)
    changes["order"] = range(len(changes))       # by office code among equal changes
    changes = changes.sort_values(["change", "order"], ascending=[False, True],
                                  na_position="last")
    return changes[CHANGE_COLUMNS]


def natural_key(code: object) -> tuple[str | int, ...]:
    """A code's sort key with its numbers as numbers: ``B2`` before ``B10``, ``2.1`` before
    ``10.1``; its parts alternate text and number, so any two keys compare."""
    parts = re.split(r"(\d+)", str(code))
    return tuple(int(part) if i % 2 else part for i, part in enumerate(parts))
