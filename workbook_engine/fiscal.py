"""Fiscal years and reporting rounds in the Buddhist Era (DOMAIN.md glossary)."""

from __future__ import annotations

import datetime as dt

BE_OFFSET = 543
FISCAL_YEARS = range(2500, 2700)     # the Buddhist-Era fiscal years a master may have
THAI_MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม",
               "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
THAI_MONTHS_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.",
                     "ต.ค.", "พ.ย.", "ธ.ค.")
# Excel shows an ordinary date serial in the Thai Buddhist calendar with this number format.
BE_DATE_FORMAT = "[$-107041E]d mmmm yyyy"  # Thai locale, Buddhist calendar, Western digits
BE_DATE_TIME_FORMAT = "[$-107041E]d mmm yyyy hh:mm"
REPORT_DAYS_AFTER_ROUND = 15
BANGKOK = dt.timezone(dt.timedelta(hours=7))     # Thai time: no daylight saving


def today() -> dt.date:
    """Today's date in Thailand."""
    return dt.datetime.now(BANGKOK).date()


def fiscal_year_start(fiscal_year: int) -> dt.date:
    """1 October of the year before: FY 2569 starts on 1 Oct 2568 BE (2025 CE)."""
    return dt.date(fiscal_year - BE_OFFSET - 1, 10, 1)


def round_end(fiscal_year: int, months: int) -> dt.date:
    """The last day of a reporting round of ``months`` (6, 9 or 12) months."""
    start = fiscal_year_start(fiscal_year)
    month = start.month + months  # the month after the round
    year = start.year + (month - 1) // 12
    first_after = dt.date(year, (month - 1) % 12 + 1, 1)
    return first_after - dt.timedelta(days=1)


def report_due(fiscal_year: int, months: int) -> dt.date:
    """When the round's report is due: fifteen days after the round ends."""
    return round_end(fiscal_year, months) + dt.timedelta(days=REPORT_DAYS_AFTER_ROUND)


def thai_date(day: dt.date, short: bool = False) -> str:
    """``1 ตุลาคม 2568`` (or ``1 ต.ค. 2568``)."""
    months = THAI_MONTHS_SHORT if short else THAI_MONTHS
    return f"{day.day} {months[day.month - 1]} {day.year + BE_OFFSET}"


def round_label(fiscal_year: int, months: int) -> str:
    """``รอบ 12 เดือน (1 ต.ค. 2568 - 30 ก.ย. 2569)``."""
    start, end = fiscal_year_start(fiscal_year), round_end(fiscal_year, months)
    return f"รอบ {months} เดือน ({thai_date(start, True)} - {thai_date(end, True)})"
