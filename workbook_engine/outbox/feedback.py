"""``outbox feedback``: one letter per office a harvest did not accept (CONTRACT section 9).

An incomplete or rejected office is told each problem of its return, where it is (file, sheet,
cell), what is wrong (the harvest's own Thai text) and what to do (the catalogue's
:data:`~workbook_engine.problems.ADVICE`, said to the coordinator, in place of the fix said to
สพบ.); a missing office is reminded, with its form attached again when a forms folder is given
(a rejected office too: the form it should have filled). A problem the harvest could not tie to
an office (a file it could not open) is told to the office its file name names.
"""

from __future__ import annotations

import re
from pathlib import PurePath, PureWindowsPath

from ..forms import layout as L
from ..harvesting.outcomes import STATUS_THAI, Status
from ..model import Master
from ..problems import CATALOGUE, Code, Problem, location, problem
from .inputs import FormsFolder, HarvestResult, ResultOffice
from .letter import Attachment, Letter, LetterKind, Signature, eml_name
from .recipients import Recipient, Recipients

VERDICT = {Status.INCOMPLETE: "ยังไม่ครบ ผลของตัวชี้วัดบางตัวยังใช้คำนวณคะแนนไม่ได้",
           Status.REJECTED: "ไม่รับ ไฟล์ที่ส่งมาใช้ไม่ได้"}
_PLACEHOLDER = re.compile(r"\\\{\w+\\\}")


def feedback_letters(result: HarvestResult, master: Master, signature: Signature,
                     forms: FormsFolder | None = None) -> tuple[list[Letter], list[Problem]]:
    """A letter for every office of ``result`` that is not accepted and can be written to;
    the problems of those that cannot (and of forms that cannot be attached again)."""
    recipients = Recipients(master)
    letters: list[Letter] = []
    problems: list[Problem] = []
    concerning = _by_office(result.problems)
    for office in result.offices:
        if office.status is Status.ACCEPTED:
            continue
        told = concerning.get(office.office, [])
        if office.status is not Status.MISSING and not any(p.is_error for p in told):
            # warnings alone do not keep a return out: the office has nothing to send again
            problems.append(problem(Code.OUTBOX_NOTHING_TO_ASK, office=office.office,
                                    status=STATUS_THAI[office.status]))
            continue
        recipient = recipients.of(office.office)
        if isinstance(recipient, Problem):
            problems.append(recipient)
            continue
        attached = _form_again(office, forms, master, problems)
        write = reminder if office.status is Status.MISSING else feedback
        letters.append(write(result, office, recipient, told, attached, signature))
    return letters, problems


def _by_office(problems: tuple[Problem, ...]) -> dict[str, list[Problem]]:
    """The problems an office is told, by office: the office the harvest found, else the one
    its file's name names (as ``generate`` names it)."""
    grouped: dict[str, list[Problem]] = {}
    for p in problems:
        office = p.office if p.office is not None else \
            L.office_in_file_name(p.file) if p.file is not None else None
        if office is not None and _told(p):
            grouped.setdefault(office, []).append(p)
    return grouped


def _told(p: Problem) -> bool:
    """Whether the office is told of ``p``: a code with advice for it, or one this engine does
    not know (a newer engine's), told as the harvest worded it."""
    code = CATALOGUE.get(p.code)
    return code is None or code.advice is not None


def _form_again(office: ResultOffice, forms: FormsFolder | None, master: Master,
                problems: list[Problem]) -> Attachment | None:
    """The office's form from ``forms`` for a missing or rejected office; None otherwise, or
    (its problem noted) when it cannot be attached."""
    if forms is None or office.status not in (Status.MISSING, Status.REJECTED):
        return None
    row = forms.row(office.office)
    if row is None:
        problems.append(problem(Code.OUTBOX_FORM_NOT_LISTED, file=str(forms.path),
                                office=office.office))
        return None
    found = forms.attachment(row, master)
    if isinstance(found, Problem):
        problems.append(found)
        return None
    return found


def base_name(file: str) -> str:
    """A file's name without the folders of สพบ.'s disk (a Windows path too)."""
    return PureWindowsPath(file).name if "\\" in file else PurePath(file).name


