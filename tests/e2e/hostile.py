"""The malformed-input corpus every channel is sent: REST bodies as written,
the same payloads as socket.io event data, and their texts as SMS bodies."""

from __future__ import annotations

import json
from typing import List, Tuple

import pytest

from channels.guard import MAX_MESSAGE_CHARS

JSON = "application/json"
HUGE_MESSAGE = "botox " * 40_000  # 240 KB: the message that stalled the bot for 15.6 s
TOO_LONG_MESSAGE = "a" * (MAX_MESSAGE_CHARS + 1)

# (name, body, content type): each is refused by REST with a 4xx and a reason.
CASES: List[Tuple[str, str, str]] = [
    ("not-json", "not json", JSON),
    ("no-message", '{"sender": "x"}', JSON),
    ("number-message", '{"sender": "x", "message": 42}', JSON),
    ("blank-message", '{"sender": "x", "message": "   "}', JSON),
    ("array", "[]", JSON),
    ("string", '"just a string"', JSON),
    ("null", "null", JSON),
    ("null-message", '{"sender": "x", "message": null}', JSON),
    ("list-message", '{"sender": "x", "message": ["what is botox"]}', JSON),
    ("object-message", '{"sender": "x", "message": {"text": "what is botox"}}', JSON),
    ("object-sender", '{"sender": {"id": 1}, "message": "what is botox"}', JSON),
    ("long-sender", '{"sender": "' + "s" * 500 + '", "message": "what is botox"}', JSON),
    ("too-long", json.dumps({"sender": "x", "message": TOO_LONG_MESSAGE}), JSON),
    ("huge-240KB", json.dumps({"sender": "x", "message": HUGE_MESSAGE}), JSON),
    ("cut-short", '{"sender": "x", "message": "what is botox"', JSON),
    ("deeply-nested", "[" * 5000 + "]" * 5000, JSON),
]
MALFORMED_BODIES = [pytest.param(body, content_type, id=name) for name, body, content_type in CASES]


def socketio_packet(body: str) -> str:
    """A socket.io EVENT packet carrying `body` as the user_uttered data, as
    written (so bodies that are not JSON make a malformed packet)."""
    return '42["user_uttered",' + body + "]"
