"""clinic/dates with a pinned clock: the date a patient means, or a clear refusal.

Unless a test says otherwise, "today" is Saturday, November 21, 2026.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import yaml

from clinic.answers import load_answers, render_text
from clinic.dates import (
    DateResolution,
    TreatmentMention,
    find_treatments,
    resolve_treatment_date,
    understand_message,
)
from clinic.dates import tense as tense_reader
from clinic.protocol import DateRules

D = dt.date
SAT = D(2026, 11, 21)  # Saturday
MON = D(2026, 11, 16)
WED = D(2026, 11, 18)
FRI_JAN_2 = D(2026, 1, 2)
DATA = Path(__file__).resolve().parent.parent / "data" / "date_sentences.yml"


def when(text: str, today: D = SAT, default_tense: str | None = None, **rules: Any) -> D | None:
    return resolve_treatment_date(text, today, DateRules(**rules), default_tense).date


def refusal(text: str, today: D = SAT, **rules: Any) -> str | None:
    return resolve_treatment_date(text, today, DateRules(**rules)).refusal_code


ANSWERS = load_answers()


def reason(resolution: DateResolution) -> str | None:
    """What the patient reads: the refusal in the clinic's wording."""
    if resolution.refusal is None:
        return None
    return render_text(ANSWERS, resolution.refusal.answer, None, resolution.refusal.values)


@pytest.fixture
def no_spacy() -> Iterator[None]:
    """Run as if spaCy were not installed (the word-list fallback)."""
    cache = tense_reader._nlp_cache
    saved = cache.get("nlp", "missing")
    cache["nlp"] = None
    yield
    if saved == "missing":
        cache.pop("nlp", None)
    else:
        cache["nlp"] = saved


# --------------------------------------------------------------------------
# The labelled set (the bench's sentences): every one must be right.
# --------------------------------------------------------------------------

def _labelled() -> List[Dict[str, Any]]:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return [dict(entry, today=entry.get("today", data["today"])) for entry in data["sentences"]]


LABELLED = _labelled()


def test_labelled_set_is_big_enough_and_well_formed() -> None:
    assert len(LABELLED) >= 70
    for entry in LABELLED:
        assert sum(key in entry for key in ("date", "ask", "refusal")) == 1, entry["text"]
        assert entry["previous"] in ("botox", "microneedling", None)


@pytest.mark.parametrize("entry", LABELLED, ids=[f"{i:03d}" for i in range(len(LABELLED))])
def test_labelled_sentence(entry: Dict[str, Any]) -> None:
    reading = understand_message(entry["text"], entry["today"], DateRules(month_first=entry.get("month_first", True)))
    assert (reading.previous_treatment, reading.next_treatment) == (entry["previous"], entry["next"])
    resolution = reading.date_resolution
    if "date" in entry:
        assert resolution.refusal is None, resolution.refusal
        assert resolution.date == entry["date"]
    elif "ask" in entry:
        assert (resolution.date, resolution.choices) == (None, tuple(entry["ask"]))
    else:
        assert resolution.date is None
        assert resolution.refusal_code == entry["refusal"]
        assert reason(resolution)


