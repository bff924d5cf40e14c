"""The SMS webhook handler (channels/sms.py) with a stubbed Rasa callback.

`SmsInput.handle` is the whole webhook minus Sanic's request object, so it
is exercised here with real form bodies and real Twilio signatures; the
e2e tests (tests/e2e/test_sms.py) cover the same against the running bot.
"""

from __future__ import annotations

import asyncio
import logging
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Dict, List
from urllib.parse import urlencode

import pytest
from rasa.core.channels.channel import UserMessage
from twilio.request_validator import RequestValidator

from channels.gsm import SMS_MAX_CHARS, gsm_length, is_gsm7
from channels.sms import SmsInput, WebhookResult
from channels.sms_format import sender_id
from clinic.protocol import current_protocol
from tests.unit.stored import store_conversation

TOKEN = "unit-test-auth-token"
KEY = "unit-test-sender-key"
URL = "https://bot.example.ca/webhooks/sms/webhook"
NUMBER = "+16045550100"
FORM = "application/x-www-form-urlencoded"
DISCLAIMER = "General info, not medical advice."


class FakeBot:
    """Stands in for Rasa's agent: answers through the message's output channel."""

    def __init__(self, delay: float = 0.0) -> None:
        self.received: List[UserMessage] = []
        self.delay = delay

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        out = message.output_channel
        text = message.text or ""
        if text == "boom":
            raise RuntimeError("the bot broke")
        if text == "/what_is_botox":
            await out.send_response(message.sender_id, {"text": "Botox relaxes muscles. " + DISCLAIMER})
        elif text.startswith("asdf"):
            await out.send_response(
                message.sender_id,
                {
                    "text": "Sorry, I didn\u2019t get that. Try one of these:",
                    "buttons": [
                        {"title": "What is Botox?", "payload": "/what_is_botox"},
                        {"title": "Aftercare", "payload": "/aftercare"},
                    ],
                },
            )
        elif text == "long":
            body = " ".join(f"Sentence {i} makes this answer far too long for a text." for i in range(12))
            await out.send_response(message.sender_id, {"text": body + " " + DISCLAIMER})
        else:
            await out.send_response(message.sender_id, {"text": f"You said: {text}"})
            await out.send_response(message.sender_id, {"custom": {"wait_plan": {"x": 1}}})


def make_channel(tmp_path: Path, new_number: bool = False, **overrides: Any) -> SmsInput:  # NUMBER known unless new
    settings: Dict[str, Any] = dict(
        auth_token=TOKEN, public_url=URL, sender_key=KEY, state_dir=tmp_path, reply_timeout=2.0
    )
    settings.update(overrides)
    channel = SmsInput(**settings)
    if channel.store is not None and not new_number:
        store_conversation(channel.store.engine, sender_id(KEY, NUMBER))
    return channel


_sid_counter = iter(range(1, 10**6))


def form(body: str, number: str = NUMBER, sid: str | None = None, **extra: str) -> Dict[str, str]:
    params = {
        "MessageSid": sid or f"SM{next(_sid_counter):032d}",
        "AccountSid": "AC" + "0" * 32,
        "From": number,
        "To": "+16045559999",
        "Body": body,
        "NumMedia": "0",
        "FromCity": "",  # Twilio sends blank fields and signs them
    }
    params.update(extra)
    return params


async def post(
    channel: SmsInput,
    bot: FakeBot,
    params: Dict[str, str],
    signature: str | None = "sign",
    content_type: str = FORM,
    url: str = URL,
) -> WebhookResult:
    if signature == "sign":
        signature = RequestValidator(TOKEN).compute_signature(url, params)
    body = urlencode(params).encode("utf-8")
    return await channel.handle(content_type, body, signature, bot)


def message_text(result: WebhookResult) -> str | None:
    assert result.status == 200, result.body
    assert result.content_type == "text/xml"
    root = ET.fromstring(result.body)
    assert root.tag == "Response"
    messages = root.findall("Message")
    assert len(messages) <= 1
    return messages[0].text if messages else None


# --- configuration ----------------------------------------------------------------


