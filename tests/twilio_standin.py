"""A local stand-in for Twilio's Messages API, for the reminder tests.

It checks HTTP Basic auth (account SID and auth token) like Twilio, records
every message it is asked to send, answers like Twilio (201 with a SID, or
401), can fail the next N sends with 503 to test retries, and lists sent
messages (GET, filtered by To) for the recovery check. Nothing reaches Twilio.
"""

from __future__ import annotations

import base64
import itertools
import json
import random
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Iterator, List
from urllib.parse import parse_qs, urlsplit

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "standin-auth-token"
FROM_NUMBER = "+16045550100"

# One counter per test process, from a random start: every test phone gets a
# number no other phone in the run has. (Four random digits collided: two
# tests in one bot session shared a conversation.)
_PHONE_NUMBERS = itertools.count(random.randrange(10**7))


def fresh_phone_number() -> str:
    """A fictional +1 604 number not handed out before in this test process."""
    return f"+1604{next(_PHONE_NUMBERS) % 10**7:07d}"


@dataclass
class StandInTwilio:
    url: str
    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    sent: List[Dict[str, str]] = field(default_factory=list)
    refused: int = 0  # requests with wrong credentials
    fail_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def env(self) -> Dict[str, str]:
        return {"TWILIO_ACCOUNT_SID": self.account_sid, "TWILIO_AUTH_TOKEN": self.auth_token,
                "TWILIO_FROM": FROM_NUMBER, "TWILIO_API_BASE": self.url}

    def reset(self) -> None:
        with self.lock:
            self.sent.clear()
            self.refused = 0
            self.fail_next = 0


def _handler(state: StandInTwilio) -> type:
    prefix = f"/2010-04-01/Accounts/{state.account_sid}/Messages.json"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _json(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> bool:
            expected = base64.b64encode(f"{state.account_sid}:{state.auth_token}".encode()).decode()
            if self.headers.get("Authorization") == f"Basic {expected}":
                return True
            with state.lock:
                state.refused += 1
            self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
            return False

        def do_POST(self) -> None:  # noqa: N802
            if urlsplit(self.path).path != prefix:
                return self._json(404, {"code": 20404, "message": "Not found", "status": 404})
            if not self._authorised():
                return None
            form = {k: v[0] for k, v in parse_qs(
                self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()).items()}
            with state.lock:
                if state.fail_next > 0:
                    state.fail_next -= 1
                    return self._json(503, {"code": 20503, "message": "Service unavailable", "status": 503})
                message = {"sid": "SM" + uuid.uuid4().hex, "to": form.get("To", ""),
                           "from": form.get("From", ""), "body": form.get("Body", ""),
                           "messaging_service_sid": form.get("MessagingServiceSid"), "status": "queued",
                           "account_sid": state.account_sid}
                state.sent.append(message)
            return self._json(201, message)

        def do_GET(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            if parts.path != prefix:
                return self._json(404, {"code": 20404, "message": "Not found", "status": 404})
            if not self._authorised():
                return None
            to = parse_qs(parts.query).get("To", [None])[0]
            with state.lock:
                found = [m for m in state.sent if to is None or m["to"] == to]
            return self._json(200, {"messages": found, "next_page_uri": None, "page": 0, "page_size": 50,
                                    "uri": self.path, "first_page_uri": self.path, "previous_page_uri": None})

    return Handler


def serve(port: int) -> Iterator[StandInTwilio]:
    state = StandInTwilio(url=f"http://127.0.0.1:{port}")
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
