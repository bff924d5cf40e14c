"""NLU safety net: route red-flag symptom reports to report_symptom.

Runs last, after the classifiers, the scope gate and the timing router, so a
patient who writes "cant swallow since my botox" is never answered with FAQ
content, a wait plan or a request to rephrase, whatever came before. A
plain report of a milder sign with no question in it ("slight swelling at my
injection sites this morning") that the classifier took for one of our
questions, or left unsure, gets the symptom answer too.
"""

from __future__ import annotations

from typing import Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from clinic.safety import Triage, reports_a_sign, reports_red_flag, triage_symptoms
from clinic.scope import OUR_CONTENT_INTENTS, current_other_subjects, symptom_of_something_else
from components.intent_override import IntentOverride

REPORT_SYMPTOM = "report_symptom"
# Where a plain report of a milder sign is taken as one: our questions, or the classifier unsure.
_MILD_SIGN_INTENTS = OUR_CONTENT_INTENTS | {"nlu_fallback"}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RedFlagIntentOverride(IntentOverride):
    def override(self, text: str, intent: Optional[str], message: Message) -> Optional[str]:
        # A sign reported for someone's animal is for a vet: the scope gate's answer stands.
        if current_other_subjects().animal_in(text):
            return None
        if reports_red_flag(text):
            # Someone else's infection signs ("my daughter has a fever"), or after another
            # treatment: the out-of-scope answer sends them to a nurse (811) or 911. Emergency
            # signs get the emergency answer whoever has them.
            if triage_symptoms(text) == Triage.INFECTION and symptom_of_something_else(text, current_other_subjects()):
                return None
            return REPORT_SYMPTOM
        # A plain report of a milder sign, classified as one of our questions or too
        # unsure to answer ("i've got a tiny bit of tenderness where the needles went in").
        return REPORT_SYMPTOM if intent in _MILD_SIGN_INTENTS and reports_a_sign(text) else None
