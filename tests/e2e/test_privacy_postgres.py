"""Forget me and retention with the bot on PostgreSQL, as `make run` starts it
(scripts/run_bot.py with the DB_* variables): the rows are checked in the
database afterwards. The SQLite default is covered by test_privacy_conversations.py (the
session's bot) and both stores by tests/stores/test_personal_data.py.

Ports: PRIVACY_PG_RASA_PORT / PRIVACY_PG_ACTIONS_PORT (5220 / 5270 by
default, in the 5205-5299 range of the cluster tests).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import time
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Dict, List

import requests
import sqlalchemy as sa
from twilio.request_validator import RequestValidator

from channels.sms_store import SmsStore, deliveries, opt_outs, options_table
from stores import db
from stores.tracker_store import EnvSQLTrackerStore
from tests.conftest import PgDatabase
from tests.e2e.cluster import SMS_PUBLIC_URL, SMS_SENDER_KEY, TWILIO_AUTH_TOKEN, Cluster, base_env, rest
from tests.e2e.test_sms import NOTICE
from tests.stores.test_personal_data import DAY, DOMAIN, conversation, event_count
from tests.twilio_standin import fresh_phone_number

RASA_PORT = int(os.environ.get("PRIVACY_PG_RASA_PORT", "5220"))
ACTIONS_PORT = int(os.environ.get("PRIVACY_PG_ACTIONS_PORT", "5270"))
DATED = "I had botox on November 3, when can I get microneedling?"


class Phone:
    def __init__(self, rasa_url: str) -> None:
        self.url = f"{rasa_url}/webhooks/sms/webhook"
        self.number = fresh_phone_number()
        self.sender_id = "sms-" + hmac.new(SMS_SENDER_KEY.encode(), self.number.encode(), hashlib.sha256).hexdigest()
        self.sids: List[str] = []

    def text(self, body: str) -> str:
        sid = "SM" + uuid.uuid4().hex
        self.sids.append(sid)
        params = {"MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": self.number,
                  "To": "+16045550134", "Body": body, "NumMedia": "0"}
        signature = RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(SMS_PUBLIC_URL, params)
        response = requests.post(self.url, data=params, headers={"X-Twilio-Signature": signature}, timeout=60)
        assert response.status_code == 200, response.text
        return "\n\n".join(m.text or "" for m in ET.fromstring(response.text).findall("Message"))


def count(engine: sa.engine.Engine, table: sa.Table, where: sa.sql.ColumnElement) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table).where(where)).scalar_one()


def test_forget_me_and_the_daily_purge_on_postgresql(tmp_path: Path, pg_database: PgDatabase) -> None:
    env: Dict[str, str] = base_env(tmp_path / "state", pg_database.env())
    settings = db.settings_from_env(env)
    store = EnvSQLTrackerStore(domain=DOMAIN, settings=settings)
    engine = store.engine
    url = f"http://localhost:{RASA_PORT}"
    # Before the bot starts: a patient idle for 100 days, and an opted-out
    # number idle as long. `make run` purges at start.
    stopped = Phone(url)
    idle = f"idle-{uuid.uuid4().hex[:8]}"
    for sender in (idle, stopped.sender_id):
        asyncio.run(store.save(conversation(sender, time.time() - 100 * DAY, ["SM-old-" + sender[-6:]])))
    SmsStore(engine).set_opted_out(stopped.sender_id, True)

    cluster = Cluster(tmp_path)
    try:
        cluster.start_bot(RASA_PORT, ACTIONS_PORT, env)
        deadline = time.monotonic() + 60
        while event_count(engine, idle) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert event_count(engine, idle) == 0 and event_count(engine, stopped.sender_id) == 0
        assert count(engine, opt_outs, opt_outs.c.sender == stopped.sender_id) == 1
        assert stopped.text("What is Botox?") == ""  # still opted out: no reply

        sender = f"pg-{uuid.uuid4().hex[:8]}"
        rest(url, sender, DATED)
        rest(url, sender, "delete my data")
        rest(url, sender, "yes")
        assert event_count(engine, sender) == 0

        phone = Phone(url)
        assert NOTICE in phone.text("What is Botox?")
        assert "Reply 1 for Yes, delete" in phone.text("delete my data")
        assert count(engine, options_table, options_table.c.sender == phone.sender_id) == 1
        assert phone.text("1").startswith("Done:")
        assert event_count(engine, phone.sender_id) == 0
        assert count(engine, options_table, options_table.c.sender == phone.sender_id) == 0
        # The replies stored for Twilio's retries are gone, but for the "1" just answered.
        assert count(engine, deliveries, deliveries.c.message_sid.in_(phone.sids)) == 1
    finally:
        cluster.stop_all()
        engine.dispose()
