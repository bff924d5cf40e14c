"""Date forms read on Thursday 2026-11-26, the day independent writers wrote
the stop-17 to stop-19 held-out sets and the dev20 round: which phrase means which date, and which
phrases are two dates the patient is asked to choose between."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic.dates import TreatmentMention, find_treatments, resolve_treatment_date
from tests.unit.dates_helpers import D, when

THU = D(2026, 11, 26)


@pytest.mark.parametrize(
    "text, today, expected",
    [
        # A weekday next to a holiday: the holiday's year by tense, then the weekday.
        ("had botox on the friday before halloween", THU, D(2026, 10, 30)),
        ("had botox the monday after thanksgiving", THU, D(2026, 10, 19)),
        ("booked for microneedling the saturday after boxing day", THU, D(2027, 1, 2)),
        # Two weeks on, on that weekday.
        ("the week after next on tuesday i have microneedling", THU, D(2026, 12, 8)),
        ("getting microneedling tuesday the week after next", THU, D(2026, 12, 8)),
        ("booked microneedling the tuesday after next", THU, D(2026, 12, 8)),
        # An appointment is a booking, even after "got".
        ("got a botox appt on valentine's day", THU, D(2027, 2, 14)),
        ("ive got an appointment for microneedling on boxing day", THU, D(2026, 12, 26)),
        ("had my botox appt on monday", THU, D(2026, 11, 23)),
        # Misspelt "yesterday".
        ("i had botox yestreday", THU, D(2026, 11, 25)),
    ],
)
def test_more_date_forms(text: str, today: D, expected: D) -> None:
    assert when(text, today) == expected


def test_the_weekday_after_next_can_be_two_dates() -> None:
    # On a Thursday, "next friday" is tomorrow or a week on, so the one after it is two dates too.
    resolution = resolve_treatment_date("booked microneedling the friday after next", THU)
    assert (resolution.date, resolution.choices) == (None, (D(2026, 12, 4), D(2026, 12, 11)))


@pytest.mark.parametrize(
    "text, today, expected",
    [
        # Another date phrase in the message settles two readings of "9/11" or "11/3".
        ("i had microneedling on 9/11 (sept 11), am i fine to book botox now?", THU, D(2026, 9, 11)),
        ("had botox 11/3 so like 3 wks ago, is microneedling ok now?", D(2026, 11, 25), D(2026, 11, 3)),
        # "i get ... on <date>": a booking.
        ("i get microneedling on the 3rd of december, how long before i can get botox", THU, D(2026, 12, 3)),
    ],
)
def test_two_readings_settled_by_the_message(text: str, today: D, expected: D) -> None:
    assert when(text, today) == expected


def test_a_week_apart_is_not_settled_by_about_a_week() -> None:
    # "last tues" on a Thursday: the 24th or the 17th; "about a week ago" lands between.
    resolution = resolve_treatment_date("had botox last tues, about a week ago", THU)
    assert resolution.choices == (D(2026, 11, 24), D(2026, 11, 17))
    assert resolve_treatment_date("had botox 11/3, when can i do microneedling", D(2026, 11, 25)).choices is not None


@pytest.mark.parametrize(
    "text, expected",
    [
        # The question's verb ("am i ok") is another clause's: the date's own says done.
        ("did my microneedling on victoria day, am i ok for botox now", D(2026, 5, 18)),
        # "ended up getting": done, not planned.
        ("my sister dragged me to a spa and i ended up getting microneedling on the 20th, when can i get botox",
         D(2026, 11, 20)),
    ],
)
def test_tense_from_the_dates_own_clause(text: str, expected: D) -> None:
    assert when(text, THU) == expected


def test_a_weekday_abbreviation_right_after_a_treatment_is_the_day() -> None:
    assert when("had tox sat at a place in mission, when can i get my dermaroller treatment", THU) == D(2026, 11, 21)
    assert when("i sat in the sun after botox on the 20th", THU) == D(2026, 11, 20)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("getting my needling done the day before christmas eve, how long after till botox", D(2026, 12, 23)),
        ("getting botox done dec 3", D(2026, 12, 3)),
        ("got my needling done the day before halloween, when botox", D(2026, 10, 30)),
    ],
)
def test_getting_it_done_is_planned_got_it_done_happened(text: str, expected: D) -> None:
    assert when(text, THU) == expected


@pytest.mark.parametrize(
    "text, today, expected",
    [
        # This week's has passed: the coming one, or the one a week later (writers read both).
        ("booked for botox next monday, when could i fit in microneedling", THU, (D(2026, 11, 30), D(2026, 12, 7))),
        ("getting needling next wed, how long after before i can get tox", THU, (D(2026, 12, 2), D(2026, 12, 9))),
        # Still ahead this week: tomorrow, or a week on.
        ("booked for needling next friday, when can i do tox", THU, (D(2026, 11, 27), D(2026, 12, 4))),
        # Said on a weekend, the coming week is "this week" to many.
        ("getting botox next monday", D(2026, 11, 28), (D(2026, 11, 30), D(2026, 12, 7))),
    ],
)
def test_next_weekday_that_can_be_two_dates_is_asked_about(text: str, today: D, expected: tuple) -> None:
    resolution = resolve_treatment_date(text, today)
    assert (resolution.date, resolution.choices) == (None, expected)


@pytest.mark.parametrize(
    "text, expected",
    [
        # A treatment one has (not has had) on a day is booked.
        ("i have microneedling on wed, when should i plan my dysport", D(2026, 12, 2)),
        ("i've got needling on the 3rd, tox when", D(2026, 12, 3)),
        ("i have had botox on monday, when needling", D(2026, 11, 23)),
        # A question that looks back ("would ... have been") says the treatment happened.
        ("botox on good friday, when would microneedling have been ok", D(2026, 4, 3)),
        ("microneedling on victoria day, when could i have gotten botox", D(2026, 5, 18)),
    ],
)
def test_having_a_treatment_on_a_day_and_looking_back(text: str, expected: D) -> None:
    assert when(text, THU) == expected


def test_asking_whether_one_can_have_it_on_a_day_is_not_a_booking() -> None:
    resolution = resolve_treatment_date("can i have botox on friday and needling after", THU)
    assert resolution.choices == (D(2026, 11, 20), D(2026, 11, 27))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("botox on valentines day coming up, needling when", D(2027, 2, 14)),
        ("microneedling on the upcoming family day, botox when", D(2027, 2, 15)),
        # "coming up on two weeks" counts the time since; it is not a booking.
        ("had botox on the 20th coming up on 2 weeks now, needling ok?", D(2026, 11, 20)),
    ],
)
def test_a_date_coming_up_is_ahead(text: str, expected: D) -> None:
    assert when(text, THU) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("last month on the 20th i had microneedling, can i get botox now or when", D(2026, 10, 20)),
        ("had botox the 20th last month", D(2026, 10, 20)),
        ("booked botox next month on the 3rd", D(2026, 12, 3)),
        ("tues of last wk i had botox, when microneedling", D(2026, 11, 17)),
        # "after cancelling twice", "after work": an ordinary Monday, not a day next to an event.
        ("finally got my botox done on monday after cancelling twice, when can i book the micro kneeling",
         D(2026, 11, 23)),
        ("had botox monday after work", D(2026, 11, 23)),
        # "done" hangs off the treatment; the "getting" above it says planned.
        ("getting needling done on new years eve, whens the earliest for botox", D(2026, 12, 31)),
    ],
)
def test_month_and_week_named_around_the_day(text: str, expected: D) -> None:
    assert when(text, THU) == expected


def test_a_day_next_to_an_event_we_cannot_date_is_vague() -> None:
    assert resolve_treatment_date("the sunday before the wedding i had botox", THU).refusal is not None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("my microneedling is set for december twelfth, when can i get botox", D(2026, 12, 12)),
        ("im pencilled in for botox on the 3rd, needling when", D(2026, 12, 3)),
        # A dash ends the clause: "is it safe" says nothing of the date.
        ("Had Xeomin Nov 3 — is it safe to do microneedling yet, and if not when?", D(2026, 11, 3)),
        ("botox last victoria day, when can i microneedle", D(2026, 5, 18)),
        ("microneedling on the coming boxing day, botox when", D(2026, 12, 26)),
        ("got botox 25.11. how soon can i do microneedling", D(2026, 11, 25)),
        # A time or an amount with a dot is not a date.
        ("had botox at 4.30 yesterday", D(2026, 11, 25)),
        ("had 2.5 ml of filler and botox 3 days ago", D(2026, 11, 23)),
    ],
)
def test_bookings_set_holidays_named_gone_and_dotted_days(text: str, expected: D) -> None:
    assert when(text, THU) == expected


def test_a_fraction_of_weeks_is_not_read_as_whole_weeks() -> None:
    resolution = resolve_treatment_date("its been 1.5 weeks since my botox, needling ok?", THU)
    assert resolution.date is None and resolution.refusal is not None


@pytest.mark.parametrize(
    "text, choices",
    [
        # Half a week is 3 or 4 days: the patient picks the day.
        ("botox 1.5 weeks ago", (D(2026, 11, 16), D(2026, 11, 15))),
        ("had microneedling like 2 and a half weeks ago, when can i get botox", (D(2026, 11, 9), D(2026, 11, 8))),
        ("botox two weeks and a half ago", (D(2026, 11, 9), D(2026, 11, 8))),
        ("getting botox in a week and a half", (D(2026, 12, 6), D(2026, 12, 7))),
        # Counted back from the last monday, which is this week's or last week's.
        ("i had needling two mondays ago, can i get botox yet", (D(2026, 11, 16), D(2026, 11, 9))),
        # "nxt" is "next": the coming saturday, or the one after?
        ("microneedling nxt sat, when can i get tox after", (D(2026, 11, 28), D(2026, 12, 5))),
        # A booking moved to "next thurs" said on a Thursday: a week on, or two?
        ("my tox got pushed from tmrw to next thurs. so whens the earliest needling after that",
         (D(2026, 12, 3), D(2026, 12, 10))),
        ("botox booked next thurs, how long after that till i can get microneedling", (D(2026, 12, 3), D(2026, 12, 10))),
    ],
)
def test_half_weeks_and_counted_weekdays_offer_both_days(text: str, choices: tuple) -> None:
    resolution = resolve_treatment_date(text, THU)
    assert (resolution.date, resolution.choices) == (None, choices)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I had Botox on the 18th, sorry no, the 19th, it was the Thursday. When can I get microneedling?",
         D(2026, 11, 19)),
        ("had xeomin sept 30, wait no it was oct 1, the thursday. when microneedling?", D(2026, 10, 1)),
        # Booked for a day is ahead, whatever the clause's other verb.
        ("microneedling sched for 12/18 when can i get botox after", D(2026, 12, 18)),
        ("got botox booked for new years eve so i look fresh at the party, when can i get microneedling", D(2026, 12, 31)),
        ("book botox dec 10, when can i come back for microneedling", D(2026, 12, 10)),
        ("i was booked for the 3rd but had botox on the 5th", D(2026, 11, 5)),
        # "I have <treatment> done on": written for "I had" as often as for a plan.
        ("I have botox done on remembrance day in forehead. now I want microneedling", D(2026, 11, 11)),
        ("Got Botox on Thanksgiving Monday before turkey dinner haha, is microneedling fine now?", D(2026, 10, 12)),
        ("i literally just walked out of my botox appt, when can i get needled", THU),
        # "botox this sat.": spaCy reads "sat" as the verb "sit"; it says nothing of the tense.
        ("botox this sat. when can i get microneedling", D(2026, 11, 28)),
        ("Family Day I've got botox booked, no hockey that day thank god, when can I get needling", D(2027, 2, 15)),
        # A booking moved: the new date.
        ("Microneedling was booked for Dec 1 but the clinic moved it to Dec 8. When can I do Botox after?",
         D(2026, 12, 8)),
        ("tox moved from the 7th to wed the 9th (work trip). when can i get microneedling after", D(2026, 12, 9)),
        ("was supposed to get microneedling yesterday but they bumped me to sat. when can i do botox after",
         D(2026, 11, 28)),
        # Another date first, then the treatment's, beside its second mention.
        ("so my wedding is jan 9 and my makeup artist says do microneedling first then botox. im booked for "
         "microneedling on dec 7, whens the earliest i can get my botox after", D(2026, 12, 7)),
        # Counted from the date before it.
        ("my boy's hockey tournament in Chilliwack was on the 14th and i got botox the monday after, when can I "
         "do microneedling", D(2026, 11, 16)),
        ("game was last saturday and i got microneedled the next morning, when can i get tox", D(2026, 11, 22)),
        ("my son's birthday was the 20th and i treated myself to botox 2 days before it, when can i get "
         "microneedling", D(2026, 11, 18)),
        ("had botox the day after halloween", D(2026, 11, 1)),
        # A text's "I'm" left out: "getting" with no helper is planned.
        ("getting needled sun, when can i go for botox after that", D(2026, 11, 29)),
        ("getting needled fri, when can i get botox after", D(2026, 11, 27)),
        ("sched for tox on the 9th of december, microneedling after when", D(2026, 12, 9)),
        ("appointment wed for xeomin, how long till i can get microneedling done", D(2026, 12, 2)),
        # Found by stop21d's one score.
        ("had botox wk ago can i get microneedling", D(2026, 11, 19)),
        ("got a boxing day appointment for microneedling, whens botox ok after", D(2026, 12, 26)),
        ("had my boxing day appointment for botox, needling when", D(2025, 12, 26)),
        ("ok so long story, i was supposed to get microneedling first but my esthetician was sick so i ended up "
         "just getting botox on the 16th instead, and now i still want the microneedling, when can i get it",
         D(2026, 11, 16)),
        # Found by stop21e's one score.
        ("I had microneedling done over Thanksgiving, on the actual Monday holiday. Is it alright to go ahead "
         "with Botox now?", D(2026, 10, 12)),
        ("had botox on the friday of the week before last, when can i get microneedling", D(2026, 11, 13)),
        ("had botox the week before last on friday", D(2026, 11, 13)),
        ("botox booked the week after next on tues", D(2026, 12, 8)),
        # A day of a holiday's own weekend.
        ("got botox the monday of thanksgiving weekend, when can i do needling", D(2026, 10, 12)),
        ("had needling the saturday of the may long weekend, botox when", D(2026, 5, 16)),
        ("booked botox for the sunday of easter weekend, needling after when", D(2027, 3, 28)),
        # A treatment's name parsed as a verb under "want to get": the wanting says planned.
        ("i want to get microneedling on boxing day, when could botox come after that", D(2026, 12, 26)),
        ("want to do needling dec 26, when botox after", D(2026, 12, 26)),
        ("i ended up getting microneedling on the 20th, botox when", D(2026, 11, 20)),
    ],
)
def test_dates_a_fourth_round_of_writers_gave(text: str, expected: dt.date) -> None:
    assert resolve_treatment_date(text, THU).date == expected


def test_after_that_names_the_later_treatment() -> None:
    text = "botox is booked for good friday, after that microneedling which date"
    assert find_treatments(text) == TreatmentMention("botox", "microneedling")
    assert find_treatments("after that botox i had, when can i get microneedling") == \
        TreatmentMention("botox", "microneedling")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I made an appointment for Botox on New Year's Day, a fresh start. Microneedling when?", D(2027, 1, 1)),
        ("i had an appointment on monday for botox", D(2026, 11, 23)),
        ("I got my Botox on 20.11.2026. When is microneedling possible?", D(2026, 11, 20)),
        ("I had microneedling on 14.XI.2026. When can I have Botox?", D(2026, 11, 14)),
        # The patient corrects the date: the correction counts.
        ("got botox on nov 5th, wait sorry, nov 6th, when can I get microneedling", D(2026, 11, 6)),
        ("i did the dermaroller thing on the 10th, no sorry the 12th, when can i get botox", D(2026, 11, 12)),
        # A weekday settles which day of the weekend.
        ("did microneedling over the weekend, on the saturday. botox when?", D(2026, 11, 21)),
    ],
)
def test_appointments_foreign_formats_corrections_and_weekend_days(text: str, expected: D) -> None:
    assert when(text, THU) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # Found by the stop-19 held-out set's first score.
        ("Had Botox done last week on the Wednesday, when would be the earliest for microneedling?", D(2026, 11, 18)),
        ("gt botox on valentines dy this yr lol, whens microneedling fine", D(2026, 2, 14)),
        ("treating myself to microneedling on valentines day, when can i get botox after that", D(2027, 2, 14)),
        # No verb beside the day: the last one.
        ("needling wed, tox when", D(2026, 11, 25)),
        ("dysport fri. needling when", D(2026, 11, 20)),
    ],
)
def test_week_named_before_the_day_and_days_with_no_verb(text: str, expected: D) -> None:
    assert when(text, THU) == expected


def test_a_day_counted_from_no_date_is_asked_for() -> None:
    resolution = resolve_treatment_date("i got botox the monday after, when can i do microneedling", THU)
    assert resolution.date is None and resolution.refusal is not None


def test_two_dates_away_from_the_treatment_are_asked_about() -> None:
    resolution = resolve_treatment_date("dinner on the 14th and lunch on the 16th. i had botox, when can i microneedle", THU)
    assert (resolution.date, resolution.choices) == (None, (D(2026, 11, 14), D(2026, 11, 16)))
    # A date beside the treatment settles it.
    assert resolve_treatment_date("wedding on dec 12. the 3rd i had botox, when can i microneedle", THU).date == \
        D(2026, 11, 3)


def test_a_count_of_days_settles_which_of_two_weekdays() -> None:
    text = "hey!! i had botox last tues, like 2 days ago, so when can i do microneedling"
    assert resolve_treatment_date(text, THU).date == D(2026, 11, 24)
    # "about a week ago" is near both readings; "4 days ago" is neither: still asked.
    for text in ("had botox last tues, about a week ago", "botox last tues, 4 days ago"):
        assert resolve_treatment_date(text, THU).choices == (D(2026, 11, 24), D(2026, 11, 17))


@pytest.mark.parametrize(
    "text, choices",
    [
        # Counted back in weekdays: the one counted, or a week later (an independent
        # writer read "two Fridays ago" said on a Thursday either way).
        ("I had Botox done two Fridays ago, when can I get microneedling?", (D(2026, 11, 13), D(2026, 11, 20))),
        ("i had needling three fridays ago", (D(2026, 11, 6), D(2026, 11, 13))),
        # The most recent one is this week's: counted from it, or from last week's.
        ("had botox 2 tuesdays ago", (D(2026, 11, 17), D(2026, 11, 10))),
    ],
)
def test_weekdays_counted_back_are_asked(text: str, choices: tuple) -> None:
    assert resolve_treatment_date(text, THU).choices == choices


def test_the_weekday_before_last_is_one_date() -> None:
    assert resolve_treatment_date("had botox the friday before last", THU).date == D(2026, 11, 13)


def test_a_weekday_beside_a_holiday_that_falls_on_another_day_is_asked() -> None:
    # Christmas 2025 was a Thursday: the Friday after it, or last Friday?
    assert resolve_treatment_date("had botox over christmas, on the friday", THU).choices == \
        (D(2025, 12, 26), D(2026, 11, 20))
