"""What the SMS channel remembers, in the same SQL database as the conversations.

stores/db.py picks the database: a SQLite file in BOT_STATE_DIR by default,
PostgreSQL when DB_HOST is set, so every Rasa replica sees the same state:

- sms_opt_outs: sender ids (keyed hashes, never phone numbers) that texted
  STOP. Kept until the patient texts START; never pruned.
- sms_deliveries: MessageSid -> the reply sent for it, so a retried webhook
  (on any replica) gets the same answer without a second turn. Inserted
  *before* the turn runs, so a concurrent duplicate finds the row and waits
  instead of processing; a row left unanswered for `stale_after` seconds (a
  crash) can be retaken.
- sms_options: per sender, the numbered options shown last, so "1" maps back.

Deliveries and options are pruned after `ttl_seconds` (a day by default).
Every method is one short transaction; "exactly once" rests on the primary
keys (INSERT ... ON CONFLICT DO NOTHING), not on a lock in this process.
`import_sqlite_file` moves the state of the former one-machine ``sms.db`` in.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any, List, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from channels.sms_format import Option
from stores import db

NEW = "new"
PENDING = "pending"
DONE = "done"

metadata = sa.MetaData()
opt_outs = sa.Table(
    "sms_opt_outs", metadata,
    sa.Column("sender", sa.String(128), primary_key=True),
    sa.Column("opted_out_at", sa.Float, nullable=False),
)
deliveries = sa.Table(
    "sms_deliveries", metadata,
    sa.Column("message_sid", sa.String(64), primary_key=True),
    sa.Column("reply", sa.Text),
    sa.Column("received_at", sa.Float, nullable=False, index=True),
    sa.Column("answered_at", sa.Float),
)
options_table = sa.Table(
    "sms_options", metadata,
    sa.Column("sender", sa.String(128), primary_key=True),
    sa.Column("options", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False, index=True),
)
# The former SQLite file's tables, by name, in the order they are imported.
_LEGACY_TABLES = (("opt_outs", opt_outs), ("deliveries", deliveries), ("options", options_table))


class SmsStore:
    def __init__(
        self,
        target: Path | Engine,
        ttl_seconds: float = 24 * 3600,
        prune_every: float = 3600,
        stale_after: float = 120,
    ) -> None:
        """`target`: the process's shared engine, or a SQLite file path (tests, tools)."""
        self._owns_engine = not isinstance(target, Engine)
        if isinstance(target, Engine):
            self.engine = target
        else:
            self.engine = db.create_engine(db.DatabaseSettings(url=f"sqlite:///{Path(target)}"))
        self.ttl_seconds = ttl_seconds
        self.prune_every = prune_every
        self.stale_after = stale_after
        self._last_prune = 0.0
        db.create_tables(metadata, self.engine)

    def close(self) -> None:
        if self._owns_engine:
            self.engine.dispose()

    def _insert(self, table: sa.Table) -> Any:
        # ON CONFLICT needs the dialect's own insert(); both take the same options.
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(table)

    def _upsert(self, table: sa.Table, key: str, **values: Any) -> Any:
        statement = self._insert(table).values(**values)
        update = {name: value for name, value in values.items() if name != key}
        return statement.on_conflict_do_update(index_elements=[key], set_=update)

    # --- opt-outs -------------------------------------------------------------

    def is_opted_out(self, sender: str) -> bool:
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(opt_outs.c.sender).where(opt_outs.c.sender == sender)
            ).first()
        return row is not None

    def set_opted_out(self, sender: str, opted_out: bool) -> None:
        with self.engine.begin() as connection:
            if opted_out:
                connection.execute(
                    self._upsert(opt_outs, "sender", sender=sender, opted_out_at=time.time())
                )
                connection.execute(options_table.delete().where(options_table.c.sender == sender))
            else:
                connection.execute(opt_outs.delete().where(opt_outs.c.sender == sender))

    # --- deliveries (MessageSid) ----------------------------------------------

    def claim(self, message_sid: str) -> Tuple[str, str | None]:
        """NEW if this call owns the message; else PENDING or (DONE, reply)."""
        self.prune_if_due()
        now = time.time()
        with self.engine.begin() as connection:
            inserted = connection.execute(
                self._insert(deliveries)
                .values(message_sid=message_sid, received_at=now)
                .on_conflict_do_nothing(index_elements=["message_sid"])
            ).rowcount
        if inserted:
            return NEW, None
        with self.engine.begin() as connection:
            row = connection.execute(
                sa.select(deliveries.c.reply, deliveries.c.received_at, deliveries.c.answered_at)
                .where(deliveries.c.message_sid == message_sid)
            ).first()
            if row is None:  # pruned between the two statements
                return PENDING, None
            reply, received_at, answered_at = row
            if answered_at is not None:
                return DONE, reply or ""
            if now - received_at > self.stale_after:
                # The first attempt never finished (its process died mid-turn):
                # take it over, so the retry is answered. Conditional on the
                # old timestamp, so only one of several retries wins.
                taken = connection.execute(
                    deliveries.update()
                    .where(
                        deliveries.c.message_sid == message_sid,
                        deliveries.c.received_at == received_at,
                        deliveries.c.answered_at.is_(None),
                    )
                    .values(received_at=now)
                ).rowcount
                if taken:
                    return NEW, None
        return PENDING, None

    def finish(self, message_sid: str, reply: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                deliveries.update()
                .where(deliveries.c.message_sid == message_sid)
                .values(reply=reply, answered_at=time.time())
            )

    def stored_reply(self, message_sid: str) -> str | None:
        """The reply if the message has been answered, else None."""
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(deliveries.c.reply, deliveries.c.answered_at)
                .where(deliveries.c.message_sid == message_sid)
            ).first()
        if row is None or row[1] is None:
            return None
        return row[0] or ""

    # --- numbered options -----------------------------------------------------

    def options(self, sender: str) -> List[Option]:
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(options_table.c.options, options_table.c.updated_at)
                .where(options_table.c.sender == sender)
            ).first()
        if row is None or time.time() - row[1] > self.ttl_seconds:
            return []
        return [Option(o["title"], o["payload"]) for o in json.loads(row[0])]

    def set_options(self, sender: str, options: List[Option]) -> None:
        with self.engine.begin() as connection:
            if options:
                data = json.dumps([{"title": o.title, "payload": o.payload} for o in options])
                connection.execute(
                    self._upsert(
                        options_table, "sender", sender=sender, options=data, updated_at=time.time()
                    )
                )
            else:
                connection.execute(options_table.delete().where(options_table.c.sender == sender))

    # --- housekeeping ---------------------------------------------------------

    def prune_if_due(self) -> None:
        now = time.time()
        if now - self._last_prune >= self.prune_every:
            self._last_prune = now
            self.prune(now)

    def prune(self, now: float | None = None) -> None:
        cutoff = (now if now is not None else time.time()) - self.ttl_seconds
        with self.engine.begin() as connection:
            connection.execute(deliveries.delete().where(deliveries.c.received_at < cutoff))
            connection.execute(options_table.delete().where(options_table.c.updated_at < cutoff))

    # --- moving in from the former sms.db ---------------------------------------

    def import_sqlite_file(self, path: Path) -> int:
        """Copy every row of a former ``sms.db`` in; rows already here are kept.

        Returns the number of rows read. Safe to run twice (and on several
        replicas at once): a row whose key exists is skipped.
        """
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        count = 0
        try:
            present = {
                name for (name,) in source.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            with self.engine.begin() as connection:
                for name, table in _LEGACY_TABLES:
                    if name not in present:
                        continue
                    columns = [column.name for column in table.columns]
                    rows = source.execute(f"SELECT {', '.join(columns)} FROM {name}").fetchall()
                    for row in rows:
                        connection.execute(
                            self._insert(table)
                            .values(dict(zip(columns, row, strict=True)))
                            .on_conflict_do_nothing()
                        )
                    count += len(rows)
        finally:
            source.close()
        return count
