"""Build the shipped sample master, ``templates/master.xlsx``, deterministically.

A fictional department with 13 offices (สพบ. among them) and 47 KPIs over groups 1-3, using
every kind: quantitative in both directions, stepwise (a checklist of 7 items), milestone,
inherited, cascading from five organisation-level KPIs (listed with their targets); every KPI card filled
(formula, data to report, target, owner, data collector, three years of baseline); and
per-round rows: budget
disbursement has half-year and nine-month targets (and double weight then), and the
development towards ราชการ 4.0 is assessed only at 12 months. Run:
``python scripts/make_master.py [OUT] [--fiscal-year YEAR]``. Another fiscal year (the samples'
previous year, ``samples/history/2568/master-2568.xlsx``) changes only the year, the baseline
years (the three before it) and the file's creation date (a month before the year starts).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbook_engine.master import format as mf
from workbook_engine.xlsx.writer import HEADER_FILL, check, workbook_options

Q, S, M, I = mf.KIND_QUANTITATIVE, mf.KIND_STEPWISE, mf.KIND_MILESTONE, mf.KIND_INHERITED
UP, DOWN = mf.DIRECTION_HIGHER, mf.DIRECTION_LOWER

ROOT = Path(__file__).resolve().parent.parent
FISCAL_YEAR = 2569        # of templates/master.xlsx


def settings(fiscal_year: int) -> list[tuple[str, object]]:
    """The ``ตั้งค่า`` rows."""
    return [(mf.SET_ORGANISATION, "กรมส่งเสริมบริการประชาชนดิจิทัล"),
            (mf.SET_FISCAL_YEAR, fiscal_year),
            (mf.SET_RECEIVER, "นายธนากร วงศ์ประเสริฐ"),
            (mf.SET_RECEIVER_POSITION, "อธิบดีกรมส่งเสริมบริการประชาชนดิจิทัล"),
            (mf.SET_BELOW_LEVEL1, 1)]


# code, name, director, coordinator, topic for group-2 KPIs
OFFICES = [
    ("B01", "สำนักงานเลขานุการกรม", "นางสาวพิมพ์ชนก ศรีสุข", "นายกิตติพงษ์ ใจดี", "งานสารบรรณอิเล็กทรอนิกส์"),
    ("B02", "สำนักพัฒนาระบบบริหาร", "นายวรวุฒิ ทองมา", "นางสาวสุภาวดี แก้วกาญจนา", "การบริหารคำรับรองการปฏิบัติราชการ"),
    ("B03", "กองคลัง", "นางรัชนี บุญเรือง", "นายอนุชา พรหมมา", "การเบิกจ่ายผ่านระบบอิเล็กทรอนิกส์"),
    ("B04", "กองการเจ้าหน้าที่", "นายสมชาย รัตนวงศ์", "นางสาวจิราพร มณีรัตน์", "การพัฒนาบุคลากร"),
    ("B05", "กองกฎหมาย", "นางสาวอรอุมา จันทร์เพ็ญ", "นายปิยะ สายทอง", "การพิจารณาเรื่องร้องเรียนทางกฎหมาย"),
    ("B06", "ศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร", "นายณัฐพล อินทร์แก้ว", "นายธีรวัฒน์ ศรีวงศ์", "ความพร้อมใช้งานของระบบสารสนเทศ"),
    ("B07", "กองยุทธศาสตร์และแผนงาน", "นางวันเพ็ญ สุวรรณรัตน์", "นางสาวกมลชนก ทองดี", "การติดตามแผนปฏิบัติราชการ"),
    ("B08", "สำนักบริการประชาชนดิจิทัล", "นายประเสริฐ พึ่งบุญ", "นางสาวนภัสสร วิเศษศักดิ์", "บริการประชาชนผ่านช่องทางดิจิทัล"),
    ("B09", "สำนักส่งเสริมชุมชนดิจิทัล", "นางสาวศิริพร แสงทอง", "นายชยพล บุญมา", "ชุมชนต้นแบบดิจิทัล"),
    ("B10", "สำนักมาตรฐานข้อมูลภาครัฐ", "นายอดิศร กาญจนวงศ์", "นางสาวเบญจมาศ รุ่งเรือง", "ชุดข้อมูลเปิดภาครัฐ"),
    ("B11", "กองตรวจสอบภายใน", "นางสุนันทา พรหมสุวรรณ", "นายวีระพงษ์ ชัยมงคล", "การตรวจสอบภายในตามแผน"),
    ("B12", "กลุ่มพัฒนาระบบบริหาร", "นายภานุวัฒน์ ศักดิ์ดี", "นางสาวอัญชลี พูลสวัสดิ์", "การลดขั้นตอนการปฏิบัติงาน"),
    ("B13", "ศูนย์ปฏิบัติการต่อต้านการทุจริต", "นางสาวกัญญา เพชรรัตน์", "นายพงศกร นาคสวัสดิ์", "การจัดการเรื่องร้องเรียนการทุจริต"),
]

# organisation-level KPIs the offices' KPIs cascade from: code, name, unit, target
ORG = [("ORG-1", "คะแนนผลการประเมินส่วนราชการของกรม", "คะแนน", "4.0000"),
       ("ORG-2", "ระดับความสำเร็จของการให้บริการประชาชนผ่านช่องทางดิจิทัล", "ระดับ", "ระดับ 5"),
       ("ORG-3", "ร้อยละของกระบวนงานที่มีประสิทธิภาพตามเป้าหมาย", "ร้อยละ", "ร้อยละ 90"),
       ("ORG-4", "คะแนนการประเมินคุณธรรมและความโปร่งใสของกรม", "คะแนน", "85 คะแนน"),
       ("ORG-5", "ร้อยละของบุคลากรที่มีสมรรถนะตามมาตรฐาน", "ร้อยละ", "ร้อยละ 80")]

# group 1 and group 3 KPIs held by every office: code, name, unit, kind, direction, org, weight
COMMON = [
    ("1.1", "คะแนนผลการประเมินส่วนราชการตามมาตรการปรับปรุงประสิทธิภาพ (ใช้ผลคะแนนกรม)", "คะแนน",
     I, None, "ORG-1", 10),
    ("1.2", "ระดับความสำเร็จของการขับเคลื่อนองค์กรสู่การเป็นรัฐบาลดิจิทัล", "ระดับ", M, None,
     "ORG-2", 15),
    ("3.1", "ร้อยละการเบิกจ่ายงบประมาณรายจ่ายภาพรวม", "ร้อยละ", Q, UP, "ORG-3", 10),
    ("3.2", "ระดับความสำเร็จของการพัฒนาองค์การสู่ระบบราชการ 4.0", "ระดับ", M, None, "ORG-3",
     10),
    ("3.3", "ระยะเวลาเฉลี่ยในการตอบเรื่องร้องเรียนของประชาชน", "วัน", Q, DOWN, "ORG-4", 5),
    ("3.4", "ร้อยละของบุคลากรที่ได้รับการพัฒนาทักษะดิจิทัลตามแผน", "ร้อยละ", Q, UP, "ORG-5",
     5),
    ("3.5", "คะแนนการประเมินคุณธรรมและความโปร่งใส (ITA) ของกรม (ใช้ผลคะแนนกรม)", "คะแนน",
     I, None, "ORG-4", 5),
    ("3.6", "จำนวนรายการตรวจสอบการจัดการความรู้ที่ดำเนินการครบ (7 รายการ)", "รายการ", S, UP,
     "ORG-5", 5),
]
COMMON_CRITERIA = {"3.1": (88, 90, 92, 94, 96), "3.3": (15, 12, 9, 6, 3),
                   "3.4": (60, 70, 80, 90, 100),
                   "3.6": (1, 3, 5, 6, 7)}   # 1-2 items: 1, 3-4: 2, 5: 3, 6: 4, all 7: 5
# per-round rows for every office: KPI, round, weight, criteria (None: the year's)
ROUNDS = [("3.1", 6, 20, (40, 45, 50, 55, 60)), ("3.1", 9, 20, (65, 70, 75, 80, 85)),
          ("3.2", 6, 0, None), ("3.2", 9, 0, None)]
ORG_SCORES = {"1.1": 4.2150, "3.5": 3.8475}
MILESTONE_STEPS = ["แต่งตั้งคณะทำงานและกำหนดขอบเขตการดำเนินงาน",
                   "จัดทำแผนการดำเนินงานที่มีเป้าหมายและตัวชี้วัดชัดเจน",
                   "ดำเนินการตามแผนได้ครบทุกกิจกรรม",
                   "ติดตาม ประเมินผล และรายงานผู้บริหาร",
                   "สรุปบทเรียนและนำผลไปปรับปรุงการดำเนินงานปีถัดไป"]


def office_kpis(index: int, topic: str) -> list[tuple]:
    """Three group-2 KPIs of one office: higher-is-better, lower-is-better, milestone."""
    n = index + 1
    base = 70 + (index % 4) * 5
    return [
        (f"2.{3 * n - 2}", f"ร้อยละความสำเร็จของ{topic}", "ร้อยละ", Q, UP, "ORG-2", 15,
         (base, base + 5, base + 10, base + 15, base + 20)),
        (f"2.{3 * n - 1}", f"ระยะเวลาเฉลี่ยในการดำเนินการด้าน{topic}", "วัน", Q, DOWN, "ORG-3",
         10, (20 - index % 3, 17 - index % 3, 14 - index % 3, 11 - index % 3, 8 - index % 3)),
        (f"2.{3 * n}", f"ระดับความสำเร็จของการพัฒนา{topic}", "ระดับ", M, None, "ORG-2", 10,
         None),
    ]


def formula_and_data(kind: str, unit: str) -> list[str]:
    """A KPI's สูตรการคำนวณ and ข้อมูลที่ต้องรายงาน, by kind."""
    if kind == I:
        return ["ใช้คะแนนผลการประเมินของกรมตามที่ได้รับแจ้ง",
                "ไม่ต้องรายงานผล สพบ. นำคะแนนของกรมมาใช้"]
    if kind == M:
        return ["ขั้นสูงสุดที่ดำเนินการได้ครบตามเกณฑ์ขั้นความสำเร็จ (0-5)",
                "สรุปผลการดำเนินงานแต่ละขั้น พร้อมหลักฐาน เช่น คำสั่ง แผน รายงาน"]
    if kind == S:
        return ["นับจำนวนรายการตรวจสอบที่ดำเนินการครบถ้วน",
                "รายการที่ดำเนินการแล้ว พร้อมหลักฐานของแต่ละรายการ"]
    if unit == "ร้อยละ":
        return ["(ผลงานที่ดำเนินการได้ ÷ เป้าหมายทั้งหมด) × 100",
                "จำนวนผลงานที่ทำได้และเป้าหมายทั้งหมด แยกรายเดือน พร้อมแหล่งข้อมูล"]
    return [f"ผลรวมของ{unit}ที่ใช้ดำเนินการทุกเรื่อง ÷ จำนวนเรื่องทั้งหมด",
            "ทะเบียนเรื่องพร้อมวันที่รับและวันที่แล้วเสร็จของแต่ละเรื่อง"]