# --------------------------------------------------------------------------
# Relative days and counted offsets
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("had botox today", SAT),
        ("had botox this morning", SAT),
        ("had botox yesterday", D(2026, 11, 20)),
        ("had botox yday", D(2026, 11, 20)),
        ("getting botox tomorrow", D(2026, 11, 22)),
        ("getting botox tmrw", D(2026, 11, 22)),
        ("had botox the day before yesterday", D(2026, 11, 19)),
        ("botox the day after tomorrow", D(2026, 11, 23)),
    ],
)
def test_today_yesterday_tomorrow(text: str, expected: D) -> None:
    assert when(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("had botox eight days ago", D(2026, 11, 13)),
        ("had botox 8 days ago", D(2026, 11, 13)),
        ("had botox 8days ago", D(2026, 11, 13)),
        ("had botox a fortnight ago", D(2026, 11, 7)),
        ("had botox 2 wks ago", D(2026, 11, 7)),
        ("had botox a week ago", D(2026, 11, 14)),
        ("had botox couple weeks ago", D(2026, 11, 7)),
        ("had botox a couple of days ago", D(2026, 11, 19)),
        ("had botox twenty one days ago", D(2026, 10, 31)),
        ("had botox about 3 weeks back", D(2026, 10, 31)),
        ("had botox a month ago", D(2026, 10, 21)),
        ("had botox 3 months ago", D(2026, 8, 21)),
        ("it's been 10 days since my botox", D(2026, 11, 11)),
        ("had botox 2 weeks ago today", D(2026, 11, 7)),
    ],
)
def test_days_weeks_months_ago(text: str, expected: D) -> None:
    resolution = resolve_treatment_date(text, SAT)
    assert resolution.date == expected
    assert resolution.tense == "past"


def test_a_month_ago_from_a_long_month_lands_on_the_last_day() -> None:
    assert when("had botox a month ago", D(2026, 3, 31)) == D(2026, 2, 28)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("getting botox in 5 days", D(2026, 11, 26)),
        ("getting botox in five days", D(2026, 11, 26)),
        ("getting botox in 2 weeks", D(2026, 12, 5)),
        ("getting botox in a week", D(2026, 11, 28)),
        ("botox 10 days from now", D(2026, 12, 1)),
    ],
)
def test_in_n_days(text: str, expected: D) -> None:
    resolution = resolve_treatment_date(text, SAT)
    assert resolution.date == expected
    assert resolution.tense == "future"


# --------------------------------------------------------------------------
# Weekdays
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, today, expected",
    [
        ("had botox last saturday", SAT, D(2026, 11, 14)),  # said on a Saturday: a week ago
        ("had botox this past tues", WED, D(2026, 11, 17)),  # the most recent one, 1 day ago
        ("had botox last friday", FRI_JAN_2, D(2025, 12, 26)),  # across the new year
        ("had botox on monday", SAT, D(2026, 11, 16)),
        ("i had botox on friday", SAT, D(2026, 11, 20)),
        ("i had botox on saturday", SAT, D(2026, 11, 14)),  # a bare weekday is never today
        ("had botox tuesday last week", SAT, D(2026, 11, 10)),
        ("had botox last week on tuesday", SAT, D(2026, 11, 10)),
        ("had botox two weeks ago on tuesday", SAT, D(2026, 11, 3)),
        ("had botox tuesday just gone", SAT, D(2026, 11, 17)),
        ("had botox on wed", SAT, D(2026, 11, 18)),
        ("had botox on sat", SAT, D(2026, 11, 14)),
    ],
)
def test_past_weekdays(text: str, today: D, expected: D) -> None:
    assert when(text, today) == expected


@pytest.mark.parametrize(
    "text, today, expected",
    [
        # "this friday": the coming Friday, today included.
        ("getting botox this friday", SAT, D(2026, 11, 27)),
        ("getting botox this friday", WED, D(2026, 11, 20)),
        ("getting botox this friday", D(2026, 11, 20), D(2026, 11, 20)),
        # "this coming friday": the first Friday after today.
        ("getting botox this coming friday", D(2026, 11, 20), D(2026, 11, 27)),
        # "next friday": the Friday of next week (Monday-Sunday weeks).
        ("getting botox next friday", SAT, D(2026, 11, 27)),
        ("getting botox next monday", SAT, D(2026, 11, 23)),
        ("getting botox monday next week", WED, D(2026, 11, 23)),
        # A planned bare weekday is never today.
        ("im getting botox on friday", SAT, D(2026, 11, 27)),
        ("im getting botox on saturday", SAT, D(2026, 11, 28)),
        ("my botox is on friday", WED, D(2026, 11, 20)),
    ],
)
def test_coming_weekdays(text: str, today: D, expected: D) -> None:
    assert when(text, today) == expected


