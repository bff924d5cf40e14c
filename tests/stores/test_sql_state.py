"""stores/db.py settings, and the SMS state on PostgreSQL shared by two replicas."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa

from channels.sms import SmsInput
from channels.sms_format import Option
from channels.sms_store import DONE, NEW, PENDING, SmsStore
from stores import db
from tests.conftest import PgDatabase

# The former SQLite schema (channels/sms_store.py before issue 10), to migrate from.
LEGACY_SCHEMA = """
CREATE TABLE opt_outs (sender TEXT PRIMARY KEY, opted_out_at REAL NOT NULL);
CREATE TABLE deliveries (message_sid TEXT PRIMARY KEY, reply TEXT, received_at REAL NOT NULL,
                         answered_at REAL);
CREATE TABLE options (sender TEXT PRIMARY KEY, options TEXT NOT NULL, updated_at REAL NOT NULL);
"""


def test_default_is_sqlite_in_state_dir(tmp_path: Path) -> None:
    settings = db.settings_from_env({"BOT_STATE_DIR": str(tmp_path)})
    assert settings.is_sqlite and settings.url == f"sqlite:///{tmp_path.resolve() / 'bot.db'}"


def test_postgres_from_environment_with_small_pool() -> None:
    settings = db.settings_from_env(
        {"DB_HOST": "db.internal", "DB_NAME": "clinic", "DB_USER": "bot", "DB_PASSWORD": "s3cret"}
    )
    assert settings.url == "postgresql+psycopg2://bot:s3cret@db.internal:5432/clinic"
    assert (settings.pool_size, settings.max_overflow) == (db.DEFAULT_POOL_SIZE, db.DEFAULT_MAX_OVERFLOW)
    assert "s3cret" not in settings.describe()


@pytest.mark.parametrize("name,value", [("DB_PORT", "x"), ("DB_POOL_SIZE", "0"), ("DB_MAX_OVERFLOW", "-1")])
def test_impossible_values_are_named(name: str, value: str) -> None:
    with pytest.raises(db.DatabaseConfigError, match=name):
        db.settings_from_env({"DB_HOST": "h", name: value})


@pytest.fixture
def pg_engine(pg_database: PgDatabase) -> Iterator[sa.engine.Engine]:
    engine = db.create_engine(db.settings_from_env(pg_database.env()))
    yield engine
    engine.dispose()


def test_two_replicas_share_sms_state_on_postgres(pg_engine: sa.engine.Engine) -> None:
    # Two engines = two processes' pools on one database.
    other = db.create_engine(db.DatabaseSettings(url=pg_engine.url.render_as_string(hide_password=False)))
    a, b = SmsStore(pg_engine), SmsStore(other)
    sid = "SM-replica-test"
    assert a.claim(sid) == (NEW, None)
    assert b.claim(sid) == (PENDING, None)
    a.finish(sid, "the reply")
    assert b.claim(sid) == (DONE, "the reply") and b.stored_reply(sid) == "the reply"
    a.set_opted_out("sms-replica", True)
    assert b.is_opted_out("sms-replica")
    b.set_opted_out("sms-replica", False)
    assert not a.is_opted_out("sms-replica")
    a.set_options("sms-opts", [Option("What is Botox?", "/what_is_botox")])
    assert b.options("sms-opts") == [Option("What is Botox?", "/what_is_botox")]
    a.set_options("sms-opts", [Option("B", "/b")])  # upsert replaces
    assert b.options("sms-opts") == [Option("B", "/b")]
    other.dispose()


def _legacy_file(path: Path) -> None:
    with sqlite3.connect(path) as legacy:
        legacy.executescript(LEGACY_SCHEMA)
        legacy.execute("INSERT INTO opt_outs VALUES ('sms-old-stop', 1.0)")
        legacy.execute("INSERT INTO deliveries VALUES ('SM-old', 'old reply', 9e9, 9e9)")
        legacy.execute("""INSERT INTO options VALUES ('sms-old', '[{"title": "A", "payload": "/a"}]', 9e9)""")
    legacy.close()


def test_former_sms_db_is_imported_once_at_start(tmp_path: Path, pg_database: PgDatabase) -> None:
    _legacy_file(tmp_path / "sms.db")
    channel = SmsInput(
        auth_token="t", public_url="https://x/webhooks/sms/webhook", sender_key="k",
        state_dir=tmp_path, database=db.settings_from_env(pg_database.env()),
    )
    store = channel.store
    assert channel.enabled and store is not None
    assert store.is_opted_out("sms-old-stop")
    assert store.claim("SM-old") == (DONE, "old reply")
    assert store.options("sms-old") == [Option("A", "/a")]
    assert not (tmp_path / "sms.db").exists() and (tmp_path / "sms.db.imported").exists()
    assert store.import_sqlite_file(tmp_path / "sms.db.imported") == 3  # again: no error, no change
    assert store.claim("SM-old") == (DONE, "old reply")


def test_sqlite_default_keeps_sms_state_beside_conversations(tmp_path: Path) -> None:
    _legacy_file(tmp_path / "sms.db")
    channel = SmsInput(auth_token="t", public_url="https://x/", sender_key="k", state_dir=tmp_path)
    assert channel.store is not None and channel.store.is_opted_out("sms-old-stop")
    assert (tmp_path / "bot.db").exists()


def test_postgres_pool_is_the_configured_small_one(pg_database: PgDatabase) -> None:
    engine = db.create_engine(db.settings_from_env(pg_database.env(pool_size=4, max_overflow=1)))
    assert (engine.pool.size(), engine.pool._max_overflow) == (4, 1)
    engine.dispose()


@pytest.mark.asyncio
async def test_tracker_store_keeps_a_conversation_across_instances(tmp_path: Path) -> None:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from stores.tracker_store import EnvSQLTrackerStore

    domain = Domain.from_dict({"slots": {"previous_treatment": {"type": "text", "mappings": []}}})
    settings = db.settings_from_env({"BOT_STATE_DIR": str(tmp_path)})
    first = EnvSQLTrackerStore(domain=domain, settings=settings, host=None)
    tracker = DialogueStateTracker.from_events(
        "patient-1", [UserUttered("I had botox on November 3"), SlotSet("previous_treatment", "botox")]
    )
    await first.save(tracker)
    db._engines.clear()  # a new process: a new engine on the same file
    second = EnvSQLTrackerStore(domain=domain, settings=settings)
    restored = await second.retrieve("patient-1")
    assert restored is not None and restored.get_slot("previous_treatment") == "botox"
    assert [e.text for e in restored.events if isinstance(e, UserUttered)] == ["I had botox on November 3"]
