"""`make bench`: this bot against Rasa's stock `rasa init` assistant, side by side.

For each bot: training time from scratch (empty cache, temporary output), time
from start to first answer, then scripted REST conversations at 1, 10 and 50
concurrent conversations (localhost only, a bounded number of turns), with
p50/p95/p99 turn latency, turns per second and errors, and the peak resident
memory of the Rasa server and the action server. Prints a table and the
ratios, and writes everything to bench/results/<time>.json (ignored by git).

Both bots run at once and take turns: at each level, rounds alternate
between them (this bot first, then the stock one first, and so on), so a
machine that speeds up or slows down during the run (seen here: 20% within
an hour) weighs on both alike. Each bot's figures pool its rounds.

A benchmark, not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))

from scripts.processes import stop_processes  # noqa: E402

# One conversation per list: FAQ turns, dated turns and follow-ups, as patients write them.
OUR_CONVERSATIONS = [
    ["hi", "what is microneedling?", "and botox?", "how long does botox last", "thanks"],
    ["I had botox 3 days ago, when can I get microneedling?", "what are the risks of combining them", "bye"],
    ["can i get botox and microneedling the same day", "is that safe?",
     "had needling yesterday, when can i get tox"],
    ["how long should i wait between botox and microneedling", "what happens if i dont wait",
     "i'm booked for microneedling on friday, when can i get botox after"],
]
# The stock assistant's own stories: greet, mood, bot challenge, goodbye.
STOCK_CONVERSATIONS = [
    ["hi", "I am sad", "yes", "bye"],
    ["hello", "are you a bot?", "great", "goodbye"],
    ["hey", "not good", "no", "see you later"],
    ["good morning", "I am feeling very good", "am I talking to a human?", "bye"],
]


@dataclass
class LevelResult:
    concurrent: int
    turns: int
    errors: int
    seconds: float
    turns_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    rounds_turns_per_second: List[float] = field(default_factory=list)


@dataclass
class BotResult:
    name: str
    training_seconds: Optional[float] = None
    first_answer_seconds: Optional[float] = None
    levels: List[LevelResult] = field(default_factory=list)
    rasa_peak_mb: Optional[float] = None
    actions_peak_mb: Optional[float] = None


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def _process_tree(root_pid: int) -> List[int]:
    """root_pid and every descendant (Sanic workers are children)."""
    parents: Dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = [root_pid], [root_pid]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        tree += children
        frontier = children
    return tree


def peak_memory_mb(root_pid: int) -> float:
    """The kernel's high-water mark of resident memory (VmHWM), summed over the tree."""
    total_kb = 0
    for pid in _process_tree(root_pid):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


