"""Overriding the classifier's intent from a later NLU component.

The red-flag override, the scope gate and the timing router all run after
DIET and the fallbacks, look at each message's text and intent, and may
replace the intent. This base class is that loop; each subclass says only
which intent, if any, replaces the classifier's. `StatelessComponent` is the
part every untrained component of ours shares (the date reader too).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message


def force_intent(message: Message, name: str) -> None:
    """Make `name` the message's intent with full confidence, first in the ranking."""
    forced = {"name": name, "confidence": 1.0}
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
    message.set(INTENT, forced, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [forced, *ranking], add_to_output=True)


class StatelessComponent(GraphComponent):
    """A component with nothing to train or store: made once, as is."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        cls.on_start()
        return cls()

    @classmethod
    def on_start(cls) -> None:
        """Check what the component reads when the server starts (nothing by default)."""

    def process_training_data(self, training_data: Any) -> Any:
        return training_data


class IntentOverride(StatelessComponent):
    """A stateless component that may replace a typed message's intent.
    Button payloads ("/what_is_botox") are never overridden."""

    def override(self, text: str, intent: Optional[str], message: Message) -> Optional[str]:
        """The intent that replaces `intent`, or None to keep it."""
        raise NotImplementedError

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            intent = (message.get(INTENT) or {}).get("name")
            if text.startswith("/"):
                continue
            replacement = self.override(text, intent, message)
            if replacement and replacement != intent:
                force_intent(message, replacement)
        return messages
