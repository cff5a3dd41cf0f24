"""``workbook-engine demo``: the whole cycle on the shipped master and samples.

check the master -> the negotiation round (proposal workbooks for every office, the shipped
sample proposals collected into a draft master with its negotiation record, the draft checked
and a form generated from it) -> generate every office's workbook for the samples' round (and
for the half year, whose weights and criteria differ) -> harvest the sample returns -> write the
summary workbook and the JSON result into the demo folder -> the committee's review workbook, and
the harvest again with the committee's filled copy shipped in samples/review/ (one deduction):
summary-review.xlsx and its JSON. Every harvest is recorded in the demo's ledger (the second one
takes every return from it instead of reading it again); the previous year's returns and this
year's half-year returns in samples/history/ are recorded too, and the history workbook is
written from the ledger: history.xlsx. Last, the round's outbox: an e-mail (``.eml``) to every
office's coordinator with its form (outbox/forms), and one to every office the harvest did not
accept, saying what to fix or reminding it (outbox/feedback); written, not sent.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import click

from ..forms.generate import generate
from ..harvesting.outcomes import HarvestReport, LedgerRun, Status
from ..harvesting.run import harvest, write_json
from ..ledger.store import recording
from ..master.reader import load_master, read_master
from ..model import Master
from ..proposals.collect import collect_proposals
from ..proposals.propose import propose
from ..proposals.record import write_draft
from ..proposals.record import write_json as write_proposals_json
from .console import echo_harvest, echo_problems, echo_recorded, report_master

DEMO_ROUND = 12
HALF_YEAR = 6
LEDGER = "ledger.sqlite"
# earlier rounds in samples/history/: (folder, its master (None: the shipped one), round)
EARLIER = (("2568", "2568/master-2568.xlsx", 12), ("2569-R6", None, HALF_YEAR))


def shipped(name: str) -> Path:
    """A file or folder shipped with the engine (``templates/master.xlsx``, ``samples``):
    the installed package's copy (``workbook_engine/data``, put there when the wheel is
    built), else the source checkout's."""
    packaged = resources.files("workbook_engine") / "data" / name
    if packaged.is_file() or packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / name


SHIPPED_MASTER = shipped("templates/master.xlsx")
SAMPLES = shipped("samples")


def run_demo(workdir: Path, master_path: Path = SHIPPED_MASTER,
             samples: Path = SAMPLES) -> int:
    """Run the demo cycle; return 0 when every step ran (problems in samples are expected).

    Args:
        workdir: where the demo's outputs go (forms/, summary.xlsx, summary.json).
        master_path: the master workbook to use.
        samples: the returned workbooks to harvest.
    """
    from ..summary.workbook import write_summary

    click.echo(f"== 1. ตรวจไฟล์ต้นแบบ {master_path}")
    checked = read_master(master_path)
    report_master(checked)
    if checked.master is None:
        return 1
    negotiate(checked.master, workdir, samples / "proposals")
    forms = workdir / "forms"
    click.echo(f"\n== 3. สร้างแบบฟอร์มของทุกหน่วยงานจากไฟล์ต้นแบบ (รอบ {DEMO_ROUND} เดือน) ลงใน {forms}")
    rows = generate(checked.master, DEMO_ROUND, forms)
    click.echo(f"สร้างแล้ว {len(rows)} ไฟล์ และ {forms / 'manifest.csv'}")
    half = workdir / f"forms-R{HALF_YEAR}"
    rows = generate(checked.master, HALF_YEAR, half)
    click.echo(f"และแบบฟอร์มรอบ {HALF_YEAR} เดือน {len(rows)} ไฟล์ ลงใน {half} "
               f"({_round_rows(checked.master, HALF_YEAR)})")
    click.echo(f"\n== 4. รวบรวมแบบรายงานตัวอย่างที่หน่วยงานส่งกลับ จาก {samples} "
               f"และบันทึกลงสมุดบันทึกผล {workdir / LEDGER}")
    summary, result = workdir / "summary.xlsx", workdir / "summary.json"
    report = recorded(sorted(samples.glob("*.xlsx")), checked.master, DEMO_ROUND,
                      workdir / LEDGER, summary)
    write_summary(report, summary)
    write_json(report, result)
    echo_harvest(report)
    click.echo(f"ไฟล์สรุปผล: {summary}  (ผลแบบ JSON: {result})")
    reviewed = review(checked.master, workdir, sorted(samples.glob("*.xlsx")), report,
                      samples / "review")
    click.echo(f"\n== 7. ไฟล์สรุปผลหลังการตรวจประเมิน: {reviewed}")
    earlier(samples / "history", checked.master, workdir)
    mail(checked.master, workdir)
    return 0


