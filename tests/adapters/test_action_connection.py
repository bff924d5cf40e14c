"""The Rasa server keeps its connections to the action server open between
turns (channels/rasa_speedups.py), and a restarted action server is still
reached on the next turn: a kept connection the server closed is never reused."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Iterator

import pytest
from rasa.utils.endpoints import EndpointConfig

import channels.rest  # noqa: F401  (applies the fixes, as the Rasa server does)
from channels import rasa_speedups
from scripts.processes import stop_processes, wait_until_up
from tests.conftest import ROOT, TEST_RASA_PORT

PORT = TEST_RASA_PORT + 50
HEALTH = f"http://127.0.0.1:{PORT}/health"


def start_action_server() -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "-p", str(PORT)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wait_until_up([HEALTH], process, timeout=60)
    return process


@pytest.fixture
def action_server() -> Iterator[subprocess.Popen]:
    process = start_action_server()
    yield process
    stop_processes([process])


def test_calls_share_a_connection_and_survive_a_restart(action_server: subprocess.Popen) -> None:
    endpoint = EndpointConfig(f"http://127.0.0.1:{PORT}")

    async def health() -> dict:
        return await endpoint.request("get", "/health")

    async def two_calls_keep_one_connection() -> bool:
        assert await health() == {"status": "ok"}
        session = endpoint.session().session
        assert await health() == {"status": "ok"}
        assert endpoint.session().session is session  # one session, kept open
        return len(session.connector._conns) == 1  # and one kept-alive connection

    async def turns() -> None:
        # In a full test run the first calls to a just-started server have come back
        # without a kept connection; keep-alive must then hold on a later pair.
        kept = False
        for _ in range(3):
            kept = await two_calls_keep_one_connection()
            if kept:
                break
        assert kept, "no kept-alive connection after three pairs of calls"
        session = endpoint.session().session

        stop_processes([action_server])
        restarted = start_action_server()
        try:
            assert await health() == {"status": "ok"}  # the closed connection is not reused
        finally:
            stop_processes([restarted])
        await rasa_speedups.close_sessions()
        assert session.closed

    asyncio.run(turns())
    assert rasa_speedups.CLIENT_KEEPALIVE_S < 5  # Sanic's own keep-alive timeout
