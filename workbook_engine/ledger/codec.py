"""A return's outcome as the ledger keeps it: JSON text from which the very same
:class:`~workbook_engine.harvesting.returns.ReturnOutcome` is made again, so that a file read
once need not be read again (Decimals as their exact text, moments in ISO form).

What a KPI took from the master (its name, unit, kind, group, direction and organisation KPI;
the office's weight and criteria for the round) is written only where it is not the master's:
a reading is used again only with the same master (its SHA-256 is in the reading's key), so
the master gives it back. Each KPI is a list: code, result, score, weighted score, texts,
sheet, cell, then its facts and its weighting (each null when the master's)."""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from decimal import Decimal
from typing import Any

from ..harvesting.outcomes import KpiOutcome, Status
from ..harvesting.returns import ReturnOutcome
from ..kinds import kind_named
from ..master.format import Direction
from ..model import (
    Assignment,
    Criteria,
    Kpi,
    KpiCard,
    Master,
    Office,
    OrgKpi,
    RoundOverride,
    Settings,
)
from ..problems import Problem, Severity
from ..scoring import GroupSubtotal


def encode(outcome: ReturnOutcome, master: Master, round_months: int) -> str:
    """The outcome of a return of ``master``'s round as JSON text (its file's modification
    time left out: it is the file's, not its bytes')."""
    assigned = _assigned(master, outcome.office, round_months)
    return json.dumps({
        "file": outcome.file, "sha256": outcome.sha256, "size": outcome.size,
        "saved": moment_text(outcome.saved), "office": outcome.office,
        "status": outcome.status.value, "total": _text(outcome.total),
        "problems": [[p.code, p.severity.value, p.file, p.office, p.sheet, p.cell, p.message]
                     for p in outcome.problems],
        "kpis": [_kpi(k, master.kpis.get(k.kpi), assigned.get(k.kpi)) for k in outcome.kpis],
        "groups": [[g.group, _text(g.weight), _text(g.weighted_score), _text(g.score)]
                   for g in outcome.groups]}, ensure_ascii=False)


def decode(text: str, modified: dt.datetime | None, master: Master,
           round_months: int) -> ReturnOutcome:
    """The outcome :func:`encode` wrote for ``master``'s round, with the file's modification
    time now; what the KPIs took from the master is the master's own objects.

    Raises:
        ValueError, KeyError, TypeError: for text this code did not write.
    """
    data = json.loads(text)
    assigned = _assigned(master, data["office"], round_months)
    return ReturnOutcome(
        data["file"], data["sha256"], data["size"], modified, saved=_parse_moment(data["saved"]),
        office=data["office"],
        problems=[Problem(code, Severity(severity), file, office, sheet, cell, message)
                  for code, severity, file, office, sheet, cell, message in data["problems"]],
        status=Status(data["status"]),
        kpis=[_parse_kpi(k, master.kpis, assigned) for k in data["kpis"]],
        groups=[GroupSubtotal(group, Decimal(weight), _number(weighted), _number(score))
                for group, weight, weighted, score in data["groups"]],
        total=_number(data["total"]))


def _assigned(master: Master, office: str | None, round_months: int) -> dict[str, Assignment]:
    if office is None or office not in master.offices:
        return {}
    return {a.kpi: a for a in master.assignments_for(office, round_months)}


def _facts(k: KpiOutcome | Kpi) -> tuple[object, ...]:
    """What a KPI outcome takes from the master's KPI (a Kpi's direction is the enum)."""
    direction = k.direction if isinstance(k, KpiOutcome) or k.direction is None \
        else k.direction.value
    return (k.name, k.group, k.unit, k.kind, direction, k.org_kpi)


def _kpi(k: KpiOutcome, kpi: Kpi | None, a: Assignment | None) -> list[Any]:
    facts = _facts(k)
    same_facts = kpi is not None and kpi.code == k.kpi and facts == _facts(kpi)
    same_weighting = a is not None and _same(k.weight, a.weight) and (
        k.criteria is a.criteria or (k.criteria is not None and a.criteria is not None and len(
            k.criteria) == len(a.criteria) and all(map(_same, k.criteria, a.criteria))))
    return [k.kpi, _text(k.result), _text(k.score), _text(k.weighted), k.texts, k.sheet, k.cell,
            None if same_facts else [k.name, k.group, k.unit, k.kind.name, k.direction,
                                     k.org_kpi],
            None if same_weighting else [str(k.weight), None if k.criteria is None
                                         else [str(c) for c in k.criteria]]]


def _same(a: Decimal, b: Decimal) -> bool:
    """The same number written the same way (1.5 and 1.50 are told apart)."""
    return a == b and str(a) == str(b)


