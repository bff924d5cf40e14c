"""Words patients use for numbers, days and months, and the text clean-up
every reader of a message shares. Pure; English whatever the server's locale."""

from __future__ import annotations

import re
from typing import List, Tuple


def normalise(text: str) -> str:
    """Lowercase with plain apostrophes; same length as the input."""
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


# Punctuation that ends a clause is a token too, dashes included ("had xeomin nov 3 — is it safe").
TOKEN_RE = re.compile(r"[a-z0-9']+|[?.!,;\n\u2014\u2013]|(?<=\s)-(?=\s)")
CLAUSE_PUNCTUATION = frozenset("?.!,;\n\u2014\u2013-")


def tokens(low: str) -> List[Tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in TOKEN_RE.finditer(low)]


NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "couple": 2,
    "a couple": 2, "a couple of": 2, "couple of": 2, "a single": 1,
}
UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
VAGUE_NUMBERS = r"(?:a\s+)?few|several|some|a\s+couple\s+or\s+so"
NUMBER = (
    r"(?:\d{1,3}|(?:twenty|thirty)(?:[\s\-](?:" + "|".join(UNITS) + r"))?|"
    r"a\s+couple(?:\s+of)?|couple(?:\s+of)?|"
    + "|".join(sorted((w for w in NUMBER_WORDS if " " not in w and w not in ("twenty", "thirty", "couple")),
                      key=len, reverse=True))
    + r")"
)
UNIT = (
    r"(?:days?|dys?|dayz|d|wks?|weeks?|weeeks?|w|months?|mnths?|mths?|mos?|"
    r"years?|yrs?|fortnights?)"
)
FILLER = r"(?:(?:about|around|like|roughly|maybe|approx\.?|almost|nearly|over|just|exactly|only)\s+)*"

WEEKDAYS = {
    0: r"mon(?:day|dy|d)?|mnday",
    1: r"tue(?:s|sday|sdy|sday)?|tu(?:esday|sday)|teusday|tuseday",
    2: r"wed(?:s|nesday|nsday|nesdy|ensday)?|wen(?:d)?sday|wednes",
    3: r"thu(?:r|rs|rsday|rsdy|sday)?|thrusday|thurday",
    4: r"fri(?:day|dy|d)?|firday|fryday",
    5: r"sat(?:urday|urdy|urday|erday|day)?",
    6: r"sun(?:day|dy|d)?",
}
FULL_WEEKDAY = {
    0: r"monday|mondy|mnday", 1: r"tuesday|tues|tusday|teusday|tuseday|tuesdy",
    2: r"wednesday|wednsday|wensday|wendsday|wedensday|weds", 3: r"thursday|thurs|thrusday|thurday|thursdy",
    4: r"friday|firday|fridy|fryday", 5: r"saturday|saterday|saturdy", 6: r"sunday|sundy",
}
WD_ANY = "|".join(f"(?:{p})" for p in WEEKDAYS.values())
WD_FULL = "|".join(f"(?:{p})" for p in FULL_WEEKDAY.values())

MONTHS = {
    1: r"jan(?:uary|uray|aury)?",
    2: r"feb(?:ruary|uary|urary|rary)?",
    3: r"mar(?:ch)?",
    4: r"apr(?:il|l)?",
    5: r"may",
    6: r"june?",
    7: r"july?",
    8: r"aug(?:ust|st)?",
    9: r"sept?(?:ember|emeber|mber|tember)?",
    10: r"oct(?:ober|ber|obre)?",
    11: r"nov(?:ember|mber|emeber|ember)?",
    12: r"dec(?:ember|mber|emeber|emebr)?",
}
MONTH = "|".join(f"(?:{p})" for p in MONTHS.values())
# English names whatever the server's locale.
MONTH_NAMES = ["", "January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"]
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
    "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16,
    "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
    "thirtieth": 30,
}
ORD_UNITS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
ORDINAL = (
    r"(?:(?:twenty|thirty)[\s\-]?(?:" + "|".join(ORD_UNITS) + r")|"
    + "|".join(sorted(ORDINAL_WORDS, key=len, reverse=True)) + r")"
)
DAY_NUM = r"\d{1,2}(?:st|nd|rd|th)?"
DAY_ORD = r"(?:\d{1,2}(?:st|nd|rd|th)|" + ORDINAL + r")"
YEAR = r"(?:\d{4}|'\d{2})"
# What must not follow a day number ("3 days", "2nd time").
NOT_A_DAY = (
    r"(?!\s*(?:days?|d\b|wks?|weeks?|w\b|months?|mos?\b|mths?|years?|yrs?|hours?|hrs?|"
    r"mins?|minutes?|units?|times?|treatments?|sessions?|rounds?|ones?|appointments?|visits?|"
    r"doses?|syringes?|ml|cc|pm|am|o'?clock|way\b|%|:\d))"
)


def number_value(word: str) -> int:
    word = re.sub(r"\s+", " ", word.strip())
    if word.isdigit():
        return int(word)
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    parts = re.split(r"[\s\-]", word)
    return NUMBER_WORDS[parts[0]] + NUMBER_WORDS[parts[1]]


def ordinal_value(word: str) -> int:
    word = word.strip()
    digits = re.match(r"\d+", word)
    if digits:
        return int(digits.group())
    if word in ORDINAL_WORDS:
        return ORDINAL_WORDS[word]
    tens, unit = re.match(r"(twenty|thirty)[\s\-]?(\w+)", word).groups()  # type: ignore[union-attr]
    return NUMBER_WORDS[tens] + ORDINAL_WORDS[unit]


def month_number(word: str) -> int:
    for number, pattern in MONTHS.items():
        if re.fullmatch(pattern, word):
            return number
    raise ValueError(word)


def weekday_number(word: str) -> int:
    for number, pattern in WEEKDAYS.items():
        if re.fullmatch(pattern, word):
            return number
    for number, pattern in FULL_WEEKDAY.items():
        if re.fullmatch(pattern, word):
            return number
    raise ValueError(word)
