"""The rasa-sdk actions, run on a tracker as the action server would run them.

Each test builds the tracker a turn would have (the patient's message, its
intent, the channel and the slots), runs the action, and checks what the
patient would be sent and which slots change. The clinic's real answers file
and protocol are used; the clock is pinned to Saturday, November 21, 2026.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

import actions.wait_time
from actions.answers import ActionAnswer, ActionHandleSymptom
from actions.wait_time import ActionWaitTime
from clinic.answers import load_answers, render_response
from clinic.protocol import load_protocol

TODAY = dt.date(2026, 11, 21)
PROTOCOL = load_protocol()
VALUES = PROTOCOL.template_values()
ANSWERS = load_answers()
DISCLAIMER = render_response(ANSWERS, "disclaimer", None, VALUES)["text"]
SMS_DISCLAIMER = render_response(ANSWERS, "disclaimer", "sms", VALUES)["text"]


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(actions.wait_time, "today", lambda: TODAY)


def tracker(
    text: str,
    intent: str,
    channel: str = "rest",
    entities: Optional[List[Dict[str, Any]]] = None,
    **slots: Any,
) -> Tracker:
    """The tracker of a conversation whose latest message is `text`."""
    message = {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": entities or []}
    user_event = {"event": "user", "text": text, "parse_data": message, "input_channel": channel}
    return Tracker(
        sender_id="unit-test",
        slots={"previous_treatment": None, "previous_date": None, "asking_for": None,
               "dates_offered": False, **slots},
        latest_message=message,
        events=[user_event],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action: Action, state: Tracker) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """(messages sent, events returned)"""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, state, {}))
    return dispatcher.messages, events


def texts(messages: List[Dict[str, Any]]) -> List[str]:
    return [m["text"] for m in messages if m.get("text")]


# --------------------------------------------------------------------------- action_answer

def test_a_question_gets_the_clinics_answer_with_the_disclaimer() -> None:
    messages, events = run(ActionAnswer(), tracker("what is microneedling?", "what_is_microneedling"))
    assert len(messages) == 1 and events == [SlotSet("last_topic", "what_is_microneedling")]
    assert "collagen" in messages[0]["text"]
    assert messages[0]["text"].endswith("\n" + DISCLAIMER)


def test_sms_gets_the_short_answer_and_the_short_disclaimer() -> None:
    messages, _ = run(ActionAnswer(), tracker("what is botox", "what_is_botox", channel="sms"))
    expected = render_response(ANSWERS, "what_is_botox", "sms", VALUES)["text"]
    assert texts(messages) == [expected]
    assert expected.endswith("\n" + SMS_DISCLAIMER)


def test_a_greeting_has_buttons_and_no_disclaimer() -> None:
    messages, _ = run(ActionAnswer(), tracker("hi", "greet"))
    assert "not medical advice" not in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]][:2] == ["/what_is_botox", "/what_is_microneedling"]


def test_an_intent_without_an_answer_asks_to_rephrase() -> None:
    messages, _ = run(ActionAnswer(), tracker("blah", "some_new_intent"))
    assert messages[0]["text"].startswith("Sorry, I'm not sure I understood.")


def test_declining_the_offer_clears_it() -> None:
    messages, events = run(ActionAnswer(), tracker("no thanks", "deny", dates_offered=True))
    assert "No problem" in messages[0]["text"]
    assert events == [SlotSet("dates_offered", False), SlotSet("asking_for", None)]


def test_a_question_in_the_middle_is_answered_then_ours_is_asked_again() -> None:
    state = tracker("what are the risks", "risks", previous_treatment="botox", asking_for="previous_date")
    messages, events = run(ActionAnswer(), state)
    assert "risks" in messages[0]["text"] and messages[0]["text"].endswith(DISCLAIMER)
    assert messages[1]["text"].startswith("When did you have Botox, or when is it booked?")
    assert events == [SlotSet("last_topic", "risks")]


def test_an_unclear_reply_to_our_date_question_is_read_as_a_date() -> None:
    state = tracker("febuary 30", "nlu_fallback", previous_treatment="botox", asking_for="previous_date")
    messages, events = run(ActionAnswer(), state)
    assert texts(messages) == [
        "February 30 isn't a real date. Please tell me the date again, "
        "for example: \"Nov 3\", \"yesterday\" or \"5 days ago\"."
    ]
    assert SlotSet("asking_for", "previous_date") in events


# --------------------------------------------------------------------------- action_handle_symptom

def test_a_red_flag_gets_the_emergency_answer() -> None:
    state = tracker("i cant swallow since my botox", "report_symptom", asking_for="previous_date")
    messages, events = run(ActionHandleSymptom(), state)
    assert messages[0]["text"].startswith("This could be serious: call 911")
    assert events == [SlotSet("asking_for", None)]


def test_a_mild_symptom_gets_the_reassurance_with_the_nurse_line() -> None:
    messages, events = run(ActionHandleSymptom(), tracker("a bit of bruising after botox", "report_symptom"))
    assert "811" in messages[0]["text"] and events == []


# --------------------------------------------------------------------------- action_wait_time

def test_a_dated_question_gets_the_plan_text_the_payload_and_slots() -> None:
    state = tracker("i had botox on nov 3, when can i get microneedling", "wait_time")
    messages, events = run(ActionWaitTime(), state)
    assert messages[0]["text"].startswith(
        "By the clinic's general guidance, after Botox on Tuesday, November 3 you can have microneedling now"
    )
    assert messages[1]["custom"] == {"wait_plan": {
        "previous_treatment": "botox", "previous_date": "2026-11-03", "next_treatment": "microneedling",
        "earliest_date": "2026-11-17", "ideal_window": ["2026-11-17", "2026-12-01"], "days_remaining": 0,
        "timezone": "America/Vancouver",
    }}
    assert events == [
        SlotSet("previous_treatment", "botox"), SlotSet("previous_date", "2026-11-03"),
        SlotSet("dates_offered", False), SlotSet("asking_for", None),
    ]


def test_a_question_without_a_date_gets_guidance_and_the_offer() -> None:
    messages, events = run(ActionWaitTime(), tracker("how long between botox and needling", "wait_time"))
    assert messages[0]["text"].startswith("Clinic guidance: never both on the same day. After Botox, wait at least 2")
    assert messages[1]["text"] == "Want me to work out your own dates?"
    assert events == [SlotSet("dates_offered", True), SlotSet("asking_for", None), SlotSet("last_topic", "wait_time")]


def test_taking_up_the_offer_asks_which_treatment_came_first() -> None:
    messages, events = run(ActionWaitTime(), tracker("yes please", "affirm", dates_offered=True))
    assert messages[0]["text"] == "Which treatment did you have (or have booked) first?"
    assert [b["title"] for b in messages[0]["buttons"]] == ["Botox", "Microneedling"]
    assert events == [SlotSet("asking_for", "previous_treatment")]


def test_a_treatment_alone_asks_for_its_date() -> None:
    messages, events = run(ActionWaitTime(), tracker("botox", "inform", asking_for="previous_treatment"))
    assert messages[0]["text"].startswith("When did you have Botox, or when is it booked?")
    assert events == [SlotSet("previous_treatment", "botox"), SlotSet("asking_for", "previous_date")]


def test_a_treatment_button_completes_a_plan_started_from_a_date() -> None:
    button = [{"entity": "treatment", "value": "microneedling"}]
    state = tracker('/inform{"treatment": "microneedling"}', "inform", entities=button,
                    previous_date="2026-11-16", asking_for="previous_treatment")
    messages, events = run(ActionWaitTime(), state)
    assert messages[1]["custom"]["wait_plan"]["earliest_date"] == "2026-11-30"
    assert SlotSet("previous_treatment", "microneedling") in events


def test_can_i_do_it_today_gets_not_yet_first() -> None:
    state = tracker("can i do it today?", "wait_time", previous_treatment="botox", previous_date="2026-11-17")
    messages, _ = run(ActionWaitTime(), state)
    assert messages[0]["text"].startswith("Not yet. By the clinic's general guidance")
    assert messages[1]["custom"]["wait_plan"]["days_remaining"] == 10


def test_a_date_too_far_ahead_is_asked_again_with_the_reason_on_sms() -> None:
    messages, _ = run(ActionWaitTime(), tracker("getting botox dec 5 2028", "wait_time", channel="sms"))
    assert texts(messages) == [
        "That date is more than 365 days away. Could you check it? Please send the date again, "
        "e.g. \"Nov 3\" or \"5 days ago\"."
    ]


def test_two_possible_dates_get_a_question_with_both_as_buttons(monkeypatch: pytest.MonkeyPatch) -> None:
    state = tracker("getting botox next friday, when can i do microneedling", "wait_time")
    monkeypatch.setattr(actions.wait_time, "today", lambda: dt.date(2026, 11, 25))  # a Wednesday
    messages, events = run(ActionWaitTime(), state)
    # The dates from each day too, so the patient has theirs whichever they meant.
    assert texts(messages)[0].startswith(
        "Just to be sure I count from the right day: did you mean Friday, November 27 or Friday, December 4? "
        "By the clinic's general guidance, if it's Friday, November 27, microneedling from Friday, December 11; "
        "if it's Friday, December 4, microneedling from Friday, December 18."
    )
    assert "not medical advice" in texts(messages)[0]
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        '/inform{"treatment_date": "2026-11-27"}', '/inform{"treatment_date": "2026-12-04"}']
    assert events == [SlotSet("previous_treatment", "botox"), SlotSet("asking_for", "previous_date")]


def test_two_past_dates_say_when_the_wait_is_over_on_sms(monkeypatch: pytest.MonkeyPatch) -> None:
    state = tracker("had microneedling two mondays ago, when can i get botox", "wait_time", channel="sms")
    monkeypatch.setattr(actions.wait_time, "today", lambda: dt.date(2026, 12, 10))  # a Thursday
    messages, _ = run(ActionWaitTime(), state)
    assert texts(messages)[0].startswith(
        "Which day did you mean? Clinic guidance: if Monday, November 30, Botox from Monday, December 14; "
        "if Monday, November 23, Botox is fine now (the wait ended Monday, December 7).")


def test_two_dates_with_no_treatment_known_only_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(actions.wait_time, "today", lambda: dt.date(2026, 11, 25))
    messages, _ = run(ActionWaitTime(), tracker("next friday", "inform"))
    assert texts(messages) == [
        "Just to be sure I count from the right day: did you mean Friday, November 27 or Friday, December 4?"]


def test_the_date_picked_with_a_button_gives_the_plan() -> None:
    picked = [{"entity": "treatment_date", "value": "2026-12-04"}]
    state = tracker('/inform{"treatment_date": "2026-12-04"}', "inform", entities=picked,
                    previous_treatment="botox", asking_for="previous_date")
    messages, events = run(ActionWaitTime(), state)
    assert messages[1]["custom"]["wait_plan"]["previous_date"] == "2026-12-04"
    assert messages[1]["custom"]["wait_plan"]["earliest_date"] == "2026-12-18"
    assert SlotSet("previous_date", "2026-12-04") in events


@pytest.mark.parametrize(
    "text, last_topic, expected_start",
    [
        ("and botox?", "what_is_microneedling", "Botox is an injection"),
        ("what about needling?", "what_is_botox", "Microneedling, also called collagen induction therapy"),
        ("same for botox?", "wait_time", "Clinic guidance: never both on the same day"),
        ("and botox?", None, "Botox is an injection"),
        ("and after botox?", "recovery", "The aftercare after Botox"),
        ("what about microneedling", "recovery_botox", "After microneedling your skin"),
    ],
)
def test_a_follow_up_asks_the_last_question_about_the_other_treatment(
    text: str, last_topic: str | None, expected_start: str
) -> None:
    messages, _ = run(ActionAnswer(), tracker(text, "follow_up", last_topic=last_topic))
    assert messages[0]["text"].startswith(expected_start)
    assert messages[0]["text"].endswith(DISCLAIMER)


@pytest.mark.parametrize(
    "text, expected_start, topic",
    [
        # The sources describe healing after microneedling only: a Botox
        # aftercare question is not given microneedling's healing times.
        ("how long before i can work out after botox", "The aftercare after Botox", "recovery_botox"),
        ("can i lie down after my dysport", "The aftercare after Botox", "recovery_botox"),
        ("how long is recovery after microneedling", "After microneedling your skin", "recovery"),
        ("how long is the downtime", "After microneedling your skin", "recovery"),
    ],
)
def test_a_recovery_question_gets_the_answer_for_its_treatment(text: str, expected_start: str, topic: str) -> None:
    messages, events = run(ActionAnswer(), tracker(text, "recovery"))
    assert messages[0]["text"].startswith(expected_start)
    assert messages[0]["text"].endswith(DISCLAIMER)
    assert events == [SlotSet("last_topic", topic)]


@pytest.mark.parametrize(
    "text, expected_start, topic",
    [
        # Our sources do not list each treatment's side effects: a question
        # naming a warning sign is told so, and what to do if it is happening now.
        ("botox can cause droopy eyelid?", "Our sources cover the risks", "risks_warning_signs"),
        ("can microneedling give you an infection", "Our sources cover the risks", "risks_warning_signs"),
        ("is it risky to do both close together", "With the right timing", "risks"),
    ],
)
def test_a_risks_question_naming_a_warning_sign_says_what_to_do_now(
    text: str, expected_start: str, topic: str
) -> None:
    messages, events = run(ActionAnswer(), tracker(text, "risks"))
    assert messages[0]["text"].startswith(expected_start)
    assert messages[0]["text"].endswith(DISCLAIMER)
    if topic == "risks_warning_signs":
        assert "call 911" in messages[0]["text"] and "never both on the same day" in messages[0]["text"]
    assert events == [SlotSet("last_topic", topic)]


@pytest.mark.parametrize(
    "text, last_topic, expected_start, events",
    [
        # Pointing back at the treatment just discussed: a question back about it.
        ("does it hurt?", "what_is_microneedling", "I'm not sure I can answer that about microneedling", []),
        ("how long does it last", "recovery_botox", "I'm not sure I can answer that about Botox", []),
        ("is it worth it", "combine", "I'm not sure I can answer that about Botox and microneedling", []),
        # Another subject named, or nothing discussed before: the out-of-scope answer.
        ("does filler hurt", "what_is_botox", "Sorry, I can't help with that one",
         [SlotSet("last_topic", None)]),
        ("does it hurt?", None, "Sorry, I can't help with that one", []),
    ],
)
def test_a_question_pointing_back_at_our_topic_gets_a_question_back(
    text: str, last_topic: str | None, expected_start: str, events: list
) -> None:
    messages, returned = run(ActionAnswer(), tracker(text, "out_of_scope", last_topic=last_topic))
    assert messages[0]["text"].startswith(expected_start)
    assert "604-555-0134" in messages[0]["text"]
    assert returned == events


def test_a_question_pointing_back_keeps_the_bots_own_question_open() -> None:
    messages, _ = run(ActionAnswer(), tracker("does it hurt?", "out_of_scope", last_topic="wait_time",
                                              asking_for="date", previous_treatment="botox"))
    assert messages[0]["text"].startswith("I'm not sure I can answer that about Botox and microneedling")
    assert len(messages) == 2 and "when" in messages[1]["text"].lower()


def test_the_plan_comes_from_the_pipelines_reading_without_a_second_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    from clinic.dates import message_readings, reading, tense

    text = "had needling last sat, when can i get tox"
    pipeline_value = message_readings.read_for_dialogue(text, TODAY, PROTOCOL.date_rules)
    parses: List[str] = []
    monkeypatch.setattr(reading, "understand_message", lambda *a, **k: parses.append(a[0]))
    monkeypatch.setattr(tense, "spacy_pipeline", lambda: pytest.fail("the action server parsed the message"))
    state = tracker(text, "wait_time")
    state.latest_message["date_reading"] = pipeline_value
    messages, events = run(ActionWaitTime(), state)
    assert SlotSet("previous_treatment", "microneedling") in events
    assert SlotSet("previous_date", "2026-11-14") in events  # Saturday before Saturday, November 21
    assert "Saturday, November 14" in messages[0]["text"]
    assert parses == []
