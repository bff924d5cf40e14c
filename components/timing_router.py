"""NLU component: a timing question that gives a treatment and its date goes
to the wait-date action, whichever timing intent the classifier picked.

"It's 20 days since my botox, is it ok now?" may be classified as combine,
too_soon, risks, or even as "what is botox?"; the patient still wants their
own dates. When the message names Botox or microneedling and a date for it
(the `date_reading` that components/date_reader.py added), the intent
becomes wait_time. Runs before the scope gate (a question about someone
else's or another treatment's dates still gets the out-of-scope answer) and
the red-flag override (a red flag always wins).
"""

from __future__ import annotations

from typing import Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from clinic.dates import TreatmentDateReading, understand_message
from clinic.dates.message_readings import reading_for_turn
from clinic.protocol import current_protocol
from clinic.wait_dialogue import is_dated_timing_question
from clinic.wait_plan import clinic_today
from components.date_reader import pipeline_reading
from components.intent_override import IntentOverride


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class TimingDateRouter(IntentOverride):
    def override(self, text: str, intent: Optional[str], message: Message) -> Optional[str]:
        protocol = current_protocol()
        today = clinic_today(protocol)

        def read() -> TreatmentDateReading:
            return reading_for_turn(pipeline_reading(message), today, None) or understand_message(
                text, today, protocol.date_rules)

        return "wait_time" if is_dated_timing_question(intent, text, read) else None
