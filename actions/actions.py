"""Rasa custom actions: thin adapters between the tracker and the pure core.

Each action reads what it needs from the tracker, asks the core modules
(protocol, responses, safety, dates, wait_plan) for the answer, and sends it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.dates import find_treatments, resolve_treatment_date
from actions.protocol import TREATMENT_NAMES, TREATMENTS, current_protocol
from actions.responses import current_answers, render_response
from actions.safety import Triage, triage_symptoms
from actions.wait_dialogue import (
    KnownTreatment,
    WaitReply,
    decide_wait_reply,
    parse_iso_date,
    plan_answer_name,
)
from actions.wait_plan import clinic_today

logger = logging.getLogger(__name__)

# Social replies carry no disclaimer; every other answer does.
NO_DISCLAIMER = {"greet", "goodbye", "thank", "affirm", "deny", "stop"}


def send_answer(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    name: str,
    extra_values: Optional[Dict[str, Any]] = None,
    with_disclaimer: bool = True,
) -> None:
    """Render answer `name` for the patient's channel and send it."""
    values = current_protocol().template_values()
    values.update(extra_values or {})
    message = render_response(
        current_answers(), name, tracker.get_latest_input_channel(), values, with_disclaimer
    )
    dispatcher.utter_message(**message)


class ActionAnswer(Action):
    """Answer the patient's question with the clinic's answer for its intent."""

    def name(self) -> Text:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "nlu_fallback"
        if intent not in current_answers():
            logger.warning("no answer written for intent %s; asking to rephrase", intent)
            intent = "nlu_fallback"
        send_answer(dispatcher, tracker, intent, with_disclaimer=intent not in NO_DISCLAIMER)
        if intent in ("deny", "stop") and tracker.get_slot("dates_offered"):
            return [SlotSet("dates_offered", False)]  # the offer was declined
        return []


class ActionHandleSymptom(Action):
    """Red-flag first: triage the reported symptoms and say what to do now."""

    def name(self) -> Text:
        return "action_handle_symptom"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        triage = triage_symptoms(tracker.latest_message.get("text") or "")
        answer = "symptom_other" if triage is Triage.NONE else f"symptom_{triage.value}"
        send_answer(dispatcher, tracker, answer)
        # A symptom report ends any questions the bot was asking.
        return [ActiveLoop(None)]


# --------------------------------------------------------------------------
# Personal wait dates
# --------------------------------------------------------------------------

# Intents whose text may carry the treatment or date the form asks for.
FORM_ANSWER_INTENTS = {"inform", "wait_time", "nlu_fallback", "affirm"}


def _known(tracker: Tracker) -> KnownTreatment:
    return KnownTreatment(
        previous_treatment=tracker.get_slot("previous_treatment"),
        previous_date=parse_iso_date(tracker.get_slot("previous_date")),
    )


def _today() -> dt.date:
    return clinic_today(current_protocol())


def _latest_intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def _treatment_entity(tracker: Tracker) -> Optional[str]:
    for value in tracker.get_latest_entity_values("treatment"):
        if value in TREATMENTS:
            return value
    return None


def send_wait_plan(dispatcher: CollectingDispatcher, tracker: Tracker, reply: WaitReply) -> List[EventType]:
    plan = reply.plan
    assert plan is not None
    channel = tracker.get_latest_input_channel()
    message = render_response(
        current_answers(), plan_answer_name(plan), channel,
        {**current_protocol().template_values(), **reply.answer_values},
    )
    if reply.asks_about_today:  # "can I do it today?" gets a direct yes or not yet first
        prefix = "today_yes" if plan.ready_today else "today_not_yet"
        message["text"] = f"{render_response(current_answers(), prefix, channel, {}, False)['text']} {message['text']}"
    dispatcher.utter_message(**message)
    dispatcher.utter_message(json_message=plan.to_payload())
    return [
        SlotSet("previous_treatment", plan.previous_treatment),
        SlotSet("previous_date", plan.previous_date.isoformat()),
        SlotSet("next_treatment", plan.next_treatment),
        SlotSet("dates_offered", False),
    ]


