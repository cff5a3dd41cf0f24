"""A return's outcome as the ledger keeps it: JSON text from which the very same
:class:`~workbook_engine.harvesting.returns.ReturnOutcome` is made again, so that a file read
once need not be read again (Decimals as their exact text, moments in ISO form)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from ..harvesting.outcomes import KpiOutcome, Status
from ..harvesting.returns import ReturnOutcome
from ..kinds import kind_named
from ..problems import Problem, Severity
from ..scoring import GroupSubtotal


def encode(outcome: ReturnOutcome) -> str:
    """The outcome as JSON text (its file's modification time left out: it is the file's,
    not its bytes')."""
    return json.dumps({
        "file": outcome.file, "sha256": outcome.sha256, "size": outcome.size,
        "saved": moment_text(outcome.saved), "office": outcome.office,
        "status": outcome.status.value, "total": _text(outcome.total),
        "problems": [[p.code, p.severity.value, p.file, p.office, p.sheet, p.cell, p.message]
                     for p in outcome.problems],
        "kpis": [_kpi(k) for k in outcome.kpis],
        "groups": [[g.group, _text(g.weight), _text(g.weighted_score), _text(g.score)]
                   for g in outcome.groups]}, ensure_ascii=False)


def decode(text: str, modified: dt.datetime | None) -> ReturnOutcome:
    """The outcome :func:`encode` wrote, with the file's modification time now."""
    data = json.loads(text)
    return ReturnOutcome(
        data["file"], data["sha256"], data["size"], modified, saved=_parse_moment(data["saved"]),
        office=data["office"],
        problems=[Problem(code, Severity(severity), file, office, sheet, cell, message)
                  for code, severity, file, office, sheet, cell, message in data["problems"]],
        status=Status(data["status"]), kpis=[_parse_kpi(k) for k in data["kpis"]],
        groups=[GroupSubtotal(group, Decimal(weight), _number(weighted), _number(score))
                for group, weight, weighted, score in data["groups"]],
        total=_number(data["total"]))


def _kpi(k: KpiOutcome) -> dict[str, Any]:
    return {"kpi": k.kpi, "name": k.name, "group": k.group, "unit": k.unit,
            "kind": k.kind.name, "direction": k.direction, "org_kpi": k.org_kpi,
            "weight": str(k.weight),
            "criteria": None if k.criteria is None else [str(c) for c in k.criteria],
            "result": _text(k.result), "score": _text(k.score), "weighted": _text(k.weighted),
            "texts": k.texts, "sheet": k.sheet, "cell": k.cell}


def _parse_kpi(d: dict[str, Any]) -> KpiOutcome:
    criteria = d["criteria"]
    return KpiOutcome(d["kpi"], d["name"], d["group"], d["unit"], kind_named(d["kind"]),
                      d["direction"], d["org_kpi"], Decimal(d["weight"]),
                      None if criteria is None else tuple(Decimal(c) for c in criteria),
                      _number(d["result"]), _number(d["score"]), _number(d["weighted"]),
                      d["texts"], d["sheet"], d["cell"])


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _number(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def moment_text(moment: dt.datetime | None) -> str | None:
    """A moment as the ledger keeps it (ISO, a space between date and time)."""
    return None if moment is None else moment.isoformat(sep=" ")


def _parse_moment(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)
