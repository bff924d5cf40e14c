"""Driving the chat widget in headless Chromium: the page helpers the widget
tests share (the fixtures that start Chromium are in tests/e2e/conftest.py).

Chromium is Debian's (/usr/bin/chromium, `make browser`); Playwright never
downloads a browser here.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from clinic.answers import load_answers, render_response
from clinic.protocol import load_protocol

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

BOT_TIMEOUT_MS = 90_000  # the first answers of a freshly loaded model can be slow
SR_PREFIXES = ("Assistant: ", "You said: ")  # the screen-reader text that starts each bubble


@dataclass
class Browser:
    page: Page
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- what the bot says


def answer_text(name: str) -> str:
    """The web text of answer `name` in clinic/answers.yml, as the real bot sends it
    (filled from the protocol, with the disclaimer when the answer carries it)."""
    return render_response(load_answers(), name, None, load_protocol().template_values())["text"]


def answer_buttons(name: str) -> list[dict[str, str]]:
    """The web buttons of answer `name` in clinic/answers.yml."""
    return render_response(load_answers(), name, None, load_protocol().template_values()).get("buttons", [])


# --------------------------------------------------------------------------- the page


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


def wait_until_answered(page: Page, user_index: int, timeout: float = BOT_TIMEOUT_MS) -> None:
    """Wait until the server has handled the patient's message number `user_index`:
    the server acknowledges a message after its replies, and the widget marks it "sent"."""
    mine = page.locator(".cw-msg--user").nth(user_index)
    mine.locator('.cw-meta[data-status="sent"]').wait_for(state="attached", timeout=timeout)
    expect(page.locator(".cw-typing")).to_be_hidden()


def send(page: Page, text: str) -> None:
    """Type a message and press Enter, without waiting for the answer."""
    page.get_by_role("textbox", name="Your question").click()
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def ask(page: Page, text: str, timeout: float = BOT_TIMEOUT_MS) -> str:
    """Type a message, wait until the server has handled it; the bot's new text."""
    bot_messages = page.locator(".cw-msg--bot")
    before = bot_messages.count()
    users_before = page.locator(".cw-msg--user").count()
    send(page, text)
    expect(page.locator(".cw-msg--user").nth(users_before)).to_contain_text(text)
    wait_until_answered(page, users_before, timeout)
    count = bot_messages.count()
    assert count > before, f"no answer to {text!r}"
    return "\n".join(bot_messages.nth(i).inner_text() for i in range(before, count))


def bubble_text(message: Locator) -> str:
    """A message's text exactly as received (newlines kept), without the screen-reader prefix."""
    text = message.locator(".cw-bubble").text_content() or ""
    for prefix in SR_PREFIXES:
        if text.startswith(prefix):
            return text[len(prefix):]
    return text


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


def long_date(day: dt.date, today: dt.date | None = None) -> str:
    """The widget's wording: "Tuesday, November 17" (year added when not this year)."""
    today = today or dt.date.today()
    text = f"{day:%A}, {day:%B} {day.day}"
    return text if day.year == today.year else f"{text}, {day.year}"


# --------------------------------------------------------------------------- the calendar file


def download_calendar(page: Page) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.locator(".cw-plan").last.get_by_role("button", name="Add to calendar").click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


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
    """A valid calendar file with one all-day microneedling event on `day`; its properties."""
    props = parse_ics(raw)
    assert props[("VCALENDAR", "VERSION")] == "2.0"
    assert props[("VCALENDAR", "PRODID")]
    assert props[("VEVENT", "UID")]
    assert re.fullmatch(r"\d{8}T\d{6}Z", props[("VEVENT", "DTSTAMP")])
    assert props[("VEVENT", "DTSTART;VALUE=DATE")] == f"{day:%Y%m%d}"
    assert props[("VEVENT", "DTEND;VALUE=DATE")] == f"{day + dt.timedelta(days=1):%Y%m%d}"
    assert "microneedling" in props[("VEVENT", "SUMMARY")].lower()
    return props


# --------------------------------------------------------------------------- accessibility


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