def recorded(paths: list[Path], master: Master, round_months: int, ledger: Path,
             summary: Path | None, review_file: Path | None = None) -> HarvestReport:
    """The harvest of ``paths`` (and the committee's review, when given), recorded in
    ``ledger`` as the run behind ``summary``; says how many files were read again."""
    from ..review.apply import harvest_review

    with recording(ledger, master, round_months, None) as run:
        report = harvest(paths, master, round_months, recorder=run)
        if review_file is not None:
            harvest_review(report, review_file, master)
        report.ledger = LedgerRun(str(ledger), run.record(report, summary))
    echo_recorded(report.ledger, run.files_read, len(run.reused))
    return report


def earlier(history: Path, master: Master, workdir: Path) -> None:
    """The previous year's and the half year's sample returns recorded in the demo's ledger,
    then the history workbook written from it."""
    from ..history import history as history_of
    from ..history import write_history

    click.echo("\n== 8. บันทึกผลรอบก่อน ๆ ลงสมุดบันทึกผลเดียวกัน (ปีก่อน และรอบ 6 เดือนของปีนี้)")
    for folder, master_file, round_months in EARLIER:
        used = master if master_file is None else load_master(history / master_file)
        files = sorted((history / folder).glob(f"{used.settings.fiscal_year}-R*.xlsx"))
        click.echo(f"  ปี {used.settings.fiscal_year} รอบ {round_months} เดือน: {len(files)} ไฟล์ "
                   f"จาก {history / folder}")
        report = recorded(files, used, round_months, workdir / LEDGER, None)
        click.echo(f"  รับแล้ว {report.count(Status.ACCEPTED)} จาก {len(report.offices)} หน่วยงาน "
                   f"คะแนนเฉลี่ย {report.average_score}")
    out = workdir / "history.xlsx"
    click.echo(f"\n== 9. ประวัติผลทุกรอบทุกปีจากสมุดบันทึกผล: {out}")
    found = history_of(workdir / LEDGER)
    write_history(found, out)
    click.echo(f"รอบที่บันทึกไว้: {', '.join(found.periods.index)}")
    for office, row in found.changes.head(3).iterrows():
        click.echo(f"  {office} {row['name']}: {row['previous']} -> {row['last']} ({row['trend']})")


def mail(master: Master, workdir: Path) -> None:
    """The round's outbox, written and not sent: the forms' e-mails and the harvest's
    feedback (the missing office's form attached again)."""
    from ..outbox.inputs import read_forms_folder
    from ..outbox.run import feedback_outbox, forms_outbox, sender_address, signature

    out = workdir / "outbox"
    click.echo(f"\n== 10. อีเมลถึงผู้ประสานงานของหน่วยงาน (outbox) ลงใน {out} (เขียนไว้ ไม่ได้ส่ง)")
    signed, sender = signature(master, None, None), sender_address(None, master)
    forms, problems = forms_outbox(read_forms_folder(workdir / "forms", master), master,
                                   out / "forms", signed, sender)
    feedback, more = feedback_outbox(workdir / "summary.json", master, out / "feedback",
                                     signed, sender, workdir / "forms")
    click.echo(f"ส่งแบบรายงาน {len(forms)} ฉบับ ({out / 'forms'}); แจ้งผลการตรวจและติดตาม "
               f"{len(feedback)} ฉบับ ถึง {', '.join(w.letter.office for w in feedback)} "
               f"({out / 'feedback'})")
    echo_problems(problems + more)
    click.echo("ส่งจริงด้วย workbook-engine outbox forms|feedback ... --send --smtp HOST[:PORT] "
               "(ดู docs/outbox.md)")


