"""The clinic protocol is the one source of timing and contact facts, and
every answer carries the disclaimer in the form that suits the channel."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from channels.gsm import SMS_MAX_CHARS
from clinic.answers import DISCLAIMER_RESPONSE, load_answers, render_response, select_variation
from clinic.protocol import DEFAULT_PROTOCOL_PATH, ProtocolError, load_protocol, parse_protocol

ROOT = Path(__file__).resolve().parents[2]
RAW_PROTOCOL = yaml.safe_load(DEFAULT_PROTOCOL_PATH.read_text())
ANSWERS = load_answers()
PROTOCOL = load_protocol()
VALUES = PROTOCOL.template_values()
CHANNELS = [None, "rest", "socketio", "sms"]
# The answers file declares which answers carry no disclaimer (`disclaimer: false`).
WITHOUT_DISCLAIMER = {
    (name, channel) for name in ANSWERS for channel in CHANNELS
    if select_variation(ANSWERS[name], channel).get("disclaimer") is False
}
WITH_DISCLAIMER = sorted(
    ((name, channel) for name in ANSWERS for channel in CHANNELS
     if name != DISCLAIMER_RESPONSE and (name, channel) not in WITHOUT_DISCLAIMER),
    key=str,
)
# What the wait-plan answers are filled with (see clinic/wait_dialogue.py).
PLAN_VALUES = {
    "previous_treatment": "Botox", "next_treatment": "microneedling",
    "previous_date": "Tuesday, November 3", "earliest_date": "Tuesday, November 17",
    "ideal_start": "Tuesday, November 17", "ideal_end": "Tuesday, December 1",
    "days_remaining": 3, "days_word": "days",
    # Two dates offered with the plan from each (ask_which_date_with_plans).
    "first_day": "Friday, November 27", "second_day": "Friday, December 4",
    "first_iso": "2026-11-27", "second_iso": "2026-12-04",
    "first_outcome": "microneedling from Friday, December 11", "second_outcome": "microneedling from Friday, December 18",
    # The treatment a question pointing back refers to (not_covered_about_topic).
    "treatment": "microneedling",
}


def test_default_protocol_has_the_clinic_guidance() -> None:
    assert PROTOCOL.interval("botox", "microneedling").min_days == 14
    assert PROTOCOL.interval("botox", "microneedling").ideal_max_days == 28
    assert PROTOCOL.interval("microneedling", "botox").min_days == 14
    assert PROTOCOL.interval("microneedling", "botox").ideal_max_days == 28
    assert PROTOCOL.timezone == "America/Vancouver"
    assert (PROTOCOL.emergency_number, PROTOCOL.nurse_line) == ("911", "811")


@pytest.mark.parametrize(
    "path, value, message",
    [
        (("intervals", "botox_to_microneedling", "min_days"), 30, "min_days <= ideal_max_days"),
        (("intervals", "microneedling_to_botox"), None, "microneedling_to_botox"),
        (("clinic", "phone"), "", "clinic.phone"),
        (("clinic", "timezone"), "Mars/Olympus", "unknown time zone"),
    ],
)
def test_a_broken_protocol_is_refused_with_the_key_named(path, value, message) -> None:
    raw = copy.deepcopy(RAW_PROTOCOL)
    target = raw
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ProtocolError, match=re.escape(message)):
        parse_protocol(raw)


@pytest.mark.parametrize("name, channel", WITH_DISCLAIMER)
def test_every_answer_carries_the_disclaimer(name: str, channel: str) -> None:
    text = render_response(ANSWERS, name, channel, {**VALUES, **PLAN_VALUES})["text"]
    disclaimer = render_response(ANSWERS, DISCLAIMER_RESPONSE, channel, VALUES)["text"]
    assert text.endswith("\n" + disclaimer), text
    assert "not medical advice" in disclaimer
    assert "{" not in text, f"unfilled placeholder in {name}: {text}"


# Medical content: a waiting period, a symptom, a risk, an emergency number.
MEDICAL = re.compile(r"_days\}|_weeks\}|\{emergency_number\}|\{nurse_line\}|swallow|infect|risk|bruis|heal|inject",
                     re.IGNORECASE)


@pytest.mark.parametrize("name, channel", sorted(WITHOUT_DISCLAIMER, key=str))
def test_answers_declared_without_disclaimer_carry_no_medical_content(name: str, channel: str) -> None:
    template = select_variation(ANSWERS[name], channel)["text"]
    assert not MEDICAL.search(template), f"{name} has medical content but says disclaimer: false"
    text = render_response(ANSWERS, name, channel, {**VALUES, **PLAN_VALUES, "reason": "", "phrase": "x"})["text"]
    assert "not medical advice" not in text


def test_the_answers_that_need_a_disclaimer_have_one() -> None:
    """Every answer to a question about the treatments, every symptom answer
    and every wait plan is declared with the disclaimer."""
    needing = [n for n in ANSWERS if n.startswith(("symptom_", "wait_plan_"))] + [
        "what_is_botox", "what_is_microneedling", "combine", "wait_time", "too_soon", "risks", "recovery",
        "consult", "out_of_scope", "nlu_fallback",
    ]
    for name in needing:
        assert all((name, channel) not in WITHOUT_DISCLAIMER for channel in CHANNELS), name


def test_disclaimer_text_is_written_once() -> None:
    """The disclaimer's sentence appears in no other answer: one source."""
    disclaimer_texts = [v["text"] for v in ANSWERS[DISCLAIMER_RESPONSE]]
    for name, variations in ANSWERS.items():
        if name == DISCLAIMER_RESPONSE:
            continue
        for variation in variations:
            assert "medical advice" not in variation["text"], name
    domain_text = "".join(p.read_text() for p in (ROOT / "domain").glob("*.yml"))
    for text in disclaimer_texts:
        assert text not in domain_text


