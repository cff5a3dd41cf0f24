"""The outbox (CONTRACT section 9, issue #19): the e-mails to the offices, written as ``.eml`` and
sent through a real SMTP server started here (aiosmtpd), in plain SMTP, with STARTTLS and with
AUTH; the send log that keeps a message from going twice; and every office that cannot be
written to, reported."""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import json
import shutil
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from workbook_engine.cli.commands import cli
from workbook_engine.devkit.testing import fill_return
from workbook_engine.fiscal import today
from workbook_engine.forms.generate import generate
from workbook_engine.harvesting.run import harvest, write_json
from workbook_engine.master.reader import load_master
from workbook_engine.outbox.due import DueDateError, parse_due, past_due
from workbook_engine.outbox.letter import XLSX_TYPE, attachment_name
from workbook_engine.outbox.send import LOG, PASSWORD_ENV
from workbook_engine.problems import ADVICE, Code, Severity
from workbook_engine.proposals.propose import propose

from .conftest import missing
from .inline import VALID_MASTER, write_master

try:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult
except ImportError:          # a test extra: fails, not skips, under CI=true
    missing("aiosmtpd is required: pip install -e '.[test]'", module=True)

OFFICES = """
    | รหัสหน่วยงาน | ชื่อหน่วยงาน          | ผู้ทำคำรับรอง | ตำแหน่ง      | ผู้ประสานงาน | อีเมล            |
    | B01        | สำนักพัฒนาระบบบริหาร | นางหนึ่ง     | ผู้อำนวยการ  | นายสอง      | a@example.go.th |
    | B02        | กองคลัง              | นายสาม      | ผู้อำนวยการ  | นางสี่       | b@example.go.th |
    | B03        | กองทดลอง             | นายห้า      | ผู้อำนวยการ  | นางหก       | {b03}           |
"""
B03_ROW = "| B03 | '2.1' | 100 | 60 | 70 | 80 | 90 | 100 |"
CONTACT = "กลุ่มพัฒนาระบบบริหาร โทร 0 2123 4567"


def make_master(path: Path, b03_email: str = "") -> Path:
    """The inline master with a third office, B03, whose e-mail (cell F4) is ``b03_email``."""
    return write_master(path, **{"หน่วยงาน": OFFICES.format(b03=b03_email),
                                 "เกณฑ์": VALID_MASTER["เกณฑ์"] + B03_ROW})


@dataclass
class Round:
    """A round made once for the module: the master, its forms, the returns and the harvest."""

    master: Path
    forms: Path
    result: Path


@pytest.fixture(scope="module")
def round12(tmp_path_factory: pytest.TempPathFactory) -> Round:
    """B01 accepted, B02 incomplete (a result typed as words), B03 missing (and without an
    e-mail in the master)."""
    top = tmp_path_factory.mktemp("round12")
    master_path = make_master(top / "master.xlsx")
    master = load_master(master_path)
    forms = top / "forms"
    generate(master, 12, forms, jobs=1)
    returned = top / "returned"
    returned.mkdir()
    fill_return(forms / "2569-R12-B01.xlsx", returned / "2569-R12-B01.xlsx",
                {"2.1": 84, "2.2": 3.5, "3.1": 4})
    fill_return(forms / "2569-R12-B02.xlsx", returned / "2569-R12-B02.xlsx",
                {"2.1": "ประมาณ 80", "3.1": 3})
    report = harvest([returned], master, 12, jobs=1)
    write_json(report, top / "summary.json")
    return Round(master_path, forms, top / "summary.json")


# -- a real SMTP server ------------------------------------------------------------------------
@dataclass
class Received:
    """One message as the server took it."""

    sender: str
    to: list[str]
    data: bytes
    tls: bool
    authenticated: bool | None

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Mailbox:
    """The test server's handler: keeps what it takes, refuses the addresses in ``refuse``."""

    refuse: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        tls = server.transport.get_extra_info("ssl_object") is not None    # either way
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      envelope.original_content, tls, session.authenticated))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.to]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def smtp_server(mailbox: Mailbox, **options: Any) -> Iterator[str]:
    """An aiosmtpd server on this machine for the block; yields ``--smtp``'s HOST:PORT."""
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield f"127.0.0.1:{controller.port}"
    finally:
        controller.stop()


def accept_login(server: Any, session: Any, envelope: Any, mechanism: str,
                 auth_data: Any) -> AuthResult:
    """The test server's only account: opdc / secret."""
    return AuthResult(success=(auth_data.login, auth_data.password) == (b"opdc", b"secret"),
                      handled=False)       # a refusal answered with 535


