"""Applying the committee's review to a harvest (CONTRACT section 7).

An office's entries apply only to the very return the committee saw (the same SHA-256), and
only when the self-assessment the review workbook shows is that return's; the committee's score
then stands beside the office's on each KPI, and an accepted office gets the committee's total.
"""

from __future__ import annotations

from pathlib import Path

from ..harvesting.checked import same, show
from ..harvesting.outcomes import (
    FileRecord,
    HarvestReport,
    KpiOutcome,
    OfficeOutcome,
    ReviewSource,
    Status,
    Verified,
)
from ..harvesting.run import local_time
from ..model import Master
from ..problems import Code, Problem, problem
from ..scoring import total_score
from . import layout as R
from .read import SELF_ASSESSED, Entry, ReviewOutcome, read_review
from .workbook import REVIEWED


def harvest_review(report: HarvestReport, path: Path, master: Master) -> None:
    """Read the review workbook at ``path`` and apply it to ``report`` (problems added)."""
    apply_review(report, read_review(path, master, report.round_months))


def apply_review(report: HarvestReport, review: ReviewOutcome) -> None:
    """Apply ``review``'s entries to ``report``: each KPI's :class:`Verified`, each covered
    office's ``reviewed`` and (accepted) ``verified_total``, and the review's problems."""
    report.problems.extend(review.problems)
    source = ReviewSource(review.file, review.sha256, applied=False)
    report.review = source
    report.files.append(FileRecord(review.file, review.size, review.sha256,
                                   local_time(review.saved_or_modified), None,
                                   "review_refused"))
    if review.refused:
        return
    offices = {o.office: o for o in report.offices}
    covered, stale = _covered(offices, review.shas, review.file)
    report.problems.extend(stale)
    rows = []
    for entry in review.entries:
        office = covered.get(entry.office)
        kpi = None if office is None else next(
            (k for k in office.kpis if k.kpi == entry.kpi and k.assessed), None)
        if office is not None and kpi is None:
            report.problems.append(problem(
                Code.REVIEW_ROW_UNKNOWN, file=review.file, office=entry.office,
                sheet=R.TABLE_SHEET, cell=f"{R.LETTER['kpi']}{entry.row}", kpi=entry.kpi,
                why="แบบรายงานของหน่วยงานไม่มีตัวชี้วัดนี้"))
        elif kpi is not None:
            rows.append((entry, kpi))
    changed = [p for entry, kpi in rows for p in _tampered(entry, kpi, review.file)]
    if changed:
        report.problems.extend(changed)
        return
    for entry, kpi in rows:
        j = entry.judged
        if j.score is not None and j.weighted is not None:
            kpi.review = Verified(j.result, j.given, j.score, j.weighted, entry.reason,
                                  entry.row)
            source.entries += 1
    for office in covered.values():
        office.reviewed = True
        if office.status is Status.ACCEPTED:
            office.verified_total = total_score(
                (k.final_weighted for k in office.kpis if k.assessed), report.places)
    source.applied, source.offices = True, len(covered)
    report.files[-1].outcome = "review"


def _covered(offices: dict[str, OfficeOutcome], shas: dict[str, str], file: str
             ) -> tuple[dict[str, OfficeOutcome], list[Problem]]:
    """The offices whose harvested return is the one reviewed; REVIEW_STALE for those whose
    return is another now, REVIEW_ROW_UNKNOWN for those not in this harvest at all."""
    covered, problems = {}, []
    for code, sha in shas.items():
        office = offices.get(code)
        if office is None:            # not in the master: told when the review was read
            continue
        if office.status in REVIEWED and office.sha256 == sha:
            covered[code] = office
        elif office.status is Status.MISSING:
            problems.append(problem(Code.REVIEW_ROW_UNKNOWN, file=file, office=code, kpi="ทุกตัว",
                                    why="ไม่มีแบบรายงานของหน่วยงานนี้ในการรวบรวมครั้งนี้"))
        else:
            now = (f"ไฟล์ {office.file} SHA-256 {(office.sha256 or '')[:12]}…"
                   if office.status in REVIEWED else f"ไฟล์ {office.file} ซึ่งไม่รับ")
            problems.append(problem(Code.REVIEW_STALE, file=file, office=code, now=now))
    return covered, problems


def _tampered(entry: Entry, kpi: KpiOutcome, file: str) -> list[Problem]:
    """REVIEW_LOCKED_CHANGED for each self-assessed cell of ``entry``'s row that does not show
    ``kpi`` as harvested from the office's return."""
    found = []
    for key, value in zip(SELF_ASSESSED, (kpi.result, kpi.score, kpi.weighted), strict=True):
        cell = entry.shown[key]
        if not same(cell, value):
            found.append(problem(
                Code.REVIEW_LOCKED_CHANGED, file=file, office=entry.office,
                sheet=R.TABLE_SHEET, cell=f"{R.LETTER[key]}{entry.row}", expected=show(value),
                found=show(cell.value if cell else None)))
    return found
