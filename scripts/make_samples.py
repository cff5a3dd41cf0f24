"""Build ``samples/``: returns as coordinators would send them for the shipped master.

Most offices filled in full; B05 re-saved through LibreOffice; B07 incomplete (a result left
blank); B09 with a problem (a result typed as words); B03 typed Thai digits and separators as
text (accepted with a warning); B13 never sent. And ``samples/proposals/``, proposals of the
negotiation round: B02 proposes a new KPI, B08 a soft target (re-saved through LibreOffice), B10
a milestone KPI with levels missing and weights over 100. And ``samples/review/``, the
committee's review of the returns with one deduction (re-saved through LibreOffice). And
``samples/history/``, earlier returns for the history of rounds and years: ``2568/``, the
previous year's master (``make_master.py --fiscal-year 2568``) and its round-12 returns from every
office, where B01, B03 and B08 had 2569's results a level lower (they improved in 2569) and B05
and B12 a level higher (they fell), the others drawn afresh; ``2569-R6/``, the half-year returns
(the round's own weights and criteria) from every office but B13. Needs LibreOffice for B05, B08
and the review. Run: ``python scripts/make_samples.py`` (``--proposals``, ``--review`` or
``--history`` for those alone).
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from make_master import write as write_master  # noqa: E402  # a sibling script

from workbook_engine.devkit.libreoffice import convert  # noqa: E402
from workbook_engine.devkit.proposals import SAMPLE_PROPOSALS, fill_proposal  # noqa: E402
from workbook_engine.devkit.review import SAMPLE_REVIEW, fill_review  # noqa: E402
from workbook_engine.devkit.testing import fill_return  # noqa: E402
from workbook_engine.forms.generate import generate  # noqa: E402
from workbook_engine.harvesting.run import harvest  # noqa: E402
from workbook_engine.kinds import MILESTONE, QUANTITATIVE, STEPWISE  # noqa: E402
from workbook_engine.master.reader import load_master  # noqa: E402
from workbook_engine.model import Master  # noqa: E402
from workbook_engine.proposals import layout as P  # noqa: E402
from workbook_engine.proposals.propose import propose  # noqa: E402
from workbook_engine.review import layout as review_layout  # noqa: E402
from workbook_engine.review.workbook import ReviewWriter  # noqa: E402
from workbook_engine.scoring import assessed  # noqa: E402

ROUND = 12
SEED = 2569                 # the random results of the year's round ROUND
NOT_SENT = {"B13"}
RESAVED = "B05"
INCOMPLETE = "B07"
PROBLEM = "B09"
THAI_DIGITS = "B03"
RESAVED_PROPOSAL = "B08"
HISTORY = ROOT / "samples" / "history"
PREVIOUS_YEAR = 2568        # of samples/history/2568: its results drawn from Random(2568)
IMPROVED = ("B01", "B03", "B08")   # a level lower in 2568 than in 2569
FELL = ("B05", "B12")              # a level higher in 2568 than in 2569
HALF_YEAR, HALF_YEAR_SEED = 6, 256906


def results_for(master: Master, office: str, rng: random.Random,
                round_months: int = ROUND) -> dict[str, object]:
    """Plausible results of a round: somewhere between level 1 and a little beyond level 5
    (none for a KPI of weight 0 in the round)."""
    results: dict[str, object] = {}
    for a in master.assignments_for(office, round_months):
        kind = master.kpis[a.kpi].kind
        if not assessed(a.weight):
            continue
        if kind is MILESTONE:
            results[a.kpi] = rng.choice([3, 4, 4, 5, 5])
        elif kind is STEPWISE and a.criteria:     # a count of checklist items done
            results[a.kpi] = rng.randint(int(a.criteria[0]), int(a.criteria[4]))
        elif kind is QUANTITATIVE and a.criteria:
            low, high = float(a.criteria[0]), float(a.criteria[4])
            value = round(low + (high - low) * rng.uniform(0.2, 1.1), 2)
            results[a.kpi] = min(value, 100.0) if master.kpis[a.kpi].is_percent else value
    return results


def drawn(master: Master, round_months: int, seed: int) -> dict[str, dict[str, object]]:
    """Every office's :func:`results_for` the round, drawn in master order from one seed."""
    rng = random.Random(seed)
    return {office: results_for(master, office, rng, round_months) for office in master.offices}


def texts_for(master: Master, office: str,
              round_months: int = ROUND) -> dict[str, dict[str, str]]:
    return {a.kpi: {"DATA": f"ผลการดำเนินงานตามตัวชี้วัด {a.kpi} รอบ {round_months} เดือน",
                    "NOTE": "ดำเนินการตามแผนปฏิบัติราชการ ประชุมติดตามทุกเดือน และรายงานผู้บริหาร",
                    "SUPPORT": "ผู้บริหารให้ความสำคัญและสนับสนุนงบประมาณ",
                    "OBSTACLE": "-",
                    "EVIDENCE": f"รายงานการประชุมและสรุปผล ตัวชี้วัด {a.kpi}"}
            for a in master.assignments_for(office, round_months) if assessed(a.weight)}


