"""Measure a running bot: REST round-trip latency and the servers' memory.

Start the bot first (`make run`), then: .venv/bin/python scripts/bench_bot.py
Sends a fixed mix of patient messages (bounded: --rounds x 8 requests) to
the REST channel on localhost, one at a time, and prints latency percentiles
and the resident memory of the Rasa and action server processes.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
import uuid

import requests

MESSAGES = [
    "what is microneedling?",
    "how long does botox last",
    "can i get botox and microneedling the same day",
    "I had microneedling 3 days ago, when can I get Botox?",
    "and when is the ideal time?",
    "what are the risks of combining them",
    "i had botox yesterday and now i can't swallow properly",
    "asdfgh qwerty",
]


def rss_mb(pattern: str) -> float:
    """Total resident memory of processes whose command line matches."""
    out = subprocess.run(["ps", "-eo", "rss=,args="], capture_output=True, text=True, check=True).stdout
    return sum(int(line.split(None, 1)[0]) for line in out.splitlines() if pattern in line) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://localhost:5005")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    latencies = []
    for round_number in range(args.rounds):
        sender = f"bench-{uuid.uuid4().hex[:8]}"
        for text in MESSAGES:
            start = time.perf_counter()
            response = requests.post(
                f"{args.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=30
            )
            response.raise_for_status()
            if round_number:  # the first round warms caches up
                latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(f"requests measured: {len(latencies)} (after one warm-up round)")
    print(f"latency ms: median {statistics.median(latencies):.0f}, p95 {p95:.0f}, max {latencies[-1]:.0f}")
    print(f"memory MB: rasa server {rss_mb('rasa run'):.0f}, action server {rss_mb('rasa_sdk'):.0f}")


if __name__ == "__main__":
    main()
