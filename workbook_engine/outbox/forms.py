"""``outbox forms``: one letter per workbook of a forms folder, worded for a round's report form
or for a proposal of the negotiation round (CONTRACT section 9)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import PurePath

from ..fiscal import report_due, round_label
from ..forms import layout as L
from ..model import Master
from ..problems import Code, Problem, problem
from ..proposals import layout as P
from .due import due_words, past_due
from .inputs import FormsFolder
from .letter import Attachment, Letter, LetterKind, Signature, eml_name
from .recipients import Recipient, Recipients


def printed_due(folder: FormsFolder) -> dt.date | None:
    """The due date a round's workbooks print in their guide; None for proposals, which
    print none."""
    if folder.round_months is None:
        return None
    return report_due(folder.fiscal_year, folder.round_months)


def form_letters(folder: FormsFolder, master: Master, signature: Signature
                 ) -> tuple[list[Letter], list[Problem]]:
    """A letter for every workbook of ``folder`` whose office has an address and whose
    workbook can be sent; the problems of the others (and the due date's, when it is not the
    one the workbooks print). A round's letters give the printed due date unless
    ``signature`` gives another."""
    printed = printed_due(folder)
    problems: list[Problem] = []
    if printed is not None and signature.due is not None and signature.due != printed:
        problems.append(problem(Code.OUTBOX_DUE_DIFFERS, due=due_words(signature.due),
                                printed=due_words(printed)))
    signature = replace(signature, due=signature.due or printed)
    problems += past_due(signature.due)
    write = proposal_letter if folder.kind is LetterKind.PROPOSAL else round_letter
    recipients = Recipients(master)
    letters: list[Letter] = []
    for row in folder.rows:
        recipient = recipients.of(row.office)           # an unknown office: told once, here
        attached = folder.attachment(row, master) if row.office in master.offices else None
        problems += [p for p in (recipient, attached) if isinstance(p, Problem)]
        if isinstance(recipient, Recipient) and isinstance(attached, Attachment):
            letters.append(write(master, folder, recipient, attached, signature))
    return letters, problems


def round_letter(master: Master, folder: FormsFolder, to: Recipient, attached: Attachment,
                 signature: Signature) -> Letter:
    """The letter that sends an office its report form of a round: what to fill, by when,
    whom to ask."""
    year, months = folder.fiscal_year, folder.round_months or 12
    office = to.office
    subject = (f"แบบรายงานผลการดำเนินงานตามคำรับรองการปฏิบัติราชการ ปีงบประมาณ พ.ศ. {year} "
               f"รอบ {months} เดือน ({office.name})")
    lines = [
        to.greeting, "",
        f"{signature.organisation} ส่งแบบรายงานผลการดำเนินงานตามคำรับรองการปฏิบัติราชการของ"
        f"{office.name} ปีงบประมาณ พ.ศ. {year} {round_label(year, months)} "
        f"มาพร้อมอีเมลนี้ (ไฟล์แนบ \"{attached.name}\")", "",
        "สิ่งที่ต้องกรอก",
        "1. เปิดไฟล์แนบด้วย Excel (หรือ LibreOffice, WPS, Google Sheets) "
        f"และอ่านชีต '{L.GUIDE_SHEET}' ก่อน",
        f"2. ชีต '{L.REPORT_SHEET}': กรอกผลการดำเนินงานในช่องสีเหลือง {L.AS_NUMBER} "
        "หรือเลือกระดับที่ทำได้ 0-5 จากรายการสำหรับตัวชี้วัดระดับความสำเร็จ ของตัวชี้วัดต่อไปนี้",
        *_results_to_fill(master, office.code, months),
        f"3. ชีต '{L.KPI_REPORT_SHEET}': พิมพ์ {L.TEXT_HEADERS} ของทุกตัวชี้วัด",
        f"4. กรอกเฉพาะช่องสีเหลือง {L.KEEP_LOCKED}",
        "5. บันทึกเป็นไฟล์ Excel (.xlsx) แล้วส่งกลับโดยตอบกลับอีเมลนี้พร้อมแนบไฟล์", "",
        f"กำหนดส่ง: {signature.by_when()}",
    ]
    if signature.due != printed_due(folder):
        lines.append(f"(วันที่นี้ใช้แทนกำหนดส่งที่พิมพ์ไว้ในชีต '{L.GUIDE_SHEET}' ของแบบรายงาน)")
    return Letter(LetterKind.FORM, to, subject, "\n".join(lines + signature.closing()),
                  eml_name(PurePath(attached.source).stem), attached)


def _results_to_fill(master: Master, office: str, months: int) -> list[str]:
    """One line per KPI whose result the office types in the round; then the inherited
    ones, which it does not."""
    typed, inherited = [], []
    for a in master.assignments_for(office, months):
        kpi = master.kpis[a.kpi]
        if not a.assessed:
            continue
        if kpi.kind.has_result:
            how = "เลือกระดับ 0-5" if kpi.kind.needs_levels else kpi.unit
            typed.append(f"   - {kpi.code} {kpi.name} ({how})")
        else:
            inherited.append(kpi.code)
    if inherited:
        typed.append(f"   (ตัวชี้วัด {', '.join(inherited)} ใช้ผลคะแนนองค์กร ไม่ต้องกรอกผล)")
    return typed


def proposal_letter(master: Master, folder: FormsFolder, to: Recipient,
                    attached: Attachment, signature: Signature) -> Letter:
    """The letter that sends an office its proposal workbook of the negotiation round."""
    year, office = folder.fiscal_year, to.office
    group2 = [a.kpi for a in master.assignments_for(office.code) if master.kpis[a.kpi].group == 2]
    subject = f"แบบเสนอตัวชี้วัดกลุ่มที่ 2 ปีงบประมาณ พ.ศ. {year} ({office.name})"
    years = P.baseline_years(year)
    first, last = years[0], years[-1]
    lines = [
        to.greeting, "",
        f"{signature.organisation} ขอให้{office.name}เสนอตัวชี้วัดกลุ่มที่ 2 (ภารกิจหลักของ"
        f"หน่วยงาน) ของปีงบประมาณ พ.ศ. {year} ล่วงหน้าก่อนการประชุมเจรจาตัวชี้วัด "
        f"ในแบบเสนอที่แนบมาพร้อมอีเมลนี้ (ไฟล์แนบ \"{attached.name}\")", "",
        "สิ่งที่ต้องกรอก",
        f"1. ชีต '{P.TABLE_SHEET}': ตัวชี้วัดกลุ่ม 1 และ 3 ถ่ายทอดจากองค์กร แก้ไขไม่ได้ "
        f"ตัวชี้วัดกลุ่ม 2 ที่มีอยู่แล้ว ({', '.join(group2) or 'ไม่มี'}) แก้ไขได้ในช่องสีเหลือง",
        "2. เสนอตัวชี้วัดใหม่ในแถวว่างท้ายตาราง หนึ่งแถวต่อหนึ่งตัวชี้วัด: ชื่อ หน่วยวัด ประเภท "
        "ทิศทาง น้ำหนัก ค่าเป้าหมาย เกณฑ์ระดับ 1-5 (ตัวชี้วัดระดับความสำเร็จ: คำอธิบายระดับ 1-5) "
        f"ข้อมูลพื้นฐานปี {first}-{last} และเหตุผลที่เสนอ",
        "3. น้ำหนักของตัวชี้วัดทุกตัวรวมกันต้องได้ 100 ดูผลตรวจของแต่ละแถวในคอลัมน์ "
        f"'{P.CHECK_HEADER}'",
        "4. อย่าเพิ่ม ลบ หรือเปลี่ยนชื่อแถวและชีต บันทึกเป็นไฟล์ Excel (.xlsx) "
        "แล้วส่งกลับโดยตอบกลับอีเมลนี้พร้อมแนบไฟล์", "",
        "กำหนดส่ง: " + (signature.by_when() if signature.due else "ก่อนการประชุมเจรจาตัวชี้วัด"),
    ]
    return Letter(LetterKind.PROPOSAL, to, subject, "\n".join(lines + signature.closing()),
                  eml_name(PurePath(attached.source).stem), attached)
