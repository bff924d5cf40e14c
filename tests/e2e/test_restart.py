"""Nothing lost on restart: a treatment date given before a restart is used after it.

The bot runs the way `make run` starts it (scripts/run_bot.py, the repository's
endpoints.yml): once with the embedded default (SQLite in BOT_STATE_DIR), once
with PostgreSQL chosen by the DB_* variables.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any, Dict

import pytest
import requests

from tests.e2e.cluster import API_TOKEN, Cluster, RawSocketIO, base_env, plan_of, rest

PORTS = {"sqlite": (5205, 5255), "postgresql": (5206, 5256)}
DATED = "I had botox on November 3, when can I get microneedling?"


def widget_turn(url: str, session_id: str, text: str) -> Dict[str, Any]:
    """One message from the chat widget (a returning browser keeps its session id)."""

    async def run() -> Dict[str, Any]:
        async with RawSocketIO(url) as widget:
            await widget.emit("session_request", {"session_id": session_id})
            assert await asyncio.wait_for(widget.next_event("session_confirm"), 30) == session_id
            await widget.emit("user_uttered", {"message": text, "session_id": session_id})
            return await widget.wait_plan()

    return asyncio.run(run())


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_restart_keeps_the_conversation(database: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    extra: Dict[str, str] = {}
    if database == "postgresql":
        extra = request.getfixturevalue("pg_database").env()
    env = base_env(tmp_path / "state", extra)
    rasa_port, actions_port = PORTS[database]
    url = f"http://localhost:{rasa_port}"
    sender = f"restart-{uuid.uuid4().hex[:10]}"
    cluster = Cluster(tmp_path)
    try:
        before = cluster.start_bot(rasa_port, actions_port, env)
        plan = plan_of(rest(url, sender, DATED))
        assert plan["previous_treatment"] == "botox" and plan["previous_date"][5:] == "11-03"
        widget_session = uuid.uuid4().hex
        assert widget_turn(url, widget_session, DATED) == plan
        cluster.stop(before)
        assert before.process.returncode is not None

        cluster.start_bot(rasa_port, actions_port, env)
        again = rest(url, sender, "and when is the ideal time?")
        assert plan_of(again) == plan, "the date was forgotten across the restart"
        # The widget reconnects to the restarted server and its session goes on.
        assert widget_turn(url, widget_session, "and when is the ideal time?") == plan
        tracker = requests.get(
            f"{url}/conversations/{sender}/tracker", params={"token": API_TOKEN}, timeout=30
        ).json()
        assert tracker["slots"]["previous_treatment"] == "botox"  # slots came back too
        users = [e["text"] for e in tracker["events"] if e["event"] == "user"]
        assert users == [DATED, "and when is the ideal time?"]
    finally:
        cluster.stop_all()
    if database == "sqlite":
        assert (tmp_path / "state" / "bot.db").is_file()
