"""Send the reminders that are due: `make reminders-due [NOW=2026-12-09T10:00:00-08:00]`.

One pass by default (an operator, a test, a Kubernetes CronJob); `--every N`
keeps going, one pass every N seconds (`make run` starts it that way). Any
number of these may run against the same database: each reminder is claimed
by one of them (stores/reminders.py). In the clinic's quiet hours nothing is
sent. SMS goes through Twilio (channels/twilio_send.py) when
TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM are set; due widget and
REST reminders are marked ready and shown by those channels. Logs name
reminders by id only: never a phone number, a sender id or the text.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, List, Mapping, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from channels.sms_contact import SealError, open_number  # noqa: E402
from channels.sms_store import SmsStore  # noqa: E402
from channels.twilio_send import SendError, TwilioSender, TwilioSettings  # noqa: E402
from clinic.answers import load_answers  # noqa: E402
from clinic.protocol import ClinicProtocol, load_protocol  # noqa: E402
from clinic.reminders import REST, WEB, may_send_now, parse_now, reminder_message, retry_at  # noqa: E402
from stores import db  # noqa: E402
from stores.reminders import CANCELLED, Reminder, ReminderStore  # noqa: E402

logger = logging.getLogger("reminders")


@dataclass
class Pass:
    now: dt.datetime
    quiet: bool = False
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    ready: int = 0

    def describe(self) -> str:
        if self.quiet:
            return f"{self.now.isoformat()}: quiet hours at the clinic, nothing sent"
        return (f"{self.now.isoformat()}: {self.sent} sent, {self.retried} to retry, {self.failed} failed, "
                f"{self.cancelled} cancelled (opted out), {self.ready} ready for the widget or REST")


class ReminderWorker:
    def __init__(
        self, store: ReminderStore, protocol: ClinicProtocol, answers: Mapping[str, Any],
        twilio: Optional[TwilioSender], sender_key: str, sms_state: Optional[SmsStore],
    ) -> None:
        self.store, self.protocol, self.answers = store, protocol, answers
        self.twilio, self.sender_key, self.sms_state = twilio, sender_key, sms_state

    def run_once(self, now: dt.datetime, batch: int = 50) -> Pass:
        result = Pass(now)
        if not may_send_now(now, self.protocol):
            result.quiet = True
            return result
        stamp = now.timestamp()
        result.ready = self.store.mark_ready(stamp, (WEB, REST))
        if self.twilio is None:
            return result
        while True:
            claimed = self.store.claim_due(stamp, batch)
            if not claimed:
                return result
            for reminder in claimed:
                self._send(reminder, now, result)

    def _send(self, reminder: Reminder, now: dt.datetime, result: Pass) -> None:
        assert self.twilio is not None
        who = f"reminder {reminder.id}"
        if self.sms_state is not None and self.sms_state.is_opted_out(reminder.sender):
            self.store.mark_failed(reminder, "opted out", status=CANCELLED)
            logger.info("%s: opted out, cancelled", who)
            result.cancelled += 1
            return
        try:
            number = open_number(self.sender_key, reminder.destination or "")
        except SealError as error:
            self.store.mark_failed(reminder, f"no usable number: {error}")
            logger.error("%s: no usable number (%s), marked failed", who, error)
            result.failed += 1
            return
        body = reminder_message(reminder.next_treatment, reminder.remind_on, "sms", self.protocol,
                                self.answers)["text"]
        try:
            since = dt.datetime.combine(reminder.remind_on, dt.time(0), tzinfo=dt.timezone.utc)
            sid = self.twilio.find_sent(number, body, since) if reminder.recovered else None
            sid = sid or self.twilio.send(number, body)
        except SendError as error:
            again = retry_at(now, reminder.attempts, self.protocol) if error.retry else None
            if again is None:
                self.store.mark_failed(reminder, error.reason)
                logger.error("%s: not sent after %s tries (%s), marked failed", who, reminder.attempts,
                             error.reason)
                result.failed += 1
            else:
                self.store.mark_retry(reminder, again.timestamp(), error.reason)
                logger.warning("%s: not sent (%s), trying again at %s", who, error.reason, again.isoformat())
                result.retried += 1
            return
        if self.store.mark_sent(reminder, now.timestamp(), sid, body):
            logger.info("%s: sent (%s characters)", who, len(body))
            result.sent += 1


def worker_from_env(env: Optional[Mapping[str, str]] = None) -> ReminderWorker:
    env = os.environ if env is None else env
    engine = db.shared_engine(db.settings_from_env(env))
    db.wait_until_reachable(engine)
    settings = TwilioSettings.from_env(env)
    if settings is None:
        logger.warning("SMS reminders off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM")
    sender_key = env.get("SMS_SENDER_KEY") or ""
    return ReminderWorker(
        ReminderStore(engine), load_protocol(), load_answers(),
        TwilioSender(settings) if settings else None, sender_key, SmsStore(engine),
    )


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--now", default=os.environ.get("NOW", ""),
                        help="ISO 8601 with offset, e.g. 2026-12-09T10:00:00-08:00 (default: the current time)")
    parser.add_argument("--every", type=float, default=0, help="seconds between passes; 0 = one pass")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    try:
        now = parse_now(args.now)
    except ValueError as error:
        parser.error(str(error))
    worker = worker_from_env()
    if not args.every:
        print(worker.run_once(now).describe(), flush=True)
        return 0
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.is_set():
        try:
            result = worker.run_once(parse_now(""))
            if result.sent or result.failed or result.retried or result.ready:
                logger.info(result.describe())
        except Exception:  # a database blip: try again next pass
            logger.exception("Reminder pass failed")
        stop.wait(args.every)
    return 0


if __name__ == "__main__":
    sys.exit(main())
