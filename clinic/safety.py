"""Red-flag triage of symptom reports. Pure functions, no Rasa imports.

The signs come from the Botox Cosmetic prescribing information's boxed warning
(distant spread of toxin effect), its allergic-reaction warning, and standard
wound-infection guidance for microneedling. Triage errs on the side of care:
when a message holds signs of more than one level, the most urgent one wins.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Pattern

from clinic.words import normalise


class Triage(str, Enum):
    EMERGENCY = "emergency"  # call 911 / emergency care now
    INFECTION_EMERGENCY = "infection_emergency"  # infection signs + systemic signs
    INFECTION = "infection"  # contact the clinic or urgent care today
    NONE = "none"  # no red flag found


def _words(*patterns: str) -> Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_CANT = r"(?:can'?t|cannot|cant|unable to|struggl\w* to|hard to|trouble|difficult\w*|problems?)"

# Possible spread of toxin effect after Botox.
TOXIN_SPREAD = _words(
    rf"{_CANT}\s+(?:\w+\s+)?(?:swallow|breath|speak|talk)",
    r"(?:swallow|breath|speak|talk)\w*\s+(?:is\s+|feels?\s+)?(?:hard|difficult|weird|strange)",
    r"short(?:ness)? of breath|choking",
    r"slurr\w*",
    r"blurr\w*|double vision|seeing double|vision\s+(?:is\s+)?(?:\w+\s+)?(?:blurr\w*|chang\w*|problem\w*|loss|off|weird)|lost (?:my )?vision|can'?t see",
    r"droop\w*|ptosis|eyelids? (?:is |are )?(?:falling|hanging|heavy)",
    # "my eyes feel heavy", "i can barely lift my lids", "my eye won't close": eyelid weakness too.
    r"(?:eyes?|eyelids?|lids?) (?:feels? |are |is |looks? )?(?:so |really |very |super )?heavy",
    rf"(?:{_CANT}|barely|hardly) (?:\w+ )?(?:lift|open|close|shut) (?:my )?(?:(?:left|right|one) )?(?:eye)?(?:lids?|eyes?)",
    r"eyes? (?:won'?t|wont|doesn'?t|does not|will not) (?:fully |all the way )?(?:close|open|shut)",
    # A brow that drops after Botox is the same spread of effect as a drooping lid.
    r"(?:eye)?brows? (?:has |have |is |are |feels? )?(?:\w+ )?(?:dropp\w*|fell|fall\w*|sagg\w*|heavy)|dropped (?:eye)?brows?",
    r"muscle weakness|weak(?:ness)? all over|(?:body|arms?|legs?|neck|whole face) (?:feels? |is |are )?(?:so |really |very )?weak|general weakness",
    r"hoarse\w*|lost my voice|losing my voice",
)

# Allergic reaction.
ALLERGY = _words(
    r"hives|welts",
    r"wheez\w*",
    r"dizz\w*|light-?headed|faint\w*|passed out|pass out|blacked out",
    r"(?:throat|tongue|lips?) (?:is |are |feels? )?(?:closing|swell\w*|swollen|tight)",
    r"swollen (?:throat|tongue)|anaphyla\w*|allergic reaction",
)

# Signs of infection after microneedling (concrete signs, not the word alone).
INFECTION_SIGNS = _words(
    r"\bpus\b|ooz\w*|yellow (?:crust|discharge|fluid)|discharge",
    r"fever\w*|chills|temperature of",
    r"(?:redness|rash|red)\s+(?:\w+\s+)?(?:is\s+)?(?:spread\w*|getting (?:worse|bigger)|worse\w*)",
    r"spreading (?:redness|red)|red streaks?",
    r"(?:pain|swelling|sore\w*)\s+(?:\w+\s+)?(?:is\s+|keeps\s+)?(?:getting worse|worse\w*|increas\w*)",
    r"worse\w* (?:pain|swelling)|hot to the touch|warm to the touch",
)
INFECTED = re.compile(r"infect\w*")

# With infection signs, these make it an emergency (possible sepsis).
SYSTEMIC = _words(
    r"confus\w*|disoriented",
    r"racing heart|heart (?:is )?(?:racing|pounding)|palpitation\w*|fast heart ?beat",
    r"dizz\w*|light-?headed|faint\w*",
)

FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|my|me|mine)\b")
# "can i get droopy eyelids from it?" asks about a risk; it reports nothing.
HYPOTHETICAL = re.compile(
    r"\b(?:risks?|risky|chances?|possible|side effects?|what if|could i|can i|will i|would i|might i|do people"
    # "can botox make your eyelid droop?", "botox can cause droopy eyelid?": what it can do, in general.
    r"|(?:can|could|does|do|will|would|might|may)\s+(?:botox|tox|it|microneedling|needling|the\s+\w+)"
    r"\s+(?:cause|make|give|lead|spread)"
    r"|(?:botox|tox|it|microneedling|needling)\s+(?:can|could|may|might)\s+(?:cause|make|give|lead|spread))\b"
)


# "I can't breathe", "my eyelid is drooping": a report, however it is asked.
PRESENT_REPORT = re.compile(
    r"\b(?:i can'?t|i cannot|i'?m (?:having|getting|seeing|feeling|wheezing|slurring)"
    r"|(?<!could )(?<!can )(?<!will )(?<!would )(?<!might )i have|i've got|ive got"
    r"|my \w+(?: \w+)? (?:is|are|feels?|has|keeps?|won'?t)|since (?:my|the|yesterday|this))\b"
)


def triage_symptoms(text: str) -> Triage:
    """The most urgent level of red-flag sign found in a symptom message."""
    t = normalise(text)
    if TOXIN_SPREAD.search(t) or ALLERGY.search(t):
        return Triage.EMERGENCY
    if INFECTION_SIGNS.search(t) or INFECTED.search(t):
        return Triage.INFECTION_EMERGENCY if SYSTEMIC.search(t) else Triage.INFECTION
    return Triage.NONE


# Any sign a patient might report, mild or serious: a message with none is no symptom report.
ANY_SIGN = re.compile(
    r"\b(?:red\w*|pink\w*|swell\w*|swollen|bruis\w*|pain\w*|hurt\w*|sore\w*|ach\w*|itch\w*|rash\w*|bump\w*|"
    r"lump\w*|burn\w*|sting\w*|tender\w*|tight\w*|dry|peel\w*|flak\w*|blister\w*|scab\w*|bleed\w*|"
    r"numb\w*|tingl\w*|headache\w*|heavy|weak\w*|droop\w*|puff\w*|uneven|lopsided|bleeding|fever\w*|pus|"
    r"ooz\w*|infect\w*|breath\w*|swallow\w*|vision|blurr\w*|dizz\w*|hives|sick|nause\w*|symptom\w*|reaction)\b"
)


def mentions_a_sign(text: str) -> bool:
    """True when the message names any sign or symptom at all."""
    return bool(ANY_SIGN.search(normalise(text)))


def symptom_answer_name(text: str) -> str:
    """The clinic's answer for a symptom report: symptom_emergency, ... or symptom_other."""
    triage = triage_symptoms(text)
    return "symptom_other" if triage is Triage.NONE else f"symptom_{triage.value}"


