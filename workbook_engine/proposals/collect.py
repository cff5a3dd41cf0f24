"""``collect-proposals``: read the returned proposals, merge the valid ones into a draft master
(CONTRACT section 6).

The pipeline is harvest's: the files are listed (:func:`~..harvesting.intake.collect`), each is
read and checked in a worker (:func:`.read.read_proposal`), identical files are counted once and
one proposal is chosen per office (the usable one saved last). Each office whose proposal is
valid has its group-2 KPIs replaced by it; new KPIs are coded after the master's highest
``2.<n>``. The result is a :class:`Negotiation`, written by :mod:`.record`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

import workbook_engine.workers as workers

from ..harvesting.intake import Archives, Candidate, collect
from ..harvesting.run import choose, unique
from ..model import Assignment, Kpi, KpiCard, Master
from ..problems import Code, Problem, problem
from . import layout as P
from .read import ProposalOutcome, read_proposal
from .rows import Proposed, current, with_unit

NEW, CHANGED = "เสนอใหม่", "เสนอแก้ไข"
CHUNK = 16
PARALLEL_FROM = 8
_GROUP2_CODE = re.compile(r"^2\.(\d+)$")


class Verdict:
    """What became of an office's proposal (Thai, as the record shows it)."""

    MERGED = "รวมในร่างแล้ว"
    UNCHANGED = "ไม่เสนอเปลี่ยนแปลง"
    ERRORS = "มีข้อผิดพลาด ใช้ตัวชี้วัดเดิม"
    MISSING = "ไม่ได้ส่ง ใช้ตัวชี้วัดเดิม"


@dataclass(frozen=True)
class Negotiated:
    """One new or changed KPI of the negotiation record."""

    office: str
    code: str
    status: str                  # NEW or CHANGED
    proposed: Proposed
    previous: Proposed | None    # the master's, for a changed KPI


@dataclass
class OfficeProposal:
    """One office's line of the record."""

    office: str
    name: str
    verdict: str
    file: str | None = None
    sha256: str | None = None
    new: list[str] = field(default_factory=list)        # codes
    changed: list[str] = field(default_factory=list)
    flags: int = 0
    group_weights: dict[int, Decimal] = field(default_factory=dict)   # in the draft
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Negotiation:
    """The outcome of collect-proposals: the draft master and what the meeting looks at."""

    master: Master
    draft: Master
    offices: list[OfficeProposal]
    rows: list[Negotiated]
    problems: list[Problem]

    @property
    def all_valid(self) -> bool:
        """Every office sent a valid proposal (and the draft passes its checks)."""
        return all(o.verdict in (Verdict.MERGED, Verdict.UNCHANGED) for o in self.offices) \
            and not any(p.is_error for p in self.problems)


def _read_chunk(candidates: list[Candidate]) -> list[ProposalOutcome]:
    (master,) = workers.shared()
    with Archives() as archives:
        return [read_proposal(c, master, archives) for c in candidates]


def read_all(candidates: Sequence[Candidate], master: Master, jobs: int | None = None,
             progress: Callable[[int], None] | None = None) -> list[ProposalOutcome]:
    """Check every candidate, using every core for many files; results in input order."""
    count = max(1, min(jobs or os.cpu_count() or 1, len(candidates)))
    if len(candidates) < PARALLEL_FROM:
        count = 1
    batches = [list(candidates[i:i + CHUNK]) for i in range(0, len(candidates), CHUNK)]
    outcomes: list[ProposalOutcome] = []
    for batch in workers.run(_read_chunk, batches, (master,), count):
        outcomes.extend(batch)
        if progress:
            progress(len(outcomes))
    return outcomes


def collect_proposals(paths: Sequence[str | Path], master: Master, jobs: int | None = None,
                      progress: Callable[[int, int], None] | None = None,
                      exclude: Collection[Path] = ()) -> Negotiation:
    """Read every returned proposal under ``paths`` and merge the valid ones into a draft.

    Args:
        paths: files, folders (searched recursively) and ``.zip`` archives of proposals.
        master: the valid master the proposals were made from.
        jobs: worker processes (default: every core).
        progress: called with (files done, files in all).
        exclude: files not to read (the outputs, if they lie among the proposals).
    """
    candidates, problems = collect((Path(p) for p in paths), exclude)
    outcomes, copies = unique(read_all(
        candidates, master, jobs,
        (lambda done: progress(done, len(candidates))) if progress else None))
    chosen, duplicates = choose(outcomes, lambda o: o.valid, Code.PROPOSAL_DUPLICATE)
    for outcome in outcomes:
        problems.extend(outcome.problems)
    problems.extend(duplicates)
    for copy, original in copies:
        problems.append(problem(Code.RETURN_SAME_FILE_TWICE, file=copy.file, other=original))
    merger = _Merger(master)
    offices = [merger.office(code, chosen.get(code), problems) for code in master.offices]
    draft = merger.draft()
    for line in offices:
        line.group_weights = _group_weights(draft, line.office)
    return Negotiation(master, draft, offices, merger.rows, problems)


