"""The kinds of KPI: each one answers for itself, and is one object in every process."""

from __future__ import annotations

import pickle
from decimal import Decimal

import pytest

from workbook_engine.kinds import BY_LABEL, INHERITED, KINDS, MILESTONE, QUANTITATIVE, KpiKind
from workbook_engine.master import format as mf
from workbook_engine.master.format import Direction
from workbook_engine.model import Kpi

CRITERIA = tuple(Decimal(c) for c in (60, 70, 80, 90, 100))


def kpi(kind: KpiKind, unit: str = "ร้อยละ") -> Kpi:
    return Kpi("2.1", "ทดสอบ", 2, unit, kind, Direction.HIGHER if kind.needs_direction else None,
               None, "")


def test_every_kind_of_the_master_has_a_class() -> None:
    assert tuple(BY_LABEL) == mf.KINDS
    assert {kind.name for kind in KINDS} == {"QUANTITATIVE", "STEPWISE", "MILESTONE", "INHERITED"}


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_a_kind_is_the_same_object_after_pickling(kind: KpiKind) -> None:
    assert pickle.loads(pickle.dumps(kind)) is kind


@pytest.mark.parametrize(("kind", "result", "org", "score"), [
    (QUANTITATIVE, Decimal(85), None, Decimal("3.5")), (QUANTITATIVE, None, None, None),
    (MILESTONE, Decimal(0), None, Decimal(1)), (MILESTONE, Decimal(4), None, Decimal(4)),
    (INHERITED, None, Decimal("4.21504"), Decimal("4.2150")), (INHERITED, None, None, None)])
def test_scores(kind: KpiKind, result: Decimal | None, org: Decimal | None,
                score: Decimal | None) -> None:
    assert kind.score(result, CRITERIA if kind.uses_criteria else None,
                      Direction.HIGHER if kind.needs_direction else None, 1, org) == score


@pytest.mark.parametrize(("kind", "value", "kept", "codes"), [
    (MILESTONE, Decimal("2.5"), None, ["RESULT_MILESTONE_INVALID"]),
    (MILESTONE, Decimal(6), None, ["RESULT_MILESTONE_INVALID"]),
    (MILESTONE, Decimal(5), Decimal(5), []),
    (QUANTITATIVE, Decimal(-1), None, ["RESULT_NEGATIVE_PERCENT"]),
    (QUANTITATIVE, Decimal("0.84"), Decimal("0.84"), ["RESULT_IMPLAUSIBLE"]),
    (QUANTITATIVE, Decimal(140), Decimal(140), ["RESULT_IMPLAUSIBLE"]),
    (QUANTITATIVE, Decimal(84), Decimal(84), [])])
def test_returned_results_are_checked_by_their_kind(kind: KpiKind, value: Decimal,
                                                    kept: Decimal | None,
                                                    codes: list[str]) -> None:
    checked, findings = kind.check_result(value, kpi(kind).is_percent, CRITERIA)
    assert checked == kept and [code.name for code, _ in findings] == codes


def test_what_the_locked_criteria_cells_show() -> None:
    assert QUANTITATIVE.criteria_cells(CRITERIA) == CRITERIA
    assert MILESTONE.criteria_cells(None) == tuple(Decimal(n) for n in range(1, 6))
    assert INHERITED.criteria_cells(None) is None


def test_only_kinds_with_a_result_have_an_input() -> None:
    assert QUANTITATIVE.result_validation("ร้อยละ", "=L!A1:A6")["validate"] == "decimal"   # type: ignore[index]
    assert MILESTONE.result_validation("ระดับ", "=L!A1:A6")["validate"] == "list"         # type: ignore[index]
    assert INHERITED.result_validation("คะแนน", "=L!A1:A6") is None and not INHERITED.has_result
