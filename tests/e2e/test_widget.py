"""The website chat widget (web/) in headless Chromium.

Against the real bot (the session's `bot` fixture, demo page on port 8180):
keyboard-only opening, an answer with the disclaimer, the wait-plan card and
its .ics file, XSS shown as text, history and slots after a reload, a message
typed while the Rasa server is down, an axe-core scan, and screenshots in
tests/artifacts/.

Against a stand-in Rasa server (tests/e2e/fake_rasa.py: Rasa's server and our
socket.io channel with scripted answers): the exact card and calendar file for
the contract's example plan, quick replies, links and the origin check, so the
rendering is tested even while the bot's own answers change.

Chromium is Debian's (/usr/bin/chromium, `make browser`); Playwright never
downloads a browser here.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, Playwright, expect, sync_playwright

from clinic.protocol import load_protocol
from tests.e2e.fake_rasa import WAIT_PLAN

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
AXE_JS = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
DIST = ROOT / "web" / "dist"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

DISCLAIMER = "not medical advice"
MICRONEEDLING_QUESTION = "what is microneedling?"
DATED_QUESTION = "I had botox on November 3, when can I get microneedling?"
FOLLOW_UP = "and when is the ideal time?"
XSS = "<img src=x onerror=alert(1)>"

BOT_TIMEOUT_MS = 90_000  # the first answers of a freshly loaded model can be slow
STARTUP_TIMEOUT = 300

pytestmark = pytest.mark.e2e


# --------------------------------------------------------------------------- browser


@dataclass
class Browser:
    page: Page
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: `make browser` installs Debian's chromium")
    if not (DIST / "widget.js").exists():
        pytest.fail("web/dist/widget.js not found: run `make web`")
    with sync_playwright() as instance:
        yield instance


@pytest.fixture
def browser(playwright: Playwright, tmp_path: Path) -> Iterator[Browser]:
    """A fresh Chromium profile (empty localStorage) for each test."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        headless=True,
        viewport={"width": 1280, "height": 800},
        accept_downloads=True,
    )
    page = context.pages[0] if context.pages else context.new_page()
    page.set_default_timeout(20_000)
    state = Browser(page)

    def on_dialog(dialog: Any) -> None:
        state.dialogs.append(dialog.message)
        dialog.dismiss()

    def on_request(request: Any) -> None:
        host = re.sub(r"^[a-z]+://([^/:]+).*$", r"\1", request.url)
        if request.url.startswith(("http", "ws")) and host not in ("localhost", "127.0.0.1"):
            state.foreign_requests.append(request.url)

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: state.errors.append(str(error)))
    page.on("request", on_request)
    try:
        yield state
    finally:
        context.close()
    assert not state.errors, f"JavaScript errors on the page: {state.errors}"
    assert not state.foreign_requests, f"requests to third parties: {state.foreign_requests}"


def stored_state(page: Page) -> dict[str, Any]:
    """The widget's localStorage entry (session id, transcript)."""
    return page.evaluate(
        """() => {
            for (const key of Object.keys(localStorage)) {
                if (key.startsWith('clinicChat:')) return JSON.parse(localStorage.getItem(key));
            }
            return null;
        }"""
    )


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator(".cw-launcher")).to_be_visible()


def open_widget_by_keyboard(page: Page) -> None:
    """Tab to the launcher and press Enter: no mouse."""
    launcher = page.locator(".cw-launcher")
    for _ in range(40):
        page.keyboard.press("Tab")
        if launcher.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the launcher button is not reachable with Tab")
    expect(launcher).to_have_accessible_name(re.compile("chat", re.I))
    expect(launcher).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(page.locator("#cw-panel")).to_be_visible()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("textbox", name="Your question")).to_be_focused()


def open_widget(page: Page) -> None:
    if not page.locator("#cw-panel").is_visible():
        page.locator(".cw-launcher").click()
    expect(page.locator("#cw-panel")).to_be_visible()