def test_sms_variation_is_short_and_default_is_not_used_for_sms() -> None:
    sms = render_response(ANSWERS, "what_is_botox", "sms", VALUES)["text"]
    web = render_response(ANSWERS, "what_is_botox", "socketio", VALUES)["text"]
    assert len(sms) <= SMS_MAX_CHARS and len(sms) < len(web)


def test_no_answer_hard_codes_a_waiting_period() -> None:
    """Waiting periods are written as protocol names, never as numbers, so a
    change in protocol.yml cannot leave a stale number behind."""
    period = re.compile(r"\b(\d+|one|two|three|four|five|six)\s*(?:-|to)?\s*(?:\d+\s*)?(weeks?|wks?)\b", re.I)
    for name, variations in ANSWERS.items():
        for variation in variations:
            assert not period.search(variation["text"]), f"{name}: {variation['text']}"


def test_changing_the_protocol_changes_every_answer_and_the_plan(tmp_path: Path) -> None:
    raw = copy.deepcopy(RAW_PROTOCOL)
    raw["intervals"]["botox_to_microneedling"] = {"min_days": 21, "ideal_max_days": 42}
    raw["clinic"]["phone"] = "250-555-0199"
    changed = parse_protocol(raw)
    values = changed.template_values()
    wait = render_response(ANSWERS, "wait_time", None, values)["text"]
    assert "at least 3 weeks before microneedling" in wait and "3 to 6 weeks" in wait
    assert "250-555-0199" in render_response(ANSWERS, "consult", None, values)["text"]
    assert "250-555-0199" in render_response(ANSWERS, "symptom_infection", "sms", values)["text"]

    import datetime as dt

    from clinic.wait_plan import compute_wait_plan

    plan = compute_wait_plan("botox", dt.date(2026, 11, 3), dt.date(2026, 11, 5), changed)
    assert plan.earliest_date == dt.date(2026, 11, 24)
    assert plan.ideal_window == (dt.date(2026, 11, 24), dt.date(2026, 12, 15))


def test_red_flag_answers_name_the_emergency_number() -> None:
    for name in ("symptom_emergency", "symptom_infection_emergency"):
        for channel in CHANNELS:
            text = render_response(ANSWERS, name, channel, VALUES)["text"]
            assert "911" in text and "now" in text
    assert "today" in render_response(ANSWERS, "symptom_infection", None, VALUES)["text"]


def test_weeks_are_spoken_plainly() -> None:
    raw = copy.deepcopy(RAW_PROTOCOL)
    raw["intervals"]["microneedling_to_botox"] = {"min_days": 10, "ideal_max_days": 30}
    values = parse_protocol(raw).template_values()
    assert values["microneedling_to_botox_min_weeks"] == "1.5"
    assert values["microneedling_to_botox_ideal_max_weeks"] == "4.5"


@pytest.mark.parametrize("name", ["combine", "wait_time", "too_soon", "risks"])
@pytest.mark.parametrize("channel", CHANNELS)
def test_timing_answers_state_the_rule_no_patient_may_miss(name: str, channel: str) -> None:
    """Whichever of these neighbours the classifier picks, the patient reads:
    never the same day, and the minimum wait in either order."""
    # Distinct made-up minimums, so each order's number must appear on its own.
    values = {**VALUES, "botox_to_microneedling_min_weeks": "3", "microneedling_to_botox_min_weeks": "5"}
    text = render_response(ANSWERS, name, channel, values)["text"].lower()
    assert "same day" in text
    assert re.search(r"\b3\b", text) and re.search(r"\b5\b", text), text
