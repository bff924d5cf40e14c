"""Starting, waiting for and stopping the bot's server processes.

One place for what the launcher (scripts/run_bot.py) and the test suite both
need: a server is "up" when its URL answers, and stopping sends a signal,
waits, then kills the whole process group of whatever did not stop.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from typing import Iterable, Sequence

import requests


def wait_until_up(urls: Iterable[str], process: subprocess.Popen, timeout: float) -> None:
    """Return once every URL answers; raise if `process` exits or time runs out."""
    deadline = time.monotonic() + timeout
    pending = list(urls)
    while pending:
        if process.poll() is not None:
            raise RuntimeError(f"{' '.join(map(str, process.args[:3]))} exited with {process.returncode}")
        try:
            requests.get(pending[0], timeout=2)
            pending.pop(0)
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise RuntimeError(f"not up after {timeout}s: {pending}") from None
            time.sleep(0.5)


def stop_processes(
    processes: Sequence[subprocess.Popen | None], timeout: float = 30.0, first_signal: int = signal.SIGTERM
) -> None:
    """Ask each running process to stop, wait up to `timeout` in all, then kill
    what is left (its process group when it leads one)."""
    running = [p for p in processes if p is not None and p.poll() is None]
    for process in running:
        process.send_signal(first_signal)
    deadline = time.monotonic() + timeout
    for process in running:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                if os.getpgid(process.pid) == process.pid:
                    os.killpg(process.pid, signal.SIGKILL)
                else:
                    process.kill()
            except ProcessLookupError:
                pass
            process.wait()
