"""Start and stop real bot processes for the restart and replica tests.

tests/conftest.py's `bot` fixture runs one bot for the whole session; these
tests need servers they can stop, restart and run side by side, on ports
5205-5299 so they never meet the main suite's (5105/5155/8180) or `make run`'s.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping

import requests
import websockets

ROOT = Path(__file__).resolve().parents[2]
API_TOKEN = "replica-test-token"
TWILIO_AUTH_TOKEN = "replica-test-twilio-token"
SMS_SENDER_KEY = "replica-test-sender-key"
# Both replicas sit behind one public URL, the one Twilio signs.
SMS_PUBLIC_URL = "https://bot.example-clinic.test/webhooks/sms/webhook"
STARTUP_TIMEOUT = 420.0


def base_env(state_dir: Path, extra: Mapping[str, str] | None = None) -> Dict[str, str]:
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("DB_", "REDIS_"))  # only what the test sets
    }
    env.update(
        PYTHONPATH=str(ROOT),
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        BOT_STATE_DIR=str(state_dir),
        RASA_API_TOKEN=API_TOKEN,
        TWILIO_AUTH_TOKEN=TWILIO_AUTH_TOKEN,
        SMS_SENDER_KEY=SMS_SENDER_KEY,
        SMS_PUBLIC_URL=SMS_PUBLIC_URL,
        WIDGET_ALLOWED_ORIGINS="*",
    )
    env.update(extra or {})
    return env


@dataclass
class Proc:
    name: str
    health_url: str
    process: subprocess.Popen
    log_path: Path

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]


@dataclass
class Cluster:
    """Processes started by one test; `stop_all` ends them (also on failure)."""

    log_dir: Path
    procs: List[Proc] = field(default_factory=list)

    def start(self, name: str, command: List[str], env: Mapping[str, str], health_url: str) -> Proc:
        log_path = self.log_dir / f"{name}-{len(self.procs)}.log"
        log = open(log_path, "wb")
        process = subprocess.Popen(
            command, cwd=ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        proc = Proc(name, health_url, process, log_path)
        self.procs.append(proc)
        return proc

    def start_bot(self, rasa_port: int, actions_port: int, env: Mapping[str, str]) -> Proc:
        """Rasa and actions through scripts/run_bot.py, the way `make run` starts them."""
        command = [
            sys.executable, str(ROOT / "scripts" / "run_bot.py"), "--rasa-port", str(rasa_port),
            "--actions-port", str(actions_port), "--web-port", "0",
        ]
        proc = self.start(f"bot-{rasa_port}", command, env, f"http://localhost:{rasa_port}/")
        self.wait_up(proc, extra_urls=[f"http://localhost:{actions_port}/health"])
        return proc

    def start_actions(self, port: int, env: Mapping[str, str]) -> Proc:
        command = [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]
        return self.start(f"actions-{port}", command, env, f"http://localhost:{port}/health")

    def start_rasa(self, port: int, actions_port: int, env: Mapping[str, str]) -> Proc:
        """One Rasa replica: the repository's endpoints.yml, actions on `actions_port`."""
        endpoints = self.log_dir / f"endpoints-{port}.yml"
        text = (ROOT / "endpoints.yml").read_text(encoding="utf-8")
        endpoints.write_text(text.replace("localhost:5055", f"localhost:{actions_port}"), encoding="utf-8")
        command = [
            sys.executable, "-m", "rasa", "run", "--model", str(ROOT / "models"), "--port", str(port),
            "--endpoints", str(endpoints), "--credentials", str(ROOT / "credentials.yml"),
            "--enable-api", "--auth-token", API_TOKEN, "--cors", "*",
        ]
        return self.start(f"rasa-{port}", command, env, f"http://localhost:{port}/")

    def wait_up(self, *procs: Proc, extra_urls: List[str] | None = None) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        pending = [(proc, proc.health_url) for proc in procs]
        pending += [(procs[0], url) for url in extra_urls or []]
        while pending:
            proc, url = pending[0]
            if proc.process.poll() is not None:
                raise RuntimeError(f"{proc.name} exited with {proc.process.returncode}:\n{proc.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{proc.name} not up after {STARTUP_TIMEOUT}s:\n{proc.log_tail()}")
            try:
                if requests.get(url, timeout=2).status_code < 500:
                    pending.pop(0)
                    continue
            except requests.RequestException:
                pass
            time.sleep(1)

    def stop(self, proc: Proc, timeout: float = 30.0) -> None:
        if proc.process.poll() is None:
            proc.process.send_signal(signal.SIGTERM if proc.name.startswith("bot") else signal.SIGINT)
            try:
                proc.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.process.pid, signal.SIGKILL)
                proc.process.wait()

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            self.stop(proc)


def rest(rasa_url: str, sender: str, text: str) -> List[Dict[str, Any]]:
    response = requests.post(
        f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=120
    )
    response.raise_for_status()
    return response.json()


def plan_of(messages: List[Dict[str, Any]]) -> Dict[str, Any]:
    plans = [m["custom"]["wait_plan"] for m in messages if "wait_plan" in (m.get("custom") or {})]
    assert len(plans) == 1, messages
    return plans[0]


class RawSocketIO:
    """A minimal socket.io client over the websocket transport (Engine.IO 4).

    python-socketio's AsyncClient needs aiohttp >= 3.10 for websockets and
    Rasa pins 3.9, so the few packets the widget uses are written by hand.
    """

    def __init__(self, url: str) -> None:
        self.url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"

    async def __aenter__(self) -> RawSocketIO:
        self.ws = await websockets.connect(self.url)
        assert (await self.ws.recv()).startswith("0")  # Engine.IO open
        await self.ws.send("40")  # socket.io connect, default namespace
        assert (await self.ws.recv()).startswith("40")
        return self

    async def __aexit__(self, *_: Any) -> None:
        await self.ws.close()

    async def emit(self, event: str, data: Any) -> None:
        await self.ws.send("42" + json.dumps([event, data]))

    async def next_event(self, name: str) -> Any:
        while True:
            packet = await self.ws.recv()
            if packet == "2":  # the server's ping
                await self.ws.send("3")
            elif packet.startswith("42"):
                event, *args = json.loads(packet[2:])
                if event == name:
                    return args[0] if args else None

    async def wait_plan(self, timeout: float = 60) -> Dict[str, Any]:
        """The next wait-plan card the widget would show."""
        while True:
            message = await asyncio.wait_for(self.next_event("bot_uttered"), timeout)
            if "wait_plan" in (message.get("custom") or {}):
                return message["custom"]["wait_plan"]
