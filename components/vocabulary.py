"""Is a message made of words the assistant has seen? Pure functions.

DIET scores keyboard mashing ("asdfgh qwerty", "zzqx blorp") with high
confidence for some intent, so the FallbackClassifier never fires for it.
A message whose words are mostly unknown to the training data, even allowing
one typo per word, is sent to the rephrase answer instead of being guessed.
"""

from __future__ import annotations

import re
from typing import FrozenSet, Iterable, Set

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_DIGIT = re.compile(r"\d")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def deletions(word: str) -> Set[str]:
    """The word with any one letter removed (for one-typo matching)."""
    return {word[:i] + word[i + 1:] for i in range(len(word))}


class Vocabulary:
    """Words seen in training, with their one-letter deletions."""

    def __init__(self, known: Iterable[str]) -> None:
        self.known: FrozenSet[str] = frozenset(known)
        near: Set[str] = set()
        for word in self.known:
            if len(word) >= 4:
                near |= deletions(word)
        self.near: FrozenSet[str] = frozenset(near)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Vocabulary:
        return cls(w for text in texts for w in words(text))

    def recognises(self, word: str) -> bool:
        """Known, one typo away (a letter missing, extra, wrong or swapped),
        or two known words written as one."""
        if word in self.known:
            return True
        if len(word) == 3:  # "nop" for "no", "thx" for "tx": an extra letter only
            return any(variant in self.known for variant in deletions(word))
        if len(word) < 3:
            return False
        if word in self.near:  # a letter missing
            return True
        if any(variant in self.known or variant in self.near for variant in deletions(word)):
            return True
        # Two known words run together: "goodnight", "botoxtoday".
        return any(word[:i] in self.known and word[i:] in self.known for i in range(3, len(word) - 2))

    def looks_like_text(self, text: str, min_known_ratio: float = 0.5) -> bool:
        """False for mashing, emoji-only or punctuation-only messages."""
        found = words(text)
        if not found:
            return bool(_DIGIT.search(text))  # "11/10" is a date
        known = sum(1 for w in found if self.recognises(w))
        return known / len(found) >= min_known_ratio
