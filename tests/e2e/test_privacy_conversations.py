"""Patients' data rights against the running bot (issue 11): "what do you know
about me?", "forget me" over REST and SMS, the SMS notice at collection, and
the widget's server-side delete endpoint. The stores themselves are checked
in tests/stores/test_personal_data.py (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, Dict, List

import pytest
import requests

from clinic.answers import current_answers, render_text
from clinic.protocol import current_protocol
from tests.conftest import TEST_WEB_PORT, BotServers, joined_text, new_sender
from tests.e2e.cluster import RawSocketIO
from tests.e2e.test_sms import NOTICE, Phone

pytestmark = pytest.mark.e2e
PROTOCOL = current_protocol()
VALUES = PROTOCOL.template_values()
DATED = "I had botox on November 3, when can I get microneedling?"
WIDGET_ORIGIN = f"http://localhost:{TEST_WEB_PORT}"


def answer(name: str, channel: str = "rest") -> str:
    return render_text(current_answers(), name, channel, VALUES)


def user_events(bot: BotServers, sender: str) -> List[Dict[str, Any]]:
    return [e for e in bot.tracker(sender)["events"] if e.get("event") == "user"]


def test_what_do_you_know_about_me_lists_the_date_and_the_retention(bot: BotServers) -> None:
    sender = new_sender()
    bot.rest(DATED, sender)
    summary = joined_text(bot.rest("what do you know about me?", sender))
    assert "Botox date" in summary and "November 3" in summary
    assert f"{PROTOCOL.retention_days} days" in summary
    assert "delete my data" in summary


def test_forget_me_after_yes_deletes_the_conversation(bot: BotServers) -> None:
    sender = new_sender()
    bot.rest(DATED, sender)
    question = bot.rest("please delete my data", sender)
    assert answer("forget_confirm").split("?")[0] in joined_text(question)
    assert [b["title"] for m in question for b in m.get("buttons", [])] == ["Yes, delete it", "No, keep it"]
    done = joined_text(bot.rest("yes", sender))
    assert done.startswith("Done:")
    assert user_events(bot, sender) == []
    # The bot no longer knows the date: it asks for it.
    again = joined_text(bot.rest("and when is the ideal time?", sender))
    assert "November 3" not in again


def test_no_keeps_everything(bot: BotServers) -> None:
    sender = new_sender()
    bot.rest(DATED, sender)
    bot.rest("forget me", sender)
    assert joined_text(bot.rest("no", sender)) == answer("forget_kept")
    assert bot.tracker(sender)["slots"]["previous_date"].endswith("-11-03")
    assert len(user_events(bot, sender)) == 3


def test_sms_notice_once_then_forget_me_by_numbered_option(bot: BotServers) -> None:
    phone = Phone(bot)
    first = phone.text("What is Botox?")
    assert first and first.count(NOTICE) == 1
    second = phone.text("What is microneedling?")
    assert second and NOTICE not in second
    question = phone.text("delete my data")
    assert question and "Reply 1 for Yes, delete, 2 for No" in question
    done = phone.text("1")
    assert done and done.startswith("Done:")
    assert phone.user_events() == []
    # A new conversation: the notice is given again.
    assert NOTICE in (phone.text("hi") or "")


def test_summary_by_sms_fits_and_says_the_number_is_coded(bot: BotServers) -> None:
    phone = Phone(bot)
    phone.text("I had botox on November 3, when can I get microneedling?")
    summary = phone.text("what do you know about me")
    assert summary and "kept coded" in summary and "STOP" in summary


def widget_conversation(bot: BotServers, session_id: str) -> None:
    async def run() -> None:
        async with RawSocketIO(bot.rasa_url) as widget:
            await widget.emit("session_request", {"session_id": session_id})
            assert await asyncio.wait_for(widget.next_event("session_confirm"), 30) == session_id
            await widget.emit("user_uttered", {"message": DATED, "session_id": session_id})
            await widget.wait_plan()

    asyncio.run(run())


def forget(bot: BotServers, body: Any, origin: str = WIDGET_ORIGIN) -> requests.Response:
    return requests.post(
        f"{bot.rasa_url}/webhooks/socketio/forget", json=body, headers={"Origin": origin}, timeout=30
    )


def test_widget_delete_endpoint_deletes_only_that_widget_conversation(bot: BotServers) -> None:
    session_id, other = uuid.uuid4().hex, uuid.uuid4().hex
    widget_conversation(bot, session_id)
    widget_conversation(bot, other)
    assert len(user_events(bot, session_id)) == 1

    deleted = forget(bot, {"session_id": session_id})
    assert deleted.status_code == 200, deleted.text
    assert user_events(bot, session_id) == []
    assert len(user_events(bot, other)) == 1
    assert forget(bot, {"session_id": session_id}).status_code == 404  # nothing left


def test_widget_delete_endpoint_refuses_other_channels_and_bad_requests(bot: BotServers) -> None:
    rest_sender = f"rest-{uuid.uuid4().hex}"
    bot.rest(DATED, rest_sender)
    phone = Phone(bot)
    phone.text("What is Botox?")
    for sender in (rest_sender, phone.sender_id):
        refused = forget(bot, {"session_id": sender})
        assert refused.status_code == 404, refused.text
        assert user_events(bot, sender), "another channel's conversation was deleted"
    assert forget(bot, {"session_id": uuid.uuid4().hex}, origin="https://evil.example").status_code == 403
    for body in ({}, {"session_id": 5}, {"session_id": "short"}, ["x"], {"session_id": "a b" * 10}):
        response = forget(bot, body)
        assert response.status_code == 400 and response.json()["reason"], body
    raw = requests.post(f"{bot.rasa_url}/webhooks/socketio/forget", data=b"\xff\xfe", timeout=30)
    assert raw.status_code == 400
    assert requests.post(f"{bot.rasa_url}/webhooks/socketio/forget", data=b"x" * 5000, timeout=30).status_code == 413
