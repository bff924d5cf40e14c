"""The date grammar: every date-like phrase in a message, as candidates.

Our own regular expressions for the forms patients write: today, yesterday,
tomorrow, "8 days ago", "a fortnight ago", "in 2 weeks", weekdays, "Nov 3",
"3rd of november", "11/10", "2026-11-03", "the 2nd", with or without a year.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import List, Sequence, Tuple

from clinic.dates.anchored import anchored_phrases, bind_anchored
from clinic.dates.resolvers import (
    FUTURE,
    PAST,
    Candidate,
    DateRefusal,
    Resolver,
    add_months,
    day_of_month_resolver,
    either_reading_candidate,
    fixed,
    from_day,
    month_day_candidate,
    no_such_day,
    not_a_real_date,
    weekday_resolver,
    year_of,
)
from clinic.dates.special_days import special_candidates, weekdays_by_a_holiday
from clinic.words import (
    DAY_NAMES,
    DAY_NUM,
    DAY_ORD,
    FILLER,
    MONTH,
    MONTH_NAMES,
    NOT_A_DAY,
    NUMBER,
    ORDINAL,
    UNIT,
    VAGUE_NUMBERS,
    WD_ANY,
    WD_FULL,
    YEAR,
    month_number,
    number_value,
    ordinal_value,
    weekday_number,
)

_R = re.compile

_RELATIVE_WORDS: Sequence[Tuple[re.Pattern, int, str | None]] = (
    (_R(r"\b(?:the\s+)?day\s+before\s+(?:yesterday|yday)\b"), -2, PAST),
    (_R(r"\b(?:the\s+)?day\s+after\s+(?:tomorrow|tmrw|tmr)\b"), 2, FUTURE),
    (_R(r"\b(?:yesterday|yesterdays|yday|yesterdy|yesturday|yesteday|ysterday|yest|yesterda|yestreday|yesteray|yesterady|yeserday|yestarday|yestuday|yestday)\b"), -1, PAST),
    (_R(r"\blast\s+night\b"), -1, PAST),
    (_R(r"\b(?:tomorrow|tmrw|tmr|tmrow|tomorow|tommorow|tommorrow|tomorrw|tomoro|2moro|2morrow|2mrw|tmw)\b"),
     1, FUTURE),
    (_R(r"\b(?:earlier\s+)?today\b|\btdy\b|\b2day\b|\btonight\b|\bthis\s+(?:morning|afternoon|evening)\b"),
     0, None),
    # "i literally just walked out of my botox appt": today, though no date is named.
    (_R(r"\bjust\s+(?:walked|came|got|stepped)\s+out\s+of\b|\bjust\s+left\s+(?:the\s+)?(?:clinic|spa|office)\b"),
     0, PAST),
)

_AGO_RE = _R(
    rf"\b{FILLER}(?P<num>{NUMBER})\s*(?P<unit>{UNIT})\s+(?:ago|agoo|agao|back|before\s+now)\b"
    r"(?:\s+(?P<anchor>today|tomorrow|tmrw|yesterday)\b)?"
)
_AGO_NO_NUMBER_RE = _R(rf"\b{FILLER}(?P<unit>fortnight|week|wk|month|mth|year|yr)\s+ago\b")
_BEEN_RE = _R(rf"\bbeen\s+{FILLER}(?P<num>{NUMBER})\s*(?P<unit>{UNIT})\b")
_SINCE_RE = _R(rf"\b{FILLER}(?P<num>{NUMBER})\s*(?P<unit>{UNIT})\s+(?:now\s+)?since\b")
_IN_RE = _R(rf"\bin\s+{FILLER}(?P<num>{NUMBER})\s*(?P<unit>{UNIT})\b")
# "2 weeks from now", "a week from tomorrow" (counted from tomorrow).
_FROM_NOW_RE = _R(rf"\b(?P<num>{NUMBER})\s*(?P<unit>{UNIT})\s+from\s+(?:now|(?P<anchor>today|tomorrow|tmrw|yesterday))\b")
_VAGUE_AGO_RE = _R(
    rf"\b(?:{VAGUE_NUMBERS}|\d+\s*(?:-|to|or)\s*\d+|\d+\.\d+|a\s+while|a\s+bit|a\s+little\s+while)"
    rf"\s*(?:{UNIT})?\s+(?:ago|back)\b|\b(?:in\s+)?(?:{VAGUE_NUMBERS})\s+(?:days|weeks|months)\b"
)
_VAGUE_RE = _R(
    r"\b(?:last|next|this\s+past|this\s+coming|earlier\s+this|later\s+this|early\s+this|end\s+of\s+last|"
    r"end\s+of\s+this|end\s+of\s+the|beginning\s+of\s+the|start\s+of\s+the|this)\s+(?:week|month|weekend|year)\b"
    r"|\b(?:on|over)\s+the\s+weekend\b|\brecently\b|\bthe\s+other\s+day\b"
)
_VAGUE_MONTH_RE = _R(
    rf"\b(?:(?:early|mid|late|end\s+of|beginning\s+of|start\s+of|in|during|sometime\s+in)\s+)"
    rf"(?P<mon>{MONTH.replace('(?:may)|', '')})\b"
)

_ISO_RE = _R(r"\b(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})\b")
_NUMERIC_RE = _R(
    r"(?<![\d/\-.])(?P<a>\d{1,2})(?P<sep>[/\-])(?P<b>\d{1,2})(?:(?P=sep)(?P<y>\d{4}|\d{2}))?(?![\d/\-])"
    + NOT_A_DAY
)
_DOTTED_RE = _R(r"(?<![\d.])(?P<a>\d{1,2})\.(?P<b>\d{1,2})\.(?P<y>\d{4}|\d{2})(?!\d|\.\d)")
# "14.XI.2026": the month in Roman numerals, day first.
_ROMAN_MONTHS = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")
_ROMAN_RE = _R(r"(?<![\d.])(?P<d>\d{1,2})\.\s?(?P<m>xii|xi|ix|x|viii|vii|vi|iv|v|iii|ii|i)\.\s?(?P<y>\d{4})(?!\d)")
# "got botox 25.11.": day and month with dots and no year; not an amount ("2.5 ml", "$25.11",
# "1.5 weeks") or a time ("at 4.30").
_DOTTED_SHORT_RE = _R(
    r"(?<![\d.$])(?<!\bat\s)(?<!@)(?P<a>\d{1,2})\.(?P<b>\d{1,2})(?!\.?\d)"
    r"(?!\s*(?:units?|u\b|ml|mg|cc|%|kg|lbs?|pounds|weeks?|wks?|days?|months?|mos?\b|years?|yrs?|hours?|hrs?|h\b"
    r"|am\b|pm\b|a\.m|p\.m|x\b|times|stars?|out\s+of))"
)
_MONTH_DAY_RE = _R(
    rf"\b(?P<mon>{MONTH})\.?\s*(?:the\s+)?(?P<day>{DAY_NUM}|{ORDINAL})\b{NOT_A_DAY}"
    rf"(?:(?:\s*,\s*|\s+)(?P<year>{YEAR})\b)?"
)
_DAY_MONTH_RE = _R(
    rf"\b(?:the\s+)?(?P<day>{DAY_NUM}|{ORDINAL})\s*(?:of\s+|-)?(?P<mon>{MONTH})\b\.?"
    rf"(?:(?:\s*,\s*|\s+)(?P<year>{YEAR})\b)?"
)
_DAY_OF_MONTH_RE = _R(
    rf"\b(?:on\s+)?(?:the\s+)?(?P<day>{DAY_ORD})\b{NOT_A_DAY}"
    r"(?:\s+(?:of\s+(?P<rel>this|last|next|the)|(?P<rel2>this|last|next))\s+month\b)?"
)
# "last month on the 20th": the month first.
_MONTH_THEN_DAY_RE = _R(
    rf"\b(?P<rel>this|last|next)\s+month\s*,?\s*(?:on\s+)?(?:the\s+)?(?P<day>{DAY_ORD})\b{NOT_A_DAY}"
)
_WEEKS_AGO_WEEKDAY_RE = _R(
    rf"\b(?P<num>{NUMBER})\s*(?:weeks?|wks?)\s+ago\s+(?:on\s+)?(?P<wd>{WD_ANY})\b"
    rf"|\b(?:on\s+)?(?P<wd2>{WD_ANY})\s+(?P<num2>{NUMBER})\s*(?:weeks?|wks?)\s+ago\b"
)
_ROUTINE = r"(?:work|school|class|lunch|dinner|breakfast|church|practice|that|it|this|hours|shift)"
_WEEKDAY_BEFORE_LAST_RE = _R(rf"\b(?:the\s+)?(?P<wd>{WD_ANY})\s+before\s+last\b")
# "two mondays ago": counted back from the last monday (so "the monday before last" is two).
_WEEKDAYS_AGO_RE = _R(rf"\b(?P<num>{NUMBER})\s+(?P<wd>{WD_ANY})s\s+ago\b")
# "the sunday before thanksgiving": a day relative to an event we can't date.
# Not "monday after work" or "monday after cancelling twice": an ordinary day, not an event.
_WEEKDAY_EVENT_RE = _R(rf"\b(?:the\s+)?(?:{WD_FULL})\s+(?:before|after)\s+(?!last\b|{_ROUTINE}\b|[a-z']+ing\b)"
                       rf"[a-z']+(?:\s+day)?\b")
_COUNTING_BEFORE = _R(r"\b(?:my|your|our|her|his|their)\s+$")
_COUNTING_AFTER = _R(r"\s*(?:botox|tox|micro|needl|derma|dysport|try|attempt|go\b|one\b|time|round|session|treatment)")
# "friday of the week before last", "the week after next on tues": two weeks off.
_WEEK_TWO_OFF = r"(?:before\s+last|after\s+next)"
_WEEKDAY_RE = _R(
    rf"\b(?:(?P<mod>last|past|this\s+past|this\s+last|this\s+coming|coming|this|next|nxt|on)\s+)?"
    rf"(?:(?P<week0>(?:last|next|this)\s+(?:week|wk)|the\s+(?:week|wk)\s+{_WEEK_TWO_OFF})\s+(?:on\s+)?(?:the\s+)?)?"
    rf"(?P<wd>{WD_ANY})\b\.?"
    rf"(?:\s+(?:of\s+)?(?P<week>(?:last|next|this)\s+(?:week|wk)|the\s+(?:week|wk)\s+{_WEEK_TWO_OFF})\b"
    rf"|\s+(?P<gone>just\s+gone|gone))?"
)


# Weekday abbreviations that are also English words ("fri", "thurs" are not).
_ALSO_WORDS = frozenset({"sat", "sun", "wed"})
# A weekday abbreviation that is an ordinary word here: "sat in the sun", "the sun", "i sat".
_WORD_BEFORE = _R(r"\b(?:the|a|in|i|we|he|she|they|you|just|and|of|under|got|get)\s+$")
_WORD_AFTER = _R(r"\s+(?:in|on|down|out|by|with|at|up|there|here|around|for|outside|all|is|was|and)\b")


# "had tox sat at a place in mission", "appointment wed for xeomin": right after a treatment
# or a booking it is the weekday.
_TREATMENT_BEFORE = _R(r"\b(?:botox|tox|dysport|xeomin|jeuveau|microneedling|needling|needled"
                       r"|appointment|appt|booked|booking|scheduled|sched)\s+$")


def _ordinary_word(low: str, start: int, end: int) -> bool:
    if _TREATMENT_BEFORE.search(low[:start]):
        return False
    return bool(_WORD_BEFORE.search(low[:start]) or _WORD_AFTER.match(low[end:]))


def find_candidates(low: str, month_first: bool) -> List[Candidate]:
    """Every date-like span in the (lowercase) message, longest first wins."""
    cands: List[Candidate] = []
    add = cands.append

    for regex, days, cue in _RELATIVE_WORDS:
        for m in regex.finditer(low):
            add(Candidate(m.start(), m.end(), fixed(days), cue=cue))

    for regex, sign in ((_AGO_RE, -1), (_BEEN_RE, -1), (_SINCE_RE, -1), (_IN_RE, 1), (_FROM_NOW_RE, 1)):
        for m in regex.finditer(low):
            if re.search(r"\d[.,]$", low[:m.start("num")]):  # "been 1.5 weeks": not 5 weeks
                add(Candidate(m.start("num") - 2, m.end(), None, vague=True))
                continue
            amount = number_value(m.group("num"))
            unit = m.group("unit")
            resolver = fixed(amount=sign * amount, unit=unit)
            anchor = m.groupdict().get("anchor")
            if anchor and anchor != "today":  # "2 weeks ago tomorrow"
                shift = dt.timedelta(days=-1 if anchor == "yesterday" else 1)
                resolver = from_day(resolver, shift)
            add(Candidate(m.start(), m.end(), resolver, cue=PAST if sign < 0 else FUTURE))
    for m in _AGO_NO_NUMBER_RE.finditer(low):
        add(Candidate(m.start(), m.end(), fixed(amount=-1, unit=m.group("unit")), cue=PAST))

    for m in _ISO_RE.finditer(low):
        year, month, day = int(m.group("y")), int(m.group("m")), int(m.group("d"))
        add(month_day_candidate(m.start(), m.end(), month, day, year))

    for regex in (_NUMERIC_RE, _DOTTED_RE, _DOTTED_SHORT_RE):
        for m in regex.finditer(low):
            a, b = int(m.group("a")), int(m.group("b"))
            month, day = (a, b) if month_first else (b, a)
            year = year_of(m.groupdict().get("y"))
            if a != b and a <= 12 and b <= 12:  # "11/3": November 3 or 11 March? Ask.
                add(either_reading_candidate(m.start(), m.end(), (month, day), (day, month), year))
                continue
            # Only one reading can be a date ("13/10"): take it.
            if month > 12 and day <= 12:
                month, day = day, month
            add(month_day_candidate(m.start(), m.end(), month, day, year))

    for m in _ROMAN_RE.finditer(low):
        add(month_day_candidate(m.start(), m.end(), _ROMAN_MONTHS.index(m.group("m")) + 1, int(m.group("d")),
                                int(m.group("y"))))

    for regex in (_MONTH_DAY_RE, _DAY_MONTH_RE):
        for m in regex.finditer(low):
            month = month_number(m.group("mon"))
            day = ordinal_value(m.group("day"))
            add(month_day_candidate(m.start(), m.end(), month, day, year_of(m.group("year"))))

    for m in _DAY_OF_MONTH_RE.finditer(low):
        day = ordinal_value(m.group("day"))
        if not low[m.start():m.end()].startswith(("on", "the")) and not re.match(r"\d", m.group("day")):
            continue  # a bare "second" is not a date
        if _COUNTING_BEFORE.search(low[:m.start()]) or _COUNTING_AFTER.match(low[m.end():]):
            continue  # "my 2nd session", "the 3rd botox"
        if not 1 <= day <= 31:
            add(Candidate(m.start(), m.end(), None, refusal=no_such_day(day)))
            continue
        rel = m.group("rel") or m.group("rel2")
        if rel in ("this", "last", "next"):
            add(Candidate(m.start(), m.end(), _day_of_month_from_now(day, rel)))
        else:
            add(Candidate(m.start(), m.end(), day_of_month_resolver(day), ambiguous=True,
                           is_calendar_date=True))

    for m in _MONTH_THEN_DAY_RE.finditer(low):
        add(Candidate(m.start(), m.end(), _day_of_month_from_now(ordinal_value(m.group("day")), m.group("rel"))))

    for m in _WEEKDAY_RE.finditer(low):
        wd_text = m.group("wd")
        mod = (m.group("mod") or "").split()
        week = m.group("week") or m.group("week0")
        if (wd_text.rstrip(".") in _ALSO_WORDS and not (mod or week)
                and _ordinary_word(low, m.start("wd"), m.end("wd"))):
            continue  # "sat in the sun", "we wed in june"
        weekday = weekday_number(wd_text)
        if week:
            offset = _week_offset(week)
            add(Candidate(m.start(), m.end(), weekday_resolver(weekday, f"week{offset}"),
                           cue=PAST if offset < 0 else FUTURE if offset > 0 else None))
        elif mod == ["last"]:  # this week's or last week's, when this week's has passed
            add(Candidate(m.start(), m.end(), weekday_resolver(weekday, "last?"), cue=PAST))
        elif m.group("gone") or (mod and mod[-1] in ("last", "past")):
            add(Candidate(m.start(), m.end(), weekday_resolver(weekday, "last"), cue=PAST))
        elif mod and mod[-1] in ("next", "nxt"):
            add(Candidate(m.start(), m.end(), weekday_resolver(weekday, "next"), cue=FUTURE))
        elif mod and mod[-1] == "coming":
            add(Candidate(m.start(), m.end(), weekday_resolver(weekday, "coming"), cue=FUTURE))
        elif mod == ["this"]:
            add(Candidate(m.start(), m.end(), weekday_resolver(weekday, "this"), ambiguous=True, no_tense=FUTURE))
        else:
            add(Candidate(m.start(), m.end(), weekday_resolver(weekday, "bare"), ambiguous=True,
                           weekday=weekday))

    for m in _WEEKS_AGO_WEEKDAY_RE.finditer(low):
        weeks = number_value(m.group("num") or m.group("num2"))
        weekday = weekday_number(m.group("wd") or m.group("wd2"))
        add(Candidate(m.start(), m.end(), weekday_resolver(weekday, f"week{-weeks}"), cue=PAST))

    for m in _WEEKDAY_BEFORE_LAST_RE.finditer(low):
        add(Candidate(m.start(), m.end(), weekday_resolver(weekday_number(m.group("wd")), "ago2"), cue=PAST))
    for m in _WEEKDAYS_AGO_RE.finditer(low):
        back = number_value(m.group("num"))
        if 1 <= back <= 8:
            add(Candidate(m.start(), m.end(), weekday_resolver(weekday_number(m.group("wd")), f"count{back}"), cue=PAST))

    for regex in (_VAGUE_AGO_RE, _VAGUE_RE):
        for m in regex.finditer(low):
            add(Candidate(m.start(), m.end(), None, vague=True))
    specials = special_candidates(low)
    for m in _WEEKDAY_EVENT_RE.finditer(low):
        # Not when the weekday ends a holiday's name: "thanksgiving monday before turkey dinner".
        if not any(c.start < m.start() < c.end for c in specials):
            add(Candidate(m.start(), m.end(), None, vague=True))
    for m in _VAGUE_MONTH_RE.finditer(low):
        add(Candidate(m.start(), m.end(), None, vague=True))

    cands.extend(specials)
    cands.extend(_weekday_with_date(low, cands))
    shifts = {}
    for start, end, shift in anchored_phrases(low):
        shifts[(start, end)] = shift
        add(Candidate(start, end, None))
    # Longest span wins among overlaps; concrete beats vague at equal length.
    cands.sort(key=lambda c: (-(c.end - c.start), c.vague, c.start))
    kept: List[Candidate] = []
    for c in cands:
        if any(c.start < k.end and k.start < c.end for k in kept):
            continue
        kept.append(c)
    kept.sort(key=lambda c: c.start)
    return bind_anchored(weekdays_by_a_holiday(low, kept), shifts)


def _week_offset(week: str) -> int:
    """"last week" -1, "this week" 0, "next week" 1, "the week before last" -2, "the week after next" 2."""
    if week.startswith("the"):
        return -2 if week.endswith("last") else 2
    return {"last": -1, "this": 0, "next": 1}[week.split()[0]]


def _day_of_month_from_now(day: int, rel: str) -> Resolver:
    """"the 20th of last month", "next month on the 3rd"."""
    offset = {"this": 0, "last": -1, "next": 1}[rel]

    def resolve(direction: str, today: dt.date) -> dt.date:
        month_start = add_months(today.replace(day=1), offset)
        if not 1 <= day <= calendar.monthrange(month_start.year, month_start.month)[1]:
            raise not_a_real_date(month_start.month, day)
        return month_start.replace(day=day)

    return resolve


def _weekday_with_date(low: str, cands: Sequence[Candidate]) -> List[Candidate]:
    """"monday nov 16", "wednesday the 18th": the date, checked against the weekday."""
    joined: List[Candidate] = []
    for day in cands:
        if day.weekday is None:
            continue
        for date in cands:
            if not date.is_calendar_date or date.start < day.end:
                continue
            if not re.fullmatch(r"[\s,.]*(?:the\s+)?", low[day.end:date.start]):
                continue
            joined.append(Candidate(
                day.start, date.end,
                _checked_weekday(date.resolve, day.weekday) if date.resolve else None,
                cue=date.cue, ambiguous=date.ambiguous, refusal=date.refusal,
            ))
    return joined


def _checked_weekday(resolve: Resolver, weekday: int) -> Resolver:
    def checked(direction: str, today: dt.date) -> dt.date:
        first = resolve(direction, today)
        if first.weekday() == weekday:
            return first
        other = resolve(FUTURE if direction == PAST else PAST, today)
        if other.weekday() == weekday:
            return other
        raise DateRefusal(
            "impossible_date", "date_weekday_mismatch",
            date=f"{MONTH_NAMES[first.month]} {first.day}, {first.year}",
            actual=DAY_NAMES[first.weekday()], said=DAY_NAMES[weekday],
        )

    return checked
