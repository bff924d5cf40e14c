"""The Rasa server still refuses a malformed action-server reply after the
speed fix in channels/rasa_speedups.py (the schema is checked once, replies
every time)."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

import channels.rest  # noqa: F401  (applies the fix, as the Rasa server does when it loads the channel)


def _action() -> RemoteAction:
    return RemoteAction("action_answer", None)


def test_a_well_formed_reply_is_accepted() -> None:
    reply = {"events": [{"event": "slot", "name": "last_topic", "value": "combine"}],
             "responses": [{"text": "Not on the same day."}]}
    assert _action()._validate_action_result(reply) is True


@pytest.mark.parametrize("reply", [
    {"events": "not a list"},
    {"events": [{"event": "slot", "name": 5}]},
    {"responses": "text"},
])
def test_a_malformed_reply_is_refused_with_rasas_reason(reply: dict) -> None:
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        _action()._validate_action_result(reply)
