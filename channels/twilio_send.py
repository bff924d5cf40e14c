"""Texting through Twilio's Messages API (the `twilio` package), for reminders.

Configured by environment variables:
- TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN  the account (Basic auth)
- TWILIO_FROM       a Twilio number (+1604...) or a Messaging Service SID (MG...)
- TWILIO_API_BASE   default https://api.twilio.com; tests point it at a local
                    stand-in server, never at Twilio

Errors are sorted into worth retrying (network, 429, 5xx) or not (any other
4xx: a wrong number, an unsubscribed recipient). Nothing here logs a number.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass
from typing import Mapping, Optional

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

DEFAULT_API_BASE = "https://api.twilio.com"
# The twilio package logs each request's query (a phone number) at INFO.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)


class SendError(Exception):
    def __init__(self, reason: str, retry: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


@dataclass(frozen=True)
class TwilioSettings:
    account_sid: str
    auth_token: str
    sender: str  # TWILIO_FROM
    api_base: str = DEFAULT_API_BASE

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> Optional[TwilioSettings]:
        """None (SMS reminders off) unless all three variables are set."""
        env = os.environ if env is None else env
        sid, token, sender = (env.get(n, "").strip() for n in
                              ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"))
        if not (sid and token and sender):
            return None
        return cls(sid, token, sender, (env.get("TWILIO_API_BASE") or DEFAULT_API_BASE).rstrip("/"))


class TwilioSender:
    def __init__(self, settings: TwilioSettings, timeout: float = 15.0) -> None:
        self.settings = settings
        self.client = Client(settings.account_sid, settings.auth_token,
                             http_client=TwilioHttpClient(timeout=timeout))
        self.client.api.base_url = settings.api_base

    def send(self, to: str, body: str) -> str:
        """Twilio's message SID; SendError when Twilio did not take the message."""
        sender = self.settings.sender
        via = {"messaging_service_sid": sender} if sender.startswith("MG") else {"from_": sender}
        try:
            message = self.client.messages.create(to=to, body=body, **via)
        except TwilioRestException as error:
            retry = error.status == 429 or error.status >= 500
            raise SendError(f"Twilio answered {error.status} (code {error.code})", retry) from None
        except (TwilioException, requests.RequestException) as error:
            raise SendError(f"Twilio unreachable ({error.__class__.__name__})", True) from None
        return str(message.sid)

    def find_sent(self, to: str, body: str, since: dt.datetime) -> Optional[str]:
        """The SID of a message with this body sent to `to` since `since`, if any:
        checked before sending again a reminder whose worker died mid-send."""
        try:
            for message in self.client.messages.list(to=to, date_sent_after=since, limit=50):
                if message.body == body:
                    return str(message.sid)
        except (TwilioException, requests.RequestException) as error:
            raise SendError(f"Twilio's message log unreadable ({error.__class__.__name__})", True) from None
        return None
