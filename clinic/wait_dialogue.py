"""What to answer to a timing message. Pure functions, no Rasa imports.

Given the patient's message, what the conversation already knows (slots) and
today's date, decide between: a personal wait plan, asking for a missing
treatment or date, asking again after a date the bot can't use, or the
general guidance with an offer to work out the patient's own dates.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Optional, Tuple

from clinic.dates import TreatmentDateReading, understand_message
from clinic.dates.message_readings import reading_for_turn
from clinic.dates.resolvers import DateRefusal
from clinic.dates.treatments import treatment_mentions
from clinic.protocol import TREATMENT_NAMES, ClinicProtocol
from clinic.safety import mentions_a_sign
from clinic.wait_plan import WaitPlan, compute_wait_plan, format_day
from clinic.words import normalise

# "can I get microneedling today?": asks about the next treatment, not a new date.
_CAN_I_TODAY = re.compile(
    r"\b(?:can|could|may|ok|okay|safe|able|allowed)\b(?:(?!\b(?:had|got|did)\b).)*\b(?:today|now|tonight)\b"
)
# Any question word: with "today/now/yet" it makes a "can I do it today?" question.
_QUESTION = re.compile(r"\?|\b(?:can|could|ok|okay|safe|allowed|able|is it|am i)\b")


# Intents whose question, when it names a treatment and its date, is really
# "when can I have the other one?" (the NLU pipeline routes them to wait_time;
# inform already goes to the wait-date action; a symptom report only when it
# names no sign at all).
# The intents the rules send to the wait-date action (data/rules/wait_dates.yml).
WAIT_ACTION_INTENTS = frozenset({"wait_time", "inform"})
TIMING_INTENTS = frozenset({"combine", "too_soon", "risks", "nlu_fallback"})
# These only with words that ask about timing ("had botox last mon, how long until microneedling").
NEEDS_TIMING_WORDS = frozenset({"what_is_microneedling", "what_is_botox", "follow_up", "report_symptom"})
# The classifier's other subjects, consultation and recovery: only when the message
# names both treatments, a real date for one and asks about timing.
NEEDS_BOTH_TREATMENTS = frozenset({"out_of_scope", "consult", "recovery"})
_TIMING_WORDS = re.compile(
    r"\b(?:when|how\s+long|how\s+soon|soonest|earliest|until|till|til|wait|yet|ok|okay|fine|safe|ready|able|now"
    r"|(?:can|could|may|should)\s+i)\b")


def is_dated_timing_question(
    intent: Optional[str], text: str, read: Callable[[], TreatmentDateReading]
) -> bool:
    """Should a message classified as `intent` get the personal plan instead?
    A "symptom report" that names no sign at all ("it's 20 days since my
    botox, is it ok now?") is a timing question; one that names a sign keeps
    the symptom answer. `read` reads the message's dates, called only when
    the cheap checks leave the question open."""
    if intent in NEEDS_TIMING_WORDS or intent in NEEDS_BOTH_TREATMENTS:
        if not _TIMING_WORDS.search(text.lower()):
            return False
        if intent == "report_symptom" and mentions_a_sign(text):
            return False
    elif intent not in TIMING_INTENTS:
        return False
    reading = read()
    if intent in NEEDS_BOTH_TREATMENTS:
        # "had botox on halloween (long story), ok to get microneedling now?":
        # both treatments, a real date for one, a timing question.
        resolution = reading.date_resolution
        named = {m.treatment for m in treatment_mentions(normalise(text))}
        return len(named) == 2 and gives_treatment_date(reading) and (
            resolution.ok or resolution.choices is not None)
    return gives_treatment_date(reading)


def gives_treatment_date(reading: TreatmentDateReading) -> bool:
    """The message names Botox or microneedling and a date for it (usable,
    two possible ones, or one that must be asked again)."""
    resolution = reading.date_resolution
    refused = resolution.refusal.answer if resolution.refusal else None
    # An impossible or out-of-range date counts ("feb 30"); a vague time does
    # not ("a few days after", "last week": "will needling a few days after
    # ruin my botox?" wants the too-soon answer), nor spaCy's guess that "the
    # same day" is a date.
    has_date = resolution.ok or resolution.choices is not None or refused not in (
        None, "date_none_found", "date_not_exact", "date_vague")
    return reading.previous_treatment is not None and has_date


@dataclass(frozen=True)
class KnownTreatment:
    """What earlier turns established (the slots)."""

    previous_treatment: Optional[str] = None
    previous_date: Optional[dt.date] = None


@dataclass(frozen=True)
class WaitReply:
    """The decision. `kind` is one of: plan, ask_treatment, ask_date,
    reask_date, ask_which_date, general. A reask carries the refusal that
    explains it; ask_which_date the two dates a careful reader could mean."""

    kind: str
    previous_treatment: Optional[str] = None
    previous_date: Optional[dt.date] = None
    plan: Optional[WaitPlan] = None
    refusal: Optional[DateRefusal] = None
    choices: Optional[Tuple[dt.date, dt.date]] = None  # ask_which_date: the two dates to offer
    # ask_which_date with the treatment known: the plan from each date, so the answer
    # gives the patient's dates whichever they meant, while asking which.
    choice_plans: Optional[Tuple[WaitPlan, WaitPlan]] = None
    asks_about_today: bool = False
    answer_values: Dict[str, Any] = field(default_factory=dict)


def parse_iso_date(value: Any) -> Optional[dt.date]:
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def asks_about_today(text: str, matched_date_text: Optional[str]) -> bool:
    """True for "can I get it today?" but not for "I had botox today"."""
    low = text.lower()
    if matched_date_text and re.search(r"\b(?:today|now)\b", matched_date_text.lower()):
        # The date itself is today: only a question if it asks twice.
        low = low.replace(matched_date_text.lower(), " ", 1)
    return bool(_QUESTION.search(low) and re.search(r"\b(?:today|now|yet|right away)\b", low))


def decide_wait_reply(
    text: str,
    today: dt.date,
    protocol: ClinicProtocol,
    known: KnownTreatment,
    intent: Optional[str] = None,
    stated_treatment: Optional[str] = None,
    stated_date: Optional[dt.date] = None,
    pipeline_reading: Any = None,
) -> WaitReply:
    """`stated_treatment` and `stated_date` are given without words (buttons).
    `pipeline_reading` is the language pipeline's reading of `text` (the
    parse result's `date_reading`); without one, the text is read here."""
    # A correction of a planned date ("sorry, I meant the 5th") is read ahead.
    planned = known.previous_date is not None and known.previous_date > today
    default_tense = "future" if planned else None
    reading = reading_for_turn(pipeline_reading, today, default_tense) or understand_message(
        text, today, protocol.date_rules, default_tense=default_tense,
    )
    resolution = reading.date_resolution
    named = reading.previous_treatment or stated_treatment
    previous = named or known.previous_treatment
    today_question = asks_about_today(text, resolution.matched_text)

    if (
        resolution.ok
        and resolution.date == today
        and named is None
        and known.previous_date is not None
        and _CAN_I_TODAY.search(text.lower())
    ):
        # "can I do it today?" asks about the next treatment, not a new date.
        return _plan(known.previous_treatment or "botox", known.previous_date, today, protocol, True)
    if stated_date is not None:  # the patient picked one of two dates we offered
        if previous is None:
            return WaitReply("ask_treatment", previous_date=stated_date)
        return _plan(previous, stated_date, today, protocol, False)
    if resolution.choices:
        plans = None
        if previous is not None:
            first, second = (compute_wait_plan(previous, day, today, protocol) for day in resolution.choices)
            plans = (first, second)
        return WaitReply("ask_which_date", previous_treatment=previous, choices=resolution.choices,
                         choice_plans=plans)
    if resolution.ok:
        if previous is None:
            return WaitReply("ask_treatment", previous_date=resolution.date)
        return _plan(previous, resolution.date, today, protocol, today_question)
    if resolution.refusal_code and (resolution.refusal_code != "no_date" or resolution.matched_text):
        # An impossible or too distant date, or a vague one ("in march"): ask for the exact day.
        return WaitReply("reask_date", previous_treatment=previous, refusal=resolution.refusal)
    # No date in this message: use the one we know, if it is about the same treatment.
    if known.previous_date and previous and named in (None, known.previous_treatment or named):
        return _plan(previous, known.previous_date, today, protocol, today_question)
    if intent in ("inform", "affirm") and named:
        return WaitReply("ask_date", previous_treatment=named)
    if intent == "affirm":  # the patient took up the offer to work out their dates
        return WaitReply("ask_treatment")
    return WaitReply("general", previous_treatment=named)


def _plan(
    previous: str, previous_date: dt.date, today: dt.date, protocol: ClinicProtocol, today_question: bool
) -> WaitReply:
    plan = compute_wait_plan(previous, previous_date, today, protocol)
    values = {
        "previous_treatment": TREATMENT_NAMES[plan.previous_treatment],
        "next_treatment": TREATMENT_NAMES[plan.next_treatment],
        "previous_date": format_day(plan.previous_date, today=today),
        "earliest_date": format_day(plan.earliest_date, today=today),
        "ideal_start": format_day(plan.ideal_window[0], today=today),
        "ideal_end": format_day(plan.ideal_window[1], today=today),
        "days_remaining": plan.days_remaining,
        "days_word": "day" if plan.days_remaining == 1 else "days",
    }
    return WaitReply(
        "plan",
        previous_treatment=previous,
        previous_date=previous_date,
        plan=plan,
        asks_about_today=today_question and not plan.is_planned,
        answer_values=values,
    )


def plan_answer_name(plan: WaitPlan) -> str:
    """Which of the clinic's wait-plan answers fits this plan today."""
    if plan.is_planned:
        return "wait_plan_planned"
    if not plan.ready_today:
        return "wait_plan_waiting"
    if not plan.past_ideal_window:
        return "wait_plan_ready"
    return "wait_plan_passed"


def which_date_outcome(plan: WaitPlan) -> Tuple[str, Dict[str, Any]]:
    """The clinic's piece of sentence for one of two dates offered, and its values."""
    values = {"next_treatment": TREATMENT_NAMES[plan.next_treatment],
              "earliest_date": format_day(plan.earliest_date, today=plan.today)}
    ready = not plan.is_planned and plan.earliest_date < plan.today
    return ("which_date_outcome_now" if ready else "which_date_outcome_from"), values
