"""Each turn's events are written once, on the real PostgreSQL, when two
replicas take turns in one conversation and when a new conversation session
starts (the store counts what it read instead of asking the database again)."""

from __future__ import annotations

import uuid

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from stores import db
from stores.tracker_store import EnvSQLTrackerStore
from tests.conftest import PgDatabase

DOMAIN = Domain.empty()


def texts(tracker: DialogueStateTracker) -> list:
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


@pytest.mark.asyncio
async def test_two_replicas_taking_turns_write_every_event_once(pg_database: PgDatabase) -> None:
    settings = db.settings_from_env(pg_database.env())
    first, second = EnvSQLTrackerStore(DOMAIN, settings=settings), EnvSQLTrackerStore(DOMAIN, settings=settings)
    sender = f"turns-{uuid.uuid4().hex[:10]}"
    await first.save(DialogueStateTracker.from_events(sender, [UserUttered("hi")]))

    for turn, store in enumerate([second, first, second, first]):
        tracker = await store.retrieve(sender)
        tracker.update(UserUttered(f"turn {turn}"))
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)

    stored = await second.retrieve(sender)
    assert texts(stored) == ["hi", "turn 0", "turn 1", "turn 2", "turn 3"]
    assert len(stored.events) == 9
    db.shared_engine(settings).dispose()


@pytest.mark.asyncio
async def test_a_new_session_keeps_only_its_own_events(pg_database: PgDatabase) -> None:
    settings = db.settings_from_env(pg_database.env())
    store = EnvSQLTrackerStore(DOMAIN, settings=settings)
    sender = f"session-{uuid.uuid4().hex[:10]}"
    await store.save(DialogueStateTracker.from_events(sender, [UserUttered("old question")]))

    tracker = await store.retrieve(sender)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(UserUttered("new question"))
    await store.save(tracker)
    tracker.update(UserUttered("and another"))
    await store.save(tracker)  # the same tracker saved twice in one turn: nothing twice

    assert texts(await store.retrieve(sender)) == ["new question", "and another"]
    assert texts(await store.retrieve_full_tracker(sender)) == ["old question", "new question", "and another"]
    db.shared_engine(settings).dispose()
