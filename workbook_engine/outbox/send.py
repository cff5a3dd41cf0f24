"""Sending the outbox through an SMTP server, and the send log that keeps a message from going
twice (CONTRACT section 9).

The connection: SMTP on the port given (587 by default), STARTTLS when the server offers it
(the server's certificate checked against the system's authorities, or ``SSL_CERT_FILE``), or
TLS from the start on port 465; AUTH only over TLS (or to this machine itself), with the
password from :data:`PASSWORD_ENV`, never from the command line.

The send log (:data:`LOG`, JSON lines in the outbox folder) gets one line per message tried,
appended and flushed to disk at once: its time, office, kind, addresses, subject, ``.eml``,
key, server, and ``sent`` or ``failed`` with the server's answer. A message whose key (see
:mod:`~workbook_engine.outbox.letter`) has a ``sent`` line is not sent again; a changed
message (another attachment, problem list, due date or address) is a new one and goes. A
message the server took but whose line was not written (the machine stopped in between) may go
twice; none is lost.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from ..errors import PROBLEMS_FOUND, WorkbookEngineError
from ..harvesting.run import json_line
from ..problems import Code, Problem, one_line, problem
from .write import Written

PASSWORD_ENV = "WORKBOOK_ENGINE_SMTP_PASSWORD"
LOG = "send-log.jsonl"
DEFAULT_PORT = 587           # message submission, with STARTTLS
IMPLICIT_TLS_PORT = 465      # TLS from the first byte
TIMEOUT = 60.0               # seconds to wait for the server at each step
AUTH_MECHANISMS = ("PLAIN", "LOGIN", "CRAM-MD5")      # in the order they are chosen


class SendError(WorkbookEngineError, OSError):
    """The server cannot be used at all (not reached, TLS or login refused); the ``.eml``
    files are written, so the exit code is 1, not 2."""

    exit_code = PROBLEMS_FOUND


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to send: host, port and, for AUTH, the user and password."""

    host: str
    port: int = DEFAULT_PORT
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = TIMEOUT

    @classmethod
    def parse(cls, text: str, user: str | None = None,
              password: str | None = None) -> SmtpServer:
        """``HOST``, ``HOST:PORT`` or ``[IPv6]:PORT``.

        Raises:
            ValueError: (Thai) for a text that is not one of these.
        """
        host, port = text.strip(), str(DEFAULT_PORT)
        if host.startswith("[") and "]" in host:
            host, _, rest = host[1:].partition("]")
            port = rest.removeprefix(":") or port
        elif host.count(":") == 1:
            host, _, port = host.partition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"'{text}' ไม่ใช่เซิร์ฟเวอร์อีเมลแบบ HOST หรือ HOST:PORT "
                             "เช่น smtp.example.go.th:587")
        return cls(host, int(port), user, password)

    @property
    def label(self) -> str:
        """``host:port`` as messages name the server."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def local(self) -> bool:
        """Whether the server is this machine itself (``localhost`` or a loopback address)."""
        if self.host.lower() == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


def reason(exc: BaseException) -> str:
    """A short Thai or server reason for a failure, on one line."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        text = "; ".join(f"{a}: {_answer(c, m)}" for a, (c, m) in exc.recipients.items())
    elif isinstance(exc, smtplib.SMTPResponseException):
        text = _answer(exc.smtp_code, exc.smtp_error)
    elif isinstance(exc, ssl.SSLCertVerificationError):
        text = f"ใบรับรองของเซิร์ฟเวอร์ใช้ไม่ได้: {exc.verify_message}"
    elif isinstance(exc, socket.gaierror):
        text = "ไม่พบชื่อเครื่องนี้"
    elif isinstance(exc, ConnectionRefusedError):
        text = "เครื่องปลายทางไม่รับการเชื่อมต่อที่พอร์ตนี้"
    elif isinstance(exc, TimeoutError):
        text = "รอคำตอบจากเซิร์ฟเวอร์นานเกินไป"
    elif isinstance(exc, smtplib.SMTPServerDisconnected):
        text = "เซิร์ฟเวอร์ตัดการเชื่อมต่อ"
    else:
        text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return one_line(str(text))


