"""The privacy actions (actions/privacy.py) on trackers, pinned clock."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa_sdk.events import SlotSet

import actions.privacy
from actions.privacy import ActionAskForget, ActionForgetMe, ActionKeepData, ActionPrivacySummary
from clinic.privacy import RETENTION_ENV
from tests.adapters.test_actions import ANSWERS, TODAY, VALUES, run, texts, tracker


@pytest.fixture(autouse=True)
def pinned(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(actions.privacy, "today", lambda: TODAY)
    monkeypatch.setenv("BOT_STATE_DIR", str(tmp_path))
    monkeypatch.delenv(RETENTION_ENV, raising=False)
    monkeypatch.delenv("DB_HOST", raising=False)


def test_the_summary_names_the_date_given_and_the_retention() -> None:
    state = tracker("what do you know about me", "privacy_summary", channel="socketio",
                    previous_treatment="botox", previous_date="2026-11-03")
    messages, events = run(ActionPrivacySummary(), state)
    (text,) = texts(messages)
    assert events == []
    assert "what you wrote here with my answers and your Botox date, Tuesday, November 3" in text
    assert "random chat ID" in text and "90 days" in text
    assert "not medical advice" not in text and "{" not in text


def test_the_summary_by_sms_is_short_and_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(RETENTION_ENV, "30")
    messages, _ = run(ActionPrivacySummary(), tracker("what data do you have", "privacy_summary", channel="sms"))
    (text,) = texts(messages)
    assert text.startswith("I keep what you wrote here with my answers.")
    assert "kept coded" in text and "30 days" in text and len(text) <= 306


def test_forget_me_asks_first_and_drops_an_open_offer() -> None:
    messages, events = run(ActionAskForget(), tracker("delete my data", "forget_me", dates_offered=True,
                                                       asking_for="previous_date"))
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny"]
    assert events == [SlotSet("dates_offered", False), SlotSet("asking_for", None)]


def test_the_confirmation_and_the_refusal_are_the_clinics_words() -> None:
    done, _ = run(ActionForgetMe(), tracker("yes", "affirm", channel="sms"))
    assert texts(done) == [ANSWERS["forget_done"][1]["text"]]
    kept, events = run(ActionKeepData(), tracker("no", "deny"))
    assert texts(kept) == [ANSWERS["forget_kept"][0]["text"].format(**VALUES)] and events == []
