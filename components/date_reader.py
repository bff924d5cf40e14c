"""NLU component: the treatments and the date in a message, read once here.

Adds `date_reading` to the parse result: which treatment came first and which is asked
about, the date (past or booked), or why it can't be used, or the two dates a
careful reader could mean (clinic/dates/message_readings.py). It reads on the
pipeline's own spaCy parse, so neither the timing router after it nor the
wait-date action in the action server parses the message again.

A key of the parse result rather than an entity: the policies never see it,
and `rasa test core` would count an entity that no test story annotates as
a wrong prediction. Rasa keeps the key in the stored UserUttered event, and
the action server gets it in `tracker.latest_message`.
"""

from __future__ import annotations

from typing import Any, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from clinic.dates.message_readings import READING_KEY, read_for_dialogue
from clinic.protocol import current_protocol
from clinic.wait_dialogue import WAIT_ACTION_INTENTS
from clinic.wait_plan import clinic_today
from components.intent_override import StatelessComponent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class TreatmentDateReader(StatelessComponent):
    def process(self, messages: List[Message]) -> List[Message]:
        protocol = current_protocol()
        for message in messages:
            text = message.get(TEXT) or ""
            if not text.strip() or text.startswith("/"):  # a button payload has no words to read
                continue
            # Only a message the wait-date action answers as it stands may need a date
            # the grammar cannot read (the router sends it nothing without a real date).
            intent = (message.get(INTENT) or {}).get("name")
            value = read_for_dialogue(text, clinic_today(protocol), protocol.date_rules,
                                      doc=message.get(SPACY_DOCS[TEXT]), hint=intent in WAIT_ACTION_INTENTS)
            message.set(READING_KEY, value, add_to_output=True)
        return messages


def pipeline_reading(message: Message) -> Any:
    """The reading this component added to a processed message, if any."""
    return message.get(READING_KEY)
