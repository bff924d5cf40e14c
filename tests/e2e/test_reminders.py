"""Reminders with the running bot (issue 12): offered after a plan, scheduled
from a REST, SMS and widget conversation, managed in conversation, and sent
by the worker (a separate process, as in production) through a stand-in
Twilio, or shown in the widget and over REST."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from clinic.answers import load_answers, render_response
from clinic.protocol import load_protocol
from clinic.reminders import offer_values, reminder_message
from clinic.wait_plan import clinic_today, compute_wait_plan, format_day
from stores import db
from stores.reminders import CANCELLED, READY, SENT, ReminderStore
from tests.conftest import BotServers, joined_text, new_sender
from tests.e2e.browser import ask, open_page, open_widget, stored_state
from tests.e2e.test_sms import NOTICE, Phone

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
PROTOCOL = load_protocol()
ANSWERS = load_answers()
DAYS_AGO = 3
QUESTION = f"I had botox {DAYS_AGO} days ago, when can I get microneedling?"


def expected_offer(channel: str | None) -> Dict[str, Any]:
    today = clinic_today(PROTOCOL)
    plan = compute_wait_plan("botox", today - dt.timedelta(days=DAYS_AGO), today, PROTOCOL)
    from clinic.reminders import ReminderOffer

    offer = ReminderOffer("botox", plan.previous_date, "microneedling", plan.earliest_date)
    values = {**PROTOCOL.template_values(), **offer_values(offer, today)}
    return {"date": plan.earliest_date, "values": values,
            "offer": render_response(ANSWERS, "reminder_offer", channel, values)}


def store_of(bot: BotServers) -> ReminderStore:
    assert bot.state_dir is not None
    return ReminderStore(db.create_engine(db.settings_from_env({"BOT_STATE_DIR": str(bot.state_dir)})))


def run_worker(bot: BotServers, now: dt.datetime, extra: Dict[str, str] | None = None) -> str:
    env = {**os.environ, "BOT_STATE_DIR": str(bot.state_dir), "DB_HOST": "", "SMS_SENDER_KEY": bot.sms_sender_key,
           **(extra or {})}
    result = subprocess.run([sys.executable, "scripts/reminders_due.py", "--now", now.isoformat()], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout + result.stderr


def due_of(store: ReminderStore, sender: str) -> dt.datetime:
    pending = store.pending_for_sender(sender)
    assert len(pending) == 1, pending
    return dt.datetime.fromtimestamp(pending[0].due_at, dt.timezone.utc)


def texts(messages: List[Dict[str, Any]]) -> List[str]:
    return [m["text"] for m in messages if m.get("text")]


# --------------------------------------------------------------------------- REST


def test_rest_offer_yes_list_move_and_shown_when_due(bot: BotServers) -> None:
    sender, expected = new_sender(), expected_offer("rest")
    answer = bot.rest(QUESTION, sender)
    offer = [m for m in answer if m.get("text") == expected["offer"]["text"]]
    assert offer and [b["title"] for b in offer[0]["buttons"]] == ["Yes, remind me", "No thanks"]

    confirmed = bot.rest("yes please", sender)
    day = expected["values"]["reminder_date"]
    assert f"I'll remind you here on {day}" in joined_text(confirmed)
    payload = [m["custom"]["reminder"] for m in confirmed if "reminder" in (m.get("custom") or {})]
    assert payload and payload[0]["date"] == expected["date"].isoformat()
    store = store_of(bot)
    consent = store.consents_for_sender(sender)
    assert len(consent) == 1 and consent[0]["channel"] == "rest" and consent[0]["offer_text"] == offer[0]["text"]

    assert day in joined_text(bot.rest("what reminders do I have?", sender))
    later = expected["date"] + dt.timedelta(days=5)
    moved = joined_text(bot.rest(f"remind me on {later:%B} {later.day} instead", sender))
    assert format_day(later, clinic_today(PROTOCOL)) in moved
    due = due_of(store, sender)
    assert due == dt.datetime.combine(later, PROTOCOL.reminders.send_at, tzinfo=PROTOCOL.tz)

    run_worker(bot, due - dt.timedelta(minutes=1))
    assert not any("Reminder from" in t for t in texts(bot.rest("hello", sender)))
    run_worker(bot, due)
    assert store.pending_for_sender(sender)[0].status == READY
    shown = texts(bot.rest("hello", sender))
    reminder = reminder_message("microneedling", later, "rest", PROTOCOL, ANSWERS)["text"]
    assert shown[0] == reminder  # before the answer to the new message
    assert reminder not in texts(bot.rest("hello", sender))  # once
    assert store.pending_for_sender(sender) == []


def test_rest_no_is_remembered_and_cancel_cancels(bot: BotServers) -> None:
    sender, expected = new_sender(), expected_offer("rest")
    bot.rest(QUESTION, sender)
    assert "no reminder" in joined_text(bot.rest("no thanks", sender)).lower()
    assert expected["offer"]["text"] not in texts(bot.rest(QUESTION, sender))  # not offered again

    other = new_sender()
    bot.rest(QUESTION, other)
    bot.rest("/affirm", other)
    assert "cancelled" in joined_text(bot.rest("cancel my reminder", other))
    store = store_of(bot)
    assert store.pending_for_sender(other) == []
    assert "no reminders" in joined_text(bot.rest("what reminders do I have?", other))


# --------------------------------------------------------------------------- SMS


def test_sms_offer_fits_yes_and_the_worker_texts_it_once(bot: BotServers, twilio_standin: Any) -> None:
    twilio_standin.reset()
    phone = Phone(bot)
    reply = phone.text(QUESTION)  # checked <= 306 GSM-7 characters
    assert reply and "not medical advice" in reply.lower()
    # A new number's first reply also brings the notice at collection, as a second text (issue 11).
    assert NOTICE in reply
    answer = reply.partition("\n\n" + NOTICE)[0]
    assert answer.endswith("Want a reminder text that day?\n\nReply 1 for Yes, 2 for No"), reply
    day = expected_offer("sms")["values"]["reminder_date"]
    confirmation = phone.text("1")
    assert confirmation and f"I'll text you a reminder on {day}" in confirmation

    store = store_of(bot)
    due = due_of(store, phone.sender_id)
    row = store.get(store.pending_for_sender(phone.sender_id)[0].id)
    assert row["destination"] and phone.number not in str(row)  # sealed, not in clear
    assert run_worker(bot, due - dt.timedelta(seconds=1), twilio_standin.env()) and twilio_standin.sent == []
    out = run_worker(bot, due, twilio_standin.env())
    run_worker(bot, due + dt.timedelta(hours=2), twilio_standin.env())
    assert [m["to"] for m in twilio_standin.sent] == [phone.number]  # sent once
    body = twilio_standin.sent[0]["body"]
    assert body == reminder_message("microneedling", due.astimezone(PROTOCOL.tz).date(), "sms", PROTOCOL,
                                    ANSWERS)["text"]
    assert len(body) <= 160 and "Reply STOP to opt out" in body and PROTOCOL.booking_url in body
    assert phone.number not in out
    print(f"\nreminder as sent ({len(body)} characters): {body}")
    assert store.get(row["id"])["status"] == SENT


def test_sms_stop_cancels_pending_reminders(bot: BotServers, twilio_standin: Any) -> None:
    twilio_standin.reset()
    phone = Phone(bot)
    phone.text(QUESTION)
    phone.text("yes")
    store = store_of(bot)
    due = due_of(store, phone.sender_id)
    assert "unsubscribed" in (phone.text("STOP") or "")
    assert store.pending_for_sender(phone.sender_id) == []
    run_worker(bot, due, twilio_standin.env())
    assert twilio_standin.sent == []
    with store.engine.connect() as connection:
        statuses = connection.execute(sa.text("SELECT status FROM reminders WHERE sender = :s"),
                                      {"s": phone.sender_id}).scalars().all()
    assert statuses == [CANCELLED]


# --------------------------------------------------------------------------- the widget


def test_widget_reminder_reaches_the_connected_widget_and_one_that_reconnects(
    bot: BotServers, browser: Any
) -> None:
    page = browser.page
    open_page(page, bot.web_url)
    open_widget(page)
    expected = expected_offer("socketio")
    ask(page, QUESTION)
    offer = page.locator(".cw-msg--bot").last
    expect(offer).to_contain_text(expected["offer"]["text"])
    offer.locator(".cw-quick button", has_text="Yes, remind me").click()
    day = expected["values"]["reminder_date"]
    expect(page.locator(".cw-msg--bot").last).to_contain_text(f"I'll remind you here on {day}", timeout=60_000)

    store, sender = store_of(bot), stored_state(page)["sessionId"]
    due = due_of(store, sender)
    run_worker(bot, due)  # the widget is connected: it arrives as a bot message
    reminder = reminder_message("microneedling", expected["date"], "socketio", PROTOCOL, ANSWERS)["text"]
    expect(page.locator(".cw-msg--bot").last).to_contain_text(reminder.split(".")[0], timeout=30_000)
    assert store.pending_for_sender(sender) == []

    # Closed when it comes due: shown the next time that session's widget connects.
    ask(page, QUESTION)
    page.locator(".cw-msg--bot").last.locator(".cw-quick button", has_text="Yes, remind me").click()
    expect(page.locator(".cw-msg--bot").last).to_contain_text("I'll remind you here", timeout=60_000)
    page.goto("about:blank")
    run_worker(bot, due_of(store, sender))
    open_page(page, bot.web_url)
    open_widget(page)
    expect(page.locator(".cw-msg--bot").last).to_contain_text(reminder.split(".")[0], timeout=30_000)
    assert store.pending_for_sender(sender) == []
    assert not browser.errors, browser.errors

