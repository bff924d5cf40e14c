"""clinic/dates with a pinned clock: bare days, leap days, refusals, tense, several dates
in one message, and the treatments named.

Unless a test says otherwise, "today" is Saturday, November 21, 2026 (tests/unit/dates_helpers.py).
"""

from __future__ import annotations

from typing import Any, Dict

import pytest

from clinic.dates import (
    TreatmentMention,
    find_treatments,
    resolve_treatment_date,
)
from clinic.dates import tense as tense_reader
from clinic.protocol import DateRules
from tests.unit.dates_helpers import FRI_JAN_2, LABELLED, SAT, D, reason, refusal, when

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
        ("had botox the sunday before graduation",
         'I need the exact day, not just "the sunday before graduation". Which day was it?'),
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
        ("mn", "microneedling"), ("MN", "microneedling"), ("micro kneeling", "microneedling"),
    ],
)
def test_synonyms_and_typos(word: str, treatment: str) -> None:
    assert find_treatments(f"I had {word} yesterday").previous_treatment == treatment


def test_ordinary_words_are_not_treatments() -> None:
    assert find_treatments("I needed to ask about the box I got") == TreatmentMention(None, None)
    assert find_treatments("i'm doing a detox, is that ok") == TreatmentMention(None, None)


def test_readings_found_wrong_by_a_fresh_held_out_set() -> None:
    wed = D(2026, 11, 25)
    # A holiday with no verb at all is a report of the last one, up to 300 days back...
    assert resolve_treatment_date("botox victoria day, needling when", wed).date == D(2026, 5, 18)
    assert resolve_treatment_date("good friday botox, when needling", wed).date == D(2026, 4, 3)
    # ...and further back, that one or the coming one? The patient chooses.
    eve = resolve_treatment_date("microneedling on new years eve, botox after that when", wed)
    assert (eve.date, eve.choices) == (None, (D(2025, 12, 31), D(2026, 12, 31)))
    # A verb that says neither: asked about, whatever the distance.
    family_day = resolve_treatment_date("can i get botox on family day", wed)
    assert (family_day.date, family_day.choices) == (None, (D(2026, 2, 16), D(2027, 2, 15)))
    # The passive's "get" says planned or done.
    assert resolve_treatment_date("getting needled on new years eve, when can i get botox", wed).date == D(2026, 12, 31)
    assert resolve_treatment_date("got needled on new years eve, when can i get botox", wed).date == D(2025, 12, 31)
    # "<date> was when I had X": X is the dated treatment, whatever else is named after.
    labour_day = "Labour Day was when I had my microneedling and I never went back for the botox, can I do it now?"
    assert find_treatments(labour_day) == TreatmentMention("microneedling", "botox")