def train_from_scratch(command: List[str], cwd: Path, env: Dict[str, str]) -> float:
    """Seconds to train with an empty training cache."""
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache:
        start = time.perf_counter()
        subprocess.run(
            command, cwd=cwd, env=dict(env, RASA_CACHE_DIRECTORY=cache), check=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        return time.perf_counter() - start


async def _post(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> bool:
    async with session.post(url, json={"sender": sender, "message": text}) as response:
        body = await response.json(content_type=None) if response.status == 200 else None
        return response.status == 200 and isinstance(body, list) and len(body) > 0


async def wait_for_first_answer(url: str, started: float, timeout: float = 600) -> float:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        while time.perf_counter() - started < timeout:
            try:
                if await _post(session, url, f"bench-up-{uuid.uuid4().hex[:6]}", "hi"):
                    return time.perf_counter() - started
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
            await asyncio.sleep(0.25)
    raise TimeoutError(f"no answer from {url} within {timeout} s")


@dataclass
class Round:
    latencies: List[float]
    errors: int
    seconds: float


def pooled(concurrent: int, rounds: List[Round]) -> LevelResult:
    latencies = [x for r in rounds for x in r.latencies]
    seconds = sum(r.seconds for r in rounds)
    return LevelResult(
        concurrent=concurrent, turns=len(latencies), errors=sum(r.errors for r in rounds), seconds=round(seconds, 2),
        turns_per_second=round(len(latencies) / seconds, 1),
        p50_ms=round(percentile(latencies, 0.50)), p95_ms=round(percentile(latencies, 0.95)),
        p99_ms=round(percentile(latencies, 0.99)),
        rounds_turns_per_second=[round(len(r.latencies) / r.seconds, 1) for r in rounds],
    )


async def drive(url: str, conversations: List[List[str]], concurrent: int, per_worker: int) -> Round:
    """`concurrent` workers, each holding `per_worker` conversations in a row."""
    latencies: List[float] = []
    errors = 0

    async def worker(index: int, session: aiohttp.ClientSession, rounds: int) -> None:
        nonlocal errors
        for round_number in range(rounds):
            script = conversations[(index + round_number) % len(conversations)]
            sender = f"bench-{uuid.uuid4().hex[:10]}"
            for text in script:
                start = time.perf_counter()
                try:
                    ok = await _post(session, url, sender, text)
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    ok = False
                latencies.append((time.perf_counter() - start) * 1000)
                errors += not ok

    connector = aiohttp.TCPConnector(limit=concurrent)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as session:
        await worker(0, session, len(conversations))  # warm-up, every script once; not counted
        latencies.clear()
        errors = 0
        start = time.perf_counter()
        await asyncio.gather(*(worker(i, session, per_worker) for i in range(concurrent)))
        seconds = time.perf_counter() - start
    return Round(latencies=list(latencies), errors=errors, seconds=seconds)


def _cmdline_has(pid: int, needle: str) -> bool:
    try:
        return needle in Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return False


@dataclass
class Stack:
    """One bot to measure: how to start it, where it answers, what to say to it."""

    result: BotResult
    command: List[str]
    cwd: Path
    env: Dict[str, str]
    port: int
    conversations: List[List[str]]
    launcher: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks/rest/webhook"

    def start(self) -> None:
        """Start the bot and time its first answer (alone on the machine)."""
        started = time.perf_counter()
        self.launcher = subprocess.Popen(self.command, cwd=self.cwd, env=self.env, start_new_session=True,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.result.first_answer_seconds = round(asyncio.run(wait_for_first_answer(self.url, started)), 1)

    def read_peak_memory(self) -> None:
        assert self.launcher is not None
        tree = _process_tree(self.launcher.pid)
        # Peak of each server process with its own children (Sanic workers).
        for attribute, needle in (("rasa_peak_mb", "rasa run"), ("actions_peak_mb", "rasa_sdk")):
            roots = [pid for pid in tree if _cmdline_has(pid, needle)]
            roots = [pid for pid in roots if not any(pid != r and pid in _process_tree(r) for r in roots)]
            setattr(self.result, attribute, round(sum(peak_memory_mb(pid) for pid in roots)) if roots else None)


def measure(stacks: List[Stack], args: argparse.Namespace) -> None:
    """Start every bot, then drive each level in rounds that alternate between them."""
    try:
        for stack in stacks:
            stack.start()
        for concurrent in args.levels:
            per_worker = max(3, -(-args.conversations // concurrent))
            rounds: Dict[str, List[Round]] = {stack.result.name: [] for stack in stacks}
            for number in range(args.rounds):
                order = stacks if number % 2 == 0 else list(reversed(stacks))
                for stack in order:
                    rounds[stack.result.name].append(
                        asyncio.run(drive(stack.url, stack.conversations, concurrent, per_worker)))
            for stack in stacks:
                level = pooled(concurrent, rounds[stack.result.name])
                stack.result.levels.append(level)
                print(f"  {stack.result.name}: {concurrent:>2} concurrent: {level.turns_per_second} turns/s "
                      f"(rounds: {', '.join(map(str, level.rounds_turns_per_second))}), "
                      f"p95 {level.p95_ms} ms, errors {level.errors}", flush=True)
        for stack in stacks:
            stack.read_peak_memory()
    finally:
        stop_processes([stack.launcher for stack in stacks], timeout=30.0)


def our_stack(args: argparse.Namespace, work: Path) -> Stack:
    result = BotResult("this bot")
    env = dict(os.environ, PYTHONPATH=str(ROOT), BOT_STATE_DIR=str(work / "state"))
    if not args.skip_training:
        print("Training this bot from scratch...", flush=True)
        result.training_seconds = round(train_from_scratch(
            [PYTHON, "-m", "rasa", "train", "--quiet", "--out", str(work / "models")], ROOT, env), 1)
    command = [PYTHON, str(ROOT / "scripts" / "run_bot.py"), "--rasa-port", str(args.port),
               "--actions-port", str(args.port + 50), "--web-port", "0", "--model", str(ROOT / "models")]
    return Stack(result, command, ROOT, env, args.port, OUR_CONVERSATIONS)


def stock_stack(args: argparse.Namespace, work: Path) -> Stack:
    result = BotResult("stock rasa init")
    stock = work / "stock"
    stock.mkdir()
    env = dict(os.environ)
    print("Creating and training the stock `rasa init --no-prompt` assistant...", flush=True)
    # `rasa init` trains as it creates: that is the stock training time from scratch.
    seconds = train_from_scratch(
        [PYTHON, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(stock)], work, env)
    if not args.skip_training:
        result.training_seconds = round(seconds, 1)
    rasa = [PYTHON, "-m", "rasa", "run", "--port", str(args.port + 10), "--model", str(stock / "models")]
    return Stack(result, rasa, stock, env, args.port + 10, STOCK_CONVERSATIONS)


def _ratio(ours: Optional[float], stock: Optional[float]) -> str:
    return f"{ours / stock:.2f}x" if ours and stock else "-"


def report(ours: BotResult, stock: Optional[BotResult]) -> str:
    rows = [("", ours.name, stock.name if stock else "", "ratio")]

    def row(label: str, a: Optional[float], b: Optional[float]) -> None:
        rows.append((label, "-" if a is None else str(a), "-" if b is None else str(b), _ratio(a, b)))

    other = {level.concurrent: level for level in stock.levels} if stock else {}
    for level in ours.levels:
        theirs = other.get(level.concurrent)
        n = level.concurrent
        for label, name in (("turns/s", "turns_per_second"), ("p50 ms", "p50_ms"), ("p95 ms", "p95_ms"),
                            ("p99 ms", "p99_ms"), ("turns", "turns"), ("errors", "errors")):
            row(f"{label} at {n}", getattr(level, name), getattr(theirs, name) if theirs else None)
    row("Rasa server peak MB", ours.rasa_peak_mb, stock.rasa_peak_mb if stock else None)
    row("action server peak MB", ours.actions_peak_mb, stock.actions_peak_mb if stock else None)
    row("start to first answer s", ours.first_answer_seconds, stock.first_answer_seconds if stock else None)
    row("training from scratch s", ours.training_seconds, stock.training_seconds if stock else None)
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", type=lambda s: [int(x) for x in s.split(",")], default=[1, 10, 50])
    parser.add_argument("--conversations", type=int, default=60,
                        help="conversations per level at least (3 per concurrent client at least)")
    parser.add_argument("--port", type=int, default=5905, help="Rasa port (actions +50, stock +10)")
    parser.add_argument("--skip-training", action="store_true", help="do not time training from scratch")
    parser.add_argument("--skip-stock", action="store_true", help="measure this bot only")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per level and bot, alternating")
    args = parser.parse_args(argv)
    if not any((ROOT / "models").glob("*.tar.gz")):
        print("No model in models/: run `make train` first.", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="clinic-bench-"))
    try:
        stacks = [our_stack(args, work)] + ([] if args.skip_stock else [stock_stack(args, work)])
        measure(stacks, args)
        ours, stock = stacks[0].result, (stacks[1].result if len(stacks) > 1 else None)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    table = report(ours, stock)
    print("\n" + table)
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps({
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "cores": os.cpu_count(),
        "levels": args.levels, "conversations": args.conversations, "rounds": args.rounds,
        "bots": [asdict(b) for b in (ours, stock) if b], "table": table,
    }, indent=2), encoding="utf-8")
    print(f"\nWritten to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
