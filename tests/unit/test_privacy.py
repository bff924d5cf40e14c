"""clinic/privacy.py (pinned clock) and the SMS notice with the real answers."""

from __future__ import annotations

import datetime as dt

import pytest

from channels.gsm import SMS_MAX_CHARS, gsm_length, is_gsm7
from channels.sms_format import MESSAGE_BREAK, SINGLE_SEGMENT_CHARS, compose_reply, reply_with_notice
from clinic.answers import DISCLAIMER_RESPONSE, load_answers, render_response, render_text
from clinic.privacy import (
    RETENTION_ENV,
    RetentionError,
    StoredFacts,
    idle_cutoff,
    join_pieces,
    privacy_command,
    retention_days,
    summarise,
)
from clinic.protocol import ProtocolError, load_protocol, parse_protocol

PROTOCOL = load_protocol()
ANSWERS = load_answers()
VALUES = PROTOCOL.template_values()
TODAY = dt.date(2026, 11, 25)
# Values the answers are filled with at run time (wait plans, date re-asks, summaries).
FILL = {
    **VALUES, "previous_treatment": "Botox", "next_treatment": "microneedling",
    "previous_date": "Wednesday, September 30", "earliest_date": "Wednesday, September 30",
    "ideal_start": "Wednesday, September 30", "ideal_end": "Wednesday, September 30",
    "days_remaining": 13, "days_word": "days", "reason": "I couldn't find a date in that.",
    "first_day": "Friday, November 27", "second_day": "Friday, December 4",
    "first_iso": "2026-11-27", "second_iso": "2026-12-04",
    "stored": "what you wrote here with my answers and your Botox date, Wednesday, September 30",
    "channel_note": "Your number is kept coded, and encrypted with any reminder; text STOP to opt out.", "days_kept": 90,
}


def test_retention_comes_from_the_protocol_and_the_environment_overrides_it() -> None:
    assert PROTOCOL.retention_days == 90
    assert retention_days(PROTOCOL, {}) == 90
    assert retention_days(PROTOCOL, {RETENTION_ENV: " 30 "}) == 30
    for bad in ("0", "-3", "ninety", "1.5"):
        with pytest.raises(RetentionError, match=RETENTION_ENV):
            retention_days(PROTOCOL, {RETENTION_ENV: bad})


def test_a_protocol_without_a_retention_is_refused_with_the_key_named() -> None:
    import yaml

    raw = yaml.safe_load(open("clinic/protocol.yml", encoding="utf-8"))
    raw["privacy"] = {}
    with pytest.raises(ProtocolError, match="privacy.retention_days"):
        parse_protocol(raw)
    raw["privacy"] = {"retention_days": 0}
    with pytest.raises(ProtocolError, match="retention_days"):
        parse_protocol(raw)


def test_idle_cutoff_is_that_many_days_before_now() -> None:
    now = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)
    assert idle_cutoff(now, 90) == (now - dt.timedelta(days=90)).timestamp()
    assert idle_cutoff(now.replace(tzinfo=None), 90) == idle_cutoff(now, 90)  # naive = UTC


def test_summary_lists_what_is_stored_in_order() -> None:
    facts = StoredFacts("sms", "botox", dt.date(2026, 11, 3), reminders=(dt.date(2026, 11, 17),))
    summary = summarise(facts, 90, TODAY)
    assert summary.stored == [
        "privacy_stored_messages", "privacy_stored_treatment_date", "privacy_stored_reminders"
    ]
    assert summary.channel_note == "privacy_channel_sms"
    assert summary.values["previous_date"] == "Tuesday, November 3"
    assert summary.values["reminder_dates"] == "Tuesday, November 17"
    assert summary.values["days_kept"] == 90


def test_summary_of_a_conversation_with_no_treatment() -> None:
    summary = summarise(StoredFacts("socketio"), 30, TODAY)
    assert summary.stored == ["privacy_stored_messages"]
    assert summary.channel_note == "privacy_channel_widget"
    assert summarise(StoredFacts("rest", "microneedling"), 30, TODAY).stored[-1] == "privacy_stored_treatment"


def test_pieces_read_as_a_list() -> None:
    assert join_pieces(["a"]) == "a"
    assert join_pieces(["a", "b"]) == "a and b"
    assert join_pieces(["a", "", "b", "c"]) == "a, b and c"


def test_summary_answers_fit_one_sms() -> None:
    text = render_response(ANSWERS, "privacy_summary", "sms", FILL)["text"]
    assert gsm_length(text) <= SMS_MAX_CHARS and is_gsm7(text)


SMS_ANSWERS = sorted(name for name in ANSWERS if not name.startswith(("date_", "privacy_stored", "privacy_channel")))


@pytest.mark.parametrize("name", SMS_ANSWERS)
def test_the_notice_never_cuts_an_answer(name: str) -> None:
    """The notice at collection goes in the answer's text when both fit whole
    (two GSM-7 segments); otherwise the answer is sent exactly as always and
    the notice as a second, one-segment text."""
    message = render_response(ANSWERS, name, "sms", FILL)
    notice = [render_text(ANSWERS, "sms_notice", "sms", VALUES)]
    if "not medical advice" not in message["text"]:
        notice.append(render_text(ANSWERS, DISCLAIMER_RESPONSE, "sms", VALUES))
    usual = compose_reply([message])
    fitted = reply_with_notice([message], notice)
    texts = fitted.text.split(MESSAGE_BREAK)
    assert fitted.options == usual.options
    assert all(is_gsm7(text) for text in texts)
    if len(texts) == 1:
        assert not fitted.shortened and gsm_length(texts[0]) <= SMS_MAX_CHARS
        for line in [usual.text.split("\n\nReply ")[0]] + notice:
            assert line in texts[0]
    else:
        answer, alone = texts
        assert answer == usual.text
        assert alone == "\n".join(notice) and gsm_length(alone) <= SINGLE_SEGMENT_CHARS
    assert fitted.text.count("not medical advice") == 1


def test_a_red_flag_answer_to_a_new_number_is_sent_whole() -> None:
    message = render_response(ANSWERS, "symptom_emergency", "sms", FILL)
    answer, notice = reply_with_notice([message], [render_text(ANSWERS, "sms_notice", "sms", VALUES)]).text.split(
        MESSAGE_BREAK
    )
    assert answer == compose_reply([message]).text and "swallowing" in answer
    assert notice.startswith("Automated assistant")


@pytest.mark.parametrize(
    "text, intent",
    [
        ("forget me", "forget_me"),
        ("Forget about me!", "forget_me"),
        ("please delete my data", "forget_me"),
        ("delete all my messages please", "forget_me"),
        ("what do you know about me?", "privacy_summary"),
        # Not a whole command: left to the classifier.
        ("forget me and my botox date too", None),
        ("delete my botox appointment", None),
        ("stop", None),
    ],
)
def test_a_whole_privacy_command_is_read_the_same_every_time(text: str, intent: str | None) -> None:
    assert privacy_command(text) == intent
