"""Measured fixes to Rasa 3.6.21's per-turn costs, applied when the Rasa
server loads the REST channel (channels/rest.py; credentials.yml names it).

- Every custom-action reply is checked with ``jsonschema.validate``, which
  first checks the schema itself against the JSON-Schema meta-schema: 84 ms
  per action call on the development machine, more than the whole rest of
  the turn (bench/README.md). The schema never changes, so it is checked
  once and its validator reused; replies are still validated in full.
- Every call to the action server opened a new aiohttp session, and so a
  new TCP connection, and closed both afterwards. Calls now share one
  session per event loop and endpoint, keeping its connections alive for
  a moment (less than the action server's own keep-alive, so the server
  never closes a connection the client is about to reuse; one it closed
  anyway, by restarting, costs one retry).
- spaCy's parser and entity recogniser cost 2 of the 3.4 ms spaCy spends on
  a message, and only the date reading uses them: the pipeline skips them,
  and the reading runs them on the same doc when a message has a date to
  read (clinic/dates/tense.py `completed`). Tokens and lemmas, which the
  classifier uses, do not depend on them.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import Any, Dict, Optional, Text, Tuple

import aiohttp
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

from clinic.dates.tense import LAZY_PIPES, share_pipeline

# Sanic (the action server) closes an idle connection after 5 s; the client lets go sooner.
CLIENT_KEEPALIVE_S = 2.0


@lru_cache(maxsize=1)
def _action_result_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    error = best_match(_action_result_validator().iter_errors(result))
    if error is None:
        return True
    # Rasa's own wording, so its logs and tests read the same.
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the "
        "Action endpoint is valid. For more information about the format visit "
        "https://rasa.com/docs/rasa/custom-actions"
    )
    raise error


class _KeptSession:
    """`async with` on a shared aiohttp session that leaves it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *exc: Any) -> None:
        return None


# (loop, endpoint) -> the session; the objects themselves are kept so their ids stay theirs.
_sessions: Dict[Tuple[int, int], Tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession, EndpointConfig]] = {}


def _shared_session(self: EndpointConfig) -> _KeptSession:
    loop = asyncio.get_running_loop()
    key = (id(loop), id(self))
    entry = _sessions.get(key)
    if entry is None or entry[0] is not loop or entry[1].closed:
        auth: Optional[aiohttp.BasicAuth] = None
        if self.basic_auth:
            auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
        session = aiohttp.ClientSession(
            headers=self.headers, auth=auth, timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=CLIENT_KEEPALIVE_S),
        )
        entry = _sessions[key] = (loop, session, self)
    return _KeptSession(entry[1])


async def close_sessions(*_: Any) -> None:
    """Close this loop's shared sessions (the Rasa server calls it on stopping)."""
    loop = asyncio.get_running_loop()
    for key, (owner, session, _endpoint) in list(_sessions.items()):
        if owner is loop:
            await session.close()
            del _sessions[key]


_original_request = EndpointConfig.request


async def _request(self: EndpointConfig, *args: Any, **kwargs: Any) -> Any:
    try:
        return await _original_request(self, *args, **kwargs)
    except aiohttp.ServerDisconnectedError:
        # Nearly always a kept connection the server had just closed (it
        # restarted, say), before reading the request: sent once more, on a new one.
        return await _original_request(self, *args, **kwargs)


def _doc_without_parse(self: SpacyNLP, model: Any, text: Text) -> Any:
    share_pipeline(model)  # the date reading completes the parse with this same model
    return model(self._preprocess_text(text), disable=list(LAZY_PIPES))


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    EndpointConfig.session = _shared_session  # type: ignore[method-assign,assignment]
    EndpointConfig.request = _request  # type: ignore[method-assign]
    SpacyNLP._doc_for_text = _doc_without_parse  # type: ignore[method-assign]

