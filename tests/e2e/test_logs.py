"""At the default log level, no message text, treatment date, phone number or
sender id appears in the logs of the three servers (Rasa, actions, demo page).

A scripted conversation with distinctive words and dates goes over REST,
socket.io and SMS (answers, refusals, a too-long message, a malformed
request), then every line the servers wrote, all three processes' stdout and
stderr as scripts/run_bot.py starts them, is scanned.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import json
import uuid
from typing import List

import requests

from channels.guard import MAX_MESSAGE_CHARS
from tests.conftest import BotServers
from tests.e2e.cluster import RawSocketIO
from tests.e2e.test_sms import Phone

WORD = "Quillfeather"
TREATED = "February 19"


def _script(bot: BotServers, sender: str, session: str, phone: Phone) -> None:
    dated = f"I'm {WORD}, I had botox on {TREATED}, when can I get microneedling?"
    lines = [dated, f"{WORD} says: and when is the ideal time?", f"my {WORD} cheek is red after needling",
             f"{WORD} " * (MAX_MESSAGE_CHARS // 8)]
    for text in lines:
        requests.post(f"{bot.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
        phone.text(text)
    phone.text("STOP")  # opting out and back in is logged, by a digest
    phone.text("START")
    requests.post(f"{bot.rasa_url}/webhooks/rest/webhook", data=f'{{"sender": "{sender}", "message": "{WORD}',
                  headers={"Content-Type": "application/json"}, timeout=30)
    requests.post(f"{bot.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": [WORD]}, timeout=30)

    async def widget() -> None:
        async with RawSocketIO(bot.rasa_url) as socket:
            await socket.emit("session_request", {"session_id": session})
            await asyncio.wait_for(socket.next_event("session_confirm"), 30)
            for text in lines:
                await socket.emit("user_uttered", {"message": text, "session_id": session})
                await asyncio.wait_for(socket.next_event("bot_uttered"), 60)
            await socket.emit("user_uttered", {"message": {"text": WORD}, "session_id": session})

    asyncio.run(widget())


def _secrets(bot: BotServers, sender: str, session: str, phone: Phone) -> List[str]:
    treated = dt.date(dt.date.today().year, 2, 19)
    earliest = treated + dt.timedelta(days=14)
    digits = phone.number[2:]
    return [
        WORD, WORD.lower(), TREATED, "Feb 19", "2/19", "19/2", f"{treated:%m-%d}", f"{earliest:%Y-%m-%d}",
        f"{earliest:%B} {earliest.day}", phone.number, digits, f"{digits[:3]}-{digits[3:6]}-{digits[6:]}",
        sender, session, phone.sender_id, phone.sender_id[4:20], phone.sender_id[:16],
        hmac.new(bot.sms_sender_key.encode(), phone.number.encode(), hashlib.sha256).hexdigest()[:12],
    ]


def test_logs_carry_no_message_text_date_phone_or_sender_id(bot: BotServers) -> None:
    assert bot.log_path is not None
    sender, session, phone = f"patient-{uuid.uuid4().hex[:12]}", uuid.uuid4().hex, Phone(bot)
    _script(bot, sender, session, phone)
    # The conversation did happen (so the scan has something to miss).
    tracker = json.dumps(bot.tracker(sender))
    assert WORD in tracker and TREATED in tracker
    lines = bot.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    assert lines, "the servers wrote nothing at all"
    print(f"scanned {len(lines)} lines of the three servers' logs")
    leaks = [(secret, line) for line in lines for secret in _secrets(bot, sender, session, phone) if secret in line]
    assert not leaks, "\n".join(f"{secret!r} in: {line[:300]}" for secret, line in leaks[:20])
