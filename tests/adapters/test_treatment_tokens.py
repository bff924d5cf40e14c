"""The classifier counts one word per treatment, however the patient spells it."""

from __future__ import annotations

import spacy
from rasa.nlu.tokenizers.tokenizer import Token

from clinic.dates.tense import SPACY_MODEL
from components.treatment_tokens import canonical_names

NLP = spacy.load(SPACY_MODEL)


def words_counted(text: str) -> list[str]:
    tokens = [Token(t.text, t.idx, lemma=t.lemma_) for t in NLP(text)]
    return [t.text for t in canonical_names(text, tokens)]


def test_brands_slang_and_typos_count_as_the_treatment() -> None:
    assert words_counted("what is jeuveau") == ["what", "is", "botox"]
    assert words_counted("mn after tox?") == ["microneedling", "after", "botox", "?"]
    assert words_counted("how long does Dysport last") == ["how", "long", "does", "botox", "last"]


def test_other_words_and_their_places_stay() -> None:
    text = "can i get lip filler after botx"
    tokens = canonical_names(text, [Token(t.text, t.idx, lemma=t.lemma_) for t in NLP(text)])
    assert [t.text for t in tokens] == ["can", "i", "get", "lip", "filler", "after", "botox"]
    assert (tokens[-1].start, tokens[-1].end, tokens[-1].lemma) == (27, 31, "botox")
