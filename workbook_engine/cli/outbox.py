"""The ``outbox`` commands: e-mail to the offices' coordinators, written as ``.eml`` files and,
with ``--send``, sent through an SMTP server (CONTRACT section 9, docs/outbox.md).

Exit codes: 0 every office written to (and with ``--send`` every message sent or sent before),
1 some office could not be written to or some message was not sent, 2 nothing written (usage,
master invalid, a forms folder or result that cannot be used, an outbox that cannot be written).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from email.headerregistry import Address
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import NOTHING_DONE, PROBLEMS_FOUND
from ..model import Master
from ..outbox.due import DueDateError, parse_due
from ..outbox.inputs import read_forms_folder
from ..outbox.letter import LetterKind
from ..outbox.run import (
    FEEDBACK_INDEX,
    FORMS_INDEX,
    feedback_outbox,
    forms_outbox,
    sender_address,
    signature,
)
from ..outbox.send import PASSWORD_ENV, SendError, SmtpServer, send_all
from ..outbox.write import Written
from ..problems import Problem, error_count
from ..workers import few_collections
from .console import echo_problems, progress, valid_master

F = TypeVar("F", bound=Callable[..., Any])
Outbox = tuple[list[Written], list[Problem], str]   # messages written, problems, what they are
EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
EXISTING_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


def due_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """``--due``: a date as :func:`~workbook_engine.outbox.due.parse_due` reads it, or a usage
    error with the Thai reason."""
    if value is None:
        return None
    try:
        return parse_due(value)
    except DueDateError as exc:
        raise click.BadParameter(str(exc), ctx, param) from exc


def outbox_options(command: F) -> F:
    """The options both outbox commands take."""
    options = [
        click.option("--master", "master_path", required=True, type=EXISTING_FILE,
                     help="ไฟล์ต้นแบบ (อีเมลและผู้ประสานงานของหน่วยงานอยู่ในชีต 'หน่วยงาน')"),
        click.option("--out", "out_dir", required=True,
                     type=click.Path(file_okay=False, path_type=Path),
                     help="โฟลเดอร์ที่จะเขียนไฟล์อีเมล (.eml)"),
        click.option("--due", default=None, metavar="DATE", callback=due_date,
                     help="กำหนดส่ง เช่น 15/10/2569 หรือ 2569-10-15 (แบบรายงาน: ค่าเริ่มต้นคือ"
                          "วันที่พิมพ์ไว้ในแบบรายงาน)"),
        click.option("--contact", default=None,
                     help="ผู้ที่ให้สอบถาม เช่น 'กลุ่มพัฒนาระบบบริหาร โทร 0 2xxx xxxx' "
                          "(ค่าเริ่มต้น: บรรทัดเดียวกับที่แบบรายงานพิมพ์)"),
        click.option("--from", "sender", default=None,
                     help="ผู้ส่ง เช่น 'สพบ. <opdc@example.go.th>' (ค่าเริ่มต้น: อีเมลของสำนัก"
                          "พัฒนาระบบบริหารในไฟล์ต้นแบบ)"),
        click.option("--send", is_flag=True, help="ส่งอีเมลผ่านเซิร์ฟเวอร์ด้วย"),
        click.option("--smtp", default=None, metavar="HOST[:PORT]",
                     help="เซิร์ฟเวอร์อีเมล (พอร์ตเริ่มต้น 587; 465 คือ TLS ตั้งแต่ต้น)"),
        click.option("--smtp-user", default=None,
                     help=f"ชื่อผู้ใช้ของเซิร์ฟเวอร์อีเมล (รหัสผ่านอยู่ในตัวแปร {PASSWORD_ENV})"),
        click.option("--resend", is_flag=True,
                     help="ส่งซ้ำแม้บันทึกการส่งจะแสดงว่าเคยส่งแล้ว"),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.group("outbox")
def outbox_command() -> None:
    """เขียนอีเมลถึงผู้ประสานงานของหน่วยงาน (.eml) และส่งผ่านเซิร์ฟเวอร์อีเมล (--send)"""


@outbox_command.command("forms")
@click.argument("forms_dir", type=EXISTING_DIR)
@outbox_options
def forms_command(forms_dir: Path, master_path: Path, out_dir: Path, due: dt.date | None,
                  contact: str | None, sender: str | None, send: bool, smtp: str | None,
                  smtp_user: str | None, resend: bool) -> int:
    """อีเมลส่งแบบรายงาน (จาก generate) หรือแบบเสนอตัวชี้วัด (จาก propose) ถึงทุกหน่วยงานใน
    manifest.csv ของโฟลเดอร์: สิ่งที่ต้องกรอก กำหนดส่ง และผู้ที่ให้สอบถาม"""
    server = smtp_server(send, smtp, smtp_user, resend)

    def write(master: Master, address: Address) -> Outbox:
        folder = read_forms_folder(forms_dir, master)
        if folder.kind is LetterKind.PROPOSAL and due is None:
            raise click.UsageError("แบบเสนอตัวชี้วัดไม่มีกำหนดส่งพิมพ์ไว้ ระบุวันที่ด้วย --due "
                                   "เช่น --due 31/7/2568")
        what = "แบบเสนอตัวชี้วัด" if folder.kind is LetterKind.PROPOSAL else \
            f"แบบรายงานรอบ {folder.round_months} เดือน"
        return (*forms_outbox(folder, master, out_dir, signature(master, contact, due), address),
                what)

    done = written_with(master_path, sender, write)
    if done is None:
        return NOTHING_DONE
    return deliver(*done, out_dir / FORMS_INDEX, server, resend)


@outbox_command.command("feedback")
@click.argument("result", type=EXISTING_FILE, metavar="SUMMARY.json")
@outbox_options
@click.option("--forms", "forms_dir", type=EXISTING_DIR, default=None,
              help="โฟลเดอร์แบบรายงานของรอบนี้ (จาก generate): แนบแบบรายงานไปกับอีเมลติดตาม"
                   "หน่วยงานที่ยังไม่ส่งหรือไม่รับ")
def feedback_command(result: Path, master_path: Path, out_dir: Path, due: dt.date | None,
                     contact: str | None, sender: str | None, send: bool, smtp: str | None,
                     smtp_user: str | None, resend: bool, forms_dir: Path | None) -> int:
    """อีเมลถึงหน่วยงานที่ยังไม่ได้รับในผลการรวบรวม (harvest --json): ปัญหาแต่ละเรื่อง
    พร้อมชีตและเซลล์ และสิ่งที่ต้องทำ; อีเมลติดตามหน่วยงานที่ยังไม่ส่ง"""
    server = smtp_server(send, smtp, smtp_user, resend)
    done = written_with(master_path, sender, lambda master, address: (*feedback_outbox(
        result, master, out_dir, signature(master, contact, due), address, forms_dir),
        "แจ้งผลการตรวจและติดตาม"))
    if done is None:
        return NOTHING_DONE
    return deliver(*done, out_dir / FEEDBACK_INDEX, server, resend)


def written_with(master_path: Path, sender: str | None,
                 write: Callable[[Master, Address], Outbox]
                 ) -> tuple[list[Written], list[Problem], str, Address] | None:
    """What ``write`` writes with the master (read and checked) and the sender, and the
    sender; None when the master is not valid (said)."""
    with few_collections():
        master = valid_master(master_path)
        if master is None:
            return None
        address = from_address(sender, master)
        return (*write(master, address), address)


def smtp_server(send: bool, smtp: str | None, user: str | None,
                resend: bool) -> SmtpServer | None:
    """The server to send through (None without ``--send``), the password from the
    environment.

    Raises:
        click.UsageError: for options that do not go together, or a missing password.
    """
    if not send:
        if smtp or user or resend:
            raise click.UsageError("--smtp --smtp-user และ --resend ใช้คู่กับ --send")
        return None
    if not smtp:
        raise click.UsageError("--send ต้องระบุเซิร์ฟเวอร์อีเมลด้วย --smtp HOST[:PORT]")
    password = os.environ.get(PASSWORD_ENV)
    if user and not password:
        raise click.UsageError(f"ตั้งรหัสผ่านของ {user} ในตัวแปรสภาพแวดล้อม {PASSWORD_ENV} "
                               "(ไม่รับรหัสผ่านทางบรรทัดคำสั่ง)")
    try:
        return SmtpServer.parse(smtp, user or None, password if user else None)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--smtp") from exc


def from_address(text: str | None, master: Master) -> Address:
    """The sender, as a usage error when there is none."""
    try:
        return sender_address(text, master)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--from") from exc


def deliver(written: list[Written], problems: list[Problem], what: str, sender: Address,
            index: Path, server: SmtpServer | None, resend: bool) -> int:
    """Say what was written (into ``index``'s folder), send it when asked, and give the exit
    code."""
    out = index.parent
    click.echo(f"เขียนอีเมล{what} {len(written)} ฉบับลงในโฟลเดอร์ {out} แล้ว "
               f"(รายการอยู่ใน {index})")
    if problems:
        click.echo(f"หน่วยงานที่ไม่ได้เขียนถึงและข้อสังเกต {len(problems)} รายการ:")
        echo_problems(problems)
    if server is None:
        return PROBLEMS_FOUND if error_count(problems) else 0
    with progress(len(written), f"กำลังส่งอีเมลผ่าน {server.label}") as advance:
        report = send_all(written, out, server, sender.addr_spec, resend, advance)
    click.echo(f"ส่งแล้ว {report.sent} ฉบับ, ไม่สำเร็จ {report.failed} ฉบับ, "
               f"ข้ามฉบับที่เคยส่งแล้ว {report.skipped} ฉบับ (บันทึกการส่ง: {report.log})")
    echo_problems(report.problems)
    if report.stopped is not None:
        raise SendError(f"{report.stopped} ยังไม่ได้ส่ง {report.not_tried} ฉบับ ไฟล์อีเมล (.eml) "
                        f"อยู่ในโฟลเดอร์ {out} แล้ว แก้แล้วสั่งอีกครั้งได้ "
                        "(ฉบับที่ส่งแล้วจะไม่ถูกส่งซ้ำ)") from report.stopped
    return PROBLEMS_FOUND if error_count([*problems, *report.problems]) else 0
