"""An outbox written in one call, for the command line and the demo: the letters of a forms
folder or of a harvest result, from the sender and with the signature that the options (or the
master) give, as ``.eml`` files with their index."""

from __future__ import annotations

import datetime as dt
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path

from ..forms.office_workbook import contact_line
from ..model import Master
from ..problems import Problem
from .due import past_due
from .feedback import feedback_letters
from .forms import form_letters
from .inputs import FormsFolder, OutboxInputError, read_forms_folder, read_harvest_result
from .letter import LetterKind, Signature
from .recipients import ADDRESS, addresses
from .write import Written, write_outbox

FORMS_INDEX = "forms.csv"
FEEDBACK_INDEX = "feedback.csv"


def sender_address(text: str | None, master: Master) -> Address:
    """The ``From`` of the messages: ``text`` (``name <address>`` or an address), else the
    coordinator of the office that runs the cycle, from the master.

    Raises:
        ValueError: (Thai) for a text without a usable address, or none in the master.
    """
    if text is not None:
        name, address = parseaddr(text)
        if not ADDRESS.fullmatch(address):
            raise ValueError(f"'{text}' ไม่ใช่ที่อยู่อีเมลของผู้ส่ง เช่น \"สพบ. <opdc@example.go.th>\"")
        return Address(name, addr_spec=address)
    office = master.running_office()
    found = addresses(office.email) if office is not None else None
    if office is None or not found:
        raise ValueError("ไฟล์ต้นแบบไม่มีอีเมลของสำนักพัฒนาระบบบริหารที่จะใช้เป็นผู้ส่ง "
                         "ระบุผู้ส่งด้วย --from")
    return Address(office.name, addr_spec=found[0])


def signature(master: Master, contact: str | None, due: dt.date | None) -> Signature:
    """What every letter shares: the organisation, whom to ask (``contact``, else the line
    the workbooks' guide prints) and the due date."""
    return Signature(master.settings.organisation, contact or contact_line(master), due)


def forms_outbox(folder: FormsFolder, master: Master, out: Path, signed: Signature,
                 sender: Address) -> tuple[list[Written], list[Problem]]:
    """The letters of a forms folder written into ``out`` (index ``forms.csv``).

    Raises:
        OutputError: when the outbox cannot be written.
    """
    letters, problems = form_letters(folder, master, signed)
    return write_outbox(letters, problems, out, FORMS_INDEX, sender), problems


def feedback_outbox(result_path: Path, master: Master, out: Path, signed: Signature,
                    sender: Address, forms: Path | None = None
                    ) -> tuple[list[Written], list[Problem]]:
    """The letters of a harvest result written into ``out`` (index ``feedback.csv``), with
    the forms of ``forms`` attached again where they help.

    Raises:
        OutboxInputError: for a result or forms folder of another year or round.
        OutputError: when the outbox cannot be written.
    """
    result = read_harvest_result(result_path)
    if result.fiscal_year != master.settings.fiscal_year:
        raise OutboxInputError(f"ผลการรวบรวม {result_path} เป็นของปีงบประมาณ {result.fiscal_year} "
                               f"แต่ไฟล์ต้นแบบเป็นปี {master.settings.fiscal_year}")
    folder = None if forms is None else read_forms_folder(forms, master)
    if folder is not None and (folder.kind is not LetterKind.FORM
                               or folder.round_months != result.round_months):
        raise OutboxInputError(f"โฟลเดอร์ {forms} ไม่ใช่แบบรายงานรอบ {result.round_months} เดือน "
                               "ของผลการรวบรวมนี้")
    letters, problems = feedback_letters(result, master, signed, folder)
    problems += past_due(signed.due)
    return write_outbox(letters, problems, out, FEEDBACK_INDEX, sender), problems
