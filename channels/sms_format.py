"""Pure pieces of the SMS channel: keywords, sender ids, numbered options,
fitting a reply into two GSM-7 segments, the fixed texts and TwiML.

Nothing here does I/O, so everything is unit-tested directly
(tests/unit/test_sms_format.py); channels/sms.py only wires it to Sanic,
Rasa and the SQLite store.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Pattern, Sequence, Tuple
from xml.sax.saxutils import escape

from channels.gsm import SMS_MAX_CHARS, gsm_length, sanitize

# --- keywords ---------------------------------------------------------------

OPT_OUT = "opt_out"
OPT_IN = "opt_in"
HELP = "help"

OPT_OUT_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ARRET"})
OPT_IN_WORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO", "AIDE"})

_KEYWORDS = {
    **{word: OPT_OUT for word in OPT_OUT_WORDS},
    **{word: OPT_IN for word in OPT_IN_WORDS},
    **{word: HELP for word in HELP_WORDS},
}


def _bare_word(text: str) -> str:
    """Upper case, accents removed, surrounding spaces and punctuation stripped."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    start, end = 0, len(plain)
    while start < end and not plain[start].isalnum():
        start += 1
    while end > start and not plain[end - 1].isalnum():
        end -= 1
    return plain[start:end].upper()


def parse_keyword(text: str) -> Tuple[str | None, str]:
    """(kind, word) if the message is a single keyword, else (None, word).

    "stop", " Stop! ", "Arrêt" are keywords; "stop texting me" is not.
    """
    word = _bare_word(text)
    return _KEYWORDS.get(word), word


_OPTION_RE = re.compile(r"^\s*#?\s*(\d{1,2})\s*[.)!]?\s*$")


def parse_option_number(text: str) -> int | None:
    """The number in a reply that is only a number ("1", " 2. ", "#3"), else None."""
    match = _OPTION_RE.match(text or "")
    return int(match.group(1)) if match else None


# --- sender ids ---------------------------------------------------------------

SENDER_PREFIX = "sms-"


def sender_id(key: str, phone_number: str) -> str:
    """Keyed hash of the E.164 number: stable per patient, useless without the key."""
    digest = hmac.new(
        key.encode("utf-8"), phone_number.strip().encode("utf-8"), hashlib.sha256
    ).hexdigest()
    return SENDER_PREFIX + digest


# --- composing a reply --------------------------------------------------------

MAX_OPTIONS = 9
DISCLAIMER_RE = re.compile(r"not medical advice", re.IGNORECASE)
# A sentence ends at . ! ? followed by a space and a capital; a line break
# always ends one. "Nov. 17" and "e.g. ice" stay whole.
_UNIT_SPLIT_RE = re.compile(r"((?<=[.!?])[ ]+(?=[\"'(]?[A-Z])|[ ]*\n[ ]*)")


@dataclass(frozen=True)
class Option:
    title: str
    payload: str


@dataclass(frozen=True)
class FittedReply:
    text: str
    options: Tuple[Option, ...]  # the options actually shown, numbered from 1
    shortened: bool


def options_line(options: Sequence[Option]) -> str:
    """ "Reply 1 for What is Botox?, 2 for Aftercare" """
    if not options:
        return ""
    parts = [f"{number} for {option.title}" for number, option in enumerate(options, 1)]
    return "Reply " + ", ".join(parts)


def options_from_buttons(buttons: Iterable[Dict[str, Any]]) -> List[Option]:
    options: List[Option] = []
    for button in buttons:
        title = sanitize(str(button.get("title") or "")).replace("\n", " ").rstrip(".,;: ")
        payload = str(button.get("payload") or button.get("title") or "").strip()
        if title and payload:
            options.append(Option(title, payload))
    return options[:MAX_OPTIONS]


@dataclass
class _Unit:
    message: int
    text: str
    separator: str  # what followed it in its message
    protected: bool


def _units(texts: Sequence[str], protect: Pattern[str]) -> List[_Unit]:
    units: List[_Unit] = []
    for index, text in enumerate(texts):
        pieces = _UNIT_SPLIT_RE.split(text)
        # pieces alternate: unit, separator, unit, separator, ... unit
        for position in range(0, len(pieces), 2):
            piece = pieces[position]
            separator = pieces[position + 1] if position + 1 < len(pieces) else ""
            if piece.strip():
                units.append(_Unit(index, piece, separator, bool(protect.search(piece))))
    return units


def _render(units: Sequence[_Unit], options: Sequence[Option]) -> str:
    blocks: List[str] = []
    current: int | None = None
    for unit in units:
        if unit.message != current:
            blocks.append("")
            current = unit.message
        blocks[-1] += unit.text + unit.separator
    blocks = [block.strip() for block in blocks if block.strip()]
    line = options_line(options)
    if line:
        blocks.append(line)
    return "\n\n".join(blocks)


def cut_at_word(text: str, limit: int) -> str:
    """Last resort: whole words only, ending in "..."."""
    if gsm_length(text) <= limit:
        return text
    budget = limit - 3
    kept = ""
    for word in re.split(r"(?<=\s)", text):
        if gsm_length(kept + word) > budget:
            break
        kept += word
    return kept.rstrip() + "..."


