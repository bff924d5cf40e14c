"""Reminders and the patient's consent to them, rows in the conversations' database.

stores/db.py picks the database (SQLite by default, PostgreSQL with DB_HOST),
so a reminder survives every restart and every replica and worker sees it.
Never a job in process memory.

- reminders: one row per reminder. `status` moves
  pending -> sending -> sent | pending (retry) | failed      (SMS, by the worker)
  pending -> ready -> sent                                   (widget / REST: the
                                                               worker marks it due,
                                                               the channel shows it)
  pending | ready -> cancelled (the patient, or STOP)
  A row keeps what it needs to send without the conversation: the channel,
  the sender id, the treatments and the day, and for SMS the phone number,
  encrypted with a key derived from SMS_SENDER_KEY (channels/sms_contact.py),
  because the sender id is a one-way hash of it.
- reminder_consents: the patient's express consent (CASL): what was offered
  (the text shown), the reply, when (UTC), through which channel.

Exactly once: a worker claims a row with one atomic UPDATE conditional on
its status (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so workers never wait on
each other); a row left `sending` longer than the lease (a worker died
mid-send) is claimed again, marked `recovered` so the sender first checks
whether the message went out.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import Any, Iterable, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from stores import db

PENDING = "pending"
SENDING = "sending"
READY = "ready"
SENT = "sent"
FAILED = "failed"
CANCELLED = "cancelled"
# Not yet delivered: what the patient would call "my reminders".
OPEN = (PENDING, SENDING, READY)

metadata = sa.MetaData()
reminders = sa.Table(
    "reminders", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender", sa.String(128), nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("previous_treatment", sa.String(32), nullable=False),
    sa.Column("previous_date", sa.Date, nullable=False),
    sa.Column("next_treatment", sa.String(32), nullable=False),
    sa.Column("remind_on", sa.Date, nullable=False),
    sa.Column("due_at", sa.Float, nullable=False),  # UTC epoch seconds
    sa.Column("next_attempt_at", sa.Float, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("destination", sa.Text),  # SMS: the encrypted phone number
    sa.Column("claim_token", sa.String(32)),
    sa.Column("claimed_at", sa.Float),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("sent_at", sa.Float),
    sa.Column("provider_id", sa.String(64)),  # Twilio's message SID
    sa.Column("sent_text", sa.Text),
    sa.Column("last_error", sa.String(200)),
    sa.Index("ix_reminders_status_due", "status", "next_attempt_at"),
)
consents = sa.Table(
    "reminder_consents", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender", sa.String(128), nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("reminder_id", sa.Integer),
    sa.Column("offer_text", sa.Text, nullable=False),
    sa.Column("reply_text", sa.Text),
    sa.Column("consented_at", sa.Float, nullable=False),
)


@dataclass(frozen=True)
class Reminder:
    id: int
    sender: str
    channel: str
    previous_treatment: str
    previous_date: dt.date
    next_treatment: str
    remind_on: dt.date
    due_at: float
    status: str
    attempts: int
    destination: Optional[str] = None
    claim_token: Optional[str] = None
    recovered: bool = False  # claimed again after a worker died mid-send

    @property
    def plan_key(self) -> str:
        return f"{self.previous_treatment}:{self.previous_date.isoformat()}"


def _reminder(row: Any, recovered: bool = False) -> Reminder:
    m = row._mapping
    return Reminder(
        m["id"], m["sender"], m["channel"], m["previous_treatment"], m["previous_date"],
        m["next_treatment"], m["remind_on"], m["due_at"], m["status"], m["attempts"],
        m["destination"], m["claim_token"], recovered,
    )


def epoch(when: dt.datetime) -> float:
    return when.timestamp()


class ReminderStore:
    def __init__(self, engine: Optional[Engine] = None, lease_seconds: float = 300) -> None:
        """`engine`: the process's shared engine (stores/db.py) by default."""
        self.engine = engine or db.shared_engine()
        self.lease_seconds = lease_seconds
        db.create_tables(metadata, self.engine)

    # --- the conversation -----------------------------------------------------------

    def schedule(
        self, sender: str, channel: str, previous_treatment: str, previous_date: dt.date,
        next_treatment: str, remind_on: dt.date, due_at: dt.datetime,
        offer_text: str, reply_text: Optional[str], now: Optional[float] = None,
    ) -> Reminder:
        """A reminder and its consent record; a second yes to the same plan
        returns the reminder already set."""
        now = time.time() if now is None else now
        with self.engine.begin() as connection:
            existing = connection.execute(
                sa.select(reminders).where(
                    reminders.c.sender == sender, reminders.c.status.in_(OPEN),
                    reminders.c.previous_treatment == previous_treatment,
                    reminders.c.previous_date == previous_date,
                )
            ).first()
            if existing is not None:
                return _reminder(existing)
            due = epoch(due_at)
            reminder_id = connection.execute(
                reminders.insert().values(
                    sender=sender, channel=channel, previous_treatment=previous_treatment,
                    previous_date=previous_date, next_treatment=next_treatment, remind_on=remind_on,
                    due_at=due, next_attempt_at=due, status=PENDING, attempts=0, created_at=now,
                )
            ).inserted_primary_key[0]
            connection.execute(
                consents.insert().values(
                    sender=sender, channel=channel, reminder_id=reminder_id, offer_text=offer_text,
                    reply_text=(reply_text or "")[:200], consented_at=now,
                )
            )
            row = connection.execute(sa.select(reminders).where(reminders.c.id == reminder_id)).one()
        return _reminder(row)

    def set_destination(self, reminder_id: int, sender: str, sealed_number: str) -> bool:
        """The SMS channel adds the (encrypted) number of the sender it hashed."""
        with self.engine.begin() as connection:
            return bool(connection.execute(
                reminders.update()
                .where(reminders.c.id == reminder_id, reminders.c.sender == sender, reminders.c.channel == "sms")
                .values(destination=sealed_number)
            ).rowcount)

    def pending_for_sender(self, sender: str) -> List[Reminder]:
        """The reminders not yet delivered, soonest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(reminders)
                .where(reminders.c.sender == sender, reminders.c.status.in_(OPEN))
                .order_by(reminders.c.due_at, reminders.c.id)
            ).all()
        return [_reminder(row) for row in rows]

    def cancel_for_sender(self, sender: str, reason: str = "cancelled by the patient") -> List[Reminder]:
        """Cancel every reminder not yet sent (a row mid-send is left to finish)."""
        with self.engine.begin() as connection:
            rows = connection.execute(
                sa.select(reminders).where(
                    reminders.c.sender == sender, reminders.c.status.in_((PENDING, READY)))
            ).all()
            ids = [row._mapping["id"] for row in rows]
            if ids:
                connection.execute(
                    reminders.update()
                    .where(reminders.c.id.in_(ids), reminders.c.status.in_((PENDING, READY)))
                    .values(status=CANCELLED, last_error=reason[:200])
                )
        return [_reminder(row) for row in rows]

    def move(self, sender: str, remind_on: dt.date, due_at: dt.datetime) -> List[Reminder]:
        """Move the sender's reminders not yet sent to another day."""
        due = epoch(due_at)
        with self.engine.begin() as connection:
            connection.execute(
                reminders.update()
                .where(reminders.c.sender == sender, reminders.c.status.in_((PENDING, READY)))
                .values(remind_on=remind_on, due_at=due, next_attempt_at=due, status=PENDING, attempts=0)
            )
        return [r for r in self.pending_for_sender(sender) if r.remind_on == remind_on]

    def delete_for_sender(self, sender: str) -> int:
        """Forget me: every reminder and consent record of `sender`; the number of reminders."""
        with self.engine.begin() as connection:
            count = connection.execute(reminders.delete().where(reminders.c.sender == sender)).rowcount
            connection.execute(consents.delete().where(consents.c.sender == sender))
        return int(count or 0)

    def consents_for_sender(self, sender: str) -> List[dict]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(consents).where(consents.c.sender == sender).order_by(consents.c.id)).all()
        return [dict(row._mapping) for row in rows]

    # --- the worker -----------------------------------------------------------------

    def mark_ready(self, now: float, channels: Iterable[str]) -> int:
        """Due widget and REST reminders become `ready`: shown when the patient is there."""
        with self.engine.begin() as connection:
            return int(connection.execute(
                reminders.update()
                .where(reminders.c.status == PENDING, reminders.c.channel.in_(tuple(channels)),
                       reminders.c.next_attempt_at <= now)
                .values(status=READY)
            ).rowcount or 0)

    def _claimable(self, now: float, channel: str) -> Any:
        stale = now - self.lease_seconds
        return sa.and_(
            reminders.c.channel == channel,
            sa.or_(
                sa.and_(reminders.c.status == PENDING, reminders.c.next_attempt_at <= now),
                sa.and_(reminders.c.status == SENDING, reminders.c.claimed_at < stale),
            ),
        )

    def claim_due(self, now: float, limit: int = 20, channel: str = "sms") -> List[Reminder]:
        """Take up to `limit` due reminders for this worker; no other worker gets them."""
        token = uuid.uuid4().hex
        if self.engine.dialect.name == "postgresql":
            return self._claim_skip_locked(now, limit, channel, token)
        claimed: List[Reminder] = []
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(reminders).where(self._claimable(now, channel))
                .order_by(reminders.c.next_attempt_at, reminders.c.id).limit(limit)
            ).all()
        for row in rows:
            with self.engine.begin() as connection:
                taken = connection.execute(
                    reminders.update()
                    .where(reminders.c.id == row._mapping["id"], self._claimable(now, channel))
                    .values(status=SENDING, claim_token=token, claimed_at=now,
                            attempts=reminders.c.attempts + 1)
                ).rowcount
                if taken:
                    fresh = connection.execute(
                        sa.select(reminders).where(reminders.c.id == row._mapping["id"])).one()
                    claimed.append(_reminder(fresh, recovered=row._mapping["status"] == SENDING))
        return claimed

    def _claim_skip_locked(self, now: float, limit: int, channel: str, token: str) -> List[Reminder]:
        candidates = (
            sa.select(reminders.c.id, reminders.c.status).where(self._claimable(now, channel))
            .order_by(reminders.c.next_attempt_at, reminders.c.id).limit(limit)
            .with_for_update(skip_locked=True)
        )
        with self.engine.begin() as connection:
            locked = {row.id: row.status for row in connection.execute(candidates)}
            if not locked:
                return []
            rows = connection.execute(
                reminders.update()
                .where(reminders.c.id.in_(list(locked)))
                .values(status=SENDING, claim_token=token, claimed_at=now, attempts=reminders.c.attempts + 1)
                .returning(*reminders.c)
            ).all()
        return [_reminder(row, recovered=locked[row.id] == SENDING) for row in rows]

    def _finish(self, reminder: Reminder, **values: Any) -> bool:
        with self.engine.begin() as connection:
            return bool(connection.execute(
                reminders.update()
                .where(reminders.c.id == reminder.id, reminders.c.claim_token == reminder.claim_token,
                       reminders.c.status == SENDING)
                .values(**values)
            ).rowcount)

    def mark_sent(self, reminder: Reminder, now: float, provider_id: str, text: str) -> bool:
        return self._finish(reminder, status=SENT, sent_at=now, provider_id=provider_id[:64], sent_text=text)

    def mark_retry(self, reminder: Reminder, at: float, error: str) -> bool:
        return self._finish(reminder, status=PENDING, next_attempt_at=at, last_error=error[:200])

    def mark_failed(self, reminder: Reminder, error: str, status: str = FAILED) -> bool:
        return self._finish(reminder, status=status, last_error=error[:200])

    # --- the widget and REST ----------------------------------------------------------

    def ready_senders(self, channel: str) -> List[str]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(reminders.c.sender).distinct()
                .where(reminders.c.status == READY, reminders.c.channel == channel)
            ).all()
        return [row[0] for row in rows]

    def take_ready(self, sender: str, channel: str, now: Optional[float] = None) -> List[Reminder]:
        """The sender's due reminders for this channel, each handed out once."""
        now = time.time() if now is None else now
        taken: List[Reminder] = []
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(reminders).where(
                    reminders.c.sender == sender, reminders.c.channel == channel, reminders.c.status == READY)
                .order_by(reminders.c.due_at)
            ).all()
        for row in rows:
            with self.engine.begin() as connection:
                if connection.execute(
                    reminders.update()
                    .where(reminders.c.id == row._mapping["id"], reminders.c.status == READY)
                    .values(status=SENT, sent_at=now, attempts=reminders.c.attempts + 1)
                ).rowcount:
                    taken.append(_reminder(row))
        return taken

    def get(self, reminder_id: int) -> Optional[dict]:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(reminders).where(reminders.c.id == reminder_id)).first()
        return dict(row._mapping) if row is not None else None
