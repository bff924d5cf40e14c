"""Sending the clinic's answers from an action: one place that reads the
protocol and the answers file and renders for the patient's channel."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Mapping, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from clinic.answers import current_answers, render_response, render_text
from clinic.protocol import TREATMENT_NAMES, current_protocol
from clinic.wait_plan import clinic_today


def answer_values(extra: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """The protocol's values (phone, intervals, ...) plus any of the turn's own."""
    values = current_protocol().template_values()
    values.update(extra or {})
    return values


def render(tracker: Tracker, name: str, extra: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """Answer `name` for the patient's channel, disclaimer as the answers file declares."""
    return render_response(current_answers(), name, tracker.get_latest_input_channel(), answer_values(extra))


def render_piece(tracker: Tracker, name: str, extra: Optional[Mapping[str, Any]] = None) -> str:
    """A piece of a sentence (no disclaimer), e.g. why a date can't be used."""
    return render_text(current_answers(), name, tracker.get_latest_input_channel(), answer_values(extra))


def send_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, name: str, extra: Optional[Mapping[str, Any]] = None
) -> None:
    dispatcher.utter_message(**render(tracker, name, extra))


def latest_intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def today() -> dt.date:
    """Today in the clinic's time zone: the one clock the actions read."""
    return clinic_today(current_protocol())


# Which fact the bot last asked for (previous_treatment / previous_date), so
# that a question answered in between is followed by the same question again.
ASKING_FOR = "asking_for"
# The question last answered, for follow-ups ("and botox?").
LAST_TOPIC = "last_topic"


def send_question(
    dispatcher: CollectingDispatcher, tracker: Tracker, asking_for: str, treatment: Optional[str]
) -> None:
    """Ask for the first treatment, or for the date of `treatment`."""
    if asking_for == "previous_treatment" or treatment not in TREATMENT_NAMES:
        send_answer(dispatcher, tracker, "ask_previous_treatment")
    else:
        send_answer(dispatcher, tracker, "ask_date", {"previous_treatment": TREATMENT_NAMES[treatment]})
