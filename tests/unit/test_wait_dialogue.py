"""What the bot does with a timing message, given what it already knows.
Pinned clock: today is Saturday, November 21, 2026."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic.dates import understand_message
from clinic.protocol import load_protocol
from clinic.wait_dialogue import KnownTreatment, decide_wait_reply, is_dated_timing_question, plan_answer_name

TODAY = dt.date(2026, 11, 21)
PROTOCOL = load_protocol()
NOTHING = KnownTreatment()
BOTOX_NOV_3 = KnownTreatment("botox", dt.date(2026, 11, 3))


def test_a_dated_question_gives_a_plan_at_once() -> None:
    reply = decide_wait_reply("I had microneedling 3 days ago, when can I get Botox?", TODAY, PROTOCOL, NOTHING)
    assert reply.kind == "plan"
    assert reply.plan.previous_treatment == "microneedling" and reply.plan.next_treatment == "botox"
    assert reply.plan.previous_date == dt.date(2026, 11, 18)
    assert reply.plan.earliest_date == dt.date(2026, 12, 2)
    assert reply.answer_values["earliest_date"] == "Wednesday, December 2"
    assert reply.answer_values["days_remaining"] == 11
    assert plan_answer_name(reply.plan) == "wait_plan_waiting"


def test_a_follow_up_without_a_date_uses_what_the_conversation_knows() -> None:
    reply = decide_wait_reply("and when is the ideal time?", TODAY, PROTOCOL, BOTOX_NOV_3)
    assert reply.kind == "plan" and reply.plan.previous_date == dt.date(2026, 11, 3)
    assert reply.plan.ideal_window == (dt.date(2026, 11, 17), dt.date(2026, 12, 1))
    assert plan_answer_name(reply.plan) == "wait_plan_ready"


def test_a_correction_keeps_the_treatment_and_changes_the_date() -> None:
    reply = decide_wait_reply("sorry, I meant the 5th", TODAY, PROTOCOL, BOTOX_NOV_3, "inform")
    assert reply.kind == "plan"
    assert (reply.plan.previous_treatment, reply.plan.previous_date) == ("botox", dt.date(2026, 11, 5))


def test_a_date_with_no_treatment_asks_which_came_first() -> None:
    reply = decide_wait_reply("it was this past tuesday", TODAY, PROTOCOL, NOTHING, "inform")
    assert reply.kind == "ask_treatment" and reply.previous_date == dt.date(2026, 11, 17)


def test_a_treatment_with_no_date_asks_when() -> None:
    reply = decide_wait_reply("i had botox", TODAY, PROTOCOL, NOTHING, "inform")
    assert reply.kind == "ask_date" and reply.previous_treatment == "botox"


def test_a_question_with_no_date_gets_general_guidance() -> None:
    assert decide_wait_reply("how long between botox and needling", TODAY, PROTOCOL, NOTHING).kind == "general"


def test_an_impossible_date_is_refused_with_a_reason() -> None:
    reply = decide_wait_reply("i had botox on february 30", TODAY, PROTOCOL, NOTHING)
    assert reply.kind == "reask_date"
    assert (reply.refusal.answer, reply.refusal.values) == ("date_not_real", {"date": "February 30"})
    assert reply.previous_treatment == "botox"


def test_a_date_more_than_a_year_ahead_is_refused() -> None:
    reply = decide_wait_reply("i'm booked for botox on december 5 2028", TODAY, PROTOCOL, NOTHING)
    assert reply.kind == "reask_date"


def test_a_planned_treatment_gives_future_dates() -> None:
    reply = decide_wait_reply("i'm getting botox this coming friday, when can i do microneedling?", TODAY, PROTOCOL, NOTHING)
    assert reply.plan.previous_date == dt.date(2026, 11, 27)
    assert plan_answer_name(reply.plan) == "wait_plan_planned"


def test_a_long_past_treatment_says_the_wait_has_passed() -> None:
    reply = decide_wait_reply("had microneedling on march 3, can i get botox", TODAY, PROTOCOL, NOTHING)
    assert plan_answer_name(reply.plan) == "wait_plan_passed" and reply.plan.days_remaining == 0


def test_a_vague_month_asks_for_the_exact_day() -> None:
    reply = decide_wait_reply("had microneedling in march, can i get botox", TODAY, PROTOCOL, NOTHING)
    assert reply.kind == "reask_date" and reply.plan is None
    assert (reply.refusal.answer, reply.refusal.values) == ("date_vague", {"phrase": "in march"})
    assert reply.previous_treatment == "microneedling"


@pytest.mark.parametrize(
    "text, asks_today, previous_date",
    [
        ("can i get microneedling today? i had botox nov 1", True, dt.date(2026, 11, 1)),
        ("is it ok to do needling now", True, dt.date(2026, 11, 3)),
        ("i had botox today", False, TODAY),
        ("i had botox today, can i get needling today?", True, TODAY),
        ("I had botox on nov 3", False, dt.date(2026, 11, 3)),
    ],
)
def test_can_i_do_it_today_questions_are_recognised(text: str, asks_today: bool, previous_date: dt.date) -> None:
    reply = decide_wait_reply(text, TODAY, PROTOCOL, BOTOX_NOV_3)
    assert reply.kind == "plan" and reply.plan.previous_date == previous_date
    assert reply.asks_about_today is asks_today


def test_today_question_gets_a_direct_yes_or_not_yet() -> None:
    ready = decide_wait_reply("can i get microneedling today? i had botox nov 1", TODAY, PROTOCOL, NOTHING)
    assert ready.asks_about_today and ready.plan.days_remaining == 0
    waiting = decide_wait_reply("can i get microneedling today? i had botox 4 days ago", TODAY, PROTOCOL, NOTHING)
    assert waiting.asks_about_today and waiting.plan.days_remaining == 10


def test_can_i_do_it_today_after_a_plan_asks_about_the_known_plan() -> None:
    known = KnownTreatment("botox", dt.date(2026, 11, 17))
    reply = decide_wait_reply("can i do it today?", TODAY, PROTOCOL, known, "wait_time")
    assert reply.kind == "plan" and reply.plan.previous_date == dt.date(2026, 11, 17)
    assert reply.asks_about_today and reply.plan.days_remaining == 10
    had_today = decide_wait_reply("i had botox today", TODAY, PROTOCOL, known, "inform")
    assert had_today.plan.previous_date == TODAY


def test_a_treatment_button_after_a_date_completes_the_plan() -> None:
    """Bot asked "which treatment first?" after "it was this past tuesday"; the
    patient taps Botox (a payload with no words)."""
    known = KnownTreatment(None, dt.date(2026, 11, 17))
    reply = decide_wait_reply("", TODAY, PROTOCOL, known, "inform", stated_treatment="botox")
    assert reply.kind == "plan" and reply.plan.previous_treatment == "botox"
    assert reply.plan.previous_date == dt.date(2026, 11, 17)


@pytest.mark.parametrize(
    "text, intent, routed",
    [
        ("its been 20 days since my botox, is it ok now", "report_symptom", True),  # no sign named
        ("its been 12 days since my botox, can i do microneedling", "report_symptom", True),
        ("had microneedling on tues and my skin is still a bit pink, when can i get botox", "report_symptom", False),
        ("i had botox yesterday and now i cant swallow", "report_symptom", False),
        ("had botox last mon, how long until microneedling", "what_is_botox", True),
        ("i had botox yesterday, what is microneedling", "what_is_microneedling", False),  # no timing words
        ("had botox 3 days ago, can i combine it with microneedling now?", "combine", True),
        ("can i combine botox and microneedling", "combine", False),  # no date
        # A vague time is no date: "what happens if I don't wait?" keeps its answer.
        ("will microneedling ruin my botox if i do it a few days after", "too_soon", False),
        ("did i ruin my botox by getting needled last week", "too_soon", False),
        # Classified as another subject, recovery or consult: only with both treatments and a real date.
        ("had botox on halloween (long story, my costume), is it ok to get microneedling now?", "out_of_scope", True),
        ("my tox is booked for christmas day, when can i microneedle", "consult", True),
        ("how long is recovery after microneedling on friday", "recovery", False),
        ("had botox last week and microneedling, is the parking free now", "consult", False),
        ("I have an appointment for Botox on New Year's Eve. What's the soonest I could come back for "
         "microneedling?", "consult", True),
    ],
)
def test_which_dated_questions_get_the_personal_plan(text: str, intent: str, routed: bool) -> None:
    assert is_dated_timing_question(intent, text, lambda: understand_message(text, TODAY, PROTOCOL.date_rules)) is routed
