"""What the SMS channel remembers, in one SQLite file under BOT_STATE_DIR.

- opt_outs: sender ids (keyed hashes, never phone numbers) that texted STOP.
  Kept until the patient texts START; never pruned.
- deliveries: MessageSid -> the reply sent for it, so a retried webhook gets
  the same answer without a second turn. Inserted *before* the turn runs,
  so a concurrent duplicate finds the row and waits instead of processing;
  a row left unanswered for `stale_after` seconds (a crash) can be retaken.
- options: per sender, the numbered options shown last, so "1" maps back.

Deliveries and options are pruned after `ttl_seconds` (a day by default).
Every method is short and synchronous; a lock serialises use of the one
connection, and SQLite's own locking covers a second process.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import List, Tuple

from channels.sms_format import Option

NEW = "new"
PENDING = "pending"
DONE = "done"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS opt_outs (
    sender TEXT PRIMARY KEY,
    opted_out_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    message_sid TEXT PRIMARY KEY,
    reply TEXT,
    received_at REAL NOT NULL,
    answered_at REAL
);
CREATE TABLE IF NOT EXISTS options (
    sender TEXT PRIMARY KEY,
    options TEXT NOT NULL,
    updated_at REAL NOT NULL
);
"""


class SmsStore:
    def __init__(
        self,
        path: Path,
        ttl_seconds: float = 24 * 3600,
        prune_every: float = 3600,
        stale_after: float = 120,
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.ttl_seconds = ttl_seconds
        self.prune_every = prune_every
        self.stale_after = stale_after
        self._last_prune = 0.0
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            str(self.path), timeout=10, isolation_level=None, check_same_thread=False
        )
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- opt-outs -------------------------------------------------------------

    def is_opted_out(self, sender: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM opt_outs WHERE sender = ?", (sender,)
            ).fetchone()
        return row is not None

    def set_opted_out(self, sender: str, opted_out: bool) -> None:
        with self._lock:
            if opted_out:
                self._db.execute(
                    "INSERT OR REPLACE INTO opt_outs (sender, opted_out_at) VALUES (?, ?)",
                    (sender, time.time()),
                )
                self._db.execute("DELETE FROM options WHERE sender = ?", (sender,))
            else:
                self._db.execute("DELETE FROM opt_outs WHERE sender = ?", (sender,))

    # --- deliveries (MessageSid) ----------------------------------------------

    def claim(self, message_sid: str) -> Tuple[str, str | None]:
        """NEW if this call owns the message; else PENDING or (DONE, reply)."""
        self.prune_if_due()
        with self._lock:
            inserted = self._db.execute(
                "INSERT OR IGNORE INTO deliveries (message_sid, received_at) VALUES (?, ?)",
                (message_sid, time.time()),
            ).rowcount
            if inserted:
                return NEW, None
            row = self._db.execute(
                "SELECT reply, received_at, answered_at FROM deliveries WHERE message_sid = ?",
                (message_sid,),
            ).fetchone()
            if row is None:  # pruned between the two statements
                return PENDING, None
            reply, received_at, answered_at = row
            if answered_at is not None:
                return DONE, reply or ""
            now = time.time()
            if now - received_at > self.stale_after:
                # The first attempt never finished (the process died mid-turn):
                # take it over, so the retry is answered. Conditional on the
                # old timestamp, so only one of several retries wins.
                taken = self._db.execute(
                    "UPDATE deliveries SET received_at = ? "
                    "WHERE message_sid = ? AND received_at = ? AND answered_at IS NULL",
                    (now, message_sid, received_at),
                ).rowcount
                if taken:
                    return NEW, None
        return PENDING, None

    def finish(self, message_sid: str, reply: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE deliveries SET reply = ?, answered_at = ? WHERE message_sid = ?",
                (reply, time.time(), message_sid),
            )

    def stored_reply(self, message_sid: str) -> str | None:
        """The reply if the message has been answered, else None."""
        with self._lock:
            row = self._db.execute(
                "SELECT reply, answered_at FROM deliveries WHERE message_sid = ?",
                (message_sid,),
            ).fetchone()
        if row is None or row[1] is None:
            return None
        return row[0] or ""

    # --- numbered options -----------------------------------------------------

    def options(self, sender: str) -> List[Option]:
        with self._lock:
            row = self._db.execute(
                "SELECT options, updated_at FROM options WHERE sender = ?", (sender,)
            ).fetchone()
        if row is None or time.time() - row[1] > self.ttl_seconds:
            return []
        return [Option(o["title"], o["payload"]) for o in json.loads(row[0])]

    def set_options(self, sender: str, options: List[Option]) -> None:
        with self._lock:
            if options:
                data = json.dumps([{"title": o.title, "payload": o.payload} for o in options])
                self._db.execute(
                    "INSERT OR REPLACE INTO options (sender, options, updated_at) VALUES (?, ?, ?)",
                    (sender, data, time.time()),
                )
            else:
                self._db.execute("DELETE FROM options WHERE sender = ?", (sender,))

    # --- housekeeping ---------------------------------------------------------

    def prune_if_due(self) -> None:
        now = time.time()
        if now - self._last_prune >= self.prune_every:
            self._last_prune = now
            self.prune(now)

    def prune(self, now: float | None = None) -> None:
        cutoff = (now if now is not None else time.time()) - self.ttl_seconds
        with self._lock:
            self._db.execute("DELETE FROM deliveries WHERE received_at < ?", (cutoff,))
            self._db.execute("DELETE FROM options WHERE updated_at < ?", (cutoff,))
