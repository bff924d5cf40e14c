"""Dates told from another date in the same message: "the tournament was on the
14th and i got botox the monday after", "game was last saturday and i got
microneedled the next morning", "birthday was the 20th and i had botox 2 days
before it". Read alone, "the monday after" would be the last Monday: a wrong
date. With no date before it to count from, it is vague (a question back).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Callable, List, Tuple

from clinic.dates.resolvers import Candidate, Resolver, TwoDates
from clinic.words import FILLER, NUMBER, WD_ANY, number_value, weekday_number

Shift = Callable[[dt.date], dt.date]

# Nothing after the phrase names what it is counted from: it is the date before.
_END = r"(?:\s+(?:that|it|this|then))?(?=\s*(?:[,.;:!?)]|$|\b(?:and|so|but|when|then|because|cause|cuz|now|lol|haha)\b))"
_NEXT_DAY_RE = re.compile(r"\bthe\s+(?:next|following)\s+(?:day|morning|afternoon|evening|night)\b")
_DAY_BESIDE_RE = re.compile(rf"\bthe\s+day\s+(?P<dir>after|before){_END}")
_AMOUNT_RE = re.compile(
    rf"\b{FILLER}(?P<num>{NUMBER})\s*(?P<unit>days?|wks?|weeks?)\s+(?P<dir>before|after|later|earlier){_END}"
)
_WEEKDAY_BESIDE_RE = re.compile(
    rf"\bthe\s+(?:(?P<wd>{WD_ANY})\s+(?P<dir>after|before){_END}|following\s+(?P<wd2>{WD_ANY})\b)"
)


def _days(n: int) -> Shift:
    return lambda day: day + dt.timedelta(days=n)


def _weekday_beside(weekday: int, after: bool) -> Shift:
    def shift(day: dt.date) -> dt.date:
        if after:
            return day + dt.timedelta(days=(weekday - day.weekday() - 1) % 7 + 1)
        return day - dt.timedelta(days=(day.weekday() - weekday - 1) % 7 + 1)

    return shift


def anchored_phrases(low: str) -> List[Tuple[int, int, Shift]]:
    """Each phrase counted from an earlier date: its span and how it moves that date."""
    found: List[Tuple[int, int, Shift]] = []
    for m in _NEXT_DAY_RE.finditer(low):
        found.append((m.start(), m.end(), _days(1)))
    for m in _DAY_BESIDE_RE.finditer(low):
        found.append((m.start(), m.end(), _days(1 if m.group("dir") == "after" else -1)))
    for m in _AMOUNT_RE.finditer(low):
        days = number_value(m.group("num")) * (7 if m.group("unit").startswith("w") else 1)
        sign = 1 if m.group("dir") in ("after", "later") else -1
        found.append((m.start(), m.end(), _days(sign * days)))
    for m in _WEEKDAY_BESIDE_RE.finditer(low):
        weekday = weekday_number(m.group("wd") or m.group("wd2"))
        found.append((m.start(), m.end(), _weekday_beside(weekday, m.group("dir") != "before")))
    return found


def _counted_from(anchor: Candidate, shift: Shift) -> Resolver:
    assert anchor.resolve is not None
    base = anchor.resolve

    def resolve(direction: str, today: dt.date) -> dt.date:
        try:
            return shift(base(anchor.cue or direction, today))
        except TwoDates as two:  # the date counted from is itself one of two
            raise TwoDates(shift(two.choices[0]), shift(two.choices[1])) from None

    return resolve


def bind_anchored(kept: List[Candidate], shifts: dict) -> List[Candidate]:
    """Each anchored candidate (its shift in `shifts`, by start) counted from the
    nearest date before it; vague when there is none."""
    bound: List[Candidate] = []
    for cand in kept:
        shift = shifts.get((cand.start, cand.end))
        if shift is None:
            bound.append(cand)
            continue
        anchors = [c for c in bound if c.end <= cand.start and c.resolve is not None and not c.vague
                   and c.refusal is None and (c.start, c.end) not in shifts]
        if not anchors:
            bound.append(replace(cand, resolve=None, vague=True))
            continue
        bound.append(replace(cand, resolve=_counted_from(anchors[-1], shift), ambiguous=False))
    return bound
