"""The engine against figures printed in published Thai performance-agreement result tables.

Each row of ``tests/data/published_scores.csv`` was copied from a published table (its source
names the page, the agency and the year). A row is scored by the engine at the precision the
table prints and compared with the table's score and weighted score.

Where the table disagrees with the OPDC rule (a committee deduction, say), the row says so in
``note`` and gives the engine's own figure in ``engine_score``: the test then asserts that the
engine gives that figure, that the table printed something else, and that the table's weighted
score follows from the score it printed. The rule is never bent to fit a table.

Kinds: ``quantitative``, ``stepwise`` and ``milestone`` rows are KPIs; a ``group`` row is a
published subtotal (a group's weight, its score and its weighted score), for which only
``weighted_score`` can be checked.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from workbook_engine import scoring
from workbook_engine.master.format import Direction

CSV_PATH = Path(__file__).parent / "data" / "published_scores.csv"
COLUMNS = ("source", "kpi", "kind", "direction", "weight", "c1", "c2", "c3", "c4", "c5",
           "result", "published_score", "published_weighted", "places", "engine_score", "note")
KINDS = {"quantitative", "stepwise", "milestone", "group"}
DIRECTIONS = {"higher": Direction.HIGHER, "lower": Direction.LOWER}


@dataclass(frozen=True)
class Row:
    source: str
    kpi: str
    kind: str
    direction: str
    weight: Decimal
    criteria: tuple[Decimal, ...]
    result: Decimal | None
    published_score: Decimal | None
    published_weighted: Decimal | None
    places: int
    engine_score: Decimal | None
    note: str

    @property
    def test_id(self) -> str:
        """The source's host and the first year it names, then the KPI as published."""
        year = re.search(r"\b(?:19|20|25)\d\d\b", self.source)
        place = urlsplit(self.source.split()[0]).hostname or self.source.split()[0]
        return f"{place}{'-' + year.group() if year else ''}: {self.kpi}"


def _decimal(text: str) -> Decimal | None:
    text = text.strip()
    return Decimal(text) if text else None


def load_rows() -> list[Row]:
    with CSV_PATH.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        rows = []
        for raw in reader:
            criteria = tuple(Decimal(raw[c]) for c in ("c1", "c2", "c3", "c4", "c5") if raw[c])
            weight = _decimal(raw["weight"])
            rows.append(Row(raw["source"], raw["kpi"], raw["kind"], raw["direction"],
                            weight if weight is not None else Decimal(0), criteria,
                            _decimal(raw["result"]), _decimal(raw["published_score"]),
                            _decimal(raw["published_weighted"]), int(raw["places"]),
                            _decimal(raw["engine_score"]), raw["note"].strip()))
    return rows


ROWS = load_rows()


def engine_score(row: Row) -> Decimal:
    """The engine's score for a KPI row, at the row's published precision."""
    assert row.result is not None, "a KPI row needs a result"
    if row.kind == "milestone":
        return scoring.score_milestone(row.result, places=row.places)
    direction = DIRECTIONS[row.direction]
    if row.kind == "quantitative":
        return scoring.score_quantitative(row.result, row.criteria, direction, places=row.places)
    return scoring.score_stepwise(row.result, row.criteria, direction, places=row.places)


def assert_at_places(value: Decimal, places: int) -> None:
    assert value.as_tuple().exponent == -places, f"{value} is not given to {places} decimals"


def test_the_rows_are_well_formed() -> None:
    assert ROWS, "no published rows"
    for row in ROWS:
        assert row.kind in KINDS, row
        assert row.places in (2, 4), row
        assert row.source.strip() and row.kpi.strip(), row
        assert row.published_score is not None and row.published_weighted is not None, row
        if row.kind in ("quantitative", "stepwise"):
            assert row.direction in DIRECTIONS and len(row.criteria) == 5, row
        else:
            assert row.direction == "" and row.criteria == (), row
        if row.kind == "group":
            assert row.result is None and row.engine_score is None, row
        else:
            # a documented disagreement carries both its explanation and the engine's figure
            assert (row.engine_score is None) == (row.note == ""), row


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.test_id)
def test_published_row(row: Row) -> None:
    assert row.published_score is not None and row.published_weighted is not None
    if row.kind == "group":
        # only the weighted score of a published subtotal can be recomputed
        weighted = scoring.weighted_score(row.published_score, row.weight, places=row.places)
        assert_at_places(weighted, row.places)
        assert weighted == row.published_weighted
        return

    score = engine_score(row)
    assert_at_places(score, row.places)
    if row.engine_score is None:
        assert score == row.published_score
    else:
        # the documented disagreement: the engine gives engine_score, the table printed another
        assert score == row.engine_score
        assert score != row.published_score, f"no longer a disagreement: {row.note}"
    # the table's weighted score follows from the score the table printed
    weighted = scoring.weighted_score(row.published_score, row.weight, places=row.places)
    assert_at_places(weighted, row.places)
    assert weighted == row.published_weighted

