"""A message's date reading as plain data, so the language pipeline reads a
message once and the wait-date action uses that reading (no second parse).

The pipeline does not know the conversation, so it reads the message both
ways the dialogue may need: as it stands, and as the answer about a planned
treatment (a bare "the 5th" then reads ahead; see `understand_message`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Mapping, Optional

from clinic.dates.reading import DateResolution, TreatmentDateReading, understand_message
from clinic.dates.resolvers import DateRefusal
from clinic.protocol import DateRules

# The parse result's key the pipeline sets, and the readings' keys: the default tense used.
READING_KEY = "date_reading"
AS_WRITTEN = "as_written"
IF_PLANNED = "future"


def reading_as_dict(reading: TreatmentDateReading) -> Dict[str, Any]:
    resolution = reading.date_resolution
    refusal = resolution.refusal
    return {
        "previous_treatment": reading.previous_treatment,
        "next_treatment": reading.next_treatment,
        "date": resolution.date.isoformat() if resolution.date else None,
        "tense": resolution.tense,
        "matched_text": resolution.matched_text,
        "refusal": None if refusal is None else {
            "code": refusal.code, "answer": refusal.answer, "values": dict(refusal.values)},
        "choices": [d.isoformat() for d in resolution.choices] if resolution.choices else None,
    }


def reading_from_dict(data: Mapping[str, Any]) -> TreatmentDateReading:
    refusal = data.get("refusal")
    choices = data.get("choices")
    return TreatmentDateReading(
        data.get("previous_treatment"),
        data.get("next_treatment"),
        DateResolution(
            date=dt.date.fromisoformat(data["date"]) if data.get("date") else None,
            tense=data.get("tense") or "unknown",
            matched_text=data.get("matched_text"),
            refusal=None if not refusal else DateRefusal(
                refusal["code"], refusal["answer"], **(refusal.get("values") or {})),
            choices=(dt.date.fromisoformat(choices[0]), dt.date.fromisoformat(choices[1])) if choices else None,
        ),
    )


def read_for_dialogue(
    text: str, today: dt.date, rules: DateRules, doc: Any = None, hint: bool = True
) -> Dict[str, Any]:
    """Both readings of `text` on `today`, as the pipeline's entity value."""
    as_written = understand_message(text, today, rules, doc=doc, hint=hint)
    readings = {AS_WRITTEN: reading_as_dict(as_written)}
    if as_written.date_resolution.tense == "unknown":  # only then can the default tense matter
        if_planned = reading_as_dict(understand_message(text, today, rules, IF_PLANNED, doc=doc, hint=hint))
        if if_planned != readings[AS_WRITTEN]:
            readings[IF_PLANNED] = if_planned
    return {"today": today.isoformat(), "readings": readings}


def reading_for_turn(
    value: Any, today: dt.date, default_tense: Optional[str]
) -> Optional[TreatmentDateReading]:
    """The pipeline's reading for this turn, or None when there is none for
    `today` (a message read before midnight and answered after it)."""
    if not isinstance(value, Mapping) or value.get("today") != today.isoformat():
        return None
    readings = value.get("readings") or {}
    chosen = readings.get(default_tense or AS_WRITTEN) or readings.get(AS_WRITTEN)
    return reading_from_dict(chosen) if chosen else None
