"""The SMS notice at collection (issue 11) through the webhook handler, with
the stubbed Rasa callback of test_sms_channel.py."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from channels.gsm import gsm_length
from channels.sms_format import sender_id
from clinic.answers import current_answers, render_text
from clinic.protocol import current_protocol
from tests.unit.stored import store_conversation
from tests.unit.test_sms_channel import (
    DISCLAIMER,
    KEY,
    NUMBER,
    FakeBot,
    form,
    make_channel,
    message_text,
    post,
)

NOTICE = render_text(current_answers(), "sms_notice", "sms", current_protocol().template_values())


@pytest.mark.asyncio
async def test_a_new_number_gets_the_notice_once(tmp_path: Path) -> None:
    bot = FakeBot()
    channel = make_channel(tmp_path, new_number=True)
    first = message_text(await post(channel, bot, form("/what_is_botox")))
    assert first is not None and first.startswith("Botox relaxes muscles.")
    assert first.count(NOTICE) == 1 and first.count("not medical advice") == 1
    for word in ("Automated assistant", "HELP", "STOP", "DELETE MY DATA"):
        assert word in first
    store_conversation(channel.store.engine, sender_id(KEY, NUMBER))  # Rasa stored the turn
    second = message_text(await post(channel, bot, form("/what_is_botox")))
    assert second == "Botox relaxes muscles. " + DISCLAIMER


@pytest.mark.asyncio
async def test_the_notice_brings_the_disclaimer_when_the_answer_has_none(tmp_path: Path) -> None:
    channel = make_channel(tmp_path, new_number=True)
    text = message_text(await post(channel, FakeBot(), form("hello")))
    assert text is not None and text.startswith("You said: hello")
    assert NOTICE in text and "not medical advice" in text


@pytest.mark.asyncio
async def test_a_first_answer_too_long_for_the_notice_gets_it_in_a_second_text(tmp_path: Path) -> None:
    usual = message_text(await post(make_channel(tmp_path / "known"), FakeBot(), form("long")))
    result = await post(make_channel(tmp_path / "new", new_number=True), FakeBot(), form("long"))
    texts = [m.text or "" for m in ET.fromstring(result.body).findall("Message")]
    assert texts == [usual, NOTICE]  # the answer exactly as always, then the notice alone
    assert gsm_length(texts[1]) <= 160


@pytest.mark.asyncio
async def test_opted_out_and_keyword_messages_get_no_notice(tmp_path: Path) -> None:
    channel = make_channel(tmp_path, new_number=True)
    bot = FakeBot()
    assert NOTICE not in (message_text(await post(channel, bot, form("HELP"))) or "")
    assert NOTICE not in (message_text(await post(channel, bot, form("STOP"))) or "")
    assert message_text(await post(channel, bot, form("hello"))) is None
    assert bot.received == []
