"""The website widget's channel: Rasa's socket.io channel, with two changes.

credentials.yml:

    channels.web.WidgetSocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true

1. Origins. Rasa 3.6.21 builds its socket.io server with
   ``cors_allowed_origins=[]``, which turns origin checks off: any web page
   could open a websocket to the bot. Here the ``Origin`` of every socket.io
   request (polling and websocket) must be one of the space-separated origins
   in the environment variable ``WIDGET_ALLOWED_ORIGINS`` (the launcher
   scripts/run_bot.py always sets it, and passes the same list to ``--cors``).
   Unset or empty means same-origin only. The CORS response headers are still
   written by Rasa's own ``--cors`` handling, never twice.

2. Output. Rasa's ``SocketIOOutput.send_custom_json`` calls
   ``sio.emit(event, **json_message)``, so a custom payload such as
   ``{"wait_plan": {...}}`` raises TypeError and never reaches the browser;
   and ``send_text_message`` splits a text at every blank line into separate
   messages. Here a text goes out whole (the answer and its disclaimer) and a
   custom payload goes out as ``{"custom": {...}}``, the shape the REST channel
   uses too.

3. Replicas. With ``REDIS_URL`` set, the socket.io server uses
   python-socketio's ``AsyncRedisManager``: a message emitted by any Rasa
   replica (to a session's room) reaches the browser connected to another,
   and every replica knows every room. Unset, rooms live in this process.

4. Hostile input. Every turn goes through channels/guard.py (the one
   message-length cap, an apology instead of silence when the action server
   or the database is down). A payload that is not an object, a message or
   session id that is not a string, or metadata that is not an object is
   dropped without a turn. Each connection may send ``RATE_BURST`` messages
   at once and then one every ``RATE_INTERVAL`` seconds; beyond that its
   messages are dropped and it is told once to slow down. A packet larger
   than ``MAX_PACKET_BYTES`` closes the connection (python-engineio).
"""

from __future__ import annotations

import inspect
import logging
import os
import time
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Union

import rasa.core.channels.channel
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

from channels import reminder_delivery
from channels.forget import add_forget_route
from channels.guard import TOO_MANY, guarded, log_id, send_answer

logger = logging.getLogger(__name__)

ALLOWED_ORIGINS_ENV = "WIDGET_ALLOWED_ORIGINS"
DEFAULT_REDIS_KEY_PREFIX = "clinic:"
MAX_SESSION_ID_CHARS = 128
RATE_BURST = 5
RATE_INTERVAL = 2.0
# python-engineio's default, written down: a bigger packet closes the socket.
# Below it, an oversized message gets the guard's "too long" answer instead.
MAX_PACKET_BYTES = 1_000_000


class RateLimit:
    """A token bucket: `burst` messages at once, then one per `interval` seconds."""

    def __init__(self, burst: int = RATE_BURST, interval: float = RATE_INTERVAL) -> None:
        self.burst = burst
        self.interval = interval
        self.tokens = float(burst)
        self.updated = time.monotonic()
        self.warned = False

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) / self.interval)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            self.warned = False
            return True
        return False

    def warn_once(self) -> bool:
        """True the first time a message is dropped since the last one let through."""
        first, self.warned = not self.warned, True
        return first


def client_manager_from_env() -> Dict[str, Any]:
    """AsyncServer's client_manager argument: Redis pub/sub when REDIS_URL is set."""
    url = os.environ.get("REDIS_URL")
    if not url:
        return {}
    # The channel carries REDIS_KEY_PREFIX so deployments sharing a Redis stay apart.
    channel = (os.environ.get("REDIS_KEY_PREFIX") or DEFAULT_REDIS_KEY_PREFIX) + "socketio"
    return {"client_manager": AsyncRedisManager(url, channel=channel)}


def allowed_origins_from_env(value: str | None = None) -> Union[List[str], str, None]:
    """The origin list for python-engineio: a list, "*" (any), or None (same origin)."""
    raw = os.environ.get(ALLOWED_ORIGINS_ENV, "") if value is None else value
    origins = [origin.rstrip("/") for origin in raw.split() if origin.strip()]
    if not origins:
        return None
    if "*" in origins:
        return "*"
    return origins


