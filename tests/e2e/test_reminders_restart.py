"""Reminders survive a restart of every process between scheduling and sending:
scheduled over REST and SMS with one bot, that bot stopped and started again,
then sent by a fresh worker process (SQLite, the `make run` default)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import requests
from twilio.request_validator import RequestValidator

from channels.sms_format import sender_id
from clinic.answers import load_answers
from clinic.protocol import load_protocol
from clinic.reminders import reminder_message
from stores import db
from stores.reminders import ReminderStore
from tests.conftest import TEST_ACTIONS_PORT, TEST_RASA_PORT
from tests.e2e.cluster import SMS_PUBLIC_URL, SMS_SENDER_KEY, TWILIO_AUTH_TOKEN, Cluster, base_env, rest

ROOT = Path(__file__).resolve().parents[2]
RASA_PORT, ACTIONS_PORT = TEST_RASA_PORT + 30, TEST_ACTIONS_PORT + 30
QUESTION = "I had botox 3 days ago, when can I get microneedling?"
PROTOCOL = load_protocol()


def text_bot(url: str, number: str, body: str) -> str:
    params = {"From": number, "To": "+16045550134", "Body": body, "MessageSid": "SM" + uuid.uuid4().hex,
              "AccountSid": "AC" + "0" * 32}
    signature = RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(SMS_PUBLIC_URL, params)
    response = requests.post(f"{url}/webhooks/sms/webhook", data=params,
                             headers={"X-Twilio-Signature": signature}, timeout=60)
    assert response.status_code == 200, response.text
    return ET.fromstring(response.text).findtext("Message") or ""


def test_reminders_survive_a_restart_of_every_process(tmp_path: Path, twilio_standin: Any) -> None:
    twilio_standin.reset()
    env = base_env(tmp_path / "state")
    url = f"http://localhost:{RASA_PORT}"
    sender, number = f"restart-{uuid.uuid4().hex[:10]}", "+16045550177"
    cluster = Cluster(tmp_path)
    try:
        first = cluster.start_bot(RASA_PORT, ACTIONS_PORT, env)
        rest(url, sender, QUESTION)
        assert any("I'll remind you" in (m.get("text") or "") for m in rest(url, sender, "yes"))
        assert "Want a reminder text that day?" in text_bot(url, number, QUESTION)
        assert "I'll text you a reminder" in text_bot(url, number, "1")
        cluster.stop(first)
        assert first.process.returncode is not None

        cluster.start_bot(RASA_PORT, ACTIONS_PORT, env)
        store = ReminderStore(db.create_engine(db.settings_from_env(env)))
        sms_sender = sender_id(SMS_SENDER_KEY, number)
        due = max(r.due_at for s in (sender, sms_sender) for r in store.pending_for_sender(s))
        now = dt.datetime.fromtimestamp(due, dt.timezone.utc).isoformat()
        worker = subprocess.run([sys.executable, "scripts/reminders_due.py", "--now", now], cwd=ROOT,
                                env={**os.environ, **env, **twilio_standin.env()}, capture_output=True, text=True,
                                timeout=120)
        assert worker.returncode == 0, worker.stderr[-2000:]
        assert [m["to"] for m in twilio_standin.sent] == [number]
        day = dt.datetime.fromtimestamp(due, PROTOCOL.tz).date()
        shown = [m.get("text") for m in rest(url, sender, "hello")]
        assert shown[0] == reminder_message("microneedling", day, "rest", PROTOCOL, load_answers())["text"]
    finally:
        cluster.stop_all()
