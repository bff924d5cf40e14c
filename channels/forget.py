"""The widget's "Delete chat": POST /webhooks/socketio/forget {"session_id": "..."}.

Who may delete what: the widget's session id is a 128-bit random value that
only the patient's browser holds, and whoever holds it can already continue
that conversation; it is the credential here, so no admin token is needed.
Only a conversation whose messages all came through the widget (socket.io) is
deleted: a REST sender or an SMS number's hash sent here gets the same 404 as
an unknown id, so the endpoint neither deletes nor reveals other channels'
conversations. Requests from an origin the widget is not allowed on are
refused (403), like its socket.io connections (WIDGET_ALLOWED_ORIGINS).

The deletion takes the conversation's lock, so a message being answered at
that moment is finished first and not written back afterwards.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, List, Union

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic.privacy import WIDGET_CHANNEL
from stores import db, personal_data

logger = logging.getLogger(__name__)

SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
MAX_BODY = 1024


def _reason(status: int, reason: str) -> HTTPResponse:
    return response.json({"reason": reason}, status=status)


def _origin_allowed(request: Request, allowed: Union[List[str], str, None]) -> bool:
    origin = (request.headers.get("origin") or "").rstrip("/")
    if not origin or allowed == "*":
        return True  # no Origin: not a browser page's request (curl, the server's own page)
    if allowed is None:
        return origin.split("://", 1)[-1] == request.host
    return origin in allowed


def add_forget_route(blueprint: Blueprint, allowed_origins: Union[List[str], str, None]) -> None:
    """Adds POST /forget to the socket.io channel's blueprint."""

    @blueprint.route("/forget", methods=["POST"])
    async def forget(request: Request) -> HTTPResponse:
        if not _origin_allowed(request, allowed_origins):
            return _reason(403, "This origin may not use the chat.")
        body = request.body or b""
        if len(body) > MAX_BODY:
            return _reason(413, f"The body must be at most {MAX_BODY} bytes.")
        try:
            data: Any = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return _reason(400, 'Expected a JSON body: {"session_id": "..."}.')
        session_id = data.get("session_id") if isinstance(data, dict) else None
        if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
            return _reason(400, "session_id must be the widget's chat ID (16 to 128 letters, digits, - or _).")

        engine = db.shared_engine()
        agent = getattr(request.app.ctx, "agent", None)
        lock_store = getattr(agent, "lock_store", None)
        if lock_store is None:
            return _reason(503, "The chat server is starting; try again shortly.")
        async with lock_store.lock(session_id):
            channels = personal_data.channels_of(engine, session_id)
            if not channels or channels - {WIDGET_CHANNEL}:
                return _reason(404, "No chat of the widget has this ID.")
            deletion = personal_data.forget_sender(engine, session_id)
        logger.info("Widget Delete chat: one conversation deleted (%s rows)", deletion.total)
        return response.json({"deleted": True})
