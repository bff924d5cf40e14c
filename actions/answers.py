"""Actions that answer with one of the clinic's answers: questions and symptoms."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import ASKING_FOR, LAST_TOPIC, latest_intent, send_answer, send_question
from actions.wait_time import ActionWaitTime
from clinic.answers import current_answers
from clinic.follow_up import TOPICS, follow_up_answer, points_back_to_topic, recovery_answer, risks_answer
from clinic.protocol import TREATMENT_NAMES
from clinic.safety import symptom_answer_name
from clinic.scope import current_other_subjects

logger = logging.getLogger(__name__)

# After these, the bot does not repeat a question it was waiting on.
SOCIAL = {"greet", "goodbye", "thank", "affirm"}


class ActionAnswer(Action):
    """Answer the patient's question with the clinic's answer for its intent."""

    def name(self) -> Text:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        intent = latest_intent(tracker) or "nlu_fallback"
        text = tracker.latest_message.get("text") or ""
        if intent == "follow_up":  # "and botox?": the last question, about the other treatment
            intent = follow_up_answer(text, tracker.get_slot(LAST_TOPIC))
        elif intent == "recovery":
            intent = recovery_answer(text)
        elif intent == "risks":
            intent = risks_answer(text)
        if intent == "nlu_fallback" and tracker.get_slot(ASKING_FOR):
            # Unsure what it is, but we asked for a treatment or a date: try reading it as one.
            return await ActionWaitTime().run(dispatcher, tracker, domain)
        extra: Dict[str, Any] = {}
        if intent == "out_of_scope":
            intent, extra = out_of_scope_answer(tracker, text)
        if intent not in current_answers():
            logger.warning("no answer written for intent %s; asking to rephrase", intent)
            intent = "nlu_fallback"
        send_answer(dispatcher, tracker, intent, extra)
        if intent in ("deny", "stop"):  # the offer, or the questions after it, declined
            if tracker.get_slot("dates_offered") or tracker.get_slot(ASKING_FOR):
                return [SlotSet("dates_offered", False), SlotSet(ASKING_FOR, None)]
            return []
        asking_for = tracker.get_slot(ASKING_FOR)
        if asking_for and intent not in SOCIAL:  # a question in the middle of ours: answered, then ours again
            send_question(dispatcher, tracker, asking_for, tracker.get_slot("previous_treatment"))
        if intent in TOPICS and tracker.get_slot(LAST_TOPIC) != intent:
            return [SlotSet(LAST_TOPIC, intent)]
        if intent == "out_of_scope" and tracker.get_slot(LAST_TOPIC):  # "it" is now the other subject
            return [SlotSet(LAST_TOPIC, None)]
        return []


def out_of_scope_answer(tracker: Tracker, text: str) -> Tuple[str, Dict[str, Any]]:
    """Another subject: the out-of-scope answer. A question pointing back at
    the treatment just discussed ("does it hurt?" after the microneedling
    answer) gets a question back about that treatment instead."""
    treatments = points_back_to_topic(text, tracker.get_slot(LAST_TOPIC), current_other_subjects())
    if not treatments:
        return "out_of_scope", {}
    return "not_covered_about_topic", {"treatment": " and ".join(TREATMENT_NAMES[t] for t in treatments)}


class ActionHandleSymptom(Action):
    """Red-flag first: triage the reported symptoms and say what to do now."""

    def name(self) -> Text:
        return "action_handle_symptom"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        send_answer(dispatcher, tracker, symptom_answer_name(tracker.latest_message.get("text") or ""))
        # A symptom report ends the questions the bot was asking.
        return [SlotSet(ASKING_FOR, None)] if tracker.get_slot(ASKING_FOR) else []