def outbox(*args: str) -> tuple[int, str]:
    """``workbook-engine outbox ...`` in this process: exit code and what it printed."""
    result = CliRunner().invoke(cli, ["outbox", *args], catch_exceptions=False)
    return result.exit_code, result.output


def forms_args(r: Round, out: Path, *extra: str) -> list[str]:
    return ["forms", str(r.forms), "--master", str(r.master), "--out", str(out),
            "--contact", CONTACT, *extra]


def attachment(message: EmailMessage) -> EmailMessage:
    [part] = list(message.iter_attachments())
    assert isinstance(part, EmailMessage)
    return part


def body_text(message: EmailMessage) -> str:
    """The text of a message (its lines end in CRLF, as MIME's canonical text has them)."""
    body = message.get_body(("plain",))
    assert body is not None
    text: str = body.get_content()
    return text.replace("\r\n", "\n")


def header_text(raw: bytes, name: str) -> str:
    """A header of a message's bytes decoded by RFC 2047's rules (Python's own parser of
    address headers puts a space between two encoded words; mail programs do not)."""
    parsed = message_from_bytes(raw, policy=policy.compat32)
    return str(make_header(decode_header(parsed[name])))


# -- outbox forms ------------------------------------------------------------------------------
def test_forms_arrive_once_each_with_the_workbook_and_the_due_date(round12: Round,
                                                                   tmp_path: Path) -> None:
    mailbox = Mailbox()
    out = tmp_path / "outbox"
    with smtp_server(mailbox) as server:
        code, output = outbox(*forms_args(round12, out, "--send", "--smtp", server))
        assert code == 1, output           # B03 has no e-mail: reported, the others sent
        assert "Traceback" not in output
        assert "OUTBOX_NO_EMAIL" in output and "ชีต 'หน่วยงาน' เซลล์ F4" in output
        assert "B03" in output and "ส่งแล้ว 2 ฉบับ" in output
        assert sorted(r.to[0] for r in mailbox.received) == ["a@example.go.th",
                                                             "b@example.go.th"]
        for office, address, name in (("B01", "a@example.go.th", "สำนักพัฒนาระบบบริหาร"),
                                      ("B02", "b@example.go.th", "กองคลัง")):
            [got] = mailbox.to(address)
            msg = got.message
            assert got.to == [address] and got.sender == "a@example.go.th"   # สพบ.'s own
            assert msg["To"].addresses[0].addr_spec == address
            assert header_text(got.data, "Subject") == (
                "แบบรายงานผลการดำเนินงานตามคำรับรองการปฏิบัติราชการ ปีงบประมาณ พ.ศ. 2569 "
                f"รอบ 12 เดือน ({name})")
            part = attachment(msg)
            workbook = round12.forms / f"2569-R12-{office}.xlsx"
            assert part.get_content() == workbook.read_bytes()         # byte for byte
            assert part.get_content_type() == "/".join(XLSX_TYPE)
            assert part.get_filename() == f"แบบรายงานผล {name} 2569-R12-{office}.xlsx"
            text = body_text(msg)
            assert "กำหนดส่ง: ภายในวันพฤหัสบดีที่ 15 ตุลาคม 2569" in text       # BE
            assert f"สอบถามได้ที่: {CONTACT}" in text and "ชีต 'รายงานผล'" in text
            assert "2.1 ร้อยละความสำเร็จ (ร้อยละ)" in text
            assert "3.1 ระดับความสำเร็จดิจิทัล (เลือกระดับ 0-5)" in text   # a milestone KPI
            assert "พิมพ์ 'ข้อมูลผลการดำเนินงาน', 'คำชี้แจงการปฏิบัติงาน/" in text
            # what arrived is the .eml written in the outbox
            assert got.data.rstrip(b"\r\n") == (out / f"2569-R12-{office}.eml").read_bytes() \
                .rstrip(b"\r\n")
        # the second run: nothing new is sent, the log says why
        code, output = outbox(*forms_args(round12, out, "--send", "--smtp", server))
        assert code == 1 and len(mailbox.received) == 2, output
        assert "ส่งแล้ว 0 ฉบับ" in output and "ข้ามฉบับที่เคยส่งแล้ว 2 ฉบับ" in output
    log = [json.loads(line) for line in (out / LOG).read_text(encoding="utf-8").splitlines()]
    assert [(e["office"], e["kind"], e["status"]) for e in log] == [("B01", "form", "sent"),
                                                                   ("B02", "form", "sent")]
    assert log[0]["attachment_sha256"] and log[0]["to"] == ["a@example.go.th"]