class _Merger:
    """Builds the draft master office by office."""

    def __init__(self, master: Master) -> None:
        self.master = master
        self.kpis = dict(master.kpis)
        self.levels = dict(master.milestone_levels)
        self.cards = dict(master.cards)
        self.held: dict[str, list[Assignment]] = {}
        self.rows: list[Negotiated] = []
        self.next_number = 1 + max((int(m.group(1)) for code in master.kpis
                                    if (m := _GROUP2_CODE.match(code))), default=0)

    def office(self, code: str, outcome: ProposalOutcome | None,
               problems: list[Problem]) -> OfficeProposal:
        """Merges one office's proposal, when valid; its line of the record."""
        info = self.master.offices[code]
        line = OfficeProposal(code, info.name, Verdict.MISSING)
        if outcome is None:
            problems.append(problem(Code.PROPOSAL_MISSING, office=code))
            return line
        line.file, line.sha256 = outcome.file, outcome.sha256
        line.problems = outcome.problems
        if not outcome.valid:
            line.verdict = Verdict.ERRORS
            problems.append(problem(Code.PROPOSAL_NOT_MERGED, file=outcome.file, office=code))
            return line
        by_code = {p.code: p for p in outcome.rows if p.code}
        assignments = []
        for a in self.master.assignments_for(code):
            p = by_code.get(a.kpi)
            previous = current(self.master, a, p.row) if p is not None else None
            if p is not None and previous is not None and p.differs(previous):
                line.changed.append(a.kpi)
                self.rows.append(Negotiated(code, a.kpi, CHANGED, p, previous))
                a = self.put(code, a.kpi, p)
            assignments.append(a)
        for p in outcome.rows:
            if not p.code:
                kpi = f"2.{self.next_number}"
                self.next_number += 1
                assignments.append(self.put(code, kpi, p))
                line.new.append(kpi)
                self.rows.append(Negotiated(code, kpi, NEW, replace(p, code=kpi), None))
        self.held[code] = assignments
        line.flags = sum(len(p.flags) for p in outcome.rows)
        line.verdict = Verdict.MERGED if line.new or line.changed else Verdict.UNCHANGED
        return line

    def put(self, office: str, code: str, p: Proposed) -> Assignment:
        """KPI ``code`` of ``office`` as ``p`` proposes it, in the draft's tables."""
        assert p.kind is not None and p.weight is not None
        if len(self.master.holders(code)) <= 1:     # a shared KPI's catalogue stays (locked)
            self.kpis[code] = Kpi(code, p.name, 2, p.unit, p.kind, p.direction,
                                  p.org_kpi or None, p.description, p.formula,
                                  p.data_required)
            if p.kind.needs_levels:
                self.levels[code] = {n: t for n, t in enumerate(p.level_texts, start=1)}
            else:
                self.levels.pop(code, None)
        years = {y for y, _ in p.baseline} | set(P.baseline_years(
            self.master.settings.fiscal_year))
        kept = tuple((y, v) for y, v in self.master.card(office, code).baseline
                     if y not in years)
        target = with_unit(p.target, self.master.card(office, code).target)
        card = KpiCard(target, p.owner, p.collector, tuple(sorted(kept + p.baseline)))
        if card != KpiCard():
            self.cards[(office, code)] = card
        else:
            self.cards.pop((office, code), None)
        return Assignment(office, code, p.weight, p.criteria)

    def draft(self) -> Master:
        """The master with every merged office's assignments in place of its own."""
        assignments, done = [], set()
        for a in self.master.assignments:
            if a.office in self.held:
                if a.office not in done:
                    assignments.extend(self.held[a.office])
                    done.add(a.office)
            else:
                assignments.append(a)
        return Master(self.master.settings, dict(self.master.offices), self.kpis, assignments,
                      self.levels, dict(self.master.org_scores), dict(self.master.overrides),
                      dict(self.master.org_kpis), self.cards)


def _group_weights(master: Master, office: str) -> dict[int, Decimal]:
    """The office's weight in each KPI group."""
    weights: dict[int, Decimal] = {}
    for a in master.assignments_for(office):
        group = master.kpis[a.kpi].group
        weights[group] = weights.get(group, Decimal(0)) + a.weight
    return weights

