"""The personal wait-dates action: one path for every timing turn.

The core's `decide_wait_reply` reads the turn's text once and decides: a
personal plan, one question (which treatment? which date?), a re-ask after a
date it can't use, or the general guidance with an offer. This adapter keeps
what the patient told us in slots and sends the clinic's wording.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import (
    ASKING_FOR,
    LAST_TOPIC,
    latest_intent,
    render,
    render_piece,
    send_answer,
    send_question,
    today,
)
from actions.reminders import offer_reminder
from clinic.dates.message_readings import READING_KEY
from clinic.protocol import TREATMENTS, current_protocol
from clinic.wait_dialogue import (
    KnownTreatment,
    WaitReply,
    decide_wait_reply,
    parse_iso_date,
    plan_answer_name,
    which_date_outcome,
)
from clinic.wait_plan import format_day


def known_treatment(tracker: Tracker) -> KnownTreatment:
    return KnownTreatment(
        previous_treatment=tracker.get_slot("previous_treatment"),
        previous_date=parse_iso_date(tracker.get_slot("previous_date")),
    )


def treatment_from_button(tracker: Tracker) -> Optional[str]:
    """A treatment chosen with a button (/inform{"treatment": "botox"})."""
    for value in tracker.get_latest_entity_values("treatment"):
        if value in TREATMENTS:
            return value
    return None


def date_from_button(tracker: Tracker) -> Optional[dt.date]:
    """A date picked with a button (/inform{"treatment_date": "2026-11-27"})."""
    for value in tracker.get_latest_entity_values("treatment_date"):
        picked = parse_iso_date(value)
        if picked:
            return picked
    return None


def send_wait_plan(dispatcher: CollectingDispatcher, tracker: Tracker, reply: WaitReply) -> List[EventType]:
    plan = reply.plan
    assert plan is not None
    message = render(tracker, plan_answer_name(plan), reply.answer_values)
    if reply.asks_about_today:  # "can I do it today?" gets a direct yes or not yet first
        prefix = render_piece(tracker, "today_yes" if plan.ready_today else "today_not_yet")
        message["text"] = f"{prefix} {message['text']}"
    dispatcher.utter_message(**message)
    dispatcher.utter_message(json_message=plan.to_payload())
    return [
        SlotSet("previous_treatment", plan.previous_treatment),
        SlotSet("previous_date", plan.previous_date.isoformat()),
        SlotSet("dates_offered", False),
        *offer_reminder(dispatcher, tracker, plan),
    ]


class ActionWaitTime(Action):
    """Answer a timing question or a date: a personal plan when the treatment
    and date are known, else the general guidance or one question."""

    def name(self) -> Text:
        return "action_wait_time"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        if text.startswith("/"):
            text = ""  # a button payload carries no words to read
        reply = decide_wait_reply(
            text, today(), current_protocol(), known_treatment(tracker),
            latest_intent(tracker), treatment_from_button(tracker), date_from_button(tracker),
            pipeline_reading=tracker.latest_message.get(READING_KEY),
        )
        treatment = reply.previous_treatment
        remembered: List[EventType] = [SlotSet("previous_treatment", treatment)] if treatment else []
        if reply.kind == "plan":
            return [*send_wait_plan(dispatcher, tracker, reply), SlotSet(ASKING_FOR, None)]
        if reply.kind == "ask_treatment":
            send_question(dispatcher, tracker, "previous_treatment", None)
            asked: List[EventType] = [SlotSet(ASKING_FOR, "previous_treatment")]
            if reply.previous_date is None:
                return asked
            return [*asked, SlotSet("previous_date", reply.previous_date.isoformat())]
        if reply.kind == "ask_date":
            send_question(dispatcher, tracker, "previous_date", treatment)
            return [*remembered, SlotSet(ASKING_FOR, "previous_date")]
        if reply.kind == "ask_which_date":
            assert reply.choices is not None
            first, second = reply.choices
            values = {"first_day": format_day(first, today()), "second_day": format_day(second, today()),
                      "first_iso": first.isoformat(), "second_iso": second.isoformat()}
            if reply.choice_plans is None:
                send_answer(dispatcher, tracker, "ask_which_date", values)
            else:
                values["first_outcome"], values["second_outcome"] = (
                    render_piece(tracker, *which_date_outcome(plan)) for plan in reply.choice_plans)
                send_answer(dispatcher, tracker, "ask_which_date_with_plans", values)
            return [*remembered, SlotSet(ASKING_FOR, "previous_date")]
        if reply.kind == "reask_date":
            assert reply.refusal is not None
            reason = render_piece(tracker, reply.refusal.answer, reply.refusal.values)
            send_answer(dispatcher, tracker, "date_reask", {"reason": reason})
            return [*remembered, SlotSet(ASKING_FOR, "previous_date")]
        # General guidance: which treatment came first is not known yet, so
        # nothing is remembered; the offer leads to the questions that ask.
        send_answer(dispatcher, tracker, "wait_time")
        send_answer(dispatcher, tracker, "offer_dates")
        return [SlotSet("dates_offered", True), SlotSet(ASKING_FOR, None), SlotSet(LAST_TOPIC, "wait_time")]
