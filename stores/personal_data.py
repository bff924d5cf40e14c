"""Everything stored about one conversation, found and deleted in one place.

A conversation's sender id is the key everywhere: the widget's random session
id, the REST sender, or for SMS the keyed hash of the phone number. Tied to it:

- Rasa's events (the `events` table of its SQLTrackerStore): every message,
  answer and slot, treatments and dates included;
- the SMS state (channels/sms_store.py): the numbered options shown last, and
  the replies stored for retried MessageSids (found through the message ids
  of the conversation's own events);
- (issue 12) scheduled reminders.

`forget_sender` deletes all of it on whichever database stores/db.py chose
(SQLite or PostgreSQL). The SMS opt-out (a keyed hash in sms_opt_outs) is
kept on purpose: an opted-out number must stay opted out. `purge_idle` does
the same for every conversation whose last event is older than a cutoff
(scripts/purge.py, `make purge`).

Adding a store of personal data: give it `delete_for_sender(sender) -> int`
(and `pending_for_sender(sender)` if the summary should list its reminders)
and add it to `sources()`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Protocol, Set

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from stores.reminders import ReminderStore

logger = logging.getLogger(__name__)

# Rasa's SQLTrackerStore table, the columns read here (rasa/core/tracker_store.py).
_rasa_metadata = sa.MetaData()
events = sa.Table(
    "events", _rasa_metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("data", sa.Text),
)


class SenderData(Protocol):
    def delete_for_sender(self, sender_id: str) -> int: ...


def _has_table(engine: Engine, name: str) -> bool:
    return sa.inspect(engine).has_table(name)


class ConversationEvents:
    """Rasa's events of one conversation."""

    name = "conversation events"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def delete_for_sender(self, sender_id: str) -> int:
        if not _has_table(self.engine, "events"):
            return 0
        with self.engine.begin() as connection:
            return int(connection.execute(events.delete().where(events.c.sender_id == sender_id)).rowcount or 0)


class SmsState:
    """The SMS channel's rows of one sender, except the opt-out."""

    name = "SMS options and stored replies"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def delete_for_sender(self, sender_id: str) -> int:
        from channels.sms_store import deliveries, options_table

        if not _has_table(self.engine, options_table.name):
            return 0
        message_ids = sorted(_message_ids(self.engine, sender_id))
        deleted = 0
        with self.engine.begin() as connection:
            deleted += connection.execute(
                options_table.delete().where(options_table.c.sender == sender_id)
            ).rowcount or 0
            for start in range(0, len(message_ids), 500):
                # A delivery still being answered (answered_at unset) is the
                # turn that asked for the deletion: its row must stay so that
                # Twilio's retry of it gets the reply instead of a second turn.
                deleted += connection.execute(
                    deliveries.delete().where(
                        deliveries.c.message_sid.in_(message_ids[start:start + 500]),
                        deliveries.c.answered_at.isnot(None),
                    )
                ).rowcount or 0
        return int(deleted)


def _user_event_values(engine: Engine, sender_id: str, key: str) -> List[Any]:
    """`key` of each of the patient's messages (Rasa's stored user events)."""
    if not _has_table(engine, "events"):
        return []
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(events.c.data).where(events.c.sender_id == sender_id, events.c.type_name == "user")
        ).all()
    values: List[Any] = []
    for (data,) in rows:
        try:
            values.append(json.loads(data or "{}").get(key))
        except ValueError:
            values.append(None)
    return values


def _message_ids(engine: Engine, sender_id: str) -> Set[str]:
    """The channel's message ids (Twilio's MessageSid for SMS) of the patient's messages."""
    return {m for m in _user_event_values(engine, sender_id, "message_id") if isinstance(m, str) and m}


def sources(engine: Engine) -> List[SenderData]:
    """Every store of personal data, in deletion order (events last: the SMS
    state is found through them)."""
    return [
        SmsState(engine),
        ReminderStore(engine),
        ConversationEvents(engine),
    ]


@dataclass
class Deletion:
    """What was deleted, per store (rows)."""

    rows: Dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def forget_sender(engine: Engine, sender_id: str) -> Deletion:
    """Delete everything tied to `sender_id`, except an SMS opt-out."""
    deletion = Deletion()
    for source in sources(engine):
        name = getattr(source, "name", type(source).__name__)
        deletion.rows[name] = deletion.rows.get(name, 0) + source.delete_for_sender(sender_id)
    return deletion


def has_conversation(engine: Engine, sender_id: str) -> bool:
    """Whether any event of `sender_id` is stored (the SMS notice goes to new numbers)."""
    if not _has_table(engine, "events"):
        return False
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(events.c.id).where(events.c.sender_id == sender_id).limit(1)
        ).first()
    return row is not None


def channels_of(engine: Engine, sender_id: str) -> Set[str]:
    """The input channels the patient's messages of `sender_id` came through."""
    return {"unknown" if c is None else str(c) for c in _user_event_values(engine, sender_id, "input_channel")}


def idle_senders(engine: Engine, cutoff: float, among: Optional[List[str]] = None) -> List[str]:
    """Conversations (of `among`, or all) whose newest event is older than `cutoff` (Unix time)."""
    if not _has_table(engine, "events"):
        return []
    query = sa.select(events.c.sender_id)
    if among is not None:
        query = query.where(events.c.sender_id.in_(among))
    query = query.group_by(events.c.sender_id).having(
        sa.func.max(sa.func.coalesce(events.c.timestamp, 0.0)) < cutoff)
    with engine.connect() as connection:
        return [sender for (sender,) in connection.execute(query).all()]


@dataclass
class Purge:
    conversations: int
    rows: int


def purge_idle(engine: Engine, cutoff: float, senders: Optional[Iterable[str]] = None) -> Purge:
    """Delete every conversation idle since before `cutoff`, with all tied to it.

    Each conversation is checked again just before it goes, so one that got a
    message while the purge ran is kept; so is one with a reminder still to
    send (a booked date may be months ahead), until the reminder has gone.
    """
    conversations = rows = 0
    for sender in senders if senders is not None else idle_senders(engine, cutoff):
        if not idle_senders(engine, cutoff, among=[sender]):
            continue
        if pending_reminder_dates(engine, sender):  # kept until the reminder the patient asked for is sent
            continue
        rows += forget_sender(engine, sender).total
        conversations += 1
    return Purge(conversations, rows)


def pending_reminder_dates(engine: Engine, sender_id: str) -> List[dt.date]:
    """Days of the reminders still to send to `sender_id`, from the stores
    that schedule them."""
    scheduled: List[Any] = []
    for source in sources(engine):
        pending = getattr(source, "pending_for_sender", None)
        if pending is not None:
            scheduled.extend(pending(sender_id))
    days = [getattr(item, "remind_on", item) for item in scheduled]
    return [day for day in days if isinstance(day, dt.date)]
