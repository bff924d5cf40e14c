"""The widget's socket.io channel (channels/web.py): what reaches the browser,
and which origins may connect."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

from channels.web import WidgetSocketIOOutput, allowed_origins_from_env


class RecordingServer:
    """Records what the channel emits, as a socket.io server would send it."""

    def __init__(self) -> None:
        self.emitted: List[Tuple[str, Dict[str, Any], str]] = []

    async def emit(self, event: str, data: Dict[str, Any], room: str, **kwargs: Any) -> None:
        self.emitted.append((event, data, room))


@pytest.mark.asyncio
async def test_an_answer_goes_out_whole_with_its_disclaimer() -> None:
    server = RecordingServer()
    text = "Botox relaxes chosen muscles.\n\nThis is general information, not medical advice."
    await WidgetSocketIOOutput(server, "bot_uttered").send_text_message("session-1", text)
    assert server.emitted == [("bot_uttered", {"text": text}, "session-1")]


@pytest.mark.asyncio
async def test_a_wait_plan_goes_out_as_custom_json() -> None:
    server = RecordingServer()
    plan = {"wait_plan": {"earliest_date": "2026-11-17", "days_remaining": 0}}
    await WidgetSocketIOOutput(server, "bot_uttered").send_custom_json("session-1", plan)
    assert server.emitted == [("bot_uttered", {"custom": plan}, "session-1")]


@pytest.mark.asyncio
async def test_buttons_become_quick_replies() -> None:
    server = RecordingServer()
    buttons = [{"title": "Botox", "payload": "/what_is_botox"}]
    await WidgetSocketIOOutput(server, "bot_uttered").send_text_with_buttons("s", "Pick one:", buttons)
    assert server.emitted[0][1] == {
        "text": "Pick one:",
        "quick_replies": [{"content_type": "text", "title": "Botox", "payload": "/what_is_botox"}],
    }


@pytest.mark.parametrize(
    "value, expected",
    [
        ("http://localhost:8080 https://clinic.example/", ["http://localhost:8080", "https://clinic.example"]),
        ("", None),  # same origin only
        ("*", "*"),
    ],
)
def test_allowed_origins_come_from_the_environment(value: str, expected: Any) -> None:
    assert allowed_origins_from_env(value) == expected
