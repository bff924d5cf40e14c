"""The website chat widget (web/) in headless Chromium, against the real bot.

The session's `bot` fixture (tests/conftest.py) runs Rasa, the action server
and the demo page (ports 5105, 5155, 8180). Every expected text is taken from
where the bot takes it: answers from clinic/answers.yml, dates from the core's
wait-plan computation, links from clinic/protocol.yml. Screenshots go to
tests/artifacts/. The page helpers are in tests/e2e/browser.py.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any, Dict
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Page, expect

from clinic.protocol import load_protocol
from clinic.wait_plan import clinic_today, compute_wait_plan
from tests.conftest import BotServers
from tests.e2e.browser import (
    ARTIFACTS,
    Browser,
    answer_buttons,
    answer_text,
    ask,
    bubble_text,
    check_all_day_ics,
    check_target_sizes,
    download_calendar,
    long_date,
    open_page,
    open_widget,
    open_widget_by_keyboard,
    run_axe,
    stored_state,
    wait_until_answered,
)

PROTOCOL = load_protocol()
DISCLAIMER = answer_text("disclaimer")
MICRONEEDLING_QUESTION = "what is microneedling?"
DAYS_AGO = 3
DATED_QUESTION = f"I had botox {DAYS_AGO} days ago, when can I get microneedling?"
FOLLOW_UP = "and when is the ideal time?"
CONSULT_QUESTION = "i want to book a consultation"
FOREIGN_LINK = "https://evil.example/x"
XSS = "<img src=x onerror=alert(1)>"

pytestmark = pytest.mark.e2e


def ask_for_a_plan(page: Page) -> Dict[str, Any]:
    """Ask the dated question in the open widget; the plan the core computes for it."""
    today = clinic_today(PROTOCOL)
    ask(page, DATED_QUESTION)
    previous = today - dt.timedelta(days=DAYS_AGO)
    return compute_wait_plan("botox", previous, today, PROTOCOL).to_payload()["wait_plan"]


def days_remaining_text(days: int) -> str:
    return {0: "0 days: you can book from now on", 1: "1 day"}.get(days, f"{days} days")


def opened(browser: Browser, bot: BotServers) -> Page:
    """The demo page with the widget open."""
    open_page(browser.page, bot.web_url)
    open_widget(browser.page)
    return browser.page


# --------------------------------------------------------------------------- opening and answers


def test_first_open_shows_the_notice_about_this_chat(bot: BotServers, browser: Browser) -> None:
    page = browser.page
    open_page(page, bot.web_url)
    open_widget_by_keyboard(page)
    notice = page.locator("#cw-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("not medical advice")
    expect(notice).to_contain_text("local storage")
    expect(notice).to_contain_text(PROTOCOL.phone)


def test_keyboard_only_patient_asks_closes_and_reopens(bot: BotServers, browser: Browser) -> None:
    page = browser.page
    open_page(page, bot.web_url)
    open_widget_by_keyboard(page)
    expect(page.locator(".cw-log")).to_have_attribute("role", "log")
    expect(page.locator(".cw-status")).to_have_attribute("data-state", "online", timeout=30_000)

    ask(page, MICRONEEDLING_QUESTION)
    assert bubble_text(page.locator(".cw-msg--bot").last) == answer_text("what_is_microneedling")
    # Focus stays where the patient left it when the answer arrives.
    expect(page.get_by_role("textbox", name="Your question")).to_be_focused()

    page.keyboard.press("Escape")
    expect(page.locator("#cw-panel")).to_be_hidden()
    expect(page.locator(".cw-launcher")).to_be_focused()
    page.keyboard.press("Enter")  # and back, still by keyboard
    expect(page.locator("#cw-panel")).to_be_visible()
    expect(page.locator(".cw-msg--bot").first).to_contain_text("collagen")


# --------------------------------------------------------------------------- the wait plan


def test_dated_question_shows_the_patients_plan_card(bot: BotServers, browser: Browser) -> None:
    page = opened(browser, bot)
    plan = ask_for_a_plan(page)
    previous = dt.date.fromisoformat(plan["previous_date"])
    earliest = dt.date.fromisoformat(plan["earliest_date"])
    start, end = (dt.date.fromisoformat(day) for day in plan["ideal_window"])

    card = page.locator(".cw-plan")
    expect(card).to_have_count(1)
    expect(card.locator("h3")).to_have_text("Your microneedling timing")
    expect(card.locator(".cw-plan-lead")).to_have_text(f"Microneedling after Botox on {long_date(previous)}")
    expect(card.locator("dd")).to_have_text(
        [long_date(earliest), f"{long_date(start)} to {long_date(end)}", days_remaining_text(plan["days_remaining"])]
    )
    # The widget keeps the plan exactly as the bot computed it.
    assert [m["plan"] for m in stored_state(page)["messages"] if m.get("plan")] == [plan]


def test_add_to_calendar_downloads_the_earliest_date(bot: BotServers, browser: Browser) -> None:
    page = opened(browser, bot)
    plan = ask_for_a_plan(page)
    earliest = dt.date.fromisoformat(plan["earliest_date"])

    filename, raw = download_calendar(page)
    assert filename == f"microneedling-earliest-{plan['earliest_date']}.ics"
    props = check_all_day_ics(raw, earliest)
    assert props[("VEVENT", "DTSTART;VALUE=DATE")] == f"{earliest:%Y%m%d}"
    assert props[("VEVENT", "DTEND;VALUE=DATE")] == f"{earliest + dt.timedelta(days=1):%Y%m%d}"
    assert props[("VEVENT", "URL")] == PROTOCOL.booking_url
    expect(page.locator(".cw-plan .cw-plan-note")).to_have_text("Calendar file downloaded.")


def test_plan_answer_and_its_disclaimer_share_one_bubble(bot: BotServers, browser: Browser) -> None:
    page = opened(browser, bot)
    ask_for_a_plan(page)
    answers = page.locator(".cw-msg--bot")
    expect(answers).to_have_count(3)  # the answer, the card, then the reminder offer (issue 12)
    expect(answers.nth(1).locator(".cw-plan")).to_have_count(1)
    text = bubble_text(answers.first)
    # The real bot appends the disclaimer after one newline (clinic/answers.py).
    assert text.endswith("\n" + DISCLAIMER), text


def test_reload_keeps_history_session_and_slots(bot: BotServers, browser: Browser) -> None:
    page = opened(browser, bot)
    plan = ask_for_a_plan(page)
    session_id = stored_state(page)["sessionId"]
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
    assert said == [DATED_QUESTION, FOLLOW_UP]
    assert tracker["slots"]["previous_treatment"] == "botox"
    assert tracker["slots"]["previous_date"] == plan["previous_date"]


# --------------------------------------------------------------------------- quick replies and links


def test_greeting_offers_the_greet_answers_quick_replies(bot: BotServers, browser: Browser) -> None:
    page = opened(browser, bot)
    ask(page, "hello")
    titles = [button["title"] for button in answer_buttons("greet")]
    expect(page.locator(".cw-msg--bot").last.locator(".cw-quick button")).to_have_text(titles)


def test_a_quick_reply_is_sent_as_its_title_and_answered(bot: BotServers, browser: Browser) -> None:
    page = opened(browser, bot)
    ask(page, "hello")
    first = answer_buttons("greet")[0]
    greeting = page.locator(".cw-msg--bot").last
    bot_before = page.locator(".cw-msg--bot").count()
    users_before = page.locator(".cw-msg--user").count()

    greeting.locator(".cw-quick button").first.click()
    mine = page.locator(".cw-msg--user").nth(users_before)
    assert bubble_text(mine) == first["title"]  # the title, not the payload
    wait_until_answered(page, users_before)
    assert bubble_text(page.locator(".cw-msg--bot").nth(bot_before)) == answer_text("what_is_botox")
    expect(greeting.locator(".cw-quick")).to_have_count(0)  # used up
    expect(page.get_by_role("textbox", name="Your question")).to_be_focused()


def test_the_booking_link_is_the_only_link_in_an_answer(bot: BotServers, browser: Browser) -> None:
    page = opened(browser, bot)
    ask(page, CONSULT_QUESTION)
    answer = page.locator(".cw-msg--bot").last
    expect(answer).to_contain_text(PROTOCOL.phone)
    links = answer.locator("a")
    expect(links).to_have_count(1)
    expect(links).to_have_attribute("href", PROTOCOL.booking_url)
    expect(links).to_have_attribute("rel", "noopener noreferrer")


def test_a_link_the_patient_types_is_shown_as_text(bot: BotServers, browser: Browser) -> None:
    page = opened(browser, bot)
    ask(page, f"is {FOREIGN_LINK} your site?")
    mine = page.locator(".cw-msg--user").last
    expect(mine).to_contain_text(FOREIGN_LINK)
    expect(mine.locator("a")).to_have_count(0)


def test_markup_is_shown_as_text(bot: BotServers, browser: Browser) -> None:
    page = opened(browser, bot)
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


# --------------------------------------------------------------------------- typing, About, Delete chat

WATCH_TYPING = """() => {
    const typing = document.querySelector('.cw-typing');
    window.__typingSeen = [];
    new MutationObserver(() => {
        if (!typing.hidden && getComputedStyle(typing).display !== 'none') {
            window.__typingSeen.push(typing.textContent);
        }
    }).observe(typing, {attributes: true, attributeFilter: ['hidden'], childList: true});
}"""


def test_typing_indicator_shows_while_the_bot_answers(bot: BotServers, browser: Browser) -> None:
    page = opened(browser, bot)
    expect(page.locator(".cw-status")).to_have_attribute("data-state", "online", timeout=30_000)
    # The real bot answers too fast to catch with polling: the page records it.
    page.evaluate(WATCH_TYPING)
    ask(page, MICRONEEDLING_QUESTION)
    seen = page.evaluate("() => window.__typingSeen")
    assert any("typing" in text for text in seen), seen
    expect(page.locator(".cw-typing")).to_be_hidden()


def test_about_shows_the_notice_again_after_sending_hid_it(bot: BotServers, browser: Browser) -> None:
    page = opened(browser, bot)
    notice = page.locator("#cw-notice")
    expect(notice).to_be_visible()
    ask(page, MICRONEEDLING_QUESTION)
    expect(notice).to_be_hidden()  # sending counts as having read it
    about = page.get_by_role("button", name="About this chat")
    about.click()
    expect(notice).to_be_visible()
    expect(about).to_have_attribute("aria-expanded", "true")


def server_user_messages(bot: BotServers, session_id: str) -> int:
    """The patient's messages the clinic's chat server keeps for this chat."""
    return sum(1 for event in bot.tracker(session_id)["events"] if event.get("event") == "user")


def test_delete_chat_starts_over_with_a_new_session(bot: BotServers, browser: Browser) -> None:
    page = opened(browser, bot)
    ask(page, DATED_QUESTION)
    first_session = stored_state(page)["sessionId"]
    assert server_user_messages(bot, first_session) == 1

    page.get_by_role("button", name="About this chat").click()
    page.get_by_role("button", name="Delete chat").click()
    expect(page.locator(".cw-msg")).to_have_count(0)
    assert stored_state(page)["messages"] == []
    expect(page.locator(".cw-status")).to_have_attribute("data-state", "online", timeout=30_000)
    # Deleted on the clinic's chat server too (issue 11), not only in this browser.
    deadline = time.monotonic() + 15
    while (stored_state(page) or {}).get("forget") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert (stored_state(page) or {}).get("forget") == []
    assert server_user_messages(bot, first_session) == 0

    ask(page, "what is botox?")
    assert stored_state(page)["sessionId"] != first_session
    expect(page.locator(".cw-msg")).to_have_count(2)
    assert bubble_text(page.locator(".cw-msg--bot").last) == answer_text("what_is_botox")


# --------------------------------------------------------------------------- origins


def socketio_poll(bot: BotServers, origin: str) -> requests.Response:
    url = f"{bot.rasa_url}/socket.io/?EIO=4&transport=polling"
    return requests.get(url, headers={"Origin": origin}, timeout=10)


def test_socketio_accepts_the_demo_pages_origin(bot: BotServers) -> None:
    parts = urlsplit(bot.web_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    response = socketio_poll(bot, origin)
    assert response.status_code == 200
    # One Access-Control-Allow-Origin header, not two (browsers reject two).
    assert response.raw.headers.getlist("Access-Control-Allow-Origin") == [origin]


def test_socketio_refuses_other_origins(bot: BotServers) -> None:
    assert socketio_poll(bot, "http://evil.example").status_code == 400


# --------------------------------------------------------------------------- accessibility


def test_no_serious_accessibility_violations(bot: BotServers, browser: Browser) -> None:
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


def test_usable_on_a_320_pixel_screen(bot: BotServers, browser: Browser) -> None:
    page = opened(browser, bot)
    ask(page, DATED_QUESTION)
    # The panel fits, nothing scrolls sideways, the text box, Send and Close are on screen.
    page.set_viewport_size({"width": 320, "height": 640})
    page.wait_for_timeout(200)
    panel = page.locator("#cw-panel").bounding_box()
    assert panel and panel["x"] >= 0 and panel["x"] + panel["width"] <= 320
    assert page.evaluate("() => document.querySelector('#cw-panel').scrollWidth <= 320")
    controls = [page.get_by_role("textbox", name="Your question")]
    controls += [page.get_by_role("button", name=name) for name in ("Send", "Close chat")]
    for control in controls:
        box = control.bounding_box()
        assert box and box["x"] + box["width"] <= 320 and box["y"] + box["height"] <= 640
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-320.png"))
