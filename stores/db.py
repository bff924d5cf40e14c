"""The one SQL database that holds conversations (Rasa's events) and SMS state.

Chosen by environment variables, read when a Rasa process starts:

- DB_HOST unset: SQLite, the file ``bot.db`` in BOT_STATE_DIR (default
  ``.data/``). Nothing to install; fine for one Rasa process.
- DB_HOST set: PostgreSQL at DB_HOST:DB_PORT (5432), database DB_NAME
  (``rasa``), user DB_USER (``rasa``), password DB_PASSWORD (may be unset with
  trust or .pgpass auth). Each process keeps at most
  DB_POOL_SIZE + DB_MAX_OVERFLOW connections (3 + 2).

Why the small pool: Rasa's SQLTrackerStore defaults to 50 + 100 connections
per process, so three replicas could ask for 450 of PostgreSQL's default 100.
Its SQL calls are synchronous on one event loop, so a process rarely holds
more than one connection at a time anyway. The tracker store and the SMS
state share one engine (one pool) per process.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
SQLITE_FILENAME = "bot.db"
DEFAULT_POOL_SIZE = 3
DEFAULT_MAX_OVERFLOW = 2
# How long a starting process waits for the database (a pod may start first).
DEFAULT_CONNECT_WAIT = 60.0
CONNECT_TIMEOUT = 2

_engines: Dict[str, Engine] = {}
_engines_lock = threading.Lock()


class DatabaseUnavailable(BaseException):
    """The conversations' database could not be read or written.

    A BaseException on purpose: Rasa 3.6 wraps every tracker store in a
    FailSafeTrackerStore that catches any Exception, answers from an empty
    conversation and keeps it in memory, so a patient would get an answer that
    forgot their treatment date, and that turn would never reach the database.
    This passes through it to the channels' guard (channels/guard.py), which
    apologises; nothing of the failed turn is kept anywhere.
    """


class DatabaseConfigError(ValueError):
    """An environment variable for the database has an impossible value."""


@dataclass(frozen=True)
class DatabaseSettings:
    url: str
    pool_size: int = DEFAULT_POOL_SIZE
    max_overflow: int = DEFAULT_MAX_OVERFLOW

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    def describe(self) -> str:
        """The URL without its password, for logs."""
        return make_url(self.url).__repr__()


def state_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("BOT_STATE_DIR") or ROOT / ".data")


def _int(env: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise DatabaseConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise DatabaseConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def settings_from_env(env: Mapping[str, str] | None = None) -> DatabaseSettings:
    """The database the environment asks for (see the module docstring)."""
    env = os.environ if env is None else env
    host = (env.get("DB_HOST") or "").strip()
    if not host:
        path = state_dir(env).resolve() / SQLITE_FILENAME
        return DatabaseSettings(url=f"sqlite:///{path}")
    url = sa.engine.URL.create(
        "postgresql+psycopg2",
        username=env.get("DB_USER") or "rasa",
        password=env.get("DB_PASSWORD") or None,
        host=host,
        port=_int(env, "DB_PORT", 5432, 1),
        database=env.get("DB_NAME") or "rasa",
    )
    return DatabaseSettings(
        url=url.render_as_string(hide_password=False),
        pool_size=_int(env, "DB_POOL_SIZE", DEFAULT_POOL_SIZE, 1),
        max_overflow=_int(env, "DB_MAX_OVERFLOW", DEFAULT_MAX_OVERFLOW, 0),
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers go on while the other engine (or process) writes; the
    # busy timeout makes a writer wait for the lock instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL never corrupts the file and skips an fsync per commit
    # (a power cut may lose the last turns, not the database): 19 to 4 ms a turn.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_engine(settings: DatabaseSettings) -> Engine:
    """A new engine for `settings` (tests use this; the bot uses shared_engine)."""
    if settings.is_sqlite:
        path = Path(make_url(settings.url).database or "")
        path.parent.mkdir(parents=True, exist_ok=True)
        # A pool of open connections: SQLAlchemy's default for a file reopens
        # the file (and sets the pragmas) for every query and checkpoints the
        # WAL on every close, 4 ms a time, several times a turn.
        engine = sa.create_engine(
            settings.url, connect_args={"timeout": 30, "check_same_thread": False},
            poolclass=sa.pool.QueuePool, pool_size=settings.pool_size, max_overflow=settings.max_overflow,
            hide_parameters=True,
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(
        settings.url,
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        # A connection dropped by a database restart or failover is replaced
        # instead of failing the patient's next message.
        pool_pre_ping=True,
        pool_recycle=1800,
        # The calls are synchronous on the server's one event loop: an
        # unreachable host must fail fast (the patient gets an apology), not
        # stall every conversation for the kernel's TCP timeout.
        connect_args={"connect_timeout": CONNECT_TIMEOUT},
        # Errors are logged: they must not quote the events (message texts) written.
        hide_parameters=True,
    )


def shared_engine(settings: DatabaseSettings | None = None) -> Engine:
    """One engine (one pool) per database per process, shared by every store."""
    settings = settings or settings_from_env()
    with _engines_lock:
        engine = _engines.get(settings.url)
        if engine is None:
            engine = _engines[settings.url] = create_engine(settings)
            logger.info("State database: %s", settings.describe())
        return engine


def wait_until_reachable(engine: Engine, timeout: float = DEFAULT_CONNECT_WAIT) -> None:
    """Return once a connection works; raise the last error after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            return
        except sa.exc.OperationalError as error:
            if time.monotonic() >= deadline:
                raise
            logger.warning("State database not reachable yet (%s); retrying", error.orig)
            time.sleep(2)


def create_tables(metadata: sa.MetaData, engine: Engine) -> None:
    """create_all, tolerating another replica creating the same tables at once."""
    try:
        metadata.create_all(engine)
    except (sa.exc.IntegrityError, sa.exc.ProgrammingError, sa.exc.OperationalError) as error:
        # PostgreSQL raises a unique violation on pg_type when two processes
        # create one table concurrently; the second attempt sees it exists.
        logger.info("Table creation raced with another process (%s); checking again", error.orig)
        time.sleep(0.5)
        metadata.create_all(engine)