def test_this_monday_in_the_past_tense_is_this_weeks_monday() -> None:
    assert when("had microneedling this monday", SAT) == D(2026, 11, 16)


def test_a_bare_weekday_with_no_tense_is_asked_about() -> None:
    # Last Friday or the coming one: no verb says which, so the patient chooses.
    resolution = resolve_treatment_date("botox friday, when can i do microneedling", WED)
    assert (resolution.date, resolution.choices) == (None, (D(2026, 11, 13), D(2026, 11, 20)))
    assert resolution.tense == "unknown"
    assert resolve_treatment_date("had botox friday, when can i do microneedling", WED).date == D(2026, 11, 13)
    assert resolve_treatment_date("getting botox friday, when can i do microneedling", WED).date == D(2026, 11, 20)


def test_short_weekday_words_need_a_cue() -> None:
    # "sun" and "sat" alone are ordinary words, not dates.
    assert refusal("sat in the sun after botox, is that ok") == "no_date"
    # "fri" is no other word, whatever follows it.
    assert resolve_treatment_date("had microneedling fri and i want botox next", WED).date == D(2026, 11, 13)


# --------------------------------------------------------------------------
# Month and day, numeric dates
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "had botox November 3rd",
        "had botox november 3",
        "had botox nov 3",
        "had botox Nov. 3",
        "had botox 3 Nov",
        "had botox 3rd of november",
        "had botox on the third of november",
        "had botox novmber 3rd",
        "had botox 2026-11-03",
        "had botox 3 November, 2026",
        "had botox nov 3 2026",
    ],
)
def test_month_and_day_in_any_common_order(text: str) -> None:
    assert when(text) == D(2026, 11, 3)


def test_fourteen_november() -> None:
    assert when("did microneedling on 14 November") == D(2026, 11, 14)


def test_explicit_year_is_kept() -> None:
    assert when("had botox Nov 3 2025") == D(2025, 11, 3)
    assert when("had botox 3 November, 2025") == D(2025, 11, 3)


def choices(text: str, today: D = SAT, **rules: Any) -> tuple | None:
    return resolve_treatment_date(text, today, DateRules(**rules)).choices


@pytest.mark.parametrize(
    "text, today, expected",
    [
        # "last monday" said on a Wednesday: this week's Monday, or last week's?
        ("had botox last tuesday", SAT, (D(2026, 11, 17), D(2026, 11, 10))),
        ("had botox last tues", WED, (D(2026, 11, 17), D(2026, 11, 10))),
        # "next friday" said on a Monday: this week's Friday, or next week's?
        ("getting botox next friday", MON, (D(2026, 11, 20), D(2026, 11, 27))),
        ("getting botox next fri", D(2026, 11, 25), (D(2026, 11, 27), D(2026, 12, 4))),
        ("had microneedling a week and a half ago", SAT, (D(2026, 11, 11), D(2026, 11, 10))),
        ("had botox the friday before last", SAT, (D(2026, 11, 13), D(2026, 11, 6))),
        ("had botox the monday before last", D(2026, 11, 25), (D(2026, 11, 16), D(2026, 11, 9))),
        ("had botox last weekend", WED, (D(2026, 11, 14), D(2026, 11, 15))),
        ("getting botox this weekend", WED, (D(2026, 11, 21), D(2026, 11, 22))),
        # Both numbers could be the month: the clinic's reading first.
        ("had botox 11/3", SAT, (D(2026, 11, 3), D(2026, 3, 11))),
        ("had botox 11-3", SAT, (D(2026, 11, 3), D(2026, 3, 11))),
        ("had botox 11/3/25", SAT, (D(2025, 11, 3), D(2025, 3, 11))),
    ],
)
def test_two_readings_are_offered_not_guessed(text: str, today: D, expected: tuple) -> None:
    resolution = resolve_treatment_date(text, today)
    assert (resolution.date, resolution.choices) == (None, expected)


