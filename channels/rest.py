"""Rasa's REST channel with request validation.

Rasa 3.6.21's RestInput answers a body without "message" with 200 and runs a
turn on None, and a JSON array with a 500. Here a malformed request gets a
400 that says what is wrong, and never reaches the tracker. The message
length cap is the one of every channel (channels/guard.py), and the turn runs
through the guard, so a broken action server or database gets the patient an
apology with the clinic's phone number rather than an empty list or a 500.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from channels import rasa_speedups, reminder_delivery
from channels.guard import guarded, message_problem
from stores.db import DatabaseUnavailable

# The Rasa server always loads this channel (credentials.yml): its measured
# per-turn fixes are applied here, and only in that process.
rasa_speedups.apply()

logger = logging.getLogger(__name__)

MAX_SENDER_CHARS = 128


def _body(request: Request) -> Dict[str, Any]:
    try:
        body = request.json
    except InvalidUsage:
        raise InvalidUsage("The body must be JSON: {\"sender\": \"...\", \"message\": \"...\"}") from None
    if not isinstance(body, dict):
        raise InvalidUsage("The body must be a JSON object with \"sender\" and \"message\".")
    return body


class ValidatingRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = _body(req).get("sender")
        if sender is None:
            return None  # Rasa then uses its default sender id
        if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
            raise InvalidUsage(f"\"sender\" must be a non-empty string of at most {MAX_SENDER_CHARS} characters.")
        return sender

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = _body(req).get("message")
        problem = message_problem(message)
        if problem is not None:
            raise InvalidUsage(problem)
        return message

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # The guard sees the turn alone: a reminder sent first must not count as its answer.
        turn = guarded(on_new_message)

        async def with_reminders(message: UserMessage) -> Any:
            # Reminders that came due since the patient's last message come first (issue 12).
            try:
                reminders = await reminder_delivery.take_messages_async(message.sender_id, self.name())
            except (Exception, DatabaseUnavailable) as error:  # the database down: the turn's apology says so
                logger.warning("REST: due reminders not read (%s)", type(error).__name__)
                reminders = []
            for reminder in reminders:
                await message.output_channel.send_response(message.sender_id, reminder)
            return await turn(message)

        blueprint = super().blueprint(with_reminders)
        blueprint.listener("before_server_stop")(rasa_speedups.close_sessions)
        return blueprint

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        metadata = _body(request).get("metadata")
        return metadata if isinstance(metadata, dict) else None
