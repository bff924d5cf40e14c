"""What the SMS channel does for reminders (issue 12), kept out of sms.py.

- A turn that scheduled a reminder (the action's {"reminder": {"id": ...}}
  message) gets the patient's number sealed into that row: the sender id is a
  one-way hash, and the worker must be able to text the number days later.
- STOP cancels the sender's pending reminders.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Iterable, Optional

from channels.guard import log_id
from channels.sms_contact import seal_number
from stores.reminders import ReminderStore

logger = logging.getLogger(__name__)


def open_store(engine: Any) -> Optional[ReminderStore]:
    try:
        return ReminderStore(engine)
    except Exception as error:  # the conversation goes on without reminders
        logger.error("SMS: reminders unavailable (%s)", error.__class__.__name__)
        return None


def attach_number(
    store: Optional[ReminderStore], messages: Iterable[Dict[str, Any]], sender: str, sender_key: str, number: str
) -> None:
    if store is None:
        return
    for message in messages:
        reminder = (message.get("custom") or {}).get("reminder") if isinstance(message, dict) else None
        if isinstance(reminder, dict) and isinstance(reminder.get("id"), int):
            store.set_destination(reminder["id"], sender, seal_number(sender_key, number))


def cancel_on_stop(store: Optional[ReminderStore], sender: str) -> None:
    if store is None:
        return
    cancelled = store.cancel_for_sender(sender, reason="opted out (STOP)")
    if cancelled:
        logger.info("SMS: %s opted out; %s pending reminders cancelled", log_id(sender), len(cancelled))