def test_the_clinics_numeric_order_comes_first() -> None:
    assert choices("had botox 11/10") == (D(2026, 11, 10), D(2026, 10, 11))
    assert choices("had botox 11/10", month_first=False) == (D(2026, 10, 11), D(2026, 11, 10))
    assert when("had botox 18/11") == D(2026, 11, 18)  # only one reading is a date
    assert when("had botox 11/11") == D(2026, 11, 11)  # both readings are the same day


@pytest.mark.parametrize(
    "text, today, expected",
    [
        ("had botox on remembrance day", SAT, D(2026, 11, 11)),
        ("got needled on truth and reconciliation day", SAT, D(2026, 9, 30)),
        ("had botox on orange shirt day", SAT, D(2026, 9, 30)),
        ("booked for botox on boxing day", SAT, D(2026, 12, 26)),
        ("had microneedling on thanksgiving monday", SAT, D(2026, 10, 12)),
        ("had botox on family day", SAT, D(2026, 2, 16)),
        ("getting botox on family day", SAT, D(2027, 2, 15)),
        ("had botox the day after christmas last year", SAT, D(2025, 12, 26)),
        ("had microneedling on easter monday", SAT, D(2026, 4, 6)),
        ("had botox on victoria day", SAT, D(2026, 5, 18)),
        ("had botox on bc day", SAT, D(2026, 8, 3)),
        ("had botox on canada day", SAT, D(2026, 7, 1)),
        ("getting tox new year's eve", SAT, D(2026, 12, 31)),
        ("had botox on valentine's day", SAT, D(2026, 2, 14)),
    ],
)
def test_holidays_have_british_columbias_dates(text: str, today: D, expected: D) -> None:
    assert when(text, today) == expected


@pytest.mark.parametrize(
    "text, today, expected",
    [
        ("had botox sun, when can i do microneedling", D(2026, 11, 25), D(2026, 11, 22)),
        ("getting microneedling sat, when can i get tox", D(2026, 11, 25), D(2026, 11, 28)),
        ("im booked for botox this sat", D(2026, 11, 25), D(2026, 11, 28)),
        ("microneedling this friday, how soon can i get botox", D(2026, 11, 25), D(2026, 11, 27)),
        ("getting microneedling a week from friday", D(2026, 11, 25), D(2026, 12, 4)),
        ("its been 20 days since my botox", D(2026, 11, 25), D(2026, 11, 5)),
        ("botox sheduled for dec 3rd", D(2026, 11, 25), D(2026, 12, 3)),  # a typo still books ahead
    ],
)
def test_short_weekdays_and_bookings(text: str, today: D, expected: D) -> None:
    assert when(text, today) == expected


def test_numeric_date_with_only_one_possible_reading_is_taken() -> None:
    assert when("had botox 13/10") == D(2026, 10, 13)
    assert when("had botox 10/13", month_first=False) == D(2026, 10, 13)


def test_a_date_said_on_that_day_is_today() -> None:
    assert when("had botox nov 21") == SAT
    assert when("getting botox nov 21") == SAT
    assert when("had botox on the 21st") == SAT


def test_month_day_without_year_follows_the_tense() -> None:
    assert when("had botox december 5") == D(2025, 12, 5)
    assert when("I booked botox for december 5") == D(2026, 12, 5)
    assert when("getting botox oct 5") == D(2027, 10, 5)
    assert when("had botox oct 5") == D(2026, 10, 5)


def test_month_day_with_no_tense_prefers_the_recent_past_else_the_nearer() -> None:
    assert when("botox oct 5") == D(2026, 10, 5)  # 47 days ago
    assert when("botox december 5") == D(2026, 12, 5)  # past reading would be 351 days ago


def test_month_day_across_the_year_boundary() -> None:
    assert when("had botox on dec 30", FRI_JAN_2) == D(2025, 12, 30)
    assert when("getting botox jan 5", D(2025, 12, 28)) == D(2026, 1, 5)


