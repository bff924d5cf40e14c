"""Turning a recognised date phrase into a date: resolvers and refusals.

A resolver takes a direction ("past" or "future", from the sentence's tense)
and today's date and returns the date, or raises DateRefusal. A refusal
carries a code and the name of the clinic's answer that explains it: the
wording lives in clinic/answers.yml.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Callable

from clinic.words import MONTH_NAMES

PAST, FUTURE, UNKNOWN = "past", "future", "unknown"


class DateRefusal(Exception):
    """Why a date can't be used. `code` is the kind (no_date, impossible_date,
    too_far_future, too_far_past); `answer` names the clinic's sentence that
    explains it (clinic/answers.yml), filled with `values`."""

    def __init__(self, code: str, answer: str, **values: object) -> None:
        super().__init__(answer)
        self.code = code
        self.answer = answer
        self.values = values

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateRefusal) and (self.code, self.answer, self.values) == (
            other.code, other.answer, other.values)

    def __hash__(self) -> int:
        return hash((self.code, self.answer))


class TwoDates(Exception):
    """A careful reader could take the phrase two ways ("next friday" said on
    a Wednesday): the patient is asked which, never one picked silently."""

    def __init__(self, first: dt.date, second: dt.date) -> None:
        super().__init__(f"{first} or {second}")
        self.choices = (first, second)


def no_such_day(day: int) -> DateRefusal:
    return DateRefusal("impossible_date", "date_no_such_day", day=ordinal_suffix(day))


def not_a_real_date(month: int, day: int) -> DateRefusal:
    return DateRefusal("impossible_date", "date_not_real", date=f"{MONTH_NAMES[month]} {day}")


# A resolver turns a direction ("past" / "future") into a date, or refuses.
Resolver = Callable[[str, dt.date], dt.date]


@dataclass
class Candidate:
    start: int
    end: int
    resolve: Resolver | None  # None for vague or impossible spans
    cue: str | None = None  # tense the words themselves carry
    ambiguous: bool = False  # needs the sentence's tense to choose
    refusal: DateRefusal | None = None
    vague: bool = False
    is_calendar_date: bool = False  # "nov 3", "11/3", "the 3rd": may follow a weekday
    weekday: int | None = None  # a plain weekday ("on monday"): may precede a date
    no_tense: str | None = None  # the direction when the sentence gives no tense ("this friday": ahead)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def shift(today: dt.date, amount: int, unit: str) -> dt.date:
    unit = unit.rstrip("s") if unit not in ("mos",) else "mo"
    if unit.startswith("fortnight"):
        return today + dt.timedelta(days=14 * amount)
    if unit.startswith("d"):
        return today + dt.timedelta(days=amount)
    if unit.startswith("w"):
        return today + dt.timedelta(weeks=amount)
    if unit.startswith("m"):
        return add_months(today, amount)
    if unit.startswith("y"):
        return add_months(today, 12 * amount)
    raise ValueError(unit)


def ordinal_suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def check_month_day(month: int, day: int, year: int | None = None) -> None:
    """Refuse a month/day (and year) that cannot exist."""
    if not 1 <= month <= 12:
        raise DateRefusal("impossible_date", "date_no_such_month")
    if day < 1 or day > 31:
        raise no_such_day(day)
    if month == 2 and day == 29:
        if year is not None and not calendar.isleap(year):
            raise DateRefusal("impossible_date", "date_not_leap_year", year=year)
        return
    if day > calendar.monthrange(2001, month)[1]:
        raise not_a_real_date(month, day)


def month_day_resolver(month: int, day: int) -> Resolver:
    """A month and day without a year: the past or coming occurrence."""

    def resolve(direction: str, today: dt.date) -> dt.date:
        year = today.year
        if (month, day) > (today.month, today.day) and direction == PAST:
            year -= 1
        elif (month, day) < (today.month, today.day) and direction == FUTURE:
            year += 1
        if month == 2 and day == 29 and not calendar.isleap(year):
            raise DateRefusal("impossible_date", "date_not_leap_year", year=year)
        return dt.date(year, month, day)

    return resolve


def day_of_month_resolver(day: int) -> Resolver:
    """A bare "the 3rd": the nearest month (back or ahead) that has that day."""

    def resolve(direction: str, today: dt.date) -> dt.date:
        step = -1 if direction == PAST else 1
        first = dt.date(today.year, today.month, 1)
        for offset in range(0, 13):
            month_start = add_months(first, step * offset)
            if day > calendar.monthrange(month_start.year, month_start.month)[1]:
                continue
            candidate = month_start.replace(day=day)
            if (direction == PAST and candidate <= today) or (direction == FUTURE and candidate >= today):
                return candidate
        raise no_such_day(day)

    return resolve


def weekday_resolver(weekday: int, mode: str) -> Resolver:
    """Resolve a weekday. mode: last | last? | agoN | countN | next | this | coming | bare | week-N."""

    def resolve(direction: str, today: dt.date) -> dt.date:
        monday = today - dt.timedelta(days=today.weekday())
        if mode.startswith("week"):
            return monday + dt.timedelta(days=7 * int(mode[4:]) + weekday)
        recent = today - dt.timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)
        coming = today + dt.timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
        if mode == "last":  # "this past friday", "friday just gone": the most recent one
            return recent
        if mode == "last?":  # "last monday" said on a Wednesday: this week's, or last week's?
            if recent >= monday:
                raise TwoDates(recent, recent - dt.timedelta(days=7))
            return recent
        if mode.startswith(("ago", "count")):  # "the monday before last" (ago2), "three fridays ago" (count3)
            back = int(mode[5:] if mode.startswith("count") else mode[3:])
            week = dt.timedelta(days=7)
            if recent >= monday:  # counted from this week's, or from last week's?
                raise TwoDates(recent - (back - 1) * week, recent - back * week)
            if mode.startswith("count") and back >= 2:
                # "two fridays ago" said on a Thursday: the Friday before last, but an
                # independent writer also read the Friday of last week; asked.
                raise TwoDates(recent - (back - 1) * week, recent - (back - 2) * week)
            return recent - (back - 1) * week
        if mode == "next":
            following = monday + dt.timedelta(days=7 + weekday)
            if coming != following:  # "next friday" said on a Wednesday: this week's, or next week's?
                raise TwoDates(coming, following)
            # "next monday" said on a Thursday: most mean the coming one, but independent
            # writers also read it as the one a week later (1 line of 13 when 4 or 5 days
            # off, 3 of 12 when 6 days off; "next thurs" said on a Thursday, 1 of 9); a
            # week's error moves the plan by a week.
            raise TwoDates(following, following + dt.timedelta(days=7))
        if mode == "coming":
            return coming
        if mode == "this":
            if direction == PAST:
                return today - dt.timedelta(days=(today.weekday() - weekday) % 7)
            return today + dt.timedelta(days=(weekday - today.weekday()) % 7)
        # bare: never today
        return coming if direction == FUTURE else recent

    return resolve


def fixed(days: int = 0, *, amount: int = 0, unit: str = "d") -> Resolver:
    def resolve(direction: str, today: dt.date) -> dt.date:
        if amount:
            return shift(today, amount, unit)
        return today + dt.timedelta(days=days)

    return resolve


def from_day(resolver: Resolver, shift: dt.timedelta) -> Resolver:
    """Count from another day than today ("2 weeks ago tomorrow")."""

    def resolve(direction: str, today: dt.date) -> dt.date:
        return resolver(direction, today + shift)

    return resolve


def exact(year: int, month: int, day: int) -> Resolver:
    def resolve(direction: str, today: dt.date) -> dt.date:
        return dt.date(year, month, day)

    return resolve


def year_of(text: str | None) -> int | None:
    if not text:
        return None
    digits = text.lstrip("'")
    value = int(digits)
    return value + 2000 if len(digits) == 2 else value


def month_day_candidate(start: int, end: int, month: int, day: int, year: int | None) -> Candidate:
    try:
        check_month_day(month, day, year)
    except DateRefusal as refusal:
        return Candidate(start, end, None, refusal=refusal, is_calendar_date=True)
    if year is not None:
        return Candidate(start, end, exact(year, month, day), is_calendar_date=True)
    return Candidate(start, end, month_day_resolver(month, day), ambiguous=True, is_calendar_date=True)


def either_reading_candidate(
    start: int, end: int, first: tuple[int, int], second: tuple[int, int], year: int | None
) -> Candidate:
    """A numeric date both of whose readings ((month, day) each) are real dates."""
    readings = [month_day_candidate(start, end, month, day, year) for month, day in (first, second)]

    def resolve(direction: str, today: dt.date) -> dt.date:
        dates = [c.resolve(direction, today) for c in readings if c.resolve is not None]
        if len(dates) == 2 and dates[0] != dates[1]:
            raise TwoDates(dates[0], dates[1])
        return dates[0]

    return Candidate(start, end, resolve, ambiguous=year is None, is_calendar_date=True)
