"""The widget while the Rasa server is stopped and started again.

This test starts a bot of its own with scripts/run_bot.py (Rasa 5405, actions
5455, no page) and the demo page on 8480 pointing at it, so it can stop and
restart Rasa without touching the session's shared bot. The ports are apart
from the shared bot's (5105/5155/8180) and from 5205-5299.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from scripts.processes import stop_processes, wait_until_up
from tests.conftest import STARTUP_TIMEOUT, BotServers
from tests.e2e.browser import (
    ARTIFACTS,
    BOT_TIMEOUT_MS,
    ROOT,
    Browser,
    answer_text,
    ask,
    bubble_text,
    open_page,
    open_widget,
)

OWN_RASA_PORT, OWN_ACTIONS_PORT, OWN_WEB_PORT = 5405, 5455, 8480
QUESTION = "what is microneedling?"

pytestmark = pytest.mark.e2e


class OwnBot:
    """A second bot (actions + Rasa, no page) on its own ports, to stop and start at will."""

    def __init__(self, state_dir: Path) -> None:
        self.log_path = state_dir / "own-bot.log"
        self.process: subprocess.Popen | None = None
        self.env = dict(
            os.environ,
            BOT_STATE_DIR=str(state_dir),
            WIDGET_ALLOWED_ORIGINS=f"http://localhost:{OWN_WEB_PORT} http://127.0.0.1:{OWN_WEB_PORT}",
        )
        self.env.pop("RASA_API_TOKEN", None)

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(ROOT / "scripts" / "run_bot.py"),
                 "--rasa-port", str(OWN_RASA_PORT), "--actions-port", str(OWN_ACTIONS_PORT), "--web-port", "0"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        try:
            wait_until_up(
                [f"http://localhost:{OWN_ACTIONS_PORT}/health", f"http://localhost:{OWN_RASA_PORT}/"],
                self.process, STARTUP_TIMEOUT,
            )
        except RuntimeError:
            sys.stderr.write(self.log_path.read_text(errors="replace")[-4000:])
            raise

    def stop(self) -> None:
        stop_processes([self.process], timeout=40.0)
        self.process = None


@pytest.fixture
def own_bot(bot: BotServers, tmp_path: Path) -> Iterator[OwnBot]:
    """A running bot of this test's own, and the demo page on OWN_WEB_PORT talking to it.
    (`bot` only makes sure a model exists and the shared servers are up first.)"""
    own = OwnBot(tmp_path)
    web = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "serve_web.py"), "--port", str(OWN_WEB_PORT),
         "--rasa-url", f"http://localhost:{OWN_RASA_PORT}"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        own.start()
        wait_until_up([f"http://localhost:{OWN_WEB_PORT}/"], web, 30)
        yield own
    finally:
        own.stop()
        stop_processes([web])


def test_message_typed_while_server_is_down_is_kept_and_delivered(own_bot: OwnBot, browser: Browser) -> None:
    page = browser.page
    open_page(page, f"http://localhost:{OWN_WEB_PORT}/")
    open_widget(page)
    ask(page, QUESTION)

    own_bot.stop()
    expect(page.locator(".cw-status")).to_have_attribute("data-state", "offline", timeout=30_000)
    expect(page.locator(".cw-offline")).to_be_visible()

    answers_before = page.locator(".cw-msg--bot").count()
    box = page.get_by_role("textbox", name="Your question")
    box.fill(QUESTION)
    box.press("Enter")
    mine = page.locator(".cw-msg--user").last
    expect(mine.locator(".cw-meta")).to_have_attribute("data-status", "queued")
    expect(mine.locator(".cw-meta")).to_contain_text("Not sent yet")
    page.wait_for_timeout(1500)
    expect(mine.locator(".cw-meta")).to_have_attribute("data-status", "queued")  # still kept
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-offline.png"))

    own_bot.start()
    expect(page.locator(".cw-status")).to_have_attribute("data-state", "online", timeout=60_000)
    mine.locator('.cw-meta[data-status="sent"]').wait_for(state="attached", timeout=BOT_TIMEOUT_MS)
    expect(page.locator(".cw-offline")).to_be_hidden()
    expect(page.locator(".cw-msg--bot")).to_have_count(answers_before + 1)
    assert bubble_text(page.locator(".cw-msg--bot").last) == answer_text("what_is_microneedling")
