"""What every channel does around one Rasa turn, in one place.

Each input channel (REST, the widget's socket.io, SMS) hands Rasa its
messages through ``guarded(on_new_message)``:

- **One length cap.** A text longer than ``MAX_MESSAGE_CHARS`` never reaches
  the language pipeline: spaCy and DIET run on the server's one event loop,
  and a 240 KB message held every other patient up for seconds. The patient
  gets the ``message_too_long`` answer instead. (REST refuses it earlier with
  a 400 naming the same cap, via ``message_problem``.)
- **Never silence.** When the turn raises (the database is unreachable) or
  sends nothing (Rasa 3.6 logs a failed custom action, drops its events and
  goes on listening: the action server is down), the patient gets the
  ``bot_unavailable`` answer with the clinic's phone number. A failed action
  sets no slot and a turn without its database stores nothing, so the slots
  set before are intact when the servers are back.
- **No endless wait.** Rasa waits up to 5 minutes for an action server that
  accepts the request and never answers (a hung process); a turn that takes
  longer than ``BOT_REPLY_TIMEOUT`` seconds (default 10) gets the same
  apology, and goes on in the background (a late answer still reaches the
  widget; the conversation is stored whole).

Logs never carry a message's text or a sender id: ``log_id`` gives a digest
that follows one conversation through this process's log and cannot be
turned back into the id (the salt is random per process).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import OutputChannel, UserMessage

from clinic.answers import current_answers, render_response
from clinic.protocol import current_protocol
from stores.db import DatabaseUnavailable

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
REPLY_TIMEOUT_ENV = "BOT_REPLY_TIMEOUT"
DEFAULT_REPLY_TIMEOUT = 10.0
UNAVAILABLE = "bot_unavailable"
TOO_LONG = "message_too_long"
TOO_MANY = "too_many_messages"

_LOG_SALT = os.urandom(16)
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def log_id(sender_id: Any) -> str:
    """A short digest of a sender id for logs; the same within one process run."""
    return hashlib.blake2b(str(sender_id).encode("utf-8", "replace"), key=_LOG_SALT, digest_size=5).hexdigest()


def message_problem(text: Any) -> Optional[str]:
    """Why `text` cannot be a patient's message, or None if it can."""
    if not isinstance(text, str) or not text.strip():
        return "\"message\" must be a non-empty string."
    if len(text) > MAX_MESSAGE_CHARS:
        return f"\"message\" is longer than {MAX_MESSAGE_CHARS} characters."
    return None


def answer(name: str, channel: Optional[str]) -> Dict[str, Any]:
    """One of the channels' own answers from clinic/answers.yml, for `channel`."""
    values = {**current_protocol().template_values(), "max_message_chars": MAX_MESSAGE_CHARS}
    return render_response(current_answers(), name, channel, values)


def _sent_count(output: OutputChannel) -> Optional[int]:
    """How many messages `output` has sent so far; None if it cannot tell."""
    messages = getattr(output, "messages", None)
    if isinstance(messages, list):  # REST and SMS collect the turn's messages
        return len(messages)
    sent = getattr(output, "sent", None)  # the widget's socket.io output counts them
    return sent if isinstance(sent, int) else None


async def send_answer(output: OutputChannel, recipient_id: str, name: str) -> None:
    await output.send_response(recipient_id, answer(name, output.name()))


def reply_timeout_from_env() -> float:
    try:
        value = float(os.environ.get(REPLY_TIMEOUT_ENV) or DEFAULT_REPLY_TIMEOUT)
    except ValueError:
        value = DEFAULT_REPLY_TIMEOUT
    return value if value > 0 else DEFAULT_REPLY_TIMEOUT


def guarded(on_new_message: OnNewMessage, reply_timeout: Optional[float] = None) -> OnNewMessage:
    """`on_new_message` with the length cap and the never-silent reply."""
    timeout = reply_timeout or reply_timeout_from_env()

    async def handle(message: UserMessage) -> None:
        output = message.output_channel
        problem = message_problem(message.text)
        if problem is not None:
            logger.info("Refused a message for %s: %s", log_id(message.sender_id), problem)
            if isinstance(message.text, str) and message.text.strip():
                await send_answer(output, message.sender_id, TOO_LONG)
            return
        before = _sent_count(output)
        failed = False
        # Shielded: a client that hangs up mid-turn (Sanic then cancels the
        # request) leaves the turn to finish and be stored whole; and Rasa's REST
        # channel, which would log the message text on CancelledError, never sees one.
        turn = asyncio.ensure_future(on_new_message(message))
        turn.add_done_callback(_retrieve_outcome)
        try:
            await asyncio.wait_for(asyncio.shield(turn), timeout)
        except asyncio.CancelledError:
            logger.info("The client of %s left before the answer; the turn goes on", log_id(message.sender_id))
            return
        except asyncio.TimeoutError:
            failed = True
            logger.warning("The turn for %s took over %ss (is the action server hanging?); "
                           "answered with an apology", log_id(message.sender_id), timeout)
        except (Exception, DatabaseUnavailable) as error:  # never a 500 or silence
            failed = True
            # The type and a digest only: database errors can quote the events written.
            logger.error("The turn for %s failed (%s); answered with an apology",
                         log_id(message.sender_id), type(error).__name__)
        if failed or (before is not None and _sent_count(output) == before):
            if not failed:
                logger.warning("The turn for %s sent nothing (is the action server up?); "
                               "answered with an apology", log_id(message.sender_id))
            try:
                await send_answer(output, message.sender_id, UNAVAILABLE)
            except Exception as error:
                logger.error("Could not send the apology to %s (%s)", log_id(message.sender_id),
                             type(error).__name__)

    return handle


def _retrieve_outcome(turn: asyncio.Future[Any]) -> None:
    """Mark a turn's exception as seen: asyncio would log it, message and all."""
    if not turn.cancelled():
        turn.exception()
