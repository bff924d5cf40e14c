"""Shared by the date tests: a pinned clock and the ways a test asks for a date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Dict, List

import yaml

from clinic.answers import load_answers, render_text
from clinic.dates import (
    DateResolution,
    resolve_treatment_date,
)
from clinic.protocol import DateRules

D = dt.date
SAT = D(2026, 11, 21)  # Saturday
MON = D(2026, 11, 16)
WED = D(2026, 11, 18)
FRI_JAN_2 = D(2026, 1, 2)
DATA = Path(__file__).resolve().parent.parent / "data" / "date_sentences.yml"


def when(text: str, today: D = SAT, default_tense: str | None = None, **rules: Any) -> D | None:
    return resolve_treatment_date(text, today, DateRules(**rules), default_tense).date


def refusal(text: str, today: D = SAT, **rules: Any) -> str | None:
    return resolve_treatment_date(text, today, DateRules(**rules)).refusal_code


ANSWERS = load_answers()


def reason(resolution: DateResolution) -> str | None:
    """What the patient reads: the refusal in the clinic's wording."""
    if resolution.refusal is None:
        return None
    return render_text(ANSWERS, resolution.refusal.answer, None, resolution.refusal.values)


def _labelled() -> List[Dict[str, Any]]:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return [dict(entry, today=entry.get("today", data["today"])) for entry in data["sentences"]]


LABELLED = _labelled()