def test_the_thai_file_name_is_written_for_new_and_old_mail_programs(round12: Round,
                                                                      tmp_path: Path) -> None:
    out = tmp_path / "outbox"
    code, output = outbox(*forms_args(round12, out))
    assert code == 1, output
    raw = (out / "2569-R12-B02.eml").read_bytes()
    headers = raw.split(b"\r\n\r\n--")[2].decode("ascii")    # the attachment's part
    # RFC 2231 in Content-Disposition; RFC 2047 in Content-Type's name, and the media type
    # itself left alone (Python's email would encode it as a word with a non-ASCII name)
    assert "filename*" in headers and "utf-8''" in headers
    assert f"Content-Type: {'/'.join(XLSX_TYPE)};\r\n name=\"=?utf-8?b?" in headers
    part = attachment(message_from_bytes(raw, policy=policy.default))   # type: ignore[arg-type]
    assert part.get_param("name") == part.get_filename() == \
        "แบบรายงานผล กองคลัง 2569-R12-B02.xlsx"
    legacy = message_from_bytes(raw, policy=policy.compat32)
    [old] = [p for p in legacy.walk() if p.get_content_maintype() == "application"]
    assert str(make_header(decode_header(old.get_param("name")))) == \
        "แบบรายงานผล กองคลัง 2569-R12-B02.xlsx"
    assert raw.isascii(), "7-bit: every server takes it"
    assert attachment_name("แบบรายงานผล", 'กอง/ศูนย์:ทดลอง "ก"', "x.xlsx") == \
        "แบบรายงานผล กอง ศูนย์ ทดลอง ก x.xlsx"


def test_an_office_with_a_wrong_address_is_reported_at_its_cell(tmp_path: Path) -> None:
    master = make_master(tmp_path / "m.xlsx", b03_email="นางหก ที่ example")
    forms = tmp_path / "forms"
    generate(load_master(master), 12, forms, offices=["B03"], jobs=1)
    code, output = outbox("forms", str(forms), "--master", str(master), "--out",
                          str(tmp_path / "out"))
    assert code == 1 and "OUTBOX_EMAIL_INVALID" in output, output
    assert "ไฟล์ m.xlsx ชีต 'หน่วยงาน' เซลล์ F4" in output
    assert not list((tmp_path / "out").glob("*.eml"))
    index = (tmp_path / "out" / "forms.csv").read_text(encoding="utf-8-sig")
    assert "B03" in index and "OUTBOX_EMAIL_INVALID" in index


def test_a_changed_or_stale_form_is_not_sent(round12: Round, tmp_path: Path) -> None:
    forms = tmp_path / "forms"
    shutil.copytree(round12.forms, forms)
    with (forms / "2569-R12-B01.xlsx").open("ab") as changed:
        changed.write(b"\0")
    other = write_master(tmp_path / "other.xlsx", **{
        "หน่วยงาน": OFFICES.format(b03="c@example.go.th"),
        "เกณฑ์": VALID_MASTER["เกณฑ์"].replace("| 92.5   | 95 ", "| 92   | 95 ") + B03_ROW})
    code, output = outbox("forms", str(forms), "--master", str(other), "--out",
                          str(tmp_path / "out"))
    assert code == 1, output
    assert "OUTBOX_FORM_CHANGED" in output and "OUTBOX_FORM_STALE" in output
    assert [p.name for p in (tmp_path / "out").glob("*.eml")] == ["2569-R12-B03.eml"]


