"""Serve the demo clinic page with the chat widget (web/dist, built by `make web`).

    python scripts/serve_web.py --port 8080 --rasa-url http://localhost:5005

The demo page's widget tag is filled in on the fly: `data-server` points at
--rasa-url, and the clinic's name, phone number and booking link come from the
clinic protocol (clinic/protocol.yml), so the widget only ever turns that
booking link into a clickable link. The page is sent with a Content Security
Policy that allows this server and the Rasa server only: nothing loads from a
CDN or any third party. Binds 127.0.0.1 unless --host says otherwise; Ctrl-C
(SIGINT) or SIGTERM stops it cleanly.
"""

from __future__ import annotations

import argparse
import functools
import html
import http.server
import signal
import sys
from pathlib import Path
from typing import Dict
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "web" / "dist"
REQUIRED = ("widget.js", "widget.css", "index.html")
MISSING_MESSAGE = (
    "The chat widget is not built (web/dist is missing or incomplete). "
    "Run `make web` (or: cd web && npm ci && npm run build), then restart."
)


def page_values(rasa_url: str) -> Dict[str, str]:
    """Values for the demo page's placeholders."""
    values = {
        "RASA_URL": rasa_url.rstrip("/"),
        "CLINIC_NAME": "the clinic",
        "CLINIC_CITY": "",
        "CLINIC_PHONE": "",
        "BOOKING_URL": "",
        "EMERGENCY_NUMBER": "911",
    }
    try:
        sys.path.insert(0, str(ROOT))
        from clinic.protocol import load_protocol

        protocol = load_protocol()
        values.update(
            CLINIC_NAME=protocol.clinic_name,
            CLINIC_CITY=protocol.city,
            CLINIC_PHONE=protocol.phone,
            BOOKING_URL=protocol.booking_url,
            EMERGENCY_NUMBER=protocol.emergency_number,
        )
    except Exception as error:  # the page still works, with generic wording
        print(f"serve_web: could not read the clinic protocol ({error}); using defaults", file=sys.stderr)
    return values


def render_page(template: str, values: Dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace(f"%{key}%", html.escape(value, quote=True))
    return template


def content_security_policy(rasa_url: str) -> str:
    parts = urlsplit(rasa_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    ws_origin = origin.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
    return (
        "default-src 'self'; "
        f"connect-src 'self' {origin} {ws_origin}; "
        "img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def is_built(directory: Path) -> bool:
    return all((directory / name).is_file() for name in REQUIRED)


class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files from web/dist; the demo page rendered per request (a rebuild needs no restart)."""

    dist = DIST
    values: dict[str, str] = {}
    csp = "default-src 'self'"

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = urlsplit(self.path).path
        if not is_built(self.dist):
            self._send(503, MISSING_MESSAGE.encode("utf-8"), "text/plain; charset=utf-8")
            return
        if path in ("/", "/index.html"):
            template = (self.dist / "index.html").read_text(encoding="utf-8")
            self._send(200, render_page(template, self.values).encode("utf-8"), "text/html; charset=utf-8", csp=True)
            return
        super().do_GET()

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def _send(self, status: int, body: bytes, content_type: str, csp: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if csp:
            self.send_header("Content-Security-Policy", self.csp)
            self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_request(self, code: object = "-", size: object = "-") -> None:
        """Log failed requests only; successful ones would drown the bot's log."""
        if str(getattr(code, "value", code)).startswith(("4", "5")):
            super().log_request(code, size)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True  # an open keep-alive connection never delays the exit
    allow_reuse_address = True


def build_handler(rasa_url: str, directory: Path = DIST) -> functools.partial:
    if not is_built(directory):
        print(f"serve_web: {MISSING_MESSAGE}", file=sys.stderr, flush=True)
    handler_class = type(
        "DemoPageHandler",
        (Handler,),
        {"dist": directory, "values": page_values(rasa_url), "csp": content_security_policy(rasa_url)},
    )
    return functools.partial(handler_class, directory=str(directory))


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--rasa-url", default="http://localhost:5005", help="the Rasa server the widget talks to")
    args = parser.parse_args(argv)

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    handler = build_handler(args.rasa_url)
    try:
        # SIGINT too, explicitly: a parent may have started us with SIGINT ignored.
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        with Server((args.host, args.port), handler) as server:
            print(f"Demo page on http://localhost:{server.server_address[1]} (widget -> {args.rasa_url})", flush=True)
            server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
