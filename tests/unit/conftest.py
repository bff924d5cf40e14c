"""Fixtures of the unit tests."""

from __future__ import annotations

from typing import Iterator

import pytest

from clinic.dates import tense as tense_reader


@pytest.fixture
def no_spacy() -> Iterator[None]:
    """Run as if spaCy were not installed (the word-list fallback)."""
    cache = tense_reader._nlp_cache
    saved = cache.get("nlp", "missing")
    cache["nlp"] = None
    yield
    if saved == "missing":
        cache.pop("nlp", None)
    else:
        cache["nlp"] = saved