@pytest.mark.asyncio
async def test_disabled_without_token(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        channel = make_channel(tmp_path, auth_token=None)
    assert "TWILIO_AUTH_TOKEN" in caplog.text
    bot = FakeBot()
    result = await post(channel, bot, form("hi"))
    assert result.status == 503 and "TWILIO_AUTH_TOKEN" in result.body
    assert bot.received == []


@pytest.mark.asyncio
async def test_disabled_without_sender_key(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        channel = make_channel(tmp_path, sender_key=None)
    assert "SMS_SENDER_KEY" in caplog.text
    result = await post(channel, FakeBot(), form("hi"))
    assert result.status == 503 and "SMS_SENDER_KEY" in result.body


def test_from_credentials_reads_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("SMS_PUBLIC_URL", URL)
    monkeypatch.setenv("SMS_SENDER_KEY", KEY)
    monkeypatch.setenv("BOT_STATE_DIR", str(tmp_path / "state"))
    channel = SmsInput.from_credentials({})
    assert channel.enabled and channel.name() == "sms" and channel.url_prefix() == "sms"
    assert (tmp_path / "state" / "bot.db").exists()
    monkeypatch.delenv("TWILIO_AUTH_TOKEN")
    assert not SmsInput.from_credentials(None).enabled


# --- authentication and malformed requests ------------------------------------------


@pytest.mark.asyncio
async def test_missing_signature_403(tmp_path: Path) -> None:
    bot = FakeBot()
    result = await post(make_channel(tmp_path), bot, form("hi"), signature=None)
    assert result.status == 403 and "Signature" in result.body
    assert bot.received == []


@pytest.mark.asyncio
async def test_wrong_signature_403(tmp_path: Path) -> None:
    bot = FakeBot()
    channel = make_channel(tmp_path)
    assert (await post(channel, bot, form("hi"), signature="AAAAAAAAAAAAAAAAAAAAAAAAAAA=")).status == 403
    forged = RequestValidator("another-token").compute_signature(URL, form("hi", sid="SM1"))
    assert (await post(channel, bot, form("hi", sid="SM1"), signature=forged)).status == 403
    other_url = "https://evil.example/webhooks/sms/webhook"
    assert (await post(channel, bot, form("hi"), url=other_url)).status == 403
    assert bot.received == []


@pytest.mark.asyncio
async def test_tampered_body_403(tmp_path: Path) -> None:
    bot = FakeBot()
    params = form("hi")
    signature = RequestValidator(TOKEN).compute_signature(URL, params)
    params["Body"] = "something else"
    assert (await post(make_channel(tmp_path), bot, params, signature=signature)).status == 403
    assert bot.received == []


@pytest.mark.asyncio
async def test_not_form_encoded_400(tmp_path: Path) -> None:
    bot = FakeBot()
    result = await post(make_channel(tmp_path), bot, form("hi"), content_type="application/json")
    assert result.status == 400
    assert bot.received == []


@pytest.mark.asyncio
async def test_missing_from_or_body_400(tmp_path: Path) -> None:
    bot = FakeBot()
    channel = make_channel(tmp_path)
    no_body = form("hi")
    del no_body["Body"]
    no_from = form("hi")
    del no_from["From"]
    assert (await post(channel, bot, no_body)).status == 400
    assert (await post(channel, bot, no_from)).status == 400
    assert bot.received == []


@pytest.mark.asyncio
async def test_content_type_with_charset_accepted(tmp_path: Path) -> None:
    bot = FakeBot()
    result = await post(make_channel(tmp_path), bot, form("hi"), content_type=FORM + "; charset=UTF-8")
    assert message_text(result) == "You said: hi"


# --- a normal turn ---------------------------------------------------------------------


@pytest.mark.asyncio
async def test_turn_reaches_rasa_with_hashed_sender(tmp_path: Path) -> None:
    bot = FakeBot()
    params = form("What is Botox?")
    result = await post(make_channel(tmp_path), bot, params)
    assert message_text(result) == "You said: What is Botox?"  # custom JSON not sent
    [message] = bot.received
    assert message.sender_id == sender_id(KEY, NUMBER)
    assert message.input_channel == "sms"
    assert message.output_channel.name() == "sms"
    assert message.message_id == params["MessageSid"]
    assert "6045550100" not in repr(message.metadata) + message.sender_id


@pytest.mark.asyncio
async def test_reply_escaped(tmp_path: Path) -> None:
    result = await post(make_channel(tmp_path), FakeBot(), form("Fish & <chips>"))
    assert "&amp; &lt;chips&gt;" in result.body
    assert message_text(result) == "You said: Fish & <chips>"


@pytest.mark.asyncio
async def test_emoji_only_message(tmp_path: Path) -> None:
    bot = FakeBot()
    result = await post(make_channel(tmp_path), bot, form("\U0001F60D\U0001F489"))
    text = message_text(result)
    assert text == "You said:"
    assert is_gsm7(text)


@pytest.mark.asyncio
async def test_long_answer_fits_with_disclaimer(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        text = message_text(await post(make_channel(tmp_path), FakeBot(), form("long")))
    assert text is not None
    assert gsm_length(text) <= SMS_MAX_CHARS and is_gsm7(text)
    assert text.startswith("Sentence 0 ") and text.endswith(DISCLAIMER)
    assert "shortened" in caplog.text


@pytest.mark.asyncio
async def test_empty_body_gets_a_nudge_not_a_turn(tmp_path: Path) -> None:
    bot = FakeBot()
    text = message_text(await post(make_channel(tmp_path), bot, form("", NumMedia="1")))
    assert text and current_protocol().phone in text
    assert bot.received == []


# --- numbered options ----------------------------------------------------------------


@pytest.mark.asyncio
async def test_numbered_options_map_back_to_payloads(tmp_path: Path) -> None:
    bot = FakeBot()
    channel = make_channel(tmp_path)
    text = message_text(await post(channel, bot, form("asdfgh qwerty")))
    assert text == "Sorry, I didn't get that. Try one of these:\n\nReply 1 for What is Botox?, 2 for Aftercare"
    text = message_text(await post(channel, bot, form(" 1 ")))
    assert bot.received[-1].text == "/what_is_botox"
    assert text.startswith("Botox relaxes muscles.")
    # the last reply had no options: "1" is just "1" now
    await post(channel, bot, form("1"))
    assert bot.received[-1].text == "1"


@pytest.mark.asyncio
async def test_numbers_are_per_sender(tmp_path: Path) -> None:
    bot = FakeBot()
    channel = make_channel(tmp_path)
    await post(channel, bot, form("asdf"))
    await post(channel, bot, form("2", number="+16045550199"))
    assert bot.received[-1].text == "2"
    await post(channel, bot, form("3"))  # out of range
    assert bot.received[-1].text == "3"


# --- keywords -------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_stop_then_silence_then_start(tmp_path: Path) -> None:
    bot = FakeBot()
    channel = make_channel(tmp_path)
    confirmation = message_text(await post(channel, bot, form("Stop")))
    assert confirmation and "START" in confirmation
    assert message_text(await post(channel, bot, form("When can I get microneedling?"))) is None
    assert message_text(await post(channel, bot, form("HELP"))) is None
    assert message_text(await post(channel, bot, form("STOP"))) is None
    assert bot.received == []
    # opt-out survives a restart (a new channel on the same state dir)
    restarted = make_channel(tmp_path)
    assert message_text(await post(restarted, bot, form("hello"))) is None
    back = message_text(await post(restarted, bot, form("start")))
    assert back and "STOP" in back
    assert message_text(await post(restarted, bot, form("hello"))) == "You said: hello"
    assert [m.text for m in bot.received] == ["hello"]


@pytest.mark.asyncio
async def test_yes_is_a_normal_answer_when_subscribed(tmp_path: Path) -> None:
    bot = FakeBot()
    assert message_text(await post(make_channel(tmp_path), bot, form("yes"))) == "You said: yes"


@pytest.mark.asyncio
async def test_yes_resubscribes_when_opted_out(tmp_path: Path) -> None:
    bot = FakeBot()
    channel = make_channel(tmp_path)
    await post(channel, bot, form("ARRET"))
    assert "STOP" in (message_text(await post(channel, bot, form("YES"))) or "")
    assert bot.received == []


@pytest.mark.asyncio
async def test_help(tmp_path: Path) -> None:
    bot = FakeBot()
    text = message_text(await post(make_channel(tmp_path), bot, form(" info ")))
    protocol = current_protocol()
    assert text and protocol.clinic_name in text and protocol.phone in text and "STOP" in text
    assert gsm_length(text) <= SMS_MAX_CHARS and is_gsm7(text)
    assert bot.received == []


# --- retries and errors -------------------------------------------------------------


@pytest.mark.asyncio
async def test_retried_message_sid_answered_once(tmp_path: Path) -> None:
    bot = FakeBot()
    channel = make_channel(tmp_path)
    params = form("What is Botox?", sid="SM" + "a" * 32)
    first = await post(channel, bot, params)
    second = await post(make_channel(tmp_path), bot, params)  # even after a restart
    assert first.body == second.body
    assert len(bot.received) == 1


@pytest.mark.asyncio
async def test_concurrent_duplicates_answered_once(tmp_path: Path) -> None:
    bot = FakeBot(delay=0.3)
    channel = make_channel(tmp_path)
    params = form("What is Botox?", sid="SM" + "b" * 32)
    results = await asyncio.gather(*(post(channel, bot, params) for _ in range(3)))
    assert len(bot.received) == 1
    assert {r.body for r in results} == {results[0].body}
    assert message_text(results[0]) == "You said: What is Botox?"


@pytest.mark.asyncio
async def test_bot_error_gives_apology_not_500(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        text = message_text(await post(make_channel(tmp_path), FakeBot(), form("boom")))
    assert text and current_protocol().phone in text and "Sorry" in text
    assert NUMBER not in caplog.text and "6045550100" not in caplog.text


@pytest.mark.asyncio
async def test_slow_bot_gives_apology_in_time(tmp_path: Path) -> None:
    channel = make_channel(tmp_path, reply_timeout=0.1)
    bot = FakeBot(delay=0.4)
    text = message_text(await post(channel, bot, form("hi")))
    assert text and "Sorry" in text
    await asyncio.sleep(0.5)  # the turn goes on in the background; let it end
    assert len(bot.received) == 1


# --- privacy ----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_number_never_stored_or_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    bot = FakeBot()
    channel = make_channel(tmp_path)
    with caplog.at_level(logging.DEBUG):
        for body in ("hi", "asdf", "1", "STOP", "hi", "START", "HELP", "boom"):
            await post(channel, bot, form(body))
    assert "6045550100" not in caplog.text
    for path in tmp_path.glob("*.db*"):
        assert b"6045550100" not in path.read_bytes(), path