def fit_reply(
    texts: Sequence[str],
    options: Sequence[Option] = (),
    limit: int = SMS_MAX_CHARS,
    protect: Pattern[str] = DISCLAIMER_RE,
) -> FittedReply:
    """Join messages (blank line between) plus the numbered options, and make
    the result fit in `limit` GSM-7 septets.

    Texts must already be sanitised. If too long: drop whole trailing sentences
    (never a protected one, i.e. the disclaimer; the opening sentence stays),
    then trailing options. Only if the opening sentence alone is too long is it
    shortened, between words, ending in "...".
    """
    units = _units(texts, protect)
    options = list(options)
    text = _render(units, options)
    if gsm_length(text) <= limit:
        return FittedReply(text, tuple(options), False)

    # 1. trailing sentences, keeping the opening one and protected ones
    for index in range(len(units) - 1, 0, -1):
        if not units[index].protected:
            del units[index]
            text = _render(units, options)
            if gsm_length(text) <= limit:
                return FittedReply(text, tuple(options), True)
    # 2. trailing options
    while options:
        options.pop()
        text = _render(units, options)
        if gsm_length(text) <= limit:
            return FittedReply(text, tuple(options), True)
    # 3. the opening sentence alone is too long: shorten it between words
    if units and not units[0].protected:
        first = units[0]
        placeholder = _render([_Unit(first.message, "x", first.separator, False)] + units[1:], ())
        room = limit - (gsm_length(placeholder) - 1)
        if room >= 20:
            units[0] = _Unit(first.message, cut_at_word(first.text, room), first.separator, False)
            text = _render(units, ())
            if gsm_length(text) <= limit:
                return FittedReply(text, (), True)
    # 4. protected text alone is too long: whole words only
    return FittedReply(cut_at_word(_render(units, ()), limit), (), True)


def compose_reply(
    messages: Iterable[Dict[str, Any]], limit: int = SMS_MAX_CHARS, notice: Sequence[str] = ()
) -> FittedReply:
    """One SMS from all bot messages of a turn (Rasa's collector format).

    Texts are sanitised to GSM-7 and joined; buttons (and quick replies)
    become numbered options; custom JSON, images and attachments are dropped.
    `notice` (the notice at collection) goes after the texts, protected: if it
    does not fit, see `reply_with_notice`.
    """
    texts: List[str] = []
    buttons: List[Dict[str, Any]] = []
    for message in messages:
        text = sanitize(str(message.get("text") or ""))
        if text:
            texts.append(text)
        for key in ("buttons", "quick_replies"):
            buttons.extend(b for b in (message.get(key) or []) if isinstance(b, dict))
    lines = [sanitize(line) for line in notice if line.strip()]
    protect = DISCLAIMER_RE
    if lines:
        texts.append("\n".join(lines))
        protect = re.compile("|".join([DISCLAIMER_RE.pattern] + [re.escape(line) for line in lines]), re.I)
    return fit_reply(texts, options_from_buttons(buttons), limit, protect)


# Between two <Message>s of one reply. sanitize() drops it, so no text has it.
MESSAGE_BREAK = "\x1e"
# One GSM-7 text on its own (a single segment).
SINGLE_SEGMENT_CHARS = 160


def notice_lines(messages: Sequence[Dict[str, Any]], values: Dict[str, Any]) -> List[str]:
    """The notice at collection (clinic/answers.yml), with the disclaimer if the reply has none."""
    from clinic.answers import DISCLAIMER_RESPONSE, current_answers, render_text

    lines = [render_text(current_answers(), "sms_notice", "sms", values)]
    if not any(DISCLAIMER_RE.search(str(m.get("text") or "")) for m in messages):
        lines.append(render_text(current_answers(), DISCLAIMER_RESPONSE, "sms", values))
    return lines


def reply_with_notice(messages: Sequence[Dict[str, Any]], notice: Sequence[str]) -> FittedReply:
    """The first reply to a new number: the answer with the notice after it in
    one text when both fit whole; otherwise the answer exactly as it would be
    without the notice, and the notice as a second, one-segment text (an answer,
    a red flag's above all, is never cut for the notice)."""
    together = compose_reply(messages, notice=notice)
    if not together.shortened:
        return together
    alone = compose_reply(messages)
    notice_text = fit_reply([sanitize("\n".join(notice))], limit=SINGLE_SEGMENT_CHARS).text
    return FittedReply(alone.text + MESSAGE_BREAK + notice_text, alone.options, alone.shortened)


# --- fixed texts ---------------------------------------------------------------

_KEYWORD_PROTECT = re.compile(r"not medical advice|\bSTOP\b|\bSTART\b|\d{3}", re.IGNORECASE)


def _fixed(text: str) -> str:
    return fit_reply([sanitize(text)], protect=_KEYWORD_PROTECT).text


def _fixed_answer(name: str, protocol: Any) -> str:
    """One of the SMS keyword answers (clinic/answers.yml), filled from the protocol,
    with the disclaimer where the answers file gives it one."""
    from clinic.answers import current_answers, render_response

    return _fixed(render_response(current_answers(), name, "sms", protocol.template_values())["text"])


def help_text(protocol: Any) -> str:
    return _fixed_answer("sms_help", protocol)


def opt_out_text(protocol: Any) -> str:
    return _fixed_answer("sms_opted_out", protocol)


def opt_in_text(protocol: Any) -> str:
    return _fixed_answer("sms_opted_in", protocol)


def empty_body_text(protocol: Any) -> str:
    return _fixed_answer("sms_empty_body", protocol)


def apology_text() -> str:
    """The last resort when not even the answers file or the protocol can be read."""
    return "Sorry, something went wrong. Please call the clinic. In an emergency call 911."


# --- TwiML ---------------------------------------------------------------------

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def build_twiml(text: str) -> str:
    """TwiML answering with one message (two if `text` has a MESSAGE_BREAK),
    or nothing if `text` is empty."""
    parts = [part for part in text.split(MESSAGE_BREAK) if part]
    if not parts:
        return XML_DECLARATION + "<Response/>"
    messages = "".join(f"<Message>{escape(part)}</Message>" for part in parts)
    return f"{XML_DECLARATION}<Response>{messages}</Response>"
