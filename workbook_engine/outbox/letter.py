"""One e-mail to one office, before it is a MIME message: :class:`Letter`, and what every
letter of a run shares (:class:`Signature`).

A letter's :attr:`~Letter.key` is what "the same message" means to the send log: the kind, the
office, the addresses, the subject, the body and the attachment's name and SHA-256; not the
sender, the date or the Message-ID, which change at every run.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from .due import due_words
from .recipients import Recipient

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')   # not in a Windows file name
NAME_LIMIT = 60        # characters of an office's name in an attachment's name


class LetterKind(StrEnum):
    """What a letter is for (the send log's ``kind``)."""

    FORM = "form"              # a round's office workbook to fill
    PROPOSAL = "proposal"      # a proposal workbook of the negotiation round
    FEEDBACK = "feedback"      # what to fix in a return that was not accepted
    REMINDER = "reminder"      # no return yet


@dataclass(frozen=True)
class Attachment:
    """A workbook attached: the name a mail program shows, the file it is read from when its
    message is made (a run of 20,000 offices holds no workbook in memory) and the SHA-256 that
    file had when it was checked."""

    name: str
    source: str
    sha256: str

    def data(self) -> bytes:
        """The file's bytes.

        Raises:
            OSError: when it cannot be read, or no longer has :attr:`sha256`.
        """
        data = Path(self.source).read_bytes()
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise OSError(f"ไฟล์ {self.source} ถูกแก้ไขระหว่างที่เขียนอีเมล")
        return data


def attachment_name(label: str, office_name: str, file: str) -> str:
    """``แบบรายงานผล กองคลัง 2569-R12-B03.xlsx``: Thai first (so that the harvest does not take
    the name for another office's), without characters a Windows file name cannot hold."""
    name = " ".join(_UNSAFE_IN_NAME.sub(" ", office_name).split())[:NAME_LIMIT].strip()
    return " ".join(part for part in (label, name, file) if part)


@dataclass(frozen=True)
class Letter:
    """One e-mail to one office: its wording, recipient and attachment, and the ``.eml`` file
    name it is written under in the outbox."""

    kind: LetterKind
    recipient: Recipient
    subject: str
    body: str
    eml: str
    attachment: Attachment | None = None

    @property
    def office(self) -> str:
        """The office's code."""
        return self.recipient.office.code

    @functools.cached_property
    def key(self) -> str:
        """SHA-256 of what makes this message the same message (see the module)."""
        attached = self.attachment
        content = {"kind": self.kind.value, "office": self.office,
                   "to": sorted(a.lower() for a in self.recipient.addresses),
                   "subject": self.subject, "body": self.body,
                   "attachment": None if attached is None else [attached.name, attached.sha256]}
        text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Signature:
    """What every letter of a run shares: who writes, whom to ask, and by when."""

    organisation: str
    contact: str
    due: dt.date | None = None

    def by_when(self) -> str:
        """``ภายในวันพฤหัสบดีที่ 15 ตุลาคม 2569``, or ``โดยเร็ว`` without a due date."""
        return f"ภายใน{due_words(self.due)}" if self.due else "โดยเร็ว"

    def closing(self) -> list[str]:
        """The lines that end every letter: whom to ask, and the sender."""
        return ["", f"สอบถามได้ที่: {self.contact}", "", self.organisation,
                "(อีเมลนี้เขียนโดยโปรแกรม workbook-engine ตอบกลับอีเมลนี้เพื่อติดต่อผู้ส่งได้)"]


def eml_name(*parts: str) -> str:
    """A ``.eml`` file name from ``parts`` joined by ``-`` (characters a file name cannot hold
    become ``_``)."""
    return _UNSAFE_IN_NAME.sub("_", "-".join(parts)) + ".eml"
