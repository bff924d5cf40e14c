"""Which treatments a message names, and which one came (or comes) first.

Treatments come from typo-tolerant patterns ("botx", "microneedlin",
"micro-needle") plus a one-edit fuzzy match. Which one came first is decided
from the words around each mention ("after botox", "had needling 3 days
ago") versus the question ("when can I get ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

from clinic.dates.grammar import find_candidates
from clinic.protocol import other_treatment
from clinic.words import CLAUSE_PUNCTUATION, normalise, tokens

BOTOX = "botox"
MICRONEEDLING = "microneedling"

# Typo-tolerant patterns on top of the table (lowercase text).
_TREATMENT_PATTERNS: Sequence[Tuple[str, str]] = (
    (r"\bbaby[\s\-]?b[o0]?t+[aeiou0]?x+\b", BOTOX),
    (r"\bb[o0]?t+[aeiou0]?x+(?:ed|ing|es)?\b", BOTOX),  # botox botx bottox btox botax
    (r"\b(?:tox|toxin|botulinum(?:[\s\-]toxins?)?|neuro[\s\-]?toxins?|neuro[\s\-]?modulators?)\b", BOTOX),
    (r"\b(?:dysport|disport|xeomin|jeuveau|juveau|daxxify)\b", BOTOX),
    (r"\b(?:anti[\s\-]?)?wrinkle[\s\-](?:injections?|relaxers?|shots?)\b", BOTOX),
    (r"\bm[iy](?:cro|rco|kro|cor|cr)[\s\-]?n+ee?d+l?(?:ing|in|ed|e|es|s)?\b", MICRONEEDLING),
    (r"\b(?:skin[\s\-])?nee?dl(?:ing|in|ed)\b", MICRONEEDLING),
    (r"\bcollage?n[\s\-]induction(?:[\s\-]therap(?:y|ies))?\b", MICRONEEDLING),
    (r"\bcit\b", MICRONEEDLING),
    (r"\bmn\b", MICRONEEDLING),  # "mn on bc day, tox when?"
    (r"\bm[iy]cro[\s\-]?kneel(?:ing|in|ed)?\b", MICRONEEDLING),  # voice-to-text
    (r"\bderma?[\s\-]?(?:pen|pened|roll(?:er|ing|ed)?)\b", MICRONEEDLING),
    (r"\bskin[\s\-]?pen\b", MICRONEEDLING),
    (r"\bneedle[\s\-]?facials?\b", MICRONEEDLING),
    # "a dermaroller facial", "microneedling facial": ours, not another facial.
    (r"\b(?:m[iy]cro[\s\-]?needling|derma?[\s\-]?(?:pen|roll(?:er|ing)?))[\s\-]facials?\b", MICRONEEDLING),
)
_TREATMENT_RES = [(re.compile(p), t) for p, t in _TREATMENT_PATTERNS]
# Last resort for typos the patterns miss: one edit away from these words.
_FUZZY_WORDS = {
    "botox": BOTOX,
    "microneedling": MICRONEEDLING,
    "microneedled": MICRONEEDLING,
    "dermapen": MICRONEEDLING,
    "dermaroller": MICRONEEDLING,
    "dysport": BOTOX,
}
_FUZZY_STOP = {"boots", "botch", "detox", "notox"}


@dataclass(frozen=True)
class TreatmentMention:
    """Which treatment came (or comes) first, and which one is asked about."""

    previous_treatment: str | None
    next_treatment: str | None


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    treatment: str


def _damerau1(a: str, b: str) -> bool:
    """True if a and b are at most one edit (incl. a swap) apart."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2 and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    for i in range(len(long_)):
        if long_[:i] + long_[i + 1:] == short:
            return True
    return False



def treatment_mentions(low: str) -> List[Mention]:
    """Every mention of Botox or microneedling (any spelling, brand or slang) in lowercase text."""
    found: List[Mention] = []
    for regex, treatment in _TREATMENT_RES:
        for m in regex.finditer(low):
            found.append(Mention(m.start(), m.end(), treatment))
    for m in re.finditer(r"[a-z]{4,}", low):
        word = m.group()
        if word in _FUZZY_STOP or any(f.start <= m.start() < f.end for f in found):
            continue
        for target, treatment in _FUZZY_WORDS.items():
            if abs(len(word) - len(target)) <= 1 and _damerau1(word, target):
                found.append(Mention(m.start(), m.end(), treatment))
                break
    # Keep the longest of overlapping matches.
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: List[Mention] = []
    for f in found:
        if kept and f.start < kept[-1].end:
            continue
        kept.append(f)
    return kept


# Words around a mention that say "this one came first" or "this is asked about".
_AFTER_WORDS = {"after", "since", "following", "post", "from"}
_BEFORE_WORDS = {"before", "until", "till", "til", "b4"}
_SKIPPABLE = {"my", "the", "a", "an", "your", "some", "getting", "having", "doing",
              "i", "had", "got", "did", "me", "that", "this", "last", "of", "our"}