class OriginCheckingServer(AsyncServer):
    """Rejects socket.io requests from origins not allowed; leaves CORS headers to Sanic-CORS.

    python-engineio both checks the Origin header and adds its own
    Access-Control-* headers when ``cors_allowed_origins`` is set. Rasa's
    ``--cors`` (Sanic-CORS) adds them as well, and a browser refuses a response
    with two Access-Control-Allow-Origin headers, so only the check is kept.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.eio._cors_headers = lambda environ: []  # type: ignore[method-assign]

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        # python-socketio decodes a packet here and logs a traceback when it is
        # not JSON or nested too deep to parse (RecursionError); such a packet
        # is dropped, the socket stays open.
        try:
            await super()._handle_eio_message(eio_sid, data)
        except (ValueError, RecursionError) as error:
            logger.info("Dropped a malformed socket.io packet from %s (%s)", log_id(eio_sid), type(error).__name__)


class WidgetSocketIOOutput(SocketIOOutput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sent = 0  # read by the guard: a turn that sent nothing gets an apology

    async def _send_message(self, socket_id: str, response: Any) -> None:
        self.sent += 1
        await super()._send_message(socket_id, response)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"text": text.strip()})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._send_message(
            recipient_id,
            {
                "text": text.strip(),
                "quick_replies": [
                    {"content_type": "text", "title": button["title"], "payload": button["payload"]}
                    for button in buttons
                ],
            },
        )

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class WidgetSocketIOInput(SocketIOInput):
    """Rasa's socket.io input channel with allowed origins and the output above."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def __init__(self, *args: Any, allowed_origins: Union[List[str], str, None] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allowed_origins = allowed_origins

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> WidgetSocketIOInput:
        credentials = credentials or {}
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            credentials.get("session_persistence", False),
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("jwt_key"),
            credentials.get("jwt_method", "HS256"),
            credentials.get("metadata_key", "metadata"),
            allowed_origins=allowed_origins_from_env(),
        )

    def get_output_channel(self) -> WidgetSocketIOOutput | None:
        if self.sio is None:
            return None
        return WidgetSocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa 3.6.21's SocketIOInput.blueprint with the server and output swapped."""
        if self.allowed_origins is None:
            logger.warning(
                f"{ALLOWED_ORIGINS_ENV} is not set: the chat widget only works from the Rasa server's own origin."
            )
        sio = OriginCheckingServer(
            async_mode="sanic", cors_allowed_origins=self.allowed_origins,
            max_http_buffer_size=MAX_PACKET_BYTES, **client_manager_from_env()
        )
        on_new_message = guarded(on_new_message)
        limits: Dict[str, RateLimit] = {}
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        # The widget's "Delete chat" deletes the server's copy too (issue 11).
        add_forget_route(socketio_webhook, self.allowed_origins)
        def connected_here(session_id: str) -> bool:
            return bool(sio.manager.rooms.get(self.namespace or "/", {}).get(session_id))

        async def emit_reminder(session_id: str, message: Dict[str, Any]) -> None:
            await sio.emit(self.bot_message_evt, {"text": message["text"]}, room=session_id,
                           namespace=self.namespace)

        @socketio_webhook.listener("after_server_start")
        async def start_reminder_poll(app: Any, loop: Any) -> None:
            # Due reminders (issue 12) reach sessions connected to this process.
            app.ctx.reminder_poll = loop.create_task(
                reminder_delivery.poll_connected_sessions(connected_here, emit_reminder, self.name()))

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: Dict, auth: Dict | None) -> bool:
            if self.jwt_key:
                jwt_payload = None
                if isinstance(auth, dict) and auth.get("token"):
                    jwt_payload = rasa.core.channels.channel.decode_bearer_token(
                        auth.get("token"), self.jwt_key, self.jwt_algorithm
                    )
                if not jwt_payload:
                    return False
            logger.debug(f"User {sid} connected to socketIO endpoint.")
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            limits.pop(sid, None)
            logger.debug(f"User {sid} disconnected from socketIO endpoint.")

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Dict | None) -> None:
            if not isinstance(data, dict):
                data = {}
            session_id = data.get("session_id")
            if not _valid_session_id(session_id):
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                # python-socketio >= 5.10 made enter_room a coroutine; Rasa 3.6.21
                # calls it without await, so its session rooms are never joined.
                joined = sio.enter_room(sid, session_id)
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", session_id, room=sid)
            if self.session_persistence:  # a reminder that came due while the widget was closed
                for message in await reminder_delivery.take_messages_async(session_id, self.name()):
                    await sio.emit(self.bot_message_evt, {"text": message["text"]}, room=sid,
                                   namespace=self.namespace)
            logger.debug(f"User {sid} joined session {log_id(session_id)}.")

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            limit = limits.setdefault(sid, RateLimit())
            output_channel = WidgetSocketIOOutput(sio, self.bot_message_evt)
            if not limit.allow():
                if limit.warn_once():
                    logger.info("Socket %s sends too fast; dropping its messages for now", log_id(sid))
                    await send_answer(output_channel, sid, TOO_MANY)
                return
            if not isinstance(data, dict):
                return
            if self.session_persistence:
                sender_id = data.get("session_id")
                if not _valid_session_id(sender_id):
                    logger.info("Dropped a message from socket %s without a valid session_id", log_id(sid))
                    return
            else:
                sender_id = sid
            text = data.get("message")
            if not isinstance(text, str):
                return
            metadata = data.get(self.metadata_key)
            message = UserMessage(
                text,
                output_channel,
                sender_id,
                input_channel=self.name(),
                metadata=metadata if isinstance(metadata, dict) else {},
            )
            await on_new_message(message)

        return socketio_webhook


def _valid_session_id(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_SESSION_ID_CHARS and value.isprintable()