# --------------------------------------------------------------------------
# Bare day of the month
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, today, expected",
    [
        ("had botox the 2nd", SAT, D(2026, 11, 2)),
        ("had botox on the 1st", SAT, D(2026, 11, 1)),
        ("had botox on the 25th", SAT, D(2026, 10, 25)),
        ("getting botox on the 25th", SAT, D(2026, 11, 25)),
        ("getting botox on the 3rd", SAT, D(2026, 12, 3)),
        ("had botox on the 31st", SAT, D(2026, 10, 31)),  # November has no 31st
        ("getting botox on the 31st", SAT, D(2026, 12, 31)),
        # The 30th said on March 15: February has no 30th, so January.
        ("i had botox on the 30th", D(2026, 3, 15), D(2026, 1, 30)),
        ("im getting botox on the 30th", D(2026, 2, 10), D(2026, 3, 30)),
        ("had botox on the 30th", FRI_JAN_2, D(2025, 12, 30)),
        ("had botox on the 2nd of this month", SAT, D(2026, 11, 2)),
        ("had botox on the 28th of last month", SAT, D(2026, 10, 28)),
        ("getting botox on the 5th of next month", SAT, D(2026, 12, 5)),
        ("had botox on the second", SAT, D(2026, 11, 2)),
    ],
)
def test_bare_day_of_month(text: str, today: D, expected: D) -> None:
    assert when(text, today) == expected


def test_counting_words_are_not_dates() -> None:
    assert refusal("this is my 2nd botox, when can i do microneedling") == "no_date"
    assert refusal("it was my first time having microneedling") == "no_date"


# --------------------------------------------------------------------------
# Leap day
# --------------------------------------------------------------------------

def test_leap_day_in_a_leap_year() -> None:
    assert when("had botox on feb 29", D(2028, 3, 10)) == D(2028, 2, 29)
    assert when("getting botox feb 29 2028", D(2027, 11, 1)) == D(2028, 2, 29)
    assert when("had botox feb 29 2024") == D(2024, 2, 29)


def test_leap_day_refused_when_the_year_has_none() -> None:
    resolution = resolve_treatment_date("had botox on feb 29", SAT)
    assert resolution.refusal_code == "impossible_date"
    assert reason(resolution) == "There's no February 29 in 2026. Which day did you mean?"
    assert refusal("had botox feb 29 2025") == "impossible_date"
    assert reason(resolve_treatment_date("had botox feb 29 2025", SAT)) == (
        "There's no February 29 in 2025. Which day did you mean?")


# --------------------------------------------------------------------------
# Refusals
# --------------------------------------------------------------------------

def test_impossible_dates_are_refused_with_a_reason() -> None:
    feb30 = resolve_treatment_date("had botox on February 30", SAT)
    assert (feb30.date, feb30.refusal_code) == (None, "impossible_date")
    assert reason(feb30) == "February 30 isn't a real date."
    assert feb30.matched_text == "February 30"
    assert reason(resolve_treatment_date("had botox on the 32nd", SAT)) == "No month has a 32nd day."
    assert refusal("had botox 13/45") == "impossible_date"
    assert refusal("had botox april 31") == "impossible_date"


def test_too_far_in_the_future() -> None:
    resolution = resolve_treatment_date("getting botox dec 5 2027", SAT)
    assert resolution.refusal_code == "too_far_future"
    assert reason(resolution) == "That date is more than 365 days away. Could you check it?"
    assert refusal("getting botox in 14 months") == "too_far_future"
    assert refusal("getting botox in 40 days", max_days_ahead=30) == "too_far_future"
    assert when("getting botox in 30 days", max_days_ahead=30) == D(2026, 12, 21)
    assert when("getting botox nov 21 2027") == D(2027, 11, 21)  # exactly 365 days: allowed


