"""Scale-out: two Rasa replicas and one action server sharing PostgreSQL and Redis.

Every conversation's turns alternate between the replicas (as a load
balancer without sticky sessions would send them); the conversation must
continue as if one server answered, and the shared tracker store must hold
each event once, in order, turn by turn.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import json
import time
import uuid
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import requests
import sqlalchemy as sa
from twilio.request_validator import RequestValidator

from tests.conftest import PgDatabase, RedisPrefix
from tests.e2e.cluster import (
    SMS_PUBLIC_URL,
    SMS_SENDER_KEY,
    TWILIO_AUTH_TOKEN,
    Cluster,
    RawSocketIO,
    base_env,
    plan_of,
    rest,
)
from tests.twilio_standin import fresh_phone_number

RASA_PORTS = (5210, 5211)
ACTIONS_PORT = 5260
CONVERSATIONS = 50


class Replicas:
    def __init__(self, urls: Tuple[str, str], database: PgDatabase) -> None:
        self.urls = urls
        self.database = database
        self.engine = sa.create_engine(database.url, poolclass=sa.pool.NullPool)

    def connections(self) -> int:
        """Connections open to the test database, this query's own excluded."""
        with self.engine.connect() as connection:
            return connection.execute(
                sa.text("SELECT count(*) - 1 FROM pg_stat_activity WHERE datname = :d"),
                {"d": self.database.name},
            ).scalar_one()

    def events(self, sender: str) -> List[Dict[str, Any]]:
        """The tracker store's rows for `sender`, in id (storage) order."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT type_name, timestamp, data FROM events WHERE sender_id = :s ORDER BY id"),
                {"s": sender},
            ).fetchall()
        return [dict(json.loads(row.data), _type=row.type_name) for row in rows]


@pytest.fixture(scope="module")
def replicas(
    tmp_path_factory: pytest.TempPathFactory, pg_database: PgDatabase, redis_prefix: RedisPrefix
) -> Iterator[Replicas]:
    log_dir = tmp_path_factory.mktemp("replicas")
    env = base_env(
        log_dir / "state",
        {**pg_database.env(), "REDIS_URL": redis_prefix.url, "REDIS_KEY_PREFIX": redis_prefix.prefix},
    )
    cluster = Cluster(log_dir)
    try:
        actions = cluster.start_actions(ACTIONS_PORT, env)
        servers = [cluster.start_rasa(port, ACTIONS_PORT, env) for port in RASA_PORTS]
        cluster.wait_up(actions, *servers)
        urls = (f"http://localhost:{RASA_PORTS[0]}", f"http://localhost:{RASA_PORTS[1]}")
        for url in urls:
            rest(url, "warm-up", "hello")  # first turns load the models
        yield Replicas(urls, pg_database)
    finally:
        cluster.stop_all()


def assert_turns_complete_and_in_order(events: List[Dict[str, Any]], texts: List[str]) -> None:
    """Each user message once, in order, and each turn's actions before the next message."""
    keys = [(e["_type"], e.get("timestamp"), json.dumps(e, sort_keys=True)) for e in events]
    assert len(set(keys)) == len(keys), "an event was stored twice"
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps), "events stored out of order"
    users = [i for i, e in enumerate(events) if e["_type"] == "user"]
    assert [events[i]["text"] for i in users] == texts
    for start, end in zip(users, users[1:] + [len(events)], strict=True):
        turn = events[start + 1:end]
        assert turn and turn[-1]["_type"] == "action" and turn[-1]["name"] == "action_listen", turn
        assert "user" not in [e["_type"] for e in turn]


def test_replicas_fifty_conversations_alternating(replicas: Replicas) -> None:
    today = dt.date.today()

    def conversation(i: int) -> Tuple[str, dt.date, List[Dict[str, Any]], List[str]]:
        sender = f"replica-{i}-{uuid.uuid4().hex[:8]}"
        date = today - dt.timedelta(days=2 + i)  # each conversation its own past date
        texts = [
            f"I had botox on {date:%B} {date.day}, when can I get microneedling?",
            "and when is the ideal time?",
            "what is microneedling?",
        ]
        answers = [rest(replicas.urls[(i + turn) % 2], sender, text) for turn, text in enumerate(texts)]
        return sender, date, answers, texts

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(conversation, range(CONVERSATIONS)))
    elapsed = time.monotonic() - started
    connections = replicas.connections()
    print(f"\n{CONVERSATIONS} conversations x 3 turns over 2 replicas: {elapsed:.1f} s, "
          f"{3 * CONVERSATIONS / elapsed:.1f} turns/s; PostgreSQL connections open: {connections}")
    # Each replica's one shared pool: at most DB_POOL_SIZE + DB_MAX_OVERFLOW (3 + 2).
    assert connections <= 2 * 5

    for sender, date, answers, texts in results:
        plan = plan_of(answers[0])
        assert (plan["previous_treatment"], plan["next_treatment"]) == ("botox", "microneedling")
        assert plan["previous_date"][5:] == f"{date:%m-%d}", (sender, plan)
        assert plan_of(answers[1]) == plan, f"{sender}: the other replica lost the date"
        assert "collagen" in json.dumps(answers[2]).lower()
        assert_turns_complete_and_in_order(replicas.events(sender), texts)


