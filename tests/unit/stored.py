"""A conversation stored the way Rasa's tracker store stores one (for the SMS notice tests)."""

from __future__ import annotations

import time

from sqlalchemy.engine import Engine

from stores import personal_data


def store_conversation(engine: Engine, sender: str) -> None:
    """A stored event of `sender`, as Rasa's tracker store writes after a turn."""
    events = personal_data.events
    events.create(engine, checkfirst=True)
    with engine.begin() as connection:
        connection.execute(events.insert().values(sender_id=sender, type_name="user", timestamp=time.time()))