def test_old_dates_are_fine_but_not_a_mistyped_decade() -> None:
    assert when("had botox 2 yrs ago") == D(2024, 11, 21)
    assert when("had botox nov 3 2019") == D(2019, 11, 3)
    resolution = resolve_treatment_date("had botox oct 31 2016", SAT)
    assert resolution.refusal_code == "too_far_past"
    assert reason(resolution) == "That date is more than 10 years ago. Could you check the year?"


@pytest.mark.parametrize("text", ["hi what are your hours", "when can I get botox?", "", "   "])
def test_no_date(text: str) -> None:
    resolution = resolve_treatment_date(text, SAT)
    assert (resolution.date, resolution.tense, resolution.matched_text) == (None, "unknown", None)
    assert resolution.refusal_code == "no_date"
    assert reason(resolution) == "I couldn't find a date in that."


@pytest.mark.parametrize(
    "text, expected",
    [
        ("had botox last week", 'I need the exact day, not just "last week". Which day was it?'),
        ("had botox a few days ago", 'I need the exact day, not just "a few days ago". Which day was it?'),
        ("had botox 2-3 weeks ago", 'I need the exact day, not just "2-3 weeks ago". Which day was it?'),
        ("had botox in early november", 'I need the exact day, not just "early november". Which day was it?'),
        ("had botox the sunday before thanksgiving",
         'I need the exact day, not just "the sunday before thanksgiving". Which day was it?'),
        ("had botox recently", 'I need the exact day, not just "recently". Which day was it?'),
    ],
)
def test_vague_dates_ask_for_the_day(text: str, expected: str) -> None:
    resolution = resolve_treatment_date(text, SAT)
    assert resolution.refusal_code == "no_date"
    assert reason(resolution) == expected


def test_a_day_in_a_vague_week_is_exact() -> None:
    assert when("had botox last week on monday") == D(2026, 11, 9)


# --------------------------------------------------------------------------
# Tense: spaCy reads the verb
# --------------------------------------------------------------------------

def test_spacy_model_is_loaded_once() -> None:
    assert tense_reader.spacy_available()
    assert tense_reader.spacy_pipeline() is tense_reader.spacy_pipeline()


@pytest.mark.parametrize(
    "text, tense, expected",
    [
        ("I had botox on the 3rd", "past", D(2026, 11, 3)),
        ("i got botox on the 3rd", "past", D(2026, 11, 3)),
        ("i did my botox on the 3rd", "past", D(2026, 11, 3)),
        ("I've had botox on the 3rd", "past", D(2026, 11, 3)),
        ("my botox was on friday", "past", D(2026, 11, 20)),
        ("I'm getting botox on the 3rd", "future", D(2026, 12, 3)),
        ("I booked botox for the 3rd", "future", D(2026, 12, 3)),
        ("I'm booked for botox on friday", "future", D(2026, 11, 27)),
        ("im planning to get botox on the 3rd", "future", D(2026, 12, 3)),
        ("I will have botox on the 3rd", "future", D(2026, 12, 3)),
        ("I'm going to get botox December 5", "future", D(2026, 12, 5)),
        ("gonna get tox on the 3rd", "future", D(2026, 12, 3)),
        ("I have an appointment for botox on the 3rd", "future", D(2026, 12, 3)),
        ("it's scheduled for the 3rd, the botox", "future", D(2026, 12, 3)),
    ],
)
def test_tense_picks_the_past_or_coming_date(text: str, tense: str, expected: D) -> None:
    resolution = resolve_treatment_date(text, SAT)
    assert (resolution.tense, resolution.date) == (tense, expected)


@pytest.mark.parametrize(
    "text, expected",
    [
        # The auxiliaries decide, not the nearest tense-looking word.
        ("i'll be done with botox on the 28th", D(2026, 11, 28)),
        ("my botox got moved, it's now on the 28th", D(2026, 11, 28)),
        ("i get my botox on the 28th", D(2026, 11, 28)),
    ],
)
def test_spacy_reads_the_verb_phrase(text: str, expected: D) -> None:
    assert when(text) == expected


