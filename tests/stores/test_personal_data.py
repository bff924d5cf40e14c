"""Forget me and retention, against the real stores: Rasa's SQL tracker store
(our EnvSQLTrackerStore) and the SMS state, on SQLite and on PostgreSQL.

Conversations are written the way the bot writes them (real trackers saved by
the tracker store), then the tables are read directly afterwards.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from pathlib import Path
from typing import Iterator, List

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.sms_format import Option
from channels.sms_store import DONE, NEW, SmsStore, deliveries, opt_outs, options_table
from clinic.privacy import FORGET_ACTION, idle_cutoff
from stores import db, personal_data
from stores.tracker_store import EnvSQLTrackerStore
from tests.conftest import PgDatabase

DOMAIN = Domain.load("domain.yml")
DAY = 24 * 3600.0


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[db.DatabaseSettings]:
    if request.param == "sqlite":
        yield db.DatabaseSettings(url=f"sqlite:///{tmp_path / 'bot.db'}")
    else:
        database: PgDatabase = request.getfixturevalue("pg_database")
        yield db.settings_from_env(database.env())


@pytest.fixture
def store(settings: db.DatabaseSettings) -> EnvSQLTrackerStore:
    return EnvSQLTrackerStore(domain=DOMAIN, settings=settings)


def conversation(sender: str, when: float, sids: List[str], extra: List[Event] | None = None) -> DialogueStateTracker:
    """A patient's SMS conversation: a dated question per MessageSid, answered."""
    events: List[Event] = [ActionExecuted("action_listen", timestamp=when)]
    for number, sid in enumerate(sids):
        at = when + number
        events += [
            UserUttered("I had botox on November 3", {"name": "wait_time", "confidence": 1.0},
                        message_id=sid, input_channel="sms", timestamp=at),
            ActionExecuted("action_wait_time", timestamp=at),
            BotUttered("Clinic guidance: Botox Tuesday, November 3, ...", timestamp=at),
            SlotSet("previous_treatment", "botox", timestamp=at),
            SlotSet("previous_date", "2026-11-03", timestamp=at),
            ActionExecuted("action_listen", timestamp=at),
        ]
    return DialogueStateTracker.from_events(sender, events + (extra or []), slots=DOMAIN.slots)


def event_count(engine: sa.engine.Engine, sender: str) -> int:
    with engine.connect() as connection:
        return connection.execute(
            sa.select(sa.func.count()).select_from(personal_data.events)
            .where(personal_data.events.c.sender_id == sender)
        ).scalar_one()


def rows(engine: sa.engine.Engine, table: sa.Table, column: sa.Column, value: str) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table).where(column == value)).scalar_one()


def answered(sms: SmsStore, sid: str, reply: str) -> None:
    assert sms.claim(sid) == (NEW, None)
    sms.finish(sid, reply)


def test_forget_deletes_the_conversation_and_its_sms_state_but_not_the_opt_out(store: EnvSQLTrackerStore) -> None:
    engine = store.engine
    sms = SmsStore(engine)
    patient, other = f"sms-{uuid.uuid4().hex}", f"sms-{uuid.uuid4().hex}"
    sids = [f"SM{uuid.uuid4().hex}" for _ in range(2)]
    other_sid = f"SM{uuid.uuid4().hex}"
    asyncio.run(store.save(conversation(patient, time.time(), sids)))
    asyncio.run(store.save(conversation(other, time.time(), [other_sid])))
    for sid in sids:
        answered(sms, sid, "Clinic guidance: Botox Tuesday, November 3, ...")
    answered(sms, other_sid, "other patient's reply")
    current = f"SM{uuid.uuid4().hex}"  # the "yes" being answered right now
    asyncio.run(store.save(conversation(patient, time.time(), [current])))
    assert sms.claim(current) == (NEW, None)
    sms.set_opted_out(patient, True)  # texted STOP once, then START: the row is what matters here
    sms.set_options(patient, [Option("Yes", "/affirm"), Option("No", "/deny")])
    sms.set_options(other, [Option("Botox", "/what_is_botox")])
    assert event_count(engine, patient) > 0

    deletion = personal_data.forget_sender(engine, patient)

    assert event_count(engine, patient) == 0
    assert not personal_data.has_conversation(engine, patient)
    assert sms.options(patient) == []
    assert all(sms.stored_reply(sid) is None for sid in sids)
    assert rows(engine, deliveries, deliveries.c.message_sid, sids[0]) == 0
    # The turn asking for the deletion still gets its reply, once.
    sms.finish(current, "Done")
    assert sms.claim(current) == (DONE, "Done")
    assert sms.is_opted_out(patient), "an opted-out number must stay opted out"
    assert rows(engine, opt_outs, opt_outs.c.sender, patient) == 1
    # Another patient's data is untouched.
    assert event_count(engine, other) > 0
    assert sms.options(other) == [Option("Botox", "/what_is_botox")]
    assert sms.stored_reply(other_sid) == "other patient's reply"
    assert deletion.rows["SMS options and stored replies"] == 3
    assert deletion.rows["conversation events"] > 0


