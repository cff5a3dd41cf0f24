"""Build ``samples/``: returns as coordinators would send them for the shipped master.

Most offices filled in full; B05 re-saved through LibreOffice; B07 incomplete (a result left
blank); B09 with a problem (a result typed as words); B03 typed Thai digits and separators as
text (accepted with a warning); B13 never sent. And ``samples/proposals/``, proposals of the
negotiation round: B02 proposes a new KPI, B08 a soft target (re-saved through LibreOffice), B10
a milestone KPI with levels missing and weights over 100. And ``samples/review/``, the
committee's review of the returns with one deduction (re-saved through LibreOffice). Needs
LibreOffice for B05, B08 and the review. Run: ``python scripts/make_samples.py``
(``--proposals`` or ``--review`` for those alone).
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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

ROUND = 12
NOT_SENT = {"B13"}
RESAVED = "B05"
INCOMPLETE = "B07"
PROBLEM = "B09"
THAI_DIGITS = "B03"
RESAVED_PROPOSAL = "B08"


def results_for(master: Master, office: str, rng: random.Random) -> dict[str, object]:
    """Plausible results: somewhere between level 1 and a little beyond level 5."""
    results: dict[str, object] = {}
    for a in master.assignments_for(office, ROUND):
        kind = master.kpis[a.kpi].kind
        if kind is MILESTONE:
            results[a.kpi] = rng.choice([3, 4, 4, 5, 5])
        elif kind is STEPWISE and a.criteria:     # a count of checklist items done
            results[a.kpi] = rng.randint(int(a.criteria[0]), int(a.criteria[4]))
        elif kind is QUANTITATIVE and a.criteria:
            low, high = float(a.criteria[0]), float(a.criteria[4])
            value = round(low + (high - low) * rng.uniform(0.2, 1.1), 2)
            results[a.kpi] = min(value, 100.0) if master.kpis[a.kpi].is_percent else value
    return results


def texts_for(master: Master, office: str) -> dict[str, dict[str, str]]:
    return {a.kpi: {"DATA": f"ผลการดำเนินงานตามตัวชี้วัด {a.kpi} รอบ {ROUND} เดือน",
                    "NOTE": "ดำเนินการตามแผนปฏิบัติราชการ ประชุมติดตามทุกเดือน และรายงานผู้บริหาร",
                    "SUPPORT": "ผู้บริหารให้ความสำคัญและสนับสนุนงบประมาณ",
                    "OBSTACLE": "-",
                    "EVIDENCE": f"รายงานการประชุมและสรุปผล ตัวชี้วัด {a.kpi}"}
            for a in master.assignments_for(office)}


def main(out: Path = ROOT / "samples") -> None:
    master = load_master(ROOT / "templates" / "master.xlsx")
    rng = random.Random(2569)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        generate(master, ROUND, work / "forms", jobs=1)
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        for office in master.offices:
            results = results_for(master, office, rng)
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
    else:
        main()
