"""A widget reminder reaches the patient on whichever replica their socket is
connected to: two Rasa replicas sharing PostgreSQL and Redis (the socket.io
client manager), the reminder scheduled on one, the widget connected to the
other when it comes due, and shown there once."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, List

import pytest
import sqlalchemy as sa

from clinic.answers import load_answers
from clinic.protocol import load_protocol
from clinic.reminders import reminder_message
from stores import db
from stores.reminders import ReminderStore
from tests.conftest import TEST_ACTIONS_PORT, TEST_RASA_PORT, PgDatabase, RedisPrefix
from tests.e2e.cluster import Cluster, RawSocketIO, base_env, rest

ROOT = Path(__file__).resolve().parents[2]
RASA_PORTS = (TEST_RASA_PORT + 40, TEST_RASA_PORT + 41)
ACTIONS_PORT = TEST_ACTIONS_PORT + 40
QUESTION = "I had botox 3 days ago, when can I get microneedling?"
PROTOCOL = load_protocol()


async def schedule_on(url: str, session: str) -> None:
    async with RawSocketIO(url) as widget:
        await widget.emit("session_request", {"session_id": session})
        assert await asyncio.wait_for(widget.next_event("session_confirm"), 30) == session
        await widget.emit("user_uttered", {"message": QUESTION, "session_id": session})
        await widget.wait_plan()
        await widget.emit("user_uttered", {"message": "/affirm", "session_id": session})
        while "I'll remind you here" not in (await asyncio.wait_for(widget.next_event("bot_uttered"), 60)).get(
                "text", ""):
            pass


async def receive_on(url: str, session: str, run_worker: Any) -> List[str]:
    """Connect to `url`, let the worker run, collect the bot's texts for 8 s."""
    texts: List[str] = []
    async with RawSocketIO(url) as widget:
        await widget.emit("session_request", {"session_id": session})
        assert await asyncio.wait_for(widget.next_event("session_confirm"), 30) == session
        await asyncio.get_running_loop().run_in_executor(None, run_worker)
        try:
            while True:
                texts.append((await asyncio.wait_for(widget.next_event("bot_uttered"), 8)).get("text", ""))
        except asyncio.TimeoutError:
            pass
    return texts


def test_replica_widget_reminder_reaches_the_socket_on_the_other_replica(
    tmp_path: Path, pg_database: PgDatabase, redis_prefix: RedisPrefix
) -> None:
    env = base_env(tmp_path / "state", {**pg_database.env(), "REDIS_URL": redis_prefix.url,
                                       "REDIS_KEY_PREFIX": redis_prefix.prefix, "REMINDER_POLL_SECONDS": "1"})
    cluster = Cluster(tmp_path)
    try:
        actions = cluster.start_actions(ACTIONS_PORT, env)
        servers = [cluster.start_rasa(port, ACTIONS_PORT, env) for port in RASA_PORTS]
        cluster.wait_up(actions, *servers)
        first, second = (f"http://localhost:{port}" for port in RASA_PORTS)
        rest(first, "warm-up", "hello")
        session = uuid.uuid4().hex
        asyncio.run(schedule_on(first, session))

        store = ReminderStore(db.create_engine(db.DatabaseSettings(url=pg_database.url)))
        (reminder,) = store.pending_for_sender(session)
        now = dt.datetime.fromtimestamp(reminder.due_at, dt.timezone.utc).isoformat()

        def run_worker() -> None:
            subprocess.run([sys.executable, "scripts/reminders_due.py", "--now", now], cwd=ROOT,
                           env={**os.environ, **env}, check=True, capture_output=True, timeout=120)

        expected = reminder_message("microneedling", reminder.remind_on, "socketio", PROTOCOL, load_answers())
        texts = asyncio.run(receive_on(second, session, run_worker))
        assert texts.count(expected["text"]) == 1, texts  # on the other replica, once
        with store.engine.connect() as connection:
            status = connection.execute(sa.text("SELECT status FROM reminders WHERE id = :i"),
                                        {"i": reminder.id}).scalar()
        assert status == "sent"
    except RuntimeError as error:  # a server that did not start: its log tail
        pytest.fail(str(error))
    finally:
        cluster.stop_all()
