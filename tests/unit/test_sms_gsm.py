"""GSM-7 sanitising and counting (channels/gsm.py)."""

from __future__ import annotations

import pytest

from channels.gsm import GSM_BASIC, GSM_EXTENSION, gsm_length, is_gsm7, sanitize


def test_basic_table_has_127_characters_and_extension_9() -> None:
    # 128 code points minus the escape; the extension table without form feed.
    assert len(GSM_BASIC) == 127
    assert len(GSM_EXTENSION) == 9


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("It\u2019s \u201cfine\u201d", 'It\'s "fine"'),
        ("2\u20134 weeks \u2014 maybe", "2-4 weeks - maybe"),
        ("Wait\u2026", "Wait..."),
        ("10\u00a0days", "10 days"),
        ("thin\u2009space", "thin space"),
        ("Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e", "Caf\u00e9 cr\u00e8me brul\u00e9e"),  # é è GSM, û not
        ("fa\u00e7ade", "facade"),
        ("\u2022 ice packs", "- ice packs"),
        ("zero\u200bwidth", "zerowidth"),
        ("a\r\nb", "a\nb"),
        ("Botox\u00ae", "Botox(R)"),
    ],
)
def test_sanitize_replaces_typography(raw: str, clean: str) -> None:
    assert sanitize(raw) == clean
    assert is_gsm7(sanitize(raw))


def test_emoji_dropped_and_spaces_tidied() -> None:
    assert sanitize("Great \U0001F60A see you soon \u2764\ufe0f!") == "Great see you soon !"
    assert sanitize("\U0001F600\U0001F600\U0001F600") == ""
    assert sanitize("flag \U0001F1E8\U0001F1E6 here") == "flag here"
    assert sanitize("press 1\ufe0f\u20e3") == "press 1"


def test_non_latin_scripts_dropped_not_switched_to_ucs2() -> None:
    out = sanitize("Hello \u4f60\u597d \u0645\u0631\u062d\u0628\u0627")
    assert out == "Hello"
    assert is_gsm7(out)


def test_gsm_characters_kept_as_they_are() -> None:
    text = "Cost: \u20ac50 or \u00a340 [approx] {ok} ~ | ^ \\ \u00e0 \u00f1 \u00c9 \u00bf\u00a1 \u00a7"
    assert sanitize(text) == text
    assert is_gsm7(text)


def test_blank_lines_collapsed() -> None:
    assert sanitize("a\n\n\n\nb  \n  c") == "a\n\nb\nc"


def test_length_counts_extension_characters_twice() -> None:
    assert gsm_length("abc") == 3
    assert gsm_length("\u20ac") == 2
    assert gsm_length("^{}\\[~]|\u20ac") == 18
    assert gsm_length("a\nb") == 3


def test_is_gsm7() -> None:
    assert is_gsm7("Plain text, 100% GSM @ \u00a3 $")
    assert not is_gsm7("curly \u2019")
    assert not is_gsm7("\U0001F600")
    assert not is_gsm7("\u00e7")  # GSM has only the capital
