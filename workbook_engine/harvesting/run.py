"""``harvest``: read every returned workbook, choose one per office, and report (CONTRACT 3-4).

The pipeline: :func:`~workbook_engine.harvesting.intake.collect` lists the files (their paths
only), :func:`~workbook_engine.harvesting.returns.read_return` reads and checks each in a worker
process, files with identical bytes are counted once, one return per office is chosen (the one
saved last), and a :class:`HarvestReport` is assembled for the JSON result and the summary
workbook.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Collection, Iterator, Sequence
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Protocol, TypeVar

import workbook_engine.workers as workers

from ..fiscal import BANGKOK
from ..forms import layout as L
from ..master import format as mf
from ..model import Master
from ..problems import Code, Problem, problem
from ..xlsx.outputs import Output, Spool, Spooled
from .intake import Archives, Candidate, collect
from .outcomes import FileRecord, HarvestReport, KpiOutcome, OfficeOutcome, Status
from .returns import ReturnOutcome, read_return

PARALLEL_FROM = 8      # fewer files than this are read in-process
CHUNK = 16


def engine_version() -> str:
    """The installed package version."""
    try:
        return metadata.version("workbook-engine")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def local_time(moment: dt.datetime | None) -> dt.datetime | None:
    """A moment as naive Bangkok time, as Excel shows it (naive values are taken as UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(BANGKOK).replace(tzinfo=None, microsecond=0)


# Archives of returns stay open between a process's batches: opening one reads its whole
# directory, which for a national archive of 20,000 returns costs more than a batch's reading.
_archives = Archives()


def _read_chunk(candidates: list[Candidate]) -> list[ReturnOutcome]:
    master, round_months, key = workers.shared()
    return [read_return(c, master, round_months, key, _archives) for c in candidates]


def read_all(candidates: Sequence[Candidate], master: Master, round_months: int,
             key: bytes | None, jobs: int | None = None,
             progress: Callable[[int], None] | None = None,
             each: Callable[[ReturnOutcome], None] | None = None) -> list[ReturnOutcome]:
    """Check every candidate, using every core for many files; results in input order.

    ``each`` is called with every outcome as soon as its batch is back, while the workers go on
    with the next ones.
    """
    count = max(1, min(jobs or os.cpu_count() or 1, len(candidates)))
    if len(candidates) < PARALLEL_FROM:
        count = 1
    batches = [list(candidates[i:i + CHUNK]) for i in range(0, len(candidates), CHUNK)]
    outcomes: list[ReturnOutcome] = []
    try:
        for batch in workers.run(_read_chunk, batches, (master, round_months, key), count):
            outcomes.extend(batch)
            if each is not None:
                for outcome in batch:
                    each(outcome)
            if progress:
                progress(len(outcomes))
    finally:
        _archives.__exit__()        # those this process opened (workers' close as they end)
    return outcomes


class Recorder(Protocol):
    """Where a harvest's files go as they are read (the ledger), and where files read before
    come from."""

    def reuse(self, candidate: Candidate) -> ReturnOutcome | None:
        """The recorded outcome of this very file, or None when it must be read; what its
        KPIs took from the master is the master's own objects (as :func:`_held_once` makes
        them)."""

    def read(self, candidate: Candidate, outcome: ReturnOutcome) -> None:
        """Keep the outcome of a file just read."""


class Lines(Protocol):
    """Where the JSON's office lines of files read before are kept (the ledger)."""

    def line(self, file: str, sha256: str) -> str | None:
        """The line kept for the office of this run's ``file`` of these bytes, if any."""

    def keep_line(self, file: str, sha256: str, line: str) -> None:
        """Keep the line of the office of this run's ``file`` of these bytes (if its outcome
        is kept)."""


def _held_once(outcome: ReturnOutcome, master: Master, round_months: int,
               scores: dict[str, Decimal]) -> ReturnOutcome:
    """``outcome`` holding the master's own objects for what its KPIs took from the master
    (names, units, weights, criteria), where a worker's copy arrived: 20,000 offices repeat
    them 400,000 times. Equal values come from the same master cell, so they are the same.
    Scores and weighted scores (a few thousand values, to four places) are held once too,
    through ``scores`` (by their text, which tells 1.5 and 1.50 apart)."""
    if outcome.office is None or not outcome.kpis:
        return outcome
    for k in outcome.kpis:
        if k.score is not None:
            k.score = scores.setdefault(str(k.score), k.score)
        if k.weighted is not None:
            k.weighted = scores.setdefault(str(k.weighted), k.weighted)
    kpis = master.kpis
    assigned = {a.kpi: a for a in master.assignments_for(outcome.office, round_months)}
    for k in outcome.kpis:
        kpi, a = kpis.get(k.kpi), assigned.get(k.kpi)
        if kpi is not None and k.name == kpi.name and k.unit == kpi.unit:
            k.kpi, k.name, k.unit, k.org_kpi = kpi.code, kpi.name, kpi.unit, kpi.org_kpi
            k.direction = kpi.direction.value if kpi.direction else None
        if a is not None and k.weight == a.weight and k.criteria == a.criteria:
            k.weight, k.criteria = a.weight, a.criteria
        if k.sheet is not None and k.cell is not None:
            k.sheet, k.cell = sys.intern(k.sheet), sys.intern(k.cell)
    return outcome


def read_or_reuse(candidates: Sequence[Candidate], master: Master, round_months: int,
                  key: bytes | None, jobs: int | None, recorder: Recorder | None,
                  progress: Callable[[int], None] | None = None,
                  each: Callable[[ReturnOutcome], None] | None = None) -> list[ReturnOutcome]:
    """:func:`read_all` of the candidates the recorder does not know, the recorded outcomes
    of the others; every outcome given to ``each``, and the results in input order."""
    known: dict[int, ReturnOutcome] = {}
    scores: dict[str, Decimal] = {}
    if recorder is not None:     # its outcomes hold the master's objects already
        for index, candidate in enumerate(candidates):
            if (outcome := recorder.reuse(candidate)) is not None:
                known[index] = outcome
                if each is not None:
                    each(outcome)
                if progress:
                    progress(len(known))
    unread = [c for i, c in enumerate(candidates) if i not in known]
    pending = iter(unread)

    def arrived(outcome: ReturnOutcome) -> None:
        _held_once(outcome, master, round_months, scores)
        if recorder is not None:
            recorder.read(next(pending), outcome)
        if each is not None:
            each(outcome)

    read = iter(read_all(unread, master, round_months, key, jobs,
                         (lambda done: progress(done + len(known))) if progress else None,
                         arrived))
    return [known[i] if i in known else next(read) for i in range(len(candidates))]


class Chosen(Protocol):
    """What choosing one file per office needs to know of a file's outcome."""

    @property
    def file(self) -> str: ...
    @property
    def sha256(self) -> str: ...
    @property
    def office(self) -> str | None: ...
    @property
    def saved_or_modified(self) -> dt.datetime | None: ...


C = TypeVar("C", bound=Chosen)


def unique(outcomes: list[C]) -> tuple[list[C], list[tuple[C, str]]]:
    """Files with identical bytes counted once, the first given; the copies with the name of
    the file they repeat."""
    seen: dict[str, str] = {}
    found, copies = [], []
    for outcome in outcomes:
        if outcome.sha256 in seen:
            copies.append((outcome, seen[outcome.sha256]))
        else:
            if outcome.sha256:          # "" for a file that could not be read
                seen[outcome.sha256] = outcome.file
            found.append(outcome)
    return found, copies


def choose(outcomes: list[C], usable: Callable[[C], bool], duplicate: Code
           ) -> tuple[dict[str, C], list[Problem]]:
    """One file per office: the usable one saved last; the others told as ``duplicate``."""
    by_office: dict[str, list[C]] = {}
    for outcome in outcomes:
        if outcome.office is not None:
            by_office.setdefault(outcome.office, []).append(outcome)
    chosen, problems = {}, []
    floor = dt.datetime.min.replace(tzinfo=dt.UTC)
    for office, files in by_office.items():
        candidates = [f for f in files if usable(f)] or files
        candidates.sort(key=lambda f: (_aware(f.saved_or_modified) or floor, f.file))
        winner = candidates[-1]
        chosen[office] = winner
        for other in candidates[:-1]:
            if usable(winner):
                problems.append(problem(duplicate, file=other.file, office=office,
                                        used=winner.file, ignored=other.file))
    return chosen, problems


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


def harvest(paths: Sequence[str | Path], master: Master, round_months: int,
            key: bytes | None = None, jobs: int | None = None,
            progress: Callable[[int, int], None] | None = None,
            now: dt.datetime | None = None, exclude: Collection[Path] = (),
            on_office: Callable[[OfficeOutcome], None] | None = None,
            recorder: Recorder | None = None) -> HarvestReport:
    """Harvest returned workbooks into a report.

    Args:
        paths: files, folders (searched recursively) and ``.zip`` archives of returns.
        master: the valid master the returns are checked against.
        round_months: 6, 9 or 12.
        key: the signing key when one is configured; signatures are then required.
        jobs: worker processes (default: every core).
        progress: called with (files done, files in all).
        now: the harvest time (default: now, Bangkok time).
        exclude: files not to read (the summary and JSON being written, if they lie among the
            returns).
        on_office: called, while other returns are still being read, with the office each
            usable return makes (as it will be in the report if that return is chosen), so
            its part of the summary can be prepared early.
        recorder: the ledger's run, which keeps each file read and gives back the outcomes
            of files read before (see :class:`Recorder`).

    Returns:
        The :class:`HarvestReport`: every office of the master, every file, every problem.

    Raises:
        ValueError: for a round that is not 6, 9 or 12.
    """
    if round_months not in mf.ROUND_MONTHS:
        raise ValueError(f"round must be one of {mf.ROUND_MONTHS}, got {round_months}")
    candidates, problems = collect((Path(p) for p in paths), exclude)

    def early(outcome: ReturnOutcome) -> None:
        if on_office is not None and outcome.office is not None:
            on_office(_office(master, outcome.office, outcome))

    outcomes, copies = unique(read_or_reuse(
        candidates, master, round_months, key, jobs, recorder,
        (lambda done: progress(done, len(candidates))) if progress else None,
        early if on_office else None))
    chosen, duplicates = choose(outcomes, lambda r: r.status is not Status.REJECTED,
                                Code.RETURN_DUPLICATE)
    for outcome in outcomes:
        problems.extend(outcome.problems)
    problems.extend(duplicates)
    for copy, original in copies:
        problems.append(problem(Code.RETURN_SAME_FILE_TWICE, file=copy.file, other=original))
    offices = [_office(master, code, chosen.get(code)) for code in master.offices]
    for office in offices:
        if office.status is Status.MISSING:
            problems.append(problem(Code.OFFICE_MISSING, office=office.office))
    files = _files(outcomes, chosen, copies)
    return HarvestReport(master.settings.organisation, master.settings.fiscal_year,
                         round_months, local_time(now or dt.datetime.now(dt.UTC))
                         or dt.datetime.now(), engine_version(), L.SCHEMA_VERSION, offices,
                         files, problems, below_level1=master.settings.below_level1_score,
                         places=master.settings.places,
                         master_file=master.source, master_sha256=master.source_sha256,
                         org_kpis=master.org_kpis, cascaded=cascaded(master))


def cascaded(master: Master) -> dict[str, tuple[str, ...]]:
    """The offices each organisation KPI is cascaded to, by its code, in master order."""
    found: dict[str, dict[str, None]] = {}
    for a in master.assignments:
        org = master.kpis[a.kpi].org_kpi
        if org:
            found.setdefault(org, {})[a.office] = None
    return {org: tuple(offices) for org, offices in found.items()}


def _office(master: Master, code: str, chosen: ReturnOutcome | None) -> OfficeOutcome:
    info = master.offices[code]
    outcome = OfficeOutcome(code, info.name, Status.MISSING, coordinator=info.coordinator,
                            email=info.email)
    if chosen is not None:
        outcome.status = chosen.status
        outcome.file, outcome.sha256 = chosen.file, chosen.sha256
        outcome.saved = local_time(chosen.saved_or_modified)
        outcome.kpis, outcome.groups = chosen.kpis, chosen.groups
        outcome.total_score = chosen.total if chosen.status is Status.ACCEPTED else None
    return outcome


def _files(outcomes: list[ReturnOutcome], chosen: dict[str, ReturnOutcome],
           copies: list[tuple[ReturnOutcome, str]]) -> list[FileRecord]:
    used = {id(o) for o in chosen.values()}
    records = []
    for o in outcomes:
        verdict = o.status.value if (id(o) in used or o.status is Status.REJECTED) else "ignored"
        records.append(FileRecord(o.file, o.size, o.sha256, local_time(o.saved_or_modified),
                                  o.office, verdict))
    for copy, _original in copies:
        records.append(FileRecord(copy.file, copy.size, copy.sha256,
                                  local_time(copy.modified), None, "ignored"))
    return records


# Characters JSON may hold raw that readers of lines (str.splitlines, editors) take as line
# breaks: escaped, so that a coordinator's text cannot split an office over two lines.
_LINE_BREAKS = str.maketrans({"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def json_text(report: HarvestReport) -> str:
    """The JSON result (CONTRACT section 4) as one text (see :func:`json_pieces`)."""
    return "".join(json_pieces(report))


def office_line(office: OfficeOutcome) -> str:
    """An office's line of the JSON result."""
    return json_line(office.as_json())


def json_pieces(report: HarvestReport,
                line: Callable[[OfficeOutcome], str] = office_line) -> Iterator[str]:
    """The JSON result (CONTRACT section 4) piece by piece, one office (its ``line``) and one
    problem to a line (easy to read, search and compare; and written without holding the
    whole text), each line encoded by ``json``'s C encoder (``indent`` would turn it off)."""
    head = report.json_head()
    yield "{\n" + ",\n".join(f" {json_line(key)}: {json_line(value)}"
                              for key, value in head.items())
    lists = (("offices", (line(o) for o in report.offices)),
             ("problems", (json_line(p.as_dict()) for p in report.problems)))
    for key, items in lists:
        yield f",\n {json_line(key)}: ["
        empty = True
        for item in items:
            yield f"{'' if empty else ','}\n  {item}"
            empty = False
        yield "]" if empty else "\n ]"
    yield "\n}\n"


def json_line(value: object) -> str:
    """``value`` as JSON on one line, readable Thai, with the characters that readers of lines
    take as line breaks escaped."""
    text = json.dumps(value, ensure_ascii=False)
    if "\u2028" in text or "\u2029" in text or "\u0085" in text:   # rare; translate is slow
        text = text.translate(_LINE_BREAKS)
    return text


def write_json(report: HarvestReport, path: Path) -> None:
    """Write the JSON result atomically.

    Raises:
        OutputError: when it cannot be written.
    """
    writer = JsonWriter(path)
    writer.save(report)
    writer.commit()


class JsonWriter(Output):
    """The JSON result, saved under a temporary name until :meth:`commit` puts it in place, so
    that nothing is left when the summary beside it cannot be written (:meth:`discard`).

    :meth:`prepare` renders an office's line as soon as its return is checked and keeps it in
    a spool file, so that the office's KPI outcomes need not be held for the JSON.
    """

    def __init__(self, path: Path, kept: Lines | None = None) -> None:
        """``kept``: where the lines of files read before are kept, and new ones go."""
        super().__init__(path)
        self._spool: Spool | None = None
        self._kept = kept
        # an office's lines, one for each of its returns: its KPIs, what else it says, where
        self._lines: dict[str, list[tuple[list[KpiOutcome], tuple[object, ...], Spooled]]] = {}

    def prepare(self, office: OfficeOutcome) -> None:
        """Render the line ``office`` will have if its return is the one chosen (or take the
        one kept for its file: a line depends on nothing but the file and the master).

        Raises:
            OutputError: when it cannot be kept (a full disk).
        """
        try:
            if self._spool is None:
                self._spool = Spool(str(self.path.absolute().parent))
            kept = self._spool.keep(self._prepared(office))
        except OSError as exc:
            self.discard()
            raise self.error(exc) from exc
        self._lines.setdefault(office.office, []).append((office.kpis, _unlisted(office), kept))

    def _prepared(self, office: OfficeOutcome) -> str:
        """``office``'s line as its file's return makes it, taken from or given to the lines
        kept."""
        if self._kept is None or office.file is None or not office.sha256:
            return office_line(office)
        line = self._kept.line(office.file, office.sha256)
        if line is None:
            line = office_line(office)
            self._kept.keep_line(office.file, office.sha256, line)
        return line

    def _line(self, office: OfficeOutcome) -> str:
        """``office``'s line: the one prepared for its return, if the office is still as it
        was then (not reviewed since)."""
        for kpis, unlisted, kept in self._lines.get(office.office, ()):
            if kpis is office.kpis and unlisted == _unlisted(office) and not office.reviewed \
                    and self._spool is not None:
                return self._spool.cells(kept)
        return office_line(office)

    def save(self, report: HarvestReport) -> None:
        """The JSON of ``report`` under its temporary name.

        Raises:
            OutputError: when it cannot be written (nothing is left then).
        """
        try:
            with self.temporary.open("w", encoding="utf-8") as out:
                out.writelines(json_pieces(report, self._line))
        except OSError as exc:
            self.discard()
            raise self.error(exc) from exc
        self._close_spool()

    def discard(self) -> None:
        """Leave no temporary file, nor the lines prepared."""
        self._close_spool()
        super().discard()

    def _close_spool(self) -> None:
        if self._spool is not None:
            self._spool.close()
            self._spool = None


def _unlisted(office: OfficeOutcome) -> tuple[object, ...]:
    """What an office's line says that its return's KPI outcomes do not."""
    return (office.name, office.status, office.file, office.sha256, office.total_score,
            office.verified_total, tuple(office.groups))
