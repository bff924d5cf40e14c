"""scripts/serve_web.py, the demo page's web server, on its own: no bot needed.

Its handler is served from a temporary folder on a free port; the last test
runs the script itself to check that Ctrl-C (SIGINT) stops it.
"""

from __future__ import annotations

import html
import http.server
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from clinic.protocol import load_protocol
from scripts import serve_web
from scripts.processes import stop_processes

ROOT = Path(__file__).resolve().parents[2]
RASA_URL = "http://localhost:5999"
PAGE_TEMPLATE = (
    '<script src="widget.js" data-server="%RASA_URL%" data-clinic-name="%CLINIC_NAME%" '
    'data-clinic-phone="%CLINIC_PHONE%" data-booking-url="%BOOKING_URL%"></script>'
)

Serve = Callable[[Path], str]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Serve a folder as the demo page's web/dist (the widget talks to RASA_URL); its URL."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(directory: Path) -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), serve_web.build_handler(RASA_URL, directory))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A web/dist as `make web` leaves it."""
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "widget.js").write_text("/* widget */")
    (dist / "widget.css").write_text("/* css */")
    (dist / "index.html").write_text(PAGE_TEMPLATE)
    return dist


def test_an_unbuilt_widget_gets_a_503_that_says_how_to_build_it(serve: Serve, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    response = requests.get(serve(empty), timeout=5)
    assert response.status_code == 503
    assert "make web" in response.text


def test_the_page_is_filled_in_from_the_protocol(serve: Serve, built: Path) -> None:
    page = requests.get(serve(built), timeout=5).text
    protocol = load_protocol()
    name, phone, booking = (html.escape(v) for v in (protocol.clinic_name, protocol.phone, protocol.booking_url))
    assert page == (
        f'<script src="widget.js" data-server="{RASA_URL}" data-clinic-name="{name}" '
        f'data-clinic-phone="{phone}" data-booking-url="{booking}"></script>'
    )


def test_the_page_may_connect_only_to_itself_and_rasa(serve: Serve, built: Path) -> None:
    csp = requests.get(serve(built), timeout=5).headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["connect-src"] == f"'self' {RASA_URL} ws://localhost:5999"
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"


def test_the_widget_files_are_served_as_built(serve: Serve, built: Path) -> None:
    assert requests.get(f"{serve(built)}/widget.js", timeout=5).text == "/* widget */"


def test_serve_web_stops_on_sigint() -> None:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "serve_web.py"), "--port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        assert process.stdout is not None
        assert "Demo page" in process.stdout.readline()
        process.send_signal(signal.SIGINT)
        assert process.wait(10) == 0
    finally:
        stop_processes([process], timeout=5.0)