def test_replicas_simultaneous_messages_of_one_conversation_take_turns(replicas: Replicas) -> None:
    """Two messages of one conversation at the same instant, one to each replica."""
    texts = ("what is botox?", "what is microneedling?")

    def send(job: Tuple[str, int]) -> List[Dict[str, Any]]:
        sender, replica = job
        return rest(replicas.urls[replica], sender, texts[replica])

    senders = [f"replica-simul-{i}-{uuid.uuid4().hex[:8]}" for i in range(10)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(send, [(s, r) for s in senders for r in (0, 1)]))
    assert all(answers)
    for sender in senders:
        events = replicas.events(sender)
        texts_in_order = [e["text"] for e in events if e["_type"] == "user"]
        assert sorted(texts_in_order) == sorted(texts)
        assert_turns_complete_and_in_order(events, texts_in_order)


class Phone:
    """A patient texting; each request signed for the one public URL, sent to a chosen replica."""

    def __init__(self) -> None:
        self.number = fresh_phone_number()
        self.sender_id = "sms-" + hmac.new(
            SMS_SENDER_KEY.encode(), self.number.encode(), hashlib.sha256
        ).hexdigest()

    def params(self, body: str, sid: str | None = None) -> Dict[str, str]:
        sid = sid or "SM" + uuid.uuid4().hex
        return {"MessageSid": sid, "SmsMessageSid": sid, "AccountSid": "AC" + "0" * 32,
                "From": self.number, "To": "+16045550134", "Body": body, "NumMedia": "0"}

    def post(self, rasa_url: str, params: Dict[str, str]) -> str | None:
        signature = RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(SMS_PUBLIC_URL, params)
        response = requests.post(
            f"{rasa_url}/webhooks/sms/webhook", data=params,
            headers={"X-Twilio-Signature": signature}, timeout=60,
        )
        assert response.status_code == 200, response.text
        messages = ET.fromstring(response.text).findall("Message")
        return messages[0].text if messages else None


def test_replicas_sms_stop_on_one_silences_the_other(replicas: Replicas) -> None:
    phone = Phone()
    a, b = replicas.urls
    assert phone.post(a, phone.params("What is Botox?"))
    confirmation = phone.post(a, phone.params("STOP"))
    assert confirmation and "START" in confirmation
    assert phone.post(b, phone.params("When can I get microneedling after botox?")) is None
    users = [e for e in replicas.events(phone.sender_id) if e["_type"] == "user"]
    assert len(users) == 1  # the question after STOP never reached Rasa
    assert phone.post(b, phone.params("START"))
    assert phone.post(a, phone.params("What is Botox?"))


def test_replicas_sms_retry_on_the_other_replica_gets_the_stored_reply(replicas: Replicas) -> None:
    phone = Phone()
    params = phone.params("What is microneedling?")
    first = phone.post(replicas.urls[0], params)
    retried = phone.post(replicas.urls[1], params)
    assert first and retried == first
    users = [e for e in replicas.events(phone.sender_id) if e["_type"] == "user"]
    assert [e.get("message_id") for e in users] == [params["MessageSid"]]


def test_replicas_socketio_answer_reaches_a_browser_on_the_other_replica(replicas: Replicas) -> None:
    """A widget connected to replica A gets the answer to a message replica B handled."""
    session_id = uuid.uuid4().hex

    async def run() -> Any:
        async with RawSocketIO(replicas.urls[0]) as on_a, RawSocketIO(replicas.urls[1]) as on_b:
            for client in (on_a, on_b):
                await client.emit("session_request", {"session_id": session_id})
                assert await asyncio.wait_for(client.next_event("session_confirm"), 30) == session_id
            await on_b.emit("user_uttered", {"message": "what is botox?", "session_id": session_id})
            return await asyncio.wait_for(on_a.next_event("bot_uttered"), 60)

    answer = asyncio.run(run())
    assert "not medical advice" in answer.get("text", "").lower(), answer


def test_replicas_sms_duplicate_delivered_to_both_at_once_is_answered_once(replicas: Replicas) -> None:
    phone = Phone()
    params = phone.params("What is Botox?")
    with ThreadPoolExecutor(max_workers=2) as pool:
        replies = list(pool.map(lambda url: phone.post(url, params), replicas.urls))
    assert replies[0] and replies[0] == replies[1]
    users = [e for e in replicas.events(phone.sender_id) if e["_type"] == "user"]
    assert [e.get("message_id") for e in users] == [params["MessageSid"]]