def test_explicit_words_beat_the_verb() -> None:
    # "last" and "ago" are past, "next" and "in" are future, whatever the verb.
    assert when("i'm getting botox, had the consult 3 days ago") == D(2026, 11, 18)
    assert when("I had booked botox in 3 days") == D(2026, 11, 24)


def test_a_correction_takes_the_tense_it_is_given() -> None:
    # "meant" is the correction's verb, not the treatment's.
    assert resolve_treatment_date("sorry i meant the 5th", SAT).tense == "unknown"
    assert when("sorry i meant the 5th") == D(2026, 11, 5)
    assert when("sorry i meant the 5th", default_tense="future") == D(2026, 12, 5)
    assert when("sorry i meant friday", default_tense="future") == D(2026, 11, 27)
    # The message's own tense still wins over the default.
    assert when("no, i had it on the 25th", default_tense="future") == D(2026, 10, 25)
    with pytest.raises(ValueError):
        resolve_treatment_date("the 5th", SAT, default_tense="soon")


def test_without_spacy_the_word_list_still_works(no_spacy: None) -> None:
    assert not tense_reader.spacy_available()
    assert when("I had botox on the 3rd") == D(2026, 11, 3)
    assert when("I'm getting botox on the 3rd") == D(2026, 12, 3)
    assert when("had botox this past tuesday") == D(2026, 11, 17)
    assert refusal("had botox on February 30") == "impossible_date"
    assert refusal("botox around thanksgiving") == "no_date"


@pytest.mark.parametrize("entry", LABELLED[::5], ids=lambda e: e["text"][:30])
def test_labelled_sentences_without_spacy(entry: Dict[str, Any], no_spacy: None) -> None:
    resolution = resolve_treatment_date(
        entry["text"], entry["today"], DateRules(month_first=entry.get("month_first", True)))
    if "date" in entry:
        assert resolution.date == entry["date"]
    elif "ask" in entry:
        assert resolution.choices == tuple(entry["ask"])
    else:
        assert resolution.refusal_code == entry["refusal"]


def test_spacy_date_entity_names_the_unclear_span() -> None:
    hinted = resolve_treatment_date("I had Botox in the spring", SAT)
    assert (hinted.date, hinted.refusal_code, hinted.matched_text) == (None, "no_date", "the spring")
    assert reason(hinted) == 'I couldn\'t work out the exact day from "the spring". Which date was it?'
    near = resolve_treatment_date("I had Botox around Thanksgiving", SAT)
    assert reason(near) == 'I need the exact day, not just "around thanksgiving". Which day was it?'
    # A length of time is not a date to ask about.
    plain = resolve_treatment_date("is it ok to do microneedling 10 days after botox", SAT)
    assert reason(plain) == "I couldn't find a date in that."


# --------------------------------------------------------------------------
# Which date, when a message has several
# --------------------------------------------------------------------------

def test_the_date_of_the_first_treatment_is_chosen_over_the_question() -> None:
    assert when("can i get microneedling today? i had botox 10 days ago") == D(2026, 11, 11)
    assert when("I had botox on nov 3, can I do microneedling on dec 1?") == D(2026, 11, 3)
    assert when("i had botox yesterday, can i do microneedling in 2 weeks") == D(2026, 11, 20)
    assert when("Can I get botox on the 28th? I had microneedling on the 10th") == D(2026, 11, 10)


@pytest.mark.parametrize(
    "text",
    [
        "I had botox, can I get microneedling today?",
        "had botox, microneedling today ok?",
        "can i get botox on the 28th?",
    ],
)
def test_a_day_asked_about_for_the_next_treatment_is_not_the_first_date(text: str) -> None:
    assert refusal(text) == "no_date"


def test_a_question_day_does_not_hide_a_vague_first_date() -> None:
    resolution = resolve_treatment_date("can i do microneedling tomorrow, i had botox last week", SAT)
    assert (resolution.refusal_code, resolution.matched_text) == ("no_date", "last week")