def _answer(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {text}"


def open_smtp(server: SmtpServer) -> smtplib.SMTP:
    """A connection to ``server``, encrypted when it can be, logged in when a user is given.

    Raises:
        SendError: (Thai) when the server cannot be reached, TLS fails, or the login is refused
            or would go unencrypted to another machine.
    """
    context = ssl.create_default_context()
    step = f"ติดต่อเซิร์ฟเวอร์อีเมล {server.label} ไม่ได้"
    smtp: smtplib.SMTP | None = None
    try:
        if server.port == IMPLICIT_TLS_PORT:
            smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout,
                                    context=context)
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
        smtp.ehlo_or_helo_if_needed()
        encrypted = server.port == IMPLICIT_TLS_PORT
        if not encrypted and smtp.has_extn("starttls"):
            step = f"เริ่มการเข้ารหัส (STARTTLS) กับเซิร์ฟเวอร์อีเมล {server.label} ไม่สำเร็จ"
            smtp.starttls(context=context)
            smtp.ehlo()
            encrypted = True
        if server.user is not None:
            _login(smtp, server, encrypted)
        return smtp
    except SendError:
        _quietly_close(smtp)
        raise
    except (OSError, smtplib.SMTPException) as exc:
        _quietly_close(smtp)
        raise SendError(f"{step} ({reason(exc)})") from exc


def _login(smtp: smtplib.SMTP, server: SmtpServer, encrypted: bool) -> None:
    """AUTH as ``server.user``, only over TLS or to this machine, with the first mechanism of
    :data:`AUTH_MECHANISMS` the server offers, once (``smtplib``'s ``login`` tries the next
    one after a refusal, which some servers never answer).

    Raises:
        SendError: when it would go unencrypted, or the server refuses it.
    """
    if not encrypted and not server.local:
        raise SendError(f"เซิร์ฟเวอร์อีเมล {server.label} ไม่มีการเข้ารหัส (ไม่รองรับ STARTTLS) "
                        "จึงไม่ส่งชื่อผู้ใช้และรหัสผ่านไปโดยไม่เข้ารหัส ใช้พอร์ตที่เข้ารหัส "
                        f"(587 ที่รองรับ STARTTLS หรือ {IMPLICIT_TLS_PORT})")
    offered = smtp.esmtp_features.get("auth", "").upper().split()
    mechanism = next((m for m in AUTH_MECHANISMS if m in offered), None)
    if mechanism is None:
        raise SendError(f"เซิร์ฟเวอร์อีเมล {server.label} ไม่รองรับการเข้าสู่ระบบ (AUTH) แบบที่ใช้ได้ "
                        f"({' '.join(AUTH_MECHANISMS)}) ตรวจชื่อเซิร์ฟเวอร์และพอร์ต หรือส่งโดยไม่ใช้ "
                        "--smtp-user")
    smtp.user, smtp.password = server.user or "", server.password or ""   # what auth_* read
    try:
        smtp.auth(mechanism, getattr(smtp, "auth_" + mechanism.lower().replace("-", "_")))
    except smtplib.SMTPException as exc:
        raise SendError(f"เซิร์ฟเวอร์อีเมล {server.label} ไม่รับการเข้าสู่ระบบของ {server.user} "
                        f"({reason(exc)}) ตรวจ --smtp-user และรหัสผ่านในตัวแปร "
                        f"{PASSWORD_ENV}") from exc


def _quietly_close(smtp: smtplib.SMTP | None) -> None:
    """Close a connection that is being given up, whatever state it is in."""
    if smtp is None:
        return
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


