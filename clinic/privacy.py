"""Patients' data: how long conversations are kept, what to tell a patient
about what is stored, and the names the adapters share for "forget me".

Pure: no Rasa, no database, no clock (the time is passed in). The SQL side is
stores/personal_data.py; the wording is in clinic/answers.yml.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence

from clinic.protocol import TREATMENT_NAMES, ClinicProtocol
from clinic.wait_plan import format_day
from clinic.words import normalise

# Overrides privacy.retention_days of clinic/protocol.yml.
RETENTION_ENV = "CONVERSATION_RETENTION_DAYS"
# The action that deletes the conversation: the Rasa server deletes instead of
# storing the turn in which it ran (stores/tracker_store.py).
FORGET_ACTION = "action_forget_me"
# Channels, as Rasa names them in the tracker.
SMS_CHANNEL = "sms"
WIDGET_CHANNEL = "socketio"


class RetentionError(ValueError):
    """CONVERSATION_RETENTION_DAYS is not a whole number of days >= 1."""


def retention_days(protocol: ClinicProtocol, env: Optional[Mapping[str, str]] = None) -> int:
    """Days without a message after which a conversation is deleted."""
    env = os.environ if env is None else env
    raw = (env.get(RETENTION_ENV) or "").strip()
    if not raw:
        return protocol.retention_days
    try:
        days = int(raw)
    except ValueError:
        raise RetentionError(f"{RETENTION_ENV} must be a whole number of days, not {raw!r}") from None
    if days < 1:
        raise RetentionError(f"{RETENTION_ENV} must be at least 1, not {days}")
    return days


def idle_cutoff(now: dt.datetime, days: int) -> float:
    """The Unix time before which a conversation's last event makes it too old."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    return (now - dt.timedelta(days=days)).timestamp()


@dataclass(frozen=True)
class StoredFacts:
    """What the bot holds for one conversation, as the adapters found it."""

    channel: Optional[str]
    previous_treatment: Optional[str] = None
    previous_date: Optional[dt.date] = None
    reminders: Sequence[dt.date] = ()


@dataclass(frozen=True)
class Summary:
    """The answer to "what do you know about me?": the answer's name, the
    pieces of clinic/answers.yml listing what is stored, the piece about the
    channel (or None), and the values that fill them."""

    answer: str
    stored: List[str]
    channel_note: Optional[str]
    values: Dict[str, Any]


def summarise(facts: StoredFacts, days: int, today: dt.date) -> Summary:
    """Which pieces of clinic/answers.yml describe `facts`, in order."""
    pieces: List[str] = []
    values: Dict[str, Any] = {"days_kept": days}
    pieces.append("privacy_stored_messages")
    if facts.previous_treatment in TREATMENT_NAMES:
        values["previous_treatment"] = TREATMENT_NAMES[facts.previous_treatment]
        if facts.previous_date is not None:
            values["previous_date"] = format_day(facts.previous_date, today)
            pieces.append("privacy_stored_treatment_date")
        else:
            pieces.append("privacy_stored_treatment")
    if facts.reminders:
        values["reminder_dates"] = ", ".join(format_day(day, today) for day in sorted(facts.reminders))
        pieces.append("privacy_stored_reminders")
    note = {SMS_CHANNEL: "privacy_channel_sms", WIDGET_CHANNEL: "privacy_channel_widget"}.get(
        facts.channel or "", "privacy_channel_other"
    )
    return Summary("privacy_summary", pieces, note, values)


def join_pieces(texts: Sequence[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    texts = [text for text in texts if text]
    if len(texts) <= 1:
        return "".join(texts)
    return ", ".join(texts[:-1]) + " and " + texts[-1]


# A patient's command about their data, typed whole: read the same every time,
# whatever the classifier's confidence ("forget me" once fell to the rephrase answer).
_PRIVACY_COMMANDS = {
    "forget_me": re.compile(
        r"(?:please\s+|pls\s+|can\s+you\s+|could\s+you\s+)?(?:forget\s+(?:about\s+)?(?:me|everything)|"
        r"(?:delete|erase|remove|wipe|clear)\s+(?:all\s+)?(?:of\s+)?(?:my|our|this)\s+"
        r"(?:data|info|information|messages|history|chat|conversation|details|number))(?:\s+please|\s+pls)?"),
    "privacy_summary": re.compile(
        r"what\s+(?:do|did)\s+(?:you|u)\s+(?:know|have|keep|store|remember)\s+(?:about|on)\s+me"),
}


def privacy_command(text: str) -> Optional[str]:
    """The privacy intent a whole message asks for ("forget me"), or None."""
    plain = re.sub(r"[^a-z' ]+", " ", normalise(text))
    plain = " ".join(plain.split())
    return next((intent for intent, pattern in _PRIVACY_COMMANDS.items() if pattern.fullmatch(plain)), None)
