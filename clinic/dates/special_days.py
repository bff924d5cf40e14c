"""Dates the main grammar leaves out: holidays, weekends, "a week and a half
ago", "a week from friday". Each may resolve to two dates a careful reader
could both mean; then the patient is asked which (TwoDates)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import List

from clinic.dates.holidays import HOLIDAY_PATTERNS, holiday_resolver
from clinic.dates.resolvers import FUTURE, PAST, Candidate, Resolver, TwoDates, weekday_resolver
from clinic.words import NUMBER, WD_ANY, number_value, weekday_number

_HOLIDAY = "|".join(f"(?P<{name}>{pattern})" for name, pattern in HOLIDAY_PATTERNS.items())
# "last victoria day", "this coming boxing day": the one gone, or the one ahead.
_PAST_MOD = r"last|this\s+past|past"
_AHEAD_MOD = r"this\s+coming|coming|upcoming"  # not "next christmas": this one, or a year on?
_HOLIDAY_RE = re.compile(
    rf"\b(?:(?:the\s+)?day\s+(?P<shift>before|after)\s+)?(?:(?P<pre>{_PAST_MOD}|{_AHEAD_MOD})\s+)?(?:{_HOLIDAY})\b"
    rf"(?:\s+(?P<ymod>this|last|next)\s+(?:year|yr)\b)?"
)
# "around thanksgiving", "the week of christmas": near a holiday, not on it.
_NEAR_HOLIDAY_RE = re.compile(
    rf"\b(?:around|about|near|close\s+to|before|after|the\s+week\s+(?:of|before|after)|"
    rf"the\s+weekend\s+(?:of|before|after)|sometime\s+around|over)\s+(?:the\s+)?(?:{_HOLIDAY})\b"
)
# "the friday before halloween", "tues after thanksgiving": a weekday next to a holiday.
_WEEKDAY_BY_HOLIDAY_RE = re.compile(
    rf"\b(?:the\s+)?(?P<wd>{WD_ANY})\s+(?P<side>before|after)\s+(?:the\s+)?(?:{_HOLIDAY})\b"
    rf"(?:\s+(?P<ymod>this|last|next)\s+(?:year|yr)\b)?"
)
# "the monday of thanksgiving weekend", "sat of the may long weekend": a day of the holiday's weekend.
_WEEKDAY_OF_HOLIDAY_RE = re.compile(
    rf"\b(?:the\s+)?(?P<wd>{WD_ANY})\s+(?:of|on|over|during)\s+(?:the\s+)?(?:{_HOLIDAY})"
    rf"(?:\s+(?:long\s+)?weekend)?\b(?:\s+(?P<ymod>this|last|next)\s+(?:year|yr)\b)?"
)
# "tuesday the week after next", "the week after next on tues": the weekday two weeks on.
_WEEK_AFTER_NEXT_RE = re.compile(
    rf"\b(?:(?:on\s+)?(?:the\s+)?(?P<wd>{WD_ANY})\s+(?:of\s+)?(?:the\s+)?week\s+after\s+next"
    rf"|(?:the\s+)?week\s+after\s+next\s+(?:on\s+)?(?:the\s+)?(?P<wd2>{WD_ANY}))\b"
)
# "the tuesday after next": two weeks on, or three when "next tuesday" could be this week's.
_WEEKDAY_AFTER_NEXT_RE = re.compile(rf"\b(?:the\s+)?(?P<wd>{WD_ANY})\s+after\s+next\b")
_WEEKEND_PAST_RE = re.compile(r"\b(?:last|this\s+past|past)\s+weekend\b")
_WEEKEND_THIS_RE = re.compile(r"\b(?:this|this\s+coming|coming|on\s+the|over\s+the|during\s+the)\s+weekend\b")
# "a week and a half ago", "2 and a half weeks ago", "2.5 wks ago", "two weeks and a half ago".
_WEEKS_AND_A_HALF_RE = re.compile(
    rf"\b(?P<in>in\s+)?(?:(?P<num>{NUMBER})\s+and\s+a\s+half\s+(?:weeks?|wks?)|(?P<dec>\d{{1,2}})\.5\s*(?:weeks?|wks?)"
    rf"|(?P<num2>{NUMBER})\s+(?:weeks?|wks?)\s+and\s+a\s+half)(?P<ago>\s+ago)?\b"
)
_WEEKS_FROM_WEEKDAY_RE = re.compile(
    rf"\b(?P<num>{NUMBER})\s*(?:weeks?|wks?)\s+from\s+(?:this\s+)?(?P<wd>{WD_ANY})\b"
)


def _weekend(direction: str, today: dt.date) -> dt.date:
    """Raise TwoDates: the Saturday and Sunday of the weekend meant."""
    if direction == PAST:
        sunday = today - dt.timedelta(days=(today.weekday() - 6 - 1) % 7 + 1)
        raise TwoDates(sunday - dt.timedelta(days=1), sunday)
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7)
    if today.weekday() == 6:
        saturday = today - dt.timedelta(days=1)
    raise TwoDates(saturday, saturday + dt.timedelta(days=1))


def _weeks_and_a_half(weeks: int, sign: int) -> Resolver:
    """Half a week is 3 or 4 days: "a week and a half ago" is 10 or 11 days ago."""
    def resolve(direction: str, today: dt.date) -> dt.date:
        days = 7 * weeks + 3
        raise TwoDates(today + dt.timedelta(days=days * sign), today + dt.timedelta(days=(days + 1) * sign))

    return resolve


def _weeks_after(resolver: Resolver, weeks: int) -> Resolver:
    def resolve(direction: str, today: dt.date) -> dt.date:
        return resolver(direction, today) + dt.timedelta(weeks=weeks)

    return resolve


def _after_next(weekday: int) -> Resolver:
    """The one after "next <weekday>"; two dates when "next <weekday>" itself could be two."""
    following = weekday_resolver(weekday, "week1")

    def resolve(direction: str, today: dt.date) -> dt.date:
        after = following(direction, today) + dt.timedelta(weeks=1)
        if weekday > today.weekday():  # "next friday" said on a Wednesday: this week's or next week's
            raise TwoDates(after - dt.timedelta(weeks=1), after)
        return after

    return resolve


def special_candidates(low: str) -> List[Candidate]:
    found: List[Candidate] = []
    for m in _HOLIDAY_RE.finditer(low):
        name = next(n for n in HOLIDAY_PATTERNS if m.group(n))
        ymod = m.group("ymod")
        offset = {"this": 0, "last": -1, "next": 1}[ymod] if ymod else None
        shift = {"before": -1, "after": 1}.get(m.group("shift") or "", 0)
        pre = m.group("pre")
        cue = (PAST if ymod == "last" else FUTURE if ymod == "next"
               else None if not pre else PAST if re.fullmatch(_PAST_MOD, pre) else FUTURE)
        found.append(Candidate(m.start(), m.end(), holiday_resolver(name, offset, shift), cue=cue,
                               ambiguous=offset is None, is_calendar_date=True))
    for m in _WEEKDAY_BY_HOLIDAY_RE.finditer(low):
        name = next(n for n in HOLIDAY_PATTERNS if m.group(n))
        ymod = m.group("ymod")
        offset = {"this": 0, "last": -1, "next": 1}[ymod] if ymod else None
        step = (weekday_number(m.group("wd")), -1 if m.group("side") == "before" else 1)
        found.append(Candidate(m.start(), m.end(), holiday_resolver(name, offset, weekday_step=step),
                               cue=PAST if ymod == "last" else FUTURE if ymod == "next" else None,
                               ambiguous=offset is None, is_calendar_date=True))
    for m in _WEEKDAY_OF_HOLIDAY_RE.finditer(low):
        name = next(n for n in HOLIDAY_PATTERNS if m.group(n))
        ymod = m.group("ymod")
        offset = {"this": 0, "last": -1, "next": 1}[ymod] if ymod else None
        found.append(Candidate(m.start(), m.end(),
                               holiday_resolver(name, offset, weekday_near=weekday_number(m.group("wd"))),
                               cue=PAST if ymod == "last" else FUTURE if ymod == "next" else None,
                               ambiguous=offset is None, is_calendar_date=True))
    for m in _WEEK_AFTER_NEXT_RE.finditer(low):
        weekday = weekday_number(m.group("wd") or m.group("wd2"))
        found.append(Candidate(m.start(), m.end(), weekday_resolver(weekday, "week2"), cue=FUTURE))
    for m in _WEEKDAY_AFTER_NEXT_RE.finditer(low):
        found.append(Candidate(m.start(), m.end(), _after_next(weekday_number(m.group("wd"))), cue=FUTURE))
    for m in _NEAR_HOLIDAY_RE.finditer(low):
        found.append(Candidate(m.start(), m.end(), None, vague=True))
    for m in _WEEKEND_PAST_RE.finditer(low):
        found.append(Candidate(m.start(), m.end(), _weekend, cue=PAST))
    for m in _WEEKEND_THIS_RE.finditer(low):
        no_tense = FUTURE if m.group().startswith(("this", "coming")) else PAST
        found.append(Candidate(m.start(), m.end(), _weekend, ambiguous=True, no_tense=no_tense))
    for m in _WEEKS_AND_A_HALF_RE.finditer(low):
        weeks = int(m.group("dec")) if m.group("dec") else number_value(m.group("num") or m.group("num2"))
        if (m.group("ago") or m.group("in")) and 1 <= weeks <= 12:
            sign = -1 if m.group("ago") else 1
            found.append(Candidate(m.start(), m.end(), _weeks_and_a_half(weeks, sign),
                                   cue=PAST if sign < 0 else FUTURE))
    for m in _WEEKS_FROM_WEEKDAY_RE.finditer(low):
        coming = weekday_resolver(weekday_number(m.group("wd")), "coming")
        found.append(Candidate(m.start(), m.end(), _weeks_after(coming, number_value(m.group("num"))), cue=FUTURE))
    return found


def _weekday_by_holiday(name: str, weekday: int) -> Resolver:
    """"over thanksgiving, on the actual monday": the holiday, when it falls on
    that weekday; else that weekday of the holiday's own weekend or the plain
    reading (the last or next one), asked when they differ."""
    holiday = holiday_resolver(name, None)
    near = holiday_resolver(name, None, weekday_near=weekday)
    plain = weekday_resolver(weekday, "bare")

    def resolve(direction: str, today: dt.date) -> dt.date:
        day = holiday(direction, today)
        if day.weekday() == weekday:
            return day
        first, second = near(direction, today), plain(direction, today)
        if first == second:
            return first
        raise TwoDates(first, second)

    return resolve


def weekdays_by_a_holiday(low: str, kept: List[Candidate]) -> List[Candidate]:
    """A plain weekday in a message naming one holiday ("had microneedling over
    Thanksgiving, on the actual Monday holiday") is read beside that holiday:
    read alone it would be the last Monday, a wrong date."""
    named = {next(n for n in HOLIDAY_PATTERNS if m.group(n)) for m in _HOLIDAY_RE.finditer(low)}
    if len(named) != 1:
        return kept
    name = named.pop()
    return [replace(c, resolve=_weekday_by_holiday(name, c.weekday)) if c.weekday is not None and c.resolve else c
            for c in kept]
