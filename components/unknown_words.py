"""NLU component: send messages of mostly unknown words to nlu_fallback.

Trained on the NLU examples (it only records their vocabulary), it runs after
the FallbackClassifier. See components/vocabulary.py for why.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.intent_override import force_intent
from components.vocabulary import Vocabulary

FALLBACK_INTENT = "nlu_fallback"
VOCABULARY_FILE = "vocabulary.json"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class UnknownWordsFallback(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"min_known_ratio": 0.5}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: Optional[Vocabulary] = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._vocabulary = vocabulary

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UnknownWordsFallback:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        texts = [m.get(TEXT) or "" for m in training_data.intent_examples]
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(
                json.dumps(sorted(Vocabulary.from_texts(texts).known)), encoding="utf-8"
            )
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> UnknownWordsFallback:
        with model_storage.read_from(resource) as directory:
            known = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, Vocabulary(known))

    def process(self, messages: List[Message]) -> List[Message]:
        if self._vocabulary is None:
            return messages
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/") or self._vocabulary.looks_like_text(text, self._config["min_known_ratio"]):
                continue
            force_intent(message, FALLBACK_INTENT)
        return messages
