"""Pure parts of the SMS channel (channels/sms_format.py)."""

from __future__ import annotations

import hashlib
import hmac
import xml.etree.ElementTree as ET

import pytest

from channels import sms_format as fmt
from channels.gsm import SMS_MAX_CHARS, gsm_length, is_gsm7
from clinic.protocol import current_protocol

DISCLAIMER = "General info, not medical advice."


# --- keywords ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["STOP", "stop", " Stop! ", "StopAll", "unsubscribe", "CANCEL", "end.", "Quit", "arret", "Arr\u00eat"]
)
def test_opt_out_keywords(text: str) -> None:
    assert fmt.parse_keyword(text)[0] == fmt.OPT_OUT


@pytest.mark.parametrize("text", ["START", "start", "Yes", "yes!", "UNSTOP"])
def test_opt_in_keywords(text: str) -> None:
    assert fmt.parse_keyword(text)[0] == fmt.OPT_IN


@pytest.mark.parametrize("text", ["HELP", "help?", "Info", "aide"])
def test_help_keywords(text: str) -> None:
    assert fmt.parse_keyword(text)[0] == fmt.HELP


@pytest.mark.parametrize(
    "text", ["stop texting me", "please stop", "help me", "stopp", "", "   ", "1", "when can I start"]
)
def test_not_keywords(text: str) -> None:
    assert fmt.parse_keyword(text)[0] is None


def test_keyword_word_is_returned_upper_case() -> None:
    assert fmt.parse_keyword(" yes. ") == (fmt.OPT_IN, "YES")


# --- numbered options -----------------------------------------------------------


@pytest.mark.parametrize("text, number", [("1", 1), (" 2 ", 2), ("3.", 3), ("#4", 4), ("10", 10), ("1)", 1)])
def test_option_numbers(text: str, number: int) -> None:
    assert fmt.parse_option_number(text) == number


@pytest.mark.parametrize("text", ["1 week", "one", "", "123", "2 or 3", "Nov 3"])
def test_not_option_numbers(text: str) -> None:
    assert fmt.parse_option_number(text) is None


def test_options_line() -> None:
    options = [fmt.Option("What is Botox?", "/what_is_botox"), fmt.Option("Aftercare", "/aftercare")]
    assert fmt.options_line(options) == "Reply 1 for What is Botox?, 2 for Aftercare"
    assert fmt.options_line([]) == ""


def test_options_from_buttons_sanitises_and_keeps_payload() -> None:
    options = fmt.options_from_buttons(
        [
            {"title": "What\u2019s Botox?", "payload": "/what_is_botox"},
            {"title": "Booking.", "payload": "/book"},
            {"title": "", "payload": "/nothing"},
            {"title": "Title only"},
        ]
    )
    assert options == [
        fmt.Option("What's Botox?", "/what_is_botox"),
        fmt.Option("Booking", "/book"),
        fmt.Option("Title only", "Title only"),
    ]


# --- sender ids -----------------------------------------------------------------


def test_sender_id_is_keyed_hash_of_number() -> None:
    expected = hmac.new(b"key", b"+16045550100", hashlib.sha256).hexdigest()
    assert fmt.sender_id("key", "+16045550100") == "sms-" + expected
    assert fmt.sender_id("key", " +16045550100 ") == "sms-" + expected
    assert fmt.sender_id("other", "+16045550100") != fmt.sender_id("key", "+16045550100")
    assert "6045550100" not in fmt.sender_id("key", "+16045550100")


# --- TwiML ------------------------------------------------------------------------


def test_twiml_message_is_escaped_and_parses() -> None:
    xml = fmt.build_twiml('Fish & chips <b> "quoted"\n\nsecond')
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>')
    root = ET.fromstring(xml)
    assert root.tag == "Response"
    assert [m.text for m in root.findall("Message")] == ['Fish & chips <b> "quoted"\n\nsecond']


def test_twiml_empty_reply() -> None:
    assert fmt.build_twiml("") == '<?xml version="1.0" encoding="UTF-8"?><Response/>'
    assert list(ET.fromstring(fmt.build_twiml(""))) == []


# --- fitting ---------------------------------------------------------------------


def test_short_reply_unchanged_and_joined_with_blank_line() -> None:
    fitted = fmt.fit_reply(["Botox relaxes muscles.", DISCLAIMER])
    assert fitted.text == "Botox relaxes muscles.\n\n" + DISCLAIMER
    assert not fitted.shortened


def test_options_appended() -> None:
    options = [fmt.Option("What is Botox?", "/what_is_botox"), fmt.Option("Aftercare", "/aftercare")]
    fitted = fmt.fit_reply(["Sorry, I didn't get that."], options)
    assert fitted.text == "Sorry, I didn't get that.\n\nReply 1 for What is Botox?, 2 for Aftercare"
    assert fitted.options == tuple(options)


