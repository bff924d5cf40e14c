"""The REST channel's request checks (channels/rest.py), on requests as Sanic parses them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sanic.exceptions import InvalidUsage

from channels.guard import MAX_MESSAGE_CHARS
from channels.rest import ValidatingRestInput


class JsonRequest:
    """What the channel reads of a Sanic request: its parsed JSON body."""

    def __init__(self, body: str) -> None:
        self._body = body

    @property
    def json(self) -> Any:
        try:
            return json.loads(self._body)
        except ValueError:
            raise InvalidUsage("Failed when parsing body as json") from None


CHANNEL = ValidatingRestInput()


@pytest.mark.asyncio
async def test_a_good_request_gives_sender_message_and_metadata() -> None:
    request = JsonRequest('{"sender": "pat", "message": "what is botox", "metadata": {"page": "home"}}')
    assert await CHANNEL._extract_sender(request) == "pat"
    assert CHANNEL._extract_message(request) == "what is botox"
    assert CHANNEL.get_metadata(request) == {"page": "home"}


@pytest.mark.parametrize(
    "body, reason",
    [
        ("not json", "The body must be JSON"),
        ("[]", "must be a JSON object"),
        ('{"sender": "x"}', '"message" must be a non-empty string.'),
        ('{"sender": "x", "message": 42}', '"message" must be a non-empty string.'),
        ('{"sender": "x", "message": "   "}', '"message" must be a non-empty string.'),
        (json.dumps({"sender": "x", "message": "a" * (MAX_MESSAGE_CHARS + 1)}), "is longer than"),
    ],
)
def test_a_malformed_message_is_refused_with_the_reason(body: str, reason: str) -> None:
    with pytest.raises(InvalidUsage, match=reason) as refused:
        CHANNEL._extract_message(JsonRequest(body))
    assert refused.value.status_code == 400


@pytest.mark.asyncio
@pytest.mark.parametrize("sender", ['""', "42", '"' + "s" * 200 + '"'])
async def test_a_bad_sender_is_refused(sender: str) -> None:
    with pytest.raises(InvalidUsage, match='"sender" must be a non-empty string'):
        await CHANNEL._extract_sender(JsonRequest('{"message": "hi", "sender": ' + sender + "}"))
