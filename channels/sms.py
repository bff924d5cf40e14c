"""SMS channel: Twilio's Messaging webhook, answered with TwiML.

Enabled in credentials.yml as `channels.sms.SmsInput: {}`; configured only by
environment variables:

- TWILIO_AUTH_TOKEN  the account's auth token; unset = channel disabled (503)
- SMS_PUBLIC_URL     the exact webhook URL Twilio is configured with (and signs)
- SMS_SENDER_KEY     secret key for hashing phone numbers into sender ids
- BOT_STATE_DIR      with DB_HOST unset, holds bot.db, the SQLite database of the
                     conversations and the SMS state; default .data/
- DB_HOST, ...       PostgreSQL for both instead (stores/db.py), shared by replicas
- SMS_REPLY_TIMEOUT  seconds to wait for the bot before apologising (default 12;
                     Twilio gives up on a webhook after 15)

POST /webhooks/sms/webhook: check X-Twilio-Signature, map keywords and
numbered options, run one Rasa turn, answer with one <Message> of at most
306 GSM-7 characters. Rasa's built-in `twilio` channel is not used: it does
not check signatures and replies through blocking REST calls.

This module is the thin shell; the logic is in channels/sms_format.py
(pure), channels/gsm.py (pure) and channels/sms_store.py (SQL: opt-outs,
answered MessageSids and numbered options, in the conversations' database, so
every replica sees the same).
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List
from urllib.parse import parse_qsl

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from channels import sms_format as fmt
from channels import sms_reminders
from channels.guard import UNAVAILABLE, answer, guarded, log_id
from channels.sms_store import DONE, NEW, SmsStore
from stores import db, personal_data

logger = logging.getLogger(__name__)

# The former one-machine state file, imported into the database at start.
LEGACY_STORE_FILENAME = "sms.db"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
TWIML_CONTENT_TYPE = "text/xml"
DEFAULT_REPLY_TIMEOUT = 12.0
# A duplicate delivery arriving while the first is still being answered waits
# this long for the first answer (then gets an empty response, never a 2nd turn).
DUPLICATE_WAIT = 10.0
# Twilio's webhook form is a few KB (a Body is at most 1600 characters); a
# bigger request is refused before it is decoded or its signature computed.
MAX_BODY_BYTES = 64 * 1024


class SmsOutput(CollectingOutputChannel):
    """Collects the bot's messages of one turn. Its name picks the domain's
    `channel: sms` response variations."""

    @classmethod
    def name(cls) -> str:
        return "sms"


@dataclass(frozen=True)
class WebhookResult:
    status: int
    body: str
    content_type: str


def _plain(status: int, reason: str) -> WebhookResult:
    return WebhookResult(status, reason, "text/plain; charset=utf-8")


def _twiml(reply: str) -> WebhookResult:
    return WebhookResult(200, fmt.build_twiml(reply), TWIML_CONTENT_TYPE)


class FormParams(Dict[str, List[str]]):
    """Form fields, each a list of values, as RequestValidator reads them."""

    def getall(self, name: str) -> List[str]:
        return self[name]

    def first(self, name: str) -> str | None:
        values = self.get(name)
        return values[0] if values else None


def parse_form(content_type: str | None, body: bytes) -> FormParams | None:
    """The urlencoded body with blank values kept (Twilio signs them too);
    None if the request is not form-encoded UTF-8."""
    if (content_type or "").split(";")[0].strip().lower() != FORM_CONTENT_TYPE:
        return None
    try:
        pairs = parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict"
        )
    except (UnicodeDecodeError, ValueError):
        return None
    params = FormParams()
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return params


class SmsInput(InputChannel):
    """Twilio Messaging webhook with signature checks, keywords and TwiML replies."""

    @classmethod
    def name(cls) -> str:
        return "sms"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> SmsInput:
        # credentials.yml carries no secrets for this channel: all from the environment.
        env = os.environ
        try:
            reply_timeout = float(env.get("SMS_REPLY_TIMEOUT") or DEFAULT_REPLY_TIMEOUT)
        except ValueError:
            reply_timeout = DEFAULT_REPLY_TIMEOUT
        return cls(
            auth_token=env.get("TWILIO_AUTH_TOKEN") or None,
            public_url=env.get("SMS_PUBLIC_URL") or None,
            sender_key=env.get("SMS_SENDER_KEY") or None,
            state_dir=db.state_dir(env),
            reply_timeout=reply_timeout,
            database=db.settings_from_env(env),
        )

    def __init__(
        self,
        auth_token: str | None = None,
        public_url: str | None = None,
        sender_key: str | None = None,
        state_dir: Path | None = None,
        reply_timeout: float = DEFAULT_REPLY_TIMEOUT,
        duplicate_wait: float = DUPLICATE_WAIT,
        protocol_loader: Callable[[], Any] | None = None,
        database: db.DatabaseSettings | None = None,
    ) -> None:
        """`database` unset: a SQLite bot.db in `state_dir` (unit tests)."""
        self.public_url = public_url
        self.sender_key = sender_key
        self.reply_timeout = reply_timeout
        self.duplicate_wait = duplicate_wait
        self._protocol_loader = protocol_loader
        self.validator: RequestValidator | None = None
        self.store: SmsStore | None = None
        self.disabled_reason: str | None = None
        self.reminders = None

        if not auth_token:
            self.disabled_reason = "SMS channel disabled: TWILIO_AUTH_TOKEN is not set."
            logger.warning(self.disabled_reason)
            return
        if not sender_key:
            self.disabled_reason = (
                "SMS channel disabled: SMS_SENDER_KEY is not set (needed to hash phone numbers)."
            )
            logger.error(self.disabled_reason)
            return
        if not public_url:
            self.disabled_reason = (
                "SMS channel disabled: SMS_PUBLIC_URL is not set (the webhook URL Twilio signs)."
            )
            logger.error(self.disabled_reason)
            return
        folder = Path(state_dir or db.state_dir())
        database = database or db.settings_from_env({"BOT_STATE_DIR": str(folder)})
        try:
            self.store = SmsStore(db.shared_engine(database))
            _import_legacy_file(self.store, folder / LEGACY_STORE_FILENAME)
            self.reminders = sms_reminders.open_store(self.store.engine)
        except Exception as error:  # unreachable database, unwritable directory
            self.disabled_reason = f"SMS channel disabled: cannot open its state ({error})."
            logger.error(self.disabled_reason)
            return
        self.validator = RequestValidator(auth_token)
        logger.info("SMS channel enabled for %s, state in %s", public_url, database.describe())

    @property
    def enabled(self) -> bool:
        return self.disabled_reason is None

    def _protocol(self) -> Any:
        if self._protocol_loader is not None:
            return self._protocol_loader()
        from clinic.protocol import current_protocol

        return current_protocol()

    def _apology(self) -> str:
        try:
            return fmt.compose_reply([answer(UNAVAILABLE, self.name())]).text
        except Exception:
            return fmt.apology_text()

    # --- the webhook ----------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sms_webhook = Blueprint("sms_webhook", __name__)
        on_new_message = guarded(on_new_message)

        @sms_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            if self.enabled:
                return response.json({"status": "ok"})
            return response.json({"status": "disabled", "reason": self.disabled_reason})

        @sms_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            result = await self.handle(
                request.headers.get("content-type"),
                request.body or b"",
                request.headers.get("x-twilio-signature"),
                on_new_message,
            )
            return response.text(result.body, status=result.status, content_type=result.content_type)

        return sms_webhook

    async def handle(
        self,
        content_type: str | None,
        body: bytes,
        signature: str | None,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> WebhookResult:
        """One webhook request, independent of Sanic (unit-tested directly)."""
        if not self.enabled or self.validator is None or self.store is None:
            return _plain(503, self.disabled_reason or "SMS channel disabled.")
        if len(body) > MAX_BODY_BYTES:
            return _plain(413, f"The body is larger than {MAX_BODY_BYTES} bytes.")
        if not signature:
            return _plain(403, "Missing X-Twilio-Signature header.")
        form = parse_form(content_type, body)
        if form is None:
            return _plain(400, "Expected a UTF-8 application/x-www-form-urlencoded body.")
        if not self.validator.validate(self.public_url, form, signature):
            logger.warning("SMS webhook: rejected a request with an invalid signature")
            return _plain(403, "Invalid X-Twilio-Signature.")
        number = (form.first("From") or "").strip()
        text = form.first("Body")
        if not number or text is None:
            return _plain(400, "Missing From or Body.")

        # From here on only the keyed hash: the number is never stored or logged.
        sender = fmt.sender_id(self.sender_key or "", number)
        message_sid = (form.first("MessageSid") or form.first("SmsMessageSid") or "").strip()[:64]
        try:
            reply = await self._answer_once(message_sid, sender, text, on_new_message, number)
        except Exception:
            logger.exception("SMS webhook: failed to answer %s (%s)", message_sid, log_id(sender))
            reply = self._apology()
        return _twiml(reply)

    async def _answer_once(
        self,
        message_sid: str,
        sender: str,
        text: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        number: str = "",
    ) -> str:
        """Answer a MessageSid once; retries and concurrent duplicates get that answer."""
        assert self.store is not None
        if not message_sid:
            return await self._answer(sender, text, None, on_new_message, number)
        state, stored = self.store.claim(message_sid)
        if state == DONE:
            logger.info("SMS webhook: %s already answered, repeating the reply", message_sid)
            return stored or ""
        if state != NEW:
            return await self._wait_for_first_answer(message_sid)
        try:
            reply = await self._answer(sender, text, message_sid, on_new_message, number)
        except Exception:
            logger.exception("SMS webhook: failed to answer %s (%s)", message_sid, log_id(sender))
            reply = self._apology()
        self.store.finish(message_sid, reply)
        return reply

    async def _wait_for_first_answer(self, message_sid: str) -> str:
        assert self.store is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.duplicate_wait
        while loop.time() < deadline:
            await asyncio.sleep(0.2)
            stored = self.store.stored_reply(message_sid)
            if stored is not None:
                return stored
        logger.warning(
            "SMS webhook: duplicate delivery of %s while the first is unanswered; empty reply",
            message_sid,
        )
        return ""

    async def _answer(
        self,
        sender: str,
        text: str,
        message_sid: str | None,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        phone: str = "",
    ) -> str:
        """The reply text (GSM-7, <= 306) for one message; "" for no reply."""
        assert self.store is not None
        kind, word = fmt.parse_keyword(text)
        opted_out = self.store.is_opted_out(sender)
        if kind == fmt.OPT_OUT:
            if opted_out:
                return ""
            self.store.set_opted_out(sender, True)
            sms_reminders.cancel_on_stop(self.reminders, sender)
            logger.info("SMS: %s opted out", log_id(sender))
            return fmt.opt_out_text(self._protocol())
        if opted_out:
            if kind == fmt.OPT_IN:
                self.store.set_opted_out(sender, False)
                logger.info("SMS: %s opted back in", log_id(sender))
                return fmt.opt_in_text(self._protocol())
            return ""  # opted out: no reply, nothing reaches Rasa
        if kind == fmt.OPT_IN and word != "YES":  # "yes" is also an ordinary answer
            return fmt.opt_in_text(self._protocol())
        if kind == fmt.HELP:
            return fmt.help_text(self._protocol())
        if not text.strip():
            return fmt.empty_body_text(self._protocol())

        number = fmt.parse_option_number(text)
        if number is not None:
            options = self.store.options(sender)
            if 1 <= number <= len(options):
                text = options[number - 1].payload

        # Notice at collection: the first reply to a number with no stored conversation.
        new_number = not personal_data.has_conversation(self.store.engine, sender)
        collector = SmsOutput()
        message = UserMessage(
            text, collector, sender, input_channel=self.name(), message_id=message_sid or None
        )
        turn = asyncio.ensure_future(on_new_message(message))
        turn.add_done_callback(_log_late_failure)
        try:
            await asyncio.wait_for(asyncio.shield(turn), timeout=self.reply_timeout)
        except asyncio.TimeoutError:
            logger.warning(
                "SMS: the bot took over %ss for %s; replying with an apology",
                self.reply_timeout,
                log_id(sender),
            )
            return self._apology()

        sms_reminders.attach_number(self.reminders, collector.messages, sender, self.sender_key or "", phone)
        if new_number:
            notice = fmt.notice_lines(collector.messages, self._protocol().template_values())
            fitted = fmt.reply_with_notice(collector.messages, notice)
        else:
            fitted = fmt.compose_reply(collector.messages)
        if fitted.shortened:
            logger.warning(
                "SMS: reply for %s shortened to fit %s GSM-7 characters; "
                "make the sms response variation shorter",
                log_id(sender),
                fmt.SMS_MAX_CHARS,
            )
        self.store.set_options(sender, list(fitted.options))
        return fitted.text


def _import_legacy_file(store: SmsStore, path: Path) -> None:
    """Move a former sms.db into the database once; renamed so it is not read again."""
    if not path.is_file():
        return
    rows = store.import_sqlite_file(path)
    done = path.with_name(path.name + ".imported")
    try:
        path.rename(done)
    except OSError as error:  # read-only folder: importing again is harmless
        logger.warning("SMS: could not rename %s after importing it (%s)", path, error)
        return
    logger.info("SMS: imported %s rows of %s into the database; kept as %s", rows, path, done)


def _log_late_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.debug("SMS: bot turn failed", exc_info=task.exception())