def ask(page: Page, text: str, timeout: float = BOT_TIMEOUT_MS) -> str:
    """Type a message, wait until the server has handled it; the bot's new text."""
    bot_messages = page.locator(".cw-msg--bot")
    before = bot_messages.count()
    users_before = page.locator(".cw-msg--user").count()
    box = page.get_by_role("textbox", name="Your question")
    box.click()
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    mine = page.locator(".cw-msg--user").nth(users_before)
    expect(mine).to_contain_text(text)
    # The server acknowledges a message after its replies: status "sent".
    mine.locator('.cw-meta[data-status="sent"]').wait_for(state="attached", timeout=timeout)
    expect(page.locator(".cw-typing")).to_be_hidden()
    count = bot_messages.count()
    assert count > before, f"no answer to {text!r}"
    return "\n".join(bot_messages.nth(i).inner_text() for i in range(before, count))


def long_date(day: dt.date, today: dt.date | None = None) -> str:
    """The widget's wording: "Tuesday, November 17" (year added when not this year)."""
    today = today or dt.date.today()
    text = f"{day:%A}, {day:%B} {day.day}"
    return text if day.year == today.year else f"{text}, {day.year}"


def parse_ics(raw: bytes) -> dict[tuple[str, str], str]:
    """A strict little iCalendar reader: CRLF, 75-octet folding, nesting, properties."""
    text = raw.decode("utf-8")
    assert text.endswith("\r\n"), "the file must end with CRLF"
    assert "\n" not in text.replace("\r\n", ""), "every line must end with CRLF"
    physical = text[:-2].split("\r\n")
    for line in physical:
        assert len(line.encode("utf-8")) <= 75, f"line longer than 75 octets: {line!r}"
    lines: list[str] = []
    for line in physical:
        if line.startswith((" ", "\t")):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    properties: dict[tuple[str, str], str] = {}
    stack: list[str] = []
    for line in lines:
        name, sep, value = line.partition(":")
        assert sep, f"not a content line: {line!r}"
        if name == "BEGIN":
            stack.append(value)
        elif name == "END":
            assert stack and stack.pop() == value, f"unbalanced END:{value}"
        else:
            assert stack, f"property outside a component: {line!r}"
            properties[(stack[-1], name)] = value
    assert not stack
    return properties


def check_all_day_ics(raw: bytes, day: dt.date) -> dict[tuple[str, str], str]:
    props = parse_ics(raw)
    assert props[("VCALENDAR", "VERSION")] == "2.0"
    assert props[("VCALENDAR", "PRODID")]
    assert props[("VEVENT", "UID")]
    assert re.fullmatch(r"\d{8}T\d{6}Z", props[("VEVENT", "DTSTAMP")])
    assert props[("VEVENT", "DTSTART;VALUE=DATE")] == f"{day:%Y%m%d}"
    assert props[("VEVENT", "DTEND;VALUE=DATE")] == f"{day + dt.timedelta(days=1):%Y%m%d}"
    assert "microneedling" in props[("VEVENT", "SUMMARY")].lower()
    return props


def download_calendar(page: Page) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.locator(".cw-plan").last.get_by_role("button", name="Add to calendar").click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def run_axe(page: Page) -> list[dict[str, Any]]:
    """axe-core from web/node_modules, injected into the page; serious and critical violations."""
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
            resultTypes: ['violations'],
        })"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def check_target_sizes(page: Page) -> None:
    """Buttons and the text box are at least 24x24 CSS pixels (links inside sentences are exempt)."""
    small = page.evaluate(
        """() => [...document.querySelectorAll('.cw-root button, .cw-root input, .cw-root a.cw-btn')]
            .filter(el => el.offsetParent !== null)
            .map(el => ({text: (el.textContent || el.getAttribute('aria-label') || '').trim(),
                         w: el.getBoundingClientRect().width, h: el.getBoundingClientRect().height}))
            .filter(box => box.w < 24 || box.h < 24)"""
    )
    assert not small, f"targets smaller than 24x24: {small}"


# --------------------------------------------------------------------------- against the real bot