class Connection:
    """One connection for a run's messages, opened at the first and again after a break."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.reset()

    def reset(self) -> None:
        """Give the connection up; the next message opens a new one."""
        _quietly_close(self.smtp)
        self.smtp = None

    def send(self, sender: str, to: list[str], data: bytes) -> dict[str, tuple[int, bytes]]:
        """Send ``data`` from ``sender`` to ``to``; the addresses refused (the others got it).

        Raises:
            SendError: when the connection cannot be (re)opened.
            smtplib.SMTPException, OSError: when this message fails.
        """
        if self.smtp is None or self.smtp.sock is None:
            self.smtp = open_smtp(self.server)
        return self.smtp.sendmail(sender, to, data)


class SendLog:
    """The outbox's send log: keys already sent, and a line appended per message tried."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._out: IO[str] | None = None

    def sent(self) -> set[str]:
        """The keys of the messages the log shows as sent (a line that cannot be read, such as
        one cut short when the machine stopped, is passed over)."""
        keys = set()
        try:
            with self.path.open(encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(entry, dict) and entry.get("status") == "sent":
                        keys.add(str(entry.get("key")))
        except FileNotFoundError:
            pass
        return keys

    def __enter__(self) -> SendLog:
        self._out = self.path.open("a", encoding="utf-8")
        cut = self._out.tell() > 0 and _last_byte(self.path) != b"\n"
        if cut:                     # a last line cut short: the next one starts on its own
            self._out.write("\n")
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None

    def record(self, entry: dict[str, Any]) -> None:
        """Append one line and put it on disk before the next message goes."""
        assert self._out is not None, "record() inside `with log:`"
        self._out.write(json_line(entry) + "\n")
        self._out.flush()
        os.fsync(self._out.fileno())


def _last_byte(path: Path) -> bytes:
    with path.open("rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1)


@dataclass
class SendReport:
    """What a send run did."""

    log: Path
    sent: int = 0
    skipped: int = 0          # already sent by an earlier run (the log)
    failed: int = 0
    not_tried: int = 0        # left when the connection could not be opened again
    problems: list[Problem] = field(default_factory=list)
    stopped: SendError | None = None


def send_all(written: list[Written], folder: Path, server: SmtpServer, sender: str,
             resend: bool = False, progress: Callable[[int], None] | None = None
             ) -> SendReport:
    """Send every written message the send log does not show as sent (every one with
    ``resend``); a failed message is noted and the others still go.

    Args:
        written: the messages of the run, as written into ``folder``.
        folder: the outbox folder (where the send log is).
        server: the SMTP server.
        sender: the envelope sender's address.
        resend: send even what the log shows as sent.
        progress: called with the number of messages dealt with so far (those sent before
            first).

    Returns:
        The counts and problems; ``stopped`` when the server could not be used at all (the
        messages not tried then are counted in ``not_tried``).
    """
    log = SendLog(folder / LOG)
    done = set() if resend else log.sent()
    pending = [w for w in written if w.letter.key not in done]
    report = SendReport(log.path, skipped=len(written) - len(pending))
    if progress is not None and report.skipped:
        progress(report.skipped)
    with log, Connection(server) as connection:
        for number, w in enumerate(pending, start=1):
            try:
                entry, found = _send_one(connection, w, sender)
            except SendError as exc:
                report.stopped, report.not_tried = exc, len(pending) - number + 1
                break
            log.record({**entry, "server": server.label})
            report.problems += found
            if entry["status"] == "sent":
                report.sent += 1
            else:
                report.failed += 1
            if progress is not None:
                progress(report.skipped + number)
    return report


def _send_one(connection: Connection, w: Written, sender: str
              ) -> tuple[dict[str, Any], list[Problem]]:
    """Send one message: its log entry, and its problems.

    Raises:
        SendError: when the connection cannot be (re)opened.
    """
    letter, to = w.letter, list(w.letter.recipient.addresses)
    entry: dict[str, Any] = {
        "time": dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
        "office": letter.office, "kind": letter.kind.value, "to": to,
        "subject": letter.subject, "eml": w.path.name, "key": letter.key,
        "attachment_sha256": letter.attachment.sha256 if letter.attachment else None}
    try:
        data = w.path.read_bytes()
    except OSError as exc:
        return _failed(entry, w, reason(exc))
    try:
        refused = connection.send(sender, to, data)
    except SendError:
        raise
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
        return _failed(entry, w, reason(exc))
    except OSError as exc:                   # the connection broke: a new one for the next
        connection.reset()
        return _failed(entry, w, reason(exc))
    entry.update(status="sent", error=None, refused=sorted(refused))
    found = [] if not refused else [problem(
        Code.OUTBOX_RECIPIENT_REFUSED, file=w.path.name, office=letter.office,
        refused=", ".join(sorted(refused)))]
    return entry, found


def _failed(entry: dict[str, Any], w: Written, why: str) -> tuple[dict[str, Any], list[Problem]]:
    entry.update(status="failed", error=why, refused=[])
    return entry, [problem(Code.OUTBOX_SEND_FAILED, file=w.path.name, office=w.letter.office,
                           to=", ".join(w.letter.recipient.addresses), error=why)]
