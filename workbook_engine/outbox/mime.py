"""A :class:`~workbook_engine.outbox.letter.Letter` as a MIME message (the standard library's
``email``), the bytes of its ``.eml`` file and of what is sent.

The text is UTF-8 in base64 (a message in 7-bit ASCII passes every server); the subject and the
coordinator's name are RFC 2047 encoded words; the workbook is attached with its Office content
type and its Thai file name twice, as mail programs write it: RFC 2231 ``filename*`` in
``Content-Disposition`` (Python's own), and an RFC 2047 ``name="=?utf-8?b?...?="`` in
``Content-Type`` for older programs (Outlook before 2010 reads only that one).

Python's ``email`` folds a ``Content-Type`` with a non-ASCII ``name`` so that the media type
itself becomes an encoded word (``application/=?utf-8?q?vnd=2Eopenxml...?=``), which no program
reads back; :class:`OutboxPolicy` writes that one header itself and leaves every other to
Python. ``tests/test_outbox.py`` parses the bytes back to check both names and the type.
"""

from __future__ import annotations

import base64
import datetime as dt
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, make_msgid
from typing import Any

from .letter import XLSX_TYPE, Letter

WORD_BYTES = 45            # UTF-8 bytes in one encoded word: 60 base64 characters, 72 in all
KEY_HEADER = "X-Workbook-Engine-Key"       # the letter's key (see letter.py), for the log


def encoded_words(text: str) -> list[str]:
    """``text`` as RFC 2047 base64 encoded words, each whole characters of at most
    :data:`WORD_BYTES` UTF-8 bytes (an encoded word never splits a character)."""
    words, piece = [], ""
    for char in text:
        if len((piece + char).encode("utf-8")) > WORD_BYTES:
            words.append(piece)
            piece = ""
        piece += char
    words.append(piece)
    return [f"=?utf-8?b?{base64.b64encode(w.encode('utf-8')).decode('ascii')}?=" for w in words]


class OutboxPolicy(EmailPolicy):
    """``email.policy.SMTP``, except that a ``Content-Type`` with a non-ASCII parameter is
    written here: the media type as it is, each such parameter as encoded words in quotes."""

    def fold(self, name: str, value: Any) -> str:
        """The header as text (see the class)."""
        return self._content_type(name, value) or super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        """The header as bytes (see the class)."""
        folded = self._content_type(name, value)
        return folded.encode("ascii") if folded else super().fold_binary(name, value)

    def _content_type(self, name: str, value: Any) -> str | None:
        params = getattr(value, "params", None)
        if name.lower() != "content-type" or not params or all(
                v.isascii() for v in params.values()):
            return None
        pieces = [f"{name}: {value.content_type}"]
        for key, text in params.items():
            quoted = (f"{self.linesep} ".join(encoded_words(text)) if not text.isascii()
                      else text.replace("\\", "\\\\").replace('"', '\\"'))
            pieces.append(f'{key}="{quoted}"')
        return f";{self.linesep} ".join(pieces) + self.linesep


POLICY = OutboxPolicy(linesep="\r\n")


def mime_message(letter: Letter, sender: Address, when: dt.datetime) -> EmailMessage:
    """The letter as a message from ``sender``, dated ``when``."""
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = letter.subject
    msg["From"] = sender
    first, *others = letter.recipient.addresses      # the coordinator's name on the first
    msg["To"] = [Address(letter.recipient.office.coordinator, addr_spec=first),
                 *(Address(addr_spec=a) for a in others)]
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = make_msgid(domain=sender.domain or None)
    msg[KEY_HEADER] = letter.key
    msg.set_content(letter.body, cte="base64")
    attached = letter.attachment
    if attached is not None:
        maintype, subtype = XLSX_TYPE
        msg.add_attachment(attached.data(), maintype, subtype, filename=attached.name,
                           params={"name": attached.name})
    return msg


def eml_bytes(msg: EmailMessage) -> bytes:
    """The message as an ``.eml`` file holds it and as it is sent (CRLF line ends)."""
    return msg.as_bytes(policy=POLICY)
