"""Measured fixes to Rasa 3.6.21's per-turn costs, applied when the Rasa
server loads the REST channel (channels/rest.py; credentials.yml names it).

- Every custom-action reply is checked with ``jsonschema.validate``, which
  first checks the schema itself against the JSON-Schema meta-schema: 84 ms
  per action call on the development machine, more than the whole rest of
  the turn (bench/README.md). The schema never changes, so it is checked
  once and its validator reused; replies are still validated in full.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction


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


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]

