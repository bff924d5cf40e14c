"""Two per-turn costs measured on their own, each way in turn (bench/README.md).

    .venv/bin/python scripts/bench_parts.py [--rounds 5]

1. spaCy on a message: the full en_core_web_sm pipeline, and without the
   parser and entity recogniser (what the Rasa server runs; the date reading
   completes the parse only when it needs it).
2. One call to the action server: a new aiohttp session per call (Rasa
   3.6's EndpointConfig), and one kept session (channels/rasa_speedups.py).

CPU time of this process per message or call; the two ways alternate, and
the best round of each is printed, so a busy machine shows as spread, not
as a difference.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Callable, Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.bench import OUR_CONVERSATIONS  # noqa: E402
from scripts.processes import stop_processes, wait_until_up  # noqa: E402

MESSAGES = [text for conversation in OUR_CONVERSATIONS for text in conversation]


def alternate(ways: Dict[str, Callable[[], float]], rounds: int) -> Dict[str, List[float]]:
    results: Dict[str, List[float]] = {name: [] for name in ways}
    names = list(ways)
    for number in range(rounds):
        for name in names if number % 2 == 0 else reversed(names):
            results[name].append(ways[name]())
    return results


def spacy_costs(rounds: int) -> Dict[str, List[float]]:
    from clinic.dates.tense import LAZY_PIPES, spacy_pipeline

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nlp = spacy_pipeline()
    texts = [m.lower() for m in MESSAGES] * 10

    def per_message(disable: List[str]) -> Callable[[], float]:
        def run() -> float:
            start = time.process_time()
            for text in texts:
                nlp(text, disable=disable)
            return (time.process_time() - start) / len(texts) * 1000
        return run

    return alternate({"spaCy, full pipeline": per_message([]),
                      "spaCy, without parser and NER": per_message(list(LAZY_PIPES))}, rounds)


def action_call_costs(rounds: int, port: int) -> Dict[str, List[float]]:
    import aiohttp

    from channels.rasa_speedups import CLIENT_KEEPALIVE_S

    url = f"http://127.0.0.1:{port}/health"
    server = subprocess.Popen([sys.executable, "-m", "rasa_sdk", "--actions", "actions", "-p", str(port)],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    calls = 300
    try:
        wait_until_up([url], server, timeout=60)

        async def new_sessions() -> float:
            start = time.process_time()
            for _ in range(calls):
                async with aiohttp.ClientSession() as session, session.get(url) as response:
                    await response.json()
            return (time.process_time() - start) / calls * 1000

        async def kept_session() -> float:
            async with aiohttp.ClientSession(
                    connector=aiohttp.TCPConnector(keepalive_timeout=CLIENT_KEEPALIVE_S)) as session:
                start = time.process_time()
                for _ in range(calls):
                    async with session.get(url) as response:
                        await response.json()
                return (time.process_time() - start) / calls * 1000

        return alternate({"action call, new session": lambda: asyncio.run(new_sessions()),
                          "action call, kept session": lambda: asyncio.run(kept_session())}, rounds)
    finally:
        stop_processes([server])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--port", type=int, default=5985, help="the action server's port here")
    args = parser.parse_args()
    results = {**spacy_costs(args.rounds), **action_call_costs(args.rounds, args.port)}
    for name, values in results.items():
        print(f"{name:<32} best {min(values):5.2f} ms  (rounds: {', '.join(f'{v:.2f}' for v in values)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
