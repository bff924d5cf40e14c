"""Holidays and well-known days, with British Columbia's dates.

"I had botox on Remembrance Day", "booked for Boxing Day": the day is found
for the year the sentence's tense points to (the last one for a treatment
done, the next one for a booking), or the year named ("last year").
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Dict, Tuple

from clinic.dates.resolvers import FUTURE, PAST, Resolver


def easter_sunday(year: int) -> dt.date:
    """Western Easter (the Meeus/Jones/Butcher algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_fix = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_fix) // 451
    month, day = divmod(h + weekday_fix - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def nth_monday(year: int, month: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(7 - first.weekday()) % 7 + 7 * (n - 1))


def _victoria_day(year: int) -> dt.date:
    """The last Monday before May 25."""
    may_24 = dt.date(year, 5, 24)
    return may_24 - dt.timedelta(days=may_24.weekday())


HOLIDAYS: Dict[str, Callable[[int], dt.date]] = {
    "new_years_day": lambda y: dt.date(y, 1, 1),
    "family_day": lambda y: nth_monday(y, 2, 3),  # BC: third Monday of February
    "valentines_day": lambda y: dt.date(y, 2, 14),
    "good_friday": lambda y: easter_sunday(y) - dt.timedelta(days=2),
    "easter_sunday": easter_sunday,
    "easter_monday": lambda y: easter_sunday(y) + dt.timedelta(days=1),
    "victoria_day": _victoria_day,
    "canada_day": lambda y: dt.date(y, 7, 1),
    "bc_day": lambda y: nth_monday(y, 8, 1),
    "labour_day": lambda y: nth_monday(y, 9, 1),
    "thanksgiving": lambda y: nth_monday(y, 10, 2),  # Canadian: second Monday of October
    "halloween": lambda y: dt.date(y, 10, 31),
    "remembrance_day": lambda y: dt.date(y, 11, 11),
    "truth_and_reconciliation_day": lambda y: dt.date(y, 9, 30),  # a BC statutory holiday since 2023
    "christmas_eve": lambda y: dt.date(y, 12, 24),
    "christmas_day": lambda y: dt.date(y, 12, 25),
    "boxing_day": lambda y: dt.date(y, 12, 26),
    "new_years_eve": lambda y: dt.date(y, 12, 31),
}

# How patients write them (lowercase; apostrophes optional).
HOLIDAY_PATTERNS: Dict[str, str] = {
    "new_years_eve": r"new\s*year'?s'?\s+eve|nye",
    "new_years_day": r"new\s*year'?s'?(?:\s+day)?",
    "family_day": r"family\s+day",
    "valentines_day": r"(?:st\.?\s+)?valentine'?s'?(?:\s+da?y)?",
    "good_friday": r"good\s+friday",
    "easter_monday": r"easter\s+monday",
    "easter_sunday": r"easter(?:\s+sunday)?",
    "victoria_day": r"victoria\s+day|may\s+long(?:\s+weekend)?",
    "canada_day": r"canada\s+day",
    "bc_day": r"b\.?\s*c\.?\s+day|british\s+columbia\s+day",
    "labour_day": r"labou?r\s+day",
    "thanksgiving": r"(?:canadian\s+)?thanksgiving(?:\s+(?:day|monday))?",
    "halloween": r"hall?owe'?en",
    "remembrance_day": r"remembrance\s+day",
    "truth_and_reconciliation_day": r"(?:national\s+day\s+for\s+)?truth\s+(?:and|&)\s+reconciliation(?:\s+day)?"
                                    r"|orange\s+shirt\s+day",
    "christmas_eve": r"(?:christmas|xmas)\s+eve",
    "christmas_day": r"(?:christmas|xmas)(?:\s+day)?",
    "boxing_day": r"boxing\s+day",
}


def holiday_resolver(name: str, year_offset: int | None, shift_days: int = 0,
                     weekday_step: Tuple[int, int] | None = None, weekday_near: int | None = None) -> Resolver:
    """The holiday in the year named (`year_offset` from today's), else the
    last one (a treatment done) or the next one (a booking); then shifted
    ("the day after Christmas"), moved to a weekday before or after it
    (`weekday_step` = (weekday, -1 or 1): "the friday before Halloween"), or
    to the weekday of its own weekend (`weekday_near`: "the saturday of
    thanksgiving weekend", the one within three days of it)."""
    holiday = HOLIDAYS[name]

    def day_of(year: int) -> dt.date:
        when = holiday(year) + dt.timedelta(days=shift_days)
        if weekday_near is not None:
            ahead = (weekday_near - when.weekday()) % 7
            when += dt.timedelta(days=ahead if ahead <= 3 else ahead - 7)
        if weekday_step is not None:
            weekday, step = weekday_step
            when += dt.timedelta(days=step)
            while when.weekday() != weekday:
                when += dt.timedelta(days=step)
        return when

    def resolve(direction: str, today: dt.date) -> dt.date:
        if year_offset is not None:
            return day_of(today.year + year_offset)
        when = day_of(today.year)
        if direction == PAST and when > today:
            when = day_of(today.year - 1)
        elif direction == FUTURE and when < today:
            when = day_of(today.year + 1)
        return when

    return resolve