def main(out: Path = ROOT / "samples") -> None:
    master = load_master(ROOT / "templates" / "master.xlsx")
    drawn_results = drawn(master, ROUND, SEED)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        generate(master, ROUND, work / "forms", jobs=1)
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        for office in master.offices:
            results = drawn_results[office]
            if office in NOT_SENT:
                continue
            quantitative = [k for k, v in results.items() if isinstance(v, float)]
            if office == INCOMPLETE:
                del results[quantitative[0]]
            if office == PROBLEM:
                results[quantitative[0]] = "ประมาณ 80 เปอร์เซ็นต์"
            if office == THAI_DIGITS:
                results[quantitative[0]] = " " + str(results[quantitative[0]]).translate(
                    str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")) + " "
            name = f"{master.settings.fiscal_year}-R{ROUND}-{office}.xlsx"
            target = (work if office == RESAVED else out) / name
            fill_return(work / "forms" / name, target, results, texts_for(master, office))
            if office == RESAVED:
                convert([target], out, "xlsx", recalculate=True)
    print(f"wrote {len(list(out.glob('*.xlsx')))} sample returns to {out}")
    make_proposals(master, out / "proposals")
    make_review(master, out)
    make_history(master, out / "history")


def make_history(master: Master, out: Path = HISTORY) -> None:
    """``samples/history/``: the previous year's round 12 and this year's round 6."""
    shutil.rmtree(out, ignore_errors=True)
    make_previous_year(master, out / str(PREVIOUS_YEAR))
    sent = {o: r for o, r in drawn(master, HALF_YEAR, HALF_YEAR_SEED).items()
            if o not in NOT_SENT}
    write_returns(master, HALF_YEAR, sent, out / f"{master.settings.fiscal_year}-R{HALF_YEAR}")


def make_previous_year(master: Master, out: Path) -> None:
    """The previous year's master and every office's round-12 return from it: IMPROVED and
    FELL offices with this year's results a level lower and higher, the others drawn."""
    out.mkdir(parents=True)
    write_master(out / f"master-{PREVIOUS_YEAR}.xlsx", PREVIOUS_YEAR)
    previous = load_master(out / f"master-{PREVIOUS_YEAR}.xlsx")
    results, this_year = drawn(previous, ROUND, PREVIOUS_YEAR), drawn(master, ROUND, SEED)
    for office in IMPROVED + FELL:
        levels = -1 if office in IMPROVED else 1
        results[office] = moved(previous, office, this_year[office], levels)
    write_returns(previous, ROUND, results, out)


def moved(master: Master, office: str, results: dict[str, object],
          levels: int) -> dict[str, object]:
    """Round-12 ``results`` moved ``levels`` levels (negative: worse): a milestone's level, a
    count or quantity by the step from level 1 to level 2 of its criteria (kept to 0-5, to 0
    and up, to the checklist's length, to 100 for a percentage)."""
    out: dict[str, object] = {}
    for a in master.assignments_for(office, ROUND):
        value = results.get(a.kpi)
        if not isinstance(value, (int, float)):
            continue
        if master.kpis[a.kpi].kind is MILESTONE:
            out[a.kpi] = min(max(value + levels, 0), 5)
            continue
        step = a.criteria[1] - a.criteria[0]
        if master.kpis[a.kpi].kind is STEPWISE:
            out[a.kpi] = min(max(value + levels * int(step), 0), int(a.criteria[4]))
        else:
            value = max(round(value + levels * float(step), 2), 0.0)
            out[a.kpi] = min(value, 100.0) if master.kpis[a.kpi].is_percent else value
    return out


def write_returns(master: Master, round_months: int, results: dict[str, dict[str, object]],
                  out: Path) -> None:
    """The round's office workbooks generated and filled in with ``results`` by office into
    ``out``."""
    with tempfile.TemporaryDirectory() as tmp:
        forms = Path(tmp) / "forms"
        generate(master, round_months, forms, jobs=1)
        out.mkdir(parents=True, exist_ok=True)
        for office, values in results.items():
            name = f"{master.settings.fiscal_year}-R{round_months}-{office}.xlsx"
            fill_return(forms / name, out / name, values, texts_for(master, office, round_months))
    print(f"wrote {len(results)} sample returns of {master.settings.fiscal_year} round "
          f"{round_months} to {out}")


def make_review(master: Master, samples: Path) -> None:
    """The committee's filled review workbook of the sample returns (``SAMPLE_REVIEW``), re-saved
    by LibreOffice as a committee using it would send it back; bound to the returns' SHA-256,
    so it is made again whenever they are."""
    out = samples / "review"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        report = harvest(sorted(samples.glob("*.xlsx")), master, ROUND, jobs=1)
        name = review_layout.file_name(master.settings.fiscal_year, ROUND)
        ReviewWriter(work / "form.xlsx").write(report, master)
        fill_review(work / "form.xlsx", work / name, SAMPLE_REVIEW)
        shutil.rmtree(out, ignore_errors=True)
        convert([work / name], out, "xlsx", recalculate=True)
    print(f"wrote the committee's sample review ({len(SAMPLE_REVIEW)} entry) to {out / name}")


def make_proposals(master: Master, out: Path) -> None:
    """The sample proposals of the negotiation round (``SAMPLE_PROPOSALS``); B08's re-saved
    by LibreOffice, as a coordinator using it would send it."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        propose(master, work / "forms", list(SAMPLE_PROPOSALS), jobs=1)
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        year = master.settings.fiscal_year
        for office, (edits, new) in SAMPLE_PROPOSALS.items():
            name = P.file_name(year, office)
            target = (work if office == RESAVED_PROPOSAL else out) / name
            fill_proposal(work / "forms" / name, target, year, edits, new)
            if office == RESAVED_PROPOSAL:
                convert([target], out, "xlsx", recalculate=True)
    print(f"wrote {len(SAMPLE_PROPOSALS)} sample proposals to {out}")


if __name__ == "__main__":
    if "--proposals" in sys.argv[1:]:
        make_proposals(load_master(ROOT / "templates" / "master.xlsx"),
                       ROOT / "samples" / "proposals")
    elif "--review" in sys.argv[1:]:
        make_review(load_master(ROOT / "templates" / "master.xlsx"), ROOT / "samples")
    elif "--history" in sys.argv[1:]:
        make_history(load_master(ROOT / "templates" / "master.xlsx"))
    else:
        main()