def test_a_due_date_other_than_the_printed_one_is_said(round12: Round, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = outbox(*forms_args(round12, out, "--due", "2026-10-30"))
    assert code == 1 and "OUTBOX_DUE_DIFFERS" in output, output
    msg = message_from_bytes((out / "2569-R12-B02.eml").read_bytes(), policy=policy.default)
    assert "กำหนดส่ง: ภายในวันศุกร์ที่ 30 ตุลาคม 2569" in body_text(msg)
    assert "ใช้แทนกำหนดส่งที่พิมพ์ไว้ในชีต 'คำชี้แจง'" in body_text(msg)


def test_a_proposal_folder_is_worded_for_the_negotiation(tmp_path: Path) -> None:
    master = make_master(tmp_path / "m.xlsx", b03_email="c@example.go.th; d@example.go.th")
    folder = tmp_path / "proposals"
    propose(load_master(master), folder, jobs=1)
    args = ["forms", str(folder), "--master", str(master), "--out", str(tmp_path / "out")]
    code, output = outbox(*args)
    assert code == 2 and "--due" in output, "a proposal prints no due date: it must be given"
    code, output = outbox(*args, "--due", "31/7/2568", "--from", "สพบ. <opdc@example.go.th>")
    assert code == 0, output
    raw = (tmp_path / "out" / "2569-P-B03.eml").read_bytes()
    msg = message_from_bytes(raw, policy=policy.default)
    assert header_text(raw, "Subject") == "แบบเสนอตัวชี้วัดกลุ่มที่ 2 ปีงบประมาณ พ.ศ. 2569 (กองทดลอง)"
    assert [a.addr_spec for a in msg["To"].addresses] == ["c@example.go.th", "d@example.go.th"]
    assert msg["From"].addresses[0].addr_spec == "opdc@example.go.th"
    assert "กำหนดส่ง: ภายในวันพฤหัสบดีที่ 31 กรกฎาคม 2568" in body_text(msg)
    assert "ชีต 'ตัวชี้วัดที่เสนอ'" in body_text(msg)
    part = attachment(msg)
    assert part.get_filename() == "แบบเสนอตัวชี้วัด กองทดลอง 2569-P-B03.xlsx"
    assert part.get_content() == (folder / "2569-P-B03.xlsx").read_bytes()


@pytest.mark.parametrize(("typed", "day"), [
    ("2569-10-15", dt.date(2026, 10, 15)), ("2026-10-15", dt.date(2026, 10, 15)),
    ("15/10/2569", dt.date(2026, 10, 15)), ("๑๕/๑๐/๒๕๖๙", dt.date(2026, 10, 15)),
    ("1 ต.ค. 2569", dt.date(2026, 10, 1)), ("29 กุมภาพันธ์ 2567", dt.date(2024, 2, 29))])
def test_due_dates_are_read_in_either_era(typed: str, day: dt.date) -> None:
    assert parse_due(typed) == day


@pytest.mark.parametrize("typed", ["15/10/69", "15/10/2026", "10/15/2569", "2400-01-01",
                                   "29/2/2568", "พรุ่งนี้", "15-10-2569"])
def test_unclear_due_dates_are_refused(typed: str) -> None:
    with pytest.raises(DueDateError):
        parse_due(typed)


def test_an_unclear_due_date_is_a_thai_usage_error(round12: Round, tmp_path: Path) -> None:
    code, output = outbox(*forms_args(round12, tmp_path / "out", "--due", "15/10/69"))
    assert code == 2 and "15/10/2569" in output and "Traceback" not in output
    assert not (tmp_path / "out").exists()


# -- outbox feedback ---------------------------------------------------------------------------
def test_feedback_tells_each_problem_where_it_is_and_what_to_do(round12: Round,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = outbox("feedback", str(round12.result), "--master", str(round12.master),
                          "--out", str(out), "--forms", str(round12.forms), "--due",
                          "20/10/2569")
    assert code == 1 and "OUTBOX_NO_EMAIL" in output, output     # B03, missing, no e-mail
    assert sorted(p.name for p in out.glob("*.eml")) == ["2569-R12-B02-feedback.eml"]
    msg = message_from_bytes((out / "2569-R12-B02-feedback.eml").read_bytes(),
                             policy=policy.default)
    text = body_text(msg)
    assert "1. ไฟล์ 2569-R12-B02.xlsx ชีต 'รายงานผล' เซลล์" in text
    assert "ปัญหา: ผลของตัวชี้วัด 2.1 คือ 'ประมาณ 80' ซึ่งไม่ใช่ตัวเลข\n" in text
    assert f"สิ่งที่ต้องทำ: {Code.RESULT_NOT_NUMBER.advice}" in text
    assert Code.RESULT_NOT_NUMBER.fix not in text, "the fix said to สพบ. is not the office's"
    assert "ภายในวันอังคารที่ 20 ตุลาคม 2569 โดยตอบกลับอีเมลนี้พร้อมแนบไฟล์" in text
    assert not list(msg.iter_attachments()), "an incomplete office keeps its own file"


def test_a_missing_office_is_reminded_with_its_form(round12: Round, tmp_path: Path) -> None:
    master = make_master(tmp_path / "m.xlsx", b03_email="c@example.go.th")
    mailbox = Mailbox()
    out = tmp_path / "out"
    args = ["feedback", str(round12.result), "--master", str(master), "--out", str(out),
            "--forms", str(round12.forms)]
    with smtp_server(mailbox) as server:
        code, output = outbox(*args, "--send", "--smtp", server)
    assert code == 0, output
    assert sorted(r.to[0] for r in mailbox.received) == ["b@example.go.th", "c@example.go.th"]
    [reminder] = mailbox.to("c@example.go.th")
    assert header_text(reminder.data, "Subject") == \
        "ติดตามแบบรายงานผลการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 รอบ 12 เดือน (กองทดลอง)"
    part = attachment(reminder.message)
    assert part.get_content() == (round12.forms / "2569-R12-B03.xlsx").read_bytes()
    assert part.get_filename() == "แบบรายงานผล กองทดลอง 2569-R12-B03.xlsx"


def test_a_refused_recipient_is_reported_and_the_others_still_go(round12: Round,
                                                                 tmp_path: Path) -> None:
    master = make_master(tmp_path / "m.xlsx", b03_email="c@example.go.th")
    out = tmp_path / "out"
    mailbox = Mailbox(refuse={"b@example.go.th"})
    with smtp_server(mailbox) as server:
        args = [*forms_args(Round(master, round12.forms, round12.result), out), "--send",
                "--smtp", server]
        code, output = outbox(*args)
        assert code == 1, output
        assert "OUTBOX_SEND_FAILED" in output and "B02" in output and "550" in output
        assert sorted(r.to[0] for r in mailbox.received) == ["a@example.go.th",
                                                             "c@example.go.th"]
        mailbox.refuse.clear()           # the address is fixed at the server: B02 goes now
        code, output = outbox(*args)
        assert code == 0, output
    assert sorted(r.to[0] for r in mailbox.received) == ["a@example.go.th", "b@example.go.th",
                                                         "c@example.go.th"]
    statuses = [(e["office"], e["status"]) for e in map(
        json.loads, (out / LOG).read_text(encoding="utf-8").splitlines())]
    assert statuses == [("B01", "sent"), ("B02", "failed"), ("B03", "sent"), ("B02", "sent")]


def test_a_message_that_changed_is_sent_again(round12: Round, tmp_path: Path) -> None:
    """The same message is the same office, kind, addresses, subject, body and attachment:
    a new due date makes a new message; --resend sends the same one again."""
    mailbox = Mailbox()
    out = tmp_path / "out"
    base = ["feedback", str(round12.result), "--master", str(round12.master), "--out",
            str(out)]
    with smtp_server(mailbox) as server:
        for extra in ([], [], ["--due", "30/10/2569"], ["--due", "30/10/2569", "--resend"]):
            outbox(*base, *extra, "--send", "--smtp", server)
    assert len(mailbox.to("b@example.go.th")) == 3


def test_an_office_accepted_since_loses_its_old_message(round12: Round, tmp_path: Path) -> None:
    out = tmp_path / "out"
    base = ["feedback", "--master", str(round12.master), "--out", str(out)]
    outbox(base[0], str(round12.result), *base[1:])
    assert (out / "2569-R12-B02-feedback.eml").is_file()
    data = json.loads(round12.result.read_text(encoding="utf-8"))
    for office in data["offices"]:
        office["status"] = "accepted"
    later = tmp_path / "later.json"
    later.write_text(json.dumps(data), encoding="utf-8")
    code, output = outbox(base[0], str(later), *base[1:])
    assert code == 0, output
    assert not list(out.glob("*.eml")) and (out / "feedback.csv").is_file()



def test_who_is_told_what_by_a_result_written_by_hand(tmp_path: Path) -> None:
    """A problem สพบ. solves itself is not told (and an office with only such problems, and
    warnings, gets no message: it has nothing to send again); a file harvest could not tie to
    an office is told to the office its name names, also under the name the outbox attached
    it with; a code this engine does not know is told as the harvest worded it; a problem on
    a hidden sheet is told at its file."""
    master = make_master(tmp_path / "m.xlsx", b03_email="c@example.go.th")
    result = {"organisation": "กรมทดสอบระบบ", "fiscal_year": 2569, "round": 12, "offices": [
        {"office": "B01", "name": "สำนักพัฒนาระบบบริหาร", "status": "incomplete",
         "file": "C:\\รับ\\2569-R12-B01.xlsx"},
        {"office": "B02", "name": "กองคลัง", "status": "incomplete", "file": "2569-R12-B02.xlsx"},
        {"office": "B03", "name": "กองทดลอง", "status": "missing", "file": None}],
        "problems": [
        {"code": "RESULT_SOMETHING_NEW", "severity": "error", "file": "C:\\รับ\\2569-R12-B01.xlsx",
         "office": "B01", "sheet": "รายงานผล", "cell": "K7", "message": "ข้อความจากรุ่นใหม่"},
        {"code": "RETURN_STALE", "severity": "error", "file": "C:\\รับ\\2569-R12-B01.xlsx",
         "office": "B01", "sheet": "_meta", "cell": None, "message": "ชุดเก่า"},
        {"code": "RESULT_ORG_SCORE_MISSING", "severity": "error", "file": "2569-R12-B02.xlsx",
         "office": "B02", "sheet": None, "cell": None, "message": "คะแนนองค์กร"},
        {"code": "RESULT_NUMBER_AS_TEXT", "severity": "warning", "file": "2569-R12-B02.xlsx",
         "office": "B02", "sheet": "รายงานผล", "cell": "K8", "message": "พิมพ์เป็นข้อความ"},
        {"code": "FILE_CORRUPT", "severity": "error",
         "file": "/in/แบบรายงานผล รอบ 12 เดือน 2569-R12-B03.xlsx",
         "office": None, "sheet": None, "cell": None,
         "message": "ไฟล์ /in/แบบรายงานผล รอบ 12 เดือน 2569-R12-B03.xlsx: ไฟล์เสียหายหรือไม่สมบูรณ์ "
                    "(zip) " + Code.FILE_CORRUPT.fix},
        {"code": "OFFICE_MISSING", "severity": "error", "file": None, "office": "B03",
         "sheet": None, "cell": None, "message": "หน่วยงาน B03 ยังไม่ได้ส่งแบบรายงาน"}]}
    path = tmp_path / "by-hand.json"
    path.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    code, output = outbox("feedback", str(path), "--master", str(master), "--out", str(out))
    assert code == 0 and "OUTBOX_NOTHING_TO_ASK" in output and "B02" in output, output
    assert sorted(p.name for p in out.glob("*.eml")) == ["2569-R12-B01-feedback.eml",
                                                         "2569-R12-B03-reminder.eml"]
    b01 = body_text(message_from_bytes((out / "2569-R12-B01-feedback.eml").read_bytes(),
                                       policy=policy.default))
    assert "1. ไฟล์ 2569-R12-B01.xlsx ชีต 'รายงานผล' เซลล์ K7\n   ปัญหา: ข้อความจากรุ่นใหม่" in b01
    assert "C:" not in b01, "not สพบ.'s folders"
    assert "ไฟล์ 2569-R12-B01.xlsx\n   ปัญหา: ชุดเก่า" in b01 and "_meta" not in b01
    b03 = body_text(message_from_bytes((out / "2569-R12-B03-reminder.eml").read_bytes(),
                                       policy=policy.default))
    assert "ปัญหา: ไฟล์เสียหายหรือไม่สมบูรณ์ (zip)\n" in b03
    assert f"สิ่งที่ต้องทำ: {Code.FILE_CORRUPT.advice}" in b03
    assert "ยังไม่ได้ส่งแบบรายงาน" not in b03, "the reminder itself says it"


# -- the connection ----------------------------------------------------------------------------
def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key (PEM files)."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        missing("cryptography (a dependency of msoffcrypto-tool) is required")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def server_tls(folder: Path) -> tuple[Path, ssl.SSLContext]:
    """A self-signed certificate (:func:`self_signed`) and a server's TLS context with it."""
    cert, key = self_signed(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return cert, context


def test_starttls_is_used_when_offered_and_then_auth(round12: Round, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    cert, context = server_tls(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))       # the client trusts this server only
    mailbox = Mailbox()
    out = tmp_path / "out"
    with smtp_server(mailbox, tls_context=context, require_starttls=True,
                     authenticator=accept_login, auth_required=True) as server:
        monkeypatch.setenv(PASSWORD_ENV, "wrong")
        code, output = outbox(*forms_args(round12, out, "--send", "--smtp", server,
                                          "--smtp-user", "opdc"))
        assert code == 1 and "ไม่รับการเข้าสู่ระบบของ opdc" in output, output
        assert PASSWORD_ENV in output and "Traceback" not in output
        assert "wrong" not in output, "a password is never printed"
        assert not mailbox.received and (out / "2569-R12-B01.eml").is_file()
        monkeypatch.setenv(PASSWORD_ENV, "secret")
        code, output = outbox(*forms_args(round12, out, "--send", "--smtp", server,
                                          "--smtp-user", "opdc"))
    assert code == 1 and "ส่งแล้ว 2 ฉบับ" in output, output      # B03: no e-mail
    assert [(r.tls, r.authenticated) for r in mailbox.received] == [(True, True)] * 2



def test_tls_from_the_first_byte_on_the_implicit_tls_port(round12: Round, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """Port 465 speaks TLS at once (SMTP_SSL); here the test server's port plays 465."""
    from workbook_engine.outbox import send

    cert, context = server_tls(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    mailbox = Mailbox()
    with smtp_server(mailbox, ssl_context=context) as server:
        monkeypatch.setattr(send, "IMPLICIT_TLS_PORT", int(server.rpartition(":")[2]))
        code, output = outbox(*forms_args(round12, tmp_path / "out", "--send", "--smtp",
                                          server))
    assert code == 1 and "ส่งแล้ว 2 ฉบับ" in output, output
    assert [r.tls for r in mailbox.received] == [True, True]


def test_a_certificate_not_trusted_stops_before_anything_goes(round12: Round, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    _cert, context = server_tls(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-authorities.pem"))
    mailbox = Mailbox()
    with smtp_server(mailbox, tls_context=context, require_starttls=True) as server:
        code, output = outbox(*forms_args(round12, tmp_path / "out", "--send", "--smtp",
                                          server))
    assert code == 1 and "STARTTLS" in output and "ใบรับรอง" in output, output
    assert not mailbox.received and "Traceback" not in output


def test_auth_without_tls_goes_only_to_this_machine(round12: Round, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    mailbox = Mailbox()
    monkeypatch.setenv(PASSWORD_ENV, "secret")
    with smtp_server(mailbox, authenticator=accept_login, auth_require_tls=False) as server:
        code, output = outbox(*forms_args(round12, tmp_path / "out", "--send", "--smtp",
                                          server, "--smtp-user", "opdc"))
    assert code == 1 and "ส่งแล้ว 2 ฉบับ" in output, output
    assert [(r.tls, r.authenticated) for r in mailbox.received] == [(False, True)] * 2


def test_a_server_that_cannot_be_reached_is_a_thai_message(round12: Round,
                                                           tmp_path: Path) -> None:
    code, output = outbox(*forms_args(round12, tmp_path / "out", "--send", "--smtp",
                                      f"127.0.0.1:{free_port()}"))
    assert code == 1, output
    assert "ติดต่อเซิร์ฟเวอร์อีเมล 127.0.0.1:" in output and "ยังไม่ได้ส่ง 2 ฉบับ" in output
    assert "Traceback" not in output
    assert len(list((tmp_path / "out").glob("*.eml"))) == 2
    assert not (tmp_path / "out" / LOG).exists() or \
        '"sent"' not in (tmp_path / "out" / LOG).read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "said"), [
    (["--send"], "--smtp"), (["--smtp", "localhost"], "--send"),
    (["--send", "--smtp", "localhost", "--smtp-user", "opdc"], PASSWORD_ENV),
    (["--send", "--smtp", "localhost:smtp"], "HOST:PORT")])
def test_send_options_that_do_not_go_together(round12: Round, tmp_path: Path, args: list[str],
                                              said: str, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    code, output = outbox(*forms_args(round12, tmp_path / "out", *args))
    assert code == 2 and said in output, output
    assert not (tmp_path / "out").exists(), "nothing written"


def test_every_problem_of_a_return_says_what_the_office_does() -> None:
    """Every code harvest can give a return has the office's advice, except those สพบ. solves
    itself (and OFFICE_MISSING, which is the reminder)."""
    own = {Code.FILE_UNREADABLE, Code.FILE_LOCK_FILE_SKIPPED, Code.RETURN_SAME_FILE_TWICE,
           Code.RESULT_ORG_SCORE_MISSING, Code.OFFICE_MISSING, Code.RETURN_IS_REVIEW}
    harvested = {c for c in Code if c.name.startswith(("FILE_", "RETURN_", "RESULT_"))} | {
        Code.PROBLEMS_OMITTED, Code.OFFICE_MISSING}
    assert harvested - own == set(ADVICE)
    assert all(text and "{" not in text for text in ADVICE.values())


def test_the_demo_writes_the_rounds_outbox(tmp_path: Path) -> None:
    from workbook_engine.cli.demo import run_demo

    assert run_demo(tmp_path) == 0
    forms = sorted(p.name for p in (tmp_path / "outbox" / "forms").glob("*.eml"))
    assert len(forms) == 13 and forms[0] == "2569-R12-B01.eml"
    feedback = sorted(p.name for p in (tmp_path / "outbox" / "feedback").glob("*.eml"))
    assert feedback == ["2569-R12-B07-feedback.eml", "2569-R12-B09-feedback.eml",
                        "2569-R12-B13-reminder.eml"]       # the samples' round: see test_shipped
    reminder = message_from_bytes((tmp_path / "outbox" / "feedback" / feedback[2]).read_bytes(),
                                  policy=policy.default)
    assert attachment(reminder).get_content() == \
        (tmp_path / "forms" / "2569-R12-B13.xlsx").read_bytes()
    assert not (tmp_path / "outbox" / "forms" / LOG).exists(), "the demo sends nothing"


def test_a_log_line_cut_short_is_passed_over(tmp_path: Path) -> None:
    from workbook_engine.outbox.send import SendLog

    path = tmp_path / LOG
    path.write_text('{"key": "a", "status": "sent"}\n{"key": "b", "status": "failed"}\n'
                    '{"key": "c", "sta', encoding="utf-8")        # the machine stopped here
    log = SendLog(path)
    assert log.sent() == {"a"}
    with log:
        log.record({"key": "d", "status": "sent", "subject": "ภาษาไทย\u2028บรรทัด"})
    assert log.sent() == {"a", "d"}
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[2] == '{"key": "c", "sta' and json.loads(lines[3])["key"] == "d"
    assert len(lines) == 5 and lines[4] == ""


def test_the_running_office_is_the_bureau_of_that_name_before_a_group_of_it() -> None:
    """The contact line of every workbook and the outbox's sender: สำนักพัฒนาระบบบริหาร, even
    where a กลุ่มพัฒนาระบบบริหาร comes first; that group where no สำนัก has a coordinator."""
    from workbook_engine.forms.office_workbook import contact_line
    from workbook_engine.model import Master, Office, Settings

    group = Office("G1", "กลุ่มพัฒนาระบบบริหาร", "", "", "นางกลุ่ม", "g@example.go.th")
    bureau = Office("B2", "สำนักพัฒนาระบบบริหาร", "", "", "นายสำนัก", "b@example.go.th")
    master = Master(Settings("กรมทดสอบ", 2569, "นายผู้รับ", "อธิบดี"),
                    offices={"G1": group, "B2": bureau})
    assert master.running_office() is bureau
    assert contact_line(master) == "นายสำนัก สำนักพัฒนาระบบบริหาร b@example.go.th"
    master.offices["B2"] = Office("B2", bureau.name, "", "", "", "")
    assert master.running_office() is group
    assert Master(master.settings).running_office() is None
    assert contact_line(Master(master.settings)) == "สำนักพัฒนาระบบบริหาร"


def test_a_due_date_already_past_is_said(round12: Round, tmp_path: Path) -> None:
    """Letters that would ask for a day gone by are written, with a warning that names the
    day and today; a day to come, or today, is not told."""
    on = dt.date(2026, 12, 4)
    [told] = past_due(dt.date(2026, 10, 15), on)
    assert told.code == "OUTBOX_DUE_PAST" and told.severity is Severity.WARNING
    assert "วันพฤหัสบดีที่ 15 ตุลาคม 2569" in told.message
    assert "วันศุกร์ที่ 4 ธันวาคม 2569" in told.message
    assert past_due(on, on) == [] and past_due(None, on) == []
    ahead = today() + dt.timedelta(days=30)
    _code, output = outbox(*forms_args(round12, tmp_path / "ahead", "--due", ahead.isoformat()))
    assert "OUTBOX_DUE_PAST" not in output, output
    _code, output = outbox(*forms_args(round12, tmp_path / "gone", "--due", "2569-01-15"))
    assert "OUTBOX_DUE_PAST" in output and list((tmp_path / "gone").glob("*.eml")), output
    feedback = ["feedback", str(round12.result), "--master", str(round12.master), "--out"]
    _code, output = outbox(*feedback, str(tmp_path / "fed"), "--due", ahead.isoformat())
    assert "OUTBOX_DUE_PAST" not in output, output
    _code, output = outbox(*feedback, str(tmp_path / "late"), "--due", "2569-01-15")
    assert "OUTBOX_DUE_PAST" in output and list((tmp_path / "late").glob("*.eml")), output