def test_weekday_with_a_date_uses_the_date_and_checks_the_weekday() -> None:
    assert when("got botox wednesday the 18th") == D(2026, 11, 18)
    assert when("I had my Botox on Monday November 16") == D(2026, 11, 16)
    assert when("had tox on tues 17th") == D(2026, 11, 17)
    assert when("getting botox on thursday the 3rd") == D(2026, 12, 3)  # tense says future; it is a Thursday
    wrong = resolve_treatment_date("had tox on monday nov 17", SAT)
    assert wrong.refusal_code == "impossible_date"
    assert reason(wrong) == "November 17, 2026 is a Tuesday, not a Monday. Which day did you mean?"


def test_ago_counted_from_tomorrow_or_yesterday() -> None:
    assert when("Botox was 2 weeks ago tomorrow") == D(2026, 11, 8)
    assert when("had botox a week ago yesterday") == D(2026, 11, 13)


def test_matched_text_is_the_span_understood() -> None:
    assert resolve_treatment_date("I had Botox last Tuesday, ok?", SAT).matched_text == "last Tuesday"
    assert resolve_treatment_date("had botox on the 3rd", SAT).matched_text == "the 3rd"


# --------------------------------------------------------------------------
# Treatments
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, previous, following",
    [
        ("I had botox on the 3rd, when can I get microneedling", "botox", "microneedling"),
        ("when can i get botox, had needling 3 days ago", "microneedling", "botox"),
        ("when can i get botox had needling 3 days ago", "microneedling", "botox"),
        ("I had botox on the 3rd, when can I come back for my other treatment?", "botox", "microneedling"),
        ("when can I get botox?", "microneedling", "botox"),
        ("how long after microneedling can i get botox", "microneedling", "botox"),
        ("how long should i wait before botox if i had microneedling", "microneedling", "botox"),
        ("can i do microneedling 2 weeks after botox", "botox", "microneedling"),
        ("i want microneedling but i had botox on wednesday", "botox", "microneedling"),
        ("im getting botox friday, when can i do microneedling", "botox", "microneedling"),
        ("When can I do microneedling? Botox was Nov 2", "botox", "microneedling"),
        ("botox", "botox", "microneedling"),
        ("what are your hours", None, None),
    ],
)
def test_which_treatment_came_first(text: str, previous: str | None, following: str | None) -> None:
    assert find_treatments(text) == TreatmentMention(previous, following)


@pytest.mark.parametrize(
    "word, treatment",
    [
        ("botox", "botox"), ("Botox", "botox"), ("botx", "botox"), ("bottox", "botox"), ("btox", "botox"),
        ("tox", "botox"), ("baby botox", "botox"), ("botulinum toxin", "botox"), ("neurotoxin", "botox"),
        ("dysport", "botox"), ("Xeomin", "botox"), ("wrinkle injections", "botox"), ("botoxed", "botox"),
        ("bptox", "botox"),
        ("microneedling", "microneedling"), ("micro needling", "microneedling"),
        ("micro-needling", "microneedling"), ("microneedlin", "microneedling"),
        ("micro-needle", "microneedling"), ("mirco needling", "microneedling"), ("needling", "microneedling"),
        ("microneedled", "microneedling"), ("needled", "microneedling"), ("skin needling", "microneedling"),
        ("collagen induction therapy", "microneedling"), ("CIT", "microneedling"),
        ("dermapen", "microneedling"), ("derma roller", "microneedling"), ("SkinPen", "microneedling"),
        ("micronedling", "microneedling"), ("microneedlng", "microneedling"),
    ],
)
def test_synonyms_and_typos(word: str, treatment: str) -> None:
    assert find_treatments(f"I had {word} yesterday").previous_treatment == treatment


def test_ordinary_words_are_not_treatments() -> None:
    assert find_treatments("I needed to ask about the box I got") == TreatmentMention(None, None)
    assert find_treatments("i'm doing a detox, is that ok") == TreatmentMention(None, None)
