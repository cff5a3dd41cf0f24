"""Render the docs' pictures from a filled sample and its summary (``make pictures``).

Generates office B01's workbook from the shipped master, types in results and texts as a
coordinator would, harvests the shipped samples, prints both to PDF with LibreOffice and keeps
the pages people read: the agreement, a KPI card, a per-KPI report page, the report table, and
the summary's overview and organisation-KPI roll-up. Each page is found by its text.
Needs LibreOffice (soffice) and poppler-utils (pdftoppm, pdftotext).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from workbook_engine.devkit.libreoffice import convert
from workbook_engine.devkit.testing import fill_return
from workbook_engine.forms.generate import generate
from workbook_engine.harvesting.run import harvest
from workbook_engine.master.reader import load_master
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
# picture: (the PDF it is in, words its page holds, with white space removed; resolution)
PAGES = {
    "agreement": ("form", ("คำรับรองการปฏิบัติราชการ", "ผู้รับคำรับรอง"), 80),
    "kpi-card": ("form", ("ข้อมูลพื้นฐาน(ปีพ.ศ.)",), 80),
    "kpi-page": ("form", ("เกณฑ์การให้คะแนน", "อุปสรรค", "2.1ร้อยละ"), 80),
    "report-form": ("form", ("แบบรายงานผลการดำเนินงานตามคำรับรอง", "ระดับ5"), 110),
    "summary-overview": ("summary", ("สรุปผลการดำเนินงานตามคำรับรอง",), 80),
    "summary-org-kpis": ("summary", ("ถ่ายทอดให้", "คะแนนเฉลี่ย"), 110),
}


def pages_text(pdf: Path) -> list[str]:
    """Each page's text without white space (pdftotext puts some inside Thai words)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return ["".join(page.split()) for page in text.split("\f")]


def main() -> int:
    """Write the pictures into docs/."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        master = load_master(ROOT / "templates" / "master.xlsx")
        [made] = generate(master, 12, work / "gen", offices=["B01"], jobs=1)
        filled = fill_return(work / "gen" / made.file, work / "B01.xlsx", RESULTS, TEXTS)
        write_summary(harvest([ROOT / "samples"], master, 12), work / "summary.xlsx")
        pdfs = dict(zip(("form", "summary"),
                        convert([filled, work / "summary.xlsx"], work / "pdf", "pdf"),
                        strict=True))
        texts = {key: pages_text(pdf) for key, pdf in pdfs.items()}
        for name, (source, words, dpi) in PAGES.items():
            page = next(i for i, text in enumerate(texts[source], start=1)
                        if all(word in text for word in words))
            subprocess.run(["pdftoppm", "-png", "-singlefile", "-r", str(dpi), "-f", str(page),
                            "-l", str(page), str(pdfs[source]), str(ROOT / "docs" / name)],
                           check=True)
            print(f"wrote docs/{name}.png (page {page} of the {source})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
