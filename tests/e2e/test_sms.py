"""The SMS channel against the running bot, the way Twilio calls it.

Every request is a real form-encoded POST to `bot.sms_url`, signed with
X-Twilio-Signature for the test auth token (RequestValidator.compute_signature,
the same code Twilio's SDKs use). The sender id Rasa sees is the keyed hash
of the number, computed here independently of the channel's code.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
import xml.etree.ElementTree as ET
from typing import Any, Dict, List

import pytest
import requests
from twilio.request_validator import RequestValidator

from channels.gsm import SMS_MAX_CHARS
from clinic.answers import current_answers, render_text
from clinic.protocol import current_protocol
from tests.twilio_standin import fresh_phone_number

GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = "^{}\\[~]|€"
MAX_SMS = SMS_MAX_CHARS
NOTICE = render_text(current_answers(), "sms_notice", "sms", current_protocol().template_values())
DATE_RE = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}\b"
    r"|\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}\b"
)


def gsm_length(text: str) -> int:
    assert all(c in GSM_BASIC or c in GSM_EXTENSION for c in text), f"not GSM-7: {text!r}"
    return sum(2 if c in GSM_EXTENSION else 1 for c in text)


class Phone:
    """One patient's phone texting the clinic's Twilio number."""

    def __init__(self, bot: Any) -> None:
        self.bot = bot
        self.number = fresh_phone_number()
        self.sender_id = "sms-" + hmac.new(
            bot.sms_sender_key.encode(), self.number.encode(), hashlib.sha256
        ).hexdigest()

    def params(self, body: str, sid: str | None = None) -> Dict[str, str]:
        return {
            "ToCountry": "CA",
            "ToState": "BC",
            "SmsMessageSid": sid or "",
            "NumMedia": "0",
            "ToCity": "ABBOTSFORD",
            "FromZip": "",
            "SmsSid": sid or "",
            "FromState": "BC",
            "SmsStatus": "received",
            "FromCity": "",
            "Body": body,
            "FromCountry": "CA",
            "To": "+16045550134",
            "MessagingServiceSid": "",
            "ToZip": "",
            "NumSegments": "1",
            "MessageSid": sid or "",
            "AccountSid": "AC" + "0" * 32,
            "From": self.number,
            "ApiVersion": "2010-04-01",
        }

    def post(
        self,
        params: Dict[str, str],
        token: str | None = None,
        signed: bool = True,
    ) -> requests.Response:
        headers = {}
        if signed:
            validator = RequestValidator(token or self.bot.twilio_auth_token)
            headers["X-Twilio-Signature"] = validator.compute_signature(self.bot.sms_url, params)
        return requests.post(self.bot.sms_url, data=params, headers=headers, timeout=60)

    def text(self, body: str, sid: str | None = None) -> str | None:
        """Send a text; return the reply (None if the bot sends none)."""
        sid = sid or "SM" + uuid.uuid4().hex
        return reply_of(self.post(self.params(body, sid)))

    def user_events(self) -> List[Dict[str, Any]]:
        return [e for e in self.bot.tracker(self.sender_id)["events"] if e.get("event") == "user"]


def reply_of(response: requests.Response) -> str | None:
    """The <Message> of a TwiML answer, checked: <= 306 GSM-7 characters. A new
    number's first answer may come with the notice at collection as a second,
    one-segment text (issue 11); the two are returned joined by a blank line."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(response.text)
    assert root.tag == "Response"
    messages = root.findall("Message")
    assert len(messages) <= 2, response.text
    if not messages:
        return None
    texts = [message.text or "" for message in messages]
    for text in texts:
        assert text.strip(), response.text
        assert gsm_length(text) <= MAX_SMS, f"{gsm_length(text)} characters: {text!r}"
    if len(texts) == 2:
        assert texts[1].startswith(NOTICE) and gsm_length(texts[1]) <= 160, texts
    return "\n\n".join(texts)


@pytest.fixture(scope="module")
def sms_bot(bot: Any) -> Any:
    # First turns warm up the model; an SMS turn must answer well within Twilio's 15 s.
    bot.rest("hello")
    return bot


def test_full_conversation_with_a_dated_question(sms_bot: Any) -> None:
    phone = Phone(sms_bot)
    assert phone.text("Hi")
    reply = phone.text("I had botox on November 3, when can I get microneedling?")
    assert reply is not None
    assert "not medical advice" in reply.lower()
    dates = [m.group(0) for m in DATE_RE.finditer(reply)]
    assert any(not re.fullmatch(r"Nov[a-z]*\.? 3|11/3|3 Nov", d) for d in dates), reply
    follow_up = phone.text("What is microneedling?")
    assert follow_up and "not medical advice" in follow_up.lower()

    events = phone.user_events()
    assert len(events) == 3
    assert {e.get("input_channel") for e in events} == {"sms"}
    tracker_json = json.dumps(sms_bot.tracker(phone.sender_id))
    assert phone.number not in tracker_json and phone.number[2:] not in tracker_json


def test_red_flag_mentions_emergency_number(sms_bot: Any) -> None:
    reply = Phone(sms_bot).text("I had botox yesterday and now I can't swallow properly")
    assert reply and "911" in reply


def test_numbered_options_map_back(sms_bot: Any) -> None:
    phone = Phone(sms_bot)
    reply = phone.text("asdfgh qwerty")
    assert reply and re.search(r"Reply 1 for .+, 2 for ", reply), reply
    answer = phone.text("1")
    assert answer
    last = phone.user_events()[-1]
    assert last["text"] != "1" and last["text"].startswith("/"), last["text"]


def test_stop_silences_until_start(sms_bot: Any) -> None:
    phone = Phone(sms_bot)
    confirmation = phone.text("STOP")
    assert confirmation and "START" in confirmation
    before = len(phone.user_events())
    assert phone.text("When can I get microneedling after botox?") is None
    assert len(phone.user_events()) == before  # nothing reached Rasa
    welcome = phone.text("start")
    assert welcome and "STOP" in welcome
    answer = phone.text("What is Botox?")
    assert answer and "not medical advice" in answer.lower()


def test_help(sms_bot: Any) -> None:
    protocol = current_protocol()
    reply = Phone(sms_bot).text("help")
    assert reply and protocol.phone in reply and "STOP" in reply


def test_retried_message_sid_answered_once(sms_bot: Any) -> None:
    phone = Phone(sms_bot)
    sid = "SM" + uuid.uuid4().hex
    params = phone.params("What is Botox?", sid)
    first = phone.post(params)
    second = phone.post(params)
    assert reply_of(first) and first.text == second.text
    events = phone.user_events()
    assert [e.get("message_id") for e in events] == [sid]


def test_emoji_only_message(sms_bot: Any) -> None:
    reply = Phone(sms_bot).text("\U0001F60D\U0001F489\u2728")
    assert reply  # a GSM-7 answer (checked in reply_of), not a crash


def test_forged_signature_rejected(sms_bot: Any) -> None:
    phone = Phone(sms_bot)
    response = phone.post(phone.params("What is Botox?", "SM" + uuid.uuid4().hex), token="not-the-token")
    assert response.status_code == 403
    assert phone.user_events() == []


def test_missing_signature_rejected(sms_bot: Any) -> None:
    phone = Phone(sms_bot)
    response = phone.post(phone.params("What is Botox?", "SM" + uuid.uuid4().hex), signed=False)
    assert response.status_code == 403
    assert phone.user_events() == []
