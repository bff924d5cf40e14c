"""clinic/dates with a pinned clock: relative days, weekdays, months and numeric dates.

Unless a test says otherwise, "today" is Saturday, November 21, 2026 (tests/unit/dates_helpers.py).
"""

from __future__ import annotations

from typing import Any, Dict

import pytest

from clinic.dates import (
    resolve_treatment_date,
    understand_message,
)
from clinic.protocol import DateRules
from tests.unit.dates_helpers import FRI_JAN_2, LABELLED, MON, SAT, WED, D, reason, refusal, when

# --------------------------------------------------------------------------
# The labelled set (the bench's sentences): every one must be right.
# --------------------------------------------------------------------------



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
        ("microneedling a week from tomorrow", D(2026, 11, 29)),
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
        ("getting botox monday next week", WED, D(2026, 11, 23)),
        # A planned bare weekday is never today.
        ("im getting botox on friday", SAT, D(2026, 11, 27)),
        ("im getting botox on saturday", SAT, D(2026, 11, 28)),
        ("my botox is on friday", WED, D(2026, 11, 20)),
    ],
)
def test_coming_weekdays(text: str, today: D, expected: D) -> None:
    assert when(text, today) == expected


@pytest.mark.parametrize(
    "text, today, expected",
    [
        # Said on a Saturday: next week's Friday, or the week after's? Independent
        # readers took it both ways, so the patient is asked.
        ("getting botox next friday", SAT, (D(2026, 11, 27), D(2026, 12, 4))),
        ("getting botox next monday", SAT, (D(2026, 11, 23), D(2026, 11, 30))),
        # Said on a Wednesday: this week's Friday, or next week's?
        ("getting botox next friday", WED, (D(2026, 11, 20), D(2026, 11, 27))),
    ],
)
def test_next_weekday_other_than_today_is_asked_about(text: str, today: D, expected: tuple) -> None:
    resolution = resolve_treatment_date(text, today)
    assert (resolution.date, resolution.choices) == (None, expected)


def test_next_weekday_said_on_that_weekday_is_a_week_on_or_two() -> None:
    # Most writers take a week on; one independent writer in nine took two weeks on.
    resolution = resolve_treatment_date("getting botox next saturday", SAT)
    assert (resolution.date, resolution.choices) == (None, (D(2026, 11, 28), D(2026, 12, 5)))


def test_this_monday_in_the_past_tense_is_this_weeks_monday() -> None:
    assert when("had microneedling this monday", SAT) == D(2026, 11, 16)


def test_a_bare_weekday_with_no_tense_is_the_last_one_unless_a_verb_leaves_it_open() -> None:
    # No verb at all beside the day: what was done, as independent writers all read it.
    assert resolve_treatment_date("botox friday, when can i do microneedling", WED).date == D(2026, 11, 13)
    # "can i have ... on friday": a verb that says neither; the patient chooses.
    resolution = resolve_treatment_date("can i have botox on friday and microneedling after", WED)
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


def test_month_day_with_no_tense_is_the_recent_past_else_asked_about() -> None:
    assert when("botox oct 5") == D(2026, 10, 5)  # 47 days ago
    # Last December 5 (351 days ago) or the coming one: no verb says which.
    resolution = resolve_treatment_date("botox december 5", SAT)
    assert (resolution.date, resolution.choices) == (None, (D(2025, 12, 5), D(2026, 12, 5)))
    assert when("getting botox december 5") == D(2026, 12, 5)


def test_month_day_across_the_year_boundary() -> None:
    assert when("had botox on dec 30", FRI_JAN_2) == D(2025, 12, 30)
    assert when("getting botox jan 5", D(2025, 12, 28)) == D(2026, 1, 5)
