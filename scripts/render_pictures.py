"""Render the docs' pictures from filled samples, their summary, the negotiation round and the
committee's review (``make pictures``).

Generates office B01's workbook from the shipped master, types in results and texts as a
coordinator would, harvests the shipped samples, collects the shipped sample proposals into a
draft master, prints them to PDF with LibreOffice and keeps the pages people read: the
agreement, a KPI card, a per-KPI report page, the report table, the summary's overview and
organisation-KPI roll-up, a filled proposal (office B02's, with its new KPI), and the draft's
negotiation record and per-office summary, the committee's review workbook made from the shipped
samples with three rows typed in (a deduction, a verified result, a result without its reason)
and the summary harvested with it. Each page is found by its text. The pictures of the
negotiation round and of the review are cut below the last thing printed on the page.

``--only NAME,NAME`` renders only those pictures (and builds only the workbooks they need), so
the others stay as they are. Needs LibreOffice (soffice) and poppler-utils (pdftoppm,
pdftotext).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from workbook_engine.devkit.libreoffice import convert
from workbook_engine.devkit.review import fill_review
from workbook_engine.devkit.testing import fill_return
from workbook_engine.forms.generate import generate
from workbook_engine.harvesting.run import harvest
from workbook_engine.master.reader import load_master
from workbook_engine.model import Master
from workbook_engine.proposals.collect import collect_proposals
from workbook_engine.proposals.record import write_draft
from workbook_engine.review.apply import harvest_review
from workbook_engine.review.layout import file_name
from workbook_engine.review.workbook import ReviewWriter
from workbook_engine.summary.workbook import write_summary

ROOT = Path(__file__).resolve().parent.parent
RESULTS = {"1.2": 5, "2.1": 80.53, "2.2": 8.54, "2.3": 3, "3.1": 93.45, "3.2": 3, "3.3": 3.28,
           "3.4": 100, "3.6": 6}
TEXTS = {"2.1": {
    "DATA": "ปีงบประมาณ 2569 รับหนังสือ 12,480 เรื่อง ดำเนินการผ่านระบบสารบรรณอิเล็กทรอนิกส์ "
            "10,050 เรื่อง คิดเป็นร้อยละ 80.53 (ข้อมูลจากระบบ ณ วันที่ 30 ก.ย. 2569)",
    "NOTE": "1) อบรมเจ้าหน้าที่ทุกกลุ่มงานเรื่องการรับส่งหนังสือผ่านระบบ 2) ปรับขั้นตอนการลงนาม"
            "ให้ใช้ลายมือชื่ออิเล็กทรอนิกส์ 3) ติดตามผลรายเดือนในที่ประชุมผู้บริหาร",
    "SUPPORT": "ผู้บริหารให้ความสำคัญ และระบบได้รับการปรับปรุงให้ใช้งานบนโทรศัพท์ได้",
    "OBSTACLE": "หนังสือจากหน่วยงานภายนอกบางแห่งยังส่งเป็นกระดาษ",
    "EVIDENCE": "รายงานสถิติจากระบบสารบรรณ (ไฟล์แนบ 1) และรายงานการประชุม (ไฟล์แนบ 2)"}}
PROPOSALS = Path("samples") / "proposals"       # relative, so the record names files as the CLI
PROPOSAL = PROPOSALS / "2569-P-B02.xlsx"        # B02 proposes a new KPI (row 17)
RETURNS = Path("samples")                       # the sample returns (*.xlsx), named as in the docs
# the committee's entries (docs/review.md): a deduction, a verified result, and a verified
# result without its reason, which the live check shows in red and harvest does not apply
REVIEW = {("B01", "1.2"): {"given_score": 4.8,
                           "reason": "ไม่ได้รายงานความก้าวหน้า 1 ครั้ง หัก 0.2 คะแนน"},
          ("B01", "2.1"): {"verified_result": 78.2,
                           "reason": "ตรวจสถิติจากระบบสารบรรณแล้ว ดำเนินการผ่านระบบ 9,760 "
                                     "จาก 12,480 เรื่อง"},
          ("B01", "3.6"): {"verified_result": 3}}


class Page(NamedTuple):
    """A picture: the PDF it is in, words its page holds (white space removed), the
    resolution, and whether to cut it below the last thing printed (not the footer)."""

    source: str
    words: tuple[str, ...]
    dpi: int
    crop: bool = False


PAGES = {
    "agreement": Page("form", ("คำรับรองการปฏิบัติราชการ", "ผู้รับคำรับรอง"), 80),
    "kpi-card": Page("form", ("ข้อมูลพื้นฐาน(ปีพ.ศ.)",), 80),
    "kpi-page": Page("form", ("เกณฑ์การให้คะแนน", "อุปสรรค", "2.1ร้อยละ"), 80),
    "report-form": Page("form", ("แบบรายงานผลการดำเนินงานตามคำรับรอง", "ระดับ5"), 110),
    "summary-overview": Page("summary", ("สรุปผลการดำเนินงานตามคำรับรอง",), 80),
    "summary-org-kpis": Page("summary", ("ถ่ายทอดให้", "คะแนนเฉลี่ย"), 110),
    # the check column is printed on the first pages across only; the new KPI's row with it
    "proposal-form": Page("proposal", ("ผลตรวจ(คำนวณให้ทันที)", "ร้อยละของหน่วยงานที่ส่งแบบเสนอ"),
                          110, crop=True),
    "negotiation-record": Page("draft", ("บันทึกการเจรจา", "ผลการเจรจา"), 150, crop=True),
    "negotiation-summary": Page("draft", ("สรุปการเสนอ", "ผลการเสนอ"), 110, crop=True),
    "review-form": Page("review", ("กรอกเฉพาะช่องสี", "ผลตรวจการกรอก"), 150,
                        crop=True),
    "review-totals": Page("review", ("ไฟล์แบบรายงาน", "ปัญหาอื่นของไฟล์"), 110, crop=True),
    "summary-review": Page("summary-review", ("คะแนนรวมที่ใช้", "อันดับ"), 110, crop=True),
}
INK = 200               # a grey level below this is something printed
FOOTER_INCHES = 0.8     # the band at the bottom of a page where the footer is printed
MARGIN_INCHES = 0.25    # kept below the last thing printed


def build_form(work: Path, master: Master) -> Path:
    """Office B01's workbook, filled in as a coordinator would."""
    [made] = generate(master, 12, work / "gen", offices=["B01"], jobs=1)
    return fill_return(work / "gen" / made.file, work / "B01.xlsx", RESULTS, TEXTS)


