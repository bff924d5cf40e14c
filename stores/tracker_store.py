"""Rasa's SQLTrackerStore on the database stores/db.py picks from the environment.

endpoints.yml:

    tracker_store:
      type: stores.tracker_store.EnvSQLTrackerStore

A class rather than Rasa's ``type: sql`` with ``${DB_HOST}`` placeholders:
Rasa refuses an endpoints file naming an unset variable, and the embedded
default (SQLite in BOT_STATE_DIR) needs no variable at all. Events are stored
exactly as Rasa's SQLTrackerStore stores them (its ``events`` table), so a
database written by ``type: sql`` reads the same.

"Forget me" (issue 11): a turn in which action_forget_me ran is not stored;
the conversation and everything tied to its sender are deleted instead
(stores/personal_data.py). Done here, under the conversation's lock, because
an action server deleting rows would see Rasa write the turn back after it.

A database error while reading or writing a conversation is raised as
``db.DatabaseUnavailable`` (see there why), so the patient gets an apology
and the conversation is taken up where it was once the database is back.
"""

from __future__ import annotations

import itertools
import logging
from typing import Any, Iterator, Optional, Text

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from clinic.privacy import FORGET_ACTION
from stores import db, personal_data

logger = logging.getLogger(__name__)


def forget_requested(tracker: DialogueStateTracker) -> bool:
    """Whether the patient's latest turn ran the forget-me action."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME:
            return event.action_name == FORGET_ACTION
    return False


_STORED_ATTRIBUTE = "_clinic_events_stored"


def _remember_stored(tracker: DialogueStateTracker) -> None:
    """Note on the tracker how many of its events the database holds."""
    setattr(tracker, _STORED_ATTRIBUTE, len(tracker.events))


class EnvSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose engine is the process's shared, small-pooled one."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        event_broker: Optional[EventBroker] = None,
        settings: Optional[db.DatabaseSettings] = None,
        **kwargs: Any,
    ) -> None:
        # SQLTrackerStore.__init__ is skipped on purpose: it builds its own
        # engine with a 50 + 100 connection pool and retries forever when the
        # database is down; here the pool is shared and the wait is bounded.
        kwargs.pop("host", None)  # Rasa passes the endpoint's url; unused
        self.engine = db.shared_engine(settings)
        db.wait_until_reachable(self.engine)
        db.create_tables(self.Base.metadata, self.engine)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        TrackerStore.__init__(self, domain, event_broker, **kwargs)

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            if forget_requested(tracker):
                deletion = personal_data.forget_sender(self.engine, tracker.sender_id)
                logger.info("Forget me: deleted one conversation (%s rows)", deletion.total)
                return
            await super().save(tracker)
            _remember_stored(tracker)  # only once committed: a failed write is written again next time
        except sa.exc.SQLAlchemyError as error:
            # Never "Done: deleted" over a failed deletion: the patient gets the apology.
            raise db.DatabaseUnavailable(type(error).__name__) from None

    # --- a database outage reaches the channels' guard, not Rasa's in-memory fallback ---

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        try:
            tracker = await super().retrieve(sender_id)
        except sa.exc.SQLAlchemyError as error:
            raise db.DatabaseUnavailable(type(error).__name__) from None
        if tracker is not None:
            _remember_stored(tracker)
        return tracker

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The tracker's events not yet in the database. Rasa counts them with a
        second query of the conversation's session (2.5 ms of a turn, bench/README.md);
        a tracker this store read knows how many it was read with. The turn
        runs under the conversation's lock, so no other replica wrote in between."""
        stored = getattr(tracker, _STORED_ATTRIBUTE, None)
        if stored is None or stored > len(tracker.events):
            events = list(super()._additional_events(session, tracker))
        else:
            events = list(itertools.islice(tracker.events, stored, len(tracker.events)))
        return iter(events)

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        try:
            return await super().retrieve_full_tracker(conversation_id)
        except sa.exc.SQLAlchemyError as error:
            raise db.DatabaseUnavailable(type(error).__name__) from None
