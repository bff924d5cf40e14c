"""Where a turn's time goes: the Rasa side of the bot profiled in-process.

Starts the action server on --actions-port, loads the model in models/ with
this project's endpoints (tracker store in a temporary SQLite file), sends
the benchmark's conversations one turn at a time under cProfile, and prints
the mean time of the language pipeline alone and of a whole turn, then the
functions with the most cumulative time.

    .venv/bin/python scripts/profile_turn.py [--rounds 5] [--top 40]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import logging
import os
import pstats
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import List, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.bench import OUR_CONVERSATIONS  # noqa: E402
from scripts.processes import stop_processes, wait_until_up  # noqa: E402


async def run(args: argparse.Namespace) -> None:
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # As `rasa run` at its default level: no debug lines formatted.
    configure_logging_and_warnings(logging.INFO)
    configure_structlog(logging.INFO)

    import channels.rest  # noqa: F401  (the Rasa server's fixes, applied with its REST channel)
    from scripts.run_bot import _endpoints_file

    with tempfile.TemporaryDirectory(prefix="profile-") as tmp:
        endpoints = AvailableEndpoints.read_endpoints(str(_endpoints_file(args.actions_port, Path(tmp))))
        agent = await load_agent(model_path=str(ROOT / "models"), endpoints=endpoints)
        messages = [text for conversation in OUR_CONVERSATIONS for text in conversation]
        for text in messages:  # warm-up: TensorFlow graphs, spaCy, connections
            await agent.handle_text(text, sender_id=f"warm-{uuid.uuid4().hex[:6]}")

        start = time.perf_counter()
        for _ in range(args.rounds):
            for text in messages:
                await agent.parse_message(text)
        parse_ms = (time.perf_counter() - start) * 1000 / (args.rounds * len(messages))

        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.enable()
        for _ in range(args.rounds):
            for conversation in OUR_CONVERSATIONS:
                sender = f"profile-{uuid.uuid4().hex[:8]}"
                for text in conversation:
                    await agent.handle_text(text, sender_id=sender)
        profiler.disable()
        turn_ms = (time.perf_counter() - start) * 1000 / (args.rounds * len(messages))

    print(f"language pipeline alone: {parse_ms:.1f} ms per message")
    print(f"whole turn (pipeline, policies, action server, tracker store): {turn_ms:.1f} ms per turn\n")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue())


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--actions-port", type=int, default=5975)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="profile-state-") as state:
        env = dict(os.environ, PYTHONPATH=str(ROOT), BOT_STATE_DIR=state)
        os.environ["BOT_STATE_DIR"] = state
        actions = subprocess.Popen(
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(args.actions_port)],
            cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up([f"http://localhost:{args.actions_port}/health"], actions, timeout=120)
            asyncio.run(run(args))
        finally:
            stop_processes([actions], timeout=15.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