def reports_red_flag(text: str) -> bool:
    """True when the message reads as a patient reporting a red-flag sign.

    Used to route a message to the symptom answer even when the intent
    classifier thought otherwise. A general question about risks ("can botox
    cause droopy eyelids?") is left to the classifier.
    """
    t = normalise(text)
    concrete = TOXIN_SPREAD.search(t) or ALLERGY.search(t) or INFECTION_SIGNS.search(t)
    if not concrete:
        return False
    if HYPOTHETICAL.search(t) and not PRESENT_REPORT.search(t):
        return False
    return bool(FIRST_PERSON.search(t)) or not re.match(
        r"\s*(?:what|which|can(?!'?t)|could|is|are|does|do|will|would|how|why|should)\b", t
    )


# A question anywhere in the message: "my skin is pink, when can i get botox" asks about timing.
_ASKS = re.compile(r"\?|\b(?:when|how|can|could|should|would|will|what|which|why|ok|okay|safe|wait|allowed|gonna"
                   r"|am\s+i|is\s+(?:it|that|this)|are\s+(?:they|these|those)|do\s+i|does)\b")


_IS_IT_NORMAL = re.compile(r"\b(?:is|r|are)\s+(?:that|this|it|these|they)\s+(?:normal|ok|okay|expected|common)\b\??"
                           r"|\bshould\s+i\s+(?:be\s+)?(?:worried|worry|concerned)\b\??")


# "mild stinging after needling today, is that normal": a text's "I have" left out, the sign is now.
_NOW = re.compile(r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening)|right\s+now|still)\b")


def reports_a_sign(text: str) -> bool:
    """True when the message is a patient's own report of a sign, with no
    question in it ("slight swelling at my injection sites from botox this
    morning"): the symptom answer, whatever the classifier thought."""
    t = normalise(text)
    asks = _ASKS.search(_IS_IT_NORMAL.sub("", t))  # "is that normal?" asks about the report itself
    if not ANY_SIGN.search(t) or asks or not (FIRST_PERSON.search(t) or _NOW.search(t)) or re.match(r"\s*if\b", t):
        return False
    return not (HYPOTHETICAL.search(t) and not PRESENT_REPORT.search(t))

