"""NLU component: a timing question that gives a treatment and its date goes
to the wait-date action, whichever timing intent the classifier picked.

"It's 20 days since my botox, is it ok now?" may be classified as combine,
too_soon, risks or inform; the patient still wants their own dates. When the
message names Botox or microneedling and a date for it (clinic/dates reads
it, on the pipeline's own spaCy parse), the intent becomes wait_time.
Runs after the scope gate (another subject stays out of scope) and before the
red-flag override (a red flag always wins).
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from clinic.dates import understand_message
from clinic.protocol import current_protocol
from clinic.wait_dialogue import TIMING_INTENTS, gives_treatment_date
from clinic.wait_plan import clinic_today
from components.forced_intent import force_intent

WAIT_TIME = "wait_time"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class TimingDateRouter(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TimingDateRouter:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        protocol = current_protocol()
        for message in messages:
            text = message.get(TEXT) or ""
            intent = (message.get(INTENT) or {}).get("name")
            if intent == WAIT_TIME or intent not in TIMING_INTENTS or text.startswith("/"):
                continue
            reading = understand_message(
                text, clinic_today(protocol), protocol.date_rules, doc=message.get(SPACY_DOCS[TEXT])
            )
            if gives_treatment_date(reading):
                force_intent(message, WAIT_TIME)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
