"""Start the action server, the Rasa server, the reminder worker and the demo web page together.

Used by `make run` (ports 5055, 5005, 8080) and by the test suite (other
ports, so tests never collide with a bot a developer has running). Stays in
the foreground; Ctrl-C or SIGTERM stops every child cleanly, and if one child
dies the others are stopped too. It also deletes conversations idle longer
than the retention period at start and then daily (scripts/purge.py).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import List, Optional

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))

from scripts.processes import stop_processes  # noqa: E402
from scripts.purge import run_daily  # noqa: E402


def _endpoints_file(actions_port: int, out_dir: Path) -> Path:
    """endpoints.yml with the action server's URL set to the chosen port."""
    text = (ROOT / "endpoints.yml").read_text(encoding="utf-8")
    text = text.replace("localhost:5055", f"localhost:{actions_port}")
    path = out_dir / "endpoints.yml"
    path.write_text(text, encoding="utf-8")
    return path


def build_commands(args: argparse.Namespace, tmp: Path) -> List[List[str]]:
    actions = [
        PYTHON, "-m", "rasa_sdk", "--actions", "actions",
        "--port", str(args.actions_port),
    ]
    rasa = [
        PYTHON, "-m", "rasa", "run",
        "--model", args.model,
        "--port", str(args.rasa_port),
        "--endpoints", str(_endpoints_file(args.actions_port, tmp)),
        "--credentials", str(ROOT / "credentials.yml"),
        "--cors", *args.cors.split(),
    ]
    token = os.environ.get("RASA_API_TOKEN")
    if token:
        # The HTTP API reads and changes conversations: only with a token.
        rasa += ["--enable-api", "--auth-token", token]
    commands = [actions, rasa]
    if args.reminders_every:
        # The reminder worker (issue 12): one pass a minute; more workers may run anywhere.
        commands.append([PYTHON, str(ROOT / "scripts" / "reminders_due.py"), "--every", str(args.reminders_every)])
    if args.web_port:
        commands.append(
            [PYTHON, str(ROOT / "scripts" / "serve_web.py"), "--port", str(args.web_port),
             "--rasa-url", f"http://localhost:{args.rasa_port}"]
        )
    return commands


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--actions-port", type=int, default=5055)
    parser.add_argument("--web-port", type=int, default=8080, help="0 to skip the demo page")
    parser.add_argument("--model", default=str(ROOT / "models"))
    parser.add_argument("--reminders-every", type=float, default=60.0,
                        help="seconds between the reminder worker's passes; 0 to not start it")
    parser.add_argument(
        "--cors",
        default=os.environ.get("WIDGET_ALLOWED_ORIGINS", "http://localhost:8080 http://127.0.0.1:8080"),
        help="space-separated origins allowed to talk to the Rasa server",
    )
    args = parser.parse_args(argv)

    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    env = dict(os.environ, PYTHONPATH=str(ROOT), WIDGET_ALLOWED_ORIGINS=args.cors)
    with tempfile.TemporaryDirectory(prefix="clinic-bot-") as tmp:
        children: List[subprocess.Popen] = []
        for command in build_commands(args, Path(tmp)):
            # Own process group: a terminal Ctrl-C reaches us once, and we stop
            # the children in order instead of all of them at the same instant.
            children.append(subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True))
        print(
            f"Bot starting: Rasa http://localhost:{args.rasa_port} "
            f"(REST /webhooks/rest/webhook), actions :{args.actions_port}"
            + (f", demo page http://localhost:{args.web_port}" if args.web_port else "")
            + ". Ctrl-C stops everything.",
            flush=True,
        )
        purge_stop = threading.Event()
        threading.Thread(target=run_daily, args=(purge_stop, env), name="retention", daemon=True).start()
        exit_code = 0
        while not stopping:
            dead = [c for c in children if c.poll() is not None]
            if dead:
                exit_code = dead[0].returncode or 1
                print(f"A server exited ({' '.join(dead[0].args[:4])}); stopping the rest.", flush=True)
                break
            time.sleep(0.3)
        purge_stop.set()
        # SIGINT, as a terminal's Ctrl-C would send it: each server shuts down cleanly.
        stop_processes(children, timeout=15.0, first_signal=signal.SIGINT)
    print("All servers stopped.", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
