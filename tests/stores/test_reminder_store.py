"""Reminder rows and the worker that sends them, against the real databases
(SQLite file, and the test PostgreSQL for the race) and a stand-in Twilio."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import sqlalchemy as sa

from channels.sms_contact import seal_number
from channels.sms_store import SmsStore
from channels.twilio_send import TwilioSender, TwilioSettings
from clinic.answers import load_answers
from clinic.protocol import load_protocol
from clinic.reminders import due_at
from scripts.reminders_due import ReminderWorker
from stores import db
from stores.reminders import CANCELLED, FAILED, PENDING, SENT, ReminderStore

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL = load_protocol()
KEY = "test-sender-key"
DAY = dt.date(2026, 12, 9)  # a Wednesday; 10:00 in Vancouver is 18:00 UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.engine.Engine]:
    """The SQLite file of `make run`, and the test PostgreSQL (emptied first)."""
    if request.param == "sqlite":
        engine = db.create_engine(db.DatabaseSettings(url=f"sqlite:///{tmp_path / 'bot.db'}"))
    else:
        engine = db.create_engine(db.DatabaseSettings(url=request.getfixturevalue("pg_database").url))
        ReminderStore(engine)
        with engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM reminders"))
            connection.execute(sa.text("DELETE FROM reminder_consents"))
    yield engine
    engine.dispose()


@pytest.fixture()
def twilio(twilio_standin: Any) -> Any:
    twilio_standin.reset()
    return twilio_standin


def number(n: int) -> str:
    return f"+1604555{n:04d}"


def schedule(store: ReminderStore, n: int = 1, day: dt.date = DAY, sender: str | None = None) -> Any:
    sender = sender or f"sms-{uuid.uuid4().hex}"
    reminder = store.schedule(
        sender, "sms", "botox", day - dt.timedelta(days=14), "microneedling", day, due_at(day, PROTOCOL),
        offer_text="Want a reminder text that day?", reply_text="yes",
    )
    store.set_destination(reminder.id, sender, seal_number(KEY, number(n)))
    return reminder


def worker(engine: sa.engine.Engine, twilio: Any, key: str = KEY) -> ReminderWorker:
    settings = TwilioSettings.from_env(twilio.env())
    assert settings is not None
    return ReminderWorker(ReminderStore(engine), PROTOCOL, load_answers(), TwilioSender(settings, timeout=5),
                          key, SmsStore(engine))


def test_a_reminder_and_its_consent_are_rows_and_yes_twice_sets_one(engine: Any) -> None:
    store = ReminderStore(engine)
    first = schedule(store, sender="sms-abc")
    again = schedule(store, sender="sms-abc")
    assert again.id == first.id
    assert [r.remind_on for r in ReminderStore(engine).pending_for_sender("sms-abc")] == [DAY]
    consent = store.consents_for_sender("sms-abc")
    assert len(consent) == 1 and consent[0]["channel"] == "sms" and consent[0]["reply_text"] == "yes"
    assert "reminder" in consent[0]["offer_text"] and consent[0]["consented_at"] > 0
    row = store.get(first.id)
    assert row["due_at"] == at("2026-12-09T10:00:00-08:00").timestamp()
    assert number(1) not in str(row)  # the number is sealed, never in clear
    assert store.delete_for_sender("sms-abc") == 1
    assert store.pending_for_sender("sms-abc") == [] and store.consents_for_sender("sms-abc") == []


def run_make(now: str, env: Dict[str, str]) -> str:
    result = subprocess.run(
        ["make", "--no-print-directory", "reminders-due", f"NOW={now}"],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout + result.stderr


def test_make_reminders_due_before_at_after_and_in_quiet_hours(tmp_path: Path, twilio: Any) -> None:
    env = {**twilio.env(), "BOT_STATE_DIR": str(tmp_path), "SMS_SENDER_KEY": KEY, "DB_HOST": ""}
    engine = db.create_engine(db.settings_from_env(env))
    store = ReminderStore(engine)
    on_time = schedule(store, 1)
    late = schedule(store, 2, day=dt.date(2026, 12, 10))
    store.engine.dispose()

    out = run_make("2026-12-09T09:59:00-08:00", env)  # before
    assert twilio.sent == [] and "0 sent" in out
    out = run_make("2026-12-09T10:00:00-08:00", env)  # at
    assert [m["to"] for m in twilio.sent] == [number(1)] and "1 sent" in out
    assert store.get(on_time.id)["status"] == SENT
    body = twilio.sent[0]["body"]
    assert body == store.get(on_time.id)["sent_text"]
    assert "microneedling" in body and "December 9" in body and "Reply STOP to opt out" in body
    out = run_make("2026-12-09T15:00:00-08:00", env)  # after: nothing twice
    assert len(twilio.sent) == 1 and "0 sent" in out
    out = run_make("2026-12-10T21:00:00-08:00", env)  # the second one is due, but quiet hours
    assert len(twilio.sent) == 1 and "quiet hours" in out and store.get(late.id)["status"] == PENDING
    out = run_make("2026-12-11T09:00:00-08:00", env)  # quiet hours over
    assert [m["to"] for m in twilio.sent] == [number(1), number(2)]
    assert number(1) not in out and number(2) not in out  # no phone number in the logs
    assert twilio.refused == 0


def test_a_time_without_offset_is_refused(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "scripts/reminders_due.py", "--now", "2026-12-09T10:00:00"], cwd=ROOT,
        env={**os.environ, "BOT_STATE_DIR": str(tmp_path), "DB_HOST": ""}, capture_output=True, text=True,
    )
    assert result.returncode == 2 and "offset" in result.stderr


def test_failed_sends_are_retried_with_back_off_then_marked_failed(engine: Any, twilio: Any) -> None:
    store = ReminderStore(engine)
    reminder = schedule(store, 3)
    ten = at("2026-12-09T10:00:00-08:00")
    twilio.fail_next = 1
    assert worker(engine, twilio).run_once(ten).retried == 1
    assert store.get(reminder.id)["status"] == PENDING
    assert worker(engine, twilio).run_once(ten + dt.timedelta(seconds=30)).sent == 0  # backing off
    assert worker(engine, twilio).run_once(ten + dt.timedelta(seconds=61)).sent == 1
    assert len(twilio.sent) == 1

    doomed = schedule(store, 4)
    twilio.fail_next = 100
    now = ten
    for _ in range(10):
        worker(engine, twilio).run_once(now)
        now += dt.timedelta(hours=1)
    row = store.get(doomed.id)
    assert (row["status"], row["attempts"]) == (FAILED, PROTOCOL.reminders.max_attempts)
    assert "503" in row["last_error"] and len(twilio.sent) == 1


def test_wrong_credentials_fail_without_retry(engine: Any, twilio: Any) -> None:
    store = ReminderStore(engine)
    reminder = schedule(store, 5)
    bad = worker(engine, twilio)
    bad.twilio = TwilioSender(TwilioSettings(twilio.account_sid, "wrong-token", "+16045550100", twilio.url))
    assert bad.run_once(at("2026-12-09T10:00:00-08:00")).failed == 1
    assert store.get(reminder.id)["status"] == FAILED and twilio.refused == 1 and twilio.sent == []


def test_an_opted_out_number_gets_nothing(engine: Any, twilio: Any) -> None:
    store = ReminderStore(engine)
    reminder = schedule(store, 6)
    SmsStore(engine).set_opted_out(reminder.sender, True)
    assert worker(engine, twilio).run_once(at("2026-12-09T10:00:00-08:00")).cancelled == 1
    assert store.get(reminder.id)["status"] == CANCELLED and twilio.sent == []


def test_a_worker_that_died_mid_send_neither_loses_nor_doubles(
    engine: Any, twilio: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = ReminderStore(engine, lease_seconds=300)
    delivered, lost = schedule(store, 7), schedule(store, 8)
    ten = at("2026-12-09T10:00:00-08:00")
    # The dead worker claimed both and got one of them out before dying.
    claimed = store.claim_due(ten.timestamp(), 10)
    assert {r.id for r in claimed} == {delivered.id, lost.id}
    twilio_sender = worker(engine, twilio).twilio
    body = store.get(delivered.id)
    from clinic.reminders import reminder_message

    text = reminder_message("microneedling", DAY, "sms", PROTOCOL, load_answers())["text"]
    twilio_sender.send(number(7), text)
    assert body["status"] == "sending"
    assert worker(engine, twilio).run_once(ten + dt.timedelta(seconds=60)).sent == 0  # lease held
    result = worker(engine, twilio).run_once(ten + dt.timedelta(seconds=301))
    assert result.sent == 2
    assert sorted(m["to"] for m in twilio.sent) == [number(7), number(8)]  # each once
    assert store.get(delivered.id)["status"] == store.get(lost.id)["status"] == SENT
    assert "reminder" in caplog.text and number(7) not in caplog.text and number(8) not in caplog.text


def test_cancel_and_move(engine: Any) -> None:
    store = ReminderStore(engine)
    reminder = schedule(store, 9)
    later = dt.date(2026, 12, 20)
    moved = store.move(reminder.sender, later, due_at(later, PROTOCOL))
    assert [r.remind_on for r in moved] == [later]
    assert [r.id for r in store.cancel_for_sender(reminder.sender)] == [reminder.id]
    assert store.pending_for_sender(reminder.sender) == []
    assert store.get(reminder.id)["status"] == CANCELLED


RACE_WORKER = """
import sys, datetime as dt
from scripts.reminders_due import worker_from_env
total = 0
for _ in range(3):
    result = worker_from_env().run_once(dt.datetime.fromisoformat(sys.argv[1]), batch=int(sys.argv[2]))
    total += result.sent
