"""Render docs/agreement.png and docs/report-form.png from a filled sample (``make pictures``).

Generates office B01's workbook from the shipped master, types in results as a coordinator
would, prints it to PDF with LibreOffice, and keeps the agreement and report-form pages.
Needs LibreOffice (soffice) and poppler-utils (pdftoppm).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from workbook_engine.devkit.libreoffice import convert
from workbook_engine.devkit.testing import fill_return
from workbook_engine.forms.generate import generate
from workbook_engine.master.reader import load_master

ROOT = Path(__file__).resolve().parent.parent
RESULTS = {"1.2": 5, "2.1": 80.53, "2.2": 8.54, "2.3": 3, "3.1": 93.45, "3.2": 3, "3.3": 3.28,
           "3.4": 100, "3.6": 6}
TEXTS = {"2.1": {"DATA": "ผลการดำเนินงานตามตัวชี้วัด 2.1 รอบ 12 เดือน: ดำเนินการครบทุกขั้นตอนตามแผน",
                 "NOTE": "จัดอบรมเจ้าหน้าที่และปรับปรุงขั้นตอนการรับส่งหนังสือ",
                 "EVIDENCE": "รายงานสรุปผล ไฟล์แนบ 1"}}
# the agreement follows the one-page guide; the report form is the last sheet printed
PAGES = {"agreement": (2, 80), "report-form": (-1, 110)}   # page of the PDF, resolution


def main() -> int:
    """Write the two pictures into docs/."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        master = load_master(ROOT / "templates" / "master.xlsx")
        [made] = generate(master, 12, work / "gen", offices=["B01"], jobs=1)
        filled = fill_return(work / "gen" / made.file, work / "B01.xlsx", RESULTS, TEXTS)
        [pdf] = convert([filled], work, "pdf")
        info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
        pages = int(next(line.split()[-1] for line in info.stdout.splitlines()
                         if line.startswith("Pages:")))
        for name, (page, dpi) in PAGES.items():
            page = page if page > 0 else pages + 1 + page
            subprocess.run(["pdftoppm", "-png", "-singlefile", "-r", str(dpi), "-f", str(page),
                            "-l", str(page), str(pdf), str(ROOT / "docs" / name)], check=True)
            print(f"wrote docs/{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