def test_keyboard_open_answer_with_disclaimer_and_escape(bot: Any, browser: Browser) -> None:
    page = browser.page
    open_page(page, bot.web_url)
    open_widget_by_keyboard(page)

    notice = page.locator("#cw-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("not medical advice")
    expect(notice).to_contain_text("local storage")
    expect(notice).to_contain_text(load_protocol().phone)
    expect(page.locator(".cw-log")).to_have_attribute("role", "log")
    expect(page.locator(".cw-status")).to_have_attribute("data-state", "online", timeout=30_000)

    answer = ask(page, MICRONEEDLING_QUESTION)
    assert DISCLAIMER in answer.lower(), answer
    assert "collagen" in answer.lower(), answer
    # Focus stays where the patient left it when the answer arrives.
    expect(page.get_by_role("textbox", name="Your question")).to_be_focused()

    page.keyboard.press("Escape")
    expect(page.locator("#cw-panel")).to_be_hidden()
    expect(page.locator(".cw-launcher")).to_be_focused()
    page.keyboard.press("Enter")  # and back, still by keyboard
    expect(page.locator("#cw-panel")).to_be_visible()
    expect(page.locator(".cw-msg--bot").first).to_contain_text("collagen")


def test_dated_question_shows_card_and_downloads_ics(bot: Any, browser: Browser) -> None:
    page = browser.page
    open_page(page, bot.web_url)
    open_widget(page)
    answer = ask(page, DATED_QUESTION)
    assert DISCLAIMER in answer.lower(), answer

    card = page.locator(".cw-plan").last
    expect(card).to_be_visible()
    plans = [m["plan"] for m in stored_state(page)["messages"] if m.get("plan")]
    assert plans, "no wait_plan payload reached the widget"
    plan = plans[-1]
    assert plan["previous_treatment"] == "botox" and plan["next_treatment"] == "microneedling"
    previous = dt.date.fromisoformat(plan["previous_date"])
    assert (previous.month, previous.day) == (11, 3)
    earliest = dt.date.fromisoformat(plan["earliest_date"])
    interval = load_protocol().interval("botox", "microneedling")
    assert earliest == previous + dt.timedelta(days=interval.min_days)

    expect(card).to_contain_text(long_date(earliest))
    expect(card).to_contain_text("Ideal window")
    ideal_end = dt.date.fromisoformat(plan["ideal_window"][1])
    expect(card).to_contain_text(long_date(ideal_end))
    expect(card).to_contain_text("Days remaining")

    filename, raw = download_calendar(page)
    assert filename.endswith(".ics")
    check_all_day_ics(raw, earliest)
    expect(card.locator(".cw-plan-note")).to_have_text("Calendar file downloaded.")


def test_markup_is_shown_as_text(bot: Any, browser: Browser) -> None:
    page = browser.page
    open_page(page, bot.web_url)
    open_widget(page)
    ask(page, XSS)
    expect(page.locator(".cw-msg--user .cw-bubble").last).to_contain_text(XSS)
    page.wait_for_timeout(500)  # time for an onerror handler to fire, were there one
    assert page.locator("img").count() == 0
    assert page.evaluate("() => document.querySelectorAll('[onerror]').length") == 0
    assert browser.dialogs == []
    # The transcript keeps it as text too, and a reload shows it as text again.
    page.reload()
    open_widget(page)
    expect(page.locator(".cw-msg--user .cw-bubble").last).to_contain_text(XSS)
    assert page.locator("img").count() == 0
    assert browser.dialogs == []


def test_reload_keeps_history_session_and_slots(bot: Any, browser: Browser) -> None:
    page = browser.page
    open_page(page, bot.web_url)
    open_widget(page)
    ask(page, DATED_QUESTION)
    before = stored_state(page)
    session_id = before["sessionId"]
    shown = page.locator(".cw-msg").count()

    page.reload()
    expect(page.locator("#cw-panel")).to_be_visible()  # it was open: it opens again
    expect(page.locator(".cw-msg")).to_have_count(shown)
    expect(page.locator(".cw-msg--user").first).to_contain_text(DATED_QUESTION)
    expect(page.locator(".cw-status")).to_have_attribute("data-state", "online", timeout=30_000)

    ask(page, FOLLOW_UP)
    assert stored_state(page)["sessionId"] == session_id

    tracker = bot.tracker(session_id)
    said = [event.get("text") for event in tracker["events"] if event.get("event") == "user"]
    assert DATED_QUESTION in said and FOLLOW_UP in said, said
    slots = tracker["slots"]
    assert slots.get("previous_treatment") == "botox", slots
    assert str(slots.get("previous_date") or "").endswith("-11-03"), slots


def test_accessibility_scan_and_screenshots(bot: Any, browser: Browser) -> None:
    page = browser.page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    open_page(page, bot.web_url)
    open_widget_by_keyboard(page)
    expect(page.locator("#cw-notice")).to_be_visible()
    assert run_axe(page) == []  # first open: the notice
    check_target_sizes(page)

    ask(page, MICRONEEDLING_QUESTION)
    ask(page, DATED_QUESTION)
    assert run_axe(page) == []  # answers and the wait-plan card
    check_target_sizes(page)
    page.screenshot(path=str(ARTIFACTS / "widget-desktop.png"))

    page.set_viewport_size({"width": 360, "height": 740})
    page.wait_for_timeout(200)
    assert run_axe(page) == []
    check_target_sizes(page)
    page.screenshot(path=str(ARTIFACTS / "widget-360.png"))

    # Usable at 320 px: the panel fits, nothing scrolls sideways, input and Send are on screen.
    page.set_viewport_size({"width": 320, "height": 640})
    page.wait_for_timeout(200)
    panel = page.locator("#cw-panel").bounding_box()
    assert panel and panel["x"] >= 0 and panel["x"] + panel["width"] <= 320
    assert page.evaluate("() => document.querySelector('#cw-panel').scrollWidth <= 320")
    for name in ("Send", "Close chat"):
        box = page.get_by_role("button", name=name).bounding_box()
        assert box and box["x"] + box["width"] <= 320 and box["y"] + box["height"] <= 640
    page.screenshot(path=str(ARTIFACTS / "widget-320.png"))


# ----------------------------------------------------------- Rasa server stopped and restarted

OWN_RASA_PORT, OWN_ACTIONS_PORT, OWN_WEB_PORT = 5205, 5255, 8280


def _wait_for(url: str, process: subprocess.Popen, timeout: float = STARTUP_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} exited with {process.returncode}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} not up after {timeout}s") from None
            time.sleep(1)


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(40)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class OwnBot:
    """A second bot (actions + Rasa, no page) on its own ports, to stop and start at will."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.process: subprocess.Popen | None = None
        self.env = dict(
            os.environ,
            BOT_STATE_DIR=str(state_dir),
            WIDGET_ALLOWED_ORIGINS=f"http://localhost:{OWN_WEB_PORT} http://127.0.0.1:{OWN_WEB_PORT}",
        )
        self.env.pop("RASA_API_TOKEN", None)

    def start(self) -> None:
        log = open(self.state_dir / "own-bot.log", "ab")  # noqa: SIM115 (kept open for the child)
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "run_bot.py"),
             "--rasa-port", str(OWN_RASA_PORT), "--actions-port", str(OWN_ACTIONS_PORT), "--web-port", "0"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        try:
            _wait_for(f"http://localhost:{OWN_ACTIONS_PORT}/health", self.process)
            _wait_for(f"http://localhost:{OWN_RASA_PORT}/", self.process)
        except RuntimeError:
            sys.stderr.write((self.state_dir / "own-bot.log").read_text(errors="replace")[-4000:])
            raise

    def stop(self) -> None:
        _stop(self.process)
        self.process = None


def test_message_typed_while_server_is_down_is_kept_and_delivered(
    bot: Any, browser: Browser, tmp_path: Path
) -> None:
    # `bot` only makes sure a model exists and the shared servers are up first.
    own = OwnBot(tmp_path)
    web = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "serve_web.py"), "--port", str(OWN_WEB_PORT),
         "--rasa-url", f"http://localhost:{OWN_RASA_PORT}"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        own.start()
        _wait_for(f"http://localhost:{OWN_WEB_PORT}/", web)
        page = browser.page
        open_page(page, f"http://localhost:{OWN_WEB_PORT}/")
        open_widget(page)
        assert DISCLAIMER in ask(page, MICRONEEDLING_QUESTION).lower()

        own.stop()
        expect(page.locator(".cw-status")).to_have_attribute("data-state", "offline", timeout=30_000)
        expect(page.locator(".cw-offline")).to_be_visible()

        answers_before = page.locator(".cw-msg--bot").count()
        box = page.get_by_role("textbox", name="Your question")
        box.fill(MICRONEEDLING_QUESTION)
        box.press("Enter")
        mine = page.locator(".cw-msg--user").last
        expect(mine.locator(".cw-meta")).to_have_attribute("data-status", "queued")
        expect(mine.locator(".cw-meta")).to_contain_text("Not sent yet")
        page.wait_for_timeout(1500)
        expect(mine.locator(".cw-meta")).to_have_attribute("data-status", "queued")  # still kept
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "widget-offline.png"))

        own.start()
        expect(page.locator(".cw-status")).to_have_attribute("data-state", "online", timeout=60_000)
        mine.locator('.cw-meta[data-status="sent"]').wait_for(state="attached", timeout=BOT_TIMEOUT_MS)
        expect(page.locator(".cw-offline")).to_be_hidden()
        assert page.locator(".cw-msg--bot").count() > answers_before
        expect(page.locator(".cw-msg--bot").last).to_contain_text(DISCLAIMER)
    finally:
        own.stop()
        _stop(web)


# --------------------------------------------------------------------------- stand-in Rasa server

FAKE_RASA_PORT, FAKE_WEB_PORT = 5305, 8380
# The example payload, as the stand-in server sends it.
CONTRACT_PLAN = WAIT_PLAN


@pytest.fixture(scope="module")
def fake_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """fake_rasa.py (our channel, scripted answers) + the demo page; yields the page URL."""
    log_path = tmp_path_factory.mktemp("fake-bot") / "fake.log"
    origins = f"http://localhost:{FAKE_WEB_PORT} http://127.0.0.1:{FAKE_WEB_PORT}"
    env = dict(os.environ, PYTHONPATH=str(ROOT), WIDGET_ALLOWED_ORIGINS=origins)
    with open(log_path, "wb") as log:
        rasa = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "e2e" / "fake_rasa.py"), "--port", str(FAKE_RASA_PORT),
             "--cors", origins],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        web = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "serve_web.py"), "--port", str(FAKE_WEB_PORT),
             "--rasa-url", f"http://localhost:{FAKE_RASA_PORT}"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        try:
            _wait_for(f"http://localhost:{FAKE_RASA_PORT}/", rasa, timeout=120)
            _wait_for(f"http://localhost:{FAKE_WEB_PORT}/", web, timeout=30)
        except RuntimeError:
            sys.stderr.write(log_path.read_text(errors="replace")[-4000:])
            raise
        yield f"http://localhost:{FAKE_WEB_PORT}/"
    finally:
        _stop(web)
        _stop(rasa)


def test_contract_plan_card_and_calendar_file(fake_bot: str, browser: Browser) -> None:
    page = browser.page
    open_page(page, fake_bot)
    open_widget(page)
    ask(page, DATED_QUESTION, timeout=20_000)
    card = page.locator(".cw-plan")
    expect(card).to_have_count(1)
    today = dt.date.today()
    earliest, end = dt.date(2026, 11, 17), dt.date(2026, 12, 1)
    expect(card).to_contain_text(f"Microneedling after Botox on {long_date(dt.date(2026, 11, 3), today)}")
    expect(card.locator("dd").nth(0)).to_have_text(long_date(earliest, today))
    expect(card.locator("dd").nth(1)).to_have_text(f"{long_date(earliest, today)} to {long_date(end, today)}")
    expect(card.locator("dd").nth(2)).to_contain_text("0 days")
    assert [m["plan"] for m in stored_state(page)["messages"] if m.get("plan")] == [CONTRACT_PLAN]

    filename, raw = download_calendar(page)
    assert filename == "microneedling-earliest-2026-11-17.ics"
    props = check_all_day_ics(raw, earliest)
    assert props[("VEVENT", "DTSTART;VALUE=DATE")] == "20261117"
    assert props[("VEVENT", "DTEND;VALUE=DATE")] == "20261118"
    assert props[("VEVENT", "URL")] == load_protocol().booking_url

    # The answer text and the disclaimer arrive as one message, blank line kept.
    text = page.locator(".cw-msg--bot .cw-bubble").first.text_content() or ""
    assert "\n\nThis is general information, not medical advice." in text


def test_quick_replies_and_only_the_booking_link(fake_bot: str, browser: Browser) -> None:
    page = browser.page
    open_page(page, fake_bot)
    open_widget(page)
    ask(page, "hello", timeout=20_000)
    chips = page.locator(".cw-quick button")
    expect(chips).to_have_text(["What is Botox?", "What is microneedling?"])
    chips.first.click()
    expect(page.locator(".cw-msg--user").last).to_contain_text("What is Botox?")
    expect(page.locator(".cw-msg--user").last).not_to_contain_text("/what_is_botox")
    expect(page.locator(".cw-msg--bot").last).to_contain_text("relaxes the muscles")
    expect(page.locator(".cw-quick")).to_have_count(0)  # used up
    expect(page.get_by_role("textbox", name="Your question")).to_be_focused()

    ask(page, "links", timeout=20_000)
    links = page.locator(".cw-msg--bot").last.locator("a")
    booking = load_protocol().booking_url
    expect(links).to_have_count(1)
    expect(links.first).to_have_attribute("href", booking)
    expect(links.first).to_have_attribute("rel", "noopener noreferrer")
    expect(page.locator(".cw-msg--bot").last).to_contain_text("https://evil.example/x")


def test_typing_indicator_about_and_forgetting(fake_bot: str, browser: Browser) -> None:
    page = browser.page
    open_page(page, fake_bot)
    open_widget(page)
    expect(page.locator("#cw-notice")).to_be_visible()
    box = page.get_by_role("textbox", name="Your question")
    box.fill("slow question")
    box.press("Enter")
    expect(page.locator(".cw-typing")).to_be_visible()
    expect(page.locator(".cw-typing")).to_contain_text("typing")
    expect(page.locator(".cw-msg--bot").last).to_contain_text("You said: slow question")
    expect(page.locator(".cw-typing")).to_be_hidden()
    expect(page.locator("#cw-notice")).to_be_hidden()  # sending counts as having read it
    expect(box).to_be_focused()

    first_session = stored_state(page)["sessionId"]
    page.get_by_role("button", name="About this chat").click()
    expect(page.locator("#cw-notice")).to_be_visible()
    page.get_by_role("button", name="Delete chat from this device").click()
    expect(page.locator(".cw-msg")).to_have_count(0)
    expect(page.locator(".cw-status")).to_have_attribute("data-state", "online")
    ask(page, "hello again", timeout=20_000)
    assert stored_state(page)["sessionId"] != first_session
    expect(page.locator(".cw-msg")).to_have_count(2)


def test_socketio_accepts_only_allowed_origins(fake_bot: str) -> None:
    url = f"http://localhost:{FAKE_RASA_PORT}/socket.io/?EIO=4&transport=polling"
    allowed = requests.get(url, headers={"Origin": f"http://localhost:{FAKE_WEB_PORT}"}, timeout=10)
    assert allowed.status_code == 200
    # One Access-Control-Allow-Origin header, not two (browsers reject two).
    assert allowed.raw.headers.getlist("Access-Control-Allow-Origin") == [f"http://localhost:{FAKE_WEB_PORT}"]
    refused = requests.get(url, headers={"Origin": "http://evil.example"}, timeout=10)
    assert refused.status_code == 400


# --------------------------------------------------------------------------- serve_web.py


def _load_serve_web() -> Any:
    spec = importlib.util.spec_from_file_location("serve_web", ROOT / "scripts" / "serve_web.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader
    spec.loader.exec_module(module)
    return module


def _serve(directory: Path, rasa_url: str) -> tuple[str, Any]:
    import http.server

    serve_web = _load_serve_web()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), serve_web.build_handler(rasa_url, directory))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


def test_serve_web_fills_in_the_page_and_says_when_not_built(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    url, server = _serve(empty, "http://localhost:5999")
    try:
        response = requests.get(url, timeout=5)
        assert response.status_code == 503 and "make web" in response.text
    finally:
        server.shutdown()
        server.server_close()

    built = tmp_path / "dist"
    built.mkdir()
    (built / "widget.js").write_text("/* widget */")
    (built / "widget.css").write_text("/* css */")
    (built / "index.html").write_text(
        '<script src="widget.js" data-server="%RASA_URL%" data-clinic-name="%CLINIC_NAME%" '
        'data-booking-url="%BOOKING_URL%"></script>'
    )
    url, server = _serve(built, "http://localhost:5999")
    try:
        page = requests.get(url, timeout=5)
        protocol = load_protocol()
        assert 'data-server="http://localhost:5999"' in page.text
        assert f'data-booking-url="{protocol.booking_url}"' in page.text
        assert "%" not in page.text
        csp = page.headers["Content-Security-Policy"]
        assert "connect-src 'self' http://localhost:5999 ws://localhost:5999" in csp
        assert "script-src 'self'" in csp
        assert requests.get(f"{url}/widget.js", timeout=5).text == "/* widget */"
    finally:
        server.shutdown()
        server.server_close()


def test_serve_web_stops_on_sigint() -> None:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "serve_web.py"), "--port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        assert "Demo page" in (process.stdout.readline() if process.stdout else "")
        process.send_signal(signal.SIGINT)
        assert process.wait(10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