def card(kind: str, unit: str, crit: object, office: int, director: str,
         coordinator: str) -> list[object]:
    """An assignment's ค่าเป้าหมาย, owner, data collector and baseline (three years; a year
    without data is blank)."""
    if kind == I:
        return ["ตามผลคะแนนของกรม", director, coordinator, "", "", ""]
    if kind == M:
        baseline: list[object] = [2 + office % 2, 3, 3 + office % 3 // 2]
        return ["ระดับ 3", director, coordinator, *baseline]
    assert isinstance(crit, (list, tuple))
    c1, c2, c3 = crit[0], crit[1], crit[2]
    step = (c2 - c1) / 2
    baseline = [c1 + step * (office % 3), c2 + step * (office % 2), c3 - step * (office % 2)]
    if office % 5 == 4:          # a KPI new to the office: one year of data only
        baseline[:2] = ["-", ""]
    return [f"{c3:g} {unit}" if unit != "ร้อยละ" else f"ร้อยละ {c3:g}", director, coordinator,
            *(round(v, 2) if isinstance(v, float) else v for v in baseline)]


def write(out: Path, fiscal_year: int = FISCAL_YEAR) -> None:
    """Write the sample master of BE ``fiscal_year`` to ``out``."""
    wb = xlsxwriter.Workbook(str(out), workbook_options())
    created = dt.datetime(fiscal_year - 544, 9, 1)      # the month before the year starts
    wb.set_properties({"title": "ไฟล์ต้นแบบตัวอย่าง", "created": created})
    header = wb.add_format({"bold": True, "bg_color": HEADER_FILL, "border": 1})
    kpis, rules, levels = [], [], []
    for code, name, unit, kind, direction, org, _ in COMMON:
        kpis.append([code, name, int(code[0]), unit, kind, direction or "", org,
                     f"ตัวชี้วัดร่วมทุกหน่วยงาน: {name}", *formula_and_data(kind, unit)])
    for index, (office, office_name, director, coordinator, topic) in enumerate(OFFICES):
        own = office_kpis(index, topic)
        for code, name, unit, kind, direction, org, _, _ in own:
            kpis.append([code, name, 2, unit, kind, direction or "", org,
                         f"วัดผลงานตามภารกิจหลักของหน่วยงานด้าน{topic}",
                         *formula_and_data(kind, unit)])
        people = (f"{director} ผู้อำนวยการ{office_name}", coordinator)
        for code, _, unit, kind, _, _, weight in COMMON[:2]:
            rules.append([office, code, weight, *criteria(code),
                          *card(kind, unit, COMMON_CRITERIA.get(code), index, *people)])
        for code, _, unit, kind, _, _, weight, crit in own:
            rules.append([office, code, weight, *(crit or [""] * 5),
                          *card(kind, unit, crit, index, *people)])
        for code, _, unit, kind, _, _, weight in COMMON[2:]:
            rules.append([office, code, weight, *criteria(code),
                          *card(kind, unit, COMMON_CRITERIA.get(code), index, *people)])
    rounds = [[office, code, months, weight, *(crit or [""] * 5)]
              for office, *_ in OFFICES for code, months, weight, crit in ROUNDS]
    for row in kpis:
        if row[4] == M:
            levels += [[row[0], n, step] for n, step in enumerate(MILESTONE_STEPS, start=1)]
    kpis.sort(key=lambda r: tuple(int(p) for p in str(r[0]).split(".")))
    sheets = {
        mf.SETTINGS_SHEET: (["รายการ", "ค่า"], [list(s) for s in settings(fiscal_year)],
                            [34, 50]),
        mf.OFFICES_SHEET: (list(mf.OFFICE_COLUMNS),
                           [[c, n, d, f"ผู้อำนวยการ{n}", k, f"{c.lower()}@example.go.th"]
                            for c, n, d, k, _ in OFFICES], [12, 36, 28, 40, 28, 24]),
        mf.KPIS_SHEET: (list(mf.KPI_COLUMNS), kpis, [12, 70, 6, 10, 18, 10, 14, 60, 50, 50]),
        mf.ASSIGNMENTS_SHEET: ([*mf.ASSIGNMENT_COLUMNS, *mf.CARD_COLUMNS,
                                *map(mf.baseline_column,
                                     range(fiscal_year - 3, fiscal_year))], rules,
                               [12, 12, 9] + [9] * 5 + [16, 40, 28] + [16] * 3),
        mf.MILESTONES_SHEET: (list(mf.MILESTONE_COLUMNS), levels, [12, 8, 70]),
        mf.ORG_SCORES_SHEET: (list(mf.ORG_SCORE_COLUMNS),
                              [[k, v] for k, v in ORG_SCORES.items()], [12, 10]),
        mf.ROUNDS_SHEET: (list(mf.ROUND_COLUMNS), rounds, [12, 12, 6, 9] + [9] * 5),
        mf.ORG_KPIS_SHEET: (list(mf.ORG_KPI_COLUMNS), [list(o) for o in ORG], [18, 60, 10, 16]),
    }
    for name, (headers, rows, widths) in sheets.items():
        ws = wb.add_worksheet(name)
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        for col, text in enumerate(headers):
            check(ws.write_string(0, col, text, header), name)
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if isinstance(value, (int, float)):
                    check(ws.write_number(r, col, value), name)
                elif value != "":
                    check(ws.write_string(r, col, str(value)), name)
        ws.freeze_panes(1, 0)
    wb.close()


def criteria(code: str) -> list[object]:
    return list(COMMON_CRITERIA.get(code, [""] * 5))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "templates" / "master.xlsx")
    parser.add_argument("--fiscal-year", type=int, default=FISCAL_YEAR)
    args = parser.parse_args()
    write(args.out, args.fiscal_year)
    print(f"wrote {args.out}")
