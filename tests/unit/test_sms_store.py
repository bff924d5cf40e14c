"""The SMS channel's SQLite state (channels/sms_store.py)."""

from __future__ import annotations

import time
from pathlib import Path

from channels.sms_format import Option
from channels.sms_store import DONE, NEW, PENDING, SmsStore


def test_opt_out_survives_reopening(tmp_path: Path) -> None:
    store = SmsStore(tmp_path / "sms.db")
    store.set_opted_out("sms-abc", True)
    store.close()
    reopened = SmsStore(tmp_path / "sms.db")
    assert reopened.is_opted_out("sms-abc")
    assert not reopened.is_opted_out("sms-other")
    reopened.set_opted_out("sms-abc", False)
    assert not reopened.is_opted_out("sms-abc")


def test_creates_missing_state_dir(tmp_path: Path) -> None:
    SmsStore(tmp_path / "a" / "b" / "sms.db")
    assert (tmp_path / "a" / "b" / "sms.db").exists()


def test_message_sid_claimed_once(tmp_path: Path) -> None:
    store = SmsStore(tmp_path / "sms.db")
    assert store.claim("SM1") == (NEW, None)
    assert store.claim("SM1") == (PENDING, None)
    assert store.stored_reply("SM1") is None
    store.finish("SM1", "the reply")
    assert store.claim("SM1") == (DONE, "the reply")
    assert store.stored_reply("SM1") == "the reply"
    store.finish("SM2", "")  # never claimed: no row, nothing happens
    assert store.claim("SM2") == (NEW, None)


def test_empty_reply_is_remembered_as_done(tmp_path: Path) -> None:
    store = SmsStore(tmp_path / "sms.db")
    store.claim("SM1")
    store.finish("SM1", "")
    assert store.claim("SM1") == (DONE, "")


def test_claims_shared_between_connections(tmp_path: Path) -> None:
    first, second = SmsStore(tmp_path / "sms.db"), SmsStore(tmp_path / "sms.db")
    assert first.claim("SM1") == (NEW, None)
    assert second.claim("SM1") == (PENDING, None)


def test_stale_unanswered_claim_is_taken_over_once(tmp_path: Path) -> None:
    store = SmsStore(tmp_path / "sms.db", stale_after=0.05)
    store.claim("SM1")
    time.sleep(0.1)
    assert store.claim("SM1") == (NEW, None)
    assert store.claim("SM1") == (PENDING, None)


def test_prune_removes_old_deliveries_and_options_not_opt_outs(tmp_path: Path) -> None:
    store = SmsStore(tmp_path / "sms.db", ttl_seconds=60)
    store.claim("SM1")
    store.finish("SM1", "reply")
    store.set_options("sms-abc", [Option("A", "/a")])
    store.set_opted_out("sms-def", True)
    store.prune(now=time.time() + 120)
    assert store.claim("SM1") == (NEW, None)
    assert store.options("sms-abc") == []
    assert store.is_opted_out("sms-def")


def test_options_replaced_and_cleared(tmp_path: Path) -> None:
    store = SmsStore(tmp_path / "sms.db")
    assert store.options("sms-abc") == []
    store.set_options("sms-abc", [Option("What is Botox?", "/what_is_botox"), Option("B", "/b")])
    assert store.options("sms-abc") == [Option("What is Botox?", "/what_is_botox"), Option("B", "/b")]
    store.set_options("sms-abc", [])
    assert store.options("sms-abc") == []


def test_opting_out_forgets_options(tmp_path: Path) -> None:
    store = SmsStore(tmp_path / "sms.db")
    store.set_options("sms-abc", [Option("A", "/a")])
    store.set_opted_out("sms-abc", True)
    assert store.options("sms-abc") == []
