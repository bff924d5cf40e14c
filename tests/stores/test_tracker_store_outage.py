"""The conversations' database briefly unreachable (the real PostgreSQL behind a
TCP proxy the test cuts): reading or writing a conversation fails fast with
DatabaseUnavailable, which Rasa's FailSafeTrackerStore cannot swallow into an
empty in-memory conversation, and every event is there once it is back."""

from __future__ import annotations

import time
import uuid
from typing import Iterator

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from stores import db
from stores.tracker_store import EnvSQLTrackerStore
from tests.conftest import TEST_RASA_PORT, PgDatabase
from tests.e2e.tcp_proxy import TcpProxy

PROXY_PORT = TEST_RASA_PORT + 3
DOMAIN = Domain.from_dict({"slots": {"previous_treatment": {"type": "text", "mappings": [{"type": "custom"}]}}})


@pytest.fixture
def proxied(pg_database: PgDatabase) -> Iterator[TcpProxy]:
    proxy = TcpProxy(PROXY_PORT, pg_database.host, pg_database.port)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.close()


@pytest.mark.asyncio
async def test_an_outage_is_raised_past_rasas_fallback_and_nothing_is_lost(
    pg_database: PgDatabase, proxied: TcpProxy
) -> None:
    settings = db.settings_from_env({**pg_database.env(), "DB_HOST": "127.0.0.1", "DB_PORT": str(PROXY_PORT)})
    store = FailSafeTrackerStore(EnvSQLTrackerStore(DOMAIN, settings=settings))  # as Rasa's agent wraps it
    sender = f"outage-{uuid.uuid4().hex[:10]}"
    tracker = DialogueStateTracker.from_events(
        sender, [UserUttered("I had botox on November 3"), SlotSet("previous_treatment", "botox")]
    )
    await store.save(tracker)

    proxied.cut()
    tracker.update(UserUttered("when can i get microneedling"))  # the turn that meets the outage
    for attempt in (store.retrieve(sender), store.save(tracker)):
        start = time.monotonic()
        with pytest.raises(db.DatabaseUnavailable):
            await attempt
        assert time.monotonic() - start < 2.0
    assert not await store.fallback_tracker_store.keys(), "a conversation was kept in memory"

    proxied.restore()
    back = await store.retrieve(sender)
    assert back is not None and back.get_slot("previous_treatment") == "botox"
    assert [e.as_dict() for e in back.events] == [e.as_dict() for e in tracker.events][:2]
    # Saved again once the database is back, the turn that failed is written, once.
    await store.save(tracker)
    again = await store.retrieve(sender)
    assert [e.as_dict() for e in again.events] == [e.as_dict() for e in tracker.events]
    db.shared_engine(settings).dispose()
