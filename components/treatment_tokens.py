"""Tokenizer: every name of a treatment becomes one word for the classifier.

Patients write Botox as "tox", "Dysport", "Xeomin", "botx" or "bow tox", and
microneedling as "needling", "mn", "dermaroller" or "micro kneeling". The
classifier learns from word and character counts, so each spelling is a
different word to it, and a brand it saw rarely pulls a question towards the
out-of-scope answer. This tokenizer is spaCy's, with every token inside a
treatment name (clinic/dates/treatments.py, the same reading the wait dates
use) given the treatment's own name as its text and lemma. Only what the
classifier counts changes: the message text, the spaCy parse and the
positions stay as they were.
"""

from __future__ import annotations

from typing import List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from clinic.dates.treatments import treatment_mentions
from clinic.words import normalise


def canonical_names(text: str, tokens: List[Token]) -> List[Token]:
    """`tokens` with the ones inside a treatment name renamed to the treatment."""
    mentions = treatment_mentions(normalise(text))
    if not mentions:
        return tokens
    for token in tokens:
        mention = next((m for m in mentions if m.start <= token.start and token.end <= m.end), None)
        if mention is not None:
            token.text = mention.treatment
            token.lemma = mention.treatment
    return tokens


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class TreatmentNameTokenizer(SpacyTokenizer):
    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        if attribute != TEXT:
            return tokens
        return canonical_names(message.get(TEXT) or "", tokens)