class ActionWaitTime(Action):
    """Answer a timing question or a date: a personal plan when the treatment
    and date are known, else the general guidance or one question."""

    def name(self) -> Text:
        return "action_wait_time"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        today = _today()
        text = tracker.latest_message.get("text") or ""
        if text.startswith("/"):
            text = ""  # a button payload carries no words to read
        reply = decide_wait_reply(
            text, today, current_protocol(), _known(tracker), _latest_intent(tracker), _treatment_entity(tracker)
        )
        treatment = reply.previous_treatment
        remembered: List[EventType] = [SlotSet("previous_treatment", treatment)] if treatment else []
        if reply.kind == "plan":
            return send_wait_plan(dispatcher, tracker, reply)
        if reply.kind == "ask_treatment":
            send_answer(dispatcher, tracker, "ask_previous_treatment", with_disclaimer=False)
            return [SlotSet("previous_date", reply.previous_date.isoformat())]
        if reply.kind == "ask_date":
            send_answer(
                dispatcher, tracker, "ask_date",
                {"previous_treatment": TREATMENT_NAMES[treatment]}, with_disclaimer=False,
            )
            return remembered
        if reply.kind == "reask_date":
            send_answer(dispatcher, tracker, "date_reask", {"reason": reply.reason}, with_disclaimer=False)
            return remembered
        # General guidance: which treatment came first is not known yet, so
        # nothing is remembered; the offer leads to the form that asks.
        send_answer(dispatcher, tracker, "wait_time")
        send_answer(dispatcher, tracker, "offer_dates", with_disclaimer=False)
        return [SlotSet("dates_offered", True)]


class ActionAskPreviousTreatment(Action):
    def name(self) -> Text:
        return "action_ask_previous_treatment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        send_answer(dispatcher, tracker, "ask_previous_treatment", with_disclaimer=False)
        return []


class ActionAskPreviousDate(Action):
    def name(self) -> Text:
        return "action_ask_previous_date"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        treatment = tracker.get_slot("previous_treatment") or "botox"
        send_answer(
            dispatcher, tracker, "ask_date",
            {"previous_treatment": TREATMENT_NAMES.get(treatment, treatment)}, with_disclaimer=False,
        )
        return []


class ValidateWaitPlanForm(FormValidationAction):
    """Fill the form from whatever the patient typed; re-ask with an example
    when a date can't be used."""

    def name(self) -> Text:
        return "validate_wait_plan_form"

    async def extract_previous_treatment(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        if _latest_intent(tracker) not in FORM_ANSWER_INTENTS:
            return {}
        treatment = _treatment_entity(tracker) or find_treatments(tracker.latest_message.get("text") or "").previous_treatment
        return {"previous_treatment": treatment} if treatment else {}

    async def extract_previous_date(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        text = tracker.latest_message.get("text") or ""
        if _latest_intent(tracker) not in FORM_ANSWER_INTENTS or text.startswith("/"):
            return {}
        if tracker.get_slot("requested_slot") == "previous_date":
            return {"previous_date": text}  # validated (and explained if bad) below
        resolution = resolve_treatment_date(text, _today(), month_first=current_protocol().month_first,
                                            max_days_ahead=current_protocol().max_days_ahead)
        return {"previous_date": resolution.date.isoformat()} if resolution.ok else {}

    def validate_previous_treatment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        return {"previous_treatment": value if value in TREATMENTS else None}

    def validate_previous_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        if parse_iso_date(value):
            return {"previous_date": value}
        protocol = current_protocol()
        resolution = resolve_treatment_date(
            str(value), _today(), month_first=protocol.month_first, max_days_ahead=protocol.max_days_ahead
        )
        if resolution.ok:
            return {"previous_date": resolution.date.isoformat()}
        send_answer(dispatcher, tracker, "date_reask", {"reason": resolution.refusal}, with_disclaimer=False)
        return {"previous_date": None}
