"""A ticket lock store that stays correct with several Rasa processes.

endpoints.yml:

    lock_store:
      type: stores.lock_store.AtomicRedisLockStore

With REDIS_URL (or the endpoint's ``url``) set, tickets live in Redis; with
neither, this is Rasa's InMemoryLockStore (right for one process, the
embedded default).

Why not Rasa's ``type: redis``: its RedisLockStore reads the whole ticket
lock, changes it in Python and writes it back with a plain SET (RasaHQ/rasa
#9213). Two processes issuing a ticket at once both read the same lock, both
get the same number, and both handle the same conversation at the same time;
a concurrent cleanup can also delete a lock someone just queued on, which
surfaces as LockError. Here every change is one Lua script, run atomically
by Redis:

- ``issue``: INCR a per-conversation counter (unique, increasing tickets)
  and add ``number:expiry`` to a sorted set scored by the number.
- ``serving``: drop expired tickets, return the lowest live number.
- ``finish``: remove one's own ticket; delete the set once it is empty.

Expiry follows Rasa: a ticket lives TICKET_LOCK_LIFETIME seconds (default
60) from issue, so a crashed process blocks a conversation for at most that
long. Expiry times use Redis's clock, so replicas' clocks need not agree.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, List, Optional, Tuple

import redis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import (
    LOCK_LIFETIME,
    InMemoryLockStore,
    LockError,
    LockStore,
)
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# REDIS_KEY_PREFIX lets several deployments (or test runs) share one Redis.
DEFAULT_KEY_PREFIX = "clinic:"
# The counter outlives every ticket by far, so a number is never issued twice
# to two live holders (a holder whose ticket expired still finishes by number).
COUNTER_TTL_MS = 3600 * 1000

_NOW_MS = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: tickets, counter. ARGV: lifetime_ms, counter_ttl_ms. Returns the number.
ISSUE = _NOW_MS + """
local n = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[1], n, n .. ':' .. (now + tonumber(ARGV[1])))
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
"""

# KEYS: tickets. Returns {number, expiry_ms, ...} of live tickets, lowest first.
LIVE = _NOW_MS + """
local live = {}
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local sep = string.find(member, ':', 1, true)
  local expires = tonumber(string.sub(member, sep + 1))
  if expires < now then
    redis.call('ZREM', KEYS[1], member)
  else
    table.insert(live, tonumber(string.sub(member, 1, sep - 1)))
    table.insert(live, expires)
  end
end
return live
"""

# KEYS: tickets. ARGV: number. Removes that ticket; deletes an empty set.
FINISH = """
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])) do
  redis.call('ZREM', KEYS[1], member)
end
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[1])
end
return 0
"""


def redis_key_prefix() -> str:
    return os.environ.get("REDIS_KEY_PREFIX") or DEFAULT_KEY_PREFIX


def redis_url_from(endpoint_config: Optional[EndpointConfig]) -> Optional[str]:
    url = endpoint_config.url if endpoint_config is not None else None
    return url or os.environ.get("REDIS_URL") or None


class AtomicRedisLockStore(LockStore):
    """Rasa's ticket lock with every read-modify-write done inside Redis."""

    def __new__(
        cls, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any
    ) -> Any:
        # Rasa builds a custom lock store from its class only; with no Redis
        # configured the embedded default is the in-process store.
        if kwargs.get("url") is None and redis_url_from(endpoint_config) is None:
            # Rasa allows SANIC_WORKERS > 1 because a custom lock store is
            # configured; in-process locks would not hold across those workers.
            if int(os.environ.get("SANIC_WORKERS") or 1) > 1:
                raise RasaException("SANIC_WORKERS above 1 needs REDIS_URL for the conversation locks")
            logger.info("REDIS_URL is not set: conversation locks are in-process only")
            return InMemoryLockStore()
        return super().__new__(cls)

    def __init__(
        self,
        endpoint_config: Optional[EndpointConfig] = None,
        url: Optional[str] = None,
        key_prefix: Optional[str] = None,
        socket_timeout: float = 10.0,
    ) -> None:
        options = dict(endpoint_config.kwargs) if endpoint_config is not None else {}
        url = url or redis_url_from(endpoint_config)
        assert url is not None  # __new__ returned an InMemoryLockStore otherwise
        self.red = redis.Redis.from_url(
            url, socket_timeout=float(options.get("socket_timeout", socket_timeout))
        )
        prefix = key_prefix or options.get("key_prefix") or redis_key_prefix()
        self.key_prefix = prefix + "lock:"
        self._issue = self.red.register_script(ISSUE)
        self._live = self.red.register_script(LIVE)
        self._finish = self.red.register_script(FINISH)
        super().__init__()

    def _keys(self, conversation_id: str) -> Tuple[str, str]:
        # The {hash tag} keeps both keys in one slot, as scripts need on Redis Cluster.
        base = self.key_prefix + "{" + conversation_id + "}"
        return base + ":tickets", base + ":counter"

    def _live_tickets(self, conversation_id: str) -> List[Tuple[int, float]]:
        tickets_key, _ = self._keys(conversation_id)
        flat = self._live(keys=[tickets_key])
        return [(int(flat[i]), int(flat[i + 1]) / 1000.0) for i in range(0, len(flat), 2)]

    # --- the ticket lock --------------------------------------------------------

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return int(
                self._issue(
                    keys=list(self._keys(conversation_id)),
                    args=[int(lock_lifetime * 1000), COUNTER_TTL_MS],
                )
            )
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            self.finish_serving(conversation_id, ticket)

    async def _acquire_lock(
        self, conversation_id: str, ticket: int, wait_time_in_seconds: float
    ) -> TicketLock:
        while True:
            live = self._live_tickets(conversation_id)
            numbers = [number for number, _ in live]
            if numbers and numbers[0] == ticket:
                return self._as_ticket_lock(conversation_id, live)
            if ticket not in numbers:
                # Our ticket expired while we waited: like Rasa, give up.
                raise LockError(
                    f"Could not acquire lock for conversation_id '{conversation_id}'."
                )
            logger.debug(
                "Conversation %s: %s message(s) ahead of ticket %s; waiting",
                conversation_id, numbers.index(ticket), ticket,
            )
            await asyncio.sleep(wait_time_in_seconds)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        tickets_key, _ = self._keys(conversation_id)
        self._finish(keys=[tickets_key], args=[ticket_number])

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # finish_serving already deletes an empty lock, atomically.
        self.finish_serving(conversation_id, ticket_number)

    # --- LockStore's storage interface, for callers that inspect locks ------------

    @staticmethod
    def _as_ticket_lock(conversation_id: str, live: List[Tuple[int, float]]) -> TicketLock:
        return TicketLock(conversation_id, deque(Ticket(n, exp) for n, exp in live))

    def get_lock(self, conversation_id: str) -> Optional[TicketLock]:
        live = self._live_tickets(conversation_id)
        return self._as_ticket_lock(conversation_id, live) if live else None

    def delete_lock(self, conversation_id: str) -> None:
        deleted = self.red.delete(*self._keys(conversation_id))
        self._log_deletion(conversation_id, bool(deleted))

    def save_lock(self, lock: TicketLock) -> None:
        # Writing a whole lock back is exactly the race this class removes.
        raise NotImplementedError("AtomicRedisLockStore changes tickets only by script")

    def update_lock(self, conversation_id: str) -> None:
        self._live_tickets(conversation_id)  # prunes expired tickets

    def is_someone_waiting(self, conversation_id: str) -> bool:
        return bool(self._live_tickets(conversation_id))
