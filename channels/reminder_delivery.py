"""Showing due reminders in the widget and over REST (issue 12).

The worker (scripts/reminders_due.py) marks a due widget or REST reminder
`ready`; the channel hands each one out once (stores/reminders.py claims it):
- widget: when the session's widget connects (session_request), and every
  REMINDER_POLL_SECONDS (default 10) to sessions connected to this Rasa
  process. With REDIS_URL, every replica polls for its own sockets, so the
  reminder reaches the patient on whichever replica they are connected to.
- REST: before the answer to the patient's next message.
"""

from __future__ import annotations

import asyncio
import logging
import os
from functools import lru_cache
from typing import Any, Awaitable, Callable, Dict, List, Optional

from clinic.answers import current_answers
from clinic.protocol import current_protocol
from clinic.reminders import reminder_message
from stores.reminders import ReminderStore

logger = logging.getLogger(__name__)
DEFAULT_POLL_SECONDS = 10.0


@lru_cache(maxsize=1)
def _store() -> Optional[ReminderStore]:
    try:
        return ReminderStore()
    except Exception as error:
        logger.error("Reminders unavailable in this channel (%s)", error.__class__.__name__)
        return None


def take_messages(sender: str, channel: str) -> List[Dict[str, Any]]:
    """The sender's ready reminders for `channel` as bot messages, each handed out once."""
    store = _store()
    if store is None:
        return []
    taken = store.take_ready(sender, channel)
    for reminder in taken:  # by id only: a widget or REST sender id is not a hash
        logger.info("Reminders: reminder %s shown on %s", reminder.id, channel)
    return [reminder_message(r.next_treatment, r.remind_on, channel, current_protocol(), current_answers())
            for r in taken]


async def take_messages_async(sender: str, channel: str) -> List[Dict[str, Any]]:
    return await asyncio.get_running_loop().run_in_executor(None, take_messages, sender, channel)


def poll_seconds() -> float:
    try:
        return max(0.5, float(os.environ.get("REMINDER_POLL_SECONDS") or DEFAULT_POLL_SECONDS))
    except ValueError:
        return DEFAULT_POLL_SECONDS


async def poll_connected_sessions(
    connected: Callable[[str], bool], emit: Callable[[str, Dict[str, Any]], Awaitable[None]], channel: str,
) -> None:
    """Forever: hand the ready reminders of sessions connected here to `emit`."""
    every = poll_seconds()
    while True:
        await asyncio.sleep(every)
        store = _store()
        if store is None:
            return
        try:
            senders = await asyncio.get_running_loop().run_in_executor(None, store.ready_senders, channel)
            for sender in senders:
                if connected(sender):
                    for message in await take_messages_async(sender, channel):
                        await emit(sender, message)
        except Exception:  # a database blip: the next poll tries again
            logger.exception("Reminders: poll failed")
