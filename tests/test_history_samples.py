"""The shipped samples for the history of rounds and years (``samples/history/``, made by
``scripts/make_samples.py --history``): the previous year's master and round-12 returns, and this
year's round-6 returns, harvest as intended against the year's round-12 samples."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest

from workbook_engine.harvesting.outcomes import HarvestReport, Status
from workbook_engine.harvesting.run import harvest
from workbook_engine.master.reader import read_master
from workbook_engine.model import Master

ROOT = Path(__file__).resolve().parent.parent
MASTER = ROOT / "templates" / "master.xlsx"
HISTORY = ROOT / "samples" / "history"
PREVIOUS = HISTORY / "2568"
PREVIOUS_MASTER = PREVIOUS / "master-2568.xlsx"
HALF_YEAR = HISTORY / "2569-R6"
OFFICES = [f"B{n:02}" for n in range(1, 14)]
IMPROVED = ("B01", "B03", "B08")     # 2568's results a level lower than 2569's
FELL = ("B05", "B12")                # and a level higher
CLEARLY = Decimal("0.5")             # at least this much of the 1-5 total either way


def master_of(path: Path) -> Master:
    checked = read_master(path)
    assert checked.master is not None, [p.message for p in checked.problems]
    return checked.master


def harvested(paths: list[Path], master: Master, round_months: int) -> HarvestReport:
    report = harvest(paths, master, round_months, jobs=1)
    assert not [p for p in report.problems if p.code != "OFFICE_MISSING"], report.problems
    return report


def statuses(report: HarvestReport) -> dict[str, Status]:
    return {o.office: o.status for o in report.offices}


def totals(report: HarvestReport) -> dict[str, Decimal]:
    """The offices' totals, of those that have one."""
    return {o.office: o.total_score for o in report.offices if o.total_score is not None}


@pytest.fixture(scope="module")
def this_year() -> HarvestReport:
    """The year's round-12 samples (``samples/*.xlsx``)."""
    return harvest(sorted((ROOT / "samples").glob("*.xlsx")), master_of(MASTER), 12, jobs=1)


def test_previous_master_differs_only_in_its_year() -> None:
    previous, current = master_of(PREVIOUS_MASTER), master_of(MASTER)
    assert previous.settings == dataclasses.replace(current.settings, fiscal_year=2568)
    for part in ("offices", "kpis", "assignments", "milestone_levels", "org_scores",
                 "overrides", "org_kpis"):
        assert getattr(previous, part) == getattr(current, part), part
    # the same baseline results, under the three years before 2568
    assert previous.cards.keys() == current.cards.keys()
    for key, card in current.cards.items():
        moved = tuple((year - 1, value) for year, value in card.baseline)
        assert previous.cards[key] == dataclasses.replace(card, baseline=moved), key
    assert {year for c in previous.cards.values() for year, _ in c.baseline} <= {2565, 2566, 2567}


def test_previous_year_every_office_accepted_some_improved_some_fell(
        this_year: HarvestReport) -> None:
    returns = sorted(PREVIOUS.glob("2568-R12-*.xlsx"))
    report = harvested(returns, master_of(PREVIOUS_MASTER), 12)
    assert (report.fiscal_year, report.round_months) == (2568, 12)
    assert statuses(report) == dict.fromkeys(OFFICES, Status.ACCEPTED)
    before, after = totals(report), totals(this_year)
    for office in IMPROVED:
        assert after[office] - before[office] >= CLEARLY, office
    for office in FELL:
        assert before[office] - after[office] >= CLEARLY, office


def test_previous_returns_are_not_this_years() -> None:
    returns = sorted(PREVIOUS.glob("2568-R12-*.xlsx"))
    report = harvest(returns, master_of(MASTER), 12, jobs=1)
    assert not report.count(Status.ACCEPTED)


def test_half_year_every_office_but_b13_on_the_rounds_weights_and_criteria() -> None:
    master = master_of(MASTER)
    report = harvested(sorted(HALF_YEAR.glob("*.xlsx")), master, 6)
    assert (report.fiscal_year, report.round_months) == (2569, 6)
    assert statuses(report) == {**dict.fromkeys(OFFICES, Status.ACCEPTED), "B13": Status.MISSING}
    for office in report.offices[:-1]:
        kpis = {k.kpi: k for k in office.kpis}
        # budget disbursement: double weight, the half-year criteria 40-60 (the year's: 88-96)
        assert kpis["3.1"].weight == 20 and kpis["3.1"].criteria == tuple(
            Decimal(c) for c in (40, 45, 50, 55, 60))
        assert kpis["3.1"].result is not None and kpis["3.1"].result < 70, office.office
        # ราชการ 4.0 is assessed only at 12 months: no result, out of the total
        assert not kpis["3.2"].assessed and kpis["3.2"].result is None
        assert office.total_score is not None
        assert sum(k.weight for k in office.kpis) == 100
