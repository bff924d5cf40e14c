"""Choosing and filling the clinic's answers. Pure functions, no Rasa imports.

Answers live in `clinic/answers.yml`, keyed by intent, in the same shape as
Rasa responses, so clinic staff edit them as text. An answer may have a
variation per channel (`channel: sms` for short SMS answers). The disclaimer
is the entry `disclaimer`, the one place its wording lives; it is attached
here to every answer whose variation does not declare `disclaimer: false`,
in the variation that suits the channel.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import yaml

from clinic.protocol import CLINIC_DIR

DEFAULT_ANSWERS_PATH = CLINIC_DIR / "answers.yml"
ANSWERS_PATH_ENV = "CLINIC_ANSWERS"
DISCLAIMER_RESPONSE = "disclaimer"

Responses = Mapping[str, List[Dict[str, Any]]]
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


class MissingResponse(KeyError):
    """The domain has no response of that name."""


def select_variation(variations: List[Dict[str, Any]], channel: Optional[str]) -> Dict[str, Any]:
    """The first variation made for `channel`, else the first channel-free one."""
    for variation in variations:
        if channel and variation.get("channel") == channel:
            return variation
    for variation in variations:
        if not variation.get("channel"):
            return variation
    return variations[0]


def fill_template(text: str, values: Mapping[str, Any]) -> str:
    """Replace {name} with values[name]; unknown names are left as written."""
    return _PLACEHOLDER.sub(
        lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text
    )


def load_answers(path: Optional[Path] = None) -> Dict[str, List[Dict[str, Any]]]:
    """Read an answers file: {name: [variation, ...]}, each with a `text`."""
    source = path or Path(os.environ.get(ANSWERS_PATH_ENV) or DEFAULT_ANSWERS_PATH)
    with open(source, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle) or {}
    for name, variations in raw.items():
        if not isinstance(variations, list) or not all(
            isinstance(v, dict) and v.get("text") for v in variations
        ):
            raise ValueError(f"{source}: '{name}' needs a list of variations, each with a text")
    if DISCLAIMER_RESPONSE not in raw:
        raise ValueError(f"{source}: the '{DISCLAIMER_RESPONSE}' entry is missing")
    return raw


@lru_cache(maxsize=1)
def current_answers() -> Dict[str, List[Dict[str, Any]]]:
    """The answers the running action server uses, read once per process."""
    return load_answers()


def render_text(responses: Responses, name: str, channel: Optional[str], values: Mapping[str, Any]) -> str:
    """The text of answer `name` filled with `values`, without the disclaimer
    (for a piece of a sentence, such as a date refusal's reason)."""
    if name not in responses or not responses[name]:
        raise MissingResponse(name)
    return fill_template(select_variation(responses[name], channel).get("text", ""), values).strip()


def render_response(
    responses: Responses, name: str, channel: Optional[str], values: Mapping[str, Any]
) -> Dict[str, Any]:
    """The message to send for answer `name`: its text, with the disclaimer
    appended unless the variation says `disclaimer: false`, and its buttons."""
    if name not in responses or not responses[name]:
        raise MissingResponse(name)
    variation = select_variation(responses[name], channel)
    text = render_text(responses, name, channel, values)
    if name != DISCLAIMER_RESPONSE and variation.get("disclaimer", True):
        disclaimer = render_text(responses, DISCLAIMER_RESPONSE, channel, values)
        # One newline, not a blank line: Rasa's REST collector splits texts at
        # blank lines, and the disclaimer must stay in the answer's message.
        text = f"{text}\n{disclaimer}" if text else disclaimer
    message: Dict[str, Any] = {"text": text}
    buttons = [
        {"title": fill_template(b["title"], values), "payload": fill_template(b["payload"], values)}
        for b in variation.get("buttons") or []
    ]
    if buttons:
        message["buttons"] = buttons
    return message

