"""NLU component: a whole message that is a privacy command ("forget me",
"delete my data", "what do you know about me") gets that intent, whatever
the classifier's confidence. Patients' control of their data should not hang
on a short message's score (clinic/privacy.py lists the commands)."""

from __future__ import annotations

from typing import Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from clinic.privacy import privacy_command
from components.intent_override import IntentOverride


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class PrivacyCommands(IntentOverride):
    def override(self, text: str, intent: Optional[str], message: Message) -> Optional[str]:
        command = privacy_command(text)
        return command if command and command != intent else None
