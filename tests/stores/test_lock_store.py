"""stores/lock_store.py against the real Redis, and the race it removes.

The replica test runs two OS processes (two "Rasa replicas") that take turns
on ONE conversation as fast as they can, through Rasa's stock RedisLockStore
and through AtomicRedisLockStore. Inside the lock each does a deliberately
unsafe read-sleep-write on a shared Redis counter and notes whether anyone
else was inside at the same time. A correct lock shows no overlap, no lost
update and no LockError.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
import uuid
from typing import Any, Dict

import pytest
import redis
from rasa.core.lock_store import InMemoryLockStore, LockError, RedisLockStore
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from stores.lock_store import AtomicRedisLockStore
from tests.conftest import RedisPrefix

ROUNDS = 150
HOLD_SECONDS = 0.002
STUCK_SECONDS = 2.0
BUDGET_SECONDS = 25.0  # per process; a stuck lock would otherwise take ROUNDS x STUCK_SECONDS
WAIT_SECONDS = 0.005  # Rasa polls every 1 s; faster here to get many turns in a few seconds


def _store(kind: str, url: str, prefix: str) -> Any:
    if kind == "stock":
        client = redis.Redis.from_url(url)
        kwargs = client.connection_pool.connection_kwargs
        return RedisLockStore(host=kwargs["host"], port=kwargs["port"], db=kwargs.get("db", 0))
    return AtomicRedisLockStore(url=url, key_prefix=prefix)


def _hammer(kind: str, url: str, prefix: str, conversation: str, start_at: float, out: Any) -> None:
    """One 'replica': ROUNDS turns on `conversation`, each an unsafe read-modify-write."""
    store = _store(kind, url, prefix)
    red = redis.Redis.from_url(url)
    inside, counter = conversation + ":inside", conversation + ":counter"

    async def run() -> Dict[str, int]:
        result = {"turns": 0, "overlaps": 0, "lock_errors": 0, "stuck": 0}

        async def turn() -> None:
            async with store.lock(conversation, wait_time_in_seconds=WAIT_SECONDS):
                if red.incr(inside) > 1:
                    result["overlaps"] += 1
                value = int(red.get(counter) or 0)
                await asyncio.sleep(HOLD_SECONDS)
                red.set(counter, value + 1)
                red.decr(inside)
                result["turns"] += 1

        deadline = time.monotonic() + BUDGET_SECONDS
        for _ in range(ROUNDS):
            if time.monotonic() > deadline:
                break
            try:
                # A turn waiting this long is stuck behind a ticket nobody holds.
                await asyncio.wait_for(turn(), STUCK_SECONDS)
            except LockError:
                result["lock_errors"] += 1
            except asyncio.TimeoutError:
                result["stuck"] += 1
        return result

    time.sleep(max(0.0, start_at - time.time()))  # both start together
    out.put(asyncio.run(run()))


def race(kind: str, redis_prefix: RedisPrefix) -> Dict[str, int]:
    """Two processes at one conversation; the summed counts and the lost updates."""
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    conversation = f"{redis_prefix.prefix}race-{kind}-{uuid.uuid4().hex[:6]}"
    start_at = time.time() + 4.0  # spawned interpreters need a moment to import Rasa
    processes = [
        context.Process(
            target=_hammer,
            args=(kind, redis_prefix.url, redis_prefix.prefix, conversation, start_at, out),
        )
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    try:
        results = [out.get(timeout=BUDGET_SECONDS + 60) for _ in processes]
    finally:
        for process in processes:
            process.join(30)
            if process.is_alive():
                process.kill()
    red = redis.Redis.from_url(redis_prefix.url)
    counter = int(red.get(conversation + ":counter") or 0)
    total = {key: sum(r[key] for r in results) for key in results[0]}
    total["lost_updates"] = total["turns"] - counter
    return total


def test_two_replicas_stock_lock_interleaves_atomic_does_not(redis_prefix: RedisPrefix) -> None:
    stock = race("stock", redis_prefix)
    atomic = race("atomic", redis_prefix)
    print(f"\n2 processes x {ROUNDS} turns on one conversation: stock RedisLockStore {stock}; "
          f"AtomicRedisLockStore {atomic}")
    assert atomic == {"turns": 2 * ROUNDS, "overlaps": 0, "lock_errors": 0, "stuck": 0, "lost_updates": 0}
    assert stock["overlaps"] + stock["lock_errors"] + stock["stuck"] + stock["lost_updates"] > 0, stock


# --- the ticket lock's rules, one process ---------------------------------------------


@pytest.fixture
def store(redis_prefix: RedisPrefix) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(url=redis_prefix.url, key_prefix=redis_prefix.prefix)


def test_without_redis_url_it_is_rasas_in_memory_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert isinstance(AtomicRedisLockStore(endpoint_config=EndpointConfig()), InMemoryLockStore)
    assert isinstance(AtomicRedisLockStore(), InMemoryLockStore)
    monkeypatch.setenv("SANIC_WORKERS", "2")
    with pytest.raises(RasaException, match="REDIS_URL"):
        AtomicRedisLockStore()


def test_redis_url_from_environment(monkeypatch: pytest.MonkeyPatch, redis_prefix: RedisPrefix) -> None:
    monkeypatch.setenv("REDIS_URL", redis_prefix.url)
    monkeypatch.setenv("REDIS_KEY_PREFIX", redis_prefix.prefix)
    store = AtomicRedisLockStore(endpoint_config=EndpointConfig())
    assert isinstance(store, AtomicRedisLockStore)
    assert store.key_prefix == redis_prefix.prefix + "lock:"


@pytest.mark.asyncio
async def test_tickets_served_in_order_and_lock_removed_when_done(store: AtomicRedisLockStore) -> None:
    conversation = "order-" + uuid.uuid4().hex
    first = store.issue_ticket(conversation)
    order = []

    async def second_turn() -> None:
        async with store.lock(conversation, wait_time_in_seconds=0.01):
            order.append("second")

    waiting = asyncio.ensure_future(second_turn())
    await asyncio.sleep(0.1)
    assert order == [] and store.is_someone_waiting(conversation)
    lock = store.get_lock(conversation)
    assert lock is not None and [t.number for t in lock.tickets] == [first, first + 1]
    order.append("first")
    store.cleanup(conversation, first)
    await asyncio.wait_for(waiting, 5)
    assert order == ["first", "second"]
    assert store.get_lock(conversation) is None
    assert not store.red.exists(store.key_prefix + "{" + conversation + "}:tickets")


@pytest.mark.asyncio
async def test_expired_holder_no_longer_blocks(store: AtomicRedisLockStore) -> None:
    conversation = "expiry-" + uuid.uuid4().hex
    stale = store.issue_ticket(conversation, lock_lifetime=0.3)  # a replica that died holding it
    started = time.monotonic()
    async with store.lock(conversation, wait_time_in_seconds=0.05):
        waited = time.monotonic() - started
    assert 0.2 < waited < 2.0
    store.cleanup(conversation, stale)  # the late finisher removes nothing of anyone else's


@pytest.mark.asyncio
async def test_waiter_whose_ticket_expires_gets_lock_error(store: AtomicRedisLockStore) -> None:
    conversation = "waiter-" + uuid.uuid4().hex
    store.issue_ticket(conversation, lock_lifetime=5)
    with pytest.raises(LockError):
        async with store.lock(conversation, lock_lifetime=0.2, wait_time_in_seconds=0.05):
            pass