def review(master: Master, workdir: Path, returns: list[Path], report: HarvestReport,
           committee: Path) -> Path:
    """The committee's round: the review workbook made from the harvest, and the harvest again
    with the committee's filled copy shipped in ``samples/review/``; returns the summary."""
    from ..review import layout as R
    from ..review.workbook import ReviewWriter
    from ..summary.workbook import write_summary

    form = workdir / R.file_name(report.fiscal_year, report.round_months)
    click.echo(f"\n== 5. สร้างแบบตรวจประเมินให้คณะกรรมการ: {form}")
    rows = ReviewWriter(form).write(report, master)
    click.echo(f"{rows} แถว (หน่วยงานและตัวชี้วัด) คณะกรรมการกรอกในชีต '{R.TABLE_SHEET}'")
    filled = committee / form.name
    click.echo(f"\n== 6. รวบรวมผลอีกครั้งพร้อมแบบตรวจประเมินที่คณะกรรมการกรอกแล้ว {filled} "
               "(แบบรายงานที่ไม่เปลี่ยนไม่ต้องอ่านซ้ำ: ใช้ผลจากสมุดบันทึกผล)")
    summary = workdir / "summary-review.xlsx"
    again = recorded(returns, master, report.round_months, workdir / LEDGER, summary, filled)
    for office in again.offices:
        for kpi in office.kpis:
            if kpi.review is not None:
                click.echo(f"  {office.office} ตัวชี้วัด {kpi.kpi}: ประเมินตนเอง {kpi.score} "
                           f"คณะกรรมการ {kpi.review.score} ({kpi.review.reason})")
    write_summary(again, summary)
    write_json(again, workdir / "summary-review.json")
    echo_harvest(again)
    return summary


def negotiate(master: Master, workdir: Path, proposals: Path) -> None:
    """The negotiation round: proposal workbooks, the sample proposals collected into a draft
    master, the draft checked, and one office's form generated from it."""
    click.echo(f"\n== 2. เจรจาตัวชี้วัดกลุ่มที่ 2 ล่วงหน้า: สร้างแบบเสนอของทุกหน่วยงานลงใน "
               f"{workdir / 'proposals'}")
    made = propose(master, workdir / "proposals")
    click.echo(f"สร้างแล้ว {len(made)} ไฟล์; รวบรวมแบบเสนอตัวอย่างจาก {proposals}")
    negotiation = collect_proposals(sorted(proposals.glob("*.xlsx")), master)
    draft, result = workdir / "draft-master.xlsx", workdir / "proposals.json"
    write_draft(negotiation, draft)
    write_proposals_json(negotiation, draft, result)
    for line in negotiation.offices:
        if line.file is not None:
            detail = f" เสนอใหม่ {', '.join(line.new)}" if line.new else ""
            detail += f" แก้ไข {', '.join(line.changed)}" if line.changed else ""
            click.echo(f"  {line.office} {line.verdict}{detail}")
            echo_problems([p for p in line.problems if p.is_error], limit=5)
    missing = [line.office for line in negotiation.offices if line.file is None]
    click.echo(f"  ยังไม่ได้ส่ง {len(missing)} หน่วยงาน ({', '.join(missing)}): ใช้ตัวชี้วัดเดิม")
    report = read_master(draft)
    click.echo(f"ร่างไฟล์ต้นแบบ {draft} (ชีต 'การเจรจา' และ 'สรุปการเสนอ' สำหรับที่ประชุม) "
               + ("ผ่านการตรวจ" if report.valid else "ไม่ผ่านการตรวจ"))
    merged = [line.office for line in negotiation.offices if line.new]
    if report.master is not None and merged:
        rows = generate(report.master, DEMO_ROUND, workdir / "forms-draft", merged[:1])
        click.echo(f"แบบฟอร์มจากร่าง (ตัวชี้วัดที่เสนอใหม่อยู่ในแบบฟอร์ม): "
                   f"{workdir / 'forms-draft' / rows[0].file}")
    click.echo("แบบรายงานตัวอย่างในขั้นต่อไปสร้างจากไฟล์ต้นแบบเดิม จึงรวบรวมผลด้วยไฟล์ต้นแบบเดิม")


def _round_rows(master: Master, round_months: int) -> str:
    """What the master's per-round rows change in ``round_months``, in Thai."""
    rows = [o for o in master.overrides.values() if o.round_months == round_months]
    skipped = sorted({o.kpi for o in rows if o.weight == 0})
    changed = sorted({o.kpi for o in rows if o.weight != 0})
    parts = [f"ตัวชี้วัด {', '.join(changed)} ใช้น้ำหนักและเกณฑ์ของรอบนี้"] if changed else []
    if skipped:
        parts.append(f"ตัวชี้วัด {', '.join(skipped)} ไม่ประเมินในรอบนี้")
    return "; ".join(parts) or "น้ำหนักและเกณฑ์เหมือนทั้งปี"