ASK_WORDS = {"can", "could", "should", "may", "when", "whens", "how", "want", "wanna",
              "would", "safe", "ok", "okay", "allowed", "able", "ready", "wait",
              "soon", "earliest", "cn", "possible", "start", "book"}
DONE_WORDS = {"had", "got", "did", "done", "gotten", "getting", "having", "booked",
               "scheduled", "was", "went", "received", "finished", "ive", "i've",
               "appointment", "appt", "planned", "planning", "is"}
_RELATIVE_WHEN = re.compile(r"\b(?:was|is|were|that's|thats)\s+when$")
_CLAUSE_WORDS = {"and", "but", "so", "if", "when", "whens", "because", "cuz", "cause", "then"}


def clause_bounds(low: str, pos: int) -> Tuple[int, int]:
    """Character span of the clause around `pos` (split at punctuation and
    at joining words such as "and", "but", "if", "when")."""
    start, end = 0, len(low)
    for tok, s, e in tokens(low):
        boundary = tok in CLAUSE_PUNCTUATION or tok in _CLAUSE_WORDS
        if not boundary:
            continue
        if e <= pos:
            start = e if tok not in _CLAUSE_WORDS else s
        elif s >= pos:
            end = s
            break
    return start, end


def _after_that(word: str, after: Sequence[Tuple[str, int, int]]) -> bool:
    """"booked for good friday, after that microneedling": "that" is the earlier
    treatment, and the one named is the later; not "after that botox i had"."""
    return word in ("that", "this", "it") and not (after and after[0][0] in _THAT_TREATMENT)


_THAT_TREATMENT = {"i", "i've", "ive", "you", "was", "appt", "appointment", "session", "treatment", "visit"}


def _mention_score(low: str, mention: Mention, date_spans: Sequence[Tuple[int, int]]) -> int:
    """Positive: this treatment came first. Negative: it is the one asked about."""
    toks = tokens(low)
    before = [t for t in toks if t[2] <= mention.start]
    after = [t for t in toks if t[1] >= mention.end]
    score = 0
    # "after my botox", "since i had needling" / "before botox".
    for i, (tok, _, _) in enumerate(reversed(before[-4:])):
        if tok in _AFTER_WORDS:
            score += -5 if i == 1 and _after_that(before[-1][0], after) else 5
            break
        if tok in _BEFORE_WORDS:
            score -= 5
            break
        if tok not in _SKIPPABLE:
            break
    c_start, c_end = clause_bounds(low, mention.start)
    # "labour day was when i had my microneedling": a "when" that says when, not asks.
    relative_when = bool(_RELATIVE_WHEN.search(low[:c_start + 4])) and low.startswith("when", c_start)
    date_from = clause_bounds(low, c_start - 1)[0] if relative_when and c_start > 0 else c_start
    if any(date_from <= s and e <= c_end for s, e in date_spans):
        score += 2
    # The clause starts at its joining word, so "when can i get" keeps "when".
    clause_before = [t for t, s, _ in before if s >= c_start][-6:]
    if relative_when:
        clause_before = clause_before[1:]
    if any(t in ASK_WORDS for t in clause_before):
        score -= 2
    if any(t in DONE_WORDS for t in clause_before):
        score += 1
    clause_after = [t for t, s, _ in after if s < c_end][:4]
    if any(t in {"when", "whens", "ok", "okay", "safe", "possible"} for t in clause_after):
        score -= 2
    if any(t in {"was", "done", "were"} for t in clause_after):
        score += 1
    if c_end < len(low) and low[c_end] == "?" and score <= 0:
        score -= 1
    return score


def order_treatments(low: str, date_spans: Sequence[Tuple[int, int]]) -> Tuple[TreatmentMention, List[Mention]]:
    mentions = treatment_mentions(low)
    if not mentions:
        return TreatmentMention(None, None), mentions
    scores: Dict[str, int] = {}
    first_seen: Dict[str, int] = {}
    for m in mentions:
        scores[m.treatment] = scores.get(m.treatment, 0) + _mention_score(low, m, date_spans)
        first_seen.setdefault(m.treatment, m.start)
    named = sorted(scores, key=lambda t: (-scores[t], first_seen[t]))
    if len(named) == 2:
        return TreatmentMention(named[0], named[1]), mentions
    only = named[0]
    if scores[only] < 0:
        return TreatmentMention(other_treatment(only), only), mentions
    return TreatmentMention(only, other_treatment(only)), mentions


def find_treatments(text: str) -> TreatmentMention:
    """Previous treatment (done or planned first) and next one (asked about).

    With one treatment named, the other is implied; with none, both are None.
    """
    low = normalise(text)
    # Only the spans matter here, and they are the same whichever way "11/10" is read.
    spans = [(c.start, c.end) for c in find_candidates(low, month_first=True)]
    return order_treatments(low, spans)[0]
