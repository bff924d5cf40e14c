"""The date reading in the Rasa server's own language pipeline reads every
labelled date sentence as the core does with a full spaCy parse.

Rasa's SpacyNLP loads the model with the parser disabled, and the server's
speed-up (channels/rasa_speedups.py) skips the entity recogniser too; the
date reading runs them on the same doc when it needs them. Without that, the
running bot read "getting needled on new years eve" as last year's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Dict

import pytest
import yaml
from rasa.nlu.utils.spacy_utils import SpacyNLP

import channels.rest  # noqa: F401  (the server's fixes, as the Rasa server applies them)
from clinic.dates import SPACY_MODEL
from clinic.dates.message_readings import read_for_dialogue
from clinic.dates.tense import _nlp_cache, spacy_pipeline
from clinic.protocol import DateRules

DATA = Path(__file__).resolve().parents[1] / "data" / "date_sentences.yml"
RULES = DateRules(month_first=True)


@pytest.fixture(scope="module")
def server_docs() -> Any:
    """Docs made as the Rasa server makes them, and the core's full pipeline beside them."""
    saved = _nlp_cache.pop("nlp", None)
    full = spacy_pipeline()  # the core's own full model, loaded before the server's is shared
    _nlp_cache.pop("nlp", None)
    model = SpacyNLP.load_model(SPACY_MODEL)
    assert "parser" not in model.model.pipe_names  # Rasa's choice, which the reading must cope with
    component = SpacyNLP(model, {"case_sensitive": False})
    yield (lambda text: component._doc_for_text(model.model, text)), full
    _nlp_cache["nlp"] = saved if saved is not None else full


def _sentences() -> list:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return [dict(entry, today=entry.get("today", data["today"])) for entry in data["sentences"]]


def test_the_servers_reading_is_the_full_parse_reading(server_docs: Any) -> None:
    make_doc, full = server_docs
    extra = [{"text": "getting needled on new years eve, whens the earliest for botox", "today": dt.date(2026, 11, 25)}]
    for entry in _sentences() + extra:
        today: dt.date = entry["today"]
        text: str = entry["text"]
        server: Dict[str, Any] = read_for_dialogue(text, today, RULES, doc=make_doc(text))
        assert server == read_for_dialogue(text, today, RULES, doc=full(text.lower())), text
    planned = read_for_dialogue(extra[0]["text"], extra[0]["today"], RULES, doc=make_doc(extra[0]["text"]))
    assert planned["readings"]["as_written"]["date"] == "2026-12-31"
