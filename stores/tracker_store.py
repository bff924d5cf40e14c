"""Rasa's SQLTrackerStore on the database stores/db.py picks from the environment.

endpoints.yml:

    tracker_store:
      type: stores.tracker_store.EnvSQLTrackerStore

A class rather than Rasa's ``type: sql`` with ``${DB_HOST}`` placeholders:
Rasa refuses an endpoints file naming an unset variable, and the embedded
default (SQLite in BOT_STATE_DIR) needs no variable at all. Events are stored
exactly as Rasa's SQLTrackerStore stores them (its ``events`` table), so a
database written by ``type: sql`` reads the same.
"""

from __future__ import annotations

from typing import Any, Optional

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain

from stores import db


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
