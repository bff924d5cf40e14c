"""The running bot over the REST channel: real Rasa and action servers."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List

import pytest
import requests

from clinic.protocol import load_protocol
from clinic.wait_plan import clinic_today
from tests.conftest import BotServers, joined_text, new_sender
from tests.e2e.hostile import MALFORMED_BODIES

PROTOCOL = load_protocol()
DISCLAIMER = "not medical advice"

QUESTIONS = {
    "what_is_microneedling": "what is microneedling?",
    "what_is_botox": "what's botox",
    "combine": "can i get botox and microneedling the same day",
    "wait_time": "how long should i wait between botox and microneedling",
    "too_soon": "what happens if i get needling too soon after botox",
    "risks": "what are the risks of combining them",
    "recovery": "how long is the downtime after microneedling",
    "consult": "i want to book a consultation",
    "out_of_scope": "can you order me a pizza",
    "bot_challenge": "am i talking to a bot",
}


def plan_of(messages: List[Dict[str, Any]]) -> Dict[str, Any]:
    plans = [m["custom"]["wait_plan"] for m in messages if "wait_plan" in (m.get("custom") or {})]
    assert len(plans) == 1, messages
    return plans[0]


def test_microneedling_answer_mentions_collagen_with_disclaimer(bot: BotServers) -> None:
    messages = [m["text"] for m in bot.rest("what is microneedling?") if m.get("text")]
    # Answer and disclaimer arrive as one message, so no client can drop one.
    assert len(messages) == 1
    assert "collagen" in messages[0].lower() and DISCLAIMER in messages[0]


@pytest.mark.parametrize("intent, question", sorted(QUESTIONS.items()))
def test_every_answer_carries_the_disclaimer(bot: BotServers, intent: str, question: str) -> None:
    text = joined_text(bot.rest(question))
    assert DISCLAIMER in text, f"{intent}: {text}"
    assert "qualified" in text


def test_consult_gives_contact_and_booking_link_from_the_protocol(bot: BotServers) -> None:
    text = joined_text(bot.rest("can i talk to a real person"))
    assert PROTOCOL.phone in text and PROTOCOL.booking_url in text


@pytest.mark.parametrize(
    "message",
    [
        "i had botox yesterday and now i can't swallow properly",
        "my eyelid is drooping since my botox, when can i get microneedling?",
        "i have hives and feel faint after my injections",
        "what is microneedling? also my voice has gone hoarse since my botox",
    ],
)
def test_red_flags_get_emergency_instructions_not_faq_content(bot: BotServers, message: str) -> None:
    messages = bot.rest(message)
    text = joined_text(messages)
    assert PROTOCOL.emergency_number in text and "now" in text
    assert "collagen" not in text.lower() and "Clinic guidance" not in text
    assert not any("custom" in m for m in messages)
    assert DISCLAIMER in text


def test_infection_signs_get_same_day_care(bot: BotServers) -> None:
    text = joined_text(bot.rest("there's pus and the redness is spreading after my microneedling"))
    assert "infection" in text and "today" in text and PROTOCOL.phone in text


@pytest.mark.parametrize("message", ["asdfgh qwerty zxcv", "zzqx blorp", "\U0001F600\U0001F600"])
def test_low_confidence_asks_to_rephrase_and_offers_topics(bot: BotServers, message: str) -> None:
    messages = bot.rest(message)
    text = joined_text(messages)
    assert "another way" in text
    assert any(m.get("buttons") for m in messages)
    assert "collagen" not in text.lower()


def test_dated_question_returns_plan_text_and_payload(bot: BotServers) -> None:
    today = clinic_today(PROTOCOL)
    messages = bot.rest("I had microneedling 3 days ago, when can I get Botox?")
    text = joined_text(messages)
    plan = plan_of(messages)
    first = today - dt.timedelta(days=3)
    interval = PROTOCOL.interval("microneedling", "botox")
    earliest = first + dt.timedelta(days=interval.min_days)
    assert plan == {
        "previous_treatment": "microneedling",
        "previous_date": first.isoformat(),
        "next_treatment": "botox",
        "earliest_date": earliest.isoformat(),
        "ideal_window": [earliest.isoformat(), (first + dt.timedelta(days=interval.ideal_max_days)).isoformat()],
        "days_remaining": interval.min_days - 3,
        "timezone": PROTOCOL.timezone,
    }
    assert f"{earliest:%A}, {earliest:%B} {earliest.day}" in text
    assert "guidance" in text and DISCLAIMER in text


def test_slots_remember_the_treatment_for_a_follow_up(bot: BotServers) -> None:
    sender = new_sender()
    first = plan_of(bot.rest("i got botox on the 2nd, when can i do needling", sender))
    again = bot.rest("and when is the ideal time?", sender)
    assert plan_of(again) == first
    assert DISCLAIMER in joined_text(again)


def test_a_correction_recomputes(bot: BotServers) -> None:
    sender = new_sender()
    plan_of(bot.rest("I had botox on the 3rd, when can I get microneedling?", sender))
    corrected = plan_of(bot.rest("sorry, I meant the 5th", sender))
    assert corrected["previous_date"].endswith("-05")
    assert corrected["previous_treatment"] == "botox"


def test_offer_form_asks_only_for_what_is_missing_and_reasks_bad_dates(bot: BotServers) -> None:
    sender = new_sender()
    offer = joined_text(bot.rest("how long do i wait between botox and microneedling", sender))
    assert "own dates" in offer and DISCLAIMER in offer
    assert "first" in joined_text(bot.rest("yes please", sender))
    assert "When" in joined_text(bot.rest("botox", sender))
    reask = joined_text(bot.rest("february 30", sender))
    assert "real date" in reask or "February" in reask
    assert "for example" in reask.lower() or "e.g." in reask
    messages = bot.rest("5 days ago", sender)
    plan = plan_of(messages)
    assert plan["previous_treatment"] == "botox"
    assert plan["previous_date"] == (clinic_today(PROTOCOL) - dt.timedelta(days=5)).isoformat()


def test_the_patient_can_stop_the_form(bot: BotServers) -> None:
    sender = new_sender()
    bot.rest("how long between tox and needling", sender)
    bot.rest("yes", sender)
    text = joined_text(bot.rest("never mind", sender))
    assert "stopped" in text
    assert "collagen" in joined_text(bot.rest("what is microneedling", sender)).lower()


@pytest.mark.parametrize("body, content_type", MALFORMED_BODIES)
def test_malformed_requests_get_a_4xx_and_the_server_stays_up(bot: BotServers, body: str, content_type: str) -> None:
    response = requests.post(
        f"{bot.rasa_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": content_type}, timeout=30
    )
    assert 400 <= response.status_code < 500
    assert any(word in response.text for word in ("message", "JSON", "sender")), response.text
    assert "collagen" in joined_text(bot.rest("what is microneedling")).lower()


def test_a_date_without_a_treatment_asks_which_came_first_and_a_button_answers(bot: BotServers) -> None:
    sender = new_sender()
    question = bot.rest("i had it 5 days ago", sender)
    buttons = [b for m in question for b in m.get("buttons") or []]
    assert "first" in joined_text(question) and buttons
    botox = next(b for b in buttons if b["title"] == "Botox")
    plan = plan_of(bot.rest(botox["payload"], sender))
    assert plan["previous_treatment"] == "botox"
    assert plan["previous_date"] == (clinic_today(PROTOCOL) - dt.timedelta(days=5)).isoformat()


@pytest.mark.parametrize(
    "message",
    [
        "what are the side effects of lip filler",
        "how long should i wait between laser hair removal sessions",
        "my sister had microneedling last week, when can she get botox",
        "is filler cheaper than botox",
    ],
)
def test_a_question_about_something_else_gets_the_out_of_scope_answer(bot: BotServers, message: str) -> None:
    text = joined_text(bot.rest(message))
    assert text.startswith("Sorry, I can't help with that one. I only cover Botox and microneedling")
    assert PROTOCOL.phone in text
    assert "wait at least" not in text and "collagen" not in text


@pytest.mark.parametrize("message", ["how much does botox cost", "wat do u charge for microneedling"])
def test_a_price_of_ours_gets_the_clinics_number(bot: BotServers, message: str) -> None:
    text = joined_text(bot.rest(message))
    assert text.startswith("For prices")
    assert PROTOCOL.phone in text


def test_a_dated_question_worded_as_risks_gets_the_personal_plan(bot: BotServers) -> None:
    first = clinic_today(PROTOCOL) - dt.timedelta(days=4)
    plan = plan_of(bot.rest(f"i had botox on {first:%B} {first.day}, is it risky to do microneedling now?"))
    assert plan["previous_date"] == first.isoformat() and plan["previous_treatment"] == "botox"


def test_and_botox_after_microneedling_answers_about_botox(bot: BotServers) -> None:
    sender = new_sender()
    assert "collagen" in joined_text(bot.rest("what is microneedling?", sender))
    follow_up = joined_text(bot.rest("and botox?", sender))
    assert follow_up.startswith("Botox is an injection") and DISCLAIMER in follow_up


def test_a_question_pointing_back_at_microneedling_gets_a_question_back_not_the_other_subject_answer(
    bot: BotServers,
) -> None:
    sender = new_sender()
    assert "collagen" in joined_text(bot.rest("what is microneedling?", sender))
    reply = joined_text(bot.rest("does it hurt?", sender))
    assert reply.startswith("I'm not sure I can answer that about microneedling") and DISCLAIMER in reply
    # Once another subject is asked about, "it" is that subject.
    assert joined_text(bot.rest("what is lip filler", sender)).startswith("Sorry, I can't help with that one")
    assert joined_text(bot.rest("does it hurt?", sender)).startswith("Sorry, I can't help with that one")


def test_two_possible_dates_are_asked_and_a_button_picks_one(bot: BotServers) -> None:
    sender = new_sender()
    question = bot.rest("i had botox a week and a half ago, when can i get microneedling", sender)
    today = clinic_today(PROTOCOL)
    buttons = [b for m in question for b in m.get("buttons") or []]
    assert "did you mean" in joined_text(question)
    assert [b["payload"] for b in buttons] == [
        f'/inform{{"treatment_date": "{(today - dt.timedelta(days=d)).isoformat()}"}}' for d in (10, 11)
    ]
    plan = plan_of(bot.rest(buttons[1]["payload"], sender))
    assert plan["previous_date"] == (today - dt.timedelta(days=11)).isoformat()
    assert plan["previous_treatment"] == "botox"


def test_is_it_ok_now_with_a_count_of_days_gets_the_personal_plan(bot: BotServers) -> None:
    plan = plan_of(bot.rest("its been 20 days since my botox, is it ok now"))
    assert plan["previous_date"] == (clinic_today(PROTOCOL) - dt.timedelta(days=20)).isoformat()
    assert plan["days_remaining"] == 0