print(total)
"""


def test_two_workers_racing_on_100_due_reminders_send_each_once(pg_database: Any, twilio: Any) -> None:
    engine = db.create_engine(db.DatabaseSettings(url=pg_database.url))
    store = ReminderStore(engine)
    store.engine.execute(sa.text("DELETE FROM reminders"))
    expected = {number(1000 + n) for n in range(100)}
    for n in range(100):
        schedule(store, 1000 + n)
    env = {**os.environ, **pg_database.env(), **twilio.env(), "SMS_SENDER_KEY": KEY, "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen([sys.executable, "-c", RACE_WORKER, "2026-12-09T10:00:00-08:00", "7"], cwd=ROOT, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs: List[str] = [w.communicate(timeout=180)[0] for w in workers]
    assert all(w.returncode == 0 for w in workers), [w.stderr.read() if w.stderr else "" for w in workers]
    counts = [int(out.strip().splitlines()[-1]) for out in outputs]
    sent_to = [m["to"] for m in twilio.sent]
    assert len(sent_to) == 100 and set(sent_to) == expected  # each exactly once
    assert sum(counts) == 100 and min(counts) > 0, counts  # both workers took part
    statuses = engine.execute(sa.text("SELECT status, count(*) FROM reminders GROUP BY status")).all()
    assert dict(statuses) == {SENT: 100}
    print(f"race: worker counts {counts}")
    engine.dispose()
