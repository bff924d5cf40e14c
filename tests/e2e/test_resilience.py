"""A part of the bot down: the patient gets the clinic's phone number within
2 seconds on REST, socket.io and SMS, and the conversation goes on with its
slots once the part is back.

The Rasa server and the action server run as separate processes here (not
through scripts/run_bot.py, which stops the bot when a child dies), so the
action server can be stopped and started again. Conversations are in the real
PostgreSQL, reached through a TCP proxy the test cuts to make the database
briefly unreachable.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import time
import uuid
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import requests

from clinic.protocol import current_protocol
from tests.conftest import TEST_ACTIONS_PORT, TEST_RASA_PORT, PgDatabase
from tests.e2e.cluster import (
    API_TOKEN,
    SMS_SENDER_KEY,
    TWILIO_AUTH_TOKEN,
    Cluster,
    Proc,
    RawSocketIO,
    base_env,
    plan_of,
)
from tests.e2e.tcp_proxy import TcpProxy
from tests.e2e.test_sms import Phone

# Next to the main suite's ports (5105/5155 by default; TEST_*_PORT moves both).
RASA_PORT = TEST_RASA_PORT + 1
ACTIONS_PORT = TEST_ACTIONS_PORT + 1
PROXY_PORT = TEST_RASA_PORT + 2
BUDGET = 2.0
# A hung action server is only noticed by the clock: shortened here from 10 s.
REPLY_TIMEOUT = 5.0
DATED = "I had botox on November 3, when can I get microneedling?"
FOLLOW_UP = "and when is the ideal time?"
PHONE_NUMBER = current_protocol().phone
# What the outages' conversations must not leave in any server's log.
SECRETS: List[str] = ["November 3", "ideal time"]


@dataclass
class Servers:
    rasa_url: str
    sms_url: str
    twilio_auth_token: str
    sms_sender_key: str
    cluster: Cluster
    actions: Proc
    env: Dict[str, str]
    proxy: TcpProxy

    def rest(self, sender: str, text: str) -> Tuple[List[Dict[str, Any]], float]:
        start = time.monotonic()
        response = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
        )
        assert response.status_code == 200, response.text
        return response.json(), time.monotonic() - start

    def tracker(self, sender: str) -> Dict[str, Any]:
        response = requests.get(
            f"{self.rasa_url}/conversations/{sender}/tracker", params={"token": API_TOKEN}, timeout=30
        )
        response.raise_for_status()
        return response.json()

    def widget(self, session_id: str, text: str, plan: bool = False) -> Tuple[Dict[str, Any], float]:
        """One widget message: the first answer (or the plan card) and how long it took."""

        async def run() -> Tuple[Dict[str, Any], float]:
            async with RawSocketIO(self.rasa_url) as widget:
                await widget.emit("session_request", {"session_id": session_id})
                assert await asyncio.wait_for(widget.next_event("session_confirm"), 30) == session_id
                start = time.monotonic()
                await widget.emit("user_uttered", {"message": text, "session_id": session_id})
                if plan:
                    return await widget.wait_plan(), time.monotonic() - start
                message = await asyncio.wait_for(widget.next_event("bot_uttered"), 60)
                return message, time.monotonic() - start

        return asyncio.run(run())

    def sms(self, phone: Phone, text: str) -> Tuple[str, float]:
        start = time.monotonic()
        reply = phone.text(text)
        assert reply is not None
        return reply, time.monotonic() - start


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory, pg_database: PgDatabase) -> Iterator[Servers]:
    tmp = tmp_path_factory.mktemp("resilience")
    proxy = TcpProxy(PROXY_PORT, pg_database.host, pg_database.port)
    proxy.start()
    rasa_url = f"http://localhost:{RASA_PORT}"
    sms_url = f"{rasa_url}/webhooks/sms/webhook"
    env = base_env(tmp / "state", {**pg_database.env(), "DB_HOST": "127.0.0.1", "DB_PORT": str(PROXY_PORT),
                                   "SMS_PUBLIC_URL": sms_url, "BOT_REPLY_TIMEOUT": str(REPLY_TIMEOUT)})
    cluster = Cluster(tmp)
    try:
        actions = cluster.start_actions(ACTIONS_PORT, env)
        rasa = cluster.start_rasa(RASA_PORT, ACTIONS_PORT, env)
        cluster.wait_up(actions, rasa)
        servers = Servers(rasa_url, sms_url, TWILIO_AUTH_TOKEN, SMS_SENDER_KEY, cluster, actions, env, proxy)
        servers.rest("warm-up", "hello")  # the first turn loads what is loaded lazily
        yield servers
    finally:
        cluster.stop_all()
        proxy.close()


def _dated_conversations(servers: Servers) -> Tuple[str, str, Phone, Dict[str, Any]]:
    """One conversation per channel, each told the same treatment date."""
    sender, session = f"resil-{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
    plan = plan_of(servers.rest(sender, DATED)[0])
    assert servers.widget(session, DATED, plan=True)[0] == plan
    phone = Phone(servers)
    SECRETS.extend([sender, session, phone.number, phone.number[2:], phone.sender_id, phone.sender_id[:16]])
    assert _mentions_earliest(servers.sms(phone, DATED)[0], plan)
    return sender, session, phone, plan


def _mentions_earliest(text: str, plan: Dict[str, Any]) -> bool:
    day = dt.date.fromisoformat(plan["earliest_date"])
    return f"{day:%B} {day.day}" in text or f"{day:%b} {day.day}" in text


def _assert_apology(text: str, elapsed: float, channel: str, budget: float = BUDGET) -> None:
    print(f"{channel}: apology in {elapsed:.2f}s")
    assert PHONE_NUMBER in text and "Sorry" in text, f"{channel}: {text!r}"
    assert elapsed < budget, f"{channel}: the apology took {elapsed:.2f}s"


def _assert_goes_on(servers: Servers, sender: str, session: str, phone: Phone, plan: Dict[str, Any]) -> None:
    assert plan_of(servers.rest(sender, FOLLOW_UP)[0]) == plan, "REST: the treatment date was forgotten"
    assert servers.widget(session, FOLLOW_UP, plan=True)[0] == plan, "socket.io: the date was forgotten"
    assert _mentions_earliest(servers.sms(phone, FOLLOW_UP)[0], plan), "SMS: the date was forgotten"
    for conversation in (sender, session, phone.sender_id):
        assert servers.tracker(conversation)["slots"]["previous_treatment"] == "botox"


def test_action_server_down_gets_the_phone_number_then_the_conversation_goes_on(servers: Servers) -> None:
    sender, session, phone, plan = _dated_conversations(servers)
    servers.cluster.stop(servers.actions)
    try:
        messages, elapsed = servers.rest(sender, FOLLOW_UP)
        _assert_apology("\n".join(m.get("text", "") for m in messages), elapsed, "REST")
        message, elapsed = servers.widget(session, FOLLOW_UP)
        _assert_apology(message.get("text", ""), elapsed, "socket.io")
        _assert_apology(*servers.sms(phone, FOLLOW_UP), "SMS")
    finally:
        servers.actions = servers.cluster.start_actions(ACTIONS_PORT, servers.env)
        servers.cluster.wait_up(servers.actions)
    _assert_goes_on(servers, sender, session, phone, plan)


def test_a_hung_action_server_gets_the_phone_number_after_the_reply_timeout(servers: Servers) -> None:
    sender, session, phone, plan = _dated_conversations(servers)
    os.kill(servers.actions.process.pid, signal.SIGSTOP)  # accepts connections, never answers
    try:
        messages, elapsed = servers.rest(sender, FOLLOW_UP)
        _assert_apology("\n".join(m.get("text", "") for m in messages), elapsed, "REST", REPLY_TIMEOUT + 1)
        message, elapsed = servers.widget(session, FOLLOW_UP)
        _assert_apology(message.get("text", ""), elapsed, "socket.io", REPLY_TIMEOUT + 1)
        _assert_apology(*servers.sms(phone, FOLLOW_UP), "SMS", REPLY_TIMEOUT + 1)
    finally:
        os.kill(servers.actions.process.pid, signal.SIGCONT)
    _assert_goes_on(servers, sender, session, phone, plan)


def test_database_briefly_unreachable_gets_an_apology_and_loses_no_event(servers: Servers) -> None:
    sender, session, phone, plan = _dated_conversations(servers)
    before = {c: servers.tracker(c)["events"] for c in (sender, session, phone.sender_id)}
    servers.proxy.cut()
    try:
        messages, elapsed = servers.rest(sender, FOLLOW_UP)  # a 200, not a 500
        _assert_apology("\n".join(m.get("text", "") for m in messages), elapsed, "REST")
        message, elapsed = servers.widget(session, FOLLOW_UP)
        _assert_apology(message.get("text", ""), elapsed, "socket.io")
        _assert_apology(*servers.sms(phone, FOLLOW_UP), "SMS")
    finally:
        servers.proxy.restore()
    for conversation, events in before.items():
        after = servers.tracker(conversation)["events"]
        assert after[: len(events)] == events, f"{conversation}: events changed during the outage"
    _assert_goes_on(servers, sender, session, phone, plan)
    users = [e["text"] for e in servers.tracker(sender)["events"] if e["event"] == "user"]
    assert users == [DATED, FOLLOW_UP], "the turn answered with an apology left no trace, the next one is kept"


def test_the_outages_left_no_patient_data_in_the_logs(servers: Servers) -> None:
    assert len(SECRETS) > 2, "run with the outage tests above"
    for proc in servers.cluster.procs:
        for line in proc.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            assert not [s for s in SECRETS if s in line], f"{proc.name}: {line[:300]}"