def build_summary(work: Path, master: Master) -> Path:
    """The summary of the shipped sample returns."""
    write_summary(harvest(sorted((ROOT / "samples").glob("*.xlsx")), master, 12),
                  work / "summary.xlsx")
    return work / "summary.xlsx"


def build_proposal(work: Path, master: Master) -> Path:
    """Office B02's returned sample proposal, as shipped."""
    return ROOT / PROPOSAL


def build_draft(work: Path, master: Master) -> Path:
    """The draft master collected from the shipped sample proposals, with its record."""
    draft = work / "draft.xlsx"
    write_draft(collect_proposals([PROPOSALS], master, jobs=1), draft)
    return draft


def build_review(work: Path, master: Master) -> Path:
    """The committee's review workbook of the sample returns, with :data:`REVIEW` typed in."""
    filled = work / file_name(master.settings.fiscal_year, 12)
    if not filled.exists():
        form = work / "review-form.xlsx"
        ReviewWriter(form).write(harvest(sorted(RETURNS.glob("*.xlsx")), master, 12), master)
        fill_review(form, filled, REVIEW)
    return filled


def build_summary_review(work: Path, master: Master) -> Path:
    """The summary of the sample returns harvested with the filled review workbook."""
    report = harvest(sorted(RETURNS.glob("*.xlsx")), master, 12)
    harvest_review(report, build_review(work, master), master)
    write_summary(report, work / "summary-review.xlsx")
    return work / "summary-review.xlsx"


SOURCES: dict[str, Callable[[Path, Master], Path]] = {
    "form": build_form, "summary": build_summary, "proposal": build_proposal,
    "draft": build_draft, "review": build_review, "summary-review": build_summary_review}


def pages_text(pdf: Path) -> list[str]:
    """Each page's text without white space (pdftotext puts some inside Thai words)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return ["".join(page.split()) for page in text.split("\f")]


def printed_height(pdf: Path, page: int, dpi: int, work: Path) -> tuple[int, int] | None:
    """The page's width and the height down to just below the last thing printed above the
    footer, in pixels at ``dpi``; None when that reaches the footer (nothing to cut)."""
    stem = work / f"gray-{page}"
    subprocess.run(["pdftoppm", "-gray", "-singlefile", "-r", str(dpi), "-f", str(page),
                    "-l", str(page), str(pdf), str(stem)], check=True)
    data = stem.with_suffix(".pgm").read_bytes()
    fields: list[bytes] = []
    end = 0
    while len(fields) < 4:             # P5, width, height, maxval; one white space, pixels
        start = end
        while data[start:start + 1].isspace():
            start += 1
        end = start
        while end < len(data) and not data[end:end + 1].isspace():
            end += 1
        fields.append(data[start:end])
    if fields[0] != b"P5":
        raise ValueError(f"pdftoppm wrote {fields[0]!r}, not a binary grey map")
    w, h, pixels = int(fields[1]), int(fields[2]), data[end + 1:]
    footer = h - int(FOOTER_INCHES * dpi)
    last = max((y for y in range(footer) if min(pixels[y * w:(y + 1) * w]) < INK), default=0)
    bottom = last + int(MARGIN_INCHES * dpi)
    return (w, bottom) if bottom < footer else None


def main(argv: list[str] | None = None) -> int:
    """Write the pictures (all, or those ``--only`` names) into docs/."""
    parser = argparse.ArgumentParser(description="Render the docs' pictures into docs/.")
    parser.add_argument("--only", type=lambda text: [n.strip() for n in text.split(",") if n],
                        default=list(PAGES),
                        help=f"comma-separated pictures to render, of: {', '.join(PAGES)}")
    names = parser.parse_args(argv).only
    unknown = [n for n in names if n not in PAGES]
    if unknown:
        parser.error(f"unknown picture(s): {', '.join(unknown)}")
    os.chdir(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        master = load_master(ROOT / "templates" / "master.xlsx")
        needed = list(dict.fromkeys(PAGES[n].source for n in names))
        built = [SOURCES[source](work, master) for source in needed]
        pdfs = dict(zip(needed, convert(built, work / "pdf", "pdf"), strict=True))
        texts = {key: pages_text(pdf) for key, pdf in pdfs.items()}
        for name in names:
            source, words, dpi, crop = PAGES[name]
            page = next(i for i, text in enumerate(texts[source], start=1)
                        if all(word in text for word in words))
            size = printed_height(pdfs[source], page, dpi, work) if crop else None
            cut = ["-x", "0", "-y", "0", "-W", str(size[0]), "-H", str(size[1])] if size else []
            subprocess.run(["pdftoppm", "-png", "-singlefile", "-r", str(dpi), "-f", str(page),
                            "-l", str(page), *cut, str(pdfs[source]), str(ROOT / "docs" / name)],
                           check=True)
            print(f"wrote docs/{name}.png (page {page} of the {source})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