def _long_sentences(count: int) -> str:
    return " ".join(f"Sentence number {i} is here to make the text rather long." for i in range(count))


def test_long_reply_drops_trailing_sentences_keeps_disclaimer() -> None:
    body = "First sentence stays. " + _long_sentences(8)
    fitted = fmt.fit_reply([body + " " + DISCLAIMER + " Book online."])
    assert fitted.shortened
    assert gsm_length(fitted.text) <= SMS_MAX_CHARS
    assert fitted.text.startswith("First sentence stays.")
    assert "not medical advice" in fitted.text
    # whole sentences only: every kept piece still ends a sentence
    for piece in fitted.text.split(". "):
        assert piece.strip()
    assert fitted.text.rstrip().endswith(".")
    assert "Book online." not in fitted.text


def test_disclaimer_in_separate_message_kept() -> None:
    fitted = fmt.fit_reply([_long_sentences(10), DISCLAIMER])
    assert fitted.text.endswith("\n\n" + DISCLAIMER)
    assert gsm_length(fitted.text) <= SMS_MAX_CHARS


def test_options_dropped_only_after_sentences() -> None:
    options = [fmt.Option(f"Topic number {i} with a long title", f"/t{i}") for i in range(1, 10)]
    fitted = fmt.fit_reply(["Sorry, I didn't get that. Could you rephrase?", DISCLAIMER], options)
    assert gsm_length(fitted.text) <= SMS_MAX_CHARS
    assert "Sorry, I didn't get that." in fitted.text
    assert "not medical advice" in fitted.text
    assert 0 < len(fitted.options) < 9
    assert fitted.text.endswith(fmt.options_line(fitted.options))


def test_extension_characters_count_double_when_fitting() -> None:
    text = "Price {" + "x" * 285 + "}."  # 294 characters, 296 septets
    assert gsm_length(text) == 296
    assert fmt.fit_reply([text], limit=296).text == text
    assert fmt.fit_reply([text], limit=295).shortened


def test_last_resort_cuts_between_words() -> None:
    text = " ".join(["word"] * 100)  # one "sentence" far too long
    fitted = fmt.fit_reply([text])
    assert gsm_length(fitted.text) <= SMS_MAX_CHARS
    assert fitted.text.endswith("word...")


def test_overlong_opening_sentence_shortened_disclaimer_kept() -> None:
    text = " ".join(["word"] * 100) + ". " + DISCLAIMER
    fitted = fmt.fit_reply([text])
    assert gsm_length(fitted.text) <= SMS_MAX_CHARS
    assert fitted.text.startswith("word word")
    assert fitted.text.endswith("word... " + DISCLAIMER)


def test_dates_with_abbreviations_not_split() -> None:
    units = fmt._units(["Earliest: Nov. 17, 2025. Ideal: Dec. 1."], fmt.DISCLAIMER_RE)
    assert [u.text for u in units] == ["Earliest: Nov. 17, 2025.", "Ideal: Dec. 1."]


# --- composing from Rasa messages ---------------------------------------------------


def test_compose_reply_from_collector_messages() -> None:
    messages = [
        {"recipient_id": "s", "text": "Earliest microneedling: Nov 17 \u2014 ideally by Dec 1 \U0001F60A"},
        {"recipient_id": "s", "custom": {"wait_plan": {"earliest": "2025-11-17"}}},
        {"recipient_id": "s", "image": "https://example.com/a.png"},
        {"recipient_id": "s", "text": DISCLAIMER,
         "buttons": [{"title": "Aftercare", "payload": "/aftercare"}]},
    ]
    fitted = fmt.compose_reply(messages)
    assert fitted.text == (
        "Earliest microneedling: Nov 17 - ideally by Dec 1\n\n" + DISCLAIMER + "\n\nReply 1 for Aftercare"
    )
    assert is_gsm7(fitted.text)
    assert "wait_plan" not in fitted.text and "png" not in fitted.text
    assert fitted.options == (fmt.Option("Aftercare", "/aftercare"),)


def test_compose_reply_nothing_to_say() -> None:
    assert fmt.compose_reply([{"custom": {"x": 1}}]).text == ""


# --- fixed texts from the clinic protocol ----------------------------------------------


def test_fixed_texts_fit_and_carry_clinic_details() -> None:
    protocol = current_protocol()
    help_text = fmt.help_text(protocol)
    assert protocol.clinic_name in help_text and protocol.phone in help_text
    assert "STOP" in help_text
    assert "START" in fmt.opt_out_text(protocol)
    assert "STOP" in fmt.opt_in_text(protocol)
    assert "911" in fmt.apology_text()
    for text in (
        help_text,
        fmt.opt_out_text(protocol),
        fmt.opt_in_text(protocol),
        fmt.apology_text(),
        fmt.empty_body_text(protocol),
    ):
        assert is_gsm7(text) and gsm_length(text) <= SMS_MAX_CHARS, text
