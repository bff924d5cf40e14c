"""NLU component: questions about something else get the out-of-scope answer.

Runs after the classifiers. When the intent would bring Botox or
microneedling content but the message names another product, procedure,
medicine, vaccine or condition, or asks about someone else's or an animal's
treatment (clinic/scope.py, clinic/other_subjects.yml), the intent becomes
out_of_scope. Red-flag reports are left to the red-flag override that runs
after this one.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from clinic.scope import OUR_CONTENT_INTENTS, about_something_else, current_other_subjects
from components.forced_intent import force_intent

OUT_OF_SCOPE = "out_of_scope"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ScopeGate(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ScopeGate:
        current_other_subjects()  # a broken word list stops the server at start, not mid-conversation
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        subjects = current_other_subjects()
        for message in messages:
            text = message.get(TEXT) or ""
            intent = (message.get(INTENT) or {}).get("name")
            if intent in OUR_CONTENT_INTENTS and not text.startswith("/") and about_something_else(text, subjects, intent):
                force_intent(message, OUT_OF_SCOPE)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