def _parse_kpi(d: list[Any], kpis: dict[str, Kpi], assigned: dict[str, Assignment]
               ) -> KpiOutcome:
    code, result, score, weighted, texts, sheet, cell, facts, weighting = d
    if facts is None:
        kpi = kpis[code]
        name, group, unit, kind = kpi.name, kpi.group, kpi.unit, kpi.kind
        direction = kpi.direction.value if kpi.direction else None
        org_kpi, code = kpi.org_kpi, kpi.code
    else:
        name, group, unit, kind_name, direction, org_kpi = facts
        kind = kind_named(kind_name)
    criteria: tuple[Decimal, ...] | None
    if weighting is None:
        a = assigned[code]
        weight, criteria = a.weight, a.criteria
    else:
        weight = Decimal(weighting[0])
        criteria = None if weighting[1] is None else tuple(Decimal(c) for c in weighting[1])
    return KpiOutcome(code, name, group, unit, kind, direction, org_kpi, weight, criteria,
                      _number(result), _number(score), _number(weighted), texts,
                      _interned(sheet), _interned(cell))


def _interned(text: str | None) -> str | None:
    """Sheet names and cells, held once however many returns name them."""
    return None if text is None else sys.intern(text)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@functools.lru_cache(maxsize=65_536)     # scores recur: each distinct text parsed and held once
def _number(text: str | None) -> Decimal | None:
    return None if text is None else _decimal(text)


@functools.lru_cache(maxsize=65_536)
def _decimal(text: str) -> Decimal:
    return Decimal(text)


def moment_text(moment: dt.datetime | None) -> str | None:
    """A moment as the ledger keeps it (ISO, a space between date and time)."""
    return None if moment is None else moment.isoformat(sep=" ")


def _parse_moment(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


# -- the master ------------------------------------------------------------------------------
# A master as the ledger keeps it, read once for all the runs of its round (a national master's
# 400,000 rows take seconds to read and check). Every field of every class is written: the
# tests fail when a field is added to the model and not here.

def encode_master(master: Master) -> str:
    """A valid master as JSON text (but for where it was read from: ``source``)."""
    s = master.settings
    return json.dumps({
        "settings": [s.organisation, s.fiscal_year, s.receiver, s.receiver_position,
                     s.below_level1_score, s.places],
        "offices": [[o.code, o.name, o.maker, o.maker_position, o.coordinator, o.email]
                    for o in master.offices.values()],
        "kpis": [[k.code, k.name, k.group, k.unit, k.kind.name,
                  None if k.direction is None else k.direction.value, k.org_kpi, k.description,
                  k.formula, k.data_required] for k in master.kpis.values()],
        "assignments": [[a.office, a.kpi, str(a.weight), _texts(a.criteria)]
                        for a in master.assignments],
        "milestone_levels": [[kpi, list(levels.items())]
                             for kpi, levels in master.milestone_levels.items()],
        "org_scores": [[code, str(score)] for code, score in master.org_scores.items()],
        "overrides": [[o.office, o.kpi, o.round_months, _text(o.weight), _texts(o.criteria)]
                      for o in master.overrides.values()],
        "org_kpis": [[k.code, k.name, k.unit, k.target] for k in master.org_kpis.values()],
        "cards": [[office, kpi, c.target, c.owner, c.collector,
                   [[year, str(value)] for year, value in c.baseline]]
                  for (office, kpi), c in master.cards.items()],
        "sha256": master.source_sha256}, ensure_ascii=False)


def decode_master(text: str, source: str) -> Master:
    """The master :func:`encode_master` wrote, read from ``source``.

    Raises:
        ValueError, KeyError, TypeError: for text this code did not write.
    """
    d = json.loads(text)
    offices = {code: Office(code, *rest) for code, *rest in d["offices"]}
    kpis = {code: Kpi(code, name, group, unit, kind_named(kind),
                      None if direction is None else Direction(direction), *rest)
            for code, name, group, unit, kind, direction, *rest in d["kpis"]}
    criteria: dict[tuple[str, ...], Criteria] = {}     # criteria recur: each held once
    overrides = [RoundOverride(office, kpi, months, _number(weight), _criteria(c, criteria))
                 for office, kpi, months, weight, c in d["overrides"]]
    return Master(
        Settings(*d["settings"]), offices, kpis,
        [Assignment(offices[office].code, kpis[kpi].code, _decimal(weight),
                    _criteria(c, criteria)) for office, kpi, weight, c in d["assignments"]],
        {kpi: {int(level): name for level, name in levels}
         for kpi, levels in d["milestone_levels"]},
        {code: Decimal(score) for code, score in d["org_scores"]},
        {(o.office, o.kpi, o.round_months): o for o in overrides},
        {code: OrgKpi(code, *rest) for code, *rest in d["org_kpis"]},
        {(office, kpi): KpiCard(target, owner, collector,
                                tuple((year, Decimal(value)) for year, value in baseline))
         for office, kpi, target, owner, collector, baseline in d["cards"]},
        source, d["sha256"])


def _texts(values: tuple[Decimal, ...] | None) -> list[str] | None:
    return None if values is None else [str(v) for v in values]


def _criteria(texts: list[str] | None, held: dict[tuple[str, ...], Criteria]) -> Criteria | None:
    if texts is None:
        return None
    key = tuple(texts)
    found = held.get(key)
    if found is None:
        c = tuple(Decimal(t) for t in texts)
        if len(c) != 5:
            raise ValueError(f"{len(c)} criteria")
        found = held[key] = (c[0], c[1], c[2], c[3], c[4])
    return found
