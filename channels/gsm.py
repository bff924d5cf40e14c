"""GSM-7, the character set of a plain text message.

A message that contains even one character outside GSM-7 is sent as UCS-2,
which cuts a segment from 153 to 67 characters and can turn one answer into
five texts. `sanitize` replaces typographic characters with plain ones and
drops what has no equivalent (emoji); `gsm_length` counts what the network
counts (extension characters take two septets).
"""

from __future__ import annotations

import re
import unicodedata

# GSM 03.38 basic character set (0x1B, the escape to the extension table, left out).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each costs an escape plus the character, two septets.
# (Form feed is in the table too, but a reply never needs it.)
GSM_EXTENSION = frozenset("^{}\\[~]|€")

# Two segments of a concatenated GSM-7 message (2 x 153 septets).
SMS_MAX_CHARS = 306

_REPLACEMENTS = {
    # quotes and apostrophes
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"', "\u2039": "'", "\u203a": "'",
    # dashes and hyphens
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2015": "-", "\u2212": "-", "\u2043": "-",
    # ellipsis, bullets, symbols
    "\u2026": "...", "\u2022": "-", "\u00b7": "-", "\u2023": "-", "\u25cf": "-",
    "\u2044": "/", "\u00d7": "x", "\u00f7": "/", "\u2192": "->", "\u2190": "<-",
    "\u00a9": "(c)", "\u00ae": "(R)", "\u2122": "TM", "\u00b0": " deg",
    "\u00a2": "c", "\u2264": "<=", "\u2265": ">=", "\u2248": "~",
    # line breaks and tabs
    "\t": " ", "\u2028": "\n", "\u2029": "\n", "\f": "\n",
}
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\ufe0f", "\ufe0e"}
_SPACES_RE = re.compile(r"[ ]{2,}")


def is_gsm7(text: str) -> bool:
    """True if every character is in the GSM-7 basic or extension table."""
    return all(char in GSM_BASIC or char in GSM_EXTENSION for char in text)


def gsm_length(text: str) -> int:
    """Septets the text takes: extension characters count 2."""
    return sum(2 if char in GSM_EXTENSION else 1 for char in text)


def _sanitize_char(char: str) -> str:
    if char in GSM_BASIC or char in GSM_EXTENSION:
        return char
    if char in _REPLACEMENTS:
        return _REPLACEMENTS[char]
    if char in _ZERO_WIDTH:
        return ""
    if unicodedata.category(char) == "Zs":  # non-breaking, thin, ideographic spaces
        return " "
    # Accented letters and compatibility forms: "ê" -> "e", "ﬁ" -> "fi", "①" -> "1".
    decomposed = unicodedata.normalize("NFKD", char)
    kept = "".join(
        _REPLACEMENTS.get(part, part)
        for part in decomposed
        if not unicodedata.combining(part)
    )
    if kept and kept != char and is_gsm7(kept):
        return kept
    return ""  # emoji, symbols and scripts GSM-7 cannot carry


def sanitize(text: str) -> str:
    """Text rewritten into GSM-7 only, tidy spaces, no leading/trailing blanks."""
    text = unicodedata.normalize("NFC", text or "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = "".join(_sanitize_char(char) for char in text)
    # Dropped characters leave double spaces and blanks at line ends behind.
    lines = [_SPACES_RE.sub(" ", line).strip() for line in out.split("\n")]
    out = "\n".join(lines)
    out = re.sub(r"\n{3,}", "\n\n", out)
    return out.strip()