def test_a_forget_me_turn_deletes_instead_of_being_stored(store: EnvSQLTrackerStore) -> None:
    engine = store.engine
    patient = f"web-{uuid.uuid4().hex}"
    tracker = conversation(patient, time.time(), [])
    asyncio.run(store.save(tracker))
    assert event_count(engine, patient) > 0

    tracker = asyncio.run(store.retrieve(patient))
    for event in [
        UserUttered("delete my data", {"name": "forget_me", "confidence": 1.0}),
        ActionExecuted("action_ask_forget"),
        BotUttered("Delete this conversation ...?"),
        ActionExecuted("action_listen"),
        UserUttered("yes", {"name": "affirm", "confidence": 1.0}),
        ActionExecuted(FORGET_ACTION),
        BotUttered("Done: this conversation and what you told me are deleted ..."),
        ActionExecuted("action_listen"),
    ]:
        tracker.update(event)
    asyncio.run(store.save(tracker))

    assert event_count(engine, patient) == 0
    assert asyncio.run(store.retrieve(patient)) is None
    # The next message starts a new conversation, stored as usual.
    again = conversation(patient, time.time(), [])
    again.update(UserUttered("hi", {"name": "greet", "confidence": 1.0}))
    again.update(ActionExecuted("action_answer"))
    asyncio.run(store.save(again))
    assert event_count(engine, patient) == len(again.events)


def test_purge_deletes_conversations_idle_longer_than_the_retention(store: EnvSQLTrackerStore) -> None:
    engine = store.engine
    now = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)
    epoch = now.timestamp()
    run = uuid.uuid4().hex[:8]
    ages = {f"old-{run}": 120, f"just-over-{run}": 91, f"just-under-{run}": 89, f"recent-{run}": 3}
    sms = SmsStore(engine)
    for sender, days in ages.items():
        sid = f"SM{uuid.uuid4().hex}"
        asyncio.run(store.save(conversation(sender, epoch - days * DAY, [sid])))
        sms.set_options(sender, [Option("Yes", "/affirm")])
    # Old events, then a message 5 days ago: the conversation is not idle.
    revived = f"revived-{run}"
    asyncio.run(store.save(conversation(revived, epoch - 200 * DAY, ["SM-a"])))
    tracker = asyncio.run(store.retrieve(revived))
    tracker.update(UserUttered("and botox?", {"name": "follow_up", "confidence": 1.0}, timestamp=epoch - 5 * DAY))
    asyncio.run(store.save(tracker))

    cutoff = idle_cutoff(now, 90)
    mine = [sender for sender in personal_data.idle_senders(engine, cutoff) if run in sender]
    assert sorted(mine) == sorted([f"old-{run}", f"just-over-{run}"])
    purge = personal_data.purge_idle(engine, cutoff, senders=mine)

    assert purge.conversations == 2
    assert event_count(engine, f"old-{run}") == event_count(engine, f"just-over-{run}") == 0
    assert rows(engine, options_table, options_table.c.sender, f"old-{run}") == 0
    for kept in (f"just-under-{run}", f"recent-{run}", revived):
        assert event_count(engine, kept) > 0, kept
    assert rows(engine, options_table, options_table.c.sender, f"recent-{run}") == 1


def test_purge_on_an_empty_database_does_nothing(tmp_path: Path) -> None:
    engine = db.create_engine(db.DatabaseSettings(url=f"sqlite:///{tmp_path / 'empty.db'}"))
    assert personal_data.purge_idle(engine, time.time()).conversations == 0
    assert personal_data.forget_sender(engine, "nobody").total == 0


def test_forget_me_deletes_the_patients_reminders_and_consents_not_anothers(store: EnvSQLTrackerStore) -> None:
    from stores.reminders import ReminderStore, consents, reminders

    engine = store.engine
    patient, other = f"web-{uuid.uuid4().hex}", f"web-{uuid.uuid4().hex}"
    remind_on = dt.date.today() + dt.timedelta(days=10)
    due_at = dt.datetime.combine(remind_on, dt.time(18, 0), tzinfo=dt.timezone.utc)
    reminder_store = ReminderStore(engine)
    for sender in (patient, other):
        asyncio.run(store.save(conversation(sender, time.time(), [])))
        reminder_store.schedule(sender, "socketio", "botox", remind_on - dt.timedelta(days=14), "microneedling",
                                remind_on, due_at, "Want a reminder?", "yes")
    assert personal_data.pending_reminder_dates(engine, patient) == [remind_on]

    personal_data.forget_sender(engine, patient)

    assert rows(engine, reminders, reminders.c.sender, patient) == 0
    assert rows(engine, consents, consents.c.sender, patient) == 0
    assert event_count(engine, patient) == 0
    assert personal_data.pending_reminder_dates(engine, other) == [remind_on]
    assert rows(engine, consents, consents.c.sender, other) == 1
