"""Shared fixtures. `bot` starts the real servers once per test session.

The servers run on their own ports (Rasa 5105, actions 5155, demo page 8180)
so a bot started with `make run` on the default ports is never disturbed.
They use the trained model in models/ (`make test` trains it first).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests

from scripts.processes import stop_processes, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
TEST_RASA_PORT = int(os.environ.get("TEST_RASA_PORT", "5105"))
TEST_ACTIONS_PORT = int(os.environ.get("TEST_ACTIONS_PORT", "5155"))
TEST_WEB_PORT = int(os.environ.get("TEST_WEB_PORT", "8180"))
TEST_API_TOKEN = "test-api-token"
TEST_TWILIO_AUTH_TOKEN = "test-twilio-auth-token"
TEST_SMS_SENDER_KEY = "test-sender-key"
STARTUP_TIMEOUT = 300


@dataclass
class BotServers:
    rasa_url: str
    actions_url: str
    web_url: str
    api_token: str
    sms_url: str
    twilio_auth_token: str
    sms_sender_key: str
    process: subprocess.Popen

    def rest(self, text: str, sender: str | None = None) -> List[Dict[str, Any]]:
        """Send one message through the REST channel; return the bot's messages."""
        response = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender or new_sender(), "message": text},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> Dict[str, Any]:
        response = requests.get(
            f"{self.rasa_url}/conversations/{sender}/tracker",
            params={"token": self.api_token},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def joined_text(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages if m.get("text"))


@pytest.fixture(scope="session")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotServers]:
    if not any((ROOT / "models").glob("*.tar.gz")):
        pytest.fail("no trained model in models/: run `make train` (make test does it)")
    state_dir = tmp_path_factory.mktemp("bot-state")
    rasa_url = f"http://localhost:{TEST_RASA_PORT}"
    sms_url = f"{rasa_url}/webhooks/sms/webhook"
    env = dict(
        os.environ,
        RASA_API_TOKEN=TEST_API_TOKEN,
        TWILIO_AUTH_TOKEN=TEST_TWILIO_AUTH_TOKEN,
        SMS_PUBLIC_URL=sms_url,
        SMS_SENDER_KEY=TEST_SMS_SENDER_KEY,
        BOT_STATE_DIR=str(state_dir),
        WIDGET_ALLOWED_ORIGINS=f"http://localhost:{TEST_WEB_PORT} http://127.0.0.1:{TEST_WEB_PORT}",
    )
    log = open(state_dir / "bot.log", "wb")
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "run_bot.py"),
         "--rasa-port", str(TEST_RASA_PORT), "--actions-port", str(TEST_ACTIONS_PORT),
         "--web-port", str(TEST_WEB_PORT)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    servers = BotServers(
        rasa_url=rasa_url,
        actions_url=f"http://localhost:{TEST_ACTIONS_PORT}",
        web_url=f"http://localhost:{TEST_WEB_PORT}",
        api_token=TEST_API_TOKEN,
        sms_url=sms_url,
        twilio_auth_token=TEST_TWILIO_AUTH_TOKEN,
        sms_sender_key=TEST_SMS_SENDER_KEY,
        process=process,
    )
    try:
        wait_until_up(
            [f"{servers.actions_url}/health", f"{rasa_url}/", servers.web_url], process, STARTUP_TIMEOUT
        )
        yield servers
    except RuntimeError:
        log.flush()
        sys.stderr.write((state_dir / "bot.log").read_text(errors="replace")[-5000:])
        raise
    finally:
        stop_processes([process])
        log.close()
