"""Reading treatments and dates from a patient's message (words in clinic/words.py).

treatments.py which treatments a message names, and which came first
resolvers.py  a date phrase -> a date, or a refusal (DateRefusal)
grammar.py    the regular-expression grammar: every date-like phrase
tense.py      past or planned, from spaCy's parse (a word list without it)
reading.py    choosing the phrase and resolving it: the public entry points
"""

from clinic.dates.reading import (
    MAX_YEARS_AGO,
    DateResolution,
    TreatmentDateReading,
    resolve_treatment_date,
    understand_message,
)
from clinic.dates.tense import SPACY_MODEL
from clinic.dates.treatments import TreatmentMention, find_treatments

__all__ = [
    "MAX_YEARS_AGO",
    "SPACY_MODEL",
    "DateResolution",
    "TreatmentDateReading",
    "TreatmentMention",
    "find_treatments",
    "resolve_treatment_date",
    "understand_message",
]