def telling(p: Problem) -> list[str]:
    """``p`` as the office reads it: where (the file's name, sheet and cell), what is wrong
    (the harvest's text without its location and its fix for สพบ.), and what to do."""
    code = CATALOGUE.get(p.code)
    text = p.message
    where = location(p.file, p.sheet, p.cell)
    if where and text.startswith(f"{where}: "):
        text = text[len(where) + 2:]
    if code is not None:
        fix = _PLACEHOLDER.sub(".*?", re.escape(code.fix))
        text = re.sub(rf"\s*{fix}$", "", text, flags=re.S) or text
    hidden = p.sheet in L.ALL_SHEETS and p.sheet not in L.VISIBLE_SHEETS   # _meta, _lists
    shown = location(base_name(p.file) if p.file else None, None if hidden else p.sheet,
                     None if hidden else p.cell)
    lines = [shown] if shown else []
    lines.append(f"ปัญหา: {text}")
    if code is not None and code.advice:
        lines.append(f"สิ่งที่ต้องทำ: {code.advice}")
    return lines


def _listed(told: list[Problem]) -> list[str]:
    """The problems told, numbered: errors first (to fix), then warnings (to note)."""
    lines: list[str] = []
    number = 0
    for heading, chosen in (("ต้องแก้ไข", [p for p in told if p.is_error]),
                            ("ข้อสังเกต (ไม่ต้องส่งใหม่เพราะเรื่องเหล่านี้)",
                             [p for p in told if not p.is_error])):
        if chosen:
            lines += ["", heading]
        for p in chosen:
            number += 1
            first, *rest = telling(p)
            lines += [f"{number}. {first}", *(f"   {line}" for line in rest)]
    return lines


def _stem(result: HarvestResult, office: ResultOffice) -> str:
    """``2569-R12-B03``: the office's form's name without ``.xlsx``."""
    return PurePath(L.file_name(result.fiscal_year, result.round_months, office.office)).stem


def _round(result: HarvestResult) -> str:
    return f"ปีงบประมาณ พ.ศ. {result.fiscal_year} รอบ {result.round_months} เดือน"


def _again(attached: Attachment | None) -> list[str]:
    if attached is None:
        return []
    return ["", f"แนบแบบรายงานของหน่วยงานมาอีกครั้ง (ไฟล์แนบ \"{attached.name}\") "
                f"กรอกตามชีต '{L.GUIDE_SHEET}' แล้วส่งกลับ"]


def feedback(result: HarvestResult, office: ResultOffice, to: Recipient, told: list[Problem],
             attached: Attachment | None, signature: Signature) -> Letter:
    """The letter to an office whose return was not accepted: what to fix, and where."""
    sent = f" (ไฟล์ {base_name(office.file)})" if office.file else ""
    subject = (f"ผลการตรวจแบบรายงานผลการดำเนินงาน {_round(result)} ({to.office.name}): "
               "ขอให้แก้ไขและส่งใหม่")
    lines = [
        to.greeting, "",
        f"{signature.organisation} ได้ตรวจแบบรายงานผลการดำเนินงาน {_round(result)} "
        f"ที่{to.office.name}ส่งมา{sent} แล้ว",
        f"ผลการตรวจ: {VERDICT.get(office.status, STATUS_THAI[office.status])}",
        f"ขอให้แก้ไขตามรายการต่อไปนี้ แล้วส่งไฟล์กลับมาใหม่{signature.by_when()} "
        "โดยตอบกลับอีเมลนี้พร้อมแนบไฟล์",
        *_listed(told), *_again(attached),
    ]
    return Letter(LetterKind.FEEDBACK, to, subject, "\n".join(lines + signature.closing()),
                  eml_name(_stem(result, office), "feedback"), attached)


def reminder(result: HarvestResult, office: ResultOffice, to: Recipient, told: list[Problem],
             attached: Attachment | None, signature: Signature) -> Letter:
    """The letter to an office that has sent no usable return."""
    subject = f"ติดตามแบบรายงานผลการดำเนินงาน {_round(result)} ({to.office.name})"
    lines = [
        to.greeting, "",
        f"{signature.organisation} ยังไม่ได้รับแบบรายงานผลการดำเนินงานตามคำรับรองการปฏิบัติราชการ "
        f"{_round(result)} ของ{to.office.name} ขอให้กรอกแบบรายงานแล้วส่งกลับ"
        f"{signature.by_when()}",
        *_again(attached),
    ]
    if told:
        lines += ["", "ไฟล์ที่ได้รับจากหน่วยงานแต่ใช้ไม่ได้:", *_listed(told)]
    lines += ["", "หากส่งแล้ว ขอให้ตอบกลับอีเมลนี้พร้อมแนบไฟล์อีกครั้ง"]
    return Letter(LetterKind.REMINDER, to, subject, "\n".join(lines + signature.closing()),
                  eml_name(_stem(result, office), "reminder"), attached)
