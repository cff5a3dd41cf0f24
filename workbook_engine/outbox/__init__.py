"""The outbox: e-mail to the offices' coordinators (CONTRACT section 9, docs/outbox.md).

The pipeline, one module a stage: :mod:`.inputs` reads a forms folder or a harvest result;
:mod:`.recipients` finds each office's coordinator and address in the master; :mod:`.forms`
and :mod:`.feedback` word a :class:`~.letter.Letter` per office (:mod:`.due` reads and tells
the due date); :mod:`.mime` makes it a MIME message; :mod:`.write` writes the ``.eml`` files
and the run's index; :mod:`.send` sends them through SMTP and keeps the send log.
"""

from __future__ import annotations

from .due import DueDateError, parse_due
from .feedback import feedback_letters
from .forms import form_letters
from .inputs import (
    FormsFolder,
    HarvestResult,
    OutboxInputError,
    read_forms_folder,
    read_harvest_result,
)
from .letter import Attachment, Letter, LetterKind, Signature
from .send import LOG, PASSWORD_ENV, SendError, SendReport, SmtpServer, send_all
from .write import Written, write_outbox

__all__ = [
    "LOG",
    "PASSWORD_ENV",
    "Attachment",
    "DueDateError",
    "FormsFolder",
    "HarvestResult",
    "Letter",
    "LetterKind",
    "OutboxInputError",
    "SendError",
    "SendReport",
    "Signature",
    "SmtpServer",
    "Written",
    "feedback_letters",
    "form_letters",
    "parse_due",
    "read_forms_folder",
    "read_harvest_result",
    "send_all",
    "write_outbox",
]
