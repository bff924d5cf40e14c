"""NLU safety net: route first-person red-flag symptom reports to report_symptom.

Runs after the intent classifier and the FallbackClassifier, so a patient who
writes "cant swallow since my botox" is never answered with FAQ content or
asked to rephrase, however the classifier scored the message.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from clinic.safety import reports_red_flag
from components.forced_intent import force_intent

REPORT_SYMPTOM = "report_symptom"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class RedFlagIntentOverride(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RedFlagIntentOverride:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            intent = (message.get(INTENT) or {}).get("name")
            if intent != REPORT_SYMPTOM and not text.startswith("/") and reports_red_flag(text):
                force_intent(message, REPORT_SYMPTOM)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
