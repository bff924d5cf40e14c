"""The guard every channel runs its turns through (channels/guard.py), with
Rasa's own collecting output channel, and the socket.io rate limit."""

from __future__ import annotations

import asyncio
import time
from typing import List

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels.guard import MAX_MESSAGE_CHARS, guarded, log_id, message_problem
from channels.web import RateLimit
from clinic.protocol import current_protocol
from stores.db import DatabaseUnavailable

PHONE = current_protocol().phone


class Turns:
    """What reached Rasa, and what each turn does: answer, say nothing, or fail."""

    def __init__(self, behaviour: str = "answer") -> None:
        self.behaviour = behaviour
        self.received: List[str] = []

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message.text)
        if self.behaviour == "slow":
            await asyncio.sleep(0.5)
        if self.behaviour in ("answer", "slow"):
            await message.output_channel.send_text_message(message.sender_id, "Botox relaxes muscles.")
        elif self.behaviour == "database down":
            raise DatabaseUnavailable("OperationalError")
        elif self.behaviour == "error":
            raise RuntimeError("boom")


async def _turn(turns: Turns, text: object) -> List[str]:
    output = CollectingOutputChannel()
    await guarded(turns)(UserMessage(text, output, "patient-1"))  # type: ignore[arg-type]
    return [m["text"] for m in output.messages]


@pytest.mark.asyncio
async def test_a_normal_turn_is_left_alone() -> None:
    assert await _turn(Turns(), "what is botox") == ["Botox relaxes muscles."]


@pytest.mark.asyncio
@pytest.mark.parametrize("behaviour", ["silent", "error", "database down"])
async def test_a_turn_that_fails_or_says_nothing_gets_the_phone_number(behaviour: str) -> None:
    replies = await _turn(Turns(behaviour), "what is botox")
    assert len(replies) == 1 and PHONE in replies[0] and "Sorry" in replies[0]
    assert "not medical advice" in replies[0]  # it names the emergency number


@pytest.mark.asyncio
async def test_a_turn_that_hangs_gets_the_phone_number_in_time_and_goes_on() -> None:
    output = CollectingOutputChannel()
    start = time.monotonic()
    await guarded(Turns("slow"), reply_timeout=0.2)(UserMessage("what is botox", output, "patient-1"))
    assert time.monotonic() - start < 0.4
    assert len(output.messages) == 1 and PHONE in output.messages[0]["text"]
    await asyncio.sleep(0.5)  # the turn finished in the background
    assert output.messages[-1]["text"] == "Botox relaxes muscles."


@pytest.mark.asyncio
async def test_a_long_message_never_reaches_the_language_pipeline() -> None:
    turns = Turns()
    replies = await _turn(turns, "a" * (MAX_MESSAGE_CHARS + 1))
    assert turns.received == [] and "too long" in replies[0] and str(MAX_MESSAGE_CHARS) in replies[0]
    assert await _turn(turns, "a" * MAX_MESSAGE_CHARS) == ["Botox relaxes muscles."]


@pytest.mark.asyncio
@pytest.mark.parametrize("text", [None, "", "   "])
async def test_an_empty_message_is_dropped_quietly(text: object) -> None:
    turns = Turns()
    assert await _turn(turns, text) == [] and turns.received == []


@pytest.mark.parametrize("text", [None, 42, ["hi"], {"text": "hi"}, "", "   "])
def test_a_message_that_is_not_text_has_a_reason(text: object) -> None:
    assert message_problem(text) == "\"message\" must be a non-empty string."


def test_log_ids_follow_a_sender_without_naming_it() -> None:
    assert log_id("patient-1") == log_id("patient-1") != log_id("patient-2")
    assert "patient" not in log_id("patient-1") and len(log_id("patient-1")) == 10


def test_rate_limit_lets_a_burst_through_then_one_per_interval() -> None:
    limit = RateLimit(burst=3, interval=0.2)
    assert [limit.allow() for _ in range(5)] == [True, True, True, False, False]
    assert limit.warn_once() and not limit.warn_once()
    time.sleep(0.25)
    assert limit.allow() and not limit.allow()
