"""NLU component: questions about something else get the out-of-scope answer.

Runs after the classifiers and the timing router. When the intent would bring Botox or
microneedling content but the message names another product, procedure,
medicine, vaccine or condition, or asks about someone else's or an
animal's treatment (clinic/scope.py, clinic/other_subjects.yml), the intent
becomes out_of_scope; so does a symptom reported for an animal or after
another treatment with none of ours named. Red-flag reports of people are
left to the red-flag override that runs after this one.
A price of our treatments ("how much is botox here") gets the consultation
answer: the clinic quotes prices.
"""

from __future__ import annotations

from typing import Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from clinic.scope import (
    CONTENT_QUESTIONS,
    OUR_CONTENT_INTENTS,
    about_something_else,
    aftercare_question_intent,
    current_other_subjects,
    names_nothing_of_ours,
    price_question_intent,
    symptom_of_something_else,
)
from components.intent_override import IntentOverride


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ScopeGate(IntentOverride):
    @classmethod
    def on_start(cls) -> None:
        current_other_subjects()  # a broken word list stops the server at start, not mid-conversation

    def override(self, text: str, intent: Optional[str], message: Message) -> Optional[str]:
        subjects = current_other_subjects()
        price = price_question_intent(text, subjects, intent)  # prices: consult, or another subject's
        if price:
            return price
        if intent in OUR_CONTENT_INTENTS and about_something_else(text, subjects, intent):
            return "out_of_scope"
        # Nothing of ours in it at all ("recommend a podcast for my commute"): a classifier's reach.
        if intent in CONTENT_QUESTIONS and names_nothing_of_ours(text):
            return "out_of_scope"
        # Unsure, but plainly about something else ("can dogs get botox"): say what we cover.
        if intent == "nlu_fallback" and about_something_else(text, subjects, None):
            return "out_of_scope"
        aftercare = aftercare_question_intent(text, subjects, intent)  # "work out after botox": recovery
        if aftercare:
            return aftercare
        # A pet's symptoms are for a vet; another treatment's, for whoever gave it.
        if intent == "report_symptom" and symptom_of_something_else(text, subjects):
            return "out_of_scope"
        return None
