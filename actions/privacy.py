"""Patients' data rights: "what do you know about me?" and "forget me".

The summary is read from the tracker the action server receives (the slots
and the patient's messages) plus any scheduled reminders; the wording is
clinic/answers.yml, the choice of pieces clinic/privacy.py. The deletion is
not done here: the Rasa server deletes the conversation instead of storing
the turn in which action_forget_me ran (stores/tracker_store.py), so no event
of it is written back afterwards.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import ASKING_FOR, render_piece, send_answer, today
from clinic.privacy import FORGET_ACTION, StoredFacts, join_pieces, retention_days, summarise
from clinic.protocol import current_protocol
from clinic.wait_dialogue import parse_iso_date

logger = logging.getLogger(__name__)


def stored_facts(tracker: Tracker) -> StoredFacts:
    return StoredFacts(
        channel=tracker.get_latest_input_channel(),
        previous_treatment=tracker.get_slot("previous_treatment"),
        previous_date=parse_iso_date(tracker.get_slot("previous_date")),
        reminders=pending_reminders(tracker.sender_id),
    )


def pending_reminders(sender_id: str) -> List[Any]:
    """Dates of reminders scheduled for this conversation (stores/personal_data.py)."""
    from stores import db, personal_data

    try:
        return personal_data.pending_reminder_dates(db.shared_engine(), sender_id)
    except Exception:  # the store unreachable: say what we know, not nothing
        logger.warning("privacy summary: could not read reminders", exc_info=True)
        return []


class ActionPrivacySummary(Action):
    """Says in plain words what is stored for this conversation, and for how long."""

    def name(self) -> Text:
        return "action_privacy_summary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        summary = summarise(stored_facts(tracker), retention_days(current_protocol()), today())
        values = dict(summary.values)
        values["stored"] = join_pieces([render_piece(tracker, name, values) for name in summary.stored])
        values["channel_note"] = render_piece(tracker, summary.channel_note, values) if summary.channel_note else ""
        send_answer(dispatcher, tracker, summary.answer, values)
        return []


class ActionAskForget(Action):
    """Asks before deleting; an open question of the bot's is dropped."""

    def name(self) -> Text:
        return "action_ask_forget"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        send_answer(dispatcher, tracker, "forget_confirm")
        events: List[EventType] = []
        if tracker.get_slot("dates_offered"):
            events.append(SlotSet("dates_offered", False))
        if tracker.get_slot("reminder_offered"):  # the question replaces a reminder offer too
            events.append(SlotSet("reminder_offered", False))
        if tracker.get_slot(ASKING_FOR):
            events.append(SlotSet(ASKING_FOR, None))
        return events


class ActionForgetMe(Action):
    """Confirms the deletion the Rasa server makes when it stores this turn."""

    def name(self) -> Text:
        return FORGET_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        send_answer(dispatcher, tracker, "forget_done")
        return []


class ActionKeepData(Action):
    """The patient said no: nothing is deleted."""

    def name(self) -> Text:
        return "action_keep_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        send_answer(dispatcher, tracker, "forget_kept")
        return []
