"""Reminders when the wait is over: the offer after a plan, the patient's
answer, and "cancel / list / move my reminder". The decisions are in
clinic/reminders.py; the rows in stores/reminders.py."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import latest_intent, render, render_piece, send_answer, today
from clinic.dates.message_readings import READING_KEY
from clinic.protocol import current_protocol
from clinic.reminders import ReminderOffer, decide_move, due_at, offer_for, offer_values
from clinic.wait_plan import WaitPlan, compute_wait_plan
from stores.reminders import Reminder, ReminderStore

logger = logging.getLogger(__name__)
OFFERED = "reminder_offered"
OFFER = "reminder_offer"
DECLINED = "reminder_declined"


@lru_cache(maxsize=1)
def reminder_store() -> ReminderStore:
    return ReminderStore()


def _closed() -> List[EventType]:
    return [SlotSet(OFFERED, False), SlotSet(OFFER, None)]


def offer_reminder(dispatcher: CollectingDispatcher, tracker: Tracker, plan: WaitPlan) -> List[EventType]:
    """After a plan whose earliest date is ahead: offer a reminder for that day."""
    # An earlier offer left open is closed by the new plan.
    no_offer = _closed() if tracker.get_slot(OFFERED) else []
    channel, declined = tracker.get_latest_input_channel(), tracker.get_slot(DECLINED) or []
    if offer_for(plan, channel, declined) is None:
        return no_offer
    try:
        already = [r.plan_key for r in reminder_store().pending_for_sender(tracker.sender_id)]
    except Exception:  # no database: the plan is still answered, without the offer
        logger.exception("Reminders: store unavailable, no offer made")
        return no_offer
    offer = offer_for(plan, channel, declined, already)
    if offer is None:
        return no_offer
    send_answer(dispatcher, tracker, "reminder_offer", offer_values(offer, today()))
    return [SlotSet(OFFERED, True), SlotSet(OFFER, offer.to_slot())]


def _items(tracker: Tracker, reminders: List[Reminder]) -> str:
    return ", ".join(
        render_piece(tracker, "reminder_item", offer_values(_as_offer(r), today())) for r in reminders)


def _as_offer(reminder: Reminder) -> ReminderOffer:
    return ReminderOffer(reminder.previous_treatment, reminder.previous_date, reminder.next_treatment,
                         reminder.remind_on)


class ActionReminder(Action):
    def name(self) -> Text:
        return "action_reminder"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        intent = latest_intent(tracker)
        offer = ReminderOffer.from_slot(tracker.get_slot(OFFER)) if tracker.get_slot(OFFERED) else None
        if offer is not None and intent == "affirm":
            return self.accept(dispatcher, tracker, offer)
        if offer is not None and intent in ("deny", "stop"):
            send_answer(dispatcher, tracker, "reminder_declined")
            return [*_closed(), SlotSet(DECLINED, [*(tracker.get_slot(DECLINED) or []), offer.key])]
        store = reminder_store()
        if intent == "reminder_cancel":
            cancelled = store.cancel_for_sender(tracker.sender_id)
            if cancelled:
                send_answer(dispatcher, tracker, "reminder_cancelled", {"reminders": _items(tracker, cancelled)})
            else:
                send_answer(dispatcher, tracker, "reminder_none")
            return _closed()
        pending = store.pending_for_sender(tracker.sender_id)
        if not pending:
            send_answer(dispatcher, tracker, "reminder_none")
        elif intent == "reminder_move":
            self.move(dispatcher, tracker, pending[0])
        else:
            send_answer(dispatcher, tracker, "reminder_list", {"reminders": _items(tracker, pending)})
        return _closed()

    def accept(self, dispatcher: CollectingDispatcher, tracker: Tracker, offer: ReminderOffer) -> List[EventType]:
        values = offer_values(offer, today())
        protocol = current_protocol()
        when = due_at(offer.earliest_date, protocol)
        # The consent record keeps the words the patient said yes to.
        reminder = reminder_store().schedule(
            tracker.sender_id, tracker.get_latest_input_channel() or "rest", offer.previous_treatment,
            offer.previous_date, offer.next_treatment, offer.earliest_date, when,
            offer_text=render(tracker, "reminder_offer", values)["text"],
            reply_text=tracker.latest_message.get("text"),
        )
        send_answer(dispatcher, tracker, "reminder_confirm", values)
        dispatcher.utter_message(json_message={"reminder": {
            "id": reminder.id, "date": offer.earliest_date.isoformat(), "due_at": when.isoformat(),
            "treatment": offer.next_treatment,
        }})
        return _closed()

    def move(self, dispatcher: CollectingDispatcher, tracker: Tracker, reminder: Reminder) -> None:
        protocol = current_protocol()
        plan = compute_wait_plan(reminder.previous_treatment, reminder.previous_date, today(), protocol)
        decision = decide_move(tracker.latest_message.get("text") or "", today(), plan.earliest_date, protocol,
                               tracker.latest_message.get(READING_KEY))
        if decision.day is None:
            earliest = _as_offer(reminder)
            earliest = ReminderOffer(earliest.previous_treatment, earliest.previous_date,
                                     earliest.next_treatment, plan.earliest_date)
            send_answer(dispatcher, tracker, decision.answer or "reminder_move_ask_date",
                        offer_values(earliest, today()))
            return
        reminder_store().move(tracker.sender_id, decision.day, due_at(decision.day, protocol))
        moved = ReminderOffer(reminder.previous_treatment, reminder.previous_date, reminder.next_treatment,
                              decision.day)
        send_answer(dispatcher, tracker, "reminder_moved", offer_values(moved, today()))
