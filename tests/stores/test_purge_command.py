"""`make purge` (scripts/purge.py) as cron, the CronJob and `make run` run it:
a process with only environment variables, on SQLite and on PostgreSQL, with
conversations of known ages."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Dict

import pytest

from clinic.privacy import RETENTION_ENV
from scripts.purge import run_daily
from stores import db, personal_data
from stores.tracker_store import EnvSQLTrackerStore
from tests.conftest import PgDatabase
from tests.stores.test_personal_data import DAY, DOMAIN, conversation, event_count

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", "postgresql"])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DB_") and k != RETENTION_ENV}
    clean["BOT_STATE_DIR"] = str(tmp_path / "state")
    if request.param == "postgresql":
        database: PgDatabase = request.getfixturevalue("pg_database")
        clean.update(database.env())
    return clean


def seed(env: Dict[str, str], ages: Dict[str, float]) -> EnvSQLTrackerStore:
    store = EnvSQLTrackerStore(domain=DOMAIN, settings=db.settings_from_env(env))
    now = time.time()
    for sender, days in ages.items():
        asyncio.run(store.save(conversation(sender, now - days * DAY, [f"SM{uuid.uuid4().hex}"])))
    return store


def purge(env: Dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "purge.py")], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=120,
    )


def test_purge_deletes_what_is_older_than_the_protocols_90_days(env: Dict[str, str]) -> None:
    run = uuid.uuid4().hex[:8]
    old, kept = f"sms-old-{run}", f"sms-kept-{run}"
    store = seed(env, {old: 95, kept: 80})
    done = purge(env)
    assert done.returncode == 0, done.stderr
    assert "no message for over 90 days" in done.stdout
    assert old not in done.stdout + done.stderr  # counts only, never a sender id
    assert event_count(store.engine, old) == 0
    assert event_count(store.engine, kept) > 0


def test_the_environment_shortens_the_retention(env: Dict[str, str]) -> None:
    run = uuid.uuid4().hex[:8]
    store = seed(env, {f"a-{run}": 40, f"b-{run}": 20})
    done = purge({**env, RETENTION_ENV: "30"})
    assert done.returncode == 0, done.stderr
    assert "over 30 days" in done.stdout
    assert event_count(store.engine, f"a-{run}") == 0 and event_count(store.engine, f"b-{run}") > 0


def test_a_wrong_setting_fails_with_the_variable_named(tmp_path: Path) -> None:
    done = purge({**os.environ, "BOT_STATE_DIR": str(tmp_path), RETENTION_ENV: "ninety"})
    assert done.returncode == 1 and RETENTION_ENV in done.stderr


def test_make_run_purges_at_start_and_again_each_interval(tmp_path: Path) -> None:
    """scripts/run_bot.py runs run_daily in a thread; here with a short interval."""
    env = {"BOT_STATE_DIR": str(tmp_path)}
    store = seed(env, {"first": 100})
    stop = threading.Event()
    worker = threading.Thread(target=run_daily, args=(stop, env, 0.2), daemon=True)
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while event_count(store.engine, "first") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert event_count(store.engine, "first") == 0
        seed(env, {"second": 100})  # goes idle past the limit while the bot runs
        while event_count(store.engine, "second") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert event_count(store.engine, "second") == 0
    finally:
        stop.set()
        worker.join(10)
    assert not worker.is_alive()
    assert personal_data.idle_senders(store.engine, time.time()) == []


def test_a_conversation_waiting_for_its_reminder_is_kept_until_it_is_sent(env: Dict[str, str]) -> None:
    import datetime as dt

    from stores.reminders import ReminderStore

    run = uuid.uuid4().hex[:8]
    waiting, idle = f"web-waiting-{run}", f"web-idle-{run}"
    store = seed(env, {waiting: 120, idle: 120})
    # Booked months ahead: the reminder is due after the retention period has passed.
    remind_on = dt.date.today() + dt.timedelta(days=200)
    due_at = dt.datetime.combine(remind_on, dt.time(18, 0), tzinfo=dt.timezone.utc)
    ReminderStore(store.engine).schedule(
        waiting, "socketio", "microneedling", remind_on - dt.timedelta(days=14), "botox", remind_on, due_at,
        "Want a reminder?", "yes")
    done = purge(env)
    assert done.returncode == 0, done.stderr
    assert event_count(store.engine, idle) == 0
    assert event_count(store.engine, waiting) > 0
    assert [r.remind_on for r in ReminderStore(store.engine).pending_for_sender(waiting)] == [remind_on]
