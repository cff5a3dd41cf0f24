"""The due date an e-mail gives: read from what สพบ. types (``--due``), told in the Buddhist Era.

Accepted (Thai digits too): ``2569-10-15`` or ``2026-10-15`` (ISO, the year BE or CE, told apart
by its size), ``15/10/2569`` (day/month/BE year, as Thai offices write dates) and
``15 ตุลาคม 2569`` (a Thai month name, full or short). Anything else is refused with a Thai
message rather than guessed: ``15/10/69``, ``10-15-2569``, ``15/10/2026``.
"""

from __future__ import annotations

import datetime as dt
import re

from ..fiscal import BE_OFFSET, FISCAL_YEARS, THAI_MONTHS, THAI_MONTHS_SHORT, thai_date, today
from ..problems import Code, Problem, problem

BE_YEARS = FISCAL_YEARS
CE_YEARS = range(BE_YEARS.start - BE_OFFSET, BE_YEARS.stop - BE_OFFSET)
WEEKDAYS = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์")
EXAMPLES = "15/10/2569 (วัน/เดือน/ปี พ.ศ.) หรือ 2569-10-15 หรือ 2026-10-15"

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_NAMED = re.compile(r"(\d{1,2})\s*(\D+?)\s*(?:พ\.ศ\.)?\s*(\d{4})")
_MONTHS = {name: number for names in (THAI_MONTHS, THAI_MONTHS_SHORT)
           for number, name in enumerate(names, start=1)}


class DueDateError(ValueError):
    """A due date that cannot be read without guessing; the message is Thai."""


def parse_due(text: str) -> dt.date:
    """The date ``text`` gives (see the module's formats).

    Raises:
        DueDateError: for a text in no accepted format, a year neither a plausible BE nor CE
            one, or a day the calendar does not have.
    """
    typed = " ".join(text.split())
    if match := _ISO.fullmatch(typed):
        year, month, day = (int(g) for g in match.groups())
        return _date(_ce_year(year, typed), month, day, typed)
    if match := _SLASHED.fullmatch(typed):
        day, month, year = (int(g) for g in match.groups())
        return _date(_be_year(year, typed) - BE_OFFSET, month, day, typed)
    if (match := _NAMED.fullmatch(typed)) and match.group(2) in _MONTHS:
        day, year = int(match.group(1)), int(match.group(3))
        return _date(_be_year(year, typed) - BE_OFFSET, _MONTHS[match.group(2)], day, typed)
    raise DueDateError(f"อ่านวันที่กำหนดส่ง '{typed}' ไม่ได้ ใช้รูปแบบ {EXAMPLES}")


def _ce_year(year: int, typed: str) -> int:
    """An ISO date's year as CE: a BE year is told by its size."""
    if year in BE_YEARS:
        return year - BE_OFFSET
    if year in CE_YEARS:
        return year
    raise DueDateError(f"ปี {year} ในวันที่กำหนดส่ง '{typed}' ไม่ชัดเจนว่าเป็น พ.ศ. หรือ ค.ศ. "
                       f"ใช้รูปแบบ {EXAMPLES}")


def _be_year(year: int, typed: str) -> int:
    """A day/month/year date's year, which must be BE."""
    if year not in BE_YEARS:
        raise DueDateError(f"ปีในวันที่กำหนดส่ง '{typed}' ต้องเป็นปี พ.ศ. "
                           f"({BE_YEARS.start}-{BE_YEARS.stop - 1}) เช่น 15/10/2569")
    return year


def _date(year: int, month: int, day: int, typed: str) -> dt.date:
    """The date, or the Thai refusal of a day the calendar does not have."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DueDateError(f"ไม่มีวันที่ '{typed}' ในปฏิทิน (วัน {day} เดือน {month}) "
                           f"ใช้รูปแบบ {EXAMPLES}") from None


def due_words(day: dt.date) -> str:
    """``วันพฤหัสบดีที่ 15 ตุลาคม 2569``: a due date as an e-mail tells it."""
    return f"วัน{WEEKDAYS[day.weekday()]}ที่ {thai_date(day)}"


def past_due(due: dt.date | None, on: dt.date | None = None) -> list[Problem]:
    """OUTBOX_DUE_PAST when letters written ``on`` (default: today in Thailand) would ask for
    a day already gone."""
    on = on or today()
    if due is None or due >= on:
        return []
    return [problem(Code.OUTBOX_DUE_PAST, due=due_words(due), today=due_words(on))]
