"""Mashing and emoji are not guessed at; typos and new words in real
sentences still reach the classifier."""

from __future__ import annotations

import pytest

from components.vocabulary import Vocabulary

VOCABULARY = Vocabulary.from_texts(
    [
        "what is microneedling", "how long does botox last", "good night", "no thanks",
        "can i get botox after needling", "is it worth it", "my eyelid is droopy",
    ]
)


@pytest.mark.parametrize("text", ["asdfgh qwerty zxcv", "zzqx blorp", "qwertyuiop", "\U0001F600\U0001F600", "??", ""])
def test_mashing_emoji_and_punctuation_are_not_text(text: str) -> None:
    assert not VOCABULARY.looks_like_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "what is microneedlng",  # a letter missing
        "how long does botx last",  # a letter missing, short word
        "what is microneeedling",  # a letter extra
        "goodnight",  # two known words run together
        "nop",  # "no" plus a letter
        "is kybella worth it",  # one new word among known ones
        "11/10",  # a date with no letters
    ],
)
def test_typos_and_real_sentences_are_text(text: str) -> None:
    assert VOCABULARY.looks_like_text(text)
