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
    state_dir: Path | None = None  # BOT_STATE_DIR: the SQLite database (reminders read it)
    log_path: Path | None = None  # what the three servers wrote (stdout and stderr)

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
        REMINDER_POLL_SECONDS="1",
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
        state_dir=state_dir,
        log_path=state_dir / "bot.log",
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


# --- Shared PostgreSQL and Redis (issue 10: restart and replica tests) ---------------
# The development machines run PostgreSQL on 127.0.0.1:5432 (trust auth, database
# `test`) and Redis on 127.0.0.1:6379. Each test session gets its own database
# and its own Redis key prefix, removed at the end, so runs never see each other.
# Missing services fail the run when CI=true and skip the tests elsewhere.

TEST_PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1")
TEST_PG_PORT = int(os.environ.get("TEST_PG_PORT", "5432"))
TEST_PG_USER = os.environ.get("TEST_PG_USER", "postgres")
TEST_PG_LOGIN_DB = os.environ.get("TEST_PG_DB", "test")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _service_missing(what: str, error: Exception) -> None:
    reason = f"{what} is not reachable ({error.__class__.__name__}: {error})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI needs it for the restart and replica tests")
    pytest.skip(f"{reason}; start it to run this test")


@dataclass
class PgDatabase:
    host: str
    port: int
    user: str
    name: str

    def env(self, pool_size: int = 3, max_overflow: int = 2) -> Dict[str, str]:
        """The environment that points the bot at this database."""
        return {
            "DB_HOST": self.host, "DB_PORT": str(self.port), "DB_NAME": self.name,
            "DB_USER": self.user, "DB_POOL_SIZE": str(pool_size), "DB_MAX_OVERFLOW": str(max_overflow),
        }

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://{self.user}@{self.host}:{self.port}/{self.name}"


@pytest.fixture(scope="session")
def pg_database() -> Iterator[PgDatabase]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    import sqlalchemy as sa

    admin_url = f"postgresql+psycopg2://{TEST_PG_USER}@{TEST_PG_HOST}:{TEST_PG_PORT}/{TEST_PG_LOGIN_DB}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = f"clinic_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        _service_missing(f"PostgreSQL at {TEST_PG_HOST}:{TEST_PG_PORT}", error)
    try:
        yield PgDatabase(TEST_PG_HOST, TEST_PG_PORT, TEST_PG_USER, name)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class RedisPrefix:
    url: str
    prefix: str


@pytest.fixture(scope="session")
def redis_prefix() -> Iterator[RedisPrefix]:
    """The test Redis and a key prefix of this session's own; its keys are deleted afterwards."""
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        _service_missing(f"Redis at {TEST_REDIS_URL}", error)
    prefix = f"clinic-test-{uuid.uuid4().hex[:10]}:"
    try:
        yield RedisPrefix(TEST_REDIS_URL, prefix)
    finally:
        # Rasa's stock RedisLockStore (compared in tests/stores) ignores a
        # non-alphanumeric prefix and writes "lock:<conversation>" instead.
        for pattern in (prefix + "*", "lock:" + prefix + "*"):
            for key in client.scan_iter(match=pattern, count=500):
                client.delete(key)
        client.close()


# --- Stand-in Twilio (issue 12: reminders are sent through Twilio's Messages API) ---
TEST_TWILIO_PORT = int(os.environ.get("TEST_TWILIO_PORT", str(TEST_RASA_PORT + 10)))


@pytest.fixture(scope="session")
def twilio_standin() -> Iterator[Any]:
    """A local server standing in for Twilio (tests/twilio_standin.py)."""
    from tests.twilio_standin import serve

    yield from serve(TEST_TWILIO_PORT)
